"""Reads for the guideline pages (issue 19): ``/guidelines/`` and a document's or section's page.

A guideline is what the reviewer cited: a source, a document and, optionally, a section. A
document is the ``guideline`` dimension's value (``ODG:Low Back``) and a section the
``guideline_section`` dimension's (``ODG:Low Back|MRIs``, ``guidelines.py``), so a page's rate,
its specialties, its reasons and its rate per decision year are that one filter's statistics
(``stats.statistics``: exact from the summaries while fresh, one indexed query; counted live as
the statistics page counts them while stale). A document's sections are the summaries' pairs of
its value with the ``guideline_section`` values (live over its items while stale).

The list is the summaries' totals of the ``guideline_source``, ``guideline`` and
``guideline_section`` facets: exact, one indexed query. While the summaries are stale it is
counted live from the items' columns, bounded as the rest of the archive is (``sampling``):
every item on a small archive, else the items of the fixed sample of letters (ids multiples of
N, walked by ``generate_series`` so the cost is the sample's letters), scaled up and marked
``~`` with the sample's Wilson interval and the Horvitz-Thompson interval of the item count.

Quoted passages are read from a bounded, deterministic set: the ``QUOTE_ITEMS`` most recent
items (by id) of the page's item set, found through the item column's GIN index
(``item_documents_gin``, ``item_sections_gin``) or the primary key walked newest first, as the
planner estimates cheaper.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models.functions import Left
from django.http import QueryDict

from imr_archive.db_router import read_connection

from . import guidelines, plans, sampling, stats, summaries
from .choices import ItemOutcome
from .dimensions import BY_NAME
from .filters import ItemFilterSet
from .models import Determination, DisputedItem

# While the summaries are stale the list is counted live: every item up to this many (the
# planner's row count), else the finest sample of at most ``SAMPLE_LETTERS_UP_TO`` letters.
LIVE_ITEMS_UP_TO = sampling.SCAN_ROWS_UP_TO
SAMPLE_LETTERS_UP_TO = 10_000
QUOTE_ITEMS = 400  # rationales scanned for quotations, most recent first
QUOTE_MIN = 40  # characters: shorter quoted text is a phrase, not a guideline passage
QUOTE_MAX = 1_500
QUOTE_SCAN_CHARS = 20_000  # of each rationale
TOP_QUOTES = 10
TOP_GROUPS = 10  # specialties and reasons shown (the JSON and CSV have every specialty)
MAX_DOCUMENT = 300  # GuidelineCitation.document's width
MAX_SECTION = 1_000
SOURCE, DOCUMENT, SECTION = (
    BY_NAME[name] for name in ("guideline_source", "guideline", "guideline_section")
)
REASON = BY_NAME["reason"]  # the reasons section's dimension
YEAR = BY_NAME["year"]  # the rate over time: per decision year

_T = {"item": DisputedItem._meta.db_table, "determination": Determination._meta.db_table}
_QUOTE_MARK = re.compile('["\u201c\u201d]')
_OPENS_AFTER = frozenset(" \t\r\n([{/-\u2014")  # a straight quote after these (or first) opens


class BadGuideline(ValueError):
    """A source, document or section no citation could have (a 400, with the reason)."""


@dataclass(frozen=True)
class Guideline:
    """What a page is about: a cited document, or one of its sections."""

    source: str
    document: str
    section: str | None = None

    @property
    def value(self) -> str:
        """The ``guideline`` filter's value: ``ODG:Low Back``."""
        return guidelines.guideline_value(self.source, self.document)

    @property
    def dimension(self):
        """The dimension whose one value the page is: ``guideline`` or ``guideline_section``."""
        return SECTION if self.section else DOCUMENT

    @property
    def filter_value(self) -> str:
        """The value of ``dimension``: ``ODG:Low Back`` or ``ODG:Low Back|MRIs``."""
        if self.section:
            return guidelines.section_value(self.source, self.document, self.section)
        return self.value

    @property
    def label(self) -> str:
        label = guidelines.guideline_label(self.value)
        return f"{label} \u00b7 {self.section}" if self.section else label

    @property
    def url_args(self) -> list[str]:
        return [self.source, self.document] + ([self.section] if self.section else [])

    def as_dict(self) -> dict:
        return {"source": self.source, "document": self.document, "section": self.section}


def guideline_from(source: str, document: str, section: str | None = None) -> Guideline:
    """The guideline of a page's path parts, its section in the values' one spelling
    (``guidelines.canonical_section``); ``BadGuideline`` for text no citation can hold,
    ``LookupError`` for an unknown source (a 404: the closed list has no such source)."""
    if source not in guidelines.SOURCES:
        raise LookupError(f"No guideline source '{source[:60]}'.")
    for name, text, longest in (
        ("document", document, MAX_DOCUMENT),
        ("section", section, MAX_SECTION),
    ):
        if text is None:
            continue
        if not text.strip() or text != text.strip():
            raise BadGuideline(f"The {name} is empty or has spaces at its ends.")
        if len(text) > longest:
            raise BadGuideline(f"The {name} is longer than {longest} characters.")
        if any(unicodedata.category(ch) == "Cc" for ch in text):
            raise BadGuideline(f"The {name} holds control characters.")
    if section is not None:
        section = guidelines.canonical_section(section)
    guideline = Guideline(source, document, section)
    for page_of in (Guideline(source, document), guideline):  # the browse filters must take it
        if not filterset(page_of).is_valid():
            what = "section" if page_of.section else "document"
            raise BadGuideline(
                f"The {what} is not one the {page_of.dimension.name} filter can select."
            )
    return guideline


def filterset(guideline: Guideline) -> ItemFilterSet:
    """The browse filter selecting the page's items: its document, or its section."""
    data = QueryDict(mutable=True)
    data[guideline.dimension.name] = guideline.filter_value
    found = ItemFilterSet(data)
    found.is_valid()  # ``guideline_from`` made sure it is
    return found


def _items_citing(guideline: Guideline):
    """The public items citing it (the containment test its column's GIN index answers)."""
    column = guideline.dimension.column
    return DisputedItem.objects.public().filter(**{f"{column}__contains": [guideline.filter_value]})


def is_cited(guideline: Guideline) -> bool:
    """Whether any public item's reviewer cites it: the summaries' total (one index lookup),
    else the items (a seq scan stopping at the first, or the column's GIN index)."""
    total = summaries.item_total((guideline.dimension.name, guideline.filter_value))
    return _items_citing(guideline).exists() if total is None else total > 0


def _rate(items: int, overturned: int, every: int | None, squares: int | None = None, **kw):
    n = every or 1
    return stats.Rate(
        items=items * n,
        overturned=overturned * n,
        sample_every=n,
        squares=squares if n > 1 else None,
        **kw,
    )


# --- the list of every guideline -----------------------------------------------------------


@dataclass(frozen=True)
class SectionRow:
    guideline: Guideline
    rate: stats.Rate


@dataclass(frozen=True)
class DocumentRow:
    guideline: Guideline
    rate: stats.Rate
    sections: list[SectionRow] = field(default_factory=list)


@dataclass(frozen=True)
class SourceRow:
    source: str
    rate: stats.Rate
    documents: list[DocumentRow]


@dataclass(frozen=True)
class GuidelineList:
    sources: list[SourceRow]
    section_every: int | None  # stale summaries: counted over the 1-in-N sample (None: exactly)

    def as_dict(self) -> dict:
        return {
            "sections_sample_every": self.section_every,
            "sources": [
                {
                    "source": s.source,
                    "items": s.rate.as_dict(),
                    "documents": [
                        {
                            **d.guideline.as_dict(),
                            **d.rate.as_dict(),
                            "sections": [
                                {"section": r.guideline.section, **r.rate.as_dict()}
                                for r in d.sections
                            ],
                        }
                        for d in s.documents
                    ],
                }
                for s in self.sources
            ],
        }


LISTED = (SOURCE, DOCUMENT, SECTION)


def live_level() -> int | None:
    """The sample the stale list is counted in (None: every item): the finest whose letters
    are at most ``SAMPLE_LETTERS_UP_TO`` (planner's row counts: free)."""
    if sampling.table_rows(_T["item"]) <= LIVE_ITEMS_UP_TO:
        return None
    letters = sampling.table_rows(_T["determination"])
    for every in sorted(sampling.LEVELS):
        if letters / every <= SAMPLE_LETTERS_UP_TO:
            return every
    return max(sampling.LEVELS)


def _items_from(every: int | None) -> str:
    """The FROM clause of the items (``i``), every one or those of the 1-in-``every`` sample of
    letters (its ids walked, not the items scanned)."""
    if every is None:
        return f"{_T['item']} AS i"
    return (
        f"generate_series({int(every)}, (SELECT coalesce(max(id), 0) "  # noqa: S608
        f"FROM {_T['determination']}), "
        f"{int(every)}) AS g(letter) JOIN {_T['item']} AS i ON i.determination_id = g.letter"
    )


def _live_totals(every: int | None) -> list[tuple]:
    """``(facet, value, items, overturned, squares)`` of the listed facets, counted from the
    items' columns (of the 1-in-``every`` sample: not scaled; squares: each letter's items
    squared, for the intervals), in one statement."""
    quote = read_connection().ops.quote_name
    columns = ", ".join(f"i.{quote(spec.column)}" for spec in LISTED)
    values = " UNION ALL ".join(
        f"SELECT %s AS f, g.v, h.letter, h.o FROM hits AS h "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT DISTINCT unnest(h.{quote(spec.column)})) AS g(v)"
        for spec in LISTED
    )
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT i.determination_id AS letter, "  # noqa: S608
        f"i.outcome = %s AS o, {columns} FROM {_items_from(every)} "
        f"WHERE NOT i.withdrawn AND i.{quote(DOCUMENT.column)} <> '{{}}'), "
        f"per_letter AS (SELECT f, v, count(*) AS n, count(*) FILTER (WHERE o) AS ov "
        f"FROM ({values}) AS fv GROUP BY f, v, letter) "
        f"SELECT f, v, sum(n)::bigint, sum(ov)::bigint, sum(n * n)::bigint FROM per_letter "
        f"GROUP BY f, v"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [ItemOutcome.OVERTURNED, *(spec.name for spec in LISTED)])
        return cursor.fetchall()


def _totals() -> tuple[dict[str, dict[str, stats.Rate]], int | None]:
    """``({facet: {value: rate}}, every)`` of the listed facets over every public item: the
    summaries' totals while fresh (exact), else ``_live_totals`` (over ``live_level``)."""
    sql = (
        f"SELECT facet_a, value_a, items, overturned FROM {summaries.PAIR_TABLE} "  # noqa: S608
        f"WHERE facet_b = '' AND facet_a = ANY(%s)"
    )
    names = [spec.name for spec in LISTED]
    found: dict[str, dict[str, stats.Rate]] = {name: {} for name in names}
    rows = summaries.fresh_rows(sql, [names], 4)
    if rows is not None:
        for facet, value, n, over in rows:
            found[facet][value] = stats.Rate(n, over)
        return found, None
    every = live_level()
    for facet, value, n, over, squares in _live_totals(every):
        found[facet][value] = _rate(n, over, every, squares)
    return found, every


def guideline_list() -> GuidelineList:
    """Every cited source, document and section, most items first (``_totals``)."""
    totals, every = _totals()
    sections: dict[str, list[SectionRow]] = {}
    for value, rate in totals[SECTION.name].items():
        document_value, section = guidelines.split_section_value(value)
        source, document = guidelines.split_value(document_value)
        if source is not None:
            row = SectionRow(Guideline(source, document, section), rate)
            sections.setdefault(document_value, []).append(row)
    by_source: dict[str, list[DocumentRow]] = {}
    for value, rate in totals[DOCUMENT.name].items():
        source, document = guidelines.split_value(value)
        if source is None:
            continue
        rows = sorted(sections.get(value, []), key=lambda r: (-r.rate.items, r.guideline.section))
        by_source.setdefault(source, []).append(
            DocumentRow(Guideline(source, document), rate, rows)
        )
    listed = []
    empty = stats.Rate(0, 0)
    source_rates = totals[SOURCE.name]
    for source in sorted(by_source, key=lambda s: (-source_rates.get(s, empty).items, s)):
        docs = sorted(by_source[source], key=lambda d: (-d.rate.items, d.guideline.document))
        listed.append(SourceRow(source, source_rates.get(source, empty), docs))
    return GuidelineList(listed, every)


# --- one guideline's page ------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    text: str  # as first found (most recent item), white space collapsed
    items: int  # items of the scanned set quoting it
    key: str  # one item quoting it: its letter's key and number
    number: int


@dataclass(frozen=True)
class Page:
    guideline: Guideline
    total: stats.Rate
    years: list[tuple[str, stats.Rate]]  # the overturn rate per decision year
    undated: int
    specialties: list[stats.Rate]
    reasons: list[stats.Rate]
    sections: list[SectionRow]  # a document's sections (empty for a section)
    quotes: list[Quote]
    quotes_scanned: int  # rationales read for them (at most QUOTE_ITEMS)

    def as_dict(self) -> dict:
        return {
            "guideline": self.guideline.as_dict(),
            "label": self.guideline.label,
            "filter": {"guideline": self.guideline.value},
            "sample_every": None,  # every figure is exact (a sample once counted sections)
            "items": self.total.as_dict(),
            "years": [{"year": year, **rate.as_dict()} for year, rate in self.years],
            "undated_items": self.undated,
            "specialties": [rate.as_dict() for rate in self.specialties],
            "reasons": [rate.as_dict() for rate in self.reasons],
            "sections": [
                {"section": r.guideline.section, **r.rate.as_dict()} for r in self.sections
            ],
            "quotes": [
                {"text": q.text, "items": q.items, "key": q.key, "number": q.number}
                for q in self.quotes
            ],
            "quotes_scanned_items": self.quotes_scanned,
        }


def page(guideline: Guideline) -> Page:
    """A document's or a section's page: its one filter's statistics (``filterset``): total,
    specialties, reasons and decision years (the cross-tab by outcome and year's period totals,
    from the pairs with ``year``: exact), a document's sections, and the passages its latest
    items quote."""
    found = filterset(guideline)
    names = ("specialty", REASON.name, YEAR.name)
    result = stats.statistics(found, dimensions=names, plan=plans.plan_for(found))
    groups = {group.dimension.name: group.rows for group in result.groups}
    years = sorted(
        (str(rate.value), stats.Rate(rate.items, rate.overturned, label=str(rate.value)))
        for rate in groups[YEAR.name]
    )
    rationales = _latest_rationales(guideline)
    return Page(
        guideline,
        result.total,
        years,
        result.total.items - sum(rate.items for _, rate in years),  # no decision year
        groups["specialty"],
        groups[REASON.name][:TOP_GROUPS],
        [] if guideline.section else _document_sections(guideline),
        quoted_passages(rationales),
        len(rationales),
    )


def _document_sections(guideline: Guideline) -> list[SectionRow]:
    """The document's sections, most items first: the summaries' pairs of its value with the
    sections (one indexed query, exact), else counted live over its items (as ``stats`` does
    while stale). A section value starts with its document's value and a bar."""
    prefix = guideline.value + guidelines.SECTION_SEPARATOR
    sql = (
        f"SELECT value_b, items, overturned FROM {summaries.PAIR_TABLE} "  # noqa: S608
        f"WHERE facet_a = %s AND value_a = %s AND facet_b = %s AND starts_with(value_b, %s)"
    )
    rows = summaries.fresh_rows(sql, [DOCUMENT.name, guideline.value, SECTION.name, prefix], 3)
    if rows is None:
        items, params = (
            _items_citing(guideline).values("id", "outcome", SECTION.column).query.sql_with_params()
        )
        column = read_connection().ops.quote_name(SECTION.column)
        sql = (
            f"SELECT g.v, count(*), count(*) FILTER (WHERE s.outcome = %s) FROM ({items}) AS s "  # noqa: S608
            f"CROSS JOIN LATERAL (SELECT DISTINCT unnest(s.{column})) AS g(v) "
            f"WHERE starts_with(g.v, %s) GROUP BY g.v"
        )
        with read_connection().cursor() as cursor:
            cursor.execute(sql, [ItemOutcome.OVERTURNED, *params, prefix])
            rows = cursor.fetchall()
    found = [
        SectionRow(
            Guideline(guideline.source, guideline.document, guidelines.split_section_value(v)[1]),
            stats.Rate(n, over),
        )
        for v, n, over in rows
    ]
    return sorted(found, key=lambda row: (-row.rate.items, row.guideline.section))


def _latest_rationales(guideline: Guideline) -> list[tuple[str, int, str, str]]:
    """``(key, number, rationale, request)`` of the ``QUOTE_ITEMS`` latest items (by id)
    citing it, newest first (the first ``QUOTE_SCAN_CHARS`` characters of each rationale)."""
    latest = (
        _items_citing(guideline)
        .order_by("-id")
        .values_list("determination__key", "number", Left("rationale", QUOTE_SCAN_CHARS), "request")
    )
    return list(latest[:QUOTE_ITEMS])


def _is_the_request(normal: str, asked: str) -> bool:
    """Whether a quotation (``quote_key``'d) is the item's request (``asked``, the same) quoted
    back: the IMR's "Decision for ..." form, or the request's own words in it or around it."""
    if normal.startswith("decision for "):
        return True
    return bool(asked) and (asked in normal or normal in asked)


def quote_key(text: str) -> str:
    """What two quotations share when they are the same passage: case, white space and the
    punctuation at their ends aside."""
    return " ".join(text.casefold().split()).strip(" .,;:")


def quotations(text: str) -> list[str]:
    """The outermost quotations of ``text`` (straight or typographic double quotes), in order,
    each ``QUOTE_MAX`` characters at most: a quotation inside one (the "6 visit clinical trial"
    of 'state "patients should be assessed after a "6 visit clinical trial" to evaluate ..."')
    stays part of it instead of cutting it in two. A straight quote opens where it follows white
    space, an opening bracket or a dash (or starts the text) and the next character is not white
    space; otherwise it closes the latest open one of its kind, if any. An opening quote never
    closed within ``QUOTE_MAX`` characters is dropped, so it cannot swallow what follows."""
    if '"' not in text and "\u201c" not in text and "\u201d" not in text:
        return []  # most rationales: substring tests run at C speed, the regex scan does not
    open_at: dict[str, list[int]] = {'"': [], "\u201c": []}
    pairs: list[tuple[int, int]] = []
    for match in _QUOTE_MARK.finditer(text):
        mark, at = match.group(), match.start()
        if mark == "\u201d":
            kind, opens = "\u201c", False
        elif mark == "\u201c":
            kind, opens = mark, True
        else:
            kind = mark
            following = text[at + 1 : at + 2]
            opens = (at == 0 or text[at - 1] in _OPENS_AFTER) and following.strip() != ""
        stack = open_at[kind]
        while stack and at - stack[0] > QUOTE_MAX + 1:
            del stack[0]  # too far back to be closed by this one
        if opens:
            stack.append(at)
        elif stack:
            pairs.append((stack.pop(), at))
    outer: list[tuple[int, int]] = []
    for start, end in sorted(pairs, key=lambda pair: (pair[0], -pair[1])):
        if outer and start < outer[-1][1]:
            continue  # inside the quotation before it
        outer.append((start, end))
    return [text[start + 1 : end] for start, end in outer]


def quoted_passages(rows, top: int = TOP_QUOTES) -> list[Quote]:
    """The passages quoted (straight or typographic double quotes, ``QUOTE_MIN`` characters or
    more) in ``rows`` of ``(key, number, rationale, request)``, most recent first: each
    counted once per item, most items first (ties: first found), with the first item quoting
    it. The item's own request quoted back ("Therefore, the "Decision for Pulsed Ultrasound 2
    times a week" is not medically necessary") is not a guideline passage and is left out."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str, int]] = {}
    for key, number, rationale, request in rows:
        seen = set()
        asked = quote_key(request or "")
        for quoted in quotations(rationale or ""):
            text = " ".join(quoted.split())
            normal = quote_key(text)
            if len(normal) < QUOTE_MIN or normal in seen or _is_the_request(normal, asked):
                continue
            seen.add(normal)
            counts[normal] += 1
            first.setdefault(normal, (text, key, number))
    order = {normal: place for place, normal in enumerate(first)}
    ranked = sorted(counts, key=lambda normal: (-counts[normal], order[normal]))[:top]
    return [Quote(first[n][0], counts[n], first[n][1], first[n][2]) for n in ranked]
