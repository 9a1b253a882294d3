"""The indexes of a service's and of a category's most recent items (``item_service_newest_idx``,
``item_category_newest_idx``): the similar decisions' candidates (determinations/similar.py),
read in bounded work whatever the archive's size. Built concurrently on the big table, so the
archive keeps running; a rerun after an interruption rebuilds an invalid one (_big_table)."""

from django.db import migrations, models

from determinations.migrations import _big_table as big_table

INDEXES = {
    "item_service_newest_idx": (
        "determinations_disputeditem (service, decision_date DESC, id DESC)"
    ),
    "item_category_newest_idx": (
        "determinations_disputeditem (category, decision_date DESC, id DESC)"
    ),
}


def build_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.build_indexes(cursor, INDEXES)


def drop_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.drop_indexes(cursor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0020_item_guideline_sections_reasons"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(build_indexes, drop_indexes)],
            state_operations=[
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(
                        fields=["service", "-decision_date", "-id"],
                        name="item_service_newest_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=models.Index(
                        fields=["category", "-decision_date", "-id"],
                        name="item_category_newest_idx",
                    ),
                ),
            ],
        ),
    ]
