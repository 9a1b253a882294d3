"""Four new dimensions (issue 17): ``priority``, ``letter_outcome``, ``modified``, ``licensure``,
and the decision-date range on SummaryItem (``decided_from`` / ``decided_to``).

- The item columns they read: ``priority`` and ``letter_outcome`` copied from the determination
  (the outcome as the filter names it, ``partially overturned`` -> ``partially_overturned``),
  ``licensure`` from the reviewer (each state once, in the order stated), maintained by the
  services like ``decision_year`` and ``specialties``; ``modified`` is a stored generated column
  ('true' when the item has an original request, else NULL), so no write path maintains it.
- The backfill is one UPDATE of every item (minutes at archive size, like 0006; plan it with the
  deployment), before the indexes are built.
- SummaryItem: the dimensions' columns (generated from the registry in models.py), the item's
  decision date (the range filters of the one-pass counts and sampled totals), the letter's own
  outcome renamed ``determination_outcome`` (``letter_outcome`` is now the dimension's column),
  and indexes like 0003's (raw SQL: the model state declares none).
- The summaries are emptied and marked stale as a whole (a SummaryChange row for letter 0, as a
  TRUNCATE records): pages count live until ``manage.py refresh_summaries`` (or the worker's
  refresh) rebuilds everything (docs/operations.md).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
from django.db import migrations, models

# Emptied first, so that its new NOT NULL columns need no default; and in both directions, so
# the tables are rebuilt after a rollback too.
STALE = """
TRUNCATE determinations_summaryitem;
INSERT INTO determinations_summarychange (txid, determination_id)
VALUES (txid_current(), 0) ON CONFLICT DO NOTHING;
"""

BACKFILL = """
UPDATE determinations_disputeditem i
SET priority = d.priority,
    letter_outcome = replace(d.outcome, ' ', '_'),
    licensure = coalesce(ARRAY(
        SELECT s FROM unnest(r.licensure) WITH ORDINALITY AS u(s, n)
        WHERE s <> '' GROUP BY s ORDER BY min(n)
    ), '{}')
FROM determinations_determination d
LEFT JOIN determinations_reviewer r ON r.id = d.reviewer_id
WHERE d.id = i.determination_id
  AND (d.priority IS NOT NULL OR d.outcome IS NOT NULL OR cardinality(r.licensure) > 0)
"""

SUMMARY_TABLE = "determinations_summaryitem"
SUMMARY_INDEXES = {
    "summaryitem_decision_date_idx": "(decision_date)",
    "summaryitem_priority_idx": "(priority)",
    "summaryitem_letter_outcome_idx": "(letter_outcome)",
    "summaryitem_modified_idx": "(modified) WHERE modified IS NOT NULL",
    "summaryitem_licensure_gin": "USING gin (licensure)",
}
CREATE_SUMMARY_INDEXES = "".join(
    f"CREATE INDEX IF NOT EXISTS {name} ON {SUMMARY_TABLE} {spec};\n"
    for name, spec in SUMMARY_INDEXES.items()
)
DROP_SUMMARY_INDEXES = "".join(f"DROP INDEX IF EXISTS {name};\n" for name in SUMMARY_INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("determinations", "0014_item_request_vector"),
    ]

    operations = [
        migrations.RunSQL(STALE, STALE),
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
            model_name="summaryitem",
            name="priority",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="letter_outcome",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="modified",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="summaryitem",
            name="licensure",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.TextField(), default=list, size=None
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="disputeditem",
            name="priority",
            field=models.CharField(
                blank=True,
                choices=[("standard", "Standard"), ("expedited", "Expedited")],
                help_text="Copy of the determination's priority (facet).",
                max_length=10,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="disputeditem",
            name="letter_outcome",
            field=models.CharField(
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
        migrations.AddField(
            model_name="disputeditem",
            name="licensure",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=60),
                blank=True,
                default=list,
                help_text="Copy of the reviewer's states of licensure (facet).",
                size=None,
            ),
        ),
        migrations.AddField(
            model_name="disputeditem",
            name="modified",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(original_request__isnull=False, then=models.Value("true"))
                ),
                help_text="'true' when the claims administrator modified the request (facet), "
                "else NULL.",
                null=True,
                output_field=models.CharField(
                    choices=[("true", "Modified by the claims administrator")],
                    max_length=4,
                    null=True,
                ),
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
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
        migrations.RunSQL(CREATE_SUMMARY_INDEXES, DROP_SUMMARY_INDEXES),
    ]
