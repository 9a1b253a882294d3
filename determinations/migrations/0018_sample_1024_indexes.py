"""A coarser fixed sample, the items of 1 letter in 1,024 (``sampling.LEVELS``), with the partial
indexes 0005 and 0014 give the 1-in-16 and 1-in-256 samples: the search vector, the request's own
vector and SummaryItem's rows.

Why (issue 14, four clients at 2 M letters): a common word's facet pass read its ~14,500 hits
in the 1-in-256 sample in 89.7 ms and ~3,600 in the 1-in-1,024 one in 25.7 ms; with four
clients back to back on two cores, search pages queued behind those passes
(docs/performance.md). The sample is chosen only where the finer ones would read more rows than
``sampling.SAMPLE_ROWS_UP_TO``.

Built concurrently (``atomic = False``), so reads and writes go on; a rerun rebuilds an index an
interrupted build left invalid. Raw SQL, like 0005: the model state is unchanged.
"""

from django.db import migrations

from determinations.migrations import _big_table as big_table

EVERY = 1024
INDEXES = {
    f"item_search_s{EVERY}_gin": "determinations_disputeditem USING gin (search_vector) "
    f"WHERE determination_id % {EVERY} = 0",
    f"item_request_s{EVERY}_gin": "determinations_disputeditem USING gin (request_vector) "
    f"WHERE determination_id % {EVERY} = 0",
    f"summaryitem_s{EVERY}_idx": f"determinations_summaryitem (letter) WHERE letter % {EVERY} = 0",
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
        ("determinations", "0017_period_pair_count"),
    ]

    operations = [migrations.RunPython(build_indexes, drop_indexes)]
