"""Partial indexes over fixed samples of the items (the items of 1 letter in 16 and 1 in 256, by
determination id), so that facet counts, totals and statistics over very many matches can be
estimated from a sample whose size does not grow with the archive (``determinations/sampling.py``).

- ``item_search_s16_gin`` / ``item_search_s256_gin``: the search vector of the sampled items: a
  search reads only the sample's hits (``q=pain`` on the 100 k benchmark: every hit counted in
  1,141 ms; the 1-in-16 sample's hits in 25 ms).
- ``summaryitem_s16_idx`` / ``summaryitem_s256_idx``: the sampled rows of SummaryItem (by its
  ``letter``), for counts with several filters and no search.

Raw SQL, like 0003 and 0004: the model state stays as models.py declares it.
"""

from django.db import migrations

INDEXES = {
    "item_search_s16_gin": "determinations_disputeditem USING gin (search_vector) "
    "WHERE determination_id % 16 = 0",
    "item_search_s256_gin": "determinations_disputeditem USING gin (search_vector) "
    "WHERE determination_id % 256 = 0",
    "summaryitem_s16_idx": "determinations_summaryitem (letter) WHERE letter % 16 = 0",
    "summaryitem_s256_idx": "determinations_summaryitem (letter) WHERE letter % 256 = 0",
}


class Migration(migrations.Migration):
    dependencies = [
        ("determinations", "0004_item_year_newest_index"),
    ]

    operations = [
        migrations.RunSQL(
            "".join(
                f"CREATE INDEX IF NOT EXISTS {name} ON {spec};\n" for name, spec in INDEXES.items()
            ),
            "".join(f"DROP INDEX IF EXISTS {name};\n" for name in INDEXES),
        )
    ]
