"""The browse page and the permalink page, through the Django test client."""

import json

import pytest
from django.urls import reverse

from determinations import services

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


def test_the_browse_page_lists_items_with_outcome_category_and_key(client):
    a_determination(
        a_parse(
            case_number="CM16-0000001",
            items=[
                an_item(
                    request="Norco 10/325mg #90",
                    outcome="overturned",
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    service="hydrocodone/acetaminophen",
                    body_regions=[],
                ),
            ],
        )
    )
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Norco 10/325mg #90" in html
    assert "Overturned" in html
    assert "Pharmaceuticals / Opioids" in html
    assert "CM16-0000001" in html
    assert 'href="/determinations/CM16-0000001/#item-1"' in html


def test_the_browse_page_says_when_the_archive_is_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No decisions yet" in response.content.decode()


def test_the_permalink_page_shows_the_whole_letter(client):
    determination = a_determination(
        a_parse(
            case_number="CM16-0213037",
            items=[
                an_item(),
                an_item(
                    request="Acupuncture x 6",
                    original_request="Acupuncture x 12",
                    authorized="Acupuncture x 6",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=[],
                    quantity=6,
                    outcome="overturned",
                ),
            ],
        )
    )
    response = client.get(determination.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "CM16-0213037",
        "2017-01-10",
        "Physical Medicine &amp; Rehabilitation",
        "chronic low back pain",
        'id="item-1"',
        'id="item-2"',
        "Acupuncture x 12",
        "Partially overturned",
        "Chronic Pain Medical Treatment Guidelines",
        "no red flags",
        '<link rel="canonical" href="http://testserver/determinations/CM16-0213037/">',
        "/determinations/CM16-0213037/original/",
    ):
        assert text in html, text


def test_the_permalink_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    determination = a_determination(a_parse(items=[an_item(number=n) for n in range(1, 8)]))
    with django_assert_max_num_queries(4):
        client.get(determination.get_absolute_url())


def test_an_unknown_key_is_404(client):
    response = client.get("/determinations/CM99-9999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_a_withdrawn_determination_is_410_and_leaves_browse(client):
    determination = a_determination(a_parse(case_number="CM16-0000410"))
    services.determination_withdraw(determination=determination, reason="Published in error.")
    response = client.get(determination.get_absolute_url())
    assert response.status_code == 410
    assert "Published in error." in response.content.decode()
    assert "CM16-0000410" not in client.get("/").content.decode()


def test_the_json_version_has_the_contract_shape(client):
    determination = a_determination(a_parse(case_number="CM16-0000777"))
    response = client.get(reverse("determinations:detail_json", args=[determination.key]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["key"] == "CM16-0000777"
    assert data["items"][0]["reviewer"]["citations"][0]["document"] == "Low Back"


def test_the_original_is_served_as_an_attachment_that_is_not_sniffed(client):
    determination = a_determination(a_parse(case_number="CM16-0000888"), data=b"letter text")
    response = client.get(reverse("determinations:original", args=[determination.key]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"letter text"
