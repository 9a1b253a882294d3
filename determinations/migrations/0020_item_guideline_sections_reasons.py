"""Two new dimensions (issue 19): ``guideline_section`` (the reviewer's cited sections, values
``ODG:Low Back|MRIs``, ``guidelines.section_value``) and ``reason`` (the decisive reasons of the
rationale, ``choices.Reason``), with each item's reasons and their evidence (``reasons``).

- The item columns: ``guideline_sections`` (filled here from the stored citations, as
  ``services._item_rows`` writes it: ``SECTIONS``, in ONE id-range pass that writes only rows
  whose value differs, so a rerun writes only what is left), ``reason_codes`` and ``reasons``
  (empty: reasons come from the parser, so existing letters get theirs when re-parsed:
  docs/operations.md, "Reasons for the decision"). GIN indexes built concurrently after.
- SummaryItem: the dimensions' columns (generated from the registry) and their GIN indexes.
- The summaries are emptied and marked stale as a whole (first and again last, as 0015): pages
  count live until ``manage.py refresh_summaries`` rebuilds everything.

Not atomic, like 0015 and 0019: safe on a big table (columns added with constant defaults kept
in the database, so no rewrite and rows old code inserts meanwhile are valid). Reversible: the
columns and indexes are dropped.
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models, transaction

from determinations.migrations import _big_table as big_table

ITEMS = "determinations_disputeditem"
SUMMARY_ITEMS = "determinations_summaryitem"
COLUMNS = {
    "guideline_sections": "varchar(400)[] NOT NULL DEFAULT '{}'",
    "reason_codes": "varchar(40)[] NOT NULL DEFAULT '{}'",
    "reasons": "jsonb NOT NULL DEFAULT '[]'",
}
# An item's section values from its reviewer's citations (``guidelines.section_value``: the
# document's value cut to 200, a bar, the section without end spaces and with its bars as '/',
# all cut to 400 without end spaces; each once, in the order first cited). Module constants only.
SECTIONS = """
COALESCE((
    SELECT array_agg(v.value ORDER BY v.first)
    FROM (
        SELECT rtrim(left(left(c.source || ':' || c.document, 200) || '|'
                          || replace(btrim(c.section), '|', '/'), 400)) AS value,
               min(c.position) AS first
        FROM determinations_guidelinecitation c
        WHERE c.item_id = i.id AND c.cited_by = 'reviewer' AND c.document <> ''
            AND c.source <> '' AND btrim(c.section) <> ''
        GROUP BY 1
    ) AS v
), '{}')::varchar(400)[]
"""
BATCH = 5_000  # item ids per UPDATE, one short transaction each

INDEXES = {
    "item_sections_gin": f"{ITEMS} USING gin (guideline_sections)",
    "item_reasons_gin": f"{ITEMS} USING gin (reason_codes)",
    # SummaryItem's, raw like 0003's (it was just emptied: built at once).
    "summaryitem_guideline_section_gin": f"{SUMMARY_ITEMS} USING gin (guideline_section)",
    "summaryitem_reason_gin": f"{SUMMARY_ITEMS} USING gin (reason)",
}


def summaries_stale(apps, schema_editor) -> None:
    """Empty SummaryItem and mark everything changed, in one transaction (as 0015)."""
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SUMMARY_ITEMS}")
        cursor.execute(
            "INSERT INTO determinations_summarychange (txid, determination_id) "
            "VALUES (txid_current(), 0) ON CONFLICT DO NOTHING"
        )


def fill_sections(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Set ``guideline_sections`` of every item whose value differs from its citations', by id
    ranges; returns the rows written."""
    update = (
        f"UPDATE {ITEMS} i SET guideline_sections = {SECTIONS} "  # noqa: S608 (the code's SQL)
        f"WHERE i.id >= %s AND i.id < %s AND i.guideline_sections IS DISTINCT FROM {SECTIONS}"
    )
    with schema_editor.connection.cursor() as cursor:
        return big_table.update_by_id_ranges(cursor, update, batch=batch)


def build_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.build_indexes(cursor, INDEXES)


def drop_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.drop_indexes(cursor, INDEXES)


def _item_column(name: str, field) -> migrations.SeparateDatabaseAndState:
    """An item column added without a rewrite, IF NOT EXISTS (a rerun after an interruption)."""
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE {ITEMS} ADD COLUMN IF NOT EXISTS {name} {COLUMNS[name]}",
                f"ALTER TABLE {ITEMS} DROP COLUMN IF EXISTS {name}",
            )
        ],
        state_operations=[migrations.AddField(model_name="disputeditem", name=name, field=field)],
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0019_item_decision_days_injury_year"),
    ]

    operations = [
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
        migrations.AddField(
            model_name="summaryitem",
            name="guideline_section",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), default=list, size=None
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="reason",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), default=list, size=None
            ),
            preserve_default=False,
        ),
        _item_column(
            "guideline_sections",
            django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=400),
                blank=True,
                default=list,
                help_text="The reviewer's citations that name a section, as section values, "
                "source, document and section (``ODG:Low Back|MRIs``, ``guidelines.py``), each "
                "once (facet).",
                size=None,
            ),
        ),
        _item_column(
            "reason_codes",
            django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(
                    choices=[
                        (
                            "functional_improvement_not_documented",
                            "Functional improvement not documented",
                        ),
                        (
                            "conservative_care_not_documented",
                            "Conservative care not tried or its failure not documented",
                        ),
                        (
                            "exceeds_guideline_limit",
                            "Exceeds the guideline's quantity, frequency or duration",
                        ),
                        ("not_recommended", "Not recommended by the guideline"),
                        (
                            "indication_not_documented",
                            "Indication or objective findings not documented",
                        ),
                        ("monitoring_not_documented", "Required monitoring not documented"),
                        (
                            "compound_ingredient_not_recommended",
                            "Compound contains a non-recommended ingredient",
                        ),
                        ("associated_request_not_certified", "Associated request not certified"),
                        ("criteria_met", "Guideline criteria met"),
                        ("improvement_documented", "Improvement from prior treatment documented"),
                        ("prior_care_failed", "Prior conservative care failed"),
                    ],
                    max_length=40,
                ),
                blank=True,
                default=list,
                help_text="Codes of the decisive reasons in ``reasons``, each once, in order "
                "(facet).",
                size=None,
            ),
        ),
        _item_column(
            "reasons",
            models.JSONField(
                blank=True,
                default=list,
                help_text='The parse\'s decisive reasons, ``[{"code", "evidence"}]`` (the '
                "rationale sentence giving it), in its order; codes outside ``Reason`` are "
                "dropped with a warning.",
            ),
        ),
        migrations.RunPython(fill_sections, migrations.RunPython.noop, elidable=False),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(build_indexes, drop_indexes)],
            state_operations=[
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["guideline_sections"], name="item_sections_gin"
                    ),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["reason_codes"], name="item_reasons_gin"
                    ),
                ),
            ],
        ),
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
    ]
