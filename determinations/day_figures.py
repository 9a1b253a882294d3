"""Time-to-decision figures per group, computed in SQL from day-by-day letter counts.

A month-by-month table at archive size counts ~10^4 (period, basis, days, expedited) rows; the
figures of ``timing.Basis`` need only one row per (period, value, basis), so the database
computes them (``letter_rows_sql``) and Python reads a few hundred rows. The definitions are
``timing``'s: ``known`` the letters with days >= 0, ``not_computable`` those with negative days
(``summaries.NOT_COMPUTABLE``), the limits below, ``median`` and ``p90`` by nearest rank (the
smallest d whose cumulative count c satisfies ``c * denominator >= numerator * known``, window
sums over the days in order), and the histogram per ``choices.DECISION_DAYS_BOUNDS`` bucket.
"""

from __future__ import annotations

from .choices import DECISION_DAYS_BOUNDS

STANDARD_LIMIT = 30  # days: Labor Code 4610.6(d), standard review
EXPEDITED_LIMIT = 3  # days: Labor Code 4610.6(d), expedited review
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # name -> fraction (numerator, denominator)

# The columns of ``letter_rows_sql``'s rows, in order: an outcome row fills the first five
# (kind 'o' or as its caller says, period, value, outcome, letters), a figures row all of them
# (kind its basis, period, value, NULL, known, then the rest; ``total`` true for the row over
# every period and value).
COLUMNS = (
    "kind",
    "period",
    "value",
    "outcome",
    "letters",
    "total",
    "not_computable",
    "standard",
    "over_standard",
    "expedited",
    "over_expedited",
    "median",
    "p90",
    "histogram",
)
WIDTH = len(COLUMNS)


def _histogram_sql() -> str:
    buckets = []
    for first, last in DECISION_DAYS_BOUNDS:
        test = f"d >= {first}" + (f" AND d <= {last}" if last is not None else "")
        buckets.append(f"coalesce(sum(n) FILTER (WHERE {test}), 0)")
    return f"ARRAY[{', '.join(buckets)}]::bigint[]"


def _figures_sql() -> str:
    def count(test: str, column: str = "n") -> str:
        return f"coalesce(sum({column}) FILTER (WHERE {test}), 0)::bigint"

    percentiles = ", ".join(
        f"min(d) FILTER (WHERE d >= 0 AND cum * {den} >= {num} * known)"
        for num, den in PERCENTILES.values()
    )
    return (
        f"coalesce(max(known), 0)::bigint, t, {count('d < 0')}, "
        f"{count('d >= 0', 'n - ne')}, {count(f'd > {STANDARD_LIMIT}', 'n - ne')}, "
        f"{count('d >= 0', 'ne')}, {count(f'd > {EXPEDITED_LIMIT}', 'ne')}, "
        f"{percentiles}, {_histogram_sql()}"
    )


def letter_rows_sql(
    outcomes: str, days: str, *, total: bool, ctes: str = "", period: str = "p::text"
) -> str:
    """One statement of a letter-level table's rows (``COLUMNS``): the rows of ``outcomes`` (a
    SELECT of kind, period, value, outcome, letters) as they are, and the figures of ``days``
    (a SELECT of basis, period, value, days, expedited, letters: the day-by-day counts) per
    (basis, period, value) and, with ``total``, per basis over all of them. ``ctes``: the
    common table expressions both SELECTs read (their parameters come first, then those of
    ``days``, then those of ``outcomes``). ``period``: the figures rows' period text from
    ``days``'s period ``p`` (from the code, no parameters): ``days`` may group by a date and
    format only the few rows that come out (10^4 rows' ``to_char`` and text sorts were a
    quarter of a month-by-month table's time at 2 M letters)."""
    if total:
        flag, groups = "GROUPING(p, x) <> 0", "GROUPING SETS ((k, p, x, d), (k, d))"
    else:
        flag, groups = "false", "k, p, x, d"
    pad = ", ".join(f"NULL::{kind}" for kind in _FIGURE_TYPES)
    return (
        f"{_with(ctes, days)}, "  # noqa: S608 (SQL from the code)
        f"per_day AS (SELECT k, p, x, {flag} AS t, d, sum(n)::bigint AS n, "
        f"coalesce(sum(n) FILTER (WHERE e), 0)::bigint AS ne FROM days_in GROUP BY {groups}), "
        f"ranked AS (SELECT per_day.*, "
        f"sum(n) FILTER (WHERE d >= 0) OVER (PARTITION BY k, p, x, t ORDER BY d) AS cum, "
        f"sum(n) FILTER (WHERE d >= 0) OVER (PARTITION BY k, p, x, t) AS known FROM per_day) "
        f"SELECT k::text, {period}, x::text, NULL::text, {_figures_sql()} "
        f"FROM ranked GROUP BY k, p, x, t "
        f"UNION ALL SELECT o.*, {pad} FROM ({outcomes}) AS o(k, p, x, oc, n)"
    )


def _with(ctes: str, days: str) -> str:
    return f"WITH {ctes + ', ' if ctes else ''}days_in(k, p, x, d, e, n) AS ({days})"


_FIGURE_TYPES = ("boolean", *["bigint"] * 7, "bigint[]")
