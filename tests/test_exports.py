"""CSV and JSON Lines exports: parsed back and compared with the database."""

import csv
import io
import json

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from determinations import citation_format, exports, presenters
from determinations.models import DisputedItem, GuidelineCitation

from .builders import a_determination, a_parse, a_reason, an_item
from .test_stats import build_archive

pytestmark = pytest.mark.django_db

AWKWARD = 'Needs "quotes", commas,\nand a newline; plus Pérez and 痛み'


@pytest.fixture
def archive():
    return build_archive()


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def parse_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def unguard(value: str) -> str:
    return value[1:] if value[:2] in {"'=", "'+", "'-", "'@", "'\t", "'\r"} else value


def test_the_csv_export_has_the_documented_columns_in_order(client, archive):
    data = download(client, "/export/items.csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(header) == exports.CSV_HEADER
    assert header[:3] == ["letter_key", "item_number", "url"]


def test_the_csv_export_round_trips_every_public_item(client, archive):
    rows = parse_csv(download(client, "/export/items.csv"))
    items = DisputedItem.objects.public().select_related("determination")
    assert len(rows) == items.count() == 5
    by_key = {(row["letter_key"], int(row["item_number"])): row for row in rows}
    for item in items:
        row = by_key[(item.determination.key, item.number)]
        assert row["request"] == item.request
        assert row["outcome"] == item.outcome
        assert row["category"] == item.category
        assert row["subcategory"] == item.subcategory
        assert row["service"] == (item.service or "")
        assert row["decision_date"] == item.decision_date.isoformat()
        assert row["body_regions"].split(" | ") == (item.body_regions or [""])
        assert row["reviewer_specialties"].split(" | ") == item.specialties
        assert row["reviewer_guideline_documents"].split(" | ") == item.guideline_labels
        assert row["reviewer_guidelines"].split(" | ") == item.guideline_documents
        assert row["rationale"] == item.rationale
        assert row["url"] == (
            f"http://testserver/determinations/{item.determination.key}/#item-{item.number}"
        )
    assert archive["withdrawn"].key not in {row["letter_key"] for row in rows}


def test_the_csv_keeps_quotes_commas_newlines_and_accents(client):
    a_determination(a_parse(items=[an_item(request=AWKWARD, rationale=AWKWARD)]))
    [row] = parse_csv(download(client, "/export/items.csv"))
    assert row["request"] == AWKWARD
    assert row["rationale"] == AWKWARD


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
)
def test_the_csv_guards_cells_a_spreadsheet_would_run_as_formulas(client, cell):
    a_determination(a_parse(items=[an_item(request=cell)]))
    [row] = parse_csv(download(client, "/export/items.csv"))
    assert row["request"] == "'" + cell
    assert unguard(row["request"]) == cell


def test_the_jsonl_export_keeps_values_unguarded_and_equal_to_the_database(client):
    determination = a_determination(
        a_parse(items=[an_item(request="=1+1"), an_item(request=AWKWARD, quantity=12)])
    )
    lines = download(client, "/export/items.jsonl").decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["request"] for r in sorted(records, key=lambda r: r["number"])] == [
        "=1+1",
        AWKWARD,
    ]
    second = next(r for r in records if r["number"] == 2)
    assert second["quantity"] == 12
    assert second["key"] == determination.key
    assert second["reviewer"]["citations"][0]["source"] == "ODG"
    assert second["claims_administrator"]["citations"][0]["source"] == "MTUS"


def test_exports_take_the_browse_filters(client, archive):
    rows = parse_csv(download(client, "/export/items.csv?region=cervical&outcome=overturned"))
    assert [row["request"] for row in rows] == ["Acupuncture x 6"]
    lines = download(client, "/export/items.jsonl?category=Pharmaceuticals").splitlines()
    assert len(lines) == 2


def test_an_export_with_no_match_is_just_the_header(client, archive):
    rows = parse_csv(download(client, "/export/items.csv?year=1999"))
    assert rows == []
    assert download(client, "/export/items.jsonl?year=1999") == b""


def test_bad_parameters_get_a_400_listing_them(client):
    response = client.get("/export/items.csv?colour=red&year=99")
    assert response.status_code == 400
    text = response.content.decode()
    assert "colour" in text and "year" in text


def test_the_export_is_newest_first_and_exports_everything_in_chunks(client, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 3)
    monkeypatch.setattr(exports, "BLOCK_BYTES", 100)
    for year in (2015, 2019, 2017):
        a_determination(
            a_parse(decision_date=f"{year}-02-01", items=[an_item(), an_item(), an_item()])
        )
    rows = parse_csv(download(client, "/export/items.csv"))
    assert len(rows) == 9
    assert [row["decision_date"][:4] for row in rows] == ["2019"] * 3 + ["2017"] * 3 + ["2015"] * 3


def test_the_export_reads_related_data_in_bulk(client, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    for _ in range(8):
        a_determination(a_parse(items=[an_item(), an_item(), an_item()]))
    # 24 items in chunks of 10: one cursor and a citations query per chunk, never per row.
    with django_assert_max_num_queries(6):
        assert len(parse_csv(download(client, "/export/items.csv"))) == 24


def test_the_guard_leaves_other_cells_alone():
    assert exports.guard_cell("MRI of the knee") == "MRI of the knee"
    assert exports.guard_cell(None) == ""
    assert exports.guard_cell(12) == 12


# The SQL-built export against a plain-Python reference (the export as it was first written):
# every cell, byte for byte.

CITED_IN_FULL = {
    "source": "ACOEM",
    "document": "Occupational Medicine Practice Guidelines",
    "chapter": 12,
    "section": 'Low Back, "Red flags", imaging',
    "pages": "303-305",
    "year": 2004,
}


def reference_csv(items, *, base_url="http://testserver") -> bytes:
    """What the CSV export must be, from model instances, ``item_record`` and ``guard_cell``."""

    def joined(values):
        return " | ".join(str(value) for value in values)

    def cells(record):
        return {
            "letter_key": record["key"],
            "item_number": record["number"],
            "url": record["url"],
            **{name: record[name] for name in exports.CSV_HEADER[3:15]},
            "body_regions": joined(record["body_regions"]),
            "quantity": record["quantity"],
            "request": record["request"],
            "original_request": record["original_request"],
            "authorized": record["authorized"],
            "reviewer_specialties": joined(record["reviewer_specialties"]),
            "reviewer_guideline_sources": joined(record["reviewer_guideline_sources"]),
            "reviewer_guideline_documents": joined(record["reviewer_guideline_documents"]),
            "reviewer_citations": joined(
                citation_format.format_citation(c) for c in record["reviewer"]["citations"]
            ),
            "reviewer_basis": record["reviewer"]["basis"],
            "claims_administrator_citations": joined(
                citation_format.format_citation(c)
                for c in record["claims_administrator"]["citations"]
            ),
            "claims_administrator_basis": record["claims_administrator"]["basis"],
            "rationale": record["rationale"],
            "reviewer_guidelines": joined(record["reviewer_guidelines"]),
            "reviewer_licensure": joined(record["reviewer_licensure"]),
            "reviewer_guideline_sections": joined(record["reviewer_guideline_sections"]),
            "reason_codes": joined(record["reason_codes"]),
            "reasons": joined(f"{r['code']}: {r['evidence']}" for r in record["reasons"]),
        }

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(exports.CSV_HEADER)
    prefix = presenters.permalink_prefix()
    for item in items:
        record = presenters.item_record(item, url=presenters.item_url(base_url, prefix, item))
        row = cells(record)
        assert tuple(row) == exports.CSV_HEADER
        writer.writerow([exports.guard_cell(value) for value in row.values()])
    return ("\ufeff" + out.getvalue()).encode()


def reference_jsonl(items, *, base_url="http://testserver") -> bytes:
    prefix = presenters.permalink_prefix()
    return b"".join(
        (
            json.dumps(
                presenters.item_record(item, url=presenters.item_url(base_url, prefix, item)),
                ensure_ascii=False,
            )
            + "\n"
        ).encode()
        for item in items
    )


def newest_first():
    return (
        DisputedItem.objects.public()
        .select_related("determination")
        .prefetch_related("citations")
        .order_by("-decision_date", "-id")
    )


@pytest.fixture
def awkward_archive(archive):
    """The stats archive plus items with every awkward value a cell can hold."""
    a_determination(
        a_parse(
            decision_date="2019-05-02",
            date_of_injury=None,
            items=[
                an_item(
                    request="-5 mg, twice daily",
                    original_request="@home care\r\nx 12",
                    authorized="=1+1",
                    service="+plus",
                    body_regions=[],
                    quantity=12,
                    rationale=AWKWARD,
                    claims_administrator={"basis": "", "citations": []},
                    reviewer={
                        "basis": "\tTabbed basis",
                        "citations": [CITED_IN_FULL, CITED_IN_FULL | {"chapter": None}],
                    },
                    reasons=[a_reason("not_recommended", AWKWARD), a_reason("criteria_met", "=1")],
                ),
                an_item(request="Only\rcarriage return", rationale='"Quoted" start'),
                an_item(request="", rationale="plain"),
            ],
        )
    )
    odd = a_determination(a_parse(decision_date=None))
    type(odd).objects.filter(pk=odd.pk).update(key="odd key/é?#")
    return archive


def test_the_csv_matches_the_reference_byte_for_byte(client, awkward_archive):
    data = download(client, "/export/items.csv")
    assert data == reference_csv(newest_first())
    assert "odd%20key%2F%C3%A9%3F%23/#item-1" in data.decode()


def test_the_jsonl_matches_item_record_byte_for_byte(client, awkward_archive):
    assert download(client, "/export/items.jsonl") == reference_jsonl(newest_first())


def test_filtered_exports_match_the_reference(client, awkward_archive):
    query = "?region=cervical&region=lumbar&outcome=upheld&q=acupuncture"
    items = (
        newest_first()
        .filter(body_regions__overlap=["cervical", "lumbar"], outcome="upheld")
        .filter(search_vector=SearchQuery("acupuncture", search_type="websearch", config="english"))
    )
    assert len(items) == 1
    assert download(client, "/export/items.csv" + query) == reference_csv(items)
    assert download(client, "/export/items.jsonl" + query) == reference_jsonl(items)


def test_the_csv_dates_are_iso_whatever_the_session_date_style(client, awkward_archive):
    expected = reference_csv(newest_first())  # psycopg reads timestamps in ISO style only
    with connection.cursor() as cursor:
        cursor.execute("SET DateStyle = 'SQL, DMY'")
    try:
        assert download(client, "/export/items.csv") == expected
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET DateStyle")


def test_stored_citation_texts_equal_the_migrations_backfill(archive):
    import importlib

    backfill = importlib.import_module("determinations.migrations.0006_item_citation_texts")
    columns = ("reviewer_citations_text", "claims_administrator_citations_text")
    written = {row[0]: row[1:] for row in DisputedItem.objects.values_list("id", *columns)}
    assert any(any(texts) for texts in written.values()), "the archive has citations"
    DisputedItem.objects.update(
        reviewer_citations_text=None, claims_administrator_citations_text=None
    )
    with connection.cursor() as cursor:
        cursor.execute(backfill.BACKFILL)
    assert {row[0]: row[1:] for row in DisputedItem.objects.values_list("id", *columns)} == written


def test_stored_citations_read_as_their_contract_dicts(awkward_archive):
    """The save service formats stored rows; the loader and the reference format dicts."""
    citations = list(GuidelineCitation.objects.order_by("id"))
    assert citations
    assert citation_format.citations_text(citations) == citation_format.citations_text(
        presenters.citation_as_dict(c) for c in citations
    )
    assert citation_format.citations_text([]) is None


def test_every_value_of_the_item_record_is_exported_and_nothing_else(client):
    a_determination(a_parse())
    names = [field.name for field in presenters.ITEM_RECORD]
    assert {source.split(".")[0] for _, source in exports.CSV_COLUMNS} == set(names)
    [line] = download(client, "/export/items.jsonl").splitlines()
    assert list(json.loads(line)) == names


def test_the_api_docs_list_every_csv_column_with_its_fields_meaning():
    """docs/api.md's column table is the CSV header, in order, each with its field's ``help``."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    table = docs.split("### Columns (CSV)", 1)[1].split("\n\n| column | meaning |\n|---|---|\n")[1]
    rows = [line for line in table.split("\n\n")[0].splitlines()]
    documented = [tuple(cell.strip() for cell in row.strip("|").split(" | ", 1)) for row in rows]
    expected = [
        (f"`{column}`", exports.csv_column_help(source)) for column, source in exports.CSV_COLUMNS
    ]
    assert documented == expected
