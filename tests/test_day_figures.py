"""The SQL figures of day-by-day counts (``day_figures``) against a plain Python computation."""

import random

import pytest
from django.db import connection

from determinations import day_figures, letters
from determinations.choices import DECISION_DAYS_BOUNDS

pytestmark = pytest.mark.django_db

NO_OUTCOMES = "SELECT 'o', NULL::text, NULL::text, NULL::text, 0::bigint WHERE false"


def nearest_rank(days: list[int], numerator: int, denominator: int) -> int | None:
    """The ceil(n * fraction)-th smallest of ``days`` (None: empty)."""
    if not days:
        return None
    rank = -(-len(days) * numerator // denominator)
    return sorted(days)[rank - 1]


def by_hand(rows: list[tuple]) -> tuple:
    """The figures of (days, expedited, letters) rows, letter by letter."""
    each = [(d, e) for d, e, n in rows for _ in range(n)]
    known = [d for d, _ in each if d >= 0]
    standard = [d for d, e in each if d >= 0 and not e]
    expedited = [d for d, e in each if d >= 0 and e]
    histogram = [
        sum(1 for d in known if first <= d and (last is None or d <= last))
        for first, last in DECISION_DAYS_BOUNDS
    ]
    return (
        len(known),
        sum(1 for d, _ in each if d == letters.NOT_COMPUTABLE),
        len(standard),
        sum(1 for d in standard if d > day_figures.STANDARD_LIMIT),
        len(expedited),
        sum(1 for d in expedited if d > day_figures.EXPEDITED_LIMIT),
        nearest_rank(known, 1, 2),
        nearest_rank(known, 9, 10),
        histogram,
    )


def in_sql(rows: list[tuple], *, total: bool) -> dict:
    """``letter_rows_sql`` over (basis, period, value, days, expedited, letters) rows."""
    values = ", ".join(
        ["(%s::text, %s::text, %s::text, %s::integer, %s::boolean, %s::bigint)"] * len(rows)
    )
    sql = day_figures.letter_rows_sql(
        NO_OUTCOMES,
        f"SELECT * FROM (VALUES {values}) AS v",  # noqa: S608 (placeholders only)
        total=total,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        found = cursor.fetchall()
    assert all(len(row) == day_figures.WIDTH for row in found)
    return {
        ("*" if row[5] else row[1], row[2], row[0]): (*row[4:5], *row[6:13], list(row[13]))
        for row in found
    }


EDGES = {
    "none known": [(-1, False, 3)],
    "one letter": [(12, True, 1)],
    "ties at the median": [(5, False, 2), (5, True, 2), (9, False, 1), (1, False, 1)],
    "an even count": [(2, False, 1), (4, False, 1)],
    "over the maximum": [(letters.OVER_MAX, False, 4), (30, False, 1), (31, False, 1)],
    "expedited only": [(3, True, 2), (4, True, 1), (-1, True, 1)],
}


def test_the_edge_cases_equal_the_letter_by_letter_figures():
    rows = [
        ("assigned", period, None, d, e, n) for period, days in EDGES.items() for d, e, n in days
    ]
    found = in_sql(rows, total=False)
    assert set(found) == {(period, None, "assigned") for period in EDGES}
    for period, days in EDGES.items():
        assert found[(period, None, "assigned")] == by_hand(days), period
    assert found[("none known", None, "assigned")][:2] == (0, 3)
    assert found[("none known", None, "assigned")][6:8] == (None, None)
    assert found[("ties at the median", None, "assigned")][6] == 5  # 1, 5, 5, 5, 5, 9: the 3rd
    assert found[("an even count", None, "assigned")][6] == 2  # the 1st of 2, not between


@pytest.mark.parametrize("seed", range(5))
def test_random_day_counts_equal_the_letter_by_letter_figures(seed):
    rng = random.Random(seed)
    groups = [(p, v) for p in ("2019-01", "2019-02", None) for v in ("a", "b")]
    counts: dict[tuple, int] = {}
    for _ in range(rng.randint(1, 300)):
        basis = rng.choice(list(letters.BASES))
        period, value = rng.choice(groups)
        days = rng.choice([-1, letters.OVER_MAX, rng.randint(0, 120), rng.randint(0, 10)])
        key = (basis, period, value, days, rng.random() < 0.3)
        counts[key] = counts.get(key, 0) + rng.randint(1, 4)
    rows = [(*key, n) for key, n in counts.items()]
    rows += [(b, p, v, d, e, 1) for b, p, v, d, e, _ in rows[:10]]  # repeated rows add up
    found = in_sql(rows, total=True)
    expected = {}
    for basis, period, value, d, e, n in rows:
        expected.setdefault((period, value, basis), []).append((d, e, n))
        expected.setdefault(("*", None, basis), []).append((d, e, n))
    assert set(found) == set(expected)
    for key, days in expected.items():
        assert found[key] == by_hand(days), key
