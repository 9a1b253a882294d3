"""Every matching item as CSV or JSON Lines, streamed: no cap, bounded memory, no per-row query.

Items are read through a server-side cursor (``.iterator(chunk_size=...)``) with their letter
joined in and their citations prefetched once per chunk, and written out in blocks of about
64 KB. One record shape (``item_record``) serves the JSONL export and the API's item list; the
CSV flattens it into ``CSV_COLUMNS``, documented in docs/api.md.

CSV choices, for spreadsheets: UTF-8 with a byte-order mark (Excel otherwise reads UTF-8 as a
legacy code page and garbles names such as "Pérez"; other tools skip the BOM), RFC 4180 quoting
with CRLF row ends, multi-valued cells joined with " | ", and a formula-injection guard: a text
cell starting with ``= + - @``, tab or carriage return gets a leading single quote, so a
spreadsheet shows it as text instead of running it. JSON Lines carries the values unchanged.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse

from .filters import ItemFilterSet
from .models import DisputedItem, GuidelineCitation
from .presenters import item_as_dict

CHUNK_SIZE = 2_000  # rows per server-side cursor fetch (and per citations prefetch)
BLOCK_BYTES = 64 * 1024  # bytes handed to the server at a time
BOM = "\ufeff"
LIST_SEPARATOR = " | "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_KEY_PLACEHOLDER = "__key__"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def permalink_prefix() -> str:
    """The permalink path with a placeholder for the key: one ``reverse`` per export."""
    return reverse("determinations:detail", args=[_KEY_PLACEHOLDER])


def item_url(base_url: str, prefix: str, item: DisputedItem) -> str:
    path = prefix.replace(_KEY_PLACEHOLDER, quote(item.determination.key, safe=""))
    return f"{base_url}{path}#{item.anchor}"


def item_record(item: DisputedItem, *, url: str) -> dict:
    """One item with its letter's facts, in the parse contract's item shape plus letter fields.

    Expects ``determination`` selected and ``citations`` prefetched.
    """
    determination = item.determination
    return {
        "key": determination.key,
        "url": url,
        "case_number": determination.case_number,
        "decision_date": _iso(determination.decision_date),
        "date_assigned": _iso(determination.date_assigned),
        "date_of_injury": _iso(determination.date_of_injury),
        "ur_denial_date": _iso(determination.ur_denial_date),
        "application_received": _iso(determination.application_received),
        "priority": determination.priority,
        "letter_outcome": determination.outcome,
        **item_as_dict(item),
        "reviewer_specialties": list(item.specialties),
        "reviewer_guideline_sources": list(item.guideline_sources),
        "reviewer_guideline_documents": list(item.guideline_documents),
    }


def search_fence(items: QuerySet[DisputedItem]) -> RawSQL:
    """The ids of ``items`` behind an ``OFFSET 0`` fence: use as ``filter(pk__in=...)``.

    For ``ORDER BY ... LIMIT`` over a full-text search (API pages, the feed) the planner may walk
    the ordering index backwards hoping to meet a rare phrase: 5.5 s measured in
    docs/scale-notes.md. The fence makes it find the hits through the GIN index first.
    """
    inner, params = items.order_by().values("id").query.sql_with_params()
    # ``inner`` is Django's own compiled SQL; the request's values stay in ``params``.
    sql = f"SELECT id FROM ({inner} OFFSET 0) AS hits"  # noqa: S608
    return RawSQL(sql, params)  # noqa: S611


def export_queryset(filterset: ItemFilterSet) -> QuerySet[DisputedItem]:
    """Public items matching a valid filter set, newest decision first, related data in bulk."""
    return (
        filterset.filter_queryset(DisputedItem.objects.public())
        .select_related("determination")
        .defer("search_vector", "determination__clinical_summary")
        .prefetch_related(
            Prefetch(
                "citations", queryset=GuidelineCitation.objects.order_by("cited_by", "position")
            )
        )
        .order_by("-decision_date", "-id")
    )


def records(items: QuerySet[DisputedItem], *, base_url: str) -> Iterator[dict]:
    prefix = permalink_prefix()
    for item in items.iterator(chunk_size=CHUNK_SIZE):
        yield item_record(item, url=item_url(base_url, prefix, item))


def format_citation(citation: dict) -> str:
    """ "ODG, Low Back, MRIs": source, document, chapter, section, pages, edition year."""
    parts = [
        citation["source"],
        citation["document"],
        f"Chapter {citation['chapter']}" if citation["chapter"] else None,
        citation["section"],
        f"pp. {citation['pages']}" if citation["pages"] else None,
        f"({citation['year']})" if citation["year"] else None,
    ]
    return ", ".join(str(part) for part in parts if part)


def _joined(values: Iterable) -> str:
    return LIST_SEPARATOR.join(str(value) for value in values)


def _field(name: str) -> Callable[[dict], object]:
    return lambda record: record[name]


def _listed(name: str) -> Callable[[dict], object]:
    return lambda record: _joined(record[name])


def _citations(by: str) -> Callable[[dict], object]:
    return lambda record: _joined(format_citation(c) for c in record[by]["citations"])


def _basis(by: str) -> Callable[[dict], object]:
    return lambda record: record[by]["basis"]


# (column, value from the record, meaning). Stable: new columns are only ever appended.
CSV_COLUMNS: tuple[tuple[str, Callable[[dict], object], str], ...] = (
    ("letter_key", _field("key"), "Permalink key of the letter (case number, or 12 hex digits)."),
    ("item_number", _field("number"), "Order of the item in its letter, from 1."),
    ("url", _field("url"), "Permalink URL of the item (the letter's page, item anchor)."),
    ("case_number", _field("case_number"), "IMR case number, CMyy-nnnnnnn."),
    ("decision_date", _field("decision_date"), "Decision date of the letter (YYYY-MM-DD)."),
    ("date_assigned", _field("date_assigned"), "Date the case was assigned."),
    ("date_of_injury", _field("date_of_injury"), "Date of injury."),
    ("ur_denial_date", _field("ur_denial_date"), "Date of the utilization review denial."),
    ("application_received", _field("application_received"), "Date the IMR application came."),
    ("priority", _field("priority"), "standard or expedited."),
    ("letter_outcome", _field("letter_outcome"), "upheld, overturned or partially overturned."),
    ("outcome", _field("outcome"), "This item's decision: upheld or overturned."),
    ("category", _field("category"), "Division category."),
    ("subcategory", _field("subcategory"), "Subcategory within the category."),
    ("service", _field("service"), "Canonical service, or a drug's generic name."),
    ("body_regions", _listed("body_regions"), "Body regions named in the request."),
    ("quantity", _field("quantity"), "Sessions, visits or units requested."),
    ("request", _field("request"), "The disputed request."),
    ("original_request", _field("original_request"), "Modified requests: the original."),
    ("authorized", _field("authorized"), "Modified requests: what UR authorized."),
    ("reviewer_specialties", _listed("reviewer_specialties"), "The reviewer's specialties."),
    (
        "reviewer_guideline_sources",
        _listed("reviewer_guideline_sources"),
        "Sources the reviewer cited (MTUS, ODG, ...), each once.",
    ),
    (
        "reviewer_guideline_documents",
        _listed("reviewer_guideline_documents"),
        "Documents the reviewer cited, each once.",
    ),
    ("reviewer_citations", _citations("reviewer"), "The reviewer's citations in full."),
    ("reviewer_basis", _basis("reviewer"), "Text after 'MAXIMUS guideline:'."),
    (
        "claims_administrator_citations",
        _citations("claims_administrator"),
        "The claims administrator's citations in full.",
    ),
    (
        "claims_administrator_basis",
        _basis("claims_administrator"),
        "Text after 'Claims Administrator guideline:'.",
    ),
    ("rationale", _field("rationale"), "The decision's rationale."),
)
CSV_HEADER = tuple(name for name, _, _ in CSV_COLUMNS)


def guard_cell(value: object) -> object:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


class _Line:
    """A file-like object whose ``write`` hands back the text: lets ``csv.writer`` stream."""

    def write(self, text: str) -> str:
        return text


def _blocks(pieces: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= BLOCK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(CSV_HEADER)
    for record in rows:
        yield writer.writerow([guard_cell(value(record)) for _, value, _ in CSV_COLUMNS])


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for record in rows:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def csv_stream(filterset: ItemFilterSet, *, base_url: str) -> Iterator[bytes]:
    """The CSV export as byte blocks, header first (even when nothing matches)."""
    return _blocks(csv_lines(records(export_queryset(filterset), base_url=base_url)))


def jsonl_stream(filterset: ItemFilterSet, *, base_url: str) -> Iterator[bytes]:
    """The JSON Lines export: one ``item_record`` object per line, UTF-8, no BOM."""
    return _blocks(jsonl_lines(records(export_queryset(filterset), base_url=base_url)))
