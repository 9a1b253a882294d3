"""Compare two groups: ``/compare/?a=<browse query>&b=<browse query>`` and ``/api/compare/``.

Each side is a browse query string (``a=service%3Doxycodone``: the value of ``a`` is itself a
query such as ``service=oxycodone&year=2017``), read and validated by the browse page's own
``ItemFilterSet`` and ``filter_errors``, its problems named by side ("Parameter 'a': ...").
Per side: matching items, overturned items, the overturn rate with its 95% Wilson interval,
the letters with a matching item, and their time to decision (``timing.summary``: the median
days from date assigned and from application received to the decision, over the letters whose
days are known); then the difference of the rates (a - b) with its 95%
interval by Newcombe's hybrid score method (``stats.newcombe_interval``). The interval assumes
two independent samples: sides that overlap (``a`` all Pharmaceuticals, ``b`` one opioid)
share items, and their interval is then only a guide.

Counted side by side, each with its own count plan (``plans.plan_for``, two ``count`` entries in
``Server-Timing``) through ``stats.statistics`` with no table: a side with no filter, or one
filter value and no search (two services, two years), is two index lookups in the fresh
summaries (``PairCount`` and ``LetterCount``: exact, a few milliseconds at 2 M letters); other
sides are counted live in one statement, a search with very many hits over a fixed sample of
the letters (``~`` on the page, ``estimated`` in JSON; the interval is the sample's). A side's
time to decision is counted under the same plan as ``letters.counted`` says (``PeriodDaysCount``
for no filter, a year or one value of a small vocabulary; else one pass over ``SummaryItem``,
which may sample; or live), and marked estimated on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.http import QueryDict

from . import plans, stats, timing
from .filters import ItemFilterSet, filter_errors, filter_query

SIDES = ("a", "b")


def filtersets_from(
    data: QueryDict, *, extra: tuple[str, ...] = ()
) -> tuple[dict[str, ItemFilterSet], list[str]]:
    """Each side's filter set (``a``, ``b``), and plain-language problems with the request: a
    parameter other than the sides and ``extra``, a side missing or given twice, or a side's
    query's own problems prefixed by its name."""
    allowed = ", ".join((*SIDES, *extra))
    errors = [
        f"Unknown parameter '{name}'. Allowed: {allowed}."
        for name in data
        if name not in (*SIDES, *extra)
    ]
    filtersets = {}
    for side in SIDES:
        values = data.getlist(side)
        if not values:
            errors.append(f"Parameter '{side}': required (a browse query, e.g. service=oxycodone).")
            continue
        if len(values) > 1:
            errors.append(f"Parameter '{side}': give it once.")
            continue
        filterset = ItemFilterSet(QueryDict(values[0]))  # settles old values itself
        found = filter_errors(filterset)
        errors += [f"Parameter '{side}': {message}" for message in found]
        if not found:
            filtersets[side] = filterset
    return filtersets, errors


@dataclass(frozen=True)
class Group:
    """One side: its filters and what they match."""

    side: str  # "a" or "b"
    filters: dict[str, list[str]]  # the side's active browse filters
    total: stats.Rate  # matching items, labelled "A: service = oxycodone"
    letters: stats.LettersSummary
    timing: timing.Timing  # time to decision of the matching letters

    @property
    def query(self) -> str:
        """The side's browse query string, as browse and stats take it."""
        return filter_query(self.filters)

    @property
    def estimated(self) -> bool:
        return self.total.estimated

    def as_dict(self) -> dict:
        return {
            "side": self.side,
            "filters": self.filters,
            "query": self.query,
            "label": self.total.label,
            **self.total.as_dict(),
            "letters": self.letters.letters,
            "time_to_decision": time_to_decision(self.timing),
        }


def time_to_decision(found: timing.Timing) -> dict:
    """A side's time to decision in JSON: its letters, and per basis (``letters.BASES``) the
    letters whose days are known and their median days (``timing.Basis``; null: none known)."""
    return {
        "letters": found.letters,
        "estimated": found.estimated,
        **{
            basis.name: {"known": basis.known, "median_days": basis.median}
            for basis in (found.assigned, found.received)
        },
    }


@dataclass(frozen=True)
class Comparison:
    a: Group
    b: Group
    difference: float | None  # a's rate - b's rate (None: a side without items)
    interval: tuple[float, float] | None  # Newcombe's 95% interval of the difference

    @property
    def estimated(self) -> bool:
        """The rates (and so the difference) were counted over a fixed sample."""
        return self.a.estimated or self.b.estimated

    @property
    def timing_estimated(self) -> bool:
        """A side's time to decision was counted over a fixed sample."""
        return self.a.timing.estimated or self.b.timing.estimated

    @property
    def groups(self) -> tuple[Group, Group]:
        return (self.a, self.b)

    def as_dict(self) -> dict:
        low, high = self.interval or (None, None)
        return {
            "a": self.a.as_dict(),
            "b": self.b.as_dict(),
            "difference": {
                "rate_difference": self.difference,
                "interval_low": low,
                "interval_high": high,
                "method": "Newcombe hybrid score (method 10), 95%",
                "estimated": self.estimated,
            },
        }


def label_for(side: str, filters: dict[str, list[str]]) -> str:
    """``A: service = oxycodone; year = 2017`` (``A: all items`` without a filter)."""
    words = "; ".join(
        f"{name} = {' or '.join(map(str, values))}" for name, values in filters.items()
    )
    return f"{side.upper()}: {words or 'all items'}"


def group(side: str, filterset: ItemFilterSet, *, plan: plans.CountPlan) -> Group:
    """One side's figures over a valid filter set, counted as ``plan`` says."""
    result = stats.statistics(filterset, dimensions=(), plan=plan)
    filters = filterset.active
    total = dataclasses.replace(result.total, label=label_for(side, filters))
    return Group(side, filters, total, result.letters, timing.summary(filterset, plan=plan))


def difference(a: stats.Rate, b: stats.Rate) -> tuple[float | None, tuple[float, float] | None]:
    """``a``'s rate minus ``b``'s, and its Newcombe interval from the counts as counted (a
    sample's when estimated, as the Wilson intervals are); None without items on a side."""
    if not a.items or not b.items:
        return None, None
    counted = [(r.overturned // r.sample_every, r.items // r.sample_every) for r in (a, b)]
    return a.rate - b.rate, stats.newcombe_interval(*counted)


def compare(filtersets: dict[str, ItemFilterSet], *, estimates: bool = True) -> Comparison:
    """The comparison of the two valid sides ``filtersets["a"]`` and ``filtersets["b"]``."""
    a, b = (
        group(side, filtersets[side], plan=plans.plan_for(filtersets[side], estimates=estimates))
        for side in SIDES
    )
    return Comparison(a, b, *difference(a.total, b.total))
