"""Steps of migrations that change a big table while the archive runs (0014, 0015, 0016).

Not a migration (the loader skips modules whose name starts with "_"). Each step can be run
again after an interruption: the migrations using them are not atomic, so a rerun starts from
their first operation.
"""

ITEMS = "determinations_disputeditem"


def update_by_id_ranges(cursor, update: str, *, batch: int, table: str = ITEMS) -> int:
    """Run ``update`` (an UPDATE whose two ``%s`` bound the ids, ``>= start`` and ``< end``) over
    ``table`` a range of ``batch`` ids at a time, each its own short transaction, then again up
    to the newest id for rows old code wrote meanwhile; returns the rows written."""
    done, start = 0, None
    while True:
        cursor.execute(f"SELECT min(id), max(id) FROM {table}")  # noqa: S608 (the code's SQL)
        low, high = cursor.fetchone()
        if low is None or (start is not None and start > high):
            return done
        for start in range(start or low, high + 1, batch):  # noqa: B020
            cursor.execute(update, [start, start + batch])
            done += cursor.rowcount
        start = high + 1


def build_indexes(cursor, indexes: dict[str, str]) -> None:
    """Build ``indexes`` (name -> ``table (columns) ...``) concurrently; an invalid one that an
    interrupted build left is dropped and built again (IF NOT EXISTS alone would keep it)."""
    for name, spec in indexes.items():
        cursor.execute(
            "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name]
        )
        invalid = cursor.fetchone()
        if invalid and invalid[0]:
            cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
        cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {spec}")


def drop_indexes(cursor, indexes: dict[str, str]) -> None:
    for name in indexes:
        cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def concurrent_indexes(model_name: str, *indexes):
    """A migration operation adding ``indexes`` (``(models.Index, "table (columns)")`` pairs:
    the index and the SQL it is built from) to ``model_name``: built concurrently
    (``build_indexes``; the migration must be ``atomic = False``), dropped the same way, and
    added to the model state."""
    from django.db import migrations

    specs = {index.name: spec for index, spec in indexes}

    def build(apps, schema_editor) -> None:
        with schema_editor.connection.cursor() as cursor:
            build_indexes(cursor, specs)

    def drop(apps, schema_editor) -> None:
        with schema_editor.connection.cursor() as cursor:
            drop_indexes(cursor, specs)

    return migrations.SeparateDatabaseAndState(
        database_operations=[migrations.RunPython(build, drop)],
        state_operations=[
            migrations.AddIndex(model_name=model_name, index=index) for index, _ in indexes
        ],
    )
