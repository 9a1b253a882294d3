"""Issue 19's two dimensions: ``reason`` (the decisive reasons of the rationale, with their
evidence) and ``guideline_section`` (the reviewer's cited sections), stored from the parse,
filtered, counted and exported; the sections backfilled by migration 0020."""

import csv
import importlib
import io
import json
from types import SimpleNamespace

import pytest
from django.db import connection

from determinations import guidelines, reasons, services, summaries
from determinations.choices import ParseStatus, Reason
from determinations.models import DisputedItem, GuidelineCitation, Letter

from .builders import (
    CHRONIC_PAIN,
    ODG_LOW_BACK,
    a_basis,
    a_determination,
    a_parse,
    a_reason,
    an_item,
)
from .test_reasons import VOCABULARY

pytestmark = pytest.mark.django_db

NOT_RECOMMENDED = "Facet joint injections are not recommended for this patient's radicular pain."
NO_IMPROVEMENT = "There is no documentation of functional improvement with the prior sessions."
MET = "The injured worker meets the guideline's criteria for an MRI."
ODG_MRIS = "ODG:Low Back|MRIs"
ACUPUNCTURE = "MTUS:Chronic Pain Medical Treatment Guidelines|Acupuncture"


@pytest.fixture
def archive():
    """Three public items with reasons and sections, and a withdrawn one that must not count."""
    upheld = a_determination(
        a_parse(
            decision_date="2017-02-01",
            items=[
                an_item(
                    request="Facet injection L4-5",
                    reasons=[
                        a_reason("not_recommended", NOT_RECOMMENDED),
                        a_reason("functional_improvement_not_documented", NO_IMPROVEMENT),
                    ],
                ),
                an_item(
                    request="Acupuncture x 12",
                    reviewer=a_basis(CHRONIC_PAIN | {"section": "Acupuncture"}),
                    reasons=[a_reason("functional_improvement_not_documented", NO_IMPROVEMENT)],
                ),
            ],
        )
    )
    overturned = a_determination(
        a_parse(
            decision_date="2018-03-01",
            items=[an_item(outcome="overturned", reasons=[a_reason("criteria_met", MET)])],
        )
    )
    gone = a_determination(
        a_parse(items=[an_item(reasons=[a_reason("not_recommended", NOT_RECOMMENDED)])])
    )
    services.determination_withdraw(determination=gone, reason="Issued in error.")
    return {"upheld": upheld, "overturned": overturned}


def requests_of(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {item["request"] for item in response.json()["results"]}


# Storing the parse ------------------------------------------------------------------------------


def test_a_parse_with_reasons_stores_their_codes_and_evidence():
    determination = a_determination(
        a_parse(
            items=[
                an_item(
                    reasons=[
                        a_reason("not_recommended", NOT_RECOMMENDED),
                        a_reason("not_recommended", "A second sentence saying it again."),
                        a_reason("indication_not_documented", "No red flags are documented."),
                    ]
                ),
                an_item(),  # a parse without reasons (before the parser gave them)
            ]
        )
    )
    first, second = determination.items.order_by("number")
    assert first.reason_codes == ["not_recommended", "indication_not_documented"]
    assert first.reasons == [
        {"code": "not_recommended", "evidence": NOT_RECOMMENDED},
        {"code": "not_recommended", "evidence": "A second sentence saying it again."},
        {"code": "indication_not_documented", "evidence": "No red flags are documented."},
    ]
    assert first.reason_list[0]["label"] == "Not recommended by the guideline"
    assert second.reason_codes == [] and second.reasons == []
    assert determination.letter.status == ParseStatus.PARSED


def test_an_unknown_reason_code_is_dropped_with_a_warning():
    determination = a_determination(
        a_parse(
            items=[
                an_item(
                    reasons=[
                        a_reason("too_expensive", "It costs too much."),
                        a_reason("criteria_met", MET),
                        "not a reason",
                    ]
                )
            ],
            warnings=["the parser's own warning"],
        )
    )
    (item,) = determination.items.all()
    assert item.reason_codes == ["criteria_met"]
    assert item.reasons == [{"code": "criteria_met", "evidence": MET}]
    letter = determination.letter
    assert letter.status == ParseStatus.PARSED_WITH_WARNINGS
    assert letter.warnings[0] == "the parser's own warning"
    assert "item 1" in letter.warnings[1] and "'too_expensive'" in letter.warnings[1]


def test_the_bulk_import_stores_reasons_sections_and_warnings_alike():
    parse = a_parse(
        items=[an_item(reasons=[a_reason("not_recommended", NOT_RECOMMENDED), a_reason("x")])]
    )
    letter = Letter(sha256="cd" * 32, original_name="bulk.txt", size=1, content_type="text/plain")
    letter.original.name = f"originals/cd/{'cd' * 32}"
    services.letters_create_parsed(parsed_letters=[(letter, parse)])
    item = DisputedItem.objects.get(determination__letter=letter)
    assert item.reason_codes == ["not_recommended"]
    assert item.guideline_sections == [ODG_MRIS]
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PARSED_WITH_WARNINGS
    assert "'x'" in letter.warnings[0]


def test_sections_come_from_the_reviewers_citations_that_name_one():
    determination = a_determination(
        a_parse(
            items=[
                an_item(
                    claims_administrator=a_basis(CHRONIC_PAIN | {"section": "Opioids"}),
                    reviewer=a_basis(
                        ODG_LOW_BACK,
                        CHRONIC_PAIN,  # no section
                        ODG_LOW_BACK | {"pages": "12"},  # the same section again
                        {
                            **CHRONIC_PAIN,
                            "source": "Other",
                            "document": "Sildenafil: Drug info",
                            "section": "Dosing | warnings",
                        },
                    ),
                )
            ]
        )
    )
    (item,) = determination.items.all()
    assert item.guideline_sections == [ODG_MRIS, "Other:Sildenafil: Drug info|Dosing / warnings"]


@pytest.mark.parametrize(
    "source, document, section, value, label",
    [
        ("ODG", "Low Back", "MRIs", ODG_MRIS, "ODG · Low Back · MRIs"),
        ("Other", "a: b", "c", "Other:a: b|C", "Other · a: b · C"),  # a first word capitalised
        (
            "MTUS",
            "Pain",
            "TENS | H-wave ",
            "MTUS:Pain|TENS / H-wave",
            "MTUS · Pain · TENS / H-wave",
        ),
        ("ODG", "Low Back", "  ", None, None),
        ("ODG", None, "MRIs", None, None),
        ("ODG", "Low Back", None, None, None),
    ],
)
def test_a_section_value_names_its_source_document_and_section(
    source, document, section, value, label
):
    assert guidelines.section_value(source, document, section) == value
    if value:
        assert guidelines.section_label(value) == label
        assert guidelines.split_section_value(value)[0] == guidelines.guideline_value(
            source, document
        )


def test_a_section_value_always_keeps_its_document_and_bar():
    value = guidelines.section_value("Other", "D" * 300, "S" * 300)
    assert len(value) == guidelines.SECTION_MAX_LENGTH
    assert guidelines.split_section_value(value) == ("Other:" + "D" * 194, "S" * 199)


def test_the_vocabulary_is_the_eleven_codes_of_issue_19():
    assert Reason.values == list(VOCABULARY)
    assert reasons.item_reasons({"reasons": None}).codes == []


# Filters, facets, statistics --------------------------------------------------------------------


def test_browse_and_the_api_filter_by_reason(client, archive):
    assert requests_of(client, "/api/items/?reason=not_recommended") == {"Facet injection L4-5"}
    assert requests_of(
        client, "/api/items/?reason=functional_improvement_not_documented&reason=criteria_met"
    ) == {"Facet injection L4-5", "Acupuncture x 12", "MRI of the lumbar spine without contrast"}
    page = client.get("/?reason=not_recommended")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Facet injection L4-5" in html and "Acupuncture x 12" not in html
    assert "Not recommended by the guideline" in html  # the chip's label


def test_browse_and_the_api_filter_by_guideline_section(client, archive):
    assert requests_of(client, f"/api/items/?guideline_section={ACUPUNCTURE}") == {
        "Acupuncture x 12"
    }
    assert len(requests_of(client, "/api/items/?guideline_section=ODG%3ALow+Back%7CMRIs")) == 2
    html = client.get("/?guideline_section=ODG%3ALow+Back%7CMRIs").content.decode()
    assert "Facet injection L4-5" in html and "Acupuncture x 12" not in html
    assert "ODG · Low Back · MRIs" in html


@pytest.mark.parametrize(
    "query",
    [
        "reason=too_expensive",
        "guideline_section=ODG%3ALow+Back",  # a document, no section
        "guideline_section=Low+Back%7CMRIs",  # no source
        "guideline_section=ODG%3ALow+Back%7C+MRIs",  # a space after the bar
    ],
)
def test_a_bad_reason_or_section_is_a_400_naming_it(client, query):
    name = query.split("=")[0]
    response = client.get(f"/api/items/?{query}")
    assert response.status_code == 400
    assert name in response.json()["errors"][0]
    assert client.get(f"/?{query}").status_code == 400


def test_the_facets_count_each_reason_and_section_once_per_public_item(client, archive):
    body = client.get("/api/facets/").json()["facets"]
    assert {v["value"]: (v["count"], v["label"]) for v in body["reason"]} == {
        "functional_improvement_not_documented": (2, "Functional improvement not documented"),
        "not_recommended": (1, "Not recommended by the guideline"),
        "criteria_met": (1, "Guideline criteria met"),
    }
    assert {v["value"]: (v["count"], v["label"]) for v in body["guideline_section"]} == {
        ODG_MRIS: (2, "ODG · Low Back · MRIs"),
        ACUPUNCTURE: (1, "MTUS · Chronic Pain Medical Treatment Guidelines · Acupuncture"),
    }


def test_statistics_by_reason_give_each_reasons_overturn_rate(client, archive):
    for fresh in (False, True):
        if fresh:
            summaries.summaries_refresh()
        body = client.get("/api/stats/?by=reason").json()
        cells = {c["value"]: (c["items"], c["overturned"]) for c in body["cells"]}
        assert cells == {
            "functional_improvement_not_documented": (2, 0),
            "not_recommended": (1, 0),
            "criteria_met": (1, 1),
        }
        groups = client.get("/api/stats/").json()["groups"]
        rows = {g["value"]: g["items"] for g in groups["reason"]["groups"]}
        assert rows == {
            "functional_improvement_not_documented": 2,
            "not_recommended": 1,
            "criteria_met": 1,
        }
    page = client.get("/stats/?by=reason")
    assert page.status_code == 200
    assert "Functional improvement not documented" in page.content.decode()


# The item's outward shape ----------------------------------------------------------------------


def test_the_api_and_the_permalink_json_give_reasons_with_evidence(client, archive):
    results = client.get("/api/items/?reason=not_recommended").json()["results"]
    (item,) = results
    assert item["reasons"] == [
        {"code": "not_recommended", "evidence": NOT_RECOMMENDED},
        {"code": "functional_improvement_not_documented", "evidence": NO_IMPROVEMENT},
    ]
    assert item["reason_codes"] == ["not_recommended", "functional_improvement_not_documented"]
    assert item["reviewer_guideline_sections"] == [ODG_MRIS]
    key = archive["upheld"].key
    letter = client.get(f"/determinations/{key}/json/").json()
    assert letter["items"][1]["reasons"] == [
        {"code": "functional_improvement_not_documented", "evidence": NO_IMPROVEMENT}
    ]


def test_the_exports_carry_reasons_and_sections(client, archive):
    data = b"".join(client.get("/export/items.csv?reason=not_recommended").streaming_content)
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert row["reason_codes"] == "not_recommended | functional_improvement_not_documented"
    assert row["reasons"] == (
        f"not_recommended: {NOT_RECOMMENDED} | functional_improvement_not_documented: "
        f"{NO_IMPROVEMENT}"
    )
    assert row["reviewer_guideline_sections"] == ODG_MRIS
    lines = b"".join(client.get("/export/items.jsonl?reason=criteria_met").streaming_content)
    (record,) = [json.loads(line) for line in lines.splitlines()]
    assert record["reasons"] == [{"code": "criteria_met", "evidence": MET}]


def test_the_permalink_shows_each_reason_with_its_evidence_and_links_the_section(client, archive):
    html = client.get(f"/determinations/{archive['upheld'].key}/").content.decode()
    assert "Reasons given" in html
    assert '<a href="/?reason=not_recommended"' in html
    assert (
        f"Not recommended by the guideline</a>: <q>{NOT_RECOMMENDED.replace(chr(39), '&#x27;')}</q>"
        in html
    )
    assert '<a href="/guidelines/ODG/Low%20Back/MRIs/">MRIs</a>' in html  # the section's page
    other = client.get(f"/determinations/{archive['overturned'].key}/").content.decode()
    assert "Guideline criteria met" in other


# Migration 0020 ----------------------------------------------------------------------------------


def test_the_migration_backfills_sections_as_the_services_write_them(archive):
    a_determination(
        a_parse(
            items=[
                an_item(
                    reviewer=a_basis(
                        ODG_LOW_BACK,
                        CHRONIC_PAIN,
                        ODG_LOW_BACK | {"pages": "12"},
                        {
                            **CHRONIC_PAIN,
                            "source": "Other",
                            "document": "Sildenafil: Drug info",
                            "section": " Dosing | warnings ",
                        },
                        {**CHRONIC_PAIN, "document": "D" * 250, "section": "S" * 300},
                        {**CHRONIC_PAIN, "section": " "},
                    ),
                    claims_administrator=a_basis(CHRONIC_PAIN | {"section": "Opioids"}),
                )
            ]
        )
    )
    migration = importlib.import_module(
        "determinations.migrations.0020_item_guideline_sections_reasons"
    )
    written = dict(DisputedItem.objects.values_list("id", "guideline_sections"))
    assert sum(bool(v) for v in written.values()) >= 4
    expected = {}
    for citation in GuidelineCitation.objects.filter(cited_by="reviewer").order_by("position"):
        value = citation.section_value
        if value and value not in expected.setdefault(citation.item_id, []):
            expected[citation.item_id].append(value)
    assert {k: v for k, v in written.items() if v} == expected
    DisputedItem.objects.update(guideline_sections=[])
    editor = SimpleNamespace(connection=connection)
    assert migration.fill_sections(None, editor, batch=2) == len(expected)
    assert dict(DisputedItem.objects.values_list("id", "guideline_sections")) == written
    assert migration.fill_sections(None, editor, batch=2) == 0  # a rerun has nothing left


def test_the_vocabulary_is_the_same_in_the_parser_the_schema_and_the_dimension():
    """Three spellings of one vocabulary (the pure parser cannot import Django's choices): they
    must not drift apart, or stored reasons would be dropped as unknown."""
    import json
    from pathlib import Path

    from determinations.choices import Reason
    from determinations.parsing import reasons

    schema = json.loads(
        (Path(reasons.__file__).with_name("schema.json")).read_text(encoding="utf-8")
    )
    enum = schema["$defs"]["reason"]["properties"]["code"]["enum"]
    assert list(reasons.CODES) == list(Reason.values) == enum
