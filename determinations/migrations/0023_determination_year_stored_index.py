"""One decision year's letters in the order they were stored, newest first: the letters API's
order (``-id``) and the feed's within a year filter (``selectors.letters_of_the_years``).

Why: ids follow arrival, so the letters of an old year are old ids; the planner matched every
item of the year and sorted their letters (``/api/determinations/?year=2019`` 3.1-3.6 s at 2 M
letters; with this index 0.8 ms in psql, docs/performance.md). An expression index (the year of
``decision_date``): the letters have no year column.

Built concurrently (``atomic = False``), so reads and writes go on; a rerun rebuilds an index an
interrupted build left invalid.
"""

from django.db import migrations, models
from django.db.models.functions import ExtractYear

from determinations.migrations import _big_table as big_table


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("determinations", "0022_item_year_stored_index"),
    ]

    operations = [
        big_table.concurrent_indexes(
            "determination",
            (
                models.Index(
                    ExtractYear("decision_date"),
                    models.F("id").desc(),
                    name="determination_year_stored_idx",
                ),
                "determinations_determination ((EXTRACT(YEAR FROM decision_date)), id DESC)",
            ),
        ),
    ]
