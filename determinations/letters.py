"""Letter-level counts over the browse filters: letter outcomes and days to decision.

A *matching letter* is a public determination with at least one public item matching the
filters (the letters the statistics page counts). Grouped ``by`` a dimension, a letter counts
under each value its matching items carry (once per value); ``over`` a period, under its
decision date's year, quarter or month (letters without a decision date are in no period:
``period`` None). Each letter brings its own outcome (upheld, overturned, partially
overturned, '' for none), whether it is expedited, and its days to decision on each basis of
``BASES`` (``days_sql``: unknown when a date is missing, ``NOT_COMPUTABLE`` when the decision
precedes the start, capped at ``OVER_MAX``).

Counted one of three ways, as the plan says (``plans.plan_for``):

- ``summaries.letter_period_rows``: ``PeriodLetterCount`` (letters per month, facet value and
  outcome) and ``PeriodDaysCount`` (letters per month, facet value, basis, days and expedited),
  with ``FacetLetterCount`` for the undated letters: no filter or one value of a year or of
  ``summaries.PERIOD_KEYS``, grouped by nothing or (no filter or a year) by a ``PERIOD_KEYS``
  dimension, no search, summaries fresh. A few thousand rows: exact, milliseconds.
- one pass over ``SummaryItem`` (its ``days_assigned``/``days_received`` columns), other
  filters without a search while the summaries are fresh: first over the coarsest sample,
  then as ``plan.sample_for`` chooses (letters sampled whole by id, figures scaled up, marked
  estimated);
- live over the items joined to their letters (a search, stale summaries, ``exact=true``).
"""

from __future__ import annotations

from dataclasses import dataclass

from imr_archive.db_router import read_connection

from . import dimensions as registry
from . import sampling, stats, summaries
from .choices import Priority
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
class Counted:
    """What a letter-level table is made from (counts already scaled up by ``every``).

    ``outcomes``: ``(period, value, outcome, letters)``, every matching letter once per group;
    ``days``: ``(period, value, basis, days, expedited, letters)``, letters whose days on that
    basis are known or ``NOT_COMPUTABLE`` (the rest are unknown). ``value`` is None when not
    grouped ``by``, ``period`` None without ``over`` or for undated letters.
    """

    outcomes: list[tuple]
    days: list[tuple]
    every: int = 1

    @property
    def estimated(self) -> bool:
        return self.every > 1


def counted(filterset, spec: Dimension | None, over: str | None, *, plan) -> Counted:
    """Letter outcomes and days of the letters matching a valid filter set, as ``plan`` says."""
    found = None
    if plan.key is not None and summaries.has_letter_periods(plan.key, spec):
        found = summaries.letter_period_rows(plan.key, spec and spec.summary_group, over)
        if found is not None:
            plan.note("letters", "summaries")
            return Counted(*found)
    if not plan.searching:
        found = _summary_item_pass(filterset, spec, over, plan)
    return found if found is not None else _live(filterset, spec, over, plan)


def _counting_sql(rows: str, spec: Dimension | None) -> str:
    """Both tables over ``rows`` (a SELECT of ``l`` letter, ``v`` value or array, ``dd`` its
    decision date, ``a``/``r`` days, ``e`` expedited, ``o`` outcome, one row or more per
    letter): ``(kind, period, value, outcome, days, expedited, letters)``, kind ``o`` an
    outcome row, else the basis's first letter. Its one parameter is the period's format."""
    if spec is not None and spec.is_array:
        source, value = "m CROSS JOIN LATERAL (SELECT DISTINCT unnest(m.v)) AS u(x)", "u.x"
    else:
        source, value = "m", "m.v"
    keep = f" WHERE {value} IS NOT NULL" if spec is not None else ""
    sql = (
        f"WITH m AS MATERIALIZED ({rows}), "  # noqa: S608 (names from the code)
        f"g AS MATERIALIZED (SELECT DISTINCT m.l, to_char(m.dd, %s::text) AS p, "
        f"{value}::text AS x, m.a, m.r, m.e, m.o FROM {source}{keep}) "
        f"SELECT 'o', p, x, o, NULL::integer, NULL::boolean, count(*) FROM g GROUP BY p, x, o"
    )
    for basis in BASES:
        column = basis[0]
        sql += (
            f" UNION ALL SELECT '{column}', p, x, NULL, {column}, e, count(*) FROM g "  # noqa: S608
            f"WHERE {column} IS NOT NULL GROUP BY p, x, {column}, e"
        )
    return sql


def _split(rows, every: int) -> Counted:
    outcomes, days = [], []
    names = {basis[0]: basis for basis in BASES}
    for kind, period, value, outcome, amount, expedited, letters in rows:
        if kind == "o":
            outcomes.append((period, value, outcome, letters * every))
        else:
            days.append((period, value, names[kind], amount, expedited, letters * every))
    return Counted(outcomes, days, every)


def _summary_item_pass(filterset, spec, over, plan) -> Counted | None:
    """Counted in one pass over ``SummaryItem`` (None while the summaries are stale)."""
    active = filterset.active
    names = [name for name in summaries.ITEM_TESTS if name in active]
    tests = "".join(f" AND {summaries.ITEM_TESTS[name]}" for name in names)
    test_params = [[str(value) for value in active[name]] for name in names]
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
        found = summaries.fresh_rows(
            _counting_sql(rows, spec), [*test_params, *date_params, fmt], 7
        )
        return None if found is None else _split(found, every or 1)

    every = sampling.LEVELS[0] if plan.estimates else None
    found = count(every)
    if found is not None and every is not None:
        letters = sum(row[3] for row in found.outcomes) // every
        chosen = plan.sample_for(letters, scanned=lambda: sampling.table_rows(table))
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
        every = plan.sample_for(sampling.rows_in_coarsest(items))
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
