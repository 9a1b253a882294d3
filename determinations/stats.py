"""Overturn-rate statistics over the browse filters: counted in SQL, one GROUP BY per dimension.

Every figure here counts public (not withdrawn) disputed items matching the browse filters, the
same rows the browse page lists, so the numbers agree wherever they appear. Callers go through
``items_summary``, ``grouped_rates`` and ``letters_summary`` only. ``statistics`` answers requests
without filters, or with one filter parameter holding one value and no search, from the
precomputed tables of ``summaries`` while they are fresh (one indexed query, same figures and
order); anything else is counted live. With ``estimates``, a search with very many hits is
counted over a fixed sample of the items (``sampling``): its figures are scaled up and marked
as estimates, and its intervals are those of the sample, so they stay honest (wider).

Definitions (also in docs/api.md):

- overturn rate = overturned items / items;
- interval = 95% Wilson score interval of that proportion (``wilson_interval``);
- the difference of two groups' rates (``/compare/``) has Newcombe's hybrid score interval
  (``newcombe_interval``), made from the two Wilson intervals;
- multi-valued facets (body region, reviewer specialty, guideline document) count an item once
  per distinct value it carries, so their groups may add up to more than the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from imr_archive.db_router import read_connection

from . import dimensions as registry
from . import plans, sampling, summaries
from .choices import ItemOutcome, LetterOutcome
from .dimensions import Dimension
from .filters import ItemFilterSet
from .models import Determination, DisputedItem, SummaryItem


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of ``successes / n``, clipped to [0, 1].

    Unlike the normal approximation it stays inside [0, 1] and is sensible for small groups and
    rates near 0 or 1, which most facet values of the archive are. With ``n == 0`` nothing is
    known: the whole range (0, 1).

    >>> [round(x, 4) for x in wilson_interval(1, 10)]
    [0.0179, 0.4042]
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return (low, high)


def newcombe_interval(
    a: tuple[int, int], b: tuple[int, int], z: float = 1.96
) -> tuple[float, float]:
    """The 95% interval of the difference of two independent proportions ``a - b``, each given
    as ``(successes, n)`` with ``n > 0``: Newcombe's hybrid score interval (method 10 of
    Newcombe 1998, Statistics in Medicine 17:873-890), built from the two Wilson intervals.

    With p1, p2 the proportions and (l1, u1), (l2, u2) their Wilson intervals, d = p1 - p2:
    [d - sqrt((p1 - l1)^2 + (u2 - p2)^2), d + sqrt((u1 - p1)^2 + (p2 - l2)^2)]. It inherits the
    Wilson interval's good behaviour for small groups and rates near 0 or 1, and stays inside
    [-1, 1]. The paper's example (a), 56/70 - 48/80:

    >>> [round(x, 4) for x in newcombe_interval((56, 70), (48, 80))]
    [0.0524, 0.3339]
    """
    (x1, n1), (x2, n2) = a, b
    if n1 == 0 or n2 == 0:
        raise ValueError("a difference of proportions needs items on both sides")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    return (d - math.hypot(p1 - l1, u2 - p2), d + math.hypot(u1 - p1, p2 - l2))


@dataclass(frozen=True)
class Rate:
    """Items and overturned items of one group, with the rate and its 95% interval."""

    items: int
    overturned: int
    value: str | int | None = None
    label: str = ""
    params: tuple[tuple[str, str], ...] = ()  # browse filters selecting this group
    sample_every: int = 1  # counted over the 1-in-N sample, figures scaled up (N > 1)
    # Sampled: the sum over sampled letters of their items squared (``sampling.estimate_from``).
    squares: int | None = None

    @property
    def upheld(self) -> int:
        return self.items - self.overturned

    @property
    def rate(self) -> float | None:
        return self.overturned / self.items if self.items else None

    @property
    def estimated(self) -> bool:
        return self.sample_every > 1

    @property
    def interval(self) -> tuple[float, float]:
        """The Wilson interval of what was counted: the sample's counts when sampled."""
        every = self.sample_every
        return wilson_interval(self.overturned // every, self.items // every)

    @property
    def items_interval(self) -> tuple[int, int] | None:
        """The 95% interval of an estimated item count (None: exact, or not known)."""
        if not self.estimated or self.squares is None:
            return None
        every = self.sample_every
        estimate = sampling.estimate_from(self.items // every, self.squares, every)
        return (estimate.low, estimate.high)

    def as_dict(self) -> dict:
        low, high = self.interval
        data = {"value": self.value} if self.value is not None else {}
        if self.items_interval is not None:
            data["items_interval"] = list(self.items_interval)
        data.update(
            items=self.items,
            overturned=self.overturned,
            upheld=self.upheld,
            overturn_rate=self.rate,
            interval_low=low,
            interval_high=high,
            estimated=self.estimated,
        )
        return data


# The statistics page's tables, in the registry's order; any registered dimension can be asked
# for by name (``statistics(..., dimensions=...)``, ``grouped_rates``). A dimension ``within``
# another (subcategory) groups by the pair: see ``_pair_rates``.
DIMENSIONS: dict[str, Dimension] = {d.name: d for d in registry.DIMENSIONS if d.grouped}


def dimension_for(name: str) -> Dimension:
    """The registered dimension ``name``, as the statistics use it (the page's tables first:
    tests narrow their limits)."""
    return DIMENSIONS.get(name) or registry.BY_NAME[name]


def filtered_items(filterset: ItemFilterSet) -> QuerySet[DisputedItem]:
    """Public items matching a valid filter set: the rows every statistic counts."""
    return filterset.filter_queryset(DisputedItem.objects.public())


def _counts():
    overturned = Count("id", filter=Q(outcome=ItemOutcome.OVERTURNED))
    return {"items": Count("*"), "overturned": overturned}


def items_summary(items: QuerySet[DisputedItem]) -> Rate:
    """All matching items in one row."""
    row = items.order_by().aggregate(**_counts())
    return Rate(items=row["items"], overturned=row["overturned"], label="All matching items")


def _grouped_sql(items: QuerySet[DisputedItem], dimension: Dimension, limit: int | None):
    """GROUP BY over the filtered items as a subquery; arrays unnested, each value once per item.

    Column names come from ``DIMENSIONS`` only, never from the request.
    """
    inner, params = (
        items.order_by().values("id", "outcome", dimension.column).query.sql_with_params()
    )
    column = read_connection().ops.quote_name(dimension.column)
    if dimension.is_array:
        source = f"({inner}) AS s CROSS JOIN LATERAL (SELECT DISTINCT unnest(s.{column})) AS g(v)"
        value = "g.v"
    else:
        source = f"({inner}) AS s"
        value = f"s.{column}"
    order = "v ASC" if dimension.by_value else "items DESC, v ASC"
    sql = (
        f"SELECT {value} AS v, COUNT(*) AS items, "  # noqa: S608 (whitelisted names only)
        f"COUNT(*) FILTER (WHERE s.outcome = %s) AS overturned "
        f"FROM {source} WHERE {value} IS NOT NULL GROUP BY {value} ORDER BY {order}"
    )
    params = (ItemOutcome.OVERTURNED, *params)  # the FILTER placeholder comes first
    if limit is not None:
        sql += " LIMIT %s"
        params = (*params, limit)
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pair_rates(items: QuerySet[DisputedItem], spec: Dimension) -> list[Rate]:
    """Groups of a dimension ``within`` another (subcategory within category): by the pair."""
    parent = registry.BY_NAME[spec.within]
    rows = (
        items.order_by()
        .values(parent.column, spec.column)
        .annotate(**_counts())
        .order_by("-items", parent.column, spec.column)
    )
    return [
        _rate(spec, row[spec.column], row[parent.column], row["items"], row["overturned"])
        for row in rows
    ]


@dataclass(frozen=True)
class Grouped:
    dimension: Dimension
    rows: list[Rate]
    truncated: bool  # more groups exist than the dimension's limit

    def as_dict(self) -> dict:
        return {
            "title": self.dimension.title,
            "parameter": self.dimension.name,
            "truncated": self.truncated,
            "groups": [
                {**row.as_dict(), "label": row.label, "filters": dict(row.params)}
                for row in self.rows
            ],
        }


def grouped_rates(items: QuerySet[DisputedItem], dimension: str) -> Grouped:
    """Items, overturned items and rate per value of one dimension, largest groups first
    (years in order). Open vocabularies keep their ``limit`` largest groups."""
    spec = dimension_for(dimension)
    if spec.within:
        return Grouped(spec, _pair_rates(items, spec), truncated=False)
    fetch = spec.group_limit + 1 if spec.group_limit else None
    rows = _grouped_sql(items, spec, fetch)
    return _grouped(spec, [_rate(spec, str(value), None, n, over) for value, n, over in rows])


@dataclass(frozen=True)
class LettersSummary:
    """Letters with at least one matching item, by the letter's own outcome."""

    letters: int
    upheld: int
    overturned: int
    partially_overturned: int
    items: int  # matching items
    estimated: bool = False  # scaled up from a sample of the items

    @property
    def items_per_letter(self) -> float | None:
        return self.items / self.letters if self.letters else None

    def as_dict(self) -> dict:
        return {
            "letters": self.letters,
            "upheld": self.upheld,
            "overturned": self.overturned,
            "partially_overturned": self.partially_overturned,
            "matching_items": self.items,
            "items_per_letter": self.items_per_letter,
            "estimated": self.estimated,
        }


def letters_summary(items: QuerySet[DisputedItem], *, item_count: int) -> LettersSummary:
    """Count letters by outcome where one of their items matches (a semi-join: no duplicates)."""
    letters = Determination.objects.public().filter(
        pk__in=items.order_by().values("determination_id")
    )
    by_outcome = dict(
        letters.order_by().values("outcome").annotate(n=Count("*")).values_list("outcome", "n")
    )
    return _letters_summary(by_outcome, item_count)


@dataclass(frozen=True)
class Statistics:
    total: Rate
    letters: LettersSummary
    groups: list[Grouped]

    def as_dict(self) -> dict:
        return {
            "items": self.total.as_dict(),
            "letters": self.letters.as_dict(),
            "groups": {group.dimension.name: group.as_dict() for group in self.groups},
        }


def statistics(
    filterset: ItemFilterSet,
    *,
    dimensions=tuple(DIMENSIONS),
    estimates: bool = False,
    plan: plans.CountPlan | None = None,
) -> Statistics:
    """Everything the statistics page and ``/api/stats/`` show, for a valid filter set, as
    ``plan`` says (made here from ``estimates`` when not given; a given plan's own
    ``estimates`` then holds).

    ``estimates``: a search whose hits are too many to count within a page's budget is counted
    over the sample the plan chooses (``CountPlan.sample_for``: one more cheap query to decide)."""
    plan = plan or plans.plan_for(filterset, estimates=estimates)
    estimates = plan.estimates
    if plan.key is not None:
        summarised = _statistics_from_summaries(plan.key, dimensions)
        if summarised is not None:
            plan.note("statistics", "summaries")
            return summarised
    if estimates and not plan.searching:
        sampled = _statistics_from_summary_sample(filterset, dimensions, plan)
        if sampled is not None:
            return sampled
    items = filtered_items(filterset)
    every = None
    if estimates and plan.searching:
        every = plan.sample_for(plan.rows_in_coarsest(items))
    plan.note("statistics", f"live, sample 1/{every}" if every else "live")
    return _statistics_in_one_statement(sampling.sampled(items, every), dimensions, every or 1)


def _statistics_in_one_statement(
    items: QuerySet[DisputedItem], dimensions, every: int = 1
) -> Statistics:
    """``statistics`` counted live in one statement: the matching items (a search, every
    filter) are found once, into a materialized CTE, and every figure is counted from it; the
    figures, groups and order are those of ``items_summary``, ``letters_summary`` and
    ``grouped_rates``. ``items`` is the 1-in-``every`` sample when ``every`` > 1: the counts
    are scaled up by ``every``."""
    specs = [dimension_for(name) for name in dimensions]
    parents = [registry.BY_NAME[spec.within].column for spec in specs if spec.within]
    columns = sorted({"determination_id", "outcome", *(s.column for s in specs), *parents})
    inner, params = items.order_by().values(*columns).query.sql_with_params()
    overturned = "count(*) FILTER (WHERE h.outcome = %s)"
    parts = [
        f"SELECT 't' AS kind, '' AS dim, NULL AS v, NULL AS v2, count(*) AS items, "  # noqa: S608
        f"{overturned} AS overturned, 0 AS ord FROM hits AS h",
        f"SELECT 'l', '', d.outcome, NULL, count(*), 0, 0 FROM {Determination._meta.db_table} d "  # noqa: S608
        f"WHERE d.withdrawn_at IS NULL AND d.id IN (SELECT determination_id FROM hits) "
        f"GROUP BY d.outcome",
    ]
    part_params: list = [ItemOutcome.OVERTURNED]
    if every > 1:  # the sampled letters' items squared: the total's interval
        parts.append(
            "SELECT 's', '', NULL, NULL, coalesce(sum(n * n), 0)::bigint, 0, 0 FROM "
            "(SELECT count(*) AS n FROM hits GROUP BY determination_id) AS by_letter"
        )
    quote = read_connection().ops.quote_name
    for spec in specs:
        column = quote(spec.column)
        if spec.within:
            parent = quote(registry.BY_NAME[spec.within].column)
            parts.append(
                f"SELECT 'g', %s, h.{column}, h.{parent}, count(*), {overturned}, "  # noqa: S608
                f"row_number() OVER (ORDER BY count(*) DESC, h.{parent}, h.{column}) "
                f"FROM hits AS h GROUP BY h.{parent}, h.{column}"
            )
            part_params += [spec.name, ItemOutcome.OVERTURNED]
            continue
        grouped, grouped_params = _group_sql(spec, column, overturned, [ItemOutcome.OVERTURNED])
        part_params += grouped_params
        parts.append(grouped)
    sql = f"WITH hits AS MATERIALIZED ({inner}) " + " UNION ALL ".join(
        f"({part})" for part in parts
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*params, *part_params])
        rows = cursor.fetchall()
    return _from_rows(rows, specs, every)


def _group_sql(
    spec: Dimension, column: str, overturned: str, overturned_params: list, *, as_integer=False
) -> tuple[str, list]:
    """One dimension's ``g`` rows of a statistics statement over the ``hits`` CTE: its values
    (``column``, unnested for an array) with their items, ``overturned`` (SQL, with
    ``overturned_params``) and order, one row beyond the dimension's limit at most."""
    if spec.is_array:
        source = f"hits AS h CROSS JOIN LATERAL (SELECT DISTINCT unnest(h.{column})) AS g(v)"
        value = "g.v"
    else:
        source, value = "hits AS h", f"h.{column}"
    typed = f"{value}::integer" if as_integer else value
    order = f"{typed} ASC" if spec.by_value else f"count(*) DESC, {typed} ASC"
    sql = (
        f"SELECT 'g' AS kind, %s AS dim, {value}::text AS v, NULL AS v2, count(*) AS items, "  # noqa: S608
        f"{overturned} AS overturned, row_number() OVER (ORDER BY {order}) AS ord "
        f"FROM {source} WHERE {value} IS NOT NULL GROUP BY {value}"
    )
    params = [spec.name, *overturned_params]
    if spec.group_limit:  # one more than the limit: whether there were more groups
        sql = f"SELECT * FROM ({sql}) AS l WHERE ord <= %s"  # noqa: S608
        params.append(spec.group_limit + 1)
    return sql, params


def _from_rows(rows, specs, every: int) -> Statistics:
    """The ``Statistics`` of one statement's rows ``(kind, dimension, value, parent, items,
    overturned, order)``: ``t`` the total, ``l`` letters by outcome, ``s`` the sampled
    letters' items squared, ``g`` a group's row (a pair's value joined by ``summaries.RS``
    when ``parent`` is NULL); counts of the 1-in-``every`` sample are scaled up here."""
    total = Rate(0, 0, label="All matching items", sample_every=every)
    squares = next((row[4] for row in rows if row[0] == "s"), None)
    by_outcome, grouped_rows = {}, {}
    for kind, dim, value, value2, n, overturned_n, ord_ in rows:
        n, overturned_n = n * every, overturned_n * every
        if kind == "s":
            continue
        if kind == "t":
            total = Rate(
                n, overturned_n, label="All matching items", sample_every=every, squares=squares
            )
        elif kind == "l":
            by_outcome[value] = n
        else:
            grouped_rows.setdefault(dim, []).append((ord_, value, value2, n, overturned_n))
    groups = []
    for spec in specs:
        found = [row[1:] for row in sorted(grouped_rows.get(spec.name, []))]
        rates = [
            _rate(spec, value, parent, n, o, every=every)
            if parent is not None or not spec.within
            else value_rate(spec, value, n, o, every=every)
            for value, parent, n, o in found
        ]
        groups.append(_grouped(spec, rates))
    letters = _letters_summary(by_outcome, total.items, estimated=every > 1)
    return Statistics(total=total, letters=letters, groups=groups)


def _statistics_from_summary_sample(filterset, dimensions, plan) -> Statistics | None:
    """``statistics`` of several filters (no search) over a sample of ``SummaryItem`` when
    their items are too many to count live within a page's budget (``region=lumbar&outcome=
    upheld``: ~500,000 items, 60 s live at 2 M letters), chosen as the facets' pass chose it;
    None when they are few enough to count exactly, or the summaries are stale."""
    active = filterset.active
    if set(active) - set(summaries.ITEM_TESTS) - set(summaries.RANGE_TESTS):
        return None
    table = SummaryItem._meta.db_table
    every = _summary_sample_for(active, plan, lambda: sampling.table_rows(table))
    if every is None:
        return None
    specs = [dimension_for(name) for name in dimensions]
    tests, test_params = summaries.item_condition(active)
    date_tests, date_params = summaries.range_condition(active)
    # The sample read whole, the filters tested on its rows (as the facets' pass reads it).
    sample = summaries.fenced_sample(every, date_tests)
    hits = f"SELECT * FROM {sample} WHERE {summaries.FRESH}{tests}"  # noqa: S608
    params: list = [*date_params, *test_params]
    parts = [
        "SELECT 'f', '', NULL, NULL, 0, 0, 0 WHERE " + summaries.FRESH,
        "SELECT 't', '', NULL, NULL, count(*), count(*) FILTER (WHERE h.overturned), 0 "
        "FROM hits AS h",
        "SELECT 'l', '', h.determination_outcome, NULL, count(DISTINCT h.letter), 0, 0 "
        "FROM hits AS h WHERE h.letter_public GROUP BY h.determination_outcome",
        "SELECT 's', '', NULL, NULL, coalesce(sum(n * n), 0)::bigint, 0, 0 FROM "
        "(SELECT count(*) AS n FROM hits GROUP BY letter) AS by_letter",
    ]
    for spec in specs:
        # SummaryItem's values are text: an integer dimension is ordered as the live count's
        overturned = "count(*) FILTER (WHERE h.overturned)"
        grouped, grouped_params = _group_sql(
            spec, f'"{spec.summary_group}"', overturned, [], as_integer=spec.integer
        )
        params += grouped_params
        parts.append(grouped)
    sql = f"{summaries.FRESH_CTE}, hits AS MATERIALIZED ({hits}) " + " UNION ALL ".join(
        f"({part})" for part in parts
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(row[0] == "f" for row in rows):
        return None
    plan.note("statistics", f"SummaryItem, sample 1/{every}")
    return _from_rows([row for row in rows if row[0] != "f"], specs, every)


def _summary_sample_for(active, plan, scanned) -> int | None:
    """The 1-in-N sample of SummaryItem to count ``active``'s statistics from (None: count
    them exactly): as the page's facets pass counted its rows (``CountPlan.in_sample``), else
    from one count of the sample it would have read."""
    counted = [
        (level, plan.in_sample[(sampling.SUMMARY_ITEMS, level)][0])
        for level in sampling.LEVELS
        if (sampling.SUMMARY_ITEMS, level) in plan.in_sample
    ]
    if counted:
        level, rows = counted[0]
    else:
        level = sampling.first_level(scanned=True)
        estimate = summaries.matching_in_sample(active, level)
        if estimate is None:
            return None
        rows = estimate.value // level
    if rows * level <= sampling.STATISTICS_LIVE_UP_TO:
        return None
    return plan.sample_for(rows, level, scanned=scanned)


def _grouped(spec: Dimension, rows: list[Rate]) -> Grouped:
    """The table of ``rows`` (ordered, at most one beyond the limit), cut to the dimension's
    ``group_limit`` and marked truncated when there were more."""
    limit = spec.group_limit
    if limit is None:
        return Grouped(spec, rows, truncated=False)
    return Grouped(spec, rows[:limit], truncated=len(rows) > limit)


def _rate(
    spec: Dimension, value: str, parent: str | None, n: int, overturned: int, every: int = 1
) -> Rate:
    """One table row: its figures, its label and the browse filters that select it; a pair
    (``within``) is labelled and selected by both values."""
    if spec.within:
        return Rate(
            items=n,
            overturned=overturned,
            value=value,
            label=f"{parent} / {value}",
            params=((spec.within, parent), (spec.name, value)),
            sample_every=every,
        )
    typed = int(value) if spec.integer else value
    return Rate(
        items=n,
        overturned=overturned,
        value=typed,
        label=spec.label_for(str(typed)),
        params=((spec.name, value),),
        sample_every=every,
    )


def _statistics_from_summaries(key, dimensions) -> Statistics | None:
    """``statistics`` from fresh summaries (one query), or None when they are stale."""
    specs = [dimension_for(name) for name in dimensions]
    data = summaries.statistics_rows(key, sorted({spec.summary_group for spec in specs}))
    if data is None:
        return None
    items, overturned = data["total"]
    total = Rate(items=items, overturned=overturned, label="All matching items")
    by_outcome = data["letters"]
    letters = _letters_summary(by_outcome, total.items)
    groups = []
    for spec in specs:
        rows = data["groups"][spec.summary_group]  # ordered: only what the table keeps is shaped
        if spec.group_limit:
            rows = rows[: spec.group_limit + 1]
        groups.append(_grouped(spec, [_summary_rate(spec, *row) for row in rows]))
    return Statistics(total=total, letters=letters, groups=groups)


def _summary_rate(spec: Dimension, value: str, items: int, overturned: int) -> Rate:
    return value_rate(spec, value, items, overturned)


def value_rate(spec: Dimension, value: str, items: int, overturned: int, every: int = 1) -> Rate:
    """The row of one value as the summaries spell it (a pair's values joined by RS), its
    label and browse filters, counted over the 1-in-``every`` sample (figures already scaled)."""
    parent = None
    if spec.within:
        parent, value = value.split(summaries.RS, 1)
    return _rate(spec, value, parent, items, overturned, every=every)


def _letters_summary(
    by_outcome: dict[str, int], items: int, *, estimated: bool = False
) -> LettersSummary:
    return LettersSummary(
        letters=sum(by_outcome.values()),
        upheld=by_outcome.get(LetterOutcome.UPHELD, 0),
        overturned=by_outcome.get(LetterOutcome.OVERTURNED, 0),
        partially_overturned=by_outcome.get(LetterOutcome.PARTIALLY_OVERTURNED, 0),
        items=items,
        estimated=estimated,
    )
