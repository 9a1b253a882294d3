"""Indexes on SummaryItem's facet columns, so that facet counts with several filters
(``facets._one_pass_counts``) read only the candidate rows of the narrow table.

Raw SQL on purpose: the model state does not change (SummaryItem is written by ``summaries``
only), so no model edit is needed. Measured on the 100 k benchmark database: +35 MB, a full
``refresh_summaries`` 12 s -> 17 s; ``/?guideline=Low+Back&region=lumbar&year=2017`` 270 ms ->
about 150 ms (docs/performance.md, "Multi-filter and search pages").
"""

from django.db import migrations

TABLE = "determinations_summaryitem"
INDEXES = {
    "summaryitem_category_idx": "(category)",
    "summaryitem_subcategory_idx": "(subcategory)",
    "summaryitem_service_idx": "(service)",
    "summaryitem_outcome_idx": "(outcome)",
    "summaryitem_year_outcome_idx": "(year, outcome)",
    "summaryitem_source_gin": "USING gin (guideline_source)",
    "summaryitem_guideline_gin": "USING gin (guideline)",
    "summaryitem_specialty_gin": "USING gin (specialty)",
    "summaryitem_region_gin": "USING gin (region)",
}
CREATE = "".join(
    f"CREATE INDEX IF NOT EXISTS {name} ON {TABLE} {columns};\n"
    for name, columns in INDEXES.items()
)
DROP = "".join(f"DROP INDEX IF EXISTS {name};\n" for name in INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("determinations", "0002_facet_summaries"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
