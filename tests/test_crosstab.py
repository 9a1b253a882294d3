"""Cross-tabs over time (issue 18) against figures computed by hand on a small fixture set."""

import csv
import html
import io
import math

import pytest
from django.http import QueryDict

from determinations import crosstab, plans, services, stats, summaries
from determinations.filters import ItemFilterSet
from determinations.models import PeriodPairCount

from .builders import a_determination, a_parse, an_item
from .test_stats import build_archive

pytestmark = pytest.mark.django_db

# Wilson 95% intervals of the fixture's cells, by hand (z = 1.96, z^2 = 3.8416):
# 1 of 1: centre (1 + 1.9208) / 4.8416 = 0.60326, half 1.96 * 0.98 / 4.8416 = 0.39672.
ONE_OF_ONE = (0.20654, 1.0)
# 0 of 2: centre = half = (3.8416 / 4 / 2) / (1 + 1.9208) = 0.32881.
NONE_OF_TWO = (0.0, 0.65763)
# 0 of 1: centre = half = 1.9208 / 4.8416 = 0.39672.
NONE_OF_ONE = (0.0, 0.79345)
# 1 of 2: centre 0.5, half 1.96 * sqrt(0.125 + 0.2401) / 2.9208 = 0.40548.
ONE_OF_TWO = (0.09453, 0.90547)


def build_dated_archive() -> dict:
    """``test_stats.build_archive`` (A, B in January 2017; C in March 2018; D, E in May 2018)
    and one overturned Pharmaceuticals item without a decision date (F, letter L4)."""
    letters = build_archive()
    letters["l4"] = a_determination(
        a_parse(
            decision_date=None,
            items=[
                an_item(
                    outcome="overturned",
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    service="oxycodone",
                    body_regions=[],
                )
            ],
        )
    )
    return letters


@pytest.fixture
def archive():
    return build_dated_archive()


@pytest.fixture(params=["summaries", "live"])
def counted(request, archive):
    """Each test runs over fresh summaries and over stale ones (counted live)."""
    summaries.summaries_refresh()
    if request.param == "live":
        a_determination(a_parse(decision_date="2030-01-01", items=[]))  # stale, no item
    return request.param


def crosstab_for(query: str, **params):
    data = QueryDict(query)
    filterset = ItemFilterSet(data)
    assert filterset.is_valid(), filterset.errors
    wanted, errors = crosstab.query_from(QueryDict("&".join(f"{k}={v}" for k, v in params.items())))
    assert not errors
    plan = plans.plan_for(filterset)
    return crosstab.crosstab(filterset, wanted, plan=plan), plan


def cells(result) -> list[tuple]:
    return [
        (c.period, c.rate.label, c.rate.items, c.rate.overturned, c.share) for c in result.cells
    ]


def close(interval, expected) -> bool:
    return all(math.isclose(a, b, abs_tol=5e-5) for a, b in zip(interval, expected, strict=True))


def test_it_crosses_category_with_year_rates_intervals_and_shares(counted):
    result, plan = crosstab_for("", by="category", over="year")
    assert cells(result) == [
        ("2017", "Rehabilitation", 1, 0, 0.5),
        ("2017", "Surgery", 1, 1, 0.5),
        ("2018", "Pharmaceuticals", 2, 0, 2 / 3),
        ("2018", "Rehabilitation", 1, 1, 1 / 3),
    ]
    intervals = [c.rate.interval for c in result.cells]
    assert close(intervals[0], NONE_OF_ONE) and close(intervals[1], ONE_OF_ONE)
    assert close(intervals[2], NONE_OF_TWO) and close(intervals[3], ONE_OF_ONE)
    assert [(p, r.items, r.overturned) for p, r in result.periods] == [
        ("2017", 2, 1),
        ("2018", 3, 1),
    ]
    assert result.undated == 1 and (result.total.items, result.total.overturned) == (6, 3)
    assert ("crosstab", "summaries" if counted == "summaries" else "live") in plan.notes


def test_quarters_and_months_are_sums_of_the_decision_months(counted):
    result, _ = crosstab_for("", by="category", over="quarter")
    assert [(c[0], c[1], c[2]) for c in cells(result)] == [
        ("2017-Q1", "Rehabilitation", 1),
        ("2017-Q1", "Surgery", 1),
        ("2018-Q1", "Rehabilitation", 1),
        ("2018-Q2", "Pharmaceuticals", 2),
    ]
    result, _ = crosstab_for("", by="category", over="month")
    assert [p for p, _ in result.periods] == ["2017-01", "2018-03", "2018-05"]
    assert [c[4] for c in cells(result)] == [0.5, 0.5, 1.0, 1.0]


def test_an_array_dimension_counts_an_item_once_per_value(counted):
    result, _ = crosstab_for("", by="region", over="year")
    # Values in the same order in every period: largest overall first (a tie: by value).
    assert cells(result) == [
        ("2017", "cervical", 1, 0, 0.5),  # B has both: the year's shares add up to 150%
        ("2017", "lumbar", 2, 1, 1.0),
        ("2018", "cervical", 1, 1, 1 / 3),
    ]
    assert close(result.cells[1].rate.interval, ONE_OF_TWO)


def test_subcategories_are_crossed_with_their_category(counted):
    result, _ = crosstab_for("", by="subcategory", over="year")
    assert [(c[0], c[1]) for c in cells(result)] == [
        ("2017", "Rehabilitation / Acupuncture"),
        ("2017", "Surgery / Spine"),
        ("2018", "Pharmaceuticals / Opioids"),
        ("2018", "Rehabilitation / Acupuncture"),
    ]
    assert dict(result.cells[2].rate.params) == {
        "category": "Pharmaceuticals",
        "subcategory": "Opioids",
    }


@pytest.mark.parametrize(
    "query",
    [
        "category=Rehabilitation",
        "region=cervical",
        "category=Rehabilitation&year=2018",
        "q=acupuncture",
        "year=2018",  # from the totals' months of 2018
        "service=Acupuncture",  # an open vocabulary: one pass over SummaryItem
    ],
)
def test_filters_narrow_the_cells_and_their_periods(counted, query):
    result, plan = crosstab_for(query, by="service", over="year")
    if counted == "summaries" and query in ("year=2018", "region=cervical"):
        assert ("crosstab", "summaries") in plan.notes
    if counted == "summaries" and query == "service=Acupuncture":
        assert ("crosstab", "SummaryItem, all rows") in plan.notes
    expected = {
        "category=Rehabilitation": [
            ("2017", "Acupuncture", 1, 0, 1.0),
            ("2018", "Acupuncture", 1, 1, 1.0),
        ],
        "region=cervical": [
            ("2017", "Acupuncture", 1, 0, 1.0),
            ("2018", "Acupuncture", 1, 1, 1.0),
        ],
        "category=Rehabilitation&year=2018": [("2018", "Acupuncture", 1, 1, 1.0)],
        "year=2018": [
            ("2018", "hydrocodone/acetaminophen", 2, 0, 2 / 3),
            ("2018", "Acupuncture", 1, 1, 1 / 3),
        ],
        "service=Acupuncture": [
            ("2017", "Acupuncture", 1, 0, 1.0),
            ("2018", "Acupuncture", 1, 1, 1.0),
        ],
        "q=acupuncture": [
            ("2017", "Acupuncture", 1, 0, 1.0),
            ("2018", "Acupuncture", 1, 1, 1.0),
        ],
    }[query]
    assert cells(result) == expected


def test_the_totals_agree_with_the_statistics_and_browse(client, counted):
    result, _ = crosstab_for("category=Rehabilitation", by="year", over="year")
    filterset = ItemFilterSet(QueryDict("category=Rehabilitation"))
    assert filterset.is_valid()
    statistics = stats.statistics(filterset)
    assert sum(r.items for _, r in result.periods) + result.undated == statistics.total.items
    api = client.get("/api/stats/?category=Rehabilitation&by=category&over=year").json()
    assert api["items"]["items"] == statistics.total.items == 2
    assert [c["items"] for c in api["cells"]] == [1, 1]
    browse = client.get("/?category=Rehabilitation")
    assert browse.context["total_display"] == "2"


def test_without_over_it_is_the_statistics_table_with_shares(counted):
    result, _ = crosstab_for("", by="category")
    assert cells(result) == [
        (None, "Pharmaceuticals", 3, 1, 0.5),
        (None, "Rehabilitation", 2, 1, 2 / 6),
        (None, "Surgery", 1, 1, 1 / 6),
    ]


def test_adding_and_withdrawing_a_letter_refreshes_the_months_incrementally(archive):
    summaries.summaries_refresh()
    added = a_determination(
        a_parse(
            decision_date="2017-02-03",
            items=[an_item(outcome="overturned", category="Surgery", subcategory="Spine")],
        )
    )
    refresh = summaries.summaries_refresh()
    assert not refresh["full"] and refresh["letters"] == 1
    result, plan = crosstab_for("", by="category", over="year")
    assert ("crosstab", "summaries") in plan.notes
    assert cells(result)[1] == ("2017", "Surgery", 2, 2, 2 / 3)
    services.determination_withdraw(determination=added, reason="Issued in error.")
    summaries.summaries_refresh()
    result, _ = crosstab_for("", by="category", over="year")
    assert cells(result)[1] == ("2017", "Surgery", 1, 1, 0.5)
    assert not PeriodPairCount.objects.filter(month="2017-02-01").exists()  # emptied, deleted
    incremental = sorted(
        PeriodPairCount.objects.values_list(
            "facet_a", "value_a", "facet_b", "value_b", "month", "items", "overturned"
        )
    )
    summaries.summaries_refresh(full=True)
    rebuilt = sorted(
        PeriodPairCount.objects.values_list(
            "facet_a", "value_a", "facet_b", "value_b", "month", "items", "overturned"
        )
    )
    assert incremental == rebuilt


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("by=colour", "Parameter 'by'"),
        ("by=category&over=week", "Parameter 'over'"),
        ("by=category&measure=mean", "Parameter 'measure'"),
        ("over=year", "need 'by'"),
        ("by=category&by=year", "give it once"),
    ],
)
def test_bad_parameters_are_a_400_page_and_a_json_400(client, archive, query, message):
    page = client.get(f"/stats/?{query}")
    assert page.status_code == 400 and message in html.unescape(page.content.decode())
    api = client.get(f"/api/stats/?{query}")
    assert api.status_code == 400 and message in str(api.json())


def test_the_page_format_must_be_csv(client, archive):
    assert client.get("/stats/?by=category&format=xlsx").status_code == 400
    assert client.get("/stats/?format=csv").status_code == 400  # which table?


def test_the_csv_round_trips_the_cells(client, counted):
    response = client.get("/stats/?by=category&over=year")
    assert response.status_code == 200
    assert "csv" in response.content.decode()
    response = client.get("/stats/?by=category&over=year&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert list(rows[0]) == [
        "period",
        "value",
        "items",
        "overturned",
        "rate",
        "low",
        "high",
        "share",
        "estimated",
    ]
    assert [(r["period"], r["value"], int(r["items"]), float(r["share"])) for r in rows] == [
        ("2017", "Rehabilitation", 1, 0.5),
        ("2017", "Surgery", 1, 0.5),
        ("2018", "Pharmaceuticals", 2, 2 / 3),
        ("2018", "Rehabilitation", 1, 1 / 3),
    ]
    assert close((float(rows[2]["low"]), float(rows[2]["high"])), NONE_OF_TWO)
    assert rows[0]["estimated"] == "false"


def test_the_page_shows_the_table_the_chart_and_the_undated_items(client, counted):
    body = client.get("/stats/?by=region&over=year&measure=share").content.decode()
    assert "<svg" in body and "lumbar" in body
    assert "1 matching item has no decision date" in body
    assert "more than 100%" in body


def test_several_filters_with_very_many_rows_are_counted_over_a_sample(
    client, archive, monkeypatch
):
    from determinations import sampling
    from determinations.models import DisputedItem

    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (2,))  # the letters with an even id
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)  # sample whatever the rows
    result, plan = crosstab_for("year=2017&year=2018", by="category", over="year")
    assert ("crosstab", "SummaryItem, sample 1/2") in plan.notes
    expected: dict[tuple, list[int]] = {}
    for item in DisputedItem.objects.public().filter(determination_id__in=range(0, 10**6, 2)):
        if item.decision_year:
            counts = expected.setdefault((str(item.decision_year), item.category), [0, 0])
            counts[0] += 2
            counts[1] += 2 * (item.outcome == "overturned")
    assert expected  # the sample is not empty
    assert {(c.period, c.rate.label): [c.rate.items, c.rate.overturned] for c in result.cells} == (
        expected
    )
    assert result.estimated and all(c.rate.estimated for c in result.cells)
    page = client.get("/stats/?year=2017&year=2018&by=category&over=year").content.decode()
    assert "estimated from a fixed sample of the letters (1 in 2)" in page
    api = client.get("/api/stats/?year=2017&year=2018&by=category&over=year").json()
    exact = client.get("/api/stats/?year=2017&year=2018&by=category&over=year&exact=true").json()
    assert api["estimated"] is True and exact["estimated"] is False
    assert sum(c["items"] for c in exact["cells"]) == 5


def test_the_api_schema_documents_the_crosstab_parameters(client):
    document = client.get("/api/openapi.json").json()
    parameters = {p["name"]: p for p in document["paths"]["/api/stats/"]["get"]["parameters"]}
    assert sorted(parameters["over"]["schema"]["enum"]) == ["month", "quarter", "year"]
    assert "category" in parameters["by"]["schema"]["enum"]
    assert sorted(parameters["measure"]["schema"]["enum"]) == ["rate", "share"]


def test_each_statistics_table_links_to_its_crosstab_over_time(client, archive):
    body = client.get("/stats/?category=Surgery").content.decode()
    assert 'href="/stats/?category=Surgery&amp;by=service&amp;over=year"' in body


def test_a_page_of_very_many_cells_lists_the_charts_values_and_the_csv_all(
    client, archive, monkeypatch
):
    from determinations import views_analysis

    monkeypatch.setattr(views_analysis, "PAGE_CELLS", 2)
    monkeypatch.setattr(crosstab, "CHART_LINES", 1)  # the chart: Pharmaceuticals and the rest
    body = client.get("/stats/?by=category&over=year").content.decode()
    assert "the other 3 rows are in the" in body
    assert ">Surgery</a>" not in body
    csv_body = client.get("/stats/?by=category&over=year&format=csv").content.decode()
    assert len(csv_body.strip().splitlines()) == 1 + 4
