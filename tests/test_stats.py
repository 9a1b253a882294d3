"""Statistics against figures computed by hand on a small fixture set."""

import dataclasses
import math
import re

import pytest
from django.http import QueryDict

from determinations import services, stats
from determinations.filters import ItemFilterSet

from .builders import (
    CHRONIC_PAIN,
    ODG_LOW_BACK,
    a_basis,
    a_determination,
    a_parse,
    a_reviewer,
    an_item,
)

pytestmark = pytest.mark.django_db


def build_archive() -> dict:
    """Five public items in three letters, and a withdrawn letter that must never count.

    | item | letter | year | category/subcategory        | outcome    | regions           |
    | A    | L1     | 2017 | Surgery/Spine               | overturned | lumbar            |
    | B    | L1     | 2017 | Rehabilitation/Acupuncture  | upheld     | lumbar, cervical  |
    | C    | L2     | 2018 | Rehabilitation/Acupuncture  | overturned | cervical          |
    | D, E | L3     | 2018 | Pharmaceuticals/Opioids     | upheld     | -                 |
    L1: Orthopedic Surgery; L2: PM&R and Pain Medicine; L3: Pain Medicine.
    """
    l1 = a_determination(
        a_parse(
            decision_date="2017-01-10",
            reviewer=a_reviewer("Orthopedic Surgery"),
            items=[
                an_item(
                    request="Lumbar fusion L4-5",
                    outcome="overturned",
                    category="Surgery",
                    subcategory="Spine",
                    service="Spinal fusion",
                    body_regions=["lumbar"],
                    reviewer=a_basis(ODG_LOW_BACK),
                ),
                an_item(
                    request="Acupuncture x 12",
                    outcome="upheld",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["lumbar", "cervical"],
                    reviewer=a_basis(CHRONIC_PAIN, ODG_LOW_BACK),
                ),
            ],
        )
    )
    l2 = a_determination(
        a_parse(
            decision_date="2018-03-01",
            reviewer=a_reviewer("Physical Medicine & Rehabilitation", "Pain Medicine"),
            items=[
                an_item(
                    request="Acupuncture x 6",
                    outcome="overturned",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["cervical"],
                    reviewer=a_basis(CHRONIC_PAIN),
                )
            ],
        )
    )
    opioid = {
        "outcome": "upheld",
        "category": "Pharmaceuticals",
        "subcategory": "Opioids",
        "service": "hydrocodone/acetaminophen",
        "body_regions": [],
        "reviewer": a_basis(CHRONIC_PAIN),
    }
    l3 = a_determination(
        a_parse(
            decision_date="2018-05-02",
            reviewer=a_reviewer("Pain Medicine"),
            items=[an_item(request="Norco #90", **opioid), an_item(request="Norco #60", **opioid)],
        )
    )
    gone = a_determination(
        a_parse(
            decision_date="2018-06-01",
            items=[an_item(outcome="overturned", category="Surgery", subcategory="Spine")],
        )
    )
    services.determination_withdraw(determination=gone, reason="Issued in error.")
    return {"l1": l1, "l2": l2, "l3": l3, "withdrawn": gone}


@pytest.fixture
def archive():
    return build_archive()


def statistics_for(query: str = "") -> stats.Statistics:
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return stats.statistics(filterset)


def table(result: stats.Statistics, dimension: str) -> list[tuple]:
    group = next(g for g in result.groups if g.dimension.name == dimension)
    return [(row.label, row.items, row.overturned) for row in group.rows]


def test_the_wilson_interval_of_1_in_10_matches_the_hand_computed_figures():
    # p = 0.1, z^2 = 3.8416: centre = (0.1 + 0.19208) / 1.38416 = 0.211016,
    # half = 1.96 * sqrt(0.009 + 0.009604) / 1.38416 = 0.193140
    low, high = stats.wilson_interval(1, 10)
    assert round(low, 4) == 0.0179
    assert round(high, 4) == 0.4042


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),  # z^2 / (n + z^2) = 3.8416 / 13.8416
        (10, 10, 0.7225, 1.0),
        (5, 10, 0.2366, 0.7634),
        (2, 5, 0.1176, 0.7693),
        (0, 0, 0.0, 1.0),  # nothing known: the whole range
    ],
)
def test_the_wilson_interval_stays_within_zero_and_one(successes, n, low, high):
    got = stats.wilson_interval(successes, n)
    assert (round(got[0], 4), round(got[1], 4)) == (low, high)


def test_the_wilson_interval_refuses_impossible_counts():
    with pytest.raises(ValueError, match="successes"):
        stats.wilson_interval(3, 2)


def test_it_counts_items_and_overturned_items_without_withdrawn_letters(archive):
    result = statistics_for()
    assert (result.total.items, result.total.overturned) == (5, 2)
    assert result.total.rate == pytest.approx(0.4)
    assert result.total.interval == pytest.approx(stats.wilson_interval(2, 5))


def test_it_counts_overturned_items_by_category(archive):
    assert table(statistics_for(), "category") == [
        ("Pharmaceuticals", 2, 0),
        ("Rehabilitation", 2, 1),
        ("Surgery", 1, 1),
    ]


def test_it_groups_subcategories_with_their_category(archive):
    result = statistics_for()
    assert table(result, "subcategory") == [
        ("Pharmaceuticals / Opioids", 2, 0),
        ("Rehabilitation / Acupuncture", 2, 1),
        ("Surgery / Spine", 1, 1),
    ]
    group = next(g for g in result.groups if g.dimension.name == "subcategory")
    assert group.rows[1].params == (("category", "Rehabilitation"), ("subcategory", "Acupuncture"))


def test_it_counts_services_and_years(archive):
    result = statistics_for()
    assert table(result, "service") == [
        ("Acupuncture", 2, 1),
        ("hydrocodone/acetaminophen", 2, 0),
        ("Spinal fusion", 1, 1),
    ]
    assert table(result, "year") == [("2017", 2, 1), ("2018", 3, 1)]


def test_multi_valued_facets_count_an_item_once_per_value(archive):
    result = statistics_for()
    assert table(result, "region") == [("cervical", 2, 1), ("lumbar", 2, 1)]
    assert table(result, "specialty") == [
        ("Pain Medicine", 3, 1),
        ("Orthopedic Surgery", 2, 1),
        ("Physical Medicine & Rehabilitation", 1, 1),
    ]
    # Item B cites the Chronic Pain guidelines and ODG Low Back: it counts under both.
    assert table(result, "guideline") == [
        ("MTUS \u00b7 Chronic Pain Medical Treatment Guidelines", 4, 1),
        ("ODG \u00b7 Low Back", 2, 1),
    ]


def test_the_letter_summary_counts_letters_by_their_outcome(archive):
    letters = statistics_for().letters
    assert letters.as_dict() == {
        "letters": 3,
        "upheld": 1,
        "overturned": 1,
        "partially_overturned": 1,
        "matching_items": 5,
        "items_per_letter": pytest.approx(5 / 3),
        "estimated": False,
    }


def test_filters_narrow_every_figure(archive):
    result = statistics_for("region=cervical")
    assert (result.total.items, result.total.overturned) == (2, 1)
    assert table(result, "category") == [("Rehabilitation", 2, 1)]
    assert table(result, "year") == [("2017", 1, 0), ("2018", 1, 1)]
    assert result.letters.letters == 2
    assert result.letters.partially_overturned == 1


def test_a_letter_with_several_matching_items_counts_once(archive):
    letters = statistics_for("category=Pharmaceuticals").letters
    assert (letters.letters, letters.upheld, letters.items) == (1, 1, 2)
    assert letters.items_per_letter == 2


def test_no_matching_items_gives_empty_tables_and_no_rate(archive):
    result = statistics_for("year=2001")
    assert result.total.items == 0
    assert result.total.rate is None
    assert all(group.rows == [] for group in result.groups)
    assert result.letters.items_per_letter is None


def test_open_vocabularies_keep_only_their_largest_groups(archive, monkeypatch):
    monkeypatch.setitem(
        stats.DIMENSIONS,
        "service",
        dataclasses.replace(stats.DIMENSIONS["service"], group_limit=2),
    )
    filterset = ItemFilterSet(QueryDict())
    assert filterset.is_valid()
    group = stats.grouped_rates(stats.filtered_items(filterset), "service")
    assert [row.label for row in group.rows] == ["Acupuncture", "hydrocodone/acetaminophen"]
    assert group.truncated is True


@pytest.mark.parametrize(
    "query",
    [
        "",
        "region=cervical",
        "q=acupuncture",
        "q=acupuncture&region=lumbar&region=cervical",
        "category=Rehabilitation&year=2017&outcome=upheld",
        "year=2001",
    ],
)
def test_live_statistics_are_one_statement_equal_to_the_separate_counts(
    archive, query, monkeypatch, django_assert_num_queries
):
    from determinations import summaries

    monkeypatch.setattr(summaries, "summary_key", lambda filterset: None)  # always live
    monkeypatch.setitem(  # a limit that truncates: the extra group must not show
        stats.DIMENSIONS,
        "service",
        dataclasses.replace(stats.DIMENSIONS["service"], group_limit=1),
    )
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid()
    with django_assert_num_queries(1):  # the search and filters evaluated once
        result = stats.statistics(filterset)
    items = stats.filtered_items(filterset)
    total = stats.items_summary(items)
    assert result == stats.Statistics(
        total=total,
        letters=stats.letters_summary(items, item_count=total.items),
        groups=[stats.grouped_rates(items, name) for name in stats.DIMENSIONS],
    )


def test_a_search_with_very_many_hits_is_counted_over_a_sample_and_scaled_up(
    archive, monkeypatch, django_assert_num_queries
):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (2,))  # the letters with an even id
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)  # sample whatever the hits
    filterset = ItemFilterSet(QueryDict("q=lumbar or acupuncture or norco"))
    assert filterset.is_valid()
    with django_assert_num_queries(2):  # the sample's size, then the sample's figures
        result = stats.statistics(filterset, estimates=True)
    sample = sampling.sampled(stats.filtered_items(filterset), 2)
    counted = stats.items_summary(sample)
    assert counted.items >= 1
    assert (result.total.items, result.total.overturned) == (
        2 * counted.items,
        2 * counted.overturned,
    )
    assert result.total.estimated and result.letters.estimated
    assert result.total.interval == stats.wilson_interval(counted.overturned, counted.items)
    letters = stats.letters_summary(sample, item_count=counted.items)
    assert result.letters.letters == 2 * letters.letters  # whole letters are sampled
    exact = stats.statistics(filterset)
    assert not exact.total.estimated and exact.total.items >= 1
    assert result.as_dict()["items"]["estimated"] is True


def test_the_statistics_page_marks_sampled_figures(client, archive, monkeypatch):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    html = client.get("/stats/?q=lumbar").content.decode()
    assert "estimated from a fixed sample of the letters (1 in 2)" in html
    assert "exact=true" in html


def test_the_stats_api_counts_exactly_when_asked(client, archive, monkeypatch):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    sampled = client.get("/api/stats/?q=lumbar").json()
    exact = client.get("/api/stats/?q=lumbar&exact=true").json()
    assert sampled["items"]["estimated"] is True
    assert exact["items"]["estimated"] is False
    assert client.get("/api/stats/?q=lumbar&exact=maybe").status_code == 400


def test_ten_items_with_one_overturned_give_the_hand_computed_interval():
    items = [an_item(outcome="upheld", body_regions=[]) for _ in range(9)]
    items.append(an_item(outcome="overturned", body_regions=[]))
    a_determination(a_parse(items=items))
    row = table(statistics_for(), "category")
    assert row == [("Diagnostic Testing", 10, 1)]
    total = statistics_for().total
    assert [round(x, 4) for x in total.interval] == [0.0179, 0.4042]
    assert math.isclose(total.rate, 0.1)


def test_the_statistics_page_shows_tables_charts_and_links_to_browse(client, archive):
    response = client.get("/stats/?region=cervical")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/?category=Rehabilitation&amp;region=cervical"' in html
    assert 'href="/?year=2018&amp;region=cervical"' in html
    assert 'role="img"' in html
    # The charts are SVG: the one script is the filter panel's optional facet search.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/facet-filter.js" defer>']
    assert "Overturn rate by category" in html


def test_the_statistics_page_lists_bad_parameters_in_a_400(client):
    response = client.get("/stats/?year=abc&colour=red")
    assert response.status_code == 400
    html = response.content.decode()
    assert "colour" in html
    assert "year" in html


def test_a_row_link_replaces_the_rows_own_filter_and_keeps_the_others():
    from determinations.views_analysis import filter_query

    active = {"category": ["Surgery", "Injection"], "outcome": ["overturned"]}
    query = filter_query(active, replace=(("category", "Surgery"),))
    assert query == "category=Surgery&outcome=overturned"


def test_charts_are_accessible_svg_with_escaped_labels():
    from xml.etree.ElementTree import fromstring

    from determinations import charts

    def parse(svg):
        return fromstring(svg)  # noqa: S314

    rows = [
        stats.Rate(items=10, overturned=1, label="Evaluation & Management <x>"),
        stats.Rate(items=4, overturned=3, label="Surgery"),
    ]
    svg = parse(charts.rate_bars(rows, title="Overturn rate by category"))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img"
    assert svg.find(f"{ns}title").text == "Overturn rate by category"
    assert "Evaluation & Management <x>: 10.0% overturned (1 of 10" in svg.find(f"{ns}desc").text
    labels = [t.text for t in svg.iter(f"{ns}text")]
    assert "Evaluation & Management <x>" in labels
    assert "75.0% (n=4)" in labels
    trend = parse(charts.yearly_trend(rows, title="By year"))
    assert len(trend.findall(f"{ns}g[@class='chart-line']/{ns}line")) == len(rows) - 1
    # Sized by the page, text in pixels: no viewBox to shrink the labels on a phone.
    assert svg.get("width") == trend.get("width") == "100%"
    assert svg.get("viewBox") is None
    assert {t.get("font-size") for t in svg.iter(f"{ns}text")} == {"13"}
    # Many years: the labels a phone shows instead (static/css/archive.css, .chart-dense).
    years = [stats.Rate(items=5, overturned=2, label=str(y)) for y in range(2013, 2025)]
    dense = parse(charts.yearly_trend(years, title="By year"))
    assert "chart-dense" in dense.get("class")
    short = [t.text for t in dense.iter(f"{ns}text") if t.get("class") == "chart-year-short"]
    assert short[:2] == ["\u201913", "\u201914"]
    assert "chart-dense" not in trend.get("class")
    assert (
        parse(charts.rate_bars([], title="Nothing"))
        .find(f"{ns}desc")
        .text.endswith("No matching items.")
    )


def test_the_statistics_page_shows_rates_and_intervals_as_percentages(client, archive):
    html = client.get("/stats/").content.decode()
    assert "40.0%" in html  # 2 of 5 items overturned
    low, high = stats.wilson_interval(1, 2)
    assert f"{low * 100:.1f}% to {high * 100:.1f}%" in html


@pytest.mark.parametrize(
    "query",
    [
        "region=lumbar&outcome=upheld",
        "category=Rehabilitation&year=2017",
        "decided_from=2017-01-01&decided_to=2018-12-31",
        "region=cervical&region=lumbar&specialty=Pain+Medicine",
    ],
)
def test_several_filters_with_very_many_items_are_counted_over_the_summaries_sample(
    archive, query, monkeypatch, django_assert_num_queries
):
    """Without a search, SummaryItem's sample gives the figures the items' own sample gives
    (every group, its order, the letters and the interval), without reading the items."""
    from determinations import sampling, summaries

    a_determination(a_parse(items=[an_item(category="Other", subcategory="Other")]))
    build_archive()  # its letters' ids of the other parity: the sample holds one of each
    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (2,))  # the letters with an even id
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    monkeypatch.setattr(sampling, "STATISTICS_LIVE_UP_TO", -1)
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid()
    with django_assert_num_queries(2):  # the sample's size, then the sample's figures
        result = stats.statistics(filterset, estimates=True)
    sample = sampling.sampled(stats.filtered_items(filterset), 2)
    expected = stats._statistics_in_one_statement(sample, tuple(stats.DIMENSIONS), 2)
    assert result == expected
    assert result.total.estimated and result.letters.estimated
    assert result.total.items > 0


def test_several_filters_with_few_items_are_counted_exactly(archive, monkeypatch):
    from determinations import summaries

    summaries.summaries_refresh()
    filterset = ItemFilterSet(QueryDict("region=lumbar&outcome=upheld"))
    assert filterset.is_valid()
    result = stats.statistics(filterset, estimates=True)
    assert not result.total.estimated
    assert (result.total.items, result.total.overturned) == (1, 0)


def test_stale_summaries_leave_several_filters_to_the_live_count(archive, monkeypatch):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    monkeypatch.setattr(sampling, "STATISTICS_LIVE_UP_TO", -1)
    a_determination(a_parse(items=[an_item(body_regions=["lumbar"])]))  # not refreshed
    filterset = ItemFilterSet(QueryDict("region=lumbar&outcome=upheld"))
    assert filterset.is_valid()
    result = stats.statistics(filterset, estimates=True)
    assert not result.total.estimated
    assert result.total.items == stats.items_summary(stats.filtered_items(filterset)).items


def test_the_statistics_page_of_several_filters_reuses_the_facets_sample_count(
    client, archive, monkeypatch
):
    from determinations import sampling, summaries

    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    monkeypatch.setattr(sampling, "STATISTICS_LIVE_UP_TO", -1)
    response = client.get("/stats/?region=lumbar&outcome=upheld")
    assert response.status_code == 200
    assert "statistics=SummaryItem, sample 1/2" in response["Server-Timing"]
    assert "estimated from a fixed sample of the letters (1 in 2)" in response.content.decode()


@pytest.mark.parametrize("n", [1, 11, 154, 10_000])
def test_the_interval_of_none_or_all_ends_exactly_at_0_or_1(n):
    """``centre - half`` left 1.7e-18 for 0 of 154: the CSV and the API showed it."""
    from determinations.stats import wilson_interval

    assert wilson_interval(0, n)[0] == 0.0
    assert wilson_interval(n, n)[1] == 1.0
