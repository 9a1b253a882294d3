"""Shared links with tracking parameters: HTML pages 301 to the address without them; any
other unknown parameter is still a 400, and the API, exports and feed stay strict."""

from __future__ import annotations

from html import unescape

import pytest

from .builders import a_determination, a_parse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("/?utm_source=newsletter", "/"),
        ("/?fbclid=IwAR0abc", "/"),
        ("/?q=mri&utm_source=newsletter&utm_medium=email&outcome=upheld", "/?q=mri&outcome=upheld"),
        (
            "/?gclid=x&mc_cid=1&mc_eid=2&ref=twitter&region=lumbar&region=cervical",
            "/?region=lumbar&region=cervical",
        ),
        ("/?UTM_Campaign=spring&q=knee", "/?q=knee"),
        ("/stats/?outcome=overturned&utm_content=chart", "/stats/?outcome=overturned"),
    ],
)
def test_tracking_parameters_301_to_the_same_page_without_them(client, url, clean):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == clean
    assert client.get(clean).status_code == 200


def test_a_permalink_with_tracking_parameters_moves_to_its_clean_address(client):
    determination = a_determination(a_parse(case_number="CM16-0000001"))
    response = client.get(determination.get_absolute_url() + "?fbclid=abc")
    assert response.status_code == 301
    assert response["Location"] == determination.get_absolute_url()


def test_other_unknown_parameters_are_still_a_400(client):
    assert client.get("/?colour=blue").status_code == 400
    # Tracking parameters go first; what is left is checked as usual.
    response = client.get("/?utm_source=x&colour=blue", follow=True)
    assert response.redirect_chain == [("/?colour=blue", 301)]
    assert response.status_code == 400
    assert "Unknown parameter 'colour'" in unescape(response.content.decode())
    assert client.get("/?utm=1").status_code == 400  # not a utm_* name


@pytest.mark.parametrize(
    "url",
    ["/api/items/?utm_source=x", "/feed/?utm_source=x", "/export/items.csv?fbclid=x"],
)
def test_the_api_exports_and_feed_stay_strict(client, url):
    assert client.get(url).status_code == 400
