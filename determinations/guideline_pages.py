"""Reads for the guideline pages (issue 19): ``/guidelines/`` and a document's or section's page.

A guideline is what the reviewer cited (``GuidelineCitation``, ``cited_by`` reviewer): a source,
a document and, optionally, a section. A document is the ``guideline`` dimension's value
(``ODG:Low Back``, ``guidelines.py``), so its rate, its specialties, its reasons and its rate
over time come from the summaries like any one-filter statistics (``stats.statistics``,
``crosstab.crosstab``: exact and one indexed query while fresh). A section lives only on the
citations, which the summaries do not count, so its figures are counted here from the citations
and their items, and bounded the same way as the rest of the archive (``sampling``): exactly
while the document is small (its citations read through ``citation_document_idx``), else over
the fixed sample of letters (ids multiples of N, walked by ``generate_series`` so the cost is
the sample's letters, not the archive's), scaled up and marked ``~`` with the sample's Wilson
interval and the Horvitz-Thompson interval of the item count. The list of every section does
the same: a section cited in none of the sampled letters is then missing from the list (the
page says so).

Quoted passages are read from a bounded, deterministic set: the ``QUOTE_ITEMS`` most recent
items (by id) of the page's item set (of the sample when its figures are), found in the same
pass as its counts and then read by id.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.http import QueryDict

from imr_archive.db_router import read_connection

from . import crosstab, guidelines, plans, sampling, stats, summaries
from .choices import CitedBy, ItemOutcome
from .dimensions import BY_NAME, Dimension
from .filters import ItemFilterSet
from .models import Determination, DisputedItem, GuidelineCitation

# Counted exactly up to this many citations (the list page) or items of the document (a page):
# an exact pass reads each citation and its item (~2 index lookups an item), a sampled one ~4 a
# sampled letter (its ~2 items, their citations), so up to here exact costs about what the
# sample (at most ``SAMPLE_LETTERS_UP_TO`` letters) does.
EXACT_CITATIONS_UP_TO = 40_000
EXACT_DOCUMENT_ITEMS_UP_TO = 20_000
# A sampled pass reads at most ~this many letters (their items and citations by index).
SAMPLE_LETTERS_UP_TO = 10_000
QUOTE_ITEMS = 400  # rationales scanned for quotations, most recent first
QUOTE_MIN = 40  # characters: shorter quoted text is a phrase, not a guideline passage
QUOTE_MAX = 1_500
QUOTE_SCAN_CHARS = 20_000  # of each rationale
TOP_QUOTES = 10
TOP_GROUPS = 10  # specialties and reasons shown (the JSON and CSV have every specialty)
RECENT = 10  # decisions listed on a section page
MAX_DOCUMENT = 300  # GuidelineCitation.document's width
MAX_SECTION = 1_000
REASON = "reason"  # the dimension whose values the reasons section lists, once it exists

_T = {
    "item": DisputedItem._meta.db_table,
    "citation": GuidelineCitation._meta.db_table,
    "determination": Determination._meta.db_table,
}
_SPAN = f"{{{QUOTE_MIN},{QUOTE_MAX}}}"
_QUOTED = re.compile(rf'"([^"]{_SPAN})"|\u201c([^\u201c\u201d]{_SPAN})\u201d')


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
    def label(self) -> str:
        label = guidelines.guideline_label(self.value)
        return f"{label} \u00b7 {self.section}" if self.section else label

    @property
    def url_args(self) -> list[str]:
        return [self.source, self.document] + ([self.section] if self.section else [])

    def as_dict(self) -> dict:
        return {"source": self.source, "document": self.document, "section": self.section}


def guideline_from(source: str, document: str, section: str | None = None) -> Guideline:
    """The guideline of a page's path parts; ``BadGuideline`` for text no citation can hold,
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
    guideline = Guideline(source, document, section)
    if not document_filterset(guideline).is_valid():  # the browse filter must take it
        raise BadGuideline("The document is not one the guideline filter can select.")
    return guideline


def _citations(guideline: Guideline):
    found = GuidelineCitation.objects.filter(
        cited_by=CitedBy.REVIEWER, source=guideline.source, document=guideline.document
    )
    return found.filter(section=guideline.section) if guideline.section else found


def is_cited(guideline: Guideline) -> bool:
    """Whether any public item's reviewer cites it (an index lookup on source and document;
    a section is then tested on the document's citations until one matches)."""
    items = DisputedItem.objects.public().filter(pk=OuterRef("item_id"))
    return _citations(guideline).filter(Exists(items)).exists()


# --- sampling ------------------------------------------------------------------------------


def list_level() -> int | None:
    """The sample a pass over every letter's citations reads (None: every citation): the
    finest whose letters are at most ``SAMPLE_LETTERS_UP_TO`` (planner's row counts: free)."""
    if sampling.table_rows(_T["citation"]) <= EXACT_CITATIONS_UP_TO:
        return None
    letters = sampling.table_rows(_T["determination"])
    for every in sorted(sampling.LEVELS):
        if letters / every <= SAMPLE_LETTERS_UP_TO:
            return every
    return max(sampling.LEVELS)


def document_level(document_items: int) -> int | None:
    """The sample a document's items are counted in: every one for a small document, else the
    coarsest sample still holding ``sampling.ESTIMATE_ROWS_AT_LEAST`` of its items (a pass
    costs the sample's letters), never finer than the list's (``list_level``)."""
    if document_items <= EXACT_DOCUMENT_ITEMS_UP_TO:
        return None
    finest = list_level()
    if finest is None:
        return None
    for every in sorted(sampling.LEVELS, reverse=True):  # coarsest first
        if every >= finest and document_items / every >= sampling.ESTIMATE_ROWS_AT_LEAST:
            return every
    return finest


def section_level(document_items: int) -> int | None:
    """The sample a section's items are counted in: every one when its document is small, else
    the finest the list affords (a section holds few of its document's items)."""
    if document_items <= EXACT_DOCUMENT_ITEMS_UP_TO:
        return None
    return list_level()


def _items_from(every: int | None) -> str:
    """The FROM clause of the public items (``i``), every one or those of the 1-in-``every``
    sample of letters (its ids walked, not the items scanned)."""
    if every is None:
        return f"{_T['item']} AS i"
    return (
        f"generate_series({int(every)}, (SELECT coalesce(max(id), 0) "  # noqa: S608
        f"FROM {_T['determination']}), "
        f"{int(every)}) AS g(letter) JOIN {_T['item']} AS i ON i.determination_id = g.letter"
    )


def _cites_sql(guideline: Guideline) -> tuple[str, list]:
    """A test of item ``i``: its reviewer cites the section."""
    sql = (
        f"EXISTS (SELECT 1 FROM {_T['citation']} AS c WHERE c.item_id = i.id "  # noqa: S608
        f"AND c.cited_by = %s AND c.source = %s AND c.document = %s AND c.section = %s)"
    )
    return sql, [CitedBy.REVIEWER, guideline.source, guideline.document, guideline.section]


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
    rate: stats.Rate | None  # from the summaries (None while stale)
    documents: list[DocumentRow]


@dataclass(frozen=True)
class GuidelineList:
    sources: list[SourceRow]
    section_every: int | None  # sections counted over the 1-in-N sample (None: exactly)

    def as_dict(self) -> dict:
        return {
            "sections_sample_every": self.section_every,
            "sources": [
                {
                    "source": s.source,
                    **({"items": s.rate.as_dict()} if s.rate else {}),
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


def _value_totals(facet: str) -> dict[str, tuple[int, int]]:
    """``{value: (items, overturned)}`` of one dimension over every public item: the summaries'
    totals while fresh, else counted live (one GROUP BY over the items)."""
    sql = (
        f"SELECT 'v', value_a, items, overturned FROM {summaries.PAIR_TABLE} "  # noqa: S608
        f"WHERE facet_b = '' AND facet_a = %s"
    )
    rows = summaries.fresh_rows(sql, [facet], 4)
    if rows is not None:
        return {value: (n, over) for _, value, n, over in rows}
    spec = BY_NAME[facet]
    column = read_connection().ops.quote_name(spec.column)
    sql = (
        f"SELECT g.v, count(*), count(*) FILTER (WHERE i.outcome = %s) FROM {_T['item']} AS i "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT DISTINCT unnest(i.{column})) AS g(v) "
        f"WHERE NOT i.withdrawn GROUP BY g.v"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [ItemOutcome.OVERTURNED])
        return {value: (n, over) for value, n, over in cursor.fetchall()}


def _section_rows(every: int | None, document: Guideline | None = None):
    """``(rows, ids)``: ``(source, document, section, items, overturned, squares)`` per cited
    section (of one document, or of all), an item counted once per section, most items first,
    in the 1-in-``every`` sample; and for one document, in the same pass, the ids of its
    ``QUOTE_ITEMS`` latest items (newest first), whose rationales are searched for quotes."""
    where, params = " AND c.section IS NOT NULL", [CitedBy.REVIEWER]
    latest = ""
    if document is not None:
        where, params = (
            " AND c.source = %s AND c.document = %s",
            [*params, document.source, document.document],
        )
        latest = (
            f" UNION ALL (SELECT NULL, NULL, NULL, id, 0, 0 FROM (SELECT DISTINCT id FROM cited "  # noqa: S608
            f"ORDER BY id DESC LIMIT {QUOTE_ITEMS}) AS latest)"
        )
    if every is None:
        source = f"{_T['citation']} AS c JOIN {_T['item']} AS i ON i.id = c.item_id"
    else:
        source = f"{_items_from(every)} JOIN {_T['citation']} AS c ON c.item_id = i.id"
    sql = (
        f"WITH cited AS MATERIALIZED (SELECT c.source, c.document, c.section, "  # noqa: S608
        f"i.determination_id AS letter, i.id, i.outcome = %s AS o FROM {source} "
        f"WHERE NOT i.withdrawn AND c.cited_by = %s AND c.document IS NOT NULL{where}), "
        f"per_item AS (SELECT DISTINCT source, document, section, letter, id, o FROM cited "
        f"WHERE section IS NOT NULL), "
        f"per_letter AS (SELECT source, document, section, count(*) AS n, "
        f"count(*) FILTER (WHERE o) AS ov FROM per_item GROUP BY 1, 2, 3, letter) "
        f"(SELECT source, document, section, sum(n)::bigint, sum(ov)::bigint, "
        f"sum(n * n)::bigint FROM per_letter GROUP BY 1, 2, 3){latest}"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [ItemOutcome.OVERTURNED, *params])
        found = cursor.fetchall()
    rows = sorted((r for r in found if r[0] is not None), key=lambda r: (-r[3], r[0], r[1], r[2]))
    ids = sorted((r[3] for r in found if r[0] is None), reverse=True)
    return rows, ids


def guideline_list() -> GuidelineList:
    """Every cited source and document (exact, from the summaries) and section (exact on a
    small archive, else from the fixed sample ``list_level`` chooses), most items first."""
    documents = _value_totals("guideline")
    sources = _value_totals("guideline_source")
    every = list_level()
    sections: dict[tuple[str, str], list[SectionRow]] = {}
    for source, document, section, n, over, squares in _section_rows(every)[0]:
        row = SectionRow(Guideline(source, document, section), _rate(n, over, every, squares))
        sections.setdefault((source, document), []).append(row)
    by_source: dict[str, list[DocumentRow]] = {}
    for value, (n, over) in documents.items():
        source, document = guidelines.split_value(value)
        if source is None:
            continue
        guideline = Guideline(source, document)
        by_source.setdefault(source, []).append(
            DocumentRow(guideline, stats.Rate(n, over), sections.get((source, document), []))
        )
    rows = []
    for source in sorted(by_source, key=lambda s: (-sources.get(s, (0, 0))[0], s)):
        docs = sorted(by_source[source], key=lambda d: (-d.rate.items, d.guideline.document))
        total = sources.get(source)
        rows.append(SourceRow(source, stats.Rate(*total) if total else None, docs))
    return GuidelineList(rows, every)


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
    reasons: list[stats.Rate] | None  # None: no ``reason`` dimension yet
    sections: list[SectionRow]  # a document's sections (empty for a section)
    quotes: list[Quote]
    quotes_scanned: int  # rationales read for them (at most QUOTE_ITEMS)
    every: int | None  # the section's figures come from the 1-in-N sample
    recent: list = field(default_factory=list)  # a section's latest items (of the sample)

    def as_dict(self) -> dict:
        return {
            "guideline": self.guideline.as_dict(),
            "label": self.guideline.label,
            "filter": {"guideline": self.guideline.value},
            "sample_every": self.every,
            "items": self.total.as_dict(),
            "years": [{"year": year, **rate.as_dict()} for year, rate in self.years],
            "undated_items": self.undated,
            "specialties": [rate.as_dict() for rate in self.specialties],
            **(
                {"reasons": [rate.as_dict() for rate in self.reasons]}
                if self.reasons is not None
                else {}
            ),
            "sections": [
                {"section": r.guideline.section, **r.rate.as_dict()} for r in self.sections
            ],
            "quotes": [
                {"text": q.text, "items": q.items, "key": q.key, "number": q.number}
                for q in self.quotes
            ],
            "quotes_scanned_items": self.quotes_scanned,
        }


def reason_dimension() -> Dimension | None:
    """The ``reason`` dimension, once registered (another branch adds it)."""
    return BY_NAME.get(REASON)


def document_filterset(guideline: Guideline) -> ItemFilterSet:
    data = QueryDict(mutable=True)
    data["guideline"] = guideline.value
    filterset = ItemFilterSet(data)
    filterset.is_valid()  # ``guideline_from`` made sure it is
    return filterset


def page(guideline: Guideline) -> Page:
    """A document's page (from the summaries) or a section's (from its citations)."""
    if guideline.section is None:
        return _document_page(guideline)
    return _section_page(guideline)


def _document_page(guideline: Guideline) -> Page:
    filterset = document_filterset(guideline)
    plan = plans.plan_for(filterset)
    reason = reason_dimension()
    names = ("specialty",) + ((reason.name,) if reason else ())
    result = stats.statistics(filterset, dimensions=names, plan=plan)
    groups = {group.dimension.name: group.rows for group in result.groups}
    table = crosstab.crosstab(filterset, crosstab.Query("outcome", "year"), plan=plan)
    every = document_level(result.total.items)
    rows, ids = _section_rows(every, guideline)
    sections = [
        SectionRow(Guideline(s, d, section), _rate(n, over, every, squares))
        for s, d, section, n, over, squares in rows
    ]
    return Page(
        guideline,
        result.total,
        table.periods,
        table.undated,
        groups["specialty"],
        groups[reason.name][:TOP_GROUPS] if reason else None,
        sections,
        quoted_passages(_rationales(ids)),
        len(ids),
        every,
    )


def _document_items(guideline: Guideline) -> int:
    """The document's public items: the summaries' total (live while stale)."""
    key = ("guideline", guideline.value)
    total = summaries.item_total(key)
    if total is None:
        total = (
            DisputedItem.objects.public()
            .filter(guideline_documents__contains=[guideline.value])
            .count()
        )
    return total


def _section_page(guideline: Guideline) -> Page:
    """A section's figures in one statement over its items (every one, or the sample's): the
    total and years (with each letter's items squared, for the intervals), the specialties
    and reasons, and the ids of the latest ``QUOTE_ITEMS``; then their rationales by id."""
    every = section_level(_document_items(guideline))
    cites, cite_params = _cites_sql(guideline)
    specs = [BY_NAME["specialty"]] + ([reason] if (reason := reason_dimension()) else [])
    quote = read_connection().ops.quote_name
    columns = ", ".join(f"i.{quote(spec.column)}" for spec in specs)
    parts = [
        "SELECT 'y', '', y::text, GROUPING(y), sum(n)::bigint, sum(ov)::bigint, "
        "sum(n * n)::bigint FROM l GROUP BY ROLLUP (y)",
        f"SELECT 'i', '', id::text, 0, 0, 0, 0 FROM (SELECT id FROM s ORDER BY id DESC "  # noqa: S608
        f"LIMIT {QUOTE_ITEMS}) AS latest",
    ]
    params = [*cite_params, ItemOutcome.OVERTURNED]
    for spec in specs:
        column = quote(spec.column)
        if spec.is_array:
            source, value = (
                f"s CROSS JOIN LATERAL (SELECT DISTINCT unnest(s.{column})) AS g(v)",
                "g.v",
            )
        else:
            source, value = "s", f"s.{column}"
        parts.append(
            f"SELECT 'g', %s, {value}::text, 0, count(*), count(*) FILTER (WHERE s.outcome = %s), "  # noqa: S608
            f"0 FROM {source} WHERE {value} IS NOT NULL GROUP BY {value}"
        )
        params += [spec.name, ItemOutcome.OVERTURNED]
    sql = (
        f"WITH s AS MATERIALIZED (SELECT i.id, i.determination_id, i.outcome, "  # noqa: S608
        f"i.decision_year, {columns} FROM {_items_from(every)} "
        f"WHERE NOT i.withdrawn AND {cites}), "
        f"l AS (SELECT decision_year AS y, determination_id, count(*) AS n, "
        f"count(*) FILTER (WHERE outcome = %s) AS ov FROM s GROUP BY 1, 2) "
        + " UNION ALL ".join(f"({part})" for part in parts)
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total, years, undated, ids = _rate(0, 0, every, label="All items citing it"), [], 0, []
    grouped: dict[str, list] = {spec.name: [] for spec in specs}
    for kind, dim, value, grand, n, over, squares in rows:
        if kind == "i":
            ids.append(int(value))
        elif kind == "g":
            grouped[dim].append((value, n, over))
        elif grand:
            total = _rate(n, over, every, squares, label="All items citing it")
        elif value is None:
            undated = n * (every or 1)
        else:
            years.append((value, _rate(n, over, every, squares, value=int(value), label=value)))
    years.sort()
    ids.sort(reverse=True)
    tables = {}
    for spec in specs:
        found = sorted(grouped[spec.name], key=lambda row: (-row[1], row[0]))
        tables[spec.name] = [
            _rate(n, over, every, value=v, label=spec.label_for(v), params=((spec.name, v),))
            for v, n, over in found
        ]
    recent = list(
        DisputedItem.objects.filter(pk__in=ids[:RECENT])
        .select_related("determination__letter")
        .order_by("-id")
    )
    return Page(
        guideline,
        total,
        years,
        undated,
        tables["specialty"],
        tables[reason.name][:TOP_GROUPS] if reason else None,
        [],
        quoted_passages(_rationales(ids)),
        len(ids),
        every,
        recent,
    )


def _rationales(ids: list[int]) -> list[tuple[str, int, str]]:
    """``(key, number, rationale)`` of the items ``ids``, newest first (their first
    ``QUOTE_SCAN_CHARS`` characters)."""
    sql = (
        f"SELECT d.key, i.number, left(i.rationale, %s) FROM {_T['item']} AS i "  # noqa: S608
        f"JOIN {_T['determination']} AS d ON d.id = i.determination_id "
        f"WHERE i.id = ANY(%s) ORDER BY i.id DESC"
    )
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [QUOTE_SCAN_CHARS, ids])
        return cursor.fetchall()


def quote_key(text: str) -> str:
    """What two quotations share when they are the same passage: case, white space and the
    punctuation at their ends aside."""
    return " ".join(text.casefold().split()).strip(" .,;:")


def quoted_passages(rows, top: int = TOP_QUOTES) -> list[Quote]:
    """The passages quoted (straight or typographic double quotes, ``QUOTE_MIN`` characters or
    more) in ``rows`` of ``(key, number, rationale)``, most recent first: each counted once per
    item, most items first (ties: first found), with the first item quoting it."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str, int]] = {}
    for key, number, rationale in rows:
        seen = set()
        for match in _QUOTED.finditer(rationale or ""):
            text = " ".join((match.group(1) or match.group(2)).split())
            normal = quote_key(text)
            if len(normal) < QUOTE_MIN or normal in seen:
                continue
            seen.add(normal)
            counts[normal] += 1
            first.setdefault(normal, (text, key, number))
    order = {normal: place for place, normal in enumerate(first)}
    ranked = sorted(counts, key=lambda normal: (-counts[normal], order[normal]))[:top]
    return [Quote(first[n][0], counts[n], first[n][1], first[n][2]) for n in ranked]
