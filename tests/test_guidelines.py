"""The guideline dimension with its source (issue 17): ``ODG:Low Back``, shown ``ODG · Low Back``,
old links with a document alone, the migration that rewrote the items, and the re-parse."""

from __future__ import annotations

import csv
import importlib
import io
import json
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from determinations import guidelines, services
from determinations.models import DisputedItem, GuidelineCitation, Letter
from determinations.parsing import PARSER_VERSION
from determinations.summaries import summaries_refresh

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db

DOT = "\u00b7"
REAL = Path(__file__).parent / "assets" / "letters" / "real"


def cited(*citations: tuple[str, str]) -> dict:
    full = [
        {"source": source, "document": document, "chapter": None, "section": None}
        | {"pages": None, "year": None}
        for source, document in citations
    ]
    return {"basis": "Decision based on the guidelines cited.", "citations": full}


@pytest.fixture
def archive():
    """ "Eye" cited from two sources; "Low Back" (ODG) beside "Low Back Complaints" (MTUS)."""
    a_determination(
        a_parse(
            items=[
                an_item(request="MRI lumbar", reviewer=cited(("ODG", "Low Back"))),
                an_item(request="Lumbar ESI", reviewer=cited(("MTUS", "Low Back Complaints"))),
                an_item(request="Eye exam", reviewer=cited(("MTUS", "Eye"), ("ODG", "Eye"))),
                an_item(request="Eye drops", reviewer=cited(("ODG", "Eye"))),
                an_item(request="Tramadol", reviewer=cited(("Other", "Sildenafil: Drug info"))),
            ]
        )
    )


def listed(response) -> set[str]:
    return {item.request for item in response.context["results"].items}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ODG:Low Back", ("ODG", "Low Back", f"ODG {DOT} Low Back")),
        ("Other:Sildenafil: Drug info",
         ("Other", "Sildenafil: Drug info", f"Other {DOT} Sildenafil: Drug info")),
        ("AMA Guides:Radiculopathy",
         ("AMA Guides", "Radiculopathy", f"AMA Guides {DOT} Radiculopathy")),
        ("Low Back", (None, "Low Back", "Low Back")),
        ("Sildenafil: Drug info", (None, "Sildenafil: Drug info", "Sildenafil: Drug info")),
        ("odg:Low Back", (None, "odg:Low Back", "odg:Low Back")),  # sources are spelled exactly
    ],
)  # fmt: skip
def test_a_value_is_its_source_and_document(value, expected):
    source, document, label = expected
    assert guidelines.split_value(value) == (source, document)
    assert guidelines.guideline_label(value) == label
    if source:
        assert guidelines.guideline_value(source, document) == value


def test_the_facet_chips_and_results_show_the_source(client, archive):
    response = client.get("/?guideline=ODG%3ALow+Back")
    assert response.status_code == 200
    assert listed(response) == {"MRI lumbar"}
    html = unescape(response.content.decode())
    assert f"ODG {DOT} Low Back" in html and f"MTUS {DOT} Low Back Complaints" in html
    [chip] = response.context["chips"]
    assert chip["value"] == f"ODG {DOT} Low Back"
    assert f"<dd>ODG {DOT} Low Back</dd>" in html  # the result's "Reviewer cited"
    facet = next(f for f in response.context["facets"] if f["facet"].name == "guideline")
    values = {v.value: (v.label, v.count) for v in facet["top"] + facet["more"]}
    assert values["ODG:Eye"] == (f"ODG {DOT} Eye", 2)
    assert values["MTUS:Eye"] == (f"MTUS {DOT} Eye", 1)


def test_the_same_title_from_two_sources_is_two_values(client, archive):
    assert listed(client.get("/?guideline=ODG%3AEye")) == {"Eye exam", "Eye drops"}
    assert listed(client.get("/?guideline=MTUS%3AEye")) == {"Eye exam"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("guideline=Low+Back", "guideline=ODG%3ALow+Back"),
        ("guideline=Low+Back+Complaints", "guideline=MTUS%3ALow+Back+Complaints"),
        # Cited under two sources: both, which together mean what the old link meant.
        ("guideline=Eye&region=lumbar", "guideline=MTUS%3AEye&guideline=ODG%3AEye&region=lumbar"),
        ("region=lumbar&guideline=Eye", "region=lumbar&guideline=MTUS%3AEye&guideline=ODG%3AEye"),
        (
            "guideline=Low+Back&guideline=ODG%3AEye",
            "guideline=ODG%3ALow+Back&guideline=ODG%3AEye",
        ),
        ("guideline=Sildenafil%3A+Drug+info", "guideline=Other%3ASildenafil%3A+Drug+info"),
    ],
)
def test_an_old_link_with_a_document_alone_moves_to_its_sources(client, archive, old, new):
    for page in ("/", "/stats/"):
        response = client.get(f"{page}?{old}")
        assert response.status_code == 301, page
        assert response["Location"] == f"{page}?{new}"
        assert client.get(response["Location"]).status_code == 200


def test_an_old_link_to_a_document_no_item_cites_still_answers(client, archive):
    response = client.get("/?guideline=Hernia")
    assert response.status_code == 200
    assert listed(response) == set()
    assert response.context["chips"][0]["value"] == "Hernia"


def test_the_api_export_and_feed_read_an_old_value_under_every_source(client, archive):
    body = client.get("/api/items/", {"guideline": "Eye"}).json()
    assert {item["request"] for item in body["results"]} == {"Eye exam", "Eye drops"}
    exam = next(item for item in body["results"] if item["request"] == "Eye exam")
    assert exam["reviewer_guidelines"] == ["MTUS:Eye", "ODG:Eye"]  # values and labels
    assert exam["reviewer_guideline_documents"] == [f"MTUS {DOT} Eye", f"ODG {DOT} Eye"]
    facets = client.get("/api/facets/", {"guideline": "Eye"}).json()
    assert facets["filters"]["guideline"] == ["MTUS:Eye", "ODG:Eye"]
    assert {"value": "ODG:Eye", "label": f"ODG {DOT} Eye"}.items() <= next(
        v for v in facets["facets"]["guideline"] if v["value"] == "ODG:Eye"
    ).items()
    response = client.get("/export/items.csv", {"guideline": "Eye"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["request"] for row in rows} == {"Eye exam", "Eye drops"}
    exam = next(row for row in rows if row["request"] == "Eye exam")
    assert exam["reviewer_guideline_documents"] == f"MTUS {DOT} Eye | ODG {DOT} Eye"
    assert exam["reviewer_guidelines"] == "MTUS:Eye | ODG:Eye"
    feed = client.get("/feed/", {"guideline": "ODG:Eye"}).content.decode()
    assert f"guideline ODG {DOT} Eye" in unescape(feed)


def test_the_statistics_table_and_its_api_label_the_values(client, archive):
    response = client.get("/stats/?guideline=ODG%3AEye")
    html = unescape(response.content.decode())
    assert f"<strong>guideline</strong> = ODG {DOT} Eye" in html
    assert f"MTUS {DOT} Low Back Complaints" in unescape(client.get("/stats/").content.decode())
    table = client.get("/api/stats/").json()["groups"]["guideline"]
    row = next(r for r in table["groups"] if r["value"] == "ODG:Eye")
    assert row["label"] == f"ODG {DOT} Eye" and row["filters"] == {"guideline": "ODG:Eye"}


@pytest.mark.parametrize("value", ["ODG:", "ODG: Low Back", "ODG:Low Back ", "x" * 201])
def test_a_malformed_value_is_a_400_saying_the_form(client, archive, value):
    response = client.get("/", {"guideline": value})
    assert response.status_code == 400
    assert "SOURCE:document" in unescape(response.content.decode())
    body = client.get("/api/items/", {"guideline": value}).json()
    assert any("SOURCE:document" in error or "guideline" in error for error in body["errors"])


def test_the_vocabulary_knows_the_documents_not_the_sources(archive):
    summaries_refresh(full=True)
    from determinations.models import VocabularyTerm

    terms = dict(VocabularyTerm.objects.filter(kind="guideline").values_list("term", "items"))
    assert terms["Eye"] == 3 and terms["Low Back"] == 1  # "Eye" under two sources: one term
    words = set(VocabularyTerm.objects.filter(kind="word").values_list("term", flat=True))
    assert not words & {"odg", "mtus", "other"}


def test_the_migration_rewrites_old_values_with_their_sources_in_batches(archive):
    migration = importlib.import_module("determinations.migrations.0016_item_sourced_guidelines")
    written = dict(DisputedItem.objects.values_list("id", "guideline_documents"))
    editor = SimpleNamespace(connection=connection)
    assert migration.bare_documents(None, editor, batch=2) == len(written)
    bare = dict(DisputedItem.objects.values_list("id", "guideline_documents"))
    assert sorted(map(tuple, bare.values())) == sorted(
        [("Low Back",), ("Low Back Complaints",), ("Eye",), ("Eye",), ("Sildenafil: Drug info",)]
    )
    assert migration.sourced_guidelines(None, editor, batch=2) == len(written)
    assert dict(DisputedItem.objects.values_list("id", "guideline_documents")) == written
    assert migration.sourced_guidelines(None, editor, batch=2) == 0  # a rerun has nothing left


def test_a_parser_version_bump_respells_stored_letters_through_reparse_outdated(client):
    """A letter parsed by 1.7 (its web-address citation had no document) is re-read by
    ``reparse --outdated``: citations and the item's guideline values both change."""
    pdf = REAL / "CM17-0011730.pdf"
    stored = services.letter_store(data=pdf.read_bytes(), name=pdf.name).letter
    letter = services.letter_parse(letter=stored)
    item = DisputedItem.objects.get(determination=letter.determination, number=1)
    assert "Other:aetna.com" in item.guideline_documents
    # What parser 1.7 had stored.
    GuidelineCitation.objects.filter(item=item, source="Other").update(document=None)
    old = [v for v in item.guideline_documents if v != "Other:aetna.com"]
    DisputedItem.objects.filter(pk=item.pk).update(guideline_documents=old)
    Letter.objects.filter(pk=letter.pk).update(parser_version="1.7.0")
    call_command("reparse", "--outdated", stdout=io.StringIO(), stderr=io.StringIO())
    letter.refresh_from_db()
    item = DisputedItem.objects.get(determination=letter.determination, number=1)  # rewritten
    assert letter.parser_version == PARSER_VERSION
    assert "Other:aetna.com" in item.guideline_documents
    assert GuidelineCitation.objects.filter(item=item, document="aetna.com").exists()
    body = client.get("/api/facets/").json()
    assert any(v["value"] == "Other:aetna.com" for v in body["facets"]["guideline"])
    assert json.loads(client.get(f"/determinations/{letter.determination.key}/json/").content)


def test_after_the_migration_the_summaries_count_live_until_refreshed_with_the_new_values(
    client, archive
):
    from determinations import summaries

    migration = importlib.import_module("determinations.migrations.0016_item_sourced_guidelines")
    editor = SimpleNamespace(connection=connection)
    migration.bare_documents(None, editor)
    summaries.summaries_refresh()
    assert summaries.is_fresh()
    migration.sourced_guidelines(None, editor)
    assert not summaries.is_fresh()  # the change triggers recorded the rewritten letters
    values = {v["value"] for v in client.get("/api/facets/").json()["facets"]["guideline"]}
    assert "ODG:Eye" in values and "Eye" not in values  # counted live meanwhile
    summaries.summaries_refresh()
    assert summaries.is_fresh()
    values = {v["value"] for v in client.get("/api/facets/").json()["facets"]["guideline"]}
    assert values == {"ODG:Low Back", "MTUS:Low Back Complaints", "MTUS:Eye", "ODG:Eye"} | {
        "Other:Sildenafil: Drug info"
    }
