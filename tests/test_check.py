"""Check a request (``/check/``, ``/api/check/``): the parser's reading of the text, the
service's overturn rate with its Wilson interval and by year (figures computed by hand on a
small archive), the nearest decisions, the notice, and 400 for bad input."""

from __future__ import annotations

from html import unescape

import pytest

from determinations import check
from determinations.parsing import read_request

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db

MRI = "MRI of the lumbar spine without contrast"


@pytest.fixture
def archive():
    """MRI: 2016 two upheld, 2017 one upheld and one overturned (1 of 4); one PT item."""
    for date, outcome in (
        ("2016-05-01", "upheld"),
        ("2016-06-01", "upheld"),
        ("2017-01-10", "upheld"),
        ("2017-02-10", "overturned"),
    ):
        a_determination(a_parse(items=[an_item(outcome=outcome)], decision_date=date))
    a_determination(
        a_parse(
            items=[
                an_item(
                    request="Physical therapy x 12",
                    category="Rehabilitation",
                    subcategory="PT/OT",
                    service="Physical therapy",
                    outcome="overturned",
                )
            ]
        )
    )


def test_read_request_is_the_parsers_reading():
    assert read_request("Physical therapy 2x6 lumbar spine") == {
        "request": "Physical therapy 2x6 lumbar spine",
        "category": "Rehabilitation",
        "subcategory": "PT/OT",
        "service": "Physical therapy",
        "body_regions": ["lumbar"],
        "quantity": 12,
        "warnings": [],
    }


def test_api_figures(client, archive):
    response = client.get("/api/check/", {"request": MRI})
    assert response.status_code == 200
    data = response.json()
    assert data["reading"] == {
        "category": "Diagnostic Testing",
        "subcategory": "Imaging/Radiology",
        "service": "MRI",
        "body_regions": ["lumbar"],
        "quantity": None,
    }
    assert data["history_of"] == {"service": "MRI"}
    items = data["items"]
    assert (items["items"], items["overturned"], items["overturn_rate"]) == (4, 1, 0.25)
    # Wilson, z = 1.96, 1 of 4: centre (0.25 + 0.4802) / 1.9604, half-width
    # 1.96 * sqrt(0.046875 + 0.060025) / 1.9604.
    assert items["interval_low"] == pytest.approx(0.045586, abs=1e-6)
    assert items["interval_high"] == pytest.approx(0.699364, abs=1e-6)
    years = {row["value"]: (row["items"], row["overturned"]) for row in data["by_year"]}
    assert years == {2016: (2, 0), 2017: (2, 1)}
    by_2017 = next(row for row in data["by_year"] if row["value"] == 2017)
    assert by_2017["interval_low"] == pytest.approx(0.094529, abs=1e-6)  # 1 of 2
    assert len(data["nearest"]) == 5
    assert data["nearest"][0]["service"] == "MRI"
    assert data["nearest"][-1]["service"] == "Physical therapy"  # the other tier, last
    assert data["nearest"][0]["url"].startswith("/determinations/")
    assert "not" in data["notice"] and "prediction" in data["notice"]
    assert data["reasons"] == []  # the dimension exists; these items give no reasons


def test_items_with_no_decision_date_are_counted_and_said(client, archive):
    """The headline counted them and the year table could not: 14 against 10, unexplained."""
    a_determination(a_parse(items=[an_item()], decision_date=None))
    data = client.get("/api/check/", {"request": MRI}).json()
    assert data["items"]["items"] == 5
    assert sum(row["items"] for row in data["by_year"]) == 4
    assert data["undated_items"] == 1
    html = unescape(client.get("/check/", {"request": MRI}).content.decode())
    assert "1 of the 5 items has no decision date and is in no year." in html


def test_page_shows_reading_rate_trend_nearest_and_notice(client, archive):
    response = client.get("/check/", {"request": MRI})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert check.NOT_ADVICE in html
    assert "<dd>MRI</dd>" in html
    assert "25.0%" in html and "4.6% to 69.9%" in html
    assert "/stats/?service=MRI&by=outcome&over=year" in html
    assert f'value="{MRI}"' in html
    assert html.count('href="/determinations/') >= 5
    trend = client.get("/stats/", {"service": "MRI", "by": "outcome", "over": "year"})
    assert trend.status_code == 200


def test_unknown_service_falls_back_to_subcategory(client, archive):
    data = client.get("/api/check/", {"request": "zzzz qqqq"}).json()
    assert data["reading"]["service"] is None
    assert data["history_of"] == {"category": "Other", "subcategory": "Other"}
    assert data["items"]["items"] == 0


def test_form_without_a_request(client):
    response = client.get("/check/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="check-request">' in html and 'name="request"' in html
    assert '<button type="submit">' in html
    assert 'href="/check/"' in client.get("/").content.decode()  # in the navigation


@pytest.mark.parametrize(
    "params",
    [
        {"request": ""},
        {"request": "   "},
        {"request": "x" * (check.MAX_CHARS + 1)},
        {"request": "MRI", "colour": "red"},
        {"request": ["MRI", "CT"]},
    ],
)
def test_bad_input_is_400(client, params):
    page = client.get("/check/", params)
    assert page.status_code == 400
    assert "Parameter" in page.content.decode() or "parameter" in page.content.decode()
    api = client.get("/api/check/", params)
    assert api.status_code == 400
    assert api.json()["errors"]


def test_api_without_request_is_400(client):
    response = client.get("/api/check/")
    assert response.status_code == 400
    assert "request" in response.json()["errors"][0]


def test_control_characters_do_not_break_it(client, archive):
    assert client.get("/check/", {"request": "MRI\x00 of the knee"}).status_code == 200
