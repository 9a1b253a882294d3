"""Each item's citations formatted for the CSV export, stored when the item is written.

Aggregating and formatting them per exported row took half of the export's time (100 k
benchmark: 25,000 -> 50,000 rows/s without it). The backfill formats existing rows in SQL
exactly as ``citation_format.format_citation`` does (source, document, "Chapter N", section,
"pp. P", "(year)", joined with ", "; citations joined with " | " in position order). It is one
UPDATE of every item with citations: minutes at archive size (plan it with the deployment).
The change triggers record every updated letter, so the facet summaries are stale afterwards
until ``manage.py refresh_summaries`` (or the worker's refresh) has run; pages count live
meanwhile (docs/operations.md).
"""

from django.db import migrations, models

FORMATTED = (
    "concat_ws(', ', nullif(c.source, ''), nullif(c.document, ''), "
    "'Chapter ' || nullif(c.chapter, 0), nullif(c.section, ''), 'pp. ' || nullif(c.pages, ''), "
    "'(' || nullif(c.year, 0) || ')')"
)
BACKFILL = f"""
UPDATE determinations_disputeditem i
SET reviewer_citations_text = t.reviewer, claims_administrator_citations_text = t.claims
FROM (
    SELECT c.item_id,
           string_agg({FORMATTED}, ' | ' ORDER BY c.position)
               FILTER (WHERE c.cited_by = 'reviewer') AS reviewer,
           string_agg({FORMATTED}, ' | ' ORDER BY c.position)
               FILTER (WHERE c.cited_by = 'claims_administrator') AS claims
    FROM determinations_guidelinecitation c
    GROUP BY c.item_id
) AS t
WHERE t.item_id = i.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('determinations', '0005_sample_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='disputeditem',
            name='claims_administrator_citations_text',
            field=models.TextField(blank=True, help_text="The claims administrator's citations, formatted as above.", null=True),
        ),
        migrations.AddField(
            model_name='disputeditem',
            name='reviewer_citations_text',
            field=models.TextField(blank=True, help_text="The reviewer's citations formatted and joined with ' | ' (None: none); written with the citations, read by the CSV export.", null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
