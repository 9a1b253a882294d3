"""Year reports: the Division's annual IMR tables for one decision year, from the archive.

``/reports/<year>/`` (page) and ``/api/reports/<year>/`` (JSON), issue 18. Each table counts the
public disputed items of the letters the archive holds that were decided that year (the browse
filter ``year=<year>``), not every IMR the Division decided: the report says so at the top. Each
table names the browse query that lists its items and the cross-tab (``/stats/?by=...``) that
counts it, which downloads as CSV with ``format=csv``; their figures are the table's.

Tables (the definitions are ``stats``' and ``crosstab``'s, docs/api.md "Year report"):
shares of items by category and by subcategory (of all the year's items); shares of
pharmaceutical items by drug class (subcategory within Pharmaceuticals, of the year's
Pharmaceuticals items); the overturn rate overall and by category; decisions (items) per letter;
outcomes by reviewer specialty and by guideline source (array dimensions: an item counts under
each value it carries).

Performance: one ``stats.statistics`` call with the single filter ``year=<year>`` answers every
table, so at 2 M letters it is the summaries' one indexed query (``summaries.statistics_rows``:
the year's total, letters by outcome and its groups), exact; while the summaries are stale it is
counted live, exact too (no search: never sampled). The drug-class table is the subcategory
table's Pharmaceuticals rows over the Pharmaceuticals items (no second, two-filter count). The
list of years (``/reports/``) is the no-filter statistics' year table, from the summaries too.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.http import QueryDict
from django.urls import reverse

from . import crosstab, plans, stats
from .choices import Category
from .filters import ItemFilterSet, filter_query

YEAR = "year"
PHARMACEUTICALS = Category.PHARMACEUTICALS.value
# The dimensions one statistics call counts for the report, in the order the tables use them.
DIMENSIONS = ("category", "subcategory", "specialty", "guideline_source")
SHARE = "share"  # a table of each value's share of the table's items
RATE = "rate"  # a table of each value's upheld and overturned items and overturn rate
PER_LETTER = "per_letter"  # letters, items and items per letter
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

    @property
    def query(self) -> str:
        return filter_query(_active(self.filters))

    @property
    def browse_url(self) -> str:
        return f"{reverse('determinations:browse')}?{self.query}"

    @property
    def stats_url(self) -> str:
        by = f"&by={self.by}" if self.by else ""
        return f"{reverse('determinations:stats')}?{self.query}{by}"

    @property
    def csv_url(self) -> str | None:
        """The cross-tab's CSV (a table without a cross-tab has none)."""
        return f"{self.stats_url}&format=csv" if self.by else None

    def row_url(self, rate: stats.Rate) -> str:
        """The browse query of one row: the table's filters with the row's."""
        query = filter_query(_active(self.filters), replace=rate.params)
        return f"{reverse('determinations:browse')}?{query}"

    def as_dict(self) -> dict:
        data = {
            "name": self.name,
            "title": self.title,
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
    result = stats.statistics(filterset, dimensions=DIMENSIONS, plan=plans.plan_for(filterset))
    if not result.total.items:
        return None
    by_name = {table.dimension.name: table for table in crosstab.without_periods(result)}
    total, letters = result.total, result.letters
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
            f"The {items}, in the {_n(letters.letters)} letter"
            f"{'s' if letters.letters != 1 else ''} deciding them: each letter decides one or "
            f"more disputed items.",
            PER_LETTER,
            None,
            letters=letters,
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
    return Report(year, total, letters, tables)


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
