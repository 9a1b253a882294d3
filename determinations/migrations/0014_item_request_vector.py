"""The request's own vector (``DisputedItem.request_vector``, ``search_vector.SearchPart.column``)
and its GIN index, for ``field=request`` searches, with the partial indexes of the samples (as
migration 0005 has for ``search_vector``: the 1-in-256 count of ``q=ESI&field=request`` read
every hit's row through the plain index, 38.6 ms at 100 k letters, 0.1 ms through its own).

Safe on a big table: the column is added nullable (no rewrite), existing rows are filled in
batches of ids, each its own short transaction (``atomic = False``; a rerun fills only the rows
still NULL), and the index is then built concurrently, so reads and writes go on throughout.
Time at 100 k letters / expected at 2 M: docs/performance.md ("The request's own vector").
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from determinations.migrations import _big_table as big_table
from determinations.search_vector import OWN_VECTORS, own_vector_sql

COLUMN = "determinations_disputeditem ADD COLUMN IF NOT EXISTS request_vector tsvector NULL"
# The plain index (declared in models.py) and the samples' (raw, like 0005's: the model state
# declares only the plain one).
INDEXES = {
    "item_request_gin": "determinations_disputeditem USING gin (request_vector)",
    **{
        f"item_request_s{every}_gin": "determinations_disputeditem USING gin (request_vector) "
        f"WHERE determination_id % {every} = 0"
        for every in (16, 256)
    },
}
BATCH = 5_000  # ids per UPDATE, one short transaction each: ~1.2 s at the benchmark's sizes


def fill_request_vectors(apps, schema_editor, *, batch: int = BATCH) -> int:
    """Fill the parts' own vectors of the rows that lack them, by id ranges; returns rows set."""
    sets = ", ".join(f"{column} = {own_vector_sql(name)}" for name, column in OWN_VECTORS.items())
    missing = " OR ".join(f"{column} IS NULL" for column in OWN_VECTORS.values())
    update = (
        f"UPDATE determinations_disputeditem SET {sets} "  # noqa: S608 (code's SQL)
        f"WHERE id >= %s AND id < %s AND ({missing})"
    )
    with schema_editor.connection.cursor() as cursor:
        return big_table.update_by_id_ranges(cursor, update, batch=batch)


def build_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.build_indexes(cursor, INDEXES)


def drop_indexes(apps, schema_editor) -> None:
    with schema_editor.connection.cursor() as cursor:
        big_table.drop_indexes(cursor, INDEXES)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0013_vocabulary_term"),
    ]

    # Each step can be run again after an interruption (the migration is not atomic, so a rerun
    # starts from the first operation): the column IF NOT EXISTS, the fill of NULL rows only,
    # the indexes IF NOT EXISTS or rebuilt when invalid.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {COLUMN}",
                    "ALTER TABLE determinations_disputeditem DROP COLUMN IF EXISTS request_vector",
                )
            ],
            state_operations=[
                migrations.AddField(
                    model_name="disputeditem",
                    name="request_vector",
                    field=django.contrib.postgres.search.SearchVectorField(
                        editable=False,
                        help_text="English tsvector of the request alone: the index of "
                        "field=request searches.",
                        null=True,
                    ),
                )
            ],
        ),
        migrations.RunPython(fill_request_vectors, migrations.RunPython.noop, elidable=False),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(build_indexes, drop_indexes)],
            state_operations=[
                migrations.AddIndex(
                    model_name="disputeditem",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fields=["request_vector"], name="item_request_gin"
                    ),
                )
            ],
        ),
    ]
