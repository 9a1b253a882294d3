"""Four new dimensions (issue 17): ``priority``, ``letter_outcome``, ``modified``, ``licensure``,
and the decision-date range on SummaryItem (``decided_from`` / ``decided_to``).

- The item columns they read, copies kept by the services like ``decision_year`` and
  ``specialties``: ``priority`` and ``letter_outcome`` from the determination (the outcome as
  the filter names it: ``partially overturned`` -> ``partially_overturned``), ``licensure`` from
  the reviewer (each state once, in the order stated), ``modified`` from the item's own
  ``original_request`` ('true', else NULL).
- SummaryItem: the dimensions' columns (generated from the registry in models.py), the item's
  decision date (the range filters of the one-pass counts and sampled totals), the letter's own
  outcome renamed ``determination_outcome`` (``letter_outcome`` is now the dimension's column),
  and indexes like 0003's (raw SQL: the model state declares none).
- The summaries are emptied and marked stale as a whole (a SummaryChange row for letter 0, as a
  TRUNCATE records) in one transaction, first and again last: pages count live until
  ``manage.py refresh_summaries`` (or the worker's refresh) rebuilds everything.

Safe on a big table, like 0014: the columns are added without a rewrite (nullable, or with a
constant default kept in the database so that rows old code inserts meanwhile are valid), the
rows are filled by id ranges, each its own short transaction (``atomic = False``; only rows
whose copies differ are written, so a rerun writes only what is left), and the item indexes
are built concurrently. Time: docs/operations.md ("Upgrading").
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models, transaction

from determinations.migrations import _big_table as big_table

ITEMS = "determinations_disputeditem"
SUMMARY_ITEMS = "determinations_summaryitem"
COLUMNS = {
    "priority": "varchar(10) NULL",
    "letter_outcome": "varchar(24) NULL",
    "licensure": "varchar(60)[] NOT NULL DEFAULT '{}'",
    "modified": "varchar(4) NULL",
}
# What each copy should hold, over the item ``i``, its determination ``d`` and reviewer ``r``
# (the SQL of services._item_rows: choices.letter_outcome_value, modified_value, _unique).
COPIES = {
    "priority": "d.priority",
    "letter_outcome": "replace(d.outcome, ' ', '_')",
    "licensure": "coalesce(ARRAY(SELECT s FROM unnest(r.licensure) WITH ORDINALITY AS u(s, n) "
    "WHERE s <> '' GROUP BY s ORDER BY min(n))::varchar(60)[], '{}')",
    "modified": "CASE WHEN i.original_request IS NOT NULL THEN 'true' END",
}
BATCH = 5_000  # item ids per UPDATE, one short transaction each

INDEXES = {
    "item_priority_idx": f"{ITEMS} (priority)",
    "item_letter_outcome_idx": f"{ITEMS} (letter_outcome)",
    "item_modified_idx": f"{ITEMS} (modified) WHERE modified IS NOT NULL",
    "item_licensure_gin": f"{ITEMS} USING gin (licensure)",
    # SummaryItem's, raw like 0003's (it was just emptied: built at once).
    "summaryitem_decision_date_idx": f"{SUMMARY_ITEMS} (decision_date)",
    "summaryitem_priority_idx": f"{SUMMARY_ITEMS} (priority)",
    "summaryitem_letter_outcome_idx": f"{SUMMARY_ITEMS} (letter_outcome)",
    "summaryitem_modified_idx": f"{SUMMARY_ITEMS} (modified) WHERE modified IS NOT NULL",
    "summaryitem_licensure_gin": f"{SUMMARY_ITEMS} USING gin (licensure)",
}


def summaries_stale(apps, schema_editor) -> None:
    """Empty SummaryItem and mark everything changed, in one transaction (a reader between the
    two would take the empty table for fresh summaries)."""
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SUMMARY_ITEMS}")
        cursor.execute(
            "INSERT INTO determinations_summarychange (txid, determination_id) "
            "VALUES (txid_current(), 0) ON CONFLICT DO NOTHING"
        )


def fill_copies(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Set the copies of every item whose copies differ from its letter's, by id ranges;
    returns the rows written."""
    sets = ", ".join(f"{column} = {sql}" for column, sql in COPIES.items())
    differ = " OR ".join(f"i.{column} IS DISTINCT FROM {sql}" for column, sql in COPIES.items())
    update = (
        f"UPDATE {ITEMS} i SET {sets} "  # noqa: S608 (the code's SQL)
        f"FROM determinations_determination d "
        f"LEFT JOIN determinations_reviewer r ON r.id = d.reviewer_id "
        f"WHERE d.id = i.determination_id AND i.id >= %s AND i.id < %s "
        f"AND ({differ})"
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
        ("determinations", "0014_item_request_vector"),
    ]

    # Each step can be run again after an interruption (the migration is not atomic, so a rerun
    # starts from its first operation) except SummaryItem's, which are quick and run together
    # with the first step's emptying: the item columns IF NOT EXISTS, the fill of differing rows
    # only, the indexes IF NOT EXISTS or rebuilt when invalid.
    operations = [
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
        migrations.RenameField(
            model_name="summaryitem", old_name="letter_outcome", new_name="determination_outcome"
        ),
        migrations.AlterField(
            model_name="summaryitem",
            name="determination_outcome",
            field=models.CharField(
                blank=True,
                help_text="The letter's own outcome, as stored ('' for none).",
                max_length=24,
            ),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="decision_date",
            field=models.DateField(
                help_text="The item's decision date: the decided_from/decided_to filters.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="summaryitem", name="priority", field=models.TextField(null=True)
        ),
        migrations.AddField(
            model_name="summaryitem", name="letter_outcome", field=models.TextField(null=True)
        ),
        migrations.AddField(
            model_name="summaryitem", name="modified", field=models.TextField(null=True)
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="licensure",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), default=list, size=None
            ),
            preserve_default=False,
        ),
        _item_column(
            "priority",
            models.CharField(
                blank=True,
                choices=[("standard", "Standard"), ("expedited", "Expedited")],
                help_text="Copy of the determination's priority (facet).",
                max_length=10,
                null=True,
            ),
        ),
        _item_column(
            "letter_outcome",
            models.CharField(
                blank=True,
                choices=[
                    ("upheld", "Upheld"),
                    ("overturned", "Overturned"),
                    ("partially_overturned", "Partially overturned"),
                ],
                help_text="Copy of the determination's outcome, as the filter names it (facet).",
                max_length=24,
                null=True,
            ),
        ),
        _item_column(
            "licensure",
            django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=60),
                blank=True,
                default=list,
                help_text="Copy of the reviewer's states of licensure (facet).",
                size=None,
            ),
        ),
        _item_column(
            "modified",
            models.CharField(
                blank=True,
                choices=[("true", "Modified by the claims administrator")],
                help_text="'true' when the claims administrator modified the request (it has "
                "an original request), else NULL (facet).",
                max_length=4,
                null=True,
            ),
        ),
        migrations.RunPython(fill_copies, migrations.RunPython.noop, elidable=False),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(build_indexes, drop_indexes)],
            state_operations=[
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(fields=["priority"], name="item_priority_idx"),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(fields=["letter_outcome"], name="item_letter_outcome_idx"),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(
                        condition=models.Q(("modified__isnull", False)),
                        fields=["modified"],
                        name="item_modified_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["licensure"], name="item_licensure_gin"
                    ),
                ),
            ],
        ),
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
    ]
