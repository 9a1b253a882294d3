"""Year reports: the Division's annual IMR tables for one decision year, from the archive.

``/reports/<year>/`` (page) and ``/api/reports/<year>/`` (JSON), issue 18. Each table counts the
public disputed items of the letters the archive holds that were decided that year (the browse
filter ``year=<year>``), not every IMR the Division decided: the report says so at the top. Each
table names the browse query that lists its items and the cross-tab (``/stats/?by=...``) that
counts it, which downloads as CSV with ``format=csv``; their figures are the table's.

Tables (the definitions are ``stats``', ``crosstab``'s, ``letters``' and ``timing``'s,
docs/api.md "Year report"): shares of items by category and by subcategory (of all the year's
items); shares of pharmaceutical items by drug class (subcategory within Pharmaceuticals, of the
year's Pharmaceuticals items); the overturn rate overall and by category; decisions (items) per
letter; letters fully upheld, fully overturned and partially overturned (the letter outcomes
page's); time to decision by month (the time to decision page's: median, 90th percentile and
the shares over the standard and expedited limits, from date assigned and from application
received); outcomes by reviewer specialty and by guideline source (array dimensions: an item
counts under each value it carries).

Performance: one ``stats.statistics`` call with the single filter ``year=<year>`` answers every
table, so at 2 M letters it is the summaries' one indexed query (``summaries.statistics_rows``:
the year's total, letters by outcome and its groups), exact; while the summaries are stale it is
counted live, exact too (no search: never sampled). The drug-class table is the subcategory
table's Pharmaceuticals rows over the Pharmaceuticals items (no second, two-filter count). The
list of years (``/reports/``) is the no-filter statistics' year table, from the summaries too.
Both letter-level tables are one ``letters.grouped`` call over months with the same one filter:
``PeriodLetterCount`` and ``PeriodDaysCount`` (``summaries.letter_period_rows``), exact; live
while the summaries are stale.
"""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse

from . import crosstab, day_figures, letters, plans, stats, timing
from .choices import Category, LetterOutcomeValue
from .filters import ItemFilterSet, filter_query

YEAR = "year"
PHARMACEUTICALS = Category.PHARMACEUTICALS.value
# The dimensions one statistics call counts for the report, in the order the tables use them.
DIMENSIONS = ("category", "subcategory", "specialty", "guideline_source")
SHARE = "share"  # a table of each value's share of the table's items
RATE = "rate"  # a table of each value's upheld and overturned items and overturn rate
PER_LETTER = "per_letter"  # letters, items and items per letter
LETTER_OUTCOMES = "letter_outcomes"  # letters fully upheld, fully or partially overturned
TIME_TO_DECISION = "time_to_decision"  # days to decision, the year and each period
TIMING_OVER = "month"  # the time to decision table's periods
STATS = "determinations:stats"  # the page a table's figures are on, unless it says otherwise
# Each letter-level page's link from its table (the statistics page's are "As a cross-tab" or
# "In the statistics").
PAGE_WORDS = {
    "determinations:letter_outcomes": "On the letter outcomes page",
    "determinations:decision_days": "On the time to decision page",
}
# The letter outcomes' rows: the ``letter_outcome`` filter's value (letters.OUTCOME_NAMES) and
# the row's label.
OUTCOME_ROWS = (
    (LetterOutcomeValue.UPHELD.value, "Fully upheld"),
    (LetterOutcomeValue.OVERTURNED.value, "Fully overturned"),
    (LetterOutcomeValue.PARTIALLY_OVERTURNED.value, "Partially overturned"),
)
SCOPE = (
    "These tables count the letters this archive holds that were decided in {year}: not every "
    "Independent Medical Review the Division decided that year. The Division's own reports "
    "count every decision, so their figures differ."
)


@dataclass(frozen=True)
class Table:
    """One table of the report: what it counts, its rows, and where the same figures are."""

    name: str  # its key in the JSON and its anchor on the page
    title: str
    counts: str  # one sentence: what it counts
    kind: str  # SHARE, RATE or PER_LETTER
    filters: tuple[tuple[str, str], ...]  # the browse filters of its items
    by: str | None  # the cross-tab's dimension (None: the statistics page)
    total: stats.Rate  # the items the table counts (the shares' whole)
    cells: list[crosstab.Cell]
    overall: stats.Rate | None = None  # a rate table's first row: all its items
    letters: stats.LettersSummary | None = None  # PER_LETTER
    heading: str = ""  # the rows' column heading
    page: str = STATS  # the URL name of the page counting the same figures
    over: str | None = None  # that page's periods
    outcomes: letters.Outcomes | None = None  # LETTER_OUTCOMES: the year's letters
    timing: timing.TimingTable | None = None  # TIME_TO_DECISION: the year and each period

    @property
    def query(self) -> str:
        return filter_query(_active(self.filters))

    @property
    def browse_url(self) -> str:
        return f"{reverse('determinations:browse')}?{self.query}"

    @property
    def stats_url(self) -> str:
        more = "".join(
            f"&{name}={value}" for name, value in (("by", self.by), ("over", self.over)) if value
        )
        return f"{reverse(self.page)}?{self.query}{more}"

    @property
    def stats_words(self) -> str:
        """The words of the link to ``stats_url``."""
        return PAGE_WORDS.get(self.page) or ("As a cross-tab" if self.by else "In the statistics")

    @property
    def csv_url(self) -> str | None:
        """Its page's CSV: a cross-tab's or a letter-level page's (the statistics tables, without
        a cross-tab, have none)."""
        return f"{self.stats_url}&format=csv" if self.by or self.page != STATS else None

    def row_url(self, rate: stats.Rate) -> str:
        """The browse query of one row: the table's filters with the row's."""
        return self._browse(rate.params)

    def _browse(self, params: tuple[tuple[str, str], ...]) -> str:
        query = filter_query(_active(self.filters), replace=params)
        return f"{reverse('determinations:browse')}?{query}"

    @property
    def outcome_rows(self) -> list[dict]:
        """LETTER_OUTCOMES: per outcome its letters, their share of the year's letters and the
        browse query of their items (the ``letter_outcome`` filter)."""
        if self.outcomes is None:
            return []
        return [
            {
                "value": value,
                "label": label,
                "letters": getattr(self.outcomes, value),
                "share": self.outcomes.share(getattr(self.outcomes, value)),
                "browse_url": self._browse((("letter_outcome", value),)),
            }
            for value, label in OUTCOME_ROWS
        ]

    @property
    def timing_rows(self) -> list[tuple[str, str, timing.Timing]]:
        """TIME_TO_DECISION: ``(label, browse query, figures)`` of the whole year, then of
        each period."""
        if self.timing is None:
            return []
        return [
            ("Whole year", self.browse_url, self.timing.total),
            *((row.period, self.period_url(row.period), row) for row in self.timing.rows),
        ]

    def period_url(self, period: str) -> str:
        """The browse query of one period's items: the decision dates from its first day to
        its last (``decided_from``, ``decided_to``)."""
        first, last = period_range(period)
        return self._browse((("decided_from", first), ("decided_to", last)))

    def as_dict(self) -> dict:
        data = {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "counts": self.counts,
            "filters": dict(self.filters),
            "browse_url": self.browse_url,
            "stats_url": self.stats_url,
            "csv_url": self.csv_url,
            "items": self.total.as_dict(),
        }
        if self.letters is not None:
            data["letters"] = self.letters.letters
            data["items_per_letter"] = self.letters.items_per_letter
        if self.overall is not None:
            data["overall"] = self.overall.as_dict()
        if self.outcomes is not None:
            data["letters"] = self.outcomes.as_dict()
            data["rows"] = self.outcome_rows
        if self.timing is not None:
            data["over"] = self.over
            data["letters"] = self.timing.total.as_dict()
            data["rows"] = [
                {**row.as_dict(), "browse_url": self.period_url(row.period)}
                for row in self.timing.rows
            ]
        if self.cells:
            data["rows"] = [
                {**cell.as_dict(), "browse_url": self.row_url(cell.rate)} for cell in self.cells
            ]
            for row in data["rows"]:
                del row["period"]
        return data


@dataclass(frozen=True)
class Report:
    year: int
    total: stats.Rate
    letters: stats.LettersSummary
    tables: list[Table]

    @property
    def scope(self) -> str:
        return SCOPE.format(year=self.year)

    @property
    def estimated(self) -> bool:
        return self.total.estimated

    def as_dict(self) -> dict:
        return {
            "year": self.year,
            "scope": self.scope,
            "items": self.total.as_dict(),
            "letters": self.letters.letters,
            "estimated": self.estimated,
            "tables": [table.as_dict() for table in self.tables],
        }


def period_range(period: str) -> tuple[str, str]:
    """The first and last day (ISO) of a period as ``summaries.PERIOD_FORMATS`` writes it:
    ``2018``, ``2018-Q3`` or ``2018-07``."""
    year, _, part = period.partition("-")
    if not part:
        first, last = 1, 12
    elif part.startswith("Q"):
        first = 3 * int(part[1:]) - 2
        last = first + 2
    else:
        first = last = int(part)
    days = calendar.monthrange(int(year), last)[1]
    return f"{year}-{first:02d}-01", f"{year}-{last:02d}-{days:02d}"


def _active(filters: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    return {name: [value] for name, value in filters}


def _filterset(data: str) -> ItemFilterSet:
    filterset = ItemFilterSet(QueryDict(data))
    if not filterset.is_valid():  # our own query: a year the URL converter accepted
        raise ValueError(f"invalid report filters {data!r}: {filterset.errors}")
    return filterset


def year_report(year: int) -> Report | None:
    """The report of decision year ``year`` (None: the archive holds no item decided then)."""
    filterset = _filterset(f"{YEAR}={year}")
    plan = plans.plan_for(filterset)
    result = stats.statistics(filterset, dimensions=DIMENSIONS, plan=plan)
    if not result.total.items:
        return None
    by_period = letters.grouped(filterset, None, TIMING_OVER, plan=plan)  # both letter tables
    outcomes = letters.OutcomeTable(by_period).total
    days = timing.TimingTable(by_period)
    by_name = {table.dimension.name: table for table in crosstab.without_periods(result)}
    total, summary = result.total, result.letters
    n, year_filter = total.items, ((YEAR, str(year)),)

    def table(name, title, counts, kind, by, **more) -> Table:
        cells = by_name[by].cells if by else []
        fields = {"filters": year_filter, "total": total, "cells": cells, **more}
        return Table(name, title, counts, kind, by=by, **fields)

    categories = by_name["category"].cells
    pharma = next(
        (c.rate for c in categories if c.rate.value == PHARMACEUTICALS),
        stats.Rate(0, 0, label=PHARMACEUTICALS),
    )
    drug_classes = [
        crosstab.Cell(
            None,
            dataclasses.replace(cell.rate, label=str(cell.rate.value)),
            cell.rate.items / pharma.items,
        )
        for cell in by_name["subcategory"].cells
        if cell.rate.params[0] == ("category", PHARMACEUTICALS)
    ]
    items = f"{_n(n)} disputed item{'s' if n != 1 else ''} decided in {year}"
    tables = [
        table(
            "category_share",
            "Share of disputed items by category",
            f"Of the {items}, the share in each category (one category per item, assigned from "
            f"the request).",
            SHARE,
            "category",
            heading="Category",
        ),
        table(
            "subcategory_share",
            "Share of disputed items by subcategory",
            f"Of the {items}, the share in each subcategory (within its category).",
            SHARE,
            "subcategory",
            heading="Subcategory",
        ),
        table(
            "drug_class_share",
            "Share of pharmaceutical items by drug class",
            f"Of the {_n(pharma.items)} Pharmaceuticals items decided in {year}, the share in "
            f"each drug class (the subcategory within Pharmaceuticals).",
            SHARE,
            "subcategory",
            filters=(*year_filter, ("category", PHARMACEUTICALS)),
            total=pharma,
            cells=drug_classes,
            heading="Drug class",
        ),
        table(
            "overturn_rate",
            "Overturn rate, overall and by category",
            f"Of the {items}, the share overturned (the reviewer found the treatment "
            f"medically necessary, reversing the utilization review's denial), with its 95% "
            f"Wilson interval: all items, then each category.",
            RATE,
            "category",
            overall=total,
            heading="Category",
        ),
        table(
            "items_per_letter",
            "Decisions per letter",
            f"The {items}, in the {_n(summary.letters)} letter"
            f"{'s' if summary.letters != 1 else ''} deciding them: each letter decides one or "
            f"more disputed items.",
            PER_LETTER,
            None,
            letters=summary,
        ),
        table(
            "letter_outcomes",
            "Letters fully upheld, fully overturned and partially overturned",
            f"The {_n(outcomes.letters)} letter{'s' if outcomes.letters != 1 else ''} deciding "
            f"the {items}, by the letter's own outcome: fully upheld (every item upheld), fully "
            f"overturned (every item overturned) or partially overturned (some of each); the "
            f"share is of the year's letters.",
            LETTER_OUTCOMES,
            None,
            page="determinations:letter_outcomes",
            outcomes=outcomes,
            heading="Letter outcome",
        ),
        table(
            "time_to_decision",
            "Time to decision, by month",
            f"The {_n(days.total.letters)} letter{'s' if days.total.letters != 1 else ''} "
            f"deciding the {items}: days from the date assigned, and from the application "
            f"received, to the decision; the median and 90th percentile (nearest rank) of the "
            f"letters with both dates, and the shares of standard reviews decided in more than "
            f"{day_figures.STANDARD_LIMIT} days and of expedited ones in more than "
            f"{day_figures.EXPEDITED_LIMIT}: the year, then each month.",
            TIME_TO_DECISION,
            None,
            page="determinations:decision_days",
            over=TIMING_OVER,
            timing=days,
            heading="Month",
        ),
        table(
            "specialty_outcomes",
            "Outcomes by reviewer specialty",
            f"The {items}, upheld and overturned, by the specialty of the reviewer: an item "
            f"whose reviewer holds several specialties counts under each.",
            RATE,
            "specialty",
            heading="Reviewer specialty",
        ),
        table(
            "guideline_source_outcomes",
            "Outcomes by guideline source",
            f"The {items}, upheld and overturned, by the guideline source the reviewer cited: "
            f"an item citing several sources counts under each, one citing none under none.",
            RATE,
            "guideline_source",
            heading="Guideline source",
        ),
    ]
    return Report(year, total, summary, tables)


def _n(count: int) -> str:
    return f"{count:,}"


@dataclass(frozen=True)
class Year:
    """A year the archive holds letters of: its items and overturn rate."""

    year: int
    rate: stats.Rate

    @property
    def url(self) -> str:
        return reverse("determinations:report", args=[self.year])

    def as_dict(self) -> dict:
        return {"year": self.year, "url": self.url, **self.rate.as_dict()}


def report_years() -> list[Year]:
    """The decision years the archive holds items of, newest first."""
    filterset = _filterset("")
    result = stats.statistics(filterset, dimensions=(YEAR,), plan=plans.plan_for(filterset))
    (group,) = result.groups
    return [Year(int(row.value), row) for row in reversed(group.rows)]
