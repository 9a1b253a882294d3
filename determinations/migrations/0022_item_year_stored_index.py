"""One year's items in the order they were stored, newest first: the items API's order
(``-id``, ``api.NewestFirstCursorPagination``) within a year filter.

Why: ids follow arrival, and letters arrive roughly in decision order, so the items of an old
year are the oldest ids; the planner walked the primary key backwards over every newer item to
find them (``/api/items/?year=2019`` over 15 s at 2 M letters, docs/performance.md).

Built concurrently (``atomic = False``), so reads and writes go on; a rerun rebuilds an index an
interrupted build left invalid.
"""

from django.db import migrations, models

from determinations.migrations import _big_table as big_table


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0021_item_similar_candidates"),
    ]

    operations = [
        big_table.concurrent_indexes(
            "disputeditem",
            (
                models.Index(fields=["decision_year", "-id"], name="item_year_stored_idx"),
                "determinations_disputeditem (decision_year, id DESC)",
            ),
        ),
    ]
