"""Fixed samples of the items, for counts too large to make exactly within a page's budget.

The items of letters whose determination id is a multiple of 16, of 256 and of 1,024 form three
nested samples (SummaryItem rows the same, by their ``letter``). Whole letters are in or out, so
letter counts scale up as well as item counts. Each sample has partial indexes (migrations 0005,
0014 and 0018): the search vector and the request's own vector (``field=request``) of the
sampled items, and the sampled SummaryItem rows. Counting a sample's
rows costs the sample's hits, not the archive's: ``q=pain`` on the 100 k benchmark, every hit
1,141 ms, the 1-in-16 sample's hits 25 ms (docs/performance.md). Counts from a sample are scaled
up and shown as estimates ("~"); ids are assigned in arrival order, so each sample spreads
evenly over the years.

A request first counts its rows in a coarse sample (``first_level``: cheap at any size), and from
that estimate chooses: exact counting when there are few rows, else the finest sample that keeps the
rows read under ``SAMPLE_ROWS_UP_TO`` (``SEARCH_ROWS_UP_TO`` of a search's hits). An estimate rests
on at least ~250 sampled rows, so the largest values are within ~10-20%; small values are rough, and
labelled as estimates. The 1-in-1,024 sample serves only searches: those whose hits the 1-in-256
sample holds too many of (a common word at 2 M letters: ~14,500), and those it already holds
``SEARCH_COARSEST_AT_LEAST`` (500) hits of, since a search's hit costs ~5x a SummaryItem row to
count (its wide row, and a phrase's positions rechecked): with four clients on two cores, their
facet passes were what search pages queued behind (issue 14, docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, QuerySet

from imr_archive.db_router import read_connection

# 1 row in N, coarsest first; each level has its partial indexes (migrations 0005, 0014, 0018).
LEVELS = (1024, 256, 16)
# Up to this many rows, counts are exact. Counting costs ~5-8 us per candidate row here (150 ms
# for ~20,000 rows with three filters on the 100 k benchmark), so this keeps the exact count
# within ~40 ms of a page's budget.
LIVE_COUNT_UP_TO = 5_000
# Statistics without a search are counted exactly up to this many matching items (a rate
# table over a sample of a few dozen rows says little; ~40,000 items of two filters are counted
# live in ~0.3 s at 2 M letters), over SummaryItem's sample beyond (docs/performance.md).
STATISTICS_LIVE_UP_TO = 40_000
# A finer sample is used only when it holds at most this many of the rows to count; beyond,
# the sample the rows were first counted in (at 2 M letters the 1-in-1,024 sample holds at most
# ~4,100 items; a whole-sample pass keeps its 1-in-256 sample, ~16,000 rows).
SAMPLE_ROWS_UP_TO = 8_000
# The same for a search's hits: a hit costs ~5x a SummaryItem row to count (its wide row, and a
# phrase's positions rechecked), so 8,000 of them were a pass of 100-250 ms at 2 M letters, what
# pages queued behind with four clients on two cores (issue 14). Half that, and a search moved
# on to the 1-in-256 sample (16x coarser) still finds ~250 hits there.
SEARCH_ROWS_UP_TO = 4_000
# A search's total is estimated from the coarsest sample only when it holds this many hits.
ESTIMATE_ROWS_AT_LEAST = 1_000
# A search's facets and statistics stay in the coarsest sample once it holds this many hits:
# a hit costs ~20-40 us to count (a wide row; a phrase's positions rechecked), ~5x a SummaryItem
# row, so the next sample's ~2,000 or more would cost a pass of 50-150 ms, for estimates that
# already rest on 500 hits (issue 14).
SEARCH_COARSEST_AT_LEAST = 500
# The samples counted (``plans.CountPlan.counted_in_sample``): a search's hits, SummaryItem's.
SEARCH_HITS = "search hits"
SUMMARY_ITEMS = "summary items"
# A pass that reads its whole sample reads at most this many rows.
SCAN_ROWS_UP_TO = 40_000


def first_level(*, scanned: bool) -> int:
    """The sample a first, deciding count is made in: the coarsest for a count that reads only
    its matching rows (a search's hits); the next finer (1 in 256) for a pass that reads its
    whole sample (SummaryItem's partial index), whose cost is the sample's size, not the
    matches': the level it keeps for all but rare filters, so the first pass is the only one."""
    return (LEVELS[1:] or LEVELS)[0] if scanned else LEVELS[0]


def level_for(
    rows_in_sample: int,
    every: int | None = None,
    *,
    scanned: Callable[[], int] | None = None,
) -> int | None:
    """The sample (1 in N) to count from, given ``rows_in_sample`` rows found in the 1-in-
    ``every`` sample (default: the coarsest); None when the estimated rows are few enough to
    count exactly. ``scanned``: when a pass reads the whole sample rather than only its matching
    rows (SummaryItem's sample index), gives the table's rows (called only if a sample is to be
    chosen); a sample is then used only if its share of them is at most ``SCAN_ROWS_UP_TO``
    (the 1-in-16 sample of 4.2 M items took 222 ms); without it (a search's hits), the coarsest
    sample is kept when it holds ``SEARCH_COARSEST_AT_LEAST`` of them. Never a sample coarser
    than ``every``: the rows are counted there already."""
    counted_in = every or LEVELS[0]
    estimate = rows_in_sample * counted_in
    if scanned is None and counted_in == LEVELS[0] and rows_in_sample >= SEARCH_COARSEST_AT_LEAST:
        return counted_in  # a search's hits, enough of them in the coarsest sample
    if estimate <= LIVE_COUNT_UP_TO:
        return None
    table = None
    up_to = SAMPLE_ROWS_UP_TO if scanned is not None else SEARCH_ROWS_UP_TO
    for level in sorted(level for level in LEVELS if level < counted_in):  # finest first
        if scanned is not None:
            table = scanned() if table is None else table
            if table / level > SCAN_ROWS_UP_TO:
                continue
        if estimate / level <= up_to:
            return level
    return counted_in


@dataclass(frozen=True)
class Estimate:
    """A count scaled up from the 1-in-``every`` sample, with its 95% interval."""

    value: int
    low: int
    high: int
    every: int


def estimate_from(rows: int, squares: int, every: int) -> Estimate:
    """The total of ``rows`` found in the 1-in-``every`` sample of letters, whose matching
    rows per sampled letter squared add up to ``squares``.

    The sample takes whole letters, each with probability p = 1/every (ids are assigned in
    arrival order, so ``id % every`` behaves as such a draw), and a letter carries 0, 1 or
    several matching rows: the Horvitz-Thompson total ``every * rows`` has the variance
    ``(1 - p) / p^2 * sum(y_i^2)`` over every letter, estimated from the sampled ones as
    ``every * (every - 1) * squares``. The interval is the normal one (the estimates shown
    rest on 40 sampled rows or more), never below the rows actually seen."""
    value = rows * every
    half = 1.96 * math.sqrt(every * (every - 1) * squares)
    return Estimate(value, max(rows, math.floor(value - half)), math.ceil(value + half), every)


def spread(rows: int, squares: int) -> float:
    """The matching rows' letters' rows squared per row (1.0: one row per letter)."""
    return squares / rows if rows else 1.0


def value_estimate(rows: int, every: int, spread: float) -> Estimate:
    """The total of one facet value from its ``rows`` in the 1-in-``every`` sample. Its
    letters' rows squared are not counted per value (a facet pass counts thousands of values
    at once), so their sum is taken as ``spread`` (of all the matching rows) times ``rows``:
    right for a value that takes whole letters (a year, a letter's outcome), wider than need be
    for one that takes single items of larger letters; tests/test_estimates.py measures how
    often the intervals cover the exact counts."""
    return estimate_from(rows, round(rows * spread), every)


def spread_of(queryset: QuerySet) -> float:
    """``spread`` of the rows of ``queryset`` (items; an already sampled one: one query)."""
    inner, params = queryset.order_by().values("determination_id").query.sql_with_params()
    with read_connection().cursor() as cursor:
        cursor.execute(letter_rows_sql(inner, "determination_id"), params)
        return spread(*cursor.fetchone())


def letter_rows_sql(sql: str, letter: str) -> str:
    """``(rows, squares)`` of the rows of ``sql`` (a SELECT with a ``letter`` column): how
    many, and the sum over letters of their rows squared (what ``estimate_from`` needs)."""
    return (
        f"SELECT coalesce(sum(n), 0)::bigint, coalesce(sum(n * n), 0)::bigint FROM ("  # noqa: S608
        f"SELECT count(*) AS n FROM ({sql}) AS r GROUP BY r.{letter}) AS by_letter"
    )


def rows_in_coarsest(queryset: QuerySet) -> int:
    """How many rows of ``queryset`` (items, a search's) are in the coarsest sample: the cheap
    first count its estimates start from."""
    return sampled(queryset.order_by(), LEVELS[0]).count()


def coarsest_estimate(
    queryset: QuerySet, parts: tuple[QuerySet, QuerySet] | None = None, *, counted=None
) -> Estimate:
    """The rows of ``queryset`` (items, a search's) estimated from the coarsest sample, with the
    interval; counted again in the next finer sample when the coarsest holds fewer than
    ``ESTIMATE_ROWS_AT_LEAST`` of them, so that a total shown rests on enough rows.

    ``parts``: ``queryset`` as its search alone and as its other filters alone, when it has
    both. The search's hits are then read once and the filters tested on them, and the
    finer count is made only when the hits it would read are at most ``SEARCH_ROWS_UP_TO``: a
    search reads every hit of its sample, however few pass the filters (`documentation&year=
    2016`: ~300 of 3,686 sampled hits, the next sample's ~14,700 hits 60 ms at 2 M letters).
    ``counted``: ``(rows, squares)`` of ``queryset`` already counted, by ``(SEARCH_HITS,
    every)`` (``plans.CountPlan.in_sample``), used instead of counting again."""
    levels = LEVELS[:2]
    for index, every in enumerate(levels):
        if (found := (counted or {}).get((SEARCH_HITS, every))) is not None:
            rows, squares, hits = *found, found[0]
        else:
            rows, squares, hits = _sample_rows(queryset, parts, every)
        if rows >= ESTIMATE_ROWS_AT_LEAST or index + 1 == len(levels):
            break
        if hits * every // levels[index + 1] > SEARCH_ROWS_UP_TO:
            break
    return estimate_from(rows, squares, every)


def _sample_rows(queryset: QuerySet, parts, every: int) -> tuple[int, int, int]:
    """``(rows, squares, hits)`` of ``queryset`` in the 1-in-``every`` sample; ``hits`` the rows
    read: the search's hits, with ``parts`` (``coarsest_estimate``)."""
    search = _where(sampled(parts[0], every)) if parts else None
    tests = _where(parts[1]) if parts else None
    if search is None or tests is None:
        inner, params = (
            sampled(queryset.order_by(), every).values("determination_id").query.sql_with_params()
        )
        with read_connection().cursor() as cursor:
            cursor.execute(letter_rows_sql(inner, "determination_id"), params)
            rows, squares = cursor.fetchone()
        return rows, squares, rows
    table = read_connection().ops.quote_name(queryset.model._meta.db_table)
    sql = (
        "SELECT coalesce(sum(n), 0)::bigint, coalesce(sum(n * n), 0)::bigint, "  # noqa: S608
        "coalesce(sum(h), 0)::bigint FROM (SELECT count(*) FILTER (WHERE m) AS n, count(*) AS h "
        f"FROM (SELECT determination_id, ({tests[0]}) AS m FROM {table} WHERE {search[0]}) "
        "AS r GROUP BY r.determination_id) AS by_letter"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*tests[1], *search[1]])
        rows, squares, hits = cursor.fetchone()
    return rows, squares, hits


def where_of(queryset: QuerySet) -> tuple[str, str, tuple]:
    """``(head, where, params)`` of ``queryset``'s SQL (Django's own compiled SQL, the
    request's values in the params): what comes before its first WHERE, and its condition
    (empty when it has none), to be read again with other columns."""
    inner, params = queryset.order_by().values("id").query.sql_with_params()
    head, _, where = inner.partition(" WHERE ")
    return head, where, params


def _where(queryset: QuerySet) -> tuple[str, tuple] | None:
    """The WHERE clause of ``queryset`` (items of one table) and its params, or None when it
    reads another table too."""
    head, where, params = where_of(queryset)
    if not where or " JOIN " in head or " WHERE " in where:
        return None
    return where, params


def table_rows(table: str) -> int:
    """The planner's row count of ``table`` (a name from the code): free, no scan."""
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return max(row[0] if row else 0, 0)


def condition(column: str, every: int | None) -> str:
    """SQL that keeps the rows of the 1-in-``every`` sample (``column``: the quoted letter id
    column, from the code, never request text), for a statement run with parameters (``%%``);
    empty for no sampling."""
    if every is None:
        return ""
    return f" AND ({column} %% {int(every)}) = 0"


def sampled(queryset: QuerySet, every: int | None) -> QuerySet:
    """Items of ``queryset`` in the 1-in-``every`` sample (by their letter's id)."""
    if every is None:
        return queryset
    return queryset.alias(_sample=F("determination_id") % int(every)).filter(_sample=0)
