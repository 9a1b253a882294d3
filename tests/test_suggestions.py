"""Typo tolerance (issue 16): the vocabulary follows ingest, searches with few hits get "did
you mean" links from it, plenty of hits get none, and odd searches never fail."""

import pytest
from django.http import QueryDict

from determinations import services, suggestions, summaries
from determinations.models import DisputedItem, VocabularyTerm
from determinations.summary_tasks import refresh_summaries_task
from determinations.tasks import parse_letters

from .builders import CHRONIC_PAIN, a_basis, a_determination, a_parse, a_reviewer, an_item
from .test_ingest import TEXTS, numbered, stored

pytestmark = pytest.mark.django_db


def a_drug(request: str, service: str, **overrides) -> dict:
    return an_item(
        request=request,
        category="Pharmaceuticals",
        subcategory="Opioids",
        service=service,
        body_regions=[],
        reviewer=a_basis(CHRONIC_PAIN),
        **overrides,
    )


def letter_with(*items: dict, specialties=("Pain Medicine",)):
    return a_determination(a_parse(items=list(items), reviewer=a_reviewer(*specialties)))


@pytest.fixture
def archive():
    """Three letters, then the refresh the parse task queues after parsing (tasks.parse_letters)."""
    letters = [
        letter_with(a_drug("Hydrocodone APAP 10/325mg #90", "hydrocodone/acetaminophen")),
        letter_with(a_drug("Gabapentin 600mg #90", "gabapentin")),
        letter_with(
            an_item(
                request="Physical therapy x 12 for the lumbar spine", service="Physical therapy"
            ),
            specialties=("Physical Medicine & Rehabilitation",),
        ),
    ]
    refresh_summaries_task.call()
    return letters


def vocabulary() -> dict[tuple[str, str], int]:
    return {(t.kind, t.term): t.items for t in VocabularyTerm.objects.all()}


def test_parsing_uploaded_letters_fills_the_vocabulary():
    letters = [stored(numbered(TEXTS[n], 300 + n)) for n in range(2)]
    parse_letters.call(letter_ids=[letter.pk for letter in letters])
    services_seen = set(
        DisputedItem.objects.public().exclude(service=None).values_list("service", flat=True)
    )
    assert services_seen
    terms = vocabulary()
    assert {term for kind, term in terms if kind == "service"} == services_seen
    assert any(kind == "word" for kind, _ in terms)


def test_ingest_fills_the_vocabulary_with_terms_their_words_and_counts(archive):
    terms = vocabulary()
    assert terms[("service", "hydrocodone/acetaminophen")] == 1
    assert terms[("service", "gabapentin")] == 1
    assert terms[("guideline", "Chronic Pain Medical Treatment Guidelines")] == 2
    assert terms[("specialty", "Pain Medicine")] == 2
    assert terms[("word", "hydrocodone")] == 1
    assert terms[("word", "acetaminophen")] == 1
    assert terms[("word", "rehabilitation")] == 1
    assert ("word", "of") not in terms  # words shorter than three letters are not kept


def test_the_vocabulary_follows_new_letters_and_withdrawals(
    archive, django_capture_on_commit_callbacks
):
    letter_with(a_drug("Gabapentin 300mg #60", "gabapentin"))
    refresh_summaries_task.call()
    assert vocabulary()[("service", "gabapentin")] == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.determination_withdraw(determination=archive[0], reason="Issued in error.")
    terms = vocabulary()
    assert ("service", "hydrocodone/acetaminophen") not in terms
    assert ("word", "hydrocodone") not in terms
    assert terms[("service", "gabapentin")] == 2


def test_a_full_rebuild_gives_the_same_vocabulary(archive):
    before = vocabulary()
    VocabularyTerm.objects.all().delete()
    summaries.summaries_refresh(full=True)
    assert vocabulary() == before


@pytest.mark.parametrize(
    ("q", "word", "replacement"),
    [("hydrocodne", "hydrocodne", "hydrocodone"), ("gabapentn 600mg", "gabapentn", "gabapentin")],
)
def test_a_misspelt_drug_gets_a_link_to_the_corrected_search(client, archive, q, word, replacement):
    response = client.get("/", {"q": q, "year": "2017"})
    assert response.status_code == 200
    offered = response.context["suggestions"]
    assert offered, "no suggestion"
    first = offered[0]
    assert (first["suggestion"].word, first["suggestion"].replacement) == (word, replacement)
    link = QueryDict(first["url"].lstrip("?"))
    assert link["q"] == q.replace(word, replacement)
    assert link["year"] == "2017"  # the other filters are kept
    assert "Did you mean" in response.text
    followed = client.get("/" + first["url"])
    assert followed.context["results"].total == 1


def test_a_misspelt_service_word_is_corrected_within_the_search(client, archive):
    response = client.get("/", {"q": "Physcial therapy"})
    offered = [s["suggestion"] for s in response.context["suggestions"]]
    assert offered[0].replacement == "physical"
    assert offered[0].q == "physical therapy"


def test_no_suggestions_when_hits_are_plenty(client, archive):
    for _ in range(suggestions.FEW_HITS):
        letter_with(a_drug("Gabapentin 300mg #60", "gabapentin"))
    refresh_summaries_task.call()
    response = client.get("/", {"q": "gabapentin"})
    assert response.context["results"].total > suggestions.FEW_HITS
    assert response.context["suggestions"] == []
    assert "Did you mean" not in response.text


def test_words_in_the_vocabulary_are_not_corrected(archive):
    assert suggestions.suggestions_for("gabapentin") == []


def test_search_words_skip_operators_exclusions_numbers_and_short_words():
    words = suggestions.search_words('"hydrocodne 10mg" OR tramadl -gabapentn ab 2017 hydrocodne')
    assert words == ["hydrocodne", "tramadl"]


def test_suggestions_use_one_query_and_none_without_a_search(archive, django_assert_num_queries):
    with django_assert_num_queries(1):
        suggestions.suggestions_for("hydrocodne gabapentn tramadl")
    with django_assert_num_queries(0):
        assert suggestions.suggestions_if_few("", 0) == []
        assert suggestions.suggestions_if_few("hydrocodne", suggestions.FEW_HITS) == []


@pytest.mark.parametrize(
    "q",
    [
        "x" * 500,
        "hydrocodne " * 45,
        "%_\\'\"; DROP TABLE x; --",
        "\uff48\uff59\uff44\uff52\uff4f Ünïcödé \u2603 \U0001d524\U0001d51e",
        '"unclosed phrase OR -',
        "- OR -- \"\" ''",
    ],
)
def test_odd_searches_never_fail(client, archive, q):
    response = client.get("/", {"q": q})
    assert response.status_code == 200
    api = client.get("/api/items/", {"q": q})
    assert api.status_code == 200


def test_the_items_api_offers_the_suggestions_on_a_first_page_with_few_hits(client, archive):
    from .test_api import schema_validator

    body = client.get("/api/items/", {"q": "gabapentn"}).json()
    assert body["results"] == []
    assert body["suggestions"][0] == {
        "word": "gabapentn",
        "replacement": "gabapentin",
        "q": "gabapentin",
    }
    schema_validator("PaginatedItemList").validate(body)
    assert "suggestions" not in client.get("/api/items/").json()  # no search, no suggestions


def test_check_offers_the_archives_words_for_a_request_it_cannot_read(client, archive):
    """/check/ read "hydrocodne 10/325" as Other / Other with no way on; browse offered the
    word it meant."""
    data = client.get("/api/check/", {"request": "hydrocodne 10/325"}).json()
    assert data["reading"]["service"] is None
    assert {
        "request": "hydrocodone 10/325",
        "word": "hydrocodne",
        "replacement": "hydrocodone",
    } in (data["suggestions"])
    html = client.get("/check/", {"request": "hydrocodne 10/325"}).content.decode()
    assert 'href="?request=hydrocodone%2010%2F325"' in html
    known = client.get("/api/check/", {"request": "hydrocodone 10/325"}).json()
    assert known["suggestions"] == []
