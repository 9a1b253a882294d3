"""Precomputed facet counts: totals per facet value and counts per pair of values.

Counting millions of items live cannot fit a page's budget (shared/docs/scale-notes.md): the browse
page, ``/api/facets/``, the statistics page and ``/api/stats/`` read these tables instead when
the request has no filter (totals) or exactly one filter parameter with one value and no search
(pairs with that value), and only while the tables are fresh. The browse total of such requests
comes from the same table (``item_total``); facets with several filters are counted over
``SummaryItem`` while fresh (``facets._one_pass_counts``). Anything else is counted live.

Tables (determinations/models.py):

- ``FacetPairCount``: public items and overturned items per value (``facet_b`` empty), per pair
  of values of any two facets (both orders, a value also paired with itself) and in all (the
  row with every key empty). Array facets give each item's distinct values.
- ``PeriodPairCount``: ``FacetPairCount`` per calendar month of the items' decision dates (dated
  items only), every total but only the pairs with a value of ``PERIOD_KEYS`` (years, small
  closed vocabularies), read by the cross-tabs over time (``period_rows``; quarters and years
  are sums of months), maintained by the same passes (``_pair_passes(by_month=True)``).
- ``FacetLetterCount``: public letters with at least one public item carrying a value, by the
  letter's own outcome (facet and value empty: every letter with a public item).
- ``SummaryItem``: what was counted for each public item (its letter and facet values), so that
  a refresh can subtract the old counts of changed letters and add their new ones.
- ``SummaryState``: when the tables were last refreshed, and the largest ids then.
- ``SummaryChange``: the letters each transaction wrote (items or determination), inserted by
  statement-level triggers with transition tables (migration 0002). A refresh deletes the rows
  it sees *before* counting, in the same transaction, so a write it did not see (uncommitted, or
  committed later) leaves its row behind: the summaries are fresh only while the table is empty.

``summaries_refresh()`` recounts only the changed letters (cost follows the change);
``manage.py refresh_summaries`` recounts everything. Bulk loads that switch triggers off
(``session_replication_role = replica``, the benchmark loader) must run the command afterwards;
``SummaryState`` also records the largest item and determination ids, so that rows appended
without a record are noticed anyway (stale, and the next refresh recounts everything).
"""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from imr_archive.db_router import read_connection

from . import day_figures, grouping, sampling
from .choices import ItemOutcome
from .dimensions import BY_NAME, DIMENSIONS, PAIRS
from .models import (
    Determination,
    DisputedItem,
    FacetLetterCount,
    FacetPairCount,
    PeriodDaysCount,
    PeriodLetterCount,
    PeriodPairCount,
    SummaryChange,
    SummaryItem,
    SummaryState,
)
from .vocabulary import vocabulary_refresh

RS = "\x1e"  # between the two values of a pair (category_subcategory) value
MONTH = "month"  # PeriodPairCount's period column: the first day of a decision month
# The periods of the cross-tabs over time, each as its to_char format of a month or date.
PERIOD_FORMATS = {"year": "YYYY", "quarter": 'YYYY-"Q"Q', "month": "YYYY-MM"}


def _summary_facets() -> dict[str, tuple[str, bool]]:
    """Summary facet -> (SQL expression over the item row ``i``, is an array), from the
    registry: every dimension under its name (the browse filter parameter), and every pair
    (``category_subcategory``: the statistics' subcategory groups) as its values joined by RS."""
    facets = {}
    for dimension in DIMENSIONS:
        expression = f"i.{dimension.column}" + ("::text" if dimension.integer else "")
        facets[dimension.name] = (expression, dimension.is_array)
    for dimension in PAIRS:
        parent = BY_NAME[dimension.within].column
        expression = f"i.{parent} || E'\\x{ord(RS):02x}' || i.{dimension.column}"
        facets[dimension.summary_group] = (expression, False)
    return facets


SUMMARY_FACETS = _summary_facets()
SUBCATEGORY_GROUP = BY_NAME["subcategory"].summary_group
# Facets whose statistics groups are ordered by value (years), not by size.
_BY_VALUE = [dimension.name for dimension in DIMENSIONS if dimension.by_value]
PAIR_TABLE = FacetPairCount._meta.db_table
FRESH_MARK = "*fresh*"  # the first column of the row saying the summaries answered
_LOCK_KEY = 7_343_201  # pg_advisory_xact_lock key serialising rebuilds

_T = {
    "item": DisputedItem._meta.db_table,
    "determination": Determination._meta.db_table,
    "pair": FacetPairCount._meta.db_table,
    "period": PeriodPairCount._meta.db_table,
    "period_letter": PeriodLetterCount._meta.db_table,
    "period_days": PeriodDaysCount._meta.db_table,
    "letter": FacetLetterCount._meta.db_table,
    "state": SummaryState._meta.db_table,
    "snapshot": SummaryItem._meta.db_table,
    "change": SummaryChange._meta.db_table,
}

# True when the summaries describe the current data: built, no write since, no appended rows.
FRESH_SQL = f"""(
    EXISTS (
        SELECT 1 FROM {_T["state"]} s WHERE s.id = 1
        AND s.items_max_id IS NOT DISTINCT FROM (SELECT max(id) FROM {_T["item"]})
        AND s.determinations_max_id IS NOT DISTINCT FROM (SELECT max(id) FROM {_T["determination"]})
    )
    AND NOT EXISTS (SELECT 1 FROM {_T["change"]})
)"""  # noqa: S608 (table names from the models)


# The one freshness check of a statement that reads the summaries: ``FRESH_CTE`` first, then
# ``FRESH`` wherever the statement asks (it is evaluated once, materialized).
FRESH_CTE = f"WITH fresh AS MATERIALIZED (SELECT {FRESH_SQL} AS ok)"
FRESH = "(SELECT ok FROM fresh)"

# Each dimension's test of a SummaryItem row against a parameter (``%s``, its values as text):
# the same SQL wherever SummaryItem rows are filtered (``facets``' one pass, sampled totals).
ITEM_TESTS = {
    dimension.name: f'"{dimension.name}" && %s::text[]'
    if dimension.is_array
    else f'"{dimension.name}" = ANY(%s::text[])'
    for dimension in DIMENSIONS
}


# The decision-date range (``filters.RANGE_PARAMS``, not dimensions) on a SummaryItem row: its
# item's decision date, so the one pass and the sampled totals honour it like the live counts.
RANGE_TESTS = {
    "decided_from": '"decision_date" >= %s::date',
    "decided_to": '"decision_date" <= %s::date',
}


def range_condition(active: dict[str, list]) -> tuple[str, list]:
    """`` AND ...`` tests of SummaryItem rows for the date bounds in ``active``, and params."""
    names = [name for name in RANGE_TESTS if name in active]
    sql = "".join(f" AND {RANGE_TESTS[name]}" for name in names)
    return sql, [str(active[name][0]) for name in names]


def item_condition(active: dict[str, list]) -> tuple[str, list]:
    """`` AND ...`` tests of SummaryItem rows for the item filters in ``active`` (not the date
    bounds: ``range_condition``), and params."""
    names = [name for name in ITEM_TESTS if name in active]
    sql = "".join(f" AND {ITEM_TESTS[name]}" for name in names)
    return sql, [[str(value) for value in active[name]] for name in names]


def fenced_sample(every: int, date_tests: str = "") -> str:
    """SummaryItem's rows of the 1-in-``every`` sample within ``date_tests`` (``range_condition``)
    as the subquery ``s``, behind an ``OFFSET 0`` fence: read through the sample's partial index
    and the date index only, the other filters then tested on its rows (why:
    ``facets._summary_sample_source``)."""
    sample = sampling.condition("letter", every)
    return f"(SELECT * FROM {_T['snapshot']} WHERE TRUE{sample}{date_tests} OFFSET 0) AS s"  # noqa: S608


def matching_in_sample(active: dict[str, list], every: int) -> sampling.Estimate | None:
    """Public items matching every filter of ``active`` (a valid filter set's ``active``; no
    search), estimated from the 1-in-``every`` sample of SummaryItem (its partial index: cheap
    at any size), with its 95% interval; None while the summaries are stale."""
    tests, params = item_condition(active)
    date_tests, date_params = range_condition(active)
    params += date_params
    rows = (
        f"SELECT letter FROM {_T['snapshot']} "  # noqa: S608
        f"WHERE {FRESH}{sampling.condition('letter', every)}{tests}{date_tests}"
    )
    sql = (
        f"{FRESH_CTE} SELECT {FRESH}, * FROM ("  # noqa: S608
        f"{sampling.letter_rows_sql(rows, 'letter')}) AS counted"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        fresh, in_sample, squares = cursor.fetchone()
    return sampling.estimate_from(in_sample, squares, every) if fresh else None


# --- Which requests the summaries answer -------------------------------------------------------

ALL = ()  # summary_key for "no filter"


def summary_key(filterset) -> tuple[str, str] | tuple[()] | None:
    """``()`` without filters, ``(parameter, value)`` for one filter with one value, else None.

    ``filterset`` must be valid. A search (``q``) is never answered from the summaries.
    """
    active = filterset.active
    if not active:
        return ALL
    if len(active) != 1:
        return None
    ((name, values),) = active.items()
    if name not in SUMMARY_FACETS or len(values) != 1:
        return None
    return (name, str(values[0]))


def is_fresh() -> bool:
    """Whether the summaries may be read (one cheap query: primary-key ends and an EXISTS)."""
    with read_connection().cursor() as cursor:
        cursor.execute(f"SELECT {FRESH_SQL}")
        return bool(cursor.fetchone()[0])


def fresh_rows(sql: str, params: list, width: int, order_by: str = "") -> list[tuple] | None:
    """Rows of ``sql`` (``width`` columns, named c0, c1, ... in ``order_by``) if the summaries
    are fresh, or None if stale: the check and the read are one statement."""
    nulls = ", ".join(f"NULL AS c{i}" for i in range(1, width))
    wrapped = (
        f"{FRESH_CTE} "  # noqa: S608
        f"SELECT * FROM (SELECT '{FRESH_MARK}' AS c0, {nulls} WHERE {FRESH} "
        f"UNION ALL SELECT q.* FROM ({sql}) AS q WHERE {FRESH}) AS r"
    )
    if order_by:
        wrapped += f" ORDER BY {order_by}"
    with read_connection().cursor() as cursor:
        cursor.execute(wrapped, params)
        rows = cursor.fetchall()
    if not any(row[0] == FRESH_MARK for row in rows):
        return None
    return [row for row in rows if row[0] != FRESH_MARK]


def facet_value_counts(key, facets: list[str]) -> dict[str, dict[str, int]] | None:
    """Matching items per value of each facet, each facet without its own filter; None if stale.

    ``key`` comes from ``summary_key`` (not None).
    """
    names = [name for name in facets if name in SUMMARY_FACETS]
    if key == ALL:
        sql, params = _groups_sql(key, names, "facet_{0}, value_{0}, items")
    else:
        # Its own facet ignores the filter: the totals; every other facet: the pairs.
        name, _ = key
        others = [other for other in names if other != name]
        pairs, params = _groups_sql(key, others, "facet_{0}, value_{0}, items")
        sql = (
            f"SELECT facet_a, value_a, items FROM {_T['pair']} "  # noqa: S608
            f"WHERE facet_b = '' AND facet_a = %s AND %s = ANY(%s) UNION ALL {pairs}"
        )
        params = [name, name, names, *params]
    rows = fresh_rows(sql, params, 3)
    if rows is None:
        return None
    counts: dict[str, dict[str, int]] = {name: {} for name in facets}
    for facet, value, items in rows:
        counts[facet][value] = items
    return counts


def _groups_sql(key, facets: list[str], columns: str) -> tuple[str, list]:
    """The pair table's rows per value of each of ``facets`` under ``key``: the totals without
    a filter, else the pairs with the key's value. ``columns`` names the grouped side as
    ``{0}`` (``a`` for the totals, ``b`` for the pairs)."""
    if key == ALL:
        sql = (
            f"SELECT {columns.format('a')} FROM {_T['pair']} "  # noqa: S608
            f"WHERE facet_b = '' AND facet_a = ANY(%s)"
        )
        return sql, [facets]
    sql = (
        f"SELECT {columns.format('b')} FROM {_T['pair']} "  # noqa: S608
        f"WHERE facet_a = %s AND value_a = %s AND facet_b = ANY(%s)"
    )
    return sql, [*key, facets]


def item_total(key) -> int | None:
    """Public items matching ``key`` (from ``summary_key``, not None), exact; None if stale.

    The browse total without a search: one index lookup instead of counting the items.
    """
    facet_a, value_a = key if key != ALL else ("", "")
    sql = (
        f"SELECT 't', items FROM {_T['pair']} "  # noqa: S608
        f"WHERE facet_a = %s AND value_a = %s AND facet_b = ''"
    )
    rows = fresh_rows(sql, [facet_a, value_a], 2)
    if rows is None:
        return None
    return rows[0][1] if rows else 0


def letter_total(key) -> int | None:
    """Public letters with an item matching ``key`` (from ``summary_key``, not None), exact;
    None if stale."""
    facet, value = key if key != ALL else ("", "")
    sql = (
        f"SELECT 't', coalesce(sum(letters), 0)::bigint FROM {_T['letter']} "  # noqa: S608
        f"WHERE facet = %s AND value = %s"
    )
    rows = fresh_rows(sql, [facet, value], 2)
    return None if rows is None else rows[0][1]


def statistics_rows(key, facets: list[str]) -> dict | None:
    """Everything ``stats.statistics`` needs for ``key``, in one query; None if stale.

    Returns ``{"total": (items, overturned), "letters": {outcome: letters},
    "groups": {facet: [(value, items, overturned), ...]}}``, groups ordered like the live
    queries: most items first then by value (years by value; category_subcategory values by
    category, then subcategory), in the database's collation.
    """
    facet_a, value_a = key if key != ALL else ("", "")
    groups, group_params = _groups_sql(key, facets, "'g', facet_{0}, value_{0}, items, overturned")
    sql = (
        f"SELECT 't', '', '', items, overturned FROM {_T['pair']} "  # noqa: S608
        f"WHERE facet_a = %s AND value_a = %s AND facet_b = '' "
        f"UNION ALL SELECT 'l', '', outcome, letters, 0 FROM {_T['letter']} "
        f"WHERE facet = %s AND value = %s "
        f"UNION ALL {groups}"
    )
    rs = f"E'\\x{ord(RS):02x}'"
    by_value = ", ".join(f"'{name}'" for name in _BY_VALUE) or "NULL"
    order_by = (
        f"c0, c1, CASE WHEN c1 IN ({by_value}) THEN c2 END, c3 DESC, "
        f"split_part(c2, {rs}, 1), split_part(c2, {rs}, 2)"
    )
    rows = fresh_rows(sql, [facet_a, value_a, facet_a, value_a, *group_params], 5, order_by)
    if rows is None:
        return None
    result: dict = {"total": (0, 0), "letters": {}, "groups": {name: [] for name in facets}}
    for kind, facet, value, items, overturned in rows:
        if kind == "t":
            result["total"] = (items, overturned)
        elif kind == "l":
            result["letters"][value] = items
        else:
            result["groups"][facet].append((value, items, overturned))
    return result


def period_rows(key, group: str, over: str) -> tuple[list[tuple], dict] | None:
    """The cross-tab of ``group`` (a summary facet) over ``over`` (``PERIOD_FORMATS``) for
    ``key`` (from ``summary_key``, not None, ``has_period_pairs``), summed from the months;
    None if stale.

    Returns ``(cells, totals)``: cells ``(period, value, items, overturned)``, totals
    ``{period: (items, overturned)}`` of all matching items decided in the period, and under
    ``None`` those without a decision date (in no period).
    """
    facet_a, value_a = key if key != ALL else ("", "")
    year, months = [], ""
    if facet_a == YEAR:  # the totals' months of that year
        year, months = [int(value_a)], " AND extract(year FROM month) = %s"
    if key == ALL or year:
        value, cells, cell_params = "value_a", "facet_a = %s AND facet_b = ''", [group]
        totals, total_params = "facet_a = '' AND value_a = '' AND facet_b = ''", []
    else:
        value, cells = "value_b", "facet_a = %s AND value_a = %s AND facet_b = %s"
        cell_params = [facet_a, value_a, group]
        totals, total_params = "facet_a = %s AND value_a = %s AND facet_b = ''", [*key]
    fmt = PERIOD_FORMATS[over]
    sql = (
        f"SELECT 'c', to_char(month, %s), {value}, sum(items)::bigint, "  # noqa: S608
        f"sum(overturned)::bigint FROM {_T['period']} WHERE {cells}{months} GROUP BY 2, 3 "
        f"UNION ALL SELECT 't', to_char(month, %s), '', sum(items)::bigint, "
        f"sum(overturned)::bigint FROM {_T['period']} WHERE {totals}{months} GROUP BY 2 "
        f"UNION ALL SELECT 'a', NULL, '', items::bigint, overturned::bigint FROM {_T['pair']} "
        f"WHERE facet_a = %s AND value_a = %s AND facet_b = ''"
    )
    params = [fmt, *cell_params, *year, fmt, *total_params, *year, facet_a, value_a]
    rows = fresh_rows(sql, params, 5)
    if rows is None:
        return None
    found, totals, everything = [], {}, (0, 0)
    for kind, period, value_, items, overturned in rows:
        if kind == "c":
            found.append((period, value_, items, overturned))
        elif kind == "t":
            totals[period] = (items, overturned)
        else:
            everything = (items, overturned)
    dated = [sum(counts) for counts in zip(*totals.values(), strict=True)] or [0, 0]
    totals[None] = (everything[0] - dated[0], everything[1] - dated[1])
    return found, totals


def has_letter_periods(key, spec) -> bool:
    """Whether ``PeriodLetterCount``/``PeriodDaysCount`` answer ``key`` (from ``summary_key``,
    not None) grouped by the dimension ``spec`` (None: not grouped): no filter or a year by
    nothing or a ``PERIOD_KEYS`` dimension; one ``PERIOD_KEYS`` value by nothing."""
    if spec is not None and spec.summary_group not in PERIOD_KEYS:
        return False
    return key == ALL or key[0] == YEAR or (key[0] in PERIOD_KEYS and spec is None)


def letter_period_rows(key, group: str | None, over: str | None) -> tuple | None:
    """``letters.Counted``'s rows for ``key`` (``has_letter_periods``) grouped by the summary
    facet ``group`` (None: not grouped) over ``over`` (None: no period); None if stale: the
    outcome rows ``(period, value, outcome, letters)``, the figures rows of
    ``day_figures.letter_rows_sql`` (kind the basis; with their total when not grouped).
    Outcomes of undated letters (period None) are the
    all-time ``FacetLetterCount`` less the months; grouped over a period, only the dated
    letters' rows are given."""
    facet, value = key if key not in (ALL,) and key[0] != YEAR else ("", "")
    year = [int(key[1])] if key != ALL and key[0] == YEAR else []
    months = " AND extract(year FROM month) = %s" if year else ""
    if group is not None:
        facet, where, value_params, shown = group, "facet = %s", [group], "value"
    else:
        where, value_params, shown = "facet = %s AND value = %s", [facet, value], "NULL::text"
    fmt = PERIOD_FORMATS.get(over)
    outcomes = (
        f"SELECT 'o', to_char(month, %s::text), {shown}, outcome, "  # noqa: S608
        f"sum(letters)::bigint FROM {_T['period_letter']} WHERE {where}{months} GROUP BY 2, 3, 4"
    )
    outcome_params = [fmt, *value_params, *year]
    if not year and (group is None or over is None):
        outcomes += (
            f" UNION ALL SELECT 'u', NULL, {shown}, outcome, letters::bigint "  # noqa: S608
            f"FROM {_T['letter']} WHERE {where}"
        )
        outcome_params += value_params
    # The days grouped by the period's first day, formatted once per figures row.
    days = (
        f"SELECT basis, date_trunc(%s::text, month)::date, {shown}, days, expedited, "  # noqa: S608
        f"letters::bigint FROM {_T['period_days']} WHERE {where}{months}"
    )
    days_params = [over, *value_params, *year]
    period = f"to_char(p, '{fmt}')" if fmt else "NULL::text"  # a format from the code
    sql = day_figures.letter_rows_sql(outcomes, days, total=group is None, period=period)
    rows = fresh_rows(sql, [*days_params, *outcome_params], day_figures.WIDTH)
    if rows is None:
        return None
    outcomes_, figures, everything = [], [], {}
    for row in rows:
        kind, period, value_, outcome, n = row[:5]
        if kind == "o":
            outcomes_.append((period, value_, outcome, n))
        elif kind == "u":
            everything[(value_, outcome)] = n
        else:
            figures.append(row)
    if everything:
        if over is None:  # all-time counts, the undated letters included
            outcomes_ = [(None, v, o, n) for (v, o), n in everything.items()]
        else:
            for _, value_, outcome, n in outcomes_:
                everything[(value_, outcome)] -= n
            outcomes_ += [(None, v, o, n) for (v, o), n in everything.items() if n]
    return outcomes_, figures


# --- Rebuilding ---------------------------------------------------------------------------------


SCALARS = [name for name, (_, is_array) in SUMMARY_FACETS.items() if not is_array]
ARRAYS = [name for name, (_, is_array) in SUMMARY_FACETS.items() if is_array]
# The filters whose one value keys PeriodPairCount's pairs: the years and the small closed
# vocabularies, whose values match many items. Every dimension is paired with them and has its
# totals; pairs of the others (a service, a specialty, a subcategory: thousands of values, times
# the months) would multiply the table by ~36 rows per item (30 k letters: 2.3 M rows, the full
# refresh 7 times slower) for filters that match few items, which one pass over SummaryItem
# counts as fast (``crosstab``).
# A year needs no pairs: its months are the totals' months of that year (``period_rows``).
PERIOD_KEY_VALUES = 20
PERIOD_KEYS = tuple(
    d.name for d in DIMENSIONS if d.choices and not d.within and len(d.choices) <= PERIOD_KEY_VALUES
)
YEAR = next(d.name for d in DIMENSIONS if d.by_value)  # the decision year
# A dimension within another (subcategory) is crossed by its pair (category_subcategory) only.
_NOT_PER_MONTH = {d.name for d in PAIRS}


def has_period_pairs(key) -> bool:
    """Whether ``PeriodPairCount`` answers ``key`` (from ``summary_key``, not None)."""
    return key == ALL or key[0] in PERIOD_KEYS or key[0] == YEAR


def _paired(a: str, b: str, by_month: bool) -> bool:
    """Whether the pairs of facets ``a`` and ``b`` are counted (per month: one is a key)."""
    return not by_month or a in PERIOD_KEYS or b in PERIOD_KEYS


# An incremental refresh touching more letters than this recounts everything instead.
FULL_REFRESH_ABOVE = 200_000


# Days to decision (``letters``, ``timing``): each basis -> (the letter's start date column,
# SummaryItem's column of the days), counted as ``days_sql`` says.
DAYS_BASES = {
    "assigned": ("date_assigned", "days_assigned"),
    "received": ("application_received", "days_received"),
}
MAX_DAYS = 365  # days past this count as OVER_MAX ("more than 365 days")
OVER_MAX = MAX_DAYS + 1
NOT_COMPUTABLE = -1  # the decision date precedes the start date: one of them is wrong


def days_sql(start: str, end: str) -> str:
    """Days from the date expression ``start`` to ``end`` as counted (from the code): NULL when
    either is unknown, ``NOT_COMPUTABLE`` when negative, at most ``OVER_MAX``."""
    return (
        f"CASE WHEN {start} IS NULL OR {end} IS NULL THEN NULL "
        f"WHEN {end} - {start} < 0 THEN {NOT_COMPUTABLE} "
        f"ELSE least({end} - {start}, {OVER_MAX}) END"
    )


def _days(start: str) -> str:
    return days_sql(f"d.{start}", "d.decision_date")


def _snapshot_insert_sql(where: str) -> str:
    """Copy public items (``where`` over ``i``) into ``SummaryItem``, arrays deduplicated."""
    columns, names = [], []
    for name, (expr, is_array) in SUMMARY_FACETS.items():
        if is_array:  # almost every array has 0 or 1 value: deduplicate only the others
            expr = (
                f"CASE WHEN cardinality({expr}) > 1 "
                f"THEN ARRAY(SELECT DISTINCT unnest({expr})) ELSE {expr} END"
            )
        columns.append(f"{expr}")
        names.append(f'"{name}"')
    return (
        f"INSERT INTO {_T['snapshot']} (letter, determination_outcome, decision_date, "  # noqa: S608
        f"letter_public, overturned, days_assigned, days_received, {', '.join(names)}) "
        f"SELECT i.determination_id, coalesce(d.outcome, ''), i.decision_date, d.id IS NOT NULL, "
        f"i.outcome = %s, {_days('date_assigned')}, {_days('application_received')}, "
        f"{', '.join(columns)} "
        f"FROM {_T['item']} i LEFT JOIN {_T['determination']} d "
        f"ON d.id = i.determination_id AND d.withdrawn_at IS NULL "
        f"WHERE NOT i.withdrawn AND {where}"
    )


def _pair_sets_sql(source: str, sets: list[tuple[str, ...]], by_month: bool = False) -> str:
    """``(facet_a, value_a, facet_b, value_b, items, overturned)`` per group of each set, one pass
    (``by_month``: with ``month`` before the counts, a column of ``source``, grouped in every set).

    ``sets`` name summary facets (columns of ``source``, which has ``items`` and ``overturned``
    counts); a set has 0, 1 or 2 of them (missing facets and values are '').
    """
    always = (MONTH,) if by_month else ()
    sets = [(*always, *group) for group in sets]
    grouped = grouping.grouping_sets_sql(source, sets, [_SUMS], width=2, always=always)
    month = f'"{MONTH}", ' if by_month else ""
    return (
        "SELECT name_0 AS facet_a, value_0 AS value_a, name_1 AS facet_b, value_1 AS value_b, "  # noqa: S608
        f"{month}items, overturned FROM ({grouped}) AS p"
    )


_COUNTS = "count(*) AS items, count(*) FILTER (WHERE overturned) AS overturned"
_SUMS = (
    "coalesce(sum(items), 0)::integer AS items, coalesce(sum(overturned), 0)::integer AS overturned"
)


def _pair_passes(table: str, by_month: bool = False) -> list[str]:
    """SELECTs over ``table`` (``SummaryItem`` rows) giving every total, and every pair once
    (same-facet array pairs both ways); ``by_month``: per decision month, dated items only."""
    # Each GROUPING SETS pass reads its source counted once per distinct combination of the
    # values it groups by: a few thousand rows where there are hundreds of thousands of items.
    month = f", date_trunc('month', n.decision_date)::date AS \"{MONTH}\"" if by_month else ""
    by = f', "{MONTH}"' if by_month else ""
    dated = " WHERE n.decision_date IS NOT NULL" if by_month else ""
    source = f"{table} n{dated}"
    facets = [name for name in SCALARS if not (by_month and name in _NOT_PER_MONTH)]
    scalars = ", ".join(f'n."{name}"' for name in facets)
    scalar_sets = [(), *((a,) for a in facets)]
    scalar_sets += [
        (a, b) for i, a in enumerate(facets) for b in facets[i + 1 :] if _paired(a, b, by_month)
    ]
    combinations = f"(SELECT {scalars}{month}, {_COUNTS} FROM {source} GROUP BY {scalars}{by}) AS c"  # noqa: S608
    passes = [_pair_sets_sql(combinations, scalar_sets, by_month)]
    for array in ARRAYS:  # its totals and its pairs with every scalar facet
        combinations = (
            f'(SELECT u.v AS "{array}", {scalars}{month}, {_COUNTS} '  # noqa: S608
            f'FROM {table} n CROSS JOIN LATERAL unnest(n."{array}") AS u(v){dated} '
            f"GROUP BY u.v, {scalars}{by}) AS c"
        )
        sets = [(array,), *((array, s) for s in facets if _paired(array, s, by_month))]
        passes.append(_pair_sets_sql(combinations, sets, by_month))
    carried = f', c."{MONTH}"' if by_month else ""
    for i, a in enumerate(ARRAYS):
        for b in ARRAYS[i:]:
            if not _paired(a, b, by_month):
                continue
            arrays = f'n."{a}"' if a == b else f'n."{a}", n."{b}"'
            passes.append(
                f"SELECT '{a}', u.v::text, '{b}', w.v::text{carried}, {_SUMS} "  # noqa: S608
                f"FROM (SELECT {arrays}{month}, {_COUNTS} FROM {source} "
                f"GROUP BY {arrays}{by}) AS c "
                f'CROSS JOIN LATERAL unnest(c."{a}") AS u(v) '
                f'CROSS JOIN LATERAL unnest(c."{b}") AS w(v) '
                f"WHERE u.v IS NOT NULL AND w.v IS NOT NULL GROUP BY u.v, w.v{carried}"
            )
    return passes


def _letter_passes(table: str) -> list[str]:
    """SELECTs of ``(facet, value, letter outcome, letters)`` over ``table``: public letters
    with a public item carrying the value."""
    counted = f"(SELECT * FROM {table} WHERE letter_public) AS n"  # noqa: S608
    always = ("letter", "determination_outcome")
    sets = [always, *((*always, s) for s in SCALARS)]  # every letter, and by each scalar's value
    by_letter = grouping.grouping_sets_sql(counted, sets, [], always=always)
    passes = [
        f"SELECT name_0, value_0, determination_outcome, count(*) FROM ({by_letter}) AS r "  # noqa: S608
        f"GROUP BY name_0, value_0, determination_outcome"
    ]
    for array in ARRAYS:
        passes.append(
            f"SELECT '{array}', u.v::text, n.determination_outcome, count(DISTINCT n.letter) "  # noqa: S608
            f'FROM {counted} CROSS JOIN LATERAL unnest(n."{array}") AS u(v) '
            f"WHERE u.v IS NOT NULL GROUP BY u.v, n.determination_outcome"
        )
    return passes


def _apply_pair_deltas(cursor, plus: str, minus: str | None, *, by_month: bool) -> int:
    """``_apply_deltas`` for ``FacetPairCount`` or (``by_month``) ``PeriodPairCount``: the
    rows written. Rows whose counts fall to zero are deleted by key, so an incremental refresh
    reads only the keys it changed."""
    table = _T["period"] if by_month else _T["pair"]
    keys = "facet_a, value_a, facet_b, value_b" + (", month" if by_month else "")
    month = ", month" if by_month else ""
    cursor.execute("DROP TABLE IF EXISTS summary_delta")
    negated = (
        f"SELECT {keys}, -items AS items, -overturned AS overturned "  # noqa: S608
        f"FROM ({{}}) AS m({keys}, items, overturned)"
    )
    parts = [f"({sql})" for sql in _pair_passes(plus, by_month)]
    if minus is not None:
        parts += [f"({negated.format(sql)})" for sql in _pair_passes(minus, by_month)]
    cursor.execute(
        "CREATE TEMPORARY TABLE summary_delta ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {keys}, sum(items) AS items, "
        "sum(overturned) AS overturned FROM (" + " UNION ALL ".join(parts) + ") AS d "
        f"GROUP BY {keys}"
    )
    # Stored both ways round (same-facet pairs already are), each scalar value also paired with
    # itself, so that all pairs of one value are one index range.
    scalars = ", ".join(f"'{name}'" for name in SCALARS)
    keyed = ""  # per month, only the pairs keyed by PERIOD_KEYS (and every total)
    if by_month:
        names = ", ".join(f"'{name}'" for name in PERIOD_KEYS)
        keyed = f"WHERE facet_a = '' OR facet_b = '' OR facet_a IN ({names}) "
    upsert = (
        f"INSERT INTO {table} AS p ({keys}, items, overturned) "  # noqa: S608
        f"SELECT {keys}, sum(items), sum(overturned) FROM ("
        f"SELECT facet_a, value_a, facet_b, value_b{month}, items, overturned FROM summary_delta "
        f"UNION ALL SELECT facet_b, value_b, facet_a, value_a{month}, items, overturned "
        f"FROM summary_delta WHERE facet_b <> '' AND facet_b <> facet_a "
        f"UNION ALL SELECT facet_a, value_a, facet_a, value_a{month}, items, overturned "
        f"FROM summary_delta WHERE facet_b = '' AND facet_a IN ({scalars})) AS d "
        f"{keyed}GROUP BY {keys} "
        f"HAVING sum(items) <> 0 OR sum(overturned) <> 0 "
        f"ORDER BY {keys} "  # key order: see _apply_letter_period_deltas
        f"ON CONFLICT ({keys}) DO UPDATE SET "
        f"items = p.items + EXCLUDED.items, overturned = p.overturned + EXCLUDED.overturned"
    )
    if minus is None:
        cursor.execute(upsert)
        return cursor.rowcount
    cursor.execute("DROP TABLE IF EXISTS summary_emptied")
    cursor.execute("CREATE TEMPORARY TABLE summary_emptied (id bigint) ON COMMIT DROP")
    cursor.execute(
        f"WITH written AS ({upsert} RETURNING p.id, p.items), "  # noqa: S608
        f"emptied AS (INSERT INTO summary_emptied SELECT id FROM written WHERE items = 0) "
        f"SELECT count(*) FROM written"
    )
    rows = cursor.fetchone()[0]
    cursor.execute(
        f"DELETE FROM {table} WHERE id IN (SELECT id FROM summary_emptied)"  # noqa: S608
    )
    return rows


def _letter_values_sql(table: str) -> str:
    """Each public dated letter of ``table`` (``SummaryItem`` rows) once per ``PERIOD_KEYS``
    value its items carry and once in all (facet ''): ``(facet, value, month, outcome,
    days_assigned, days_received, expedited)``, one pass."""
    scalars = [name for name in PERIOD_KEYS if name in SCALARS]
    arrays = [name for name in PERIOD_KEYS if name in ARRAYS]
    values = ", ".join(["('', '')", *(f"('{name}', n.\"{name}\")" for name in scalars)])
    unnested = "".join(
        f" UNION ALL SELECT '{name}', u FROM unnest(n.\"{name}\") AS u"  # noqa: S608
        for name in arrays
    )
    return (
        f"SELECT DISTINCT n.letter, f.facet, f.value, "  # noqa: S608
        f"date_trunc('month', n.decision_date)::date AS month, "
        f"n.determination_outcome AS outcome, n.days_assigned, n.days_received, "
        f"n.priority = 'expedited' AS expedited "
        f"FROM {table} n CROSS JOIN LATERAL (SELECT * FROM (VALUES {values}) AS v "
        f"{unnested}) AS f(facet, value) "
        f"WHERE n.letter_public AND n.decision_date IS NOT NULL AND f.value IS NOT NULL"
    )


def _apply_letter_period_deltas(cursor, plus: str, minus: str | None) -> int:
    """Add the letters of ``plus`` to ``PeriodLetterCount`` and ``PeriodDaysCount``, less
    those of ``minus``; rows falling to zero are deleted by key. Returns the rows written."""
    cursor.execute("DROP TABLE IF EXISTS letter_delta")
    parts = [f"SELECT *, 1 AS n FROM ({_letter_values_sql(plus)}) AS p"]  # noqa: S608
    if minus is not None:
        parts.append(f"SELECT *, -1 AS n FROM ({_letter_values_sql(minus)}) AS m")  # noqa: S608
    cursor.execute(
        "CREATE TEMPORARY TABLE letter_delta ON COMMIT DROP AS " + " UNION ALL ".join(parts)
    )
    days = " UNION ALL ".join(
        f"SELECT facet, value, month, '{basis}' AS basis, {column} AS days, expedited, n "  # noqa: S608
        f"FROM letter_delta WHERE {column} IS NOT NULL"
        for basis, (_, column) in DAYS_BASES.items()
    )
    statements = {
        _T["period_letter"]: (
            "facet, value, month, outcome",
            "SELECT facet, value, month, outcome, n FROM letter_delta",
        ),
        _T["period_days"]: ("facet, value, basis, month, days, expedited", days),
    }
    written = 0
    # Written in key order, so that after a full rebuild the rows a table reads for one value
    # (~33,000 day counts of every letter) lie together: in arrival order each was on a page of
    # its own (33,570 pages read, ~90 ms at 2 M letters; issue 18).
    for table, (keys, source) in statements.items():
        cursor.execute(
            f"INSERT INTO {table} AS t ({keys}, letters) "  # noqa: S608
            f"SELECT {keys}, sum(n) FROM ({source}) AS d GROUP BY {keys} HAVING sum(n) <> 0 "
            f"ORDER BY {keys} "
            f"ON CONFLICT ({keys}) DO UPDATE SET letters = t.letters + EXCLUDED.letters"
        )
        written += cursor.rowcount
        if minus is not None:
            cursor.execute(
                f"DELETE FROM {table} t USING (SELECT DISTINCT facet, value, month "  # noqa: S608
                f"FROM letter_delta) AS d WHERE t.letters = 0 AND t.facet = d.facet "
                f"AND t.value = d.value AND t.month = d.month"
            )
    return written


def _apply_deltas(cursor, plus: str, minus: str | None) -> tuple[int, int]:
    """Add the counts of ``plus`` rows and subtract those of ``minus`` rows (tables of
    ``SummaryItem`` rows); returns the pair (and period pair) and letter rows written."""
    pair_rows = _apply_pair_deltas(cursor, plus, minus, by_month=False)
    pair_rows += _apply_pair_deltas(cursor, plus, minus, by_month=True)
    letter_negated = "SELECT facet, value, outcome, -n FROM ({}) AS m(facet, value, outcome, n)"
    parts = [f"({sql})" for sql in _letter_passes(plus)]
    if minus is not None:
        parts += [f"({letter_negated.format(sql)})" for sql in _letter_passes(minus)]
    cursor.execute(
        f"INSERT INTO {_T['letter']} AS l (facet, value, outcome, letters) "  # noqa: S608
        f"SELECT facet, value, outcome, sum(n) FROM ("
        + " UNION ALL ".join(parts)
        + ") AS d(facet, value, outcome, n) GROUP BY facet, value, outcome "
        "HAVING sum(n) <> 0 "
        "ON CONFLICT (facet, value, outcome) DO UPDATE SET letters = l.letters + EXCLUDED.letters"
    )
    letter_rows = cursor.rowcount
    if minus is not None:
        cursor.execute(f"DELETE FROM {_T['letter']} WHERE letters = 0")  # noqa: S608
    letter_rows += _apply_letter_period_deltas(cursor, plus, minus)
    return pair_rows, letter_rows


def summaries_refresh(*, only_if_stale: bool = False, full: bool = False) -> dict | None:
    """Bring the summary tables up to date, in one transaction, with set-based SQL.

    Incremental by default: the letters recorded in ``SummaryChange`` have the counts of their
    previous ``SummaryItem`` rows subtracted and those of their current public items added, so
    the cost follows the change. Everything is recounted (one scan of the items, then one
    ``GROUPING SETS`` pass for the scalar facets, one per array facet, one per pair of array
    facets, and the letter counts likewise) when ``full``, on the first build, after a
    TRUNCATE, when items or letters were appended without being recorded (bulk loads with
    triggers off), or when more than ``FULL_REFRESH_ABOVE`` letters changed.

    Readers keep the previous tables (or count live, if those were stale) until it commits.
    With ``only_if_stale``, does nothing (returns None) when the summaries are fresh.
    Returns ``{"seconds", "full", "letters", "pair_rows", "letter_rows"}``.
    """
    started = time.perf_counter()
    # A write, so on the primary (``connection``); the reads it calls follow it there.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if only_if_stale and is_fresh():
            return None
        state = SummaryState.objects.filter(pk=1).first()
        # First forget the changes this transaction can see: every later one stays recorded.
        cursor.execute(f"DELETE FROM {_T['change']} RETURNING determination_id")  # noqa: S608
        changed = sorted({row[0] for row in cursor.fetchall()})
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {_T['item']}), "  # noqa: S608
            f"(SELECT max(id) FROM {_T['determination']})"
        )
        items_max_id, determinations_max_id = cursor.fetchone()
        full = (
            full
            or state is None
            or 0 in changed
            or len(changed) > FULL_REFRESH_ABOVE
            or _unrecorded_rows(cursor, state, changed)
        )
        if full:
            cursor.execute(f"TRUNCATE {_T['snapshot']}")
            cursor.execute(f"DELETE FROM {_T['pair']}")  # noqa: S608
            cursor.execute(f"TRUNCATE {_T['period']}, {_T['period_letter']}, {_T['period_days']}")
            cursor.execute(f"DELETE FROM {_T['letter']}")  # noqa: S608
            cursor.execute(_snapshot_insert_sql("true"), [ItemOutcome.OVERTURNED])
            cursor.execute(f"ANALYZE {_T['snapshot']}")
            pair_rows, letter_rows = _apply_deltas(cursor, _T["snapshot"], None)
            # Rebuilt tables have no planner statistics until autovacuum gets to them (at 2 M
            # letters 15 minutes later: plans for "-1 rows" until then); a second or two here.
            for name in ("pair", "period", "period_letter", "period_days", "letter"):
                cursor.execute(f"ANALYZE {_T[name]}")
        elif changed:
            for name in ("summary_minus", "summary_plus"):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP "  # noqa: S608
                    f"AS SELECT * FROM {_T['snapshot']} WITH NO DATA"
                )
            cursor.execute(
                f"WITH gone AS (DELETE FROM {_T['snapshot']} WHERE letter = ANY(%s) "  # noqa: S608
                f"RETURNING *) INSERT INTO summary_minus SELECT * FROM gone",
                [changed],
            )
            cursor.execute(
                _snapshot_insert_sql("i.determination_id = ANY(%s)"),
                [ItemOutcome.OVERTURNED, changed],
            )
            cursor.execute(
                f"INSERT INTO summary_plus SELECT * FROM {_T['snapshot']} "  # noqa: S608
                f"WHERE letter = ANY(%s)",
                [changed],
            )
            pair_rows, letter_rows = _apply_deltas(cursor, "summary_plus", "summary_minus")
        else:
            pair_rows = letter_rows = 0
        # The "did you mean" vocabulary is the value totals just written (a few thousand rows).
        vocabulary_refresh(cursor)
        seconds = time.perf_counter() - started
        SummaryState.objects.update_or_create(
            pk=1,
            defaults={
                "built_at": timezone.now(),
                "seconds": seconds,
                "full": full,
                "items_max_id": items_max_id,
                "determinations_max_id": determinations_max_id,
            },
        )
    return {
        "seconds": round(time.perf_counter() - started, 3),
        "full": full,
        "letters": None if full else len(changed),
        "pair_rows": pair_rows,
        "letter_rows": letter_rows,
    }


def _unrecorded_rows(cursor, state: SummaryState, changed: list[int]) -> bool:
    """Whether items or letters were added since ``state`` without a change record."""
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {_T['item']} WHERE id > %s "  # noqa: S608
        f"AND determination_id <> ALL(%s)) "
        f"OR EXISTS (SELECT 1 FROM {_T['determination']} WHERE id > %s AND id <> ALL(%s))",
        [state.items_max_id or 0, changed, state.determinations_max_id or 0, changed],
    )
    return bool(cursor.fetchone()[0])
