"""Cross-tabs over time: one dimension's overturn rates and shares, period by period.

``/stats/?by=DIMENSION&over=year|quarter|month`` and ``/api/stats/`` with the same parameters
(issue 18). A cell is one value of the dimension in one period (a decision year, quarter
``2017-Q3`` or month ``2017-07``): its items, overturned items, the overturn rate with its 95%
Wilson interval (``stats.wilson_interval``), and its share of the period's items (all items of
that period matching the filters). Items without a decision date are in no period: they are
counted apart (``CrossTab.undated``). An item carrying several values of an array dimension
counts once per value, so a period's shares may add up to more than 100%. Without ``over``
the table is the dimension's statistics table (``stats.statistics``) with each value's share of
all matching items.

Counted as the plan says (``plans.plan_for``, decided once): no filter, or one value of a
year or small closed vocabulary (``summaries.PERIOD_KEYS``), and no search, from
``PeriodPairCount`` (``summaries.period_rows``: months summed to the period, exact); other
filters without a search (one service: few items), in one pass over ``SummaryItem`` (GROUP BY
period and value; over a fixed sample when the rows are many, scaled up and marked estimated);
a search, or stale summaries, live over the items (a search with very many hits sampled).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from imr_archive.db_router import read_connection

from . import dimensions as registry
from . import plans, sampling, stats, summaries
from .choices import ItemOutcome
from .dimensions import Dimension
from .filters import ItemFilterSet
from .models import SummaryItem

OVER = tuple(summaries.PERIOD_FORMATS)  # year, quarter, month
MEASURES = ("rate", "share")
PARAMS = ("by", "over", "measure")  # beside the browse filters (the page adds ``format``)
CHART_LINES = 5  # the chart draws the largest values, and the rest as "other"
OTHER = "Other values"


@dataclass(frozen=True)
class Query:
    """The cross-tab a request asks for (``by`` None: none)."""

    by: str | None = None
    over: str | None = None
    measure: str = "rate"


def query_from(data: QueryDict) -> tuple[Query, list[str]]:
    """The request's ``by``, ``over`` and ``measure``, and plain-language problems with them."""
    chosen, errors = given_once(data, PARAMS)
    by, over, measure = chosen.get("by"), chosen.get("over"), chosen.get("measure", "rate")
    errors += period_errors(by, over)
    if measure not in MEASURES:
        errors.append(f"Parameter 'measure': one of {', '.join(MEASURES)} (got '{measure}').")
    if by is None and ("over" in chosen or "measure" in chosen):
        errors.append("Parameters 'over' and 'measure' need 'by' (the dimension to cross).")
    return Query(by, over, measure), errors


def given_once(data: QueryDict, names) -> tuple[dict[str, str], list[str]]:
    """The value of each of ``names`` given, and a problem for each given more than once."""
    errors, chosen = [], {}
    for name in names:
        values = data.getlist(name)
        if len(values) > 1:
            errors.append(f"Parameter '{name}': give it once.")
        elif values:
            chosen[name] = values[0]
    return chosen, errors


def period_errors(by: str | None, over: str | None) -> list[str]:
    """Plain-language problems with a ``by`` dimension and an ``over`` period (None: absent)."""
    errors = []
    if by is not None and by not in registry.BY_NAME:
        errors.append(f"Parameter 'by': one of {', '.join(registry.NAMES)} (got '{by}').")
    if over is not None and over not in OVER:
        errors.append(f"Parameter 'over': one of {', '.join(OVER)} (got '{over}').")
    return errors


@dataclass(frozen=True)
class Cell:
    """One value in one period (``period`` None: over all matching items)."""

    period: str | None
    rate: stats.Rate
    share: float | None  # of the period's items

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            **self.rate.as_dict(),
            "label": self.rate.label,
            "share": self.share,
            "filters": dict(self.rate.params),
        }


@dataclass(frozen=True)
class Series:
    """One line of the chart: a value's cells period by period (None: none that period)."""

    label: str
    points: list[Cell | None]


@dataclass(frozen=True)
class CrossTab:
    dimension: Dimension
    over: str | None
    total: stats.Rate  # every matching item, dated or not
    periods: list[tuple[str, stats.Rate]]  # each period's matching items, in order
    cells: list[Cell]  # by period, then largest values first (years in order)
    undated: int  # matching items without a decision date (in no period)
    truncated: bool  # the dimension keeps only its largest values (``group_limit``)
    series: list[Series]  # the chart's lines: the largest values, then "other"

    @property
    def estimated(self) -> bool:
        return self.total.estimated

    def as_dict(self) -> dict:
        return {
            "by": self.dimension.name,
            "over": self.over,
            "items": self.total.as_dict(),
            "undated_items": self.undated,
            "truncated": self.truncated,
            "estimated": self.estimated,
            "periods": [{"period": period, **rate.as_dict()} for period, rate in self.periods],
            "cells": [cell.as_dict() for cell in self.cells],
        }


def crosstab(filterset: ItemFilterSet, query: Query, *, plan: plans.CountPlan) -> CrossTab:
    """The cross-tab ``query`` asks for (``by`` given) over a valid filter set, as ``plan`` says."""
    spec = stats.dimension_for(query.by)
    if query.over is None:
        return _without_periods(filterset, spec, plan)
    counted = None
    if plan.key is not None and summaries.has_period_pairs(plan.key):
        counted = summaries.period_rows(plan.key, spec.summary_group, query.over)
        if counted is not None:
            plan.note("crosstab", "summaries")
            every = 1
    if counted is None and not plan.searching:
        counted, every = _summary_item_pass(filterset, spec, query.over, plan)
    if counted is None:
        counted, every = _live(filterset, spec, query.over, plan)
    return _assembled(spec, query.over, *counted, every)


def _without_periods(filterset, spec: Dimension, plan) -> CrossTab:
    result = stats.statistics(filterset, dimensions=(spec.name,), plan=plan)
    (table,) = without_periods(result)
    return table


def without_periods(result: stats.Statistics) -> list[CrossTab]:
    """The cross-tab without ``over`` of each group of ``result``: each value's rate and its
    share of all matching items (one ``statistics`` call answers several such tables)."""
    total = result.total
    tables = []
    for group in result.groups:
        cells = [
            Cell(None, row, row.items / total.items if total.items else None) for row in group.rows
        ]
        tables.append(CrossTab(group.dimension, None, total, [], cells, 0, group.truncated, []))
    return tables


def value_sql(spec: Dimension, row: str) -> str:
    """A dimension's value as text over the item row ``row`` (a pair's values joined by RS)."""
    quote = read_connection().ops.quote_name
    column = f"{row}.{quote(spec.column)}"
    if spec.within:
        parent = f"{row}.{quote(registry.BY_NAME[spec.within].column)}"
        return f"{parent} || E'\\x{ord(summaries.RS):02x}' || {column}"
    return f"{column}::text" if spec.integer else column


def _counting_sql(rows: str, spec: Dimension) -> str:
    """Cells and period totals over ``rows`` (a SELECT of ``d`` date, ``v`` value or array,
    ``o`` overturned): ``(kind, period, value, items, overturned)``, kind ``c`` a cell, ``t`` a
    period's total (period NULL: undated). Its last parameter is the period's format."""
    if spec.is_array:
        source = "m CROSS JOIN LATERAL (SELECT DISTINCT unnest(m.v)) AS g(x)"
        value = "g.x"
    else:
        source, value = "m", "m.v"
    return (
        f"WITH m AS MATERIALIZED ({rows}), "  # noqa: S608 (names from the registry)
        f"f AS (SELECT %s::text AS fmt) "
        f"SELECT 'c', to_char(m.d, (SELECT fmt FROM f)), {value}::text, count(*), "
        f"count(*) FILTER (WHERE m.o) FROM {source} "
        f"WHERE m.d IS NOT NULL AND {value} IS NOT NULL GROUP BY 2, 3 "
        f"UNION ALL SELECT 't', to_char(m.d, (SELECT fmt FROM f)), '', count(*), "
        f"count(*) FILTER (WHERE m.o) FROM m GROUP BY 2"
    )


def _split(rows) -> tuple[list[tuple], dict]:
    cells, totals = [], {}
    for kind, period, value, items, overturned in rows:
        if kind == "c":
            cells.append((period, value, items, overturned))
        else:
            totals[period] = (items, overturned)
    totals.setdefault(None, (0, 0))
    return cells, totals


def _summary_item_pass(filterset, spec: Dimension, over: str, plan):
    """Counted in one pass over ``SummaryItem`` (None while the summaries are stale): first in
    the 1-in-256 sample (``sampling.first_level``) when estimates are allowed, then as the plan
    chooses from its rows."""
    active = filterset.active
    tests, test_params = summaries.item_condition(active)
    date_tests, date_params = summaries.range_condition(active)
    column = f'"{spec.summary_group}"'
    table = SummaryItem._meta.db_table

    def count(every: int | None):
        rows = (
            f"SELECT decision_date AS d, {column} AS v, overturned AS o FROM {table} "  # noqa: S608
            f"WHERE {summaries.FRESH}{sampling.condition('letter', every)}{tests}{date_tests}"
        )
        sql = _counting_sql(rows, spec)
        params = [*test_params, *date_params, summaries.PERIOD_FORMATS[over]]
        found = summaries.fresh_rows(sql, params, 5)
        return None if found is None else _split(found)

    every = sampling.first_level(scanned=True) if plan.estimates else None
    counted = count(every)
    if counted is not None and every is not None:
        candidates = sum(items for items, _ in counted[1].values())
        chosen = plan.sample_for(candidates, every, scanned=lambda: sampling.table_rows(table))
        if chosen != every:
            every, counted = chosen, count(chosen)
    if counted is None:
        return None, 1
    plan.note("crosstab", f"SummaryItem, sample 1/{every}" if every else "SummaryItem, all rows")
    return counted, every or 1


def _live(filterset, spec: Dimension, over: str, plan):
    """Counted live over the matching items (a search with very many hits over a sample)."""
    items = stats.filtered_items(filterset)
    every = None
    if plan.estimates and plan.searching:
        every = plan.sample_for(plan.rows_in_coarsest(items))
    columns = {"decision_date", "outcome", spec.column}
    if spec.within:
        columns.add(registry.BY_NAME[spec.within].column)
    sampled = sampling.sampled(items, every).order_by().values(*sorted(columns))
    inner, params = sampled.query.sql_with_params()
    rows = f"SELECT s.decision_date AS d, {value_sql(spec, 's')} AS v, s.outcome = %s AS o FROM ({inner}) AS s"  # noqa: E501, S608
    with read_connection().cursor() as cursor:
        cursor.execute(
            _counting_sql(rows, spec),
            [ItemOutcome.OVERTURNED, *params, summaries.PERIOD_FORMATS[over]],
        )
        counted = _split(cursor.fetchall())
    plan.note("crosstab", f"live, sample 1/{every}" if every else "live")
    return counted, every or 1


def _assembled(spec: Dimension, over: str, cells, totals, every: int) -> CrossTab:
    """The cross-tab from counted cells and totals (scaled up by ``every`` when sampled)."""

    def rate(items, overturned, value=None, label="", params=()):
        return stats.Rate(
            items * every,
            overturned * every,
            value=value,
            label=label,
            params=params,
            sample_every=every,
        )

    by_value: dict[str, int] = {}
    for _, value, items, _ in cells:
        by_value[value] = by_value.get(value, 0) + items
    ranked = sorted(by_value, key=lambda v: (-by_value[v], v))
    kept = set(ranked[: spec.group_limit] if spec.group_limit else ranked)
    periods = sorted(p for p in totals if p is not None)
    period_rates = [(p, rate(*totals[p], label=p)) for p in periods]
    period_items = {p: r.items for p, r in period_rates}
    all_items = sum(items for items, _ in totals.values())
    all_overturned = sum(overturned for _, overturned in totals.values())
    total = rate(all_items, all_overturned, label="All matching items")

    def cell(period, value, items, overturned):
        shaped = stats.value_rate(spec, value, items * every, overturned * every, every)
        share = shaped.items / period_items[period] if period_items.get(period) else None
        return Cell(period, shaped, share)

    def order(found):
        period, value = found[0], found[1]
        size = value if spec.by_value else (-by_value[value], value)
        return (period, size)

    table, by_raw = [], {}  # by_raw: the cells of each value as counted, by period
    for found in sorted(cells, key=order):
        if found[1] in kept:
            table.append(cell(*found))
            by_raw.setdefault(found[1], {})[found[0]] = table[-1]
    top = ranked[:CHART_LINES]
    series = []
    for value in top:
        points = by_raw[value]
        label = next(iter(points.values())).rate.label
        series.append(Series(label, [points.get(p) for p in periods]))
    rest: dict[str, list[int]] = {}
    for period, value, items, overturned in cells:
        if value not in top:
            counts = rest.setdefault(period, [0, 0])
            counts[0] += items
            counts[1] += overturned
    if rest:
        points = []
        for p in periods:
            if p in rest:
                row = rate(*rest[p], label=OTHER)
                points.append(Cell(p, row, row.items / period_items[p]))
            else:
                points.append(None)
        series.append(Series(OTHER, points))
    return CrossTab(
        spec,
        over,
        total,
        period_rates,
        table,
        totals[None][0] * every,
        truncated=len(kept) < len(ranked),
        series=series,
    )
