"""Letter-level counts over the browse filters: letter outcomes and days to decision.

A *matching letter* is a public determination with at least one public item matching the
filters (the letters the statistics page counts). Grouped ``by`` a dimension, a letter counts
under each value its matching items carry (once per value); ``over`` a period, under its
decision date's year, quarter or month (letters without a decision date are in no period:
``period`` None). Each letter brings its own outcome (upheld, overturned, partially
overturned, '' for none), whether it is expedited, and its days to decision on each basis of
``BASES`` (``days_sql``: unknown when a date is missing, ``NOT_COMPUTABLE`` when the decision
precedes the start, capped at ``OVER_MAX``).

Counted one of three ways, as the plan says (``plans.plan_for``), each giving its outcome
rows and, from its day-by-day counts, the figures per (period, value, basis) and over every
group, computed by the database in the same statement (``day_figures.letter_rows_sql``, one
builder for the three: a few hundred rows come back where a month-by-month table has ~10^4
day-by-day counts):

- ``summaries.letter_period_rows``: ``PeriodLetterCount`` (letters per month, facet value and
  outcome) and ``PeriodDaysCount`` (letters per month, facet value, basis, days and expedited),
  with ``FacetLetterCount`` for the undated letters: no filter or one value of a year or of
  ``summaries.PERIOD_KEYS``, grouped by nothing or (no filter or a year) by a ``PERIOD_KEYS``
  dimension, no search, summaries fresh: exact.
- one pass over ``SummaryItem`` (its ``days_assigned``/``days_received`` columns), other
  filters without a search while the summaries are fresh: first over the coarsest sample,
  then as ``plan.sample_for`` chooses (letters sampled whole by id, figures scaled up, marked
  estimated);
- live over the items joined to their letters (a search, stale summaries, ``exact=true``).
"""

from __future__ import annotations

from dataclasses import dataclass

from imr_archive.db_router import read_connection

from . import day_figures, sampling, stats, summaries
from . import dimensions as registry
from .choices import DECISION_DAYS_BOUNDS, LetterOutcome, Priority
from .crosstab import value_sql
from .dimensions import Dimension
from .models import Determination, SummaryItem

# The bases, the clipping and the days' SQL are the summaries' (SummaryItem stores the days).
BASES = summaries.DAYS_BASES
MAX_DAYS, OVER_MAX, NOT_COMPUTABLE = (
    summaries.MAX_DAYS,
    summaries.OVER_MAX,
    summaries.NOT_COMPUTABLE,
)
days_sql = summaries.days_sql


@dataclass(frozen=True)
class Days:
    """One basis's figures of one group's days (``day_figures``; counts scaled up by ``every``,
    ``median`` and ``p90`` the sample's)."""

    known: int = 0
    not_computable: int = 0
    standard: int = 0
    over_standard: int = 0
    expedited: int = 0
    over_expedited: int = 0
    median: int | None = None
    p90: int | None = None
    histogram: tuple[int, ...] = (0,) * len(DECISION_DAYS_BOUNDS)


@dataclass(frozen=True)
class Counted:
    """What a letter-level table is made from (counts already scaled up by ``every``).

    ``outcomes``: ``(period, value, outcome, letters)``, every matching letter once per group;
    ``figures``: ``(period, value) -> basis -> Days``, over the letters whose days on that
    basis are known or ``NOT_COMPUTABLE`` (the rest are unknown), and under ``TOTAL`` over
    every group (counted ungrouped only). ``value`` is None when not grouped ``by``, ``period``
    None without ``over`` or for undated letters.
    """

    outcomes: list[tuple]
    figures: dict[tuple, dict[str, Days]]
    every: int = 1

    @property
    def estimated(self) -> bool:
        return self.every > 1


TOTAL = ("*", "*")  # ``Counted.figures``' key of the figures over every group


def _counted(outcomes, figure_rows, every: int) -> Counted:
    """``Counted`` from ``day_figures.letter_rows_sql``'s figures rows, scaled up by ``every``."""
    figures: dict[tuple, dict[str, Days]] = {}
    names = {basis[0]: basis for basis in BASES}
    for kind, period, value, _, known, total, *counts, median, p90, histogram in figure_rows:
        scaled = [n * every for n in (known, *counts)]
        key = TOTAL if total else (period, value)
        days = Days(*scaled, median, p90, tuple(n * every for n in histogram))
        figures.setdefault(key, {})[names[kind[0]]] = days
    return Counted(outcomes, figures, every)


def counted(filterset, spec: Dimension | None, over: str | None, *, plan) -> Counted:
    """Letter outcomes and days of the letters matching a valid filter set, as ``plan`` says."""
    found = None
    if plan.key is not None and summaries.has_letter_periods(plan.key, spec):
        found = summaries.letter_period_rows(plan.key, spec and spec.summary_group, over)
        if found is not None:
            plan.note("letters", "summaries")
            return _counted(*found, every=1)
    if not plan.searching:
        found = _summary_item_pass(filterset, spec, over, plan)
    return found if found is not None else _live(filterset, spec, over, plan)


def _counting_sql(rows: str, spec: Dimension | None) -> str:
    """Both tables over ``rows`` (a SELECT of ``l`` letter, ``v`` value or array, ``dd`` its
    decision date, ``a``/``r`` days, ``e`` expedited, ``o`` outcome, one row or more per
    letter): ``day_figures.letter_rows_sql`` (outcome rows of kind ``o``, figures rows of kind
    the basis's first letter). Its one parameter is the period's
    format (after those of ``rows``)."""
    if spec is not None and spec.is_array:
        source, value = "m CROSS JOIN LATERAL (SELECT DISTINCT unnest(m.v)) AS u(x)", "u.x"
    else:
        source, value = "m", "m.v"
    keep = f" WHERE {value} IS NOT NULL" if spec is not None else ""
    ctes = (
        f"m AS MATERIALIZED ({rows}), "  # noqa: S608 (names from the code)
        f"g AS MATERIALIZED (SELECT DISTINCT m.l, to_char(m.dd, %s::text) AS p, "
        f"{value}::text AS x, m.a, m.r, m.e, m.o FROM {source}{keep})"
    )
    outcomes = "SELECT 'o', p, x, o, count(*) FROM g GROUP BY p, x, o"
    days = " UNION ALL ".join(
        f"SELECT '{basis[0]}', p, x, {basis[0]}, e, count(*) FROM g "  # noqa: S608
        f"WHERE {basis[0]} IS NOT NULL GROUP BY p, x, {basis[0]}, e"
        for basis in BASES
    )
    return day_figures.letter_rows_sql(outcomes, days, total=spec is None, ctes=ctes)


def _split(rows, every: int) -> Counted:
    outcomes, figures = [], []
    for row in rows:
        if row[0] == "o":
            outcomes.append((row[1], row[2], row[3], row[4] * every))
        else:
            figures.append(row)
    return _counted(outcomes, figures, every)


def _summary_item_pass(filterset, spec, over, plan) -> Counted | None:
    """Counted in one pass over ``SummaryItem`` (None while the summaries are stale)."""
    active = filterset.active
    tests, test_params = summaries.item_condition(active)
    date_tests, date_params = summaries.range_condition(active)
    table = SummaryItem._meta.db_table
    value = f'"{spec.summary_group}"' if spec is not None else "NULL::text"
    fmt = summaries.PERIOD_FORMATS.get(over)

    def count(every: int | None) -> Counted | None:
        rows = (
            f"SELECT letter AS l, {value} AS v, decision_date AS dd, days_assigned AS a, "  # noqa: S608
            f"days_received AS r, priority = '{Priority.EXPEDITED}' AS e, "
            f"determination_outcome AS o FROM {table} WHERE {summaries.FRESH} AND letter_public"
            f"{sampling.condition('letter', every)}{tests}{date_tests}"
        )
        params = [*test_params, *date_params, fmt]
        found = summaries.fresh_rows(_counting_sql(rows, spec), params, day_figures.WIDTH)
        return None if found is None else _split(found, every or 1)

    every = sampling.LEVELS[0] if plan.estimates else None

    def scanned() -> int:
        return sampling.table_rows(table)

    if every is not None and plan.key is not None:
        # One filter value: the summaries know its letters, so the sample is chosen without a
        # first pass over the coarsest one (a compare page made four passes for its two).
        letters = summaries.letter_total(plan.key)
        if letters is None:
            return None
        every = plan.sample_for(round(letters / every), scanned=scanned)
        found = count(every)
    else:
        found = count(every)
        if found is not None and every is not None:
            letters = sum(row[3] for row in found.outcomes) // every
            chosen = plan.sample_for(letters, scanned=scanned)
            if chosen != every:
                every, found = chosen, count(chosen)
    if found is None:
        return None
    plan.note("letters", f"SummaryItem, sample 1/{every}" if every else "SummaryItem, all rows")
    return found


def _live(filterset, spec, over, plan) -> Counted:
    """Counted live over the matching items and their letters (a search with very many hits
    over a sample of the letters)."""
    items = stats.filtered_items(filterset)
    every = None
    if plan.estimates and plan.searching:
        every = plan.sample_for(plan.rows_in_coarsest(items))
    columns = {"determination_id"}
    if spec is not None:
        columns.add(spec.column)
        if spec.within:
            columns.add(registry.BY_NAME[spec.within].column)
    sampled = sampling.sampled(items, every).order_by().values(*sorted(columns))
    inner, params = sampled.query.sql_with_params()
    value = value_sql(spec, "s") if spec is not None else "NULL::text"
    days = ", ".join(
        f"{days_sql(f'd.{start}', 'd.decision_date')} AS {basis[0]}"
        for basis, (start, _) in BASES.items()
    )
    rows = (
        f"SELECT s.determination_id AS l, {value} AS v, d.decision_date AS dd, {days}, "  # noqa: S608
        f"d.priority = '{Priority.EXPEDITED}' AS e, coalesce(d.outcome, '') AS o "
        f"FROM ({inner}) AS s JOIN {Determination._meta.db_table} d "
        f"ON d.id = s.determination_id AND d.withdrawn_at IS NULL"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(_counting_sql(rows, spec), [*params, summaries.PERIOD_FORMATS.get(over)])
        found = _split(cursor.fetchall(), every or 1)
    plan.note("letters", f"live, sample 1/{every}" if every else "live")
    return found


@dataclass(frozen=True)
class Group:
    """What was counted for one group (a period, a value, both, or all matching letters)."""

    period: str | None
    row: stats.Rate | None  # the value's label and browse filters (None: not grouped)
    outcomes: tuple[tuple[str, int], ...]  # (letter outcome, letters)
    figures: dict[str, Days]  # basis -> its figures (none: no known days on that basis)
    every: int = 1

    @property
    def letters(self) -> int:
        return sum(n for _, n in self.outcomes)

    @property
    def estimated(self) -> bool:
        return self.every > 1

    @property
    def label(self) -> str:
        return self.row.label if self.row else (self.period or "All matching letters")

    def identity(self) -> dict:
        """The JSON keys naming the group: its period, value, label and browse filters."""
        data: dict = {}
        if self.period is not None:
            data["period"] = self.period
        if self.row is not None:
            data.update(value=self.row.value, label=self.row.label, filters=dict(self.row.params))
        return data


@dataclass(frozen=True)
class Grouped:
    """A letter-level table's groups: every matching letter, and each period and/or value."""

    dimension: Dimension | None
    over: str | None
    total: Group  # every matching letter, dated or not
    rows: list[Group]  # by period (in order), then value (largest first; years in order)
    undated: int  # matching letters without a decision date (in no period; 0 without over)
    truncated: bool  # only the dimension's largest values (``group_limit``)

    @property
    def estimated(self) -> bool:
        return self.total.every > 1

    def as_dict(self, figures) -> dict:
        """The table as JSON, each group's ``figures(group)`` (a dict) after its identity."""
        return {
            "by": self.dimension.name if self.dimension else None,
            "over": self.over,
            "letters": figures(self.total),
            "undated_letters": self.undated,
            "truncated": self.truncated,
            "estimated": self.estimated,
            "rows": [{**group.identity(), **figures(group)} for group in self.rows],
        }


def _by_key(found: Counted) -> dict[tuple, Group]:
    outcomes: dict[tuple, list] = {}
    for period, value, outcome, n in found.outcomes:
        outcomes.setdefault((period, value), []).append((outcome, n))
    return {
        key: Group(key[0], None, tuple(found_), found.figures.get(key, {}), found.every)
        for key, found_ in outcomes.items()
    }


def grouped(filterset, by: str | None, over: str | None, *, plan) -> Grouped:
    """The matching letters by ``over`` (year, quarter, month of the decision date) and/or
    ``by`` (a registered dimension: a letter under each value its matching items carry). The
    total's figures are the database's over every period (``TOTAL``), not merged here."""
    spec = stats.dimension_for(by) if by else None
    found = counted(filterset, None, over, plan=plan)
    totals = _by_key(found)
    merged = Group(
        None,
        None,
        tuple(o for group in totals.values() for o in group.outcomes),
        found.figures.get(TOTAL, {}),
        found.every if totals else 1,
    )
    undated = totals[(None, None)].letters if over and (None, None) in totals else 0
    if spec is None:
        rows = [totals[key] for key in sorted(k for k in totals if k[0] is not None)]
        return Grouped(None, over, merged, rows, undated, truncated=False)
    groups = _by_key(counted(filterset, spec, over, plan=plan))
    sizes: dict[str, int] = {}
    for (_, value), group in groups.items():
        sizes[value] = sizes.get(value, 0) + group.letters
    ranked = sorted(sizes, key=lambda v: (-sizes[v], v))
    kept = set(ranked[: spec.group_limit] if spec.group_limit else ranked)

    def order(key):
        period, value = key
        return (period or "", value if spec.by_value else (-sizes[value], value))

    wanted = (k for k in groups if k[1] in kept and (over is None or k[0] is not None))
    rows = []
    for key in sorted(wanted, key=order):
        group = groups[key]
        row = stats.value_rate(spec, key[1], 0, 0)
        rows.append(Group(group.period, row, group.outcomes, group.figures, group.every))
    return Grouped(spec, over, merged, rows, undated, truncated=len(kept) < len(ranked))


@dataclass(frozen=True)
class Outcomes:
    """Letter outcomes of one group: fully upheld, fully overturned, partially overturned."""

    group: Group

    def _count(self, outcome: str) -> int:
        return sum(n for o, n in self.group.outcomes if o == outcome)

    @property
    def letters(self) -> int:
        return self.group.letters

    @property
    def upheld(self) -> int:
        return self._count(LetterOutcome.UPHELD)

    @property
    def overturned(self) -> int:
        return self._count(LetterOutcome.OVERTURNED)

    @property
    def partially_overturned(self) -> int:
        return self._count(LetterOutcome.PARTIALLY_OVERTURNED)

    @property
    def without_outcome(self) -> int:
        return self.letters - self.upheld - self.overturned - self.partially_overturned

    @property
    def label(self) -> str:
        return self.group.label

    def share(self, part: int) -> float | None:
        return part / self.letters if self.letters else None

    def as_dict(self) -> dict:
        data = {"letters": self.letters}
        for name in OUTCOME_NAMES:
            data[name] = getattr(self, name)
            data[f"{name}_share"] = self.share(getattr(self, name))
        data.update(without_outcome=self.without_outcome, estimated=self.group.estimated)
        return data


OUTCOME_NAMES = ("upheld", "overturned", "partially_overturned")


@dataclass(frozen=True)
class OutcomeTable:
    """Letter outcomes by period and/or by a dimension's values, and over all of them."""

    grouped: Grouped

    @property
    def total(self) -> Outcomes:
        return Outcomes(self.grouped.total)

    @property
    def rows(self) -> list[Outcomes]:
        return [Outcomes(group) for group in self.grouped.rows]

    @property
    def estimated(self) -> bool:
        return self.grouped.estimated

    def as_dict(self) -> dict:
        return self.grouped.as_dict(lambda group: Outcomes(group).as_dict())


def outcomes(filterset, by: str | None = None, over: str | None = None, *, plan) -> OutcomeTable:
    """Letter outcomes of the letters matching a valid filter set, by ``over`` and/or ``by``."""
    return OutcomeTable(grouped(filterset, by, over, plan=plan))
