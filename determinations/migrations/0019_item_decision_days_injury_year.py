"""Two new dimensions (issue 18): ``decision_days`` (days from date assigned to decision, in the
buckets of ``choices.DecisionDays``) and ``injury_year`` (year of the date of injury); and the
letter-level summaries of time to decision and letter outcomes.

- The item columns, copies kept by the services (``services._item_rows``, the bench loader)
  from the determination's dates, like ``priority``: filled here in ONE id-range pass that
  writes both (only rows whose copies differ: a rerun writes only what is left), indexes
  built concurrently after.
- SummaryItem: the dimensions' columns (generated from the registry), and its letter's days to
  decision on both bases (``days_assigned``, ``days_received``: ``summaries.days_sql``), and
  indexes on the new dimensions' columns.
- ``PeriodLetterCount`` and ``PeriodDaysCount``: created empty.
- The summaries are emptied and marked stale as a whole (first and again last, as 0015): pages
  count live until ``manage.py refresh_summaries`` rebuilds everything, the new tables too.

Not atomic, like 0015: safe on a big table (nullable columns added without a rewrite).
"""

from django.db import migrations, models, transaction

from determinations.migrations import _big_table as big_table

ITEMS = "determinations_disputeditem"
SUMMARY_ITEMS = "determinations_summaryitem"
COLUMNS = {
    "decision_days": "varchar(8) NULL",
    "injury_year": "smallint NULL CHECK (injury_year >= 0)",
}
# What each copy holds, over the item's determination ``d``: the SQL of
# choices.decision_days_sql over the days from date assigned to decision, and the injury year.
DAYS = "(d.decision_date - d.date_assigned)"
COPIES = {
    "decision_days": f"CASE WHEN {DAYS} < 0 THEN NULL WHEN {DAYS} <= 7 THEN '0-7' "
    f"WHEN {DAYS} <= 14 THEN '8-14' WHEN {DAYS} <= 30 THEN '15-30' "
    f"WHEN {DAYS} <= 45 THEN '31-45' WHEN {DAYS} <= 90 THEN '46-90' "
    f"WHEN {DAYS} IS NOT NULL THEN 'over-90' END",
    "injury_year": "extract(year FROM d.date_of_injury)::smallint",
}
BATCH = 5_000  # item ids per UPDATE, one short transaction each

INDEXES = {
    "item_decision_days_idx": f"{ITEMS} (decision_days)",
    "item_injury_year_idx": f"{ITEMS} (injury_year)",
    # SummaryItem's, raw like 0003's (it was just emptied: built at once).
    "summaryitem_decision_days_idx": f"{SUMMARY_ITEMS} (decision_days)",
    "summaryitem_injury_year_idx": f"{SUMMARY_ITEMS} (injury_year)",
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


def fill_copies(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Set both copies of every item whose copies differ from its letter's, by id ranges, in
    one pass; returns the rows written."""
    sets = ", ".join(f"{column} = {sql}" for column, sql in COPIES.items())
    differ = " OR ".join(f"i.{column} IS DISTINCT FROM {sql}" for column, sql in COPIES.items())
    update = (
        f"UPDATE {ITEMS} i SET {sets} "  # noqa: S608 (the code's SQL)
        f"FROM determinations_determination d "
        f"WHERE d.id = i.determination_id AND i.id >= %s AND i.id < %s AND ({differ})"
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
        ("determinations", "0018_sample_1024_indexes"),
    ]

    operations = [
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
        migrations.CreateModel(
            name="PeriodDaysCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "facet",
                    models.CharField(
                        blank=True, help_text="Facet ('' = all letters).", max_length=24
                    ),
                ),
                ("value", models.TextField(blank=True, help_text="The value, as text.")),
                ("month", models.DateField(help_text="First day of the letters' decision month.")),
                (
                    "basis",
                    models.CharField(
                        help_text="assigned or received (letters.BASES).", max_length=8
                    ),
                ),
                (
                    "days",
                    models.SmallIntegerField(
                        help_text="Days to decision (-1: not computable; 366: more)."
                    ),
                ),
                ("expedited", models.BooleanField(help_text="The letter's priority is expedited.")),
                ("letters", models.IntegerField(help_text="Letters with a matching item.")),
            ],
        ),
        migrations.CreateModel(
            name="PeriodLetterCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "facet",
                    models.CharField(
                        blank=True, help_text="Facet ('' = all letters).", max_length=24
                    ),
                ),
                ("value", models.TextField(blank=True, help_text="The value, as text.")),
                ("month", models.DateField(help_text="First day of the letters' decision month.")),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        help_text="The letter's own outcome ('' when it has none).",
                        max_length=24,
                    ),
                ),
                (
                    "letters",
                    models.IntegerField(
                        help_text="Letters with a matching item decided that month."
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="perioddayscount",
            constraint=models.UniqueConstraint(
                fields=("facet", "value", "basis", "month", "days", "expedited"),
                name="perioddays_key_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="periodlettercount",
            constraint=models.UniqueConstraint(
                fields=("facet", "value", "month", "outcome"), name="periodletter_key_unique"
            ),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="days_assigned",
            field=models.SmallIntegerField(
                help_text="Its letter's days from date assigned to decision (letters.days_sql).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="days_received",
            field=models.SmallIntegerField(
                help_text="Its letter's days from application received to decision.", null=True
            ),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="decision_days",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="injury_year",
            field=models.TextField(null=True),
        ),
        _item_column(
            "decision_days",
            models.CharField(
                blank=True,
                choices=[
                    ("0-7", "0 to 7 days"),
                    ("8-14", "8 to 14 days"),
                    ("15-30", "15 to 30 days"),
                    ("31-45", "31 to 45 days"),
                    ("46-90", "46 to 90 days"),
                    ("over-90", "Over 90 days"),
                ],
                help_text="Days from the determination's date assigned to its decision date, as a bucket (choices.decision_days_value; NULL: a date unknown or the decision earlier) (facet).",
                max_length=8,
                null=True,
            ),
        ),
        _item_column(
            "injury_year",
            models.PositiveSmallIntegerField(
                blank=True,
                help_text="Year of the determination's date of injury (facet).",
                null=True,
            ),
        ),
        migrations.RunPython(fill_copies, migrations.RunPython.noop, elidable=False),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(build_indexes, drop_indexes)],
            state_operations=[
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(fields=["decision_days"], name="item_decision_days_idx"),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(fields=["injury_year"], name="item_injury_year_idx"),
                ),
            ],
        ),
        migrations.RunPython(summaries_stale, summaries_stale, elidable=False),
    ]
