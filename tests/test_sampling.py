"""Which sample a count uses, and how many hits a relevance search ranks: pure rules."""

import pytest

from determinations import paging, sampling


@pytest.mark.parametrize(
    ("in_sample", "every", "table", "expected"),
    [
        (0, 256, None, None),  # nothing in the sample: count exactly
        (19, 256, None, None),  # ~4,900 rows: exact
        (20, 256, None, 16),  # ~5,100 hits: the 1-in-16 sample holds ~320 of them
        (250, 256, None, 16),  # ~64,000 hits: ~4,000 in the 1-in-16 sample
        (251, 256, None, 256),  # more: the 1-in-256 sample (~250 of them), where they were counted
        (500, 256, None, 256),  # ~128,000 hits
        (16_000, 256, None, 256),  # never coarser than the sample they were counted in
        (100, 256, 4_200_000, 256),  # a pass reading its whole 1-in-16 sample would read 262,500
        (100, 256, 200_000, 16),  # ... but 12,500 of a small archive
        (4, None, None, None),  # the coarsest by default: ~4,100 rows, exact
        (5, None, None, 16),  # ~5,100 rows
        (499, None, None, 256),  # ~500,000 hits: ~2,000 in the 1-in-256 sample
        (62, None, None, 16),  # ~63,000 hits: ~4,000 in the 1-in-16 sample
        (63, None, None, 256),  # ~65,000 hits: ~250 in the 1-in-256 sample
        (500, None, None, 1024),  # a search's hits: 500 in the coarsest are enough
        (2_000, 1024, 4_200_000, 256),  # a whole-sample pass: its ~2 million rows in 1 in 256
        (3_625, None, None, 1024),  # `pain` at 2 M letters: ~14,500 in the 1-in-256 sample
    ],
)
def test_the_sample_is_the_finest_that_keeps_the_work_bounded(in_sample, every, table, expected):
    scanned = None if table is None else (lambda: table)
    assert sampling.level_for(in_sample, every, scanned=scanned) == expected


def test_a_whole_sample_pass_counts_first_where_it_usually_stays():
    assert sampling.first_level(scanned=True) == 256
    assert sampling.first_level(scanned=False) == sampling.LEVELS[0] == 1024


def test_the_table_size_is_asked_only_when_a_finer_sample_may_be_chosen():
    def scanned():
        raise AssertionError("not needed")

    assert sampling.level_for(3, scanned=scanned) is None


@pytest.mark.parametrize(
    ("hits", "table", "expected"),
    [
        (3_000_000, 4_200_000, 2_000),  # dense: the newest 2,000 are ~2,800 rows away
        (1_400_000, 4_200_000, 2_000),  # a walk of 6,000 rows finds exactly 2,000
        (700_000, 4_200_000, 1_000),  # a word in 1 item of 6: what 6,000 rows hold
        (103_000, 4_200_000, 147),  # a phrase in 2.5% of the items
        (43_000, 4_200_000, 100),  # a word in 1%: never fewer than four pages
        (30_000, 4_200_000, 100),  # never fewer than four pages
    ],
)
def test_relevance_ranks_what_a_bounded_walk_finds(hits, table, expected):
    assert paging.rank_cap_for(hits, table) == expected
