"""Field search (``field=request|rationale|summary``) and the field's language (``search_terms``):
abbreviations and synonyms in both directions, plural acronyms, the "aide" trap, and the web
syntax (phrases, OR, -word) kept."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from determinations import search_terms
from determinations.models import DisputedItem
from determinations.search import search_query, tsquery_text
from determinations.search_vector import FIELDS, RANK_WEIGHTS, SEARCH_PARTS
from tests.builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def letters():
    """One item per request below; rationales and summaries chosen to tell the parts apart."""
    rows = [
        ("Lumbar epidural steroid injection L4-5", "Radicular pain is documented."),
        ("ESI at L5-S1", "Radicular pain is documented."),
        ("Repeat LESI at L4-5", "Relief after the first lumbar ESI was 60%."),
        ("Cervical epidural steroid injection C5-6", "Radicular pain is documented."),
        ("MRIs of both knees", "No red flags are documented."),
        ("Magnetic resonance imaging of the shoulder", "No red flags are documented."),
        ("Home health aide 4 hours a day", "The patient lives alone."),
        ("Hearing aids", "Hearing loss is documented."),
        ("Norco 10/325mg #90", "Opioids require documented functional improvement."),
        ("Hydrocodone/APAP 10/325 #60", "Opioids require documented functional improvement."),
        ("Functional restoration program x 10 days", "The patient is motivated to return."),
        (
            "Naproxen 550mg #60",
            "Guidelines recommend a functional restoration program before more medication.",
        ),
        ("EMG/NCV of the bilateral lower extremities", "Radicular symptoms are documented."),
        ("IF unit rental", "Guidelines do not recommend it alone."),
        ("Interferential stimulator 30-day trial", "Guidelines do not recommend it alone."),
    ]
    for request, rationale in rows:
        a_determination(
            a_parse(
                items=[an_item(request=request, rationale=rationale)],
                clinical_summary="The injured worker had an MRI and physical therapy.",
            )
        )


def found(client, q: str, *fields: str, path: str = "/") -> set[str]:
    response = client.get(path, {"q": q, "field": list(fields)})
    assert response.status_code == 200, response.content[:500]
    titles = re.findall(r'<h2 class="result-title"><a href="[^"]*">(.*?)</a></h2>', response.text)
    return {re.sub(r"<[^>]+>", "", title) for title in titles}


ESIS = {
    "Lumbar epidural steroid injection L4-5",
    "ESI at L5-S1",
    "Repeat LESI at L4-5",
    "Cervical epidural steroid injection C5-6",
}


@pytest.mark.parametrize("q", ["ESI", "esi", "epidural steroid injection", "ESIs"])
def test_an_abbreviation_and_its_expansion_find_each_other(client, letters, q):
    assert found(client, q, "request") == ESIS


def test_a_narrower_term_finds_only_its_own_kind(client, letters):
    assert found(client, "LESI", "request") == {
        "Lumbar epidural steroid injection L4-5",
        "Repeat LESI at L4-5",
    }


@pytest.mark.parametrize("q", ["MRI", "MRIs", "mri", "magnetic resonance imaging"])
def test_plural_acronyms_match_their_singular(client, letters, q):
    assert found(client, q, "request") == {
        "MRIs of both knees",
        "Magnetic resonance imaging of the shoulder",
    }


def test_an_acronym_outside_the_table_matches_its_plural_too():
    assert "'XYZ' | 'XYZs'" in tsquery_text("XYZs")


def test_aide_does_not_find_hearing_aids(client, letters):
    assert found(client, "aide") == {"Home health aide 4 hours a day"}
    assert found(client, "aides") == {"Home health aide 4 hours a day"}
    assert found(client, "hearing aids") == {"Hearing aids"}


@pytest.mark.parametrize("q", ["norco", "hydrocodone/apap", "hydrocodone", "Vicodin"])
def test_brand_and_generic_drug_names_find_each_other(client, letters, q):
    assert found(client, q, "request") == {"Norco 10/325mg #90", "Hydrocodone/APAP 10/325 #60"}


def test_a_slashed_pair_is_found_by_either_test(client, letters):
    emg = "EMG/NCV of the bilateral lower extremities"
    for q in ("EMG", "nerve conduction study", "NCS", "EMG/NCV", "electromyography"):
        assert found(client, q, "request") == {emg}, q


def test_an_acronym_that_is_an_english_word_counts_only_in_capitals(client, letters):
    # "if" is an English stop word, so a letter's "IF" is not indexed: "IF" finds the name.
    interferential = {"Interferential stimulator 30-day trial"}
    assert found(client, "IF", "request") == interferential
    assert found(client, "interferential") == interferential
    assert found(client, "if unit") == {"IF unit rental"}  # only "unit" is searched
    assert "interferential" not in tsquery_text("if")


def test_quoted_phrases_are_literal_and_exclusions_expand(client, letters):
    assert found(client, '"ESI"', "request") == {"ESI at L5-S1"}
    assert found(client, "injection -ESI", "request") == set()
    assert found(client, "injection -cervical", "request") == {
        "Lumbar epidural steroid injection L4-5"
    }
    assert found(client, "ESI OR aide", "request") == ESIS | {"Home health aide 4 hours a day"}


def test_field_restricts_the_search_to_those_parts(client, letters):
    program = "Functional restoration program x 10 days"
    naproxen = "Naproxen 550mg #60"
    assert found(client, "functional restoration") == {program, naproxen}
    assert found(client, "functional restoration", "request") == {program}
    assert found(client, "functional restoration", "rationale") == {naproxen}
    assert found(client, "functional restoration", "request", "rationale") == {program, naproxen}
    assert found(client, "physical therapy", "summary") == found(client, "injured worker")
    assert found(client, "physical therapy", "request", "rationale") == set()


def test_relevance_weighs_the_request_above_the_rationale(client, letters):
    response = client.get("/", {"q": "functional restoration program", "sort": "relevance"})
    titles = re.findall(r'<h2 class="result-title"><a href="[^"]*">(.*?)</a></h2>', response.text)
    assert [re.sub(r"<[^>]+>", "", t) for t in titles] == [
        "Functional restoration program x 10 days",
        "Naproxen 550mg #60",
    ]
    assert RANK_WEIGHTS[3] > RANK_WEIGHTS[2] > RANK_WEIGHTS[1]  # {D, C, B, A}


def test_a_bad_field_is_the_400_page_naming_it(client, letters):
    response = client.get("/", {"q": "mri", "field": "title"})
    assert response.status_code == 400
    assert "Parameter &#x27;field&#x27;" in response.text or "Parameter 'field'" in response.text
    assert client.get("/api/items/", {"q": "mri", "field": "title"}).status_code == 400


def test_field_is_offered_next_to_the_search_box_and_kept_in_links(client, letters):
    html = client.get("/", {"q": "mri", "field": "request"}).text
    assert re.search(r'name="field" value="request" checked', html)
    assert not re.search(r'name="field" value="rationale" checked', html)
    assert "field=request" in html  # the feed link and the chips keep it
    assert 'name="field" value="summary"' in client.get("/").text


def test_field_applies_to_the_api_export_and_feed(client, letters):
    params = {"q": "functional restoration", "field": "request"}
    api = client.get("/api/items/", params).json()
    assert [item["request"] for item in api["results"]] == [
        "Functional restoration program x 10 days"
    ]
    csv = b"".join(client.get("/export/items.csv", params).streaming_content).decode()
    assert "Functional restoration program" in csv and "Naproxen" not in csv
    feed = client.get("/feed/", params).content.decode()
    assert "Functional restoration program" in feed and "Naproxen" not in feed
    stats = client.get("/stats/", params)
    assert stats.status_code == 200 and "field=request" in stats.text
    schema = json.dumps(client.get("/api/openapi.json").json())
    assert '"name": "field"' in schema


def test_field_without_a_search_filters_nothing(client, letters):
    assert client.get("/", {"field": "request"}).status_code == 200
    from determinations.filters import ItemFilterSet

    filterset = ItemFilterSet({"field": ["request"]})
    assert filterset.is_valid() and filterset.active == {}
    everything = ItemFilterSet({"q": "mri", "field": list(FIELDS)})
    assert everything.is_valid() and everything.active == {"q": ["mri"]}


# The query text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    ["", "or", '""', "-", "the -", "a'b\\c", "x:A & y | !(z)", '"unclosed', "--x", "ESI " * 300],
)
def test_any_text_makes_a_valid_query(q):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery('english', %s)::text", [tsquery_text(q, ["request"])])
        cursor.fetchone()


def test_fields_become_weights_and_all_fields_none():
    assert "'knee':A" in tsquery_text("knee", ["request"])
    assert "'knee':BC" in tsquery_text("knee", ["summary", "rationale"])
    assert tsquery_text("knee", FIELDS) == tsquery_text("knee") == "( ( 'knee' ) )"


def test_the_stored_vector_has_each_part_in_its_weight(letters):
    weights = {part.name: part.weight for part in SEARCH_PARTS}
    item = DisputedItem.objects.get(request="IF unit rental")
    text = str(item.search_vector)
    assert re.search(rf"'rental':\d+{weights['request']}", text)
    assert re.search(rf"'recommend':\d+{weights['rationale']}", text)
    assert re.search(rf"'injur':\d+{weights['summary']}", text)


# The table itself ---------------------------------------------------------------------------


def test_every_term_finds_its_whole_group():
    for group in search_terms.SYNONYMS:
        for term in group:
            if term in search_terms.MATCH_CASE:
                continue
            meanings = search_terms.meanings(search_terms.tokens(term))
            everything = {t for meaning in meanings for t in meaning}
            covered = {t for t in group if t in everything or term in everything}
            assert covered, (term, group)
            assert any(set(m) <= set(group) | {term} for m in meanings), (term, meanings)


def test_no_clinical_term_is_also_a_drug_name():
    from determinations.parsing.vocab.drugs import names_by_generic

    drugs = {search_terms.tokens(n) for names in names_by_generic().values() for n in names}
    clinical = {search_terms.tokens(t) for group in search_terms.SYNONYMS for t in group}
    assert clinical & drugs == set()


def test_expanding_only_adds_hits_to_what_websearch_finds(letters):
    def ids(query: SearchQuery) -> set[int]:
        return set(DisputedItem.objects.filter(search_vector=query).values_list("id", flat=True))

    for q in ("epidural injection radicular", "physical therapy", "norco", "MRI knees", "ESI"):
        plain = ids(SearchQuery(q, search_type="websearch", config="english"))
        assert plain <= ids(search_query(q)), q


def test_a_long_word_of_slash_joined_terms_is_split_in_bounded_work(monkeypatch):
    """Splitting 'a/b/a/b/.../qq' tried every way of covering it: 3^(n/2) table lookups (0.3 s
    at 366 characters, seconds at the 500 a query may have). Each suffix is solved once now."""
    from determinations import search, search_terms

    calls = []
    meanings = search_terms.meanings
    monkeypatch.setattr(
        search.search_terms, "meanings", lambda *a, **k: calls.append(a) or meanings(*a, **k)
    )
    words = 2 * 19 + 1
    assert search.tsquery_text("/".join(["hydrocodone", "acetaminophen"] * 19) + "/qq")
    assert len(calls) <= words * words
