"""Facet counts for the browse page and ``/api/facets/``: matching items per facet value.

Each facet is counted with every filter except its own, so choosing a value does not hide its
siblings. Facets whose own filter is unused share ``GROUPING SETS`` aggregates (the fastest live
count in docs/scale-notes.md); each facet with an active filter gets its own aggregate; array
columns (regions, specialties, guideline sources and documents) are counted with ``unnest``. All
aggregates run as one ``UNION ALL`` statement: one query, whatever the filters.

Without filters, or with one filter parameter holding one value and no search, the counts come
from the precomputed tables of ``summaries`` (exact, one indexed query) while they are fresh;
otherwise, or when they are stale, they are counted live as above. Other requests without a
search are counted in one pass over the narrow ``SummaryItem`` table while the summaries are
fresh (``_one_pass_counts``), a search in one pass over its hits. With ``estimates``, a request
with very many rows to count is counted over a fixed sample of the items instead (scaled up and
labelled as estimates, see ``sampling``): one statement for the coarsest sample, and a second
one only when a finer sample, or exact counting, fits the budget.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from django.db.models import F, Func, QuerySet, TextField

from imr_archive.db_router import read_connection

from . import grouping, plans, sampling, summaries
from .dimensions import BY_NAME, DIMENSIONS, Dimension
from .filters import ItemFilterSet
from .models import DisputedItem, SummaryItem

# Every dimension is a facet (``dimensions.DIMENSIONS``), in the registry's order.
FACETS: tuple[Dimension, ...] = DIMENSIONS
FACETS_BY_NAME = BY_NAME


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    label: str = ""
    interval: tuple[int, int] | None = None  # an estimated count's 95% interval (sampled)

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.value)

    @property
    def estimated(self) -> bool:
        """Scaled up from a sample of the matching items (it has an interval)."""
        return self.interval is not None

    @property
    def count_display(self) -> str:
        return f"~{self.count:,}" if self.estimated else f"{self.count:,}"

    @property
    def interval_display(self) -> str:
        return f"{self.interval[0]:,}\u2013{self.interval[1]:,}" if self.interval else ""


@dataclass(frozen=True)
class _Sampled:
    """How sampled counts scale up: 1 in ``every``, and the matching rows' ``spread`` (their
    letters' rows squared per row, ``sampling.value_estimate``)."""

    every: int
    spread: float = 1.0

    def estimate(self, count: int) -> tuple[int, int]:
        found = sampling.value_estimate(count // self.every, self.every, self.spread)
        return found.low, found.high


class Unnest(Func):
    function = "unnest"
    output_field = TextField()  # only compiled to SQL, never read back through the ORM


def facet_counts(
    filterset: ItemFilterSet,
    *,
    base_queryset: QuerySet[DisputedItem] | None = None,
    limit: int | None = None,
    sample_every: int | None = None,
    estimates: bool = False,
    plan: plans.CountPlan | None = None,
) -> dict[str, list[FacetValue]]:
    """Count matching items per value of every facet, in one SQL statement (two at most with
    ``estimates``), as ``plan`` says (made here from ``estimates`` when not given; a given
    plan's own ``estimates`` then holds).

    ``filterset`` must be valid. Values are ordered by count (years by year, newest first);
    ``limit`` keeps the top values of each facet, but selected values are always kept (with a
    count of 0 when nothing matches them), so a chosen filter never disappears. Items with no
    value (no service, no decision date) are not listed.

    ``sample_every`` counts only the items of the 1-in-N sample of ``sampling`` and scales the
    counts up (``estimated`` values); ``estimates`` lets the function choose the sample (or
    exact counting) from how many rows there are to count. Both are ignored when fresh
    summaries answer the request (exact counts, see ``summaries``); a ``base_queryset`` is
    always counted live, exactly.

    >>> fs = ItemFilterSet({"category": ["Surgery"], "outcome": ["overturned"]})
    >>> fs.is_valid()
    True
    >>> counts = facet_counts(fs, limit=10)
    >>> counts["category"]  # overturned items per category: Surgery's siblings stay visible
    [FacetValue(value='Surgery', count=12, selected=True, label='Surgery'),
     FacetValue(value='Pharmaceuticals', count=9, selected=False, label='Pharmaceuticals'), ...]
    >>> counts["region"][0]  # Surgery items that were overturned, per body region
    FacetValue(value='lumbar', count=5, selected=False, label='lumbar')
    """
    plan = plan or plans.plan_for(filterset, estimates=estimates)
    estimates = plan.estimates
    active = filterset.active
    if base_queryset is None:
        if plan.key is not None:
            summarised = _from_summaries(plan.key, active, limit)
            if summarised is not None:
                plan.note("facets", "summaries")
                return summarised
        elif not plan.searching or sample_every is not None or estimates:
            return _one_pass_counts(filterset, active, limit, sample_every, estimates, plan)
    base = base_queryset if base_queryset is not None else DisputedItem.objects.public()
    if base_queryset is not None:
        sample_every = None
    parts, params = _live_parts(filterset, base, active, sample_every)
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in FACETS}
    if parts:
        with read_connection().cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            _add_rows(counts, cursor.fetchall(), sample_every)
    plan.note("facets", "live" if sample_every is None else f"live, sample 1/{sample_every}")
    sampled = None
    if sample_every is not None:
        matching = sampling.sampled(filterset.filter_queryset(base.order_by()), sample_every)
        sampled = _Sampled(sample_every, sampling.spread_of(matching))
    return _ordered_all(counts, active, limit, estimated=_estimated(sample_every), sampled=sampled)


def _add_rows(counts: dict[str, dict[str, int]], rows, sample_every: int | None) -> None:
    for name, value, count in rows:
        if value is not None:
            counts[name][value] = count if sample_every is None else count * sample_every


def _estimated(sample_every: int | None, exact: frozenset[str] = frozenset()) -> frozenset[str]:
    """The facets whose counts are estimates: all of them when sampled, but ``exact``."""
    if sample_every is None:
        return frozenset()
    return frozenset(facet.name for facet in FACETS) - exact


def _ordered_all(
    counts, active, limit, *, estimated: frozenset[str], sampled: _Sampled | None = None
) -> dict[str, list[FacetValue]]:
    return {
        facet.name: _ordered(
            facet,
            counts[facet.name],
            active.get(facet.name, []),
            limit,
            sampled=sampled if facet.name in estimated else None,
        )
        for facet in FACETS
    }


# --- One pass over the candidate items ---------------------------------------------------------
#
# Every facet is counted without its own filter, so an item counts for some facet as long as at
# most one facet filter rejects it. One scan finds those candidates (the filters written as "all
# but one hold", so the planner can combine their indexes), flags what each filter says, and
# counts them per distinct combination of values and flags; two small GROUPING SETS aggregates
# over those combinations (scalars; arrays unnested) then count each facet over the candidates
# its filters accept. A search, when there is one, is evaluated once per item instead of once
# per aggregate. Without a search, while the summaries are fresh, the candidates come from the
# narrow SummaryItem table (each public item's facet values, ~8x smaller than the item table).

_SUMMARY_ITEMS = SummaryItem._meta.db_table
# The summaries' freshness, checked once per statement (``summaries.FRESH_CTE``).
_FRESH_CTE, _FRESH = summaries.FRESH_CTE, summaries.FRESH
_ITEMS = DisputedItem._meta.db_table
_SCALARS = [facet for facet in FACETS if not facet.is_array]
_ARRAYS = [facet for facet in FACETS if facet.is_array]


@dataclass(frozen=True)
class _Source:
    """Where candidates are read: the FROM clause, and per facet its value (as SummaryItem's
    text or text[] column) and a test against a parameter (``%s``) that can use an index."""

    table: str
    letter: str  # the letter's id column
    values: dict[str, str]
    tests: dict[str, str]
    integer_values: bool = False  # integer dimensions (years) are numbers here

    def params(self, facet: Dimension, values: list[str]) -> list:
        if facet.integer and self.integer_values:
            return [int(value) for value in values]
        return [str(value) for value in values]


_SUMMARY_SOURCE = _Source(
    table=_SUMMARY_ITEMS,
    letter='"letter"',
    values={facet.name: f'"{facet.name}"' for facet in FACETS},
    tests=summaries.ITEM_TESTS,
)


def _summary_sample_source(every: int, date_tests: str = "") -> _Source:
    """SummaryItem's rows of the 1-in-``every`` sample (within ``date_tests``, the date bounds'
    SQL), read through the sample's own partial index and the date index only. The fence
    (``OFFSET 0``) keeps the planner from combining them with the facet filters' indexes: an
    unselective filter (a letter outcome, a year) cost it a bitmap of a million rows at 2 M
    letters (58 ms), where reading the whole sample (~16,000 rows) and testing each costs a
    third of that (docs/performance.md). A date range stays inside: months of decisions are
    few rows, and its index finds them."""
    return replace(_SUMMARY_SOURCE, table=summaries.fenced_sample(every, date_tests))


def _item_source() -> _Source:
    table = f'"{_ITEMS}"'
    values, tests = {}, {}
    for facet in FACETS:
        column = f'"{_ITEMS}"."{facet.column}"'
        values[facet.name] = f"{column}::text[]" if facet.is_array else f"{column}::text"
        if facet.is_array:
            tests[facet.name] = f"{column} && %s::varchar[]"
        elif facet.integer:
            tests[facet.name] = f"{column} = ANY(%s::integer[])"
        else:
            tests[facet.name] = f"{column} = ANY(%s::varchar[])"
    letter = f'"{_ITEMS}"."determination_id"'
    return _Source(table, letter, values, tests, integer_values=True)


def _candidates_sql(
    source: _Source,
    where: str,
    where_params: list,
    active: dict[str, list[str]],
    *,
    matching_only: bool = False,
) -> tuple[str, list, list[str]]:
    """SELECT of the facet values, a flag ``ok_<facet>`` per active facet filter and ``fails``
    (how many reject the item) for rows of ``source`` meeting ``where`` that at most one filter
    rejects (none, with ``matching_only``). Returns the SQL, its params and the filtered facets.
    """
    filtered = [facet for facet in FACETS if facet.name in active]
    values = {facet.name: source.params(facet, active[facet.name]) for facet in filtered}
    flags, flag_params = [], []
    for facet in filtered:
        flags.append(f'COALESCE({source.tests[facet.name]}, false) AS "ok_{facet.name}"')
        flag_params.append(values[facet.name])
    # "At most one filter rejects it", as an OR of ANDs (every filter but one) so that the
    # planner can combine the indexes of the filters; with one filter, nothing to restrict.
    groups = [[f for f in filtered if f is not left_out] for left_out in filtered]
    if matching_only:
        groups = [filtered]
    groups = [group for group in groups if group]
    condition, condition_params = "", []
    if groups:
        condition = (
            " AND ("
            + " OR ".join(
                "(" + " AND ".join(source.tests[f.name] for f in group) + ")" for group in groups
            )
            + ")"
        )
        condition_params = [values[f.name] for group in groups for f in group]
    columns = ", ".join(f'{source.values[f.name]} AS "{f.name}"' for f in FACETS)
    selected = ", ".join([columns, f"{source.letter} AS letter", *flags])
    flagged = f"SELECT {selected} FROM {source.table} WHERE ({where}){condition}"  # noqa: S608
    fails = " + ".join(f'(NOT "ok_{facet.name}")::int' for facet in filtered) or "0"
    oks = "".join(f', "ok_{facet.name}"' for facet in filtered)
    # An item that one filter rejects counts only for that filter's facet: its other values
    # become NULL, so that such items collapse into few combinations (cheap to count).
    kept = []
    for facet in FACETS:
        needed = "g.fails = 0" + (f' OR NOT g."ok_{facet.name}"' if facet in filtered else "")
        kept.append(f'CASE WHEN {needed} THEN g."{facet.name}" END AS "{facet.name}"')
    names = ", ".join(f'"{facet.name}"' for facet in FACETS)
    sql = (
        f"SELECT {', '.join(kept)}{oks.replace(', ', ', g.')}, g.fails, g.letter FROM ("  # noqa: S608
        f"SELECT {names}{oks}, {fails} AS fails, letter FROM ({flagged}) AS f) AS g "
        f"WHERE g.fails <= 1"
    )
    params = [*flag_params, *where_params, *condition_params]
    return sql, params, [facet.name for facet in filtered]


def _combinations_sql(source: str, filtered: list[str]) -> str:
    """The candidates (``source``: a subquery with its alias, or a CTE) counted per distinct
    combination of their scalar values and flags, and per combination of their array values
    and flags (``part`` 1 and 0), in one aggregate: thousands of rows where there are hundreds
    of thousands of candidates."""
    flags = ["fails", *(f'"ok_{name}"' for name in filtered)]
    scalars = [f'"{facet.name}"' for facet in _SCALARS]
    arrays = [f'"{facet.name}"' for facet in _ARRAYS]
    sets = f"(({', '.join(scalars + flags)}), ({', '.join(arrays + flags)}))"
    return (
        f'SELECT GROUPING("{_ARRAYS[0].name}") AS part, {", ".join(scalars + arrays + flags)}, '  # noqa: S608
        f"count(*) AS n FROM {source} GROUP BY GROUPING SETS {sets}"
    )


def _counts_over(combinations: str, filtered: list[str], skip: tuple[str, ...] = ()) -> str:
    """``(facet, value, count)`` rows over the CTE ``combinations`` (``_combinations_sql``):
    each facet counts the candidates every other filter accepts (fails = 0, or only its own
    filter fails). Facets in ``skip`` are left out."""
    by_alias: dict[str, Dimension] = {}

    def count(group: tuple[str, ...]) -> str:
        facet = by_alias[group[0]]
        if facet.name in filtered:
            return f'sum(n) FILTER (WHERE fails = (NOT "ok_{facet.name}")::int)'
        return "sum(n) FILTER (WHERE fails = 0)"

    oks = "".join(f', "ok_{name}"' for name in filtered)
    parts = []
    for part, facets in ((1, _SCALARS), (0, _ARRAYS)):
        pairs = [(facet, f"f{i}") for i, facet in enumerate(facets) if facet.name not in skip]
        if not pairs:
            continue
        by_alias.update({alias: facet for facet, alias in pairs})
        if part == 0:  # array values side by side: each item gives each of its values once
            columns = ", ".join(f'unnest("{facet.name}") AS {alias}' for facet, alias in pairs)
        else:
            columns = ", ".join(f'"{facet.name}" AS {alias}' for facet, alias in pairs)
        source = f"(SELECT {columns}, n, fails{oks} FROM {combinations} WHERE part = {part}) AS u"  # noqa: S608
        sets = [(alias,) for _, alias in pairs]
        names = {alias: facet.name for facet, alias in pairs}
        parts.append(grouping.grouping_sets_sql(source, sets, [count], names=names))
    return (
        f"SELECT name_0, value_0, agg_0::integer FROM ({' UNION ALL '.join(parts)}) AS r "  # noqa: S608
        f"WHERE agg_0 > 0"
    )


CANDIDATES_MARK = "*candidates*"  # the first column of the row counting the candidates
SPREAD_MARK = "*spread*"  # the first column of the rows for the matching rows' spread


def _one_pass_sql(
    candidates: str, filtered: list[str], skip: tuple[str, ...] = (), *, spread: bool = False
) -> str:
    """The whole count over ``candidates`` (``_candidates_sql``) as one subquery, with a row
    ``(CANDIDATES_MARK, NULL, how many candidates)``: what the next count would read. With
    ``spread`` (a sampled pass: few rows), also the matching rows and their letters' rows
    squared, as rows ``(SPREAD_MARK, 'rows'|'squares', n)``: what their intervals need."""
    source, spread_rows = f"({candidates}) AS c", ""
    if spread:
        source = "c"
        # One pass over the matching rows per letter, its two sums as two rows.
        sums = (
            "SELECT COALESCE(sum(n), 0)::integer AS r, COALESCE(sum(n * n), 0)::integer AS s "
            "FROM (SELECT count(*) AS n FROM c WHERE fails = 0 GROUP BY letter) AS l"
        )
        spread_rows = (
            f" UNION ALL SELECT '{SPREAD_MARK}', v.part, v.n FROM ({sums}) AS t "  # noqa: S608
            "CROSS JOIN LATERAL (VALUES ('rows', t.r), ('squares', t.s)) AS v(part, n)"
        )
    ctes = f"c AS MATERIALIZED ({candidates}), " if spread else ""
    return (
        f"SELECT * FROM (WITH {ctes}k AS MATERIALIZED ({_combinations_sql(source, filtered)}) "  # noqa: S608
        f"{_counts_over('k', filtered, skip)} UNION ALL "
        f"SELECT '{CANDIDATES_MARK}', NULL, COALESCE(sum(n), 0)::integer FROM k WHERE part = 1"
        f"{spread_rows}) AS one_pass"
    )


def _split_candidates(rows) -> tuple[list, int, tuple[int, int]]:
    """The count rows, the candidates counted (0 when no one-pass count ran), and the matching
    rows and their letters' rows squared (0, 0 when not counted)."""
    kept, candidates, spread = [], 0, {}
    for row in rows:
        if row[0] == CANDIDATES_MARK:
            candidates = row[2]
        elif row[0] == SPREAD_MARK:
            spread[row[1]] = row[2]
        else:
            kept.append(row)
    return kept, candidates, (spread.get("rows", 0), spread.get("squares", 0))


def _one_pass_counts(
    filterset: ItemFilterSet,
    active: dict[str, list[str]],
    limit: int | None,
    sample_every: int | None,
    estimates: bool,
    plan: plans.CountPlan,
) -> dict[str, list[FacetValue]]:
    """Facet counts for requests the summaries do not answer, in one statement per try.

    With a search: one pass over its hits. Without one: over SummaryItem while the summaries are
    fresh (with one filter parameter, its own facet is the summary's totals, exact), else the
    per-facet live aggregates of ``facet_counts``; the freshness check, both branches and the
    choice between them are one statement. ``sample_every`` restricts the pass to a sample;
    ``estimates`` first counts in the coarsest sample and, when that says the rows are fewer,
    counts again in a finer sample or exactly, as the plan decides (``CountPlan.sample_for``).
    """
    searching = bool(filterset.search_text)
    if searching:
        count = _search_pass
    else:  # the live fallback's SQL (~3 ms to compile) serves every pass
        live = _live_parts(filterset, DisputedItem.objects.public(), active, sample_every=None)
        count = functools.partial(_summary_pass, live=live)
    kind = sampling.SEARCH_HITS if searching else sampling.SUMMARY_ITEMS
    if sample_every is None and estimates:
        # A search reads only its sample's hits; SummaryItem's sample is read whole.
        first = sampling.first_level(scanned=not searching)
        counts, exact, candidates, sampled = count(filterset, active, first)
        if sampled:
            plan.counted_in_sample(kind, first, *sampled)
            scanned = None if searching else lambda: sampling.table_rows(_SUMMARY_ITEMS)
            sample_every = plan.sample_for(candidates, first, scanned=scanned)
            if sample_every != first:
                counts, exact, _, sampled = count(filterset, active, sample_every)
    else:
        counts, exact, _, sampled = count(filterset, active, sample_every)
    every = sample_every if sampled else None
    if every:
        plan.counted_in_sample(kind, every, *sampled)
    source = "search hits" if searching else "SummaryItem (live if stale)"
    plan.note("facets", f"{source}, sample 1/{every}" if every else f"{source}, all rows")
    scale = _Sampled(every, sampling.spread(*sampled)) if every else None
    return _ordered_all(counts, active, limit, estimated=_estimated(every, exact), sampled=scale)


def _search_pass(filterset, active, every: int | None):
    """``(counts, exact facets, candidates, sampled)`` for a search, over the 1-in-``every``
    sample of its hits (all of them when None); ``sampled`` is the matching rows and their
    letters' rows squared, or None when every hit was counted."""
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in FACETS}
    queryset = filterset.filter_queryset(
        DisputedItem.objects.public().order_by(), exclude=set(FACETS_BY_NAME)
    )
    _, where, where_params = sampling.where_of(queryset)
    where += sampling.condition(f'"{_ITEMS}"."determination_id"', every)
    candidates, params, filtered = _candidates_sql(
        _item_source(), where, list(where_params), active
    )
    with read_connection().cursor() as cursor:
        cursor.execute(_one_pass_sql(candidates, filtered, spread=every is not None), params)
        rows, n, matching = _split_candidates(cursor.fetchall())
    _add_rows(counts, rows, every)
    return counts, frozenset(), n, matching if every is not None else None


def _summary_pass(filterset, active, every: int | None, *, live: tuple[list[str], list]):
    """``(counts, exact facets, candidates, sampled)`` without a search: over the 1-in-``every``
    sample of SummaryItem while the summaries are fresh, else live over every item (exact), with
    ``live`` (``_live_parts``); ``sampled`` as for ``_search_pass``."""
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in FACETS}
    filtered_names = [facet.name for facet in FACETS if facet.name in active]
    date_tests, date_params = summaries.range_condition(active)
    # One filter parameter (several values) and no date range: its own facet, counted without
    # it, is the summary's totals; the other facets count the matching items only.
    single = tuple(filtered_names) if len(filtered_names) == 1 and not date_tests else ()
    # The sampled source holds the date tests itself; their params come where the statement
    # reads them either way: after the facet flags', before the filters' (``_candidates_sql``).
    if every is None:
        source, where = _SUMMARY_SOURCE, _FRESH + date_tests
    else:
        source, where = _summary_sample_source(every, date_tests), _FRESH
    candidates, params, filtered = _candidates_sql(
        source,
        where,
        date_params,
        active,
        matching_only=bool(single),
    )
    totals = ""
    if single:
        totals = (
            f"UNION ALL SELECT %s || facet_a, value_a, items FROM {summaries.PAIR_TABLE} "  # noqa: S608
            f"WHERE facet_b = '' AND facet_a = %s AND {_FRESH} "
        )
        params += [_EXACT_PREFIX, single[0]]
    live_parts, live_params = live
    sql = (
        f"{_FRESH_CTE} "  # noqa: S608
        f"SELECT '{summaries.FRESH_MARK}', NULL, 0 WHERE {_FRESH} "
        f"UNION ALL {_one_pass_sql(candidates, filtered, single, spread=every is not None)} "
        f"{totals}"
        f"UNION ALL SELECT * FROM ({' UNION ALL '.join(live_parts)}) AS l WHERE NOT {_FRESH}"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*params, *live_params])
        rows = cursor.fetchall()
    from_summaries = any(row[0] == summaries.FRESH_MARK for row in rows)
    rows, n, matching = _split_candidates(row for row in rows if row[0] != summaries.FRESH_MARK)
    sampled = matching if from_summaries and every is not None else None
    exact_rows = [(name[len(_EXACT_PREFIX) :], v, c) for name, v, c in rows if _exact(name)]
    _add_rows(counts, [row for row in rows if not _exact(row[0])], every if sampled else None)
    _add_rows(counts, exact_rows, None)
    return counts, frozenset(name for name, _, _ in exact_rows), n, sampled


_EXACT_PREFIX = "="  # marks rows counted exactly (the pair table's totals) in a sampled pass


def _exact(name: str) -> bool:
    return name.startswith(_EXACT_PREFIX)


def _live_parts(
    filterset: ItemFilterSet,
    base: QuerySet[DisputedItem],
    active: dict[str, list[str]],
    sample_every: int | None,
) -> tuple[list[str], list]:
    """The live aggregates: one per group of facets sharing their filters, over ``base``
    (its 1-in-``sample_every`` sample when given)."""
    shared = [facet for facet in FACETS if facet.name not in active]
    groups = [(frozenset(), shared)] + [
        (frozenset({facet.name}), [facet]) for facet in FACETS if facet.name in active
    ]
    parts, params = [], []
    for exclude, facets in groups:
        queryset = sampling.sampled(
            filterset.filter_queryset(base.order_by(), exclude=exclude), sample_every
        )
        # Scalars and arrays in separate aggregates: unnesting scalars too made one scan slower
        # than two (measured), and PostgreSQL can run the two in parallel.
        for is_array in (False, True):
            chosen = [facet for facet in facets if facet.is_array == is_array]
            if chosen:
                sql, sql_params = _live_aggregate_sql(queryset, chosen)
                parts.append(sql)
                params.extend(sql_params)
    return parts, params


def _from_summaries(
    key, active: dict[str, list[str]], limit: int | None
) -> dict[str, list[FacetValue]] | None:
    """The counts from fresh summaries for ``key`` (``summaries.summary_key``), or None after
    one query when they are stale."""
    counts = summaries.facet_value_counts(key, [facet.name for facet in FACETS])
    if counts is None:
        return None
    return {
        facet.name: _ordered(facet, counts[facet.name], active.get(facet.name, []), limit)
        for facet in FACETS
    }


def _live_aggregate_sql(queryset: QuerySet, facets: list[Dimension]) -> tuple[str, tuple]:
    """``(facet name, value as text, item count)`` rows for ``facets`` over ``queryset``.

    Array columns are unnested side by side in one select list (PostgreSQL zips set-returning
    functions, padding with NULL), so each item gives each of its values once to its facet.
    """
    aliases = [f"f{i}" for i in range(len(facets))]
    expressions = {
        alias: Unnest(F(facet.column)) if facet.is_array else F(facet.column)
        for alias, facet in zip(aliases, facets, strict=True)
    }
    inner, params = queryset.annotate(**expressions).values(*aliases).query.sql_with_params()
    names = {alias: facet.name for alias, facet in zip(aliases, facets, strict=True)}
    sql = grouping.grouping_sets_sql(
        f"({inner}) AS s", [(alias,) for alias in aliases], ["COUNT(*)"], names=names
    )
    return f"({sql})", params


def _ordered(
    facet: Dimension,
    counts: dict[str, int],
    selected: list[str],
    limit: int | None,
    *,
    sampled: _Sampled | None = None,
) -> list[FacetValue]:
    selected_set = {str(value) for value in selected}
    if facet.by_value:
        ordered = sorted(counts.items(), key=lambda pair: pair[0], reverse=True)
    else:
        ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].casefold()))
    if limit is not None:
        ordered = [pair for i, pair in enumerate(ordered) if i < limit or pair[0] in selected_set]
    missing = [(value, 0) for value in selected_set if value not in counts]
    return [
        FacetValue(
            value,
            count,
            value in selected_set,
            facet.label_for(value),
            sampled.estimate(count) if sampled is not None else None,
        )
        for value, count in ordered + sorted(missing)
    ]
