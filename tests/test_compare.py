"""Compare two groups (issue 18) against figures computed by hand on a small fixture set."""

import csv
import html
import io
import math
import re
from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict

from determinations import compare, sampling, stats, summaries

from .builders import a_determination, a_parse
from .test_api import schema_validator
from .test_crosstab import NONE_OF_TWO, ONE_OF_ONE, ONE_OF_TWO
from .test_stats import build_archive
from .test_timing import build_timing_archive

pytestmark = pytest.mark.django_db

REHABILITATION_VS_PHARMACEUTICALS = urlencode(
    {"a": "category=Rehabilitation", "b": "category=Pharmaceuticals"}
)
# Rehabilitation: B upheld, C overturned (1 of 2, letters L1 and L2); Pharmaceuticals: D and E
# upheld (0 of 2, letter L3). The difference is 0.5 - 0 = 0.5; Newcombe's interval from the
# Wilson intervals (0.09453, 0.90547) and (0, 0.65763), by hand:
# low = 0.5 - sqrt((0.5 - 0.09453)^2 + (0.65763 - 0)^2) = 0.5 - sqrt(0.164406 + 0.432477)
#     = 0.5 - 0.772582 = -0.272582; high = 0.5 + sqrt((0.90547 - 0.5)^2 + 0^2) = 0.90547.
DIFFERENCE_INTERVAL = (-0.27258, 0.90547)


@pytest.fixture
def archive():
    return build_archive()


@pytest.fixture(params=["summaries", "live"])
def counted(request, archive):
    """Each test runs over fresh summaries and over stale ones (counted live)."""
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def comparison_for(query: str) -> compare.Comparison:
    filtersets, errors = compare.filtersets_from(QueryDict(query))
    assert not errors, errors
    return compare.compare(filtersets)


def close(interval, expected) -> bool:
    return all(math.isclose(a, b, abs_tol=5e-5) for a, b in zip(interval, expected, strict=True))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Newcombe 1998 (Statistics in Medicine 17:873-890), Table II, example (a) and (b),
        # method 10 (the hybrid score interval); the figures agree with the propint R package's
        # tests of the same examples.
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
    ],
)
def test_the_newcombe_interval_matches_the_papers_worked_examples(a, b, expected):
    low, high = stats.newcombe_interval(a, b)
    assert (round(low, 4), round(high, 4)) == expected


def test_the_newcombe_interval_needs_items_on_both_sides():
    with pytest.raises(ValueError, match="both sides"):
        stats.newcombe_interval((0, 0), (1, 2))


def test_it_compares_two_categories_rates_intervals_and_letters(counted):
    result = comparison_for(REHABILITATION_VS_PHARMACEUTICALS)
    a, b = result.a, result.b
    assert (a.total.items, a.total.overturned, a.letters.letters) == (2, 1, 2)
    assert (b.total.items, b.total.overturned, b.letters.letters) == (2, 0, 1)
    assert close(a.total.interval, ONE_OF_TWO) and close(b.total.interval, NONE_OF_TWO)
    assert result.difference == 0.5
    assert close(result.interval, DIFFERENCE_INTERVAL)
    assert a.total.label == "A: category = Rehabilitation"
    assert not result.estimated


def test_a_side_of_several_filters_and_an_empty_side(counted):
    result = comparison_for(urlencode({"a": "category=Rehabilitation&year=2018", "b": ""}))
    assert (result.a.total.items, result.a.total.overturned) == (1, 1)
    assert close(result.a.total.interval, ONE_OF_ONE)
    assert (result.b.total.items, result.b.total.overturned) == (5, 2)  # all items
    assert result.b.total.label == "B: all items"
    assert math.isclose(result.difference, 1 - 2 / 5)


def test_a_side_without_items_has_no_difference(counted):
    result = comparison_for(urlencode({"a": "year=2016", "b": "year=2017"}))
    assert result.a.total.items == 0 and result.b.total.items == 2
    assert result.difference is None and result.interval is None
    assert result.as_dict()["difference"]["rate_difference"] is None


def test_each_side_has_the_totals_of_the_statistics_api(client, counted):
    for query in ("category=Rehabilitation", "service=Acupuncture", "year=2018&outcome=upheld"):
        api = client.get(f"/api/compare/?{urlencode({'a': query, 'b': 'year=2017'})}").json()
        expected = client.get(f"/api/stats/?{query}").json()
        assert api["a"]["items"] == expected["items"]["items"]
        assert api["a"]["overturned"] == expected["items"]["overturned"]
        assert api["a"]["interval_low"] == expected["items"]["interval_low"]
        assert api["a"]["letters"] == expected["letters"]["letters"]
        assert sorted(api["a"]["query"].split("&")) == sorted(query.split("&"))  # normalised
        assert api["b"]["filters"] == {"year": ["2017"]}


def test_the_json_answer_and_its_schema(client, counted):
    body = client.get(f"/api/compare/?{REHABILITATION_VS_PHARMACEUTICALS}").json()
    schema_validator("Comparison").validate(body)
    assert body["a"]["filters"] == {"category": ["Rehabilitation"]}
    assert body["b"]["overturn_rate"] == 0.0
    difference = body["difference"]
    assert difference["rate_difference"] == 0.5 and difference["estimated"] is False
    assert close((difference["interval_low"], difference["interval_high"]), DIFFERENCE_INTERVAL)


def test_one_value_sides_are_counted_from_the_summaries(client, archive):
    summaries.summaries_refresh()
    query = urlencode({"a": "service=hydrocodone/acetaminophen", "b": "service=Acupuncture"})
    response = client.get(f"/api/compare/?{query}")
    timing = response["Server-Timing"]
    used = "summaries (one filter value); statistics=summaries letters="
    assert f'count;desc="{used}' in timing and f'count2;desc="{used}' in timing


def test_the_csv_round_trips_the_comparison(client, counted):
    response = client.get(f"/compare/?{REHABILITATION_VS_PHARMACEUTICALS}&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert list(rows[0]) == [
        "side",
        "filters",
        "items",
        "overturned",
        "rate",
        "low",
        "high",
        "letters",
        "estimated",
        "assigned_known",
        "assigned_median_days",
        "received_known",
        "received_median_days",
        "days_estimated",
    ]
    assert [(r["side"], r["filters"], r["items"], r["overturned"], r["letters"]) for r in rows] == [
        ("a", "category=Rehabilitation", "2", "1", "2"),
        ("b", "category=Pharmaceuticals", "2", "0", "1"),
        ("a - b", "", "", "", ""),
    ]
    assert close((float(rows[0]["low"]), float(rows[0]["high"])), ONE_OF_TWO)
    assert float(rows[2]["rate"]) == 0.5
    assert close((float(rows[2]["low"]), float(rows[2]["high"])), DIFFERENCE_INTERVAL)
    assert {r["estimated"] for r in rows} == {"false"}


def test_the_page_shows_both_groups_the_difference_the_chart_and_the_links(client, counted):
    response = client.get(f"/compare/?{REHABILITATION_VS_PHARMACEUTICALS}")
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert body.count("<svg") == 2  # the two rates, and the difference
    assert "A: category = Rehabilitation" in body and "50.0%" in body
    assert "95% interval -27.3% to 90.5%" in body
    assert "the interval contains 0: these items do not tell the two rates apart." in body
    assert 'href="/?category=Rehabilitation"' in body
    assert 'href="/stats/?category=Pharmaceuticals"' in body
    assert 'name="a" value="category=Rehabilitation"' in body
    assert "format=csv" in body and "/api/compare/?" in body
    assert "independent" in body  # the overlap caveat


def test_the_empty_page_is_the_form(client, archive):
    response = client.get("/compare/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="compare-a">' in body and '<input type="text" id="compare-b"' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a=yeer%3D2017&b=year%3D2018", "Parameter 'a': Unknown parameter 'yeer'"),
        ("a=year%3D2017&b=year%3Dnext", "Parameter 'b': Parameter 'year'"),
        ("a=year%3D2017", "Parameter 'b': required"),
        ("b=year%3D2017", "Parameter 'a': required"),
        ("a=year%3D2017&a=year%3D2018&b=", "Parameter 'a': give it once"),
        ("a=&b=&c=1", "Unknown parameter 'c'"),
        ("year=2017", "Unknown parameter 'year'"),
    ],
)
def test_bad_parameters_are_a_400_page_and_a_json_400(client, archive, query, message):
    page = client.get(f"/compare/?{query}")
    assert page.status_code == 400 and message in html.unescape(page.content.decode())
    api = client.get(f"/api/compare/?{query}")
    assert api.status_code == 400 and message in str(api.json())


def test_the_page_format_must_be_csv_and_exact_is_the_apis(client, archive):
    assert client.get("/compare/?a=&b=&format=xlsx").status_code == 400
    assert client.get("/compare/?a=&b=&exact=true").status_code == 400
    assert client.get("/api/compare/?a=&b=&exact=maybe").status_code == 400
    assert client.get("/api/compare/?a=&b=&exact=true").status_code == 200


def test_a_bare_guideline_document_means_it_under_every_source(client, archive):
    body = client.get(f"/api/compare/?{urlencode({'a': 'guideline=Low Back', 'b': ''})}").json()
    assert body["a"]["items"] == 2  # A and B cite ODG: Low Back
    assert body["a"]["filters"]["guideline"] != ["Low Back"]


def test_the_api_schema_documents_the_comparison(client):
    document = client.get("/api/openapi.json").json()
    operation = document["paths"]["/api/compare/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["a"]["required"] and parameters["b"]["required"] and "exact" in parameters
    assert quote("=") in parameters["a"]["description"] or "%3D" in parameters["a"]["description"]


# --- time to decision of each side ---------------------------------------------------------------

PHARMACEUTICALS_VS_SURGERY = urlencode({"a": "category=Pharmaceuticals", "b": "category=Surgery"})


@pytest.fixture(params=["summaries", "live"])
def dated(request):
    """tests/test_timing.py's archive of dated letters, over fresh summaries and stale ones."""
    build_timing_archive()
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def medians(group: compare.Group) -> tuple:
    found = group.timing
    return (
        found.letters,
        (found.assigned.known, found.assigned.median),
        (found.received.known, found.received.median),
    )


def test_each_side_has_its_median_days_to_decision_computed_by_hand(dated):
    result = comparison_for(PHARMACEUTICALS_VS_SURGERY)
    # Pharmaceuticals: L1, L2, L4, L6, L7. Assigned: L1 4, L2 20, L4 2, L6 762 (as 366), L7 no
    # decision date: 2, 4, 20, 366, the 2nd of 4 is 4. Received: L1 11, L2 32, L4 4, L6 366:
    # 4, 11, 32, 366, the 2nd is 11.
    assert medians(result.a) == (5, (4, 4), (4, 11))
    # Surgery: L2, L3, L5. Assigned: L2 20, L3 42, L5 decided before it (not computable): the
    # 1st of 2 is 20. Received: L2 32, L3 none stated, L5 30: 30, 32, the 1st is 30.
    assert medians(result.b) == (3, (2, 20), (2, 30))
    assert (result.a.total.items, result.a.total.overturned) == (5, 1)
    assert (result.b.total.items, result.b.total.overturned) == (3, 2)
    assert not result.timing_estimated
    assert result.a.as_dict()["time_to_decision"] == {
        "letters": 5,
        "estimated": False,
        "assigned": {"known": 4, "median_days": 4},
        "received": {"known": 4, "median_days": 11},
    }


def test_a_side_without_letters_has_no_median(dated):
    result = comparison_for(urlencode({"a": "year=2016", "b": "year=2018"}))
    assert medians(result.a) == (0, (0, None), (0, None))
    # 2018: L5 (assigned not computable, received 30) and L6 (762 days, 793 days: as 366).
    assert medians(result.b) == (2, (1, 366), (2, 30))


def test_the_medians_agree_with_the_time_to_decision_api(client, dated):
    for query in ("category=Surgery", "service=oxycodone", "year=2017&priority=expedited"):
        side = client.get(f"/api/compare/?{urlencode({'a': query, 'b': ''})}").json()["a"]
        expected = client.get(f"/api/stats/decision-days/?{query}").json()["letters"]
        found = side["time_to_decision"]
        assert found["letters"] == expected["letters"] == side["letters"], query
        for basis in ("assigned", "received"):
            assert found[basis]["known"] == expected[basis]["known"], (query, basis)
            assert found[basis]["median_days"] == expected[basis]["median_days"], (query, basis)


def test_the_json_csv_and_page_show_the_medians(client, dated):
    body = client.get(f"/api/compare/?{PHARMACEUTICALS_VS_SURGERY}").json()
    schema_validator("Comparison").validate(body)
    assert body["b"]["time_to_decision"] == {
        "letters": 3,
        "estimated": False,
        "assigned": {"known": 2, "median_days": 20},
        "received": {"known": 2, "median_days": 30},
    }
    response = client.get(f"/compare/?{PHARMACEUTICALS_VS_SURGERY}&format=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    figures = ("assigned_known", "assigned_median_days", "received_known", "received_median_days")
    assert [[r[name] for name in (*figures, "days_estimated")] for r in rows] == [
        ["4", "4", "4", "11", "false"],
        ["2", "20", "2", "30", "false"],
        ["", "", "", "", ""],
    ]
    page = html.unescape(client.get(f"/compare/?{PHARMACEUTICALS_VS_SURGERY}").content.decode())
    assert ">Time to decision</h2>" in page
    cells = re.findall(r'<td class="num">([^<]*)</td>', page.split('id="time-to-decision"')[1])
    assert cells[:10] == ["5", "4", "4", "11", "4", "3", "20", "2", "30", "2"]
    assert 'href="/stats/decision-days/?category=Surgery"' in page
    empty = client.get(f"/compare/?{urlencode({'a': 'year=2016', 'b': ''})}").content.decode()
    assert re.findall(r'<td class="num">([^<]*)</td>', empty.split('id="time-to-decision"')[1])[
        :5
    ] == ["0", "n/a", "0", "n/a", "0"]


def test_a_sampled_sides_medians_are_marked_estimated(client, monkeypatch):
    build_timing_archive()
    summaries.summaries_refresh()  # fresh: two filters are one sampled pass over SummaryItem
    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    query = urlencode({"a": "category=Pharmaceuticals&year=2017", "b": "category=Surgery"})
    body = client.get(f"/api/compare/?{query}").json()
    assert body["a"]["time_to_decision"]["estimated"] is True
    assert body["b"]["time_to_decision"]["estimated"] is False  # one value: the summaries
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/compare/?{query}&format=csv").content.decode("utf-8-sig"))
        )
    )
    assert [r["days_estimated"] for r in rows] == ["true", "false", ""]
    page = client.get(f"/compare/?{query}").content.decode()
    cells = re.findall(r'<td class="num">([^<]*)</td>', page.split('id="time-to-decision"')[1])
    assert cells[0].startswith("~") and not cells[5].startswith("~")
    assert "estimated from a fixed sample" in page
    exact = client.get(f"/api/compare/?{query}&exact=true").json()
    assert exact["a"]["time_to_decision"]["estimated"] is False
    assert exact["a"]["time_to_decision"]["letters"] == 3  # L1, L2, L4
