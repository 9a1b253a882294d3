"""One spelling a guideline section (``guidelines.canonical_section``): "Physical therapy" and
"Physical Therapy" under one document are one value, one count, one page; old links and old
stored values settle on it (the filters, the pages' redirects, migration 0025)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote, quote_plus

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from determinations import guidelines, services, summaries
from determinations.models import DisputedItem

from .builders import a_determination, a_parse, an_item

REAL = Path(__file__).parent / "assets" / "letters" / "real"
MIGRATION = importlib.import_module(
    "determinations.migrations.0025_item_guideline_sections_one_spelling"
)
PREFACE = "/guidelines/ODG/Preface/"
CANONICAL = "ODG:Preface|Physical therapy"


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("Physical therapy", "Physical therapy"),
        ("Physical Therapy", "Physical therapy"),
        ("physical therapy", "Physical therapy"),
        ("Physical Therapy (PT)", "Physical therapy (PT)"),  # capitals kept: an acronym
        ("MRIs", "MRIs"),
        ("mri", "Mri"),  # a first word is capitalised, never otherwise changed
        ("Special Studies, Summary", "Special studies, summary"),
        ("NSAIDs, GI Symptoms & Cardiovascular Risk", "NSAIDs, GI symptoms & cardiovascular risk"),
        ("Vitamin D", "Vitamin D"),  # one-letter words as written
        ("Non-Steroidal Anti-Inflammatory", "Non-steroidal anti-inflammatory"),
        ("McKenzie Method", "McKenzie method"),  # mixed case kept
        ("PHYSICAL THERAPY", "PHYSICAL THERAPY"),  # capitals: its own value
        ("1.4 Opioids for Acute Pain", "1.4 Opioids for acute pain"),
        ("326", "326"),
        ("Épaule Gelée", "Épaule gelée"),
    ],
)
def test_a_section_has_one_spelling(written, listed):
    assert guidelines.canonical_section(written) == listed
    assert guidelines.section_value("ODG", "Low Back", written) == f"ODG:Low Back|{listed}"


def test_the_modules_examples_hold():
    assert doctest.testmod(guidelines).failed == 0


_SECTIONS = st.text(
    st.sampled_from("aAbBeEiIzZ éÉßİ-,'(1") | st.characters(), min_size=1, max_size=40
)


@given(_SECTIONS)
def test_the_spelling_is_stable_and_the_migration_applies_the_same_rule(section):
    once = guidelines.canonical_section(section)
    assert guidelines.canonical_section(once) == once
    assert MIGRATION.canonical(section) == once
    value = f"ODG:Low Back|{section}"
    assert MIGRATION.respelled(value) == guidelines.respelled_section_value(value)
    assert once.casefold() == section.casefold()  # only the case changes


@given(
    st.lists(
        st.sampled_from(["therapy", "Therapy", "physical", "Physical", "PT", "D"]),
        min_size=1,
        max_size=5,
    )
)
def test_spellings_that_differ_only_by_leading_capitals_are_one(words):
    as_title = [w if w in ("PT", "D") else w.capitalize() for w in words]
    as_lower = [w if w in ("PT", "D") else w.lower() for w in words]
    assert guidelines.canonical_section(" ".join(as_title)) == guidelines.canonical_section(
        " ".join(as_lower)
    )


def cited(*sections: str, document: str = "Preface") -> dict:
    citations = [
        {"source": "ODG", "document": document, "chapter": None, "section": section}
        | {"pages": None, "year": None}
        for section in sections
    ]
    return {"basis": "Decision based on ODG.", "citations": citations}


@pytest.fixture
def archive(db):
    """Three items citing ODG Preface's physical therapy in three spellings (the second twice,
    in two), two upheld and one overturned; one citing another document's."""
    return a_determination(
        a_parse(
            items=[
                an_item(outcome="upheld", reviewer=cited("Physical therapy")),
                an_item(
                    outcome="overturned", reviewer=cited("Physical Therapy", "physical therapy")
                ),
                an_item(outcome="upheld", reviewer=cited("physical therapy", "Manipulation")),
                an_item(outcome="upheld", reviewer=cited("Physical Therapy", document="Elbow")),
            ]
        )
    )


def sections_of(body: dict, document: str) -> dict:
    for source in body["sources"]:
        for listed in source["documents"]:
            if listed["document"] == document:
                return {s["section"]: (s["items"], s["overturned"]) for s in listed["sections"]}
    return {}


@pytest.mark.parametrize("fresh", [False, True])
def test_the_list_and_the_pages_count_one_section(client, archive, fresh):
    if fresh:
        summaries.summaries_refresh(full=True)
    assert summaries.is_fresh() is fresh
    body = client.get("/api/guidelines/").json()
    assert sections_of(body, "Preface") == {"Physical therapy": (3, 1), "Manipulation": (1, 0)}
    assert sections_of(body, "Elbow") == {"Physical therapy": (1, 0)}
    page = client.get(f"{PREFACE}Physical%20therapy/")
    assert page.status_code == 200
    assert page.context["page"].total.items == 3
    document = client.get(PREFACE).context["page"]
    assert [(r.guideline.section, r.rate.items) for r in document.sections] == [
        ("Physical therapy", 3),
        ("Manipulation", 1),
    ]
    facets = client.get("/api/facets/").json()["facets"]["guideline_section"]
    assert {v["value"]: v["count"] for v in facets}[CANONICAL] == 3


def test_an_item_holds_each_section_once_in_the_order_cited(archive):
    values = list(
        DisputedItem.objects.order_by("number").values_list("guideline_sections", flat=True)
    )
    assert values == [
        [CANONICAL],
        [CANONICAL],
        [CANONICAL, "ODG:Preface|Manipulation"],
        ["ODG:Elbow|Physical therapy"],
    ]


def test_an_old_spelling_of_a_sections_page_moves_to_its_one_address(client, archive):
    response = client.get(f"{PREFACE}Physical%20Therapy/?format=csv&table=years")
    assert response.status_code == 301
    assert response["Location"] == f"{PREFACE}Physical%20therapy/?format=csv&table=years"
    assert (
        client.get(f"{PREFACE}physical%20therapy/")["Location"] == f"{PREFACE}Physical%20therapy/"
    )
    api = client.get("/api/guidelines/ODG/Preface/Physical%20THERAPY/")
    assert api.status_code == 404  # capitals are another section, which nobody cites
    api = client.get("/api/guidelines/ODG/Preface/Physical%20Therapy/")
    assert api.status_code == 200
    assert api.json()["guideline"]["section"] == "Physical therapy"
    assert api.json()["items"]["items"] == 3


def test_old_filter_values_settle_on_the_one_spelling(client, archive):
    old = quote("ODG:Preface|Physical Therapy")
    response = client.get(f"/?guideline_section={old}&outcome=upheld")
    assert response.status_code == 301
    assert response["Location"] == f"/?guideline_section={quote_plus(CANONICAL)}&outcome=upheld"
    for url in (f"/stats/?guideline_section={old}", f"/?guideline_section={old}"):
        assert client.get(url, follow=True).status_code == 200
    items = client.get(f"/api/items/?guideline_section={old}").json()
    assert len(items["results"]) == 3
    both = f"guideline_section={old}&guideline_section={quote(CANONICAL)}"
    assert len(client.get(f"/api/items/?{both}").json()["results"]) == 3  # the same value once
    export = client.get(f"/export/items.csv?guideline_section={old}")
    assert export.status_code == 200
    assert b"".join(export.streaming_content).count(b"\n") == 1 + 3
    bad = client.get("/api/items/?guideline_section=ODG:Preface|%20Physical")
    assert bad.status_code == 400  # a value of another form is still refused


def test_the_permalink_shows_the_letters_spelling_and_links_the_one_page(client, archive):
    html = client.get(archive.get_absolute_url()).content.decode()
    assert f'<a href="{PREFACE}Physical%20therapy/">Physical Therapy</a>' in html
    assert f'<a href="{PREFACE}Physical%20therapy/">physical therapy</a>' in html
    assert "Physical%20Therapy/" not in html


def test_the_published_letters_list_odg_prefaces_physical_therapy_once(client, db):
    """The pair the published letters have: "Physical therapy" (CM17-0006045, CM17-0020728)
    and "Physical Therapy" (CM17-0010885), and ODG Elbow's "physical therapy" (CM17-0007886)."""
    for key in ("CM17-0006045", "CM17-0020728", "CM17-0010885", "CM17-0007886"):
        pdf = REAL / f"{key}.pdf"
        services.letter_parse(
            letter=services.letter_store(data=pdf.read_bytes(), name=pdf.name).letter
        )
    body = client.get("/api/guidelines/").json()
    assert sections_of(body, "Preface") == {"Physical therapy": (3, 1)}
    assert sections_of(body, "Elbow") == {"Physical therapy": (1, 0)}


def test_the_migration_respells_stored_values_and_the_summaries_follow(client, archive):
    summaries.summaries_refresh(full=True)
    old = {  # what items stored before migration 0025
        1: ["ODG:Preface|Physical therapy"],
        2: ["ODG:Preface|Physical Therapy", "ODG:Preface|physical therapy"],
        3: ["ODG:Preface|physical therapy", "ODG:Preface|Manipulation"],
        4: ["ODG:Elbow|Physical Therapy"],
    }
    for number, values in old.items():
        DisputedItem.objects.filter(number=number).update(guideline_sections=values)
    summaries.summaries_refresh()
    facets = client.get("/api/facets/").json()["facets"]["guideline_section"]
    assert "ODG:Preface|Physical Therapy" in {v["value"] for v in facets}  # the old split

    editor = SimpleNamespace(connection=connection)
    assert MIGRATION.one_spelling(None, editor, batch=2) == 3  # items 2, 3 and 4
    stored = dict(DisputedItem.objects.values_list("number", "guideline_sections"))
    assert stored == {
        1: [CANONICAL],
        2: [CANONICAL],
        3: [CANONICAL, "ODG:Preface|Manipulation"],
        4: ["ODG:Elbow|Physical therapy"],
    }
    assert MIGRATION.one_spelling(None, editor) == 0  # a rerun has nothing left
    assert not summaries.is_fresh()  # the items' triggers recorded the letter
    summaries.summaries_refresh()  # incremental: the changed letter only
    assert summaries.is_fresh()
    facets = client.get("/api/facets/").json()["facets"]["guideline_section"]
    assert {v["value"]: v["count"] for v in facets} == {
        CANONICAL: 3,
        "ODG:Preface|Manipulation": 1,
        "ODG:Elbow|Physical therapy": 1,
    }
