"""Every matching item as CSV or JSON Lines, streamed: no cap, bounded memory, one query.

Both exports are one SQL query: the browse filters (``ItemFilterSet``) on public items, newest
decision first (``export_queryset``), the letter joined in. No model instance is built and no
per-row or per-chunk query is run.

CSV: the database writes it. ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` over Django's own
query (``_csv_copy_sql``) gives every cell finished: dates ISO, lists joined with " | ",
citations as stored on the item when it was written (``citation_format.citations_text``:
aggregating them per row halved the export's speed), the permalink concatenated
(``presenters.item_url``), the formula guard applied to free text (``guard_cell``); COPY's CSV
quoting is csv.writer's QUOTE_MINIMAL (empty strings are sent as NULL, which COPY leaves
unquoted). The server sends one message per row, ending in LF; Python swaps that for CRLF,
prepends the BOM and header, and hands on ~64 KB blocks. tests/test_exports.py checks the bytes
against the plain-Python reference.

JSON Lines: plain tuples (``values_list``) through a server-side cursor, ``CHUNK_SIZE`` rows per
fetch, each item's citations aggregated by a correlated subquery, made into
``presenters.item_record``'s shape (``_jsonl_record``) and encoded by one reused encoder. The
API's item list uses ``item_record`` on model instances.

Which values there are, and how each is written, comes from ``presenters.ITEM_RECORD``: the
CSV only chooses its column names and order (``CSV_COLUMNS``).

CSV choices, for spreadsheets: UTF-8 with a byte-order mark (Excel otherwise reads UTF-8 as a
legacy code page and garbles names such as "Pérez"; other tools skip the BOM), RFC 4180 quoting
with CRLF row ends, multi-valued cells joined with " | ", and a formula-injection guard: a text
cell starting with ``= + - @``, tab or carriage return gets a leading single quote, so a
spreadsheet shows it as text instead of running it. JSON Lines carries the values unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice

import psycopg
from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.expressions import RawSQL

from . import presenters
from .choices import DecisionDays
from .citation_format import LIST_SEPARATOR
from .filters import ItemFilterSet
from .guidelines import LABEL_SEPARATOR, SEPARATOR, SOURCES
from .models import DisputedItem, GuidelineCitation
from .presenters import (
    BASIS,
    CITATION_FIELDS,
    CODE,
    DATE,
    GUIDELINES,
    ITEM_RECORD,
    NUMBER,
    REASONS,
    URL,
    Field,
)

CHUNK_SIZE = 5_000  # rows per server-side cursor fetch
BATCH_ROWS = 50  # JSONL rows encoded at a time between block-size checks
BLOCK_BYTES = 64 * 1024  # about this much handed to the server at a time
BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def export_queryset(filterset: ItemFilterSet) -> QuerySet[DisputedItem]:
    """Public items matching a valid filter set, newest decision first (no columns chosen)."""
    return filterset.filter_queryset(DisputedItem.objects.public()).order_by(
        "-decision_date", "-id"
    )


def guard_cell(value: object) -> object:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a quote.

    The reference for ``_guard_sql``, which the CSV export uses.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return "" if value is None else value


# SQL building blocks. Only constants of this module are written into the SQL text; the request's
# values (base URL, filters) are always parameters.

_ITEM = DisputedItem._meta.db_table
_CITATION = GuidelineCitation._meta.db_table
_FORMULA_SQL = "(" + ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES) + ")"
_SQL_LIST_SEPARATOR = "'" + LIST_SEPARATOR.replace("'", "''") + "'"
# The source before a guideline value's document (sources hold no regular-expression character).
_SOURCE_PREFIX = "^(" + "|".join(SOURCES) + ")" + SEPARATOR
# URL-safe characters of ``quote(..., safe="")``: everything else is %-encoded (UTF-8, upper hex).
_UNRESERVED = "[A-Za-z0-9_.~-]"


class _Joined(Func):
    """An array column joined with ``LIST_SEPARATOR`` ('' for an empty array)."""

    template = f"array_to_string(%(expressions)s, {_SQL_LIST_SEPARATOR})"
    output_field = TextField()


class _GuidelineLabels(Func):
    """Guideline values as shown (``guidelines.guideline_label``): ``ODG:Low Back`` ->
    ``ODG · Low Back``, in their order."""

    template = (
        f"ARRAY(SELECT regexp_replace(t.v, '{_SOURCE_PREFIX}', '\\1{LABEL_SEPARATOR}') "  # noqa: S608
        "FROM unnest(%(expressions)s) WITH ORDINALITY AS t(v, n) ORDER BY t.n)"
    )
    output_field = ArrayField(TextField())


class _ReasonsText(Func):
    """An item's reasons as one cell: ``code: evidence``, joined with ``LIST_SEPARATOR`` in
    their order ('' for none)."""

    template = (
        "array_to_string(ARRAY(SELECT (t.r ->> 'code') || ': ' || (t.r ->> 'evidence') "  # noqa: S608
        "FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS t(r, n) ORDER BY t.n), "
        f"{_SQL_LIST_SEPARATOR})"
    )
    output_field = TextField()


class _IsoDate(Func):
    """A date as YYYY-MM-DD (``date.isoformat``), NULL stays NULL."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TextField()


class _UrlQuoted(Func):
    """``urllib.parse.quote(value, safe="")``: keys are normally safe already, checked first."""

    output_field = TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # Module constants and Django's own SQL for the column only.
        encoded = (
            f"(SELECT string_agg(CASE WHEN ch ~ '^{_UNRESERVED}$' THEN ch ELSE upper("  # noqa: S608
            "regexp_replace(encode(convert_to(ch, 'UTF8'), 'hex'), '(..)', '%%\\1', 'g')) END, "
            f"'' ORDER BY n) FROM regexp_split_to_table({sql}, '') WITH ORDINALITY AS t(ch, n))"
        )
        return (
            f"CASE WHEN {sql} ~ '^{_UNRESERVED}*$' THEN {sql} ELSE {encoded} END",
            (*params, *params, *params),
        )


class _Concat(Func):
    """Text concatenation with ``||`` (NULL if any part is NULL; none of ours is)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = TextField()


class _Detoasted(Func):
    """The text value itself rather than a pointer to where PostgreSQL stored it out of line:
    later references in the same row then read memory instead of the TOAST table."""

    template = "(%(expressions)s || '')"
    output_field = TextField()


def _url(base_url: str, prefix: str) -> _Concat:
    """``presenters.item_url`` in SQL: base URL, permalink path around the quoted key, anchor."""
    head, tail = prefix.split(presenters.KEY_PLACEHOLDER, 1)
    return _Concat(
        Value(base_url + head),
        _UrlQuoted(F("determination__key")),
        Value(tail + "#item-"),
        F("number"),
    )


_CITATION_COLUMNS = ", ".join(f"c.{field.column}" for field in CITATION_FIELDS)


def _citations_json() -> RawSQL:
    """Every citation of the item as JSON text: ``[[cited_by, source, ..., year], ...]``."""
    sql = (  # module constants only
        f"SELECT json_agg(json_build_array(c.cited_by, {_CITATION_COLUMNS}) "  # noqa: S608
        f"ORDER BY c.cited_by, c.position)::text FROM {_CITATION} c "
        f'WHERE c.item_id = "{_ITEM}"."id"'
    )
    return RawSQL(sql, [], output_field=TextField())  # noqa: S611


# Cell kinds: free text gets the formula guard; closed vocabularies (values the parser's tables
# and the database's constraints hold, none starting with = + - @) and our own keys and URLs
# only map '' to NULL (the guard cost ~30% of the export's time when applied to them too);
# numbers and ISO dates go out as they are.
_TEXT, _VOCAB, _PLAIN = "text", "vocabulary", "plain"

# (column, the ``presenters.ITEM_RECORD`` value it holds; its meaning is that field's ``help``).
# A basis is two columns: ``<basis>.citations`` (the text stored on the item when it was written:
# aggregating the citations per row halved the export's speed) and ``<basis>.basis``. Stable: new
# columns are only ever appended.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("letter_key", "key"),
    ("item_number", "number"),
    ("url", "url"),
    ("case_number", "case_number"),
    ("decision_date", "decision_date"),
    ("date_assigned", "date_assigned"),
    ("date_of_injury", "date_of_injury"),
    ("ur_denial_date", "ur_denial_date"),
    ("application_received", "application_received"),
    ("priority", "priority"),
    ("letter_outcome", "letter_outcome"),
    ("outcome", "outcome"),
    ("category", "category"),
    ("subcategory", "subcategory"),
    ("service", "service"),
    ("body_regions", "body_regions"),
    ("quantity", "quantity"),
    ("request", "request"),
    ("original_request", "original_request"),
    ("authorized", "authorized"),
    ("reviewer_specialties", "reviewer_specialties"),
    ("reviewer_guideline_sources", "reviewer_guideline_sources"),
    ("reviewer_guideline_documents", "reviewer_guideline_documents"),
    ("reviewer_citations", "reviewer.citations"),
    ("reviewer_basis", "reviewer.basis"),
    ("claims_administrator_citations", "claims_administrator.citations"),
    ("claims_administrator_basis", "claims_administrator.basis"),
    ("rationale", "rationale"),
    ("reviewer_guidelines", "reviewer_guidelines"),
    ("reviewer_licensure", "reviewer_licensure"),
    ("reviewer_guideline_sections", "reviewer_guideline_sections"),
    ("reason_codes", "reason_codes"),
    ("reasons", "reasons"),
)
CSV_HEADER = tuple(column for column, _ in CSV_COLUMNS)


def csv_column_help(source: str) -> str:
    """What a CSV column holds, from its record field's ``help`` (docs/api.md lists these)."""
    name, _, part = source.partition(".")
    field = presenters.ITEM_RECORD_BY_NAME[name]
    if field.kind != BASIS:
        return field.help
    whose = field.help.removesuffix(" basis and citations.")
    if part == "citations":
        return f"{whose} citations in full, e.g. `ODG, Low Back, MRIs`."
    return f'Text after "{field.label}".'


def _csv_cell(source: str, base_url: str, *, iso_dates: bool) -> tuple[Func | F, str]:
    """The SQL value of the record's ``source`` as a CSV cell, unguarded, and its kind.

    ``_TEXT`` cells get the formula guard (``_cell_sql``); ``_VOCAB`` cells (closed
    vocabularies, our keys and URLs) and ``_PLAIN`` cells (numbers, ISO dates) cannot need it.
    ``iso_dates``: the session's DateStyle already writes YYYY-MM-DD.
    """
    name, _, part = source.partition(".")
    field = presenters.ITEM_RECORD_BY_NAME[name]
    if field.kind == BASIS:
        stored = "citations_text" if part == "citations" else "basis"
        return F(f"{field.column}_{stored}"), _TEXT
    if field.kind == URL:
        return _url(base_url, presenters.permalink_prefix()), _VOCAB
    column = F(field.column)
    if field.kind == DATE:
        return (column if iso_dates else _IsoDate(column)), _PLAIN
    if field.kind == NUMBER:
        return column, _PLAIN
    if field.kind == GUIDELINES:
        return _Joined(_GuidelineLabels(column)), _VOCAB  # each starts with its source
    if field.kind == REASONS:
        return _ReasonsText(column), _TEXT
    return (_Joined(column) if field.many else column), (_VOCAB if field.kind == CODE else _TEXT)


# ``guard_cell`` in SQL: the code points of ``FORMULA_PREFIXES`` (ascii() is the first one).
_FORMULA_CODES = ", ".join(str(ord(c)) for c in FORMULA_PREFIXES)


def _cell_sql(value: str, kind: str) -> str:
    """SQL for the CSV value of ``value``: ``guard_cell`` for text, and '' as NULL.

    COPY's CSV quoting is csv.writer's (QUOTE_MINIMAL: a cell with a comma, quote, CR or LF is
    quoted, quotes doubled) except that it quotes an empty string, so that goes out as NULL.
    """
    if kind == _PLAIN:
        return value
    if kind == _VOCAB:
        return f"nullif({value}, '')"
    return (
        f"nullif(CASE WHEN ascii({value}) IN ({_FORMULA_CODES}) THEN '''' || {value} "
        f"ELSE {value} END, '')"
    )


def _csv_copy_sql(items: QuerySet[DisputedItem], base_url: str) -> tuple[str, tuple]:
    """``COPY (...) TO STDOUT (FORMAT csv)`` of ``items``, in their order, without the header.

    The inner query (Django's, with the filters) selects the raw values; behind ``OFFSET 0`` (so
    that each is computed once) the outer one applies the guard. Free-text values are detoasted
    once in the inner query (``_Detoasted``): the guard reads each value twice and COPY once
    more, and long values stored out of line were fetched each time (at 2 M letters the guard
    made the export 2.5x slower: 26,000 against 66,000 rows/s without it).
    """
    connection = connections[items.db]
    connection.ensure_connection()
    date_style = connection.connection.info.parameter_status("DateStyle") or ""
    iso_dates = date_style.startswith("ISO")
    cells = [_csv_cell(source, base_url, iso_dates=iso_dates) for _, source in CSV_COLUMNS]
    values = {
        f"c{i}": _Detoasted(expression) if kind == _TEXT else expression
        for i, (expression, kind) in enumerate(cells)
    }
    inner = items.values(**values, sort_date=F("decision_date"), sort_id=F("id"))
    inner_sql, params = inner.query.sql_with_params()
    row = ", ".join(_cell_sql(f'r."c{i}"', kind) for i, (_, kind) in enumerate(cells))
    sql = (
        f"COPY (SELECT {row} FROM ({inner_sql} OFFSET 0) AS r "  # noqa: S608 - see docstring
        "ORDER BY r.sort_date DESC, r.sort_id DESC) TO STDOUT (FORMAT csv)"
    )
    return sql, params


def _csv_blocks(base_url: str, items: QuerySet[DisputedItem]) -> Iterator[bytes]:
    """The CSV as byte blocks of at least ``BLOCK_BYTES`` (but the last), straight from COPY.

    The server sends one message per row, ending in LF: each becomes a CRLF row as it is.
    """
    header = io.StringIO()
    csv.writer(header).writerow(CSV_HEADER)
    block = [(BOM + header.getvalue()).encode()]
    size = 0
    sql, params = _csv_copy_sql(items, base_url)
    with connections[items.db].cursor() as cursor:
        # COPY takes no bound parameters: psycopg merges them in, as Django's cursor would.
        statement = psycopg.ClientCursor(cursor.connection).mogrify(sql, params)
        with cursor.copy(statement) as copy:
            for row in copy:
                block.append(row[:-1])
                block.append(b"\r\n")
                size += len(row)
                if size >= BLOCK_BYTES:
                    yield b"".join(block)
                    block, size = [], 0
    if block:
        yield b"".join(block)


def _jsonl_value(field: Field, base_url: str) -> Func | F:
    """The SQL value of a record field: a basis's text (its citations come in one aggregate)."""
    if field.kind == URL:
        return _url(base_url, presenters.permalink_prefix())
    if field.kind == BASIS:
        return F(f"{field.column}_basis")
    if field.kind == DATE:
        return _IsoDate(F(field.column))
    if field.kind == GUIDELINES:
        return _GuidelineLabels(F(field.column))
    return F(field.column)


_CITATIONS = "citations of the item"  # the row's last value (not a key of the record)
_ROW_KEYS = (*(field.name for field in ITEM_RECORD), _CITATIONS)
_BASES = tuple(field.name for field in ITEM_RECORD if field.kind == BASIS)
_CITATION_KEYS = tuple(field.name for field in CITATION_FIELDS)


def _jsonl_values(base_url: str) -> tuple:
    """``ITEM_RECORD``'s values in SQL, in its order, then the item's citations as JSON."""
    return (*(_jsonl_value(field, base_url) for field in ITEM_RECORD), _citations_json())


def _jsonl_record(row: tuple) -> dict:
    """``presenters.item_record`` from a row of ``_jsonl_values``."""
    record = dict(zip(_ROW_KEYS, row, strict=True))
    by: dict[str, list] = {basis: [] for basis in _BASES}
    if citations := record.pop(_CITATIONS):
        for cited_by, *values in json.loads(citations):
            by[cited_by].append(dict(zip(_CITATION_KEYS, values, strict=True)))
    for basis in _BASES:  # a basis's text in its place, now with its citations
        record[basis] = {"basis": record[basis], "citations": by[basis]}
    return record


def _rows(items: QuerySet[DisputedItem], values: Iterable) -> Iterator[list[tuple]]:
    """Tuples of ``values`` for ``items`` through a server-side cursor, ``BATCH_ROWS`` at a time."""
    rows = items.values_list(*values).iterator(chunk_size=CHUNK_SIZE)
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch


def _jsonl_text(base_url: str, items: QuerySet[DisputedItem]) -> Iterator[str]:
    encode = json.JSONEncoder(ensure_ascii=False).encode  # as json.dumps(..., ensure_ascii=False)
    parts: list[str] = []
    size = 0
    for batch in _rows(items, _jsonl_values(base_url)):
        text = "".join([encode(_jsonl_record(row)) + "\n" for row in batch])
        parts.append(text)
        size += len(text)
        if size >= BLOCK_BYTES:
            yield "".join(parts)
            parts, size = [], 0
    if parts:
        yield "".join(parts)


def _encoded(blocks: Iterable[str]) -> Iterator[bytes]:
    for block in blocks:
        if block:
            yield block.encode()


def csv_stream(filterset: ItemFilterSet, *, base_url: str) -> Iterator[bytes]:
    """The CSV export as byte blocks, header first (even when nothing matches)."""
    return _csv_blocks(base_url, export_queryset(filterset))


def jsonl_stream(filterset: ItemFilterSet, *, base_url: str) -> Iterator[bytes]:
    """The JSON Lines export: one ``item_record`` object per line, UTF-8, no BOM."""
    return _encoded(_jsonl_text(base_url, export_queryset(filterset)))


CROSSTAB_HEADER = (
    "period",
    "value",
    "items",
    "overturned",
    "rate",
    "low",
    "high",
    "share",
    "estimated",
)


def _table_csv(header, rows) -> bytes:
    """A small analysis table as CSV: the items' export's encoding (UTF-8 with BOM, CRLF,
    formula guard on every text cell)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([guard_cell(cell) if isinstance(cell, str) else cell for cell in row])
    return (BOM + out.getvalue()).encode()


def _blank(value) -> object:
    return "" if value is None else value


def _group_cells(group) -> list:
    """A letter-level group's ``period`` and ``value`` cells (empty when not grouped)."""
    value = "" if group.row is None else group.row.value
    if group.row is not None and len(group.row.params) == 2:  # a pair: as its label
        value = group.row.label
    return [group.period or "", str(value)]


def _estimated(group) -> str:
    return "true" if group.estimated else "false"


TIMING_FIGURES = (
    "letters",
    "known",
    "unknown",
    "not_computable",
    "median_days",
    "p90_days",
    "standard_letters",
    "over_standard_limit",
    "share_over_standard_limit",
    "expedited_letters",
    "over_expedited_limit",
    "share_over_expedited_limit",
)


def timing_csv(table) -> bytes:
    """Time to decision (``timing.TimingTable``) as CSV: one row per group and basis (the
    total's alone without ``by`` or ``over``), its figures (``Basis.as_dict``), then letters per
    histogram bucket (``days_0-7`` ...); shares are fractions, empty where undefined."""
    buckets = [f"days_{value}" for value in DecisionDays.values]
    header = ("period", "value", "basis", *TIMING_FIGURES, *buckets, "estimated")
    groups = table.rows if (table.dimension or table.over) else [table.total]
    rows = []
    for timing in groups:
        for basis in (timing.assigned, timing.received):
            figures = basis.as_dict()
            rows.append(
                [
                    *_group_cells(timing.group),
                    basis.name,
                    *(_blank(figures[name]) for name in TIMING_FIGURES),
                    *(n for _, _, n in basis.histogram),
                    _estimated(timing.group),
                ]
            )
    return _table_csv(header, rows)


OUTCOME_FIGURES = (
    "letters",
    "upheld",
    "overturned",
    "partially_overturned",
    "without_outcome",
    "upheld_share",
    "overturned_share",
    "partially_overturned_share",
)


def outcomes_csv(table) -> bytes:
    """Letter outcomes (``letters.OutcomeTable``) as CSV: one row per group (the total's alone
    without ``by`` or ``over``); shares are fractions of the group's letters."""
    grouped = table.grouped
    groups = table.rows if (grouped.dimension or grouped.over) else [table.total]
    rows = []
    for outcomes in groups:
        figures = outcomes.as_dict()
        rows.append(
            [
                *_group_cells(outcomes.group),
                *(_blank(figures[name]) for name in OUTCOME_FIGURES),
                _estimated(outcomes.group),
            ]
        )
    return _table_csv(("period", "value", *OUTCOME_FIGURES, "estimated"), rows)


def crosstab_csv(table) -> bytes:
    """A cross-tab (``crosstab.CrossTab``) as CSV, one row per cell: the same encoding as the
    items' export (UTF-8 with BOM, CRLF, formula guard). ``value`` is the value as the browse
    filter spells it (a subcategory as ``category / subcategory``); ``period`` is empty without
    ``over``; rate, interval and share are fractions (0.25), empty where not defined."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CROSSTAB_HEADER)
    for cell in table.cells:
        rate = cell.rate
        low, high = rate.interval
        value = rate.label if table.dimension.within else rate.value
        writer.writerow(
            [
                cell.period or "",
                guard_cell(str(value)),
                rate.items,
                rate.overturned,
                "" if rate.rate is None else rate.rate,
                low,
                high,
                "" if cell.share is None else cell.share,
                "true" if rate.estimated else "false",
            ]
        )
    return (BOM + out.getvalue()).encode()


COMPARE_HEADER = (
    "side",
    "filters",
    "items",
    "overturned",
    "rate",
    "low",
    "high",
    "letters",
    "estimated",
    *(
        f"{basis}_{figure}"
        for basis in ("assigned", "received")
        for figure in ("known", "median_days")
    ),
    "days_estimated",
)


def compare_csv(comparison) -> bytes:
    """A comparison (``compare.Comparison``) as CSV, the cross-tab's encoding: a row per side
    (``a``, ``b``: its browse query, figures and Wilson interval), then the row ``a - b``: the
    difference of the rates in ``rate`` and its Newcombe interval in ``low`` and ``high``. After
    ``estimated`` (the rates'), each side's time to decision: per basis the letters whose days
    are known and their median days (``compare.time_to_decision``), and ``days_estimated``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COMPARE_HEADER)

    def blank(value):
        return "" if value is None else value

    for group in comparison.groups:
        rate = group.total
        low, high = rate.interval
        writer.writerow(
            [
                group.side,
                guard_cell(group.query),
                rate.items,
                rate.overturned,
                blank(rate.rate),
                low,
                high,
                group.letters.letters,
                "true" if rate.estimated else "false",
                *(
                    blank(value)
                    for basis in (group.timing.assigned, group.timing.received)
                    for value in (basis.known, basis.median)
                ),
                "true" if group.timing.estimated else "false",
            ]
        )
    low, high = comparison.interval or (None, None)
    writer.writerow(
        [
            "a - b",
            "",
            "",
            "",
            blank(comparison.difference),
            blank(low),
            blank(high),
            "",
            "true" if comparison.estimated else "false",
            *[""] * 5,  # no time to decision for the difference
        ]
    )
    return (BOM + out.getvalue()).encode()


RATE_COLUMNS = (
    "items",
    "overturned",
    "overturn_rate",
    "interval_low",
    "interval_high",
    "estimated",
)
GUIDELINE_LIST_HEADER = ("source", "document", "section", *RATE_COLUMNS)


def _rate_cells(rate) -> list:
    low, high = rate.interval
    return [
        rate.items,
        rate.overturned,
        _blank(rate.rate),
        low,
        high,
        "true" if rate.estimated else "false",
    ]


def guideline_list_csv(listing) -> bytes:
    """``/guidelines/`` as CSV (``guideline_pages.GuidelineList``): a row per document, then
    one per section of it (``section`` empty on the document's row); the same encoding as the
    items' export. Sections counted over a sample are marked ``estimated``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(GUIDELINE_LIST_HEADER)
    for source in listing.sources:
        for document in source.documents:
            name = guard_cell(document.guideline.document)
            writer.writerow([source.source, name, "", *_rate_cells(document.rate)])
            for row in document.sections:
                section = guard_cell(row.guideline.section)
                writer.writerow([source.source, name, section, *_rate_cells(row.rate)])
    return (BOM + out.getvalue()).encode()


def guideline_table_csv(page, table: str) -> bytes:
    """One table of a guideline's page (``guideline_pages.Page``) as CSV: ``years``,
    ``sections``, ``specialties``, ``reasons`` (the ``reason`` dimension's largest) or
    ``quotes`` (passage, items quoting it among those scanned, one letter key and item)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if table == "quotes":
        writer.writerow(("passage", "items", "key", "item_number", "items_scanned"))
        for quote in page.quotes:
            writer.writerow(
                [guard_cell(quote.text), quote.items, quote.key, quote.number, page.quotes_scanned]
            )
        return (BOM + out.getvalue()).encode()
    heading = {"years": "year", "sections": "section", "specialties": "specialty"}.get(
        table, "reason"
    )
    writer.writerow((heading, *RATE_COLUMNS))
    if table == "years":
        rows = [(year, rate) for year, rate in page.years]
    elif table == "sections":
        rows = [(row.guideline.section, row.rate) for row in page.sections]
    elif table == "specialties":
        rows = [(rate.value, rate) for rate in page.specialties]
    else:
        rows = [(rate.value, rate) for rate in page.reasons]
    for value, rate in rows:
        writer.writerow([guard_cell(str(value)), *_rate_cells(rate)])
    return (BOM + out.getvalue()).encode()
