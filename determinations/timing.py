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
  letter's stated dates (the limits are declared in ``day_figures``).
- ``histogram``: known letters per ``choices.DecisionDays`` bucket (0-7, 8-14, 15-30, 31-45,
  46-90, over 90 days): the ``decision_days`` dimension's buckets.

Counted as ``letters.counted`` says (``PeriodDaysCount`` summaries, one pass over
``SummaryItem``, or live), every figure computed in SQL from the day-by-day counts
(``day_figures``): exact, whole days.
Sampled counts are scaled up and marked estimated (their medians are the sample's).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import letters, stats
from .choices import DecisionDays
from .dimensions import Dimension


@dataclass(frozen=True)
class Basis:
    """One basis's figures for one group of letters (counts scaled up when sampled)."""

    name: str  # assigned | received
    letters: int  # the group's matching letters
    figures: letters.Days  # computed in SQL (``day_figures``)

    @property
    def known(self) -> int:
        return self.figures.known

    @property
    def not_computable(self) -> int:
        return self.figures.not_computable

    @property
    def unknown(self) -> int:
        return self.letters - self.known - self.not_computable

    @property
    def median(self) -> int | None:
        return self.figures.median

    @property
    def p90(self) -> int | None:
        return self.figures.p90

    @property
    def standard(self) -> int:
        return self.figures.standard

    @property
    def over_standard(self) -> int:
        return self.figures.over_standard

    @property
    def expedited(self) -> int:
        return self.figures.expedited

    @property
    def over_expedited(self) -> int:
        return self.figures.over_expedited

    @property
    def histogram(self) -> list[tuple[str, str, int]]:
        """``(bucket, label, letters)`` for every bucket, in order."""
        return [
            (value, label, n)
            for (value, label), n in zip(DecisionDays.choices, self.figures.histogram, strict=True)
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
            "share_over_standard_limit": share(self.over_standard, self.standard),
            "expedited_letters": self.expedited,
            "over_expedited_limit": self.over_expedited,
            "share_over_expedited_limit": share(self.over_expedited, self.expedited),
            "histogram": [
                {"bucket": value, "label": label, "letters": n}
                for value, label, n in self.histogram
            ],
        }


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Timing:
    """Time to decision of one group of letters: a period, a value, both, or all of them."""

    group: letters.Group

    @property
    def letters(self) -> int:
        return self.group.letters

    def _basis(self, name: str) -> Basis:
        figures = self.group.figures.get(name, letters.Days())
        return Basis(name, self.letters, figures)

    @property
    def assigned(self) -> Basis:
        return self._basis("assigned")

    @property
    def received(self) -> Basis:
        return self._basis("received")

    @property
    def period(self) -> str | None:
        return self.group.period

    @property
    def row(self) -> stats.Rate | None:
        return self.group.row

    @property
    def estimated(self) -> bool:
        return self.group.estimated

    @property
    def label(self) -> str:
        return self.group.label

    def as_dict(self) -> dict:
        """The figures, after the group's identity (period, value, label, filters)."""
        return {
            **self.group.identity(),
            "letters": self.letters,
            "estimated": self.estimated,
            **{name: self._basis(name).as_dict() for name in letters.BASES},
        }


@dataclass(frozen=True)
class TimingTable:
    """Time to decision by period and/or by a dimension's values, and over all of them."""

    grouped: letters.Grouped

    @property
    def total(self) -> Timing:
        return Timing(self.grouped.total)

    @property
    def rows(self) -> list[Timing]:
        return [Timing(group) for group in self.grouped.rows]

    @property
    def dimension(self) -> Dimension | None:
        return self.grouped.dimension

    @property
    def over(self) -> str | None:
        return self.grouped.over

    @property
    def undated(self) -> int:
        return self.grouped.undated

    @property
    def estimated(self) -> bool:
        return self.grouped.estimated

    def as_dict(self) -> dict:
        return self.grouped.as_dict(lambda group: Timing(group).as_dict())


def summary(filterset, *, plan) -> Timing:
    """Time to decision of every letter matching a valid filter set, counted as ``plan`` says."""
    return TimingTable(letters.grouped(filterset, None, None, plan=plan)).total


def table(filterset, by: str | None = None, over: str | None = None, *, plan) -> TimingTable:
    """Time to decision by ``over`` (year, quarter, month of the decision date) and/or ``by``
    (a registered dimension: a letter under each value its matching items carry)."""
    return TimingTable(letters.grouped(filterset, by, over, plan=plan))
