"""The items' guideline values carry their source (issue 17): ``ODG:Low Back`` for ``Low Back``.

``DisputedItem.guideline_documents`` is rewritten from the reviewer's citations exactly as
``services.determination_save`` writes it (``guidelines.guideline_value``: source, colon,
document; each once, in the order first cited; none without a document). Existing documents
keep the spelling their parse gave them: the one spelling per document comes with parser 1.8's
re-parse (``manage.py reparse --outdated``, docs/operations.md), which rewrites the citations and
this column together.

Safe on a big table, like 0014: rows are rewritten in batches of ids, each its own short
transaction (``atomic = False``), only where the value changes, so a rerun after an interruption
finishes the rest. The change triggers record every rewritten letter, so the facet summaries are
stale until the next refresh (the worker's, or ``manage.py refresh_summaries``): pages count
live meanwhile, and the refresh rewrites SummaryItem's ``guideline`` column, the pair counts and
the "did you mean" vocabulary from the new values (a full recount when more than
``summaries.FULL_REFRESH_ABOVE`` letters changed).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import migrations, models

from determinations.migrations import _big_table as big_table

# Module constants only: the sources' list is the closed GuidelineSource (no quote in it).
VALUES = """
COALESCE((
    SELECT array_agg(v.value ORDER BY v.first)
    FROM (
        SELECT left(c.{form}, 200) AS value, min(c.position) AS first
        FROM determinations_guidelinecitation c
        WHERE c.item_id = i.id AND c.cited_by = 'reviewer' AND c.document <> ''
            AND c.source <> ''
        GROUP BY 1
    ) AS v
), '{{}}')::varchar(200)[]
"""
SOURCED = VALUES.format(form="source || ':' || c.document")
BARE = VALUES.format(form="document")
BATCH = 5_000  # ids per UPDATE, one short transaction each


def _rewrite(schema_editor, values: str, batch: int) -> int:
    update = (
        f"UPDATE determinations_disputeditem i SET guideline_documents = {values} "  # noqa: S608
        f"WHERE i.id >= %s AND i.id < %s "
        f"AND i.guideline_documents IS DISTINCT FROM {values}"
    )
    with schema_editor.connection.cursor() as cursor:
        return big_table.update_by_id_ranges(cursor, update, batch=batch)


def sourced_guidelines(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Rewrite every item's guideline values with their sources; returns the rows changed."""
    return _rewrite(schema_editor, SOURCED, batch)


def bare_documents(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Back to the documents alone (the form before this migration)."""
    return _rewrite(schema_editor, BARE, batch)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0015_item_priority_outcome_modified_licensure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="disputeditem",
            name="guideline_documents",
            field=ArrayField(
                base_field=models.CharField(max_length=200),
                blank=True,
                default=list,
                help_text="The reviewer's citations as guideline values, source and document "
                "(``ODG:Low Back``, ``guidelines.py``), each once (facet).",
                size=None,
            ),
        ),
        migrations.RunPython(sourced_guidelines, bare_documents, elidable=False),
    ]
