"""Time to decision: days from a letter's date assigned, and from its application received, to
its decision date, for the letters matching the browse filters (issue 18).

Counted per letter (``letters``: a public determination with at least one public item matching
the filters; grouped ``by`` a dimension, under each value its matching items carry; ``over`` a
period, under its decision date's). Per basis (``letters.BASES``) and group:

- ``letters``: the group's matching letters; ``known``: those whose days are known (both dates
  stated, the decision not before the start); ``not_computable``: both dates stated but the
  decision precedes the start (a wrong date: counted here, in no figure below); ``unknown``:
  a date missing. Days past ``letters.MAX_DAYS`` (365) count as 366 ("more than 365").
- ``median`` and ``p90``: nearest rank over the known letters: the smallest number of days d
  such that at least half (nine tenths) of them were decided in d days or fewer, i.e. the
  ``ceil(0.5 n)``-th (``ceil(0.9 n)``-th) smallest. Exact, a whole number of days.
- ``over_standard``: of the known letters not expedited (standard, or no priority stated),
  those decided in more than ``STANDARD_LIMIT`` (30) days; ``over_expedited``: of the known
  expedited letters, those decided in more than ``EXPEDITED_LIMIT`` (3) days. The limits are
  California Labor Code section 4610.6(d) (an IMR determination within 30 days of receipt of
  the request and its documents; expedited review within 3 days), measured here from the
  letter's stated dates.
- ``histogram``: known letters per ``choices.DecisionDays`` bucket (0-7, 8-14, 15-30, 31-45,
  46-90, over 90 days): the ``decision_days`` dimension's buckets.

Counted as ``letters.counted`` says (``PeriodDaysCount`` summaries, one pass over
``SummaryItem``, or live): medians and percentiles come exactly from the day-by-day counts.
Sampled counts are scaled up and marked estimated (their medians are the sample's).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import letters, stats
from .choices import DECISION_DAYS_BOUNDS, DecisionDays
from .dimensions import Dimension

STANDARD_LIMIT = 30  # days: Labor Code 4610.6(d), standard review
EXPEDITED_LIMIT = 3  # days: Labor Code 4610.6(d), expedited review
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}  # name -> fraction (numerator, denominator)


@dataclass(frozen=True)
class Basis:
    """One basis's figures for one group of letters (counts scaled up when sampled)."""

    name: str  # assigned | received
    letters: int  # the group's matching letters
    days: tuple[tuple[int, bool, int], ...]  # (days, expedited, letters), NOT_COMPUTABLE too

    def _sum(self, test) -> int:
        return sum(n for days, expedited, n in self.days if test(days, expedited))

    @property
    def known(self) -> int:
        return self._sum(lambda days, _: days >= 0)

    @property
    def not_computable(self) -> int:
        return self._sum(lambda days, _: days == letters.NOT_COMPUTABLE)

    @property
    def unknown(self) -> int:
        return self.letters - self.known - self.not_computable

    def percentile(self, numerator: int, denominator: int) -> int | None:
        """Nearest rank: the smallest d with (letters within d days) / known >= the fraction."""
        known, seen = self.known, 0
        counts: dict[int, int] = {}
        for days, _, n in self.days:
            if days >= 0:
                counts[days] = counts.get(days, 0) + n
        for days in sorted(counts):
            seen += counts[days]
            if seen * denominator >= numerator * known:
                return days
        return None

    @property
    def median(self) -> int | None:
        return self.percentile(*PERCENTILES["median"])

    @property
    def p90(self) -> int | None:
        return self.percentile(*PERCENTILES["p90"])

    @property
    def standard(self) -> int:
        return self._sum(lambda days, expedited: days >= 0 and not expedited)

    @property
    def over_standard(self) -> int:
        return self._sum(lambda days, expedited: days > STANDARD_LIMIT and not expedited)

    @property
    def expedited(self) -> int:
        return self._sum(lambda days, expedited: days >= 0 and expedited)

    @property
    def over_expedited(self) -> int:
        return self._sum(lambda days, expedited: days > EXPEDITED_LIMIT and expedited)

    @property
    def histogram(self) -> list[tuple[str, str, int]]:
        """``(bucket, label, letters)`` for every bucket, in order."""
        return [
            (value, label, self._sum(lambda days, _, a=first, b=last: a <= days <= (b or days)))
            for (value, label), (first, last) in zip(
                DecisionDays.choices, DECISION_DAYS_BOUNDS, strict=True
            )
        ]

    def as_dict(self) -> dict:
        return {
            "letters": self.letters,
            "known": self.known,
            "unknown": self.unknown,
            "not_computable": self.not_computable,
            "median_days": self.median,
            "p90_days": self.p90,
            "standard_letters": self.standard,
            "over_standard_limit": self.over_standard,
            "share_over_standard_limit": _share(self.over_standard, self.standard),
            "expedited_letters": self.expedited,
            "over_expedited_limit": self.over_expedited,
            "share_over_expedited_limit": _share(self.over_expedited, self.expedited),
            "histogram": [
                {"bucket": value, "label": label, "letters": n}
                for value, label, n in self.histogram
            ],
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Timing:
    """Time to decision of one group of letters: a period, a value, both, or all of them."""

    letters: int
    assigned: Basis
    received: Basis
    period: str | None = None
    row: stats.Rate | None = None  # the value's label and browse filters (grouped ``by``)
    sample_every: int = 1

    @property
    def estimated(self) -> bool:
        return self.sample_every > 1

    @property
    def label(self) -> str:
        return self.row.label if self.row is not None else (self.period or "All matching letters")

    def as_dict(self) -> dict:
        data: dict = {}
        if self.period is not None:
            data["period"] = self.period
        if self.row is not None:
            data.update(value=self.row.value, label=self.row.label, filters=dict(self.row.params))
        data.update(
            letters=self.letters,
            estimated=self.estimated,
            assigned=self.assigned.as_dict(),
            received=self.received.as_dict(),
        )
        return data


@dataclass(frozen=True)
class TimingTable:
    """Time to decision by period and/or by a dimension's values, and over all of them."""

    dimension: Dimension | None
    over: str | None
    total: Timing  # every matching letter, dated or not
    rows: list[Timing]  # by period (in order), then value (largest first; years in order)
    undated: int  # matching letters without a decision date (in no period)
    truncated: bool  # only the dimension's largest values (``group_limit``)

    @property
    def estimated(self) -> bool:
        return self.total.estimated

    def as_dict(self) -> dict:
        return {
            "by": self.dimension.name if self.dimension else None,
            "over": self.over,
            "letters": self.total.as_dict(),
            "undated_letters": self.undated,
            "truncated": self.truncated,
            "estimated": self.estimated,
            "rows": [row.as_dict() for row in self.rows],
        }


def _groups(found: letters.Counted) -> dict[tuple, Timing]:
    """One ``Timing`` per (period, value) of what was counted (rows unlabelled)."""
    counts: dict[tuple, int] = {}
    for period, value, _, n in found.outcomes:
        counts[(period, value)] = counts.get((period, value), 0) + n
    days: dict[tuple, dict[str, list]] = {}
    for period, value, basis, amount, expedited, n in found.days:
        days.setdefault((period, value), {}).setdefault(basis, []).append(
            (amount, bool(expedited), n)
        )
    groups = {}
    for key, n in counts.items():
        bases = days.get(key, {})
        groups[key] = Timing(
            n,
            *(Basis(name, n, tuple(bases.get(name, ()))) for name in letters.BASES),
            period=key[0],
            sample_every=found.every,
        )
    return groups


def _empty(every: int = 1) -> Timing:
    return Timing(0, *(Basis(name, 0, ()) for name in letters.BASES), sample_every=every)


def summary(filterset, *, plan) -> Timing:
    """Time to decision of every letter matching a valid filter set, counted as ``plan`` says."""
    found = letters.counted(filterset, None, None, plan=plan)
    return _groups(found).get((None, None)) or _empty(found.every)


def table(filterset, by: str | None = None, over: str | None = None, *, plan) -> TimingTable:
    """Time to decision by ``over`` (year, quarter, month of the decision date) and/or ``by``
    (a registered dimension: a letter under each value its matching items carry)."""
    spec = stats.dimension_for(by) if by else None
    totals = letters.counted(filterset, None, over, plan=plan)
    by_period = _groups(totals)
    if over is None:
        total = by_period.get((None, None)) or _empty(totals.every)
        undated = 0
    else:
        total = _merged(list(by_period.values()), totals.every)
        undated = by_period[(None, None)].letters if (None, None) in by_period else 0
    if spec is None:
        rows = [by_period[key] for key in sorted(k for k in by_period if k[0] is not None)]
        return TimingTable(None, over, total, rows, undated, truncated=False)
    grouped = _groups(letters.counted(filterset, spec, over, plan=plan))
    sizes: dict[str, int] = {}
    for (_, value), timing in grouped.items():
        sizes[value] = sizes.get(value, 0) + timing.letters
    ranked = sorted(sizes, key=lambda v: (-sizes[v], v))
    kept = set(ranked[: spec.group_limit] if spec.group_limit else ranked)

    def order(key):
        period, value = key
        return (period or "", value if spec.by_value else (-sizes[value], value))

    rows = []
    for key in sorted((k for k in grouped if k[1] in kept and (over is None or k[0])), key=order):
        timing = grouped[key]
        row = stats.value_rate(spec, key[1], 0, 0)
        rows.append(_labelled(timing, row))
    return TimingTable(spec, over, total, rows, undated, truncated=len(kept) < len(ranked))


def _labelled(timing: Timing, row: stats.Rate) -> Timing:
    return Timing(
        timing.letters,
        timing.assigned,
        timing.received,
        period=timing.period,
        row=row,
        sample_every=timing.sample_every,
    )


def _merged(groups: list[Timing], every: int) -> Timing:
    """One ``Timing`` of disjoint groups (the periods and the undated letters)."""
    if not groups:
        return _empty(every)
    n = sum(group.letters for group in groups)
    bases = [
        Basis(name, n, tuple(d for group in groups for d in getattr(group, name).days))
        for name in letters.BASES
    ]
    return Timing(n, *bases, sample_every=every)
