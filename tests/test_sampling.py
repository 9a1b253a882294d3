"""Which sample a count uses, and how many hits a relevance search ranks: pure rules."""

import pytest

from determinations import paging, sampling


@pytest.mark.parametrize(
    ("in_coarsest", "table", "expected"),
    [
        (0, None, None),  # nothing in the sample: count exactly
        (19, None, None),  # ~4,900 rows: exact
        (20, None, 16),  # ~5,100 rows: the 1-in-16 sample holds ~320 of them
        (500, None, 16),  # ~128,000 rows: ~8,000 in the 1-in-16 sample
        (501, None, 256),  # more: the 1-in-256 sample
        (16_000, None, 256),
        (100, 4_200_000, 256),  # a pass reading its whole 1-in-16 sample would read 262,500
        (100, 200_000, 16),  # ... but 12,500 of a small archive
    ],
)
def test_the_sample_is_the_finest_that_keeps_the_work_bounded(in_coarsest, table, expected):
    scanned = None if table is None else (lambda: table)
    assert sampling.level_for(in_coarsest, scanned=scanned) == expected


def test_the_table_size_is_asked_only_when_a_finer_sample_may_be_chosen():
    def scanned():
        raise AssertionError("not needed")

    assert sampling.level_for(3, scanned=scanned) is None


@pytest.mark.parametrize(
    ("hits", "table", "expected"),
    [
        (3_000_000, 4_200_000, 2_000),  # dense: the newest 2,000 are ~2,800 rows away
        (700_000, 4_200_000, 2_000),  # a walk of 12,000 rows finds exactly 2,000
        (103_000, 4_200_000, 294),  # a phrase in 2.5% of the items: what 12,000 rows hold
        (30_000, 4_200_000, 250),  # never fewer than ten pages
    ],
)
def test_relevance_ranks_what_a_bounded_walk_finds(hits, table, expected):
    assert paging.rank_cap_for(hits, table) == expected
