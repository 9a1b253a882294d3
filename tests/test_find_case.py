"""Finding a case: a case number typed in the search box, permalink keys in any case, and the
404 of a key that does not exist (a case-number box and the nearest keys)."""

from __future__ import annotations

import pytest

from determinations import keys, services

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    for number in ("CM17-0010418", "CM17-0010420", "CM17-0010425", "CM16-0010421"):
        a_determination(a_parse(case_number=number, items=[an_item(request=f"MRI {number}")]))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CM17-0010420", "CM17-0010420"),
        ("cm17-0010420", "CM17-0010420"),
        (" CM170010420 ", "CM17-0010420"),
        ("Cm17-0010420\t", "CM17-0010420"),
        ("CM17 0010420", "CM17-0010420"),
        (" cm17  0010420 ", "CM17-0010420"),
        ("CM17 - 0010420", None),
        ("CM17-0010420 MRI", None),
        ("MRI", None),
        ("", None),
    ],
)
def test_case_numbers_are_read_in_any_case_with_or_without_the_dash(typed, expected):
    assert keys.case_number(typed) == expected


@pytest.mark.parametrize(
    "q", ["CM17-0010420", "cm17-0010420", " CM170010420 ", "cm170010420", "cm17 0010420"]
)
def test_a_search_for_a_case_number_opens_its_permalink(client, cases, q):
    response = client.get("/", {"q": q})
    assert response.status_code == 302
    assert response["Location"] == "/determinations/CM17-0010420/"


def test_a_case_number_search_keeps_the_redirect_even_with_filters(client, cases):
    response = client.get("/", {"q": "cm17-0010420", "outcome": "upheld", "sort": "newest"})
    assert response["Location"] == "/determinations/CM17-0010420/"


def test_a_case_number_that_is_not_in_the_archive_is_searched_as_today(client, cases):
    response = client.get("/", {"q": "CM17-0099999"})
    assert response.status_code == 200
    assert "0 matching items" in response.content.decode()


def test_a_case_number_search_adds_one_query_and_other_searches_none(
    client, cases, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_num_queries(1):
        client.get("/", {"q": "CM17-0010420"})
    with CaptureQueriesContext(connection) as plain:
        # No hits, like the missing case number below, and no word long enough to be looked up
        # for a "did you mean" (suggestions.MIN_LENGTH), like it.
        client.get("/", {"q": "xyz"})
    with CaptureQueriesContext(connection) as missing:
        client.get("/", {"q": "CM17-0099999"})
    probe = '"determinations_determination"."key" ='
    assert not any(probe in q["sql"] for q in plain.captured_queries)
    assert len(missing.captured_queries) == len(plain.captured_queries) + 1


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/determinations/cm17-0010420/", "/determinations/CM17-0010420/"),
        ("/determinations/CM170010420/", "/determinations/CM17-0010420/"),
        ("/determinations/cm17-0010420/json/", "/determinations/CM17-0010420/json/"),
        ("/determinations/cm17-0010420/original/", "/determinations/CM17-0010420/original/"),
    ],
)
def test_permalink_keys_are_case_insensitive_with_a_301_to_the_canonical_key(
    client, cases, path, target
):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target
    assert client.get(target).status_code == 200


def test_a_hash_key_in_capitals_moves_to_its_lower_case_key(client):
    determination = a_determination(a_parse(case_number=None))
    response = client.get(f"/determinations/{determination.key.upper()}/")
    assert response.status_code == 301
    assert response["Location"] == determination.get_absolute_url()


def test_the_canonical_key_is_served_without_a_redirect_or_an_extra_query(
    client, cases, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        assert client.get("/determinations/CM17-0010420/").status_code == 200


def test_a_missing_key_offers_a_case_number_box_and_the_nearest_keys(client, cases):
    services.determination_withdraw(
        determination=a_determination(a_parse(case_number="CM17-0010419")), reason="Error."
    )
    response = client.get("/determinations/cm17-0010421/", follow=True)
    assert response.redirect_chain == [("/determinations/CM17-0010421/", 301)]
    assert response.status_code == 404
    html = response.content.decode()
    assert '<form class="case-lookup" method="get" action="/"' in html
    assert 'name="q" value="CM17-0010421"' in html
    # Neighbours of the same year on each side, in key order; not withdrawn ones, not CM16.
    assert response.context["nearest"] == ["CM17-0010418", "CM17-0010420", "CM17-0010425"]
    assert 'href="/determinations/CM17-0010420/"' in html


def test_the_nearest_keys_are_two_bounded_queries(client, cases, django_assert_max_num_queries):
    # the determination, the purge tombstone, keys before and after
    with django_assert_max_num_queries(5):
        assert client.get("/determinations/CM17-0000001/").status_code == 404


def test_any_other_404_offers_the_case_number_box(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'class="case-lookup"' in response.content.decode()


def test_a_purged_key_in_lower_case_reaches_its_410(client, admin_user):
    determination = a_determination(a_parse(case_number="CM17-0000410"))
    services.letter_purge(letter=determination.letter, user=admin_user, reason="Mistake.")
    response = client.get("/determinations/cm17-0000410/", follow=True)
    assert response.status_code == 410
