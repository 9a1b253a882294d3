"""Estimated totals carry a 95% interval that covers the exact count at about that rate."""

import random

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from determinations import facets, sampling, selectors, stats, summaries
from determinations.filters import ItemFilterSet
from determinations.models import DisputedItem
from imr_archive.db_router import read_connection

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db

CATEGORIES = [
    ("Diagnostic Testing", "Imaging/Radiology", "MRI", "MRI of the {region} spine"),
    ("Rehabilitation", "Acupuncture", "Acupuncture", "Acupuncture for the {region}"),
    ("Surgery", "Spine", "Spinal fusion", "Fusion of the {region} spine"),
    ("Pharmaceuticals", "Opioids", "oxycodone", "Oxycodone 10 mg for {region} pain"),
]
REGIONS = ["lumbar", "cervical", "thoracic"]
QUERIES = [
    "q=spine",
    "q=acupuncture",
    "q=lumbar",
    "q=pain OR mri",
    "q=spine&year=2017",  # a search and filters: the filters tested on the search's hits
    "q=lumbar&outcome=overturned",
    "outcome=upheld&year=2017",
    "category=Rehabilitation&region=lumbar",
    "region=cervical&region=lumbar&outcome=overturned",
    "year=2016&year=2018&category=Surgery",
]


def build_generated_archive(letters: int, seed: int = 7) -> None:
    """``letters`` letters of 1 to 4 items each (letters cluster their items: what makes a
    naive interval too narrow)."""
    rng = random.Random(seed)
    for _ in range(letters):
        category, subcategory, service, request = rng.choice(CATEGORIES)
        region = rng.choice(REGIONS)
        items = [
            an_item(
                request=request.format(region=region),
                outcome=rng.choice(["upheld", "upheld", "overturned"]),
                category=category,
                subcategory=subcategory,
                service=service,
                body_regions=[region],
            )
            for _ in range(rng.choice([1, 1, 2, 3, 4]))
        ]
        year = rng.choice([2016, 2017, 2018])
        a_determination(a_parse(items=items, decision_date=f"{year}-0{rng.randint(1, 9)}-15"))


def test_sampled_totals_intervals_cover_the_exact_counts_at_their_stated_rate(monkeypatch):
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)  # the statistics sample every search
    # The samples are drawn by letter id (``id % every``), and ids go on from whatever tests ran
    # before: start them at 1, so that this is one fixed draw whatever the order (the coverage
    # moved with the suite, 87 of 100 in one order). setval is outside the test's rollback; the
    # letters' rows are not, so no later id can meet one of these.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('determinations_determination', 'id'), 1, false)"
        )
    build_generated_archive(500)
    summaries.summaries_refresh()
    checked = covered = 0
    for every in range(3, 13):  # ten different samples of the same archive
        monkeypatch.setattr(sampling, "LEVELS", (every,))
        for query in QUERIES:
            filterset = ItemFilterSet(QueryDict(query))
            assert filterset.is_valid()
            matching = filterset.filter_queryset(DisputedItem.objects.public().order_by())
            estimate = selectors.sample_estimate(filterset, matching, q=filterset.search_text)
            exact = matching.count()
            assert estimate is not None and estimate.low <= estimate.value <= estimate.high
            checked += 1
            covered += estimate.low <= exact <= estimate.high
            if filterset.search_text:  # the statistics' sampled total: the same interval
                total = stats.statistics(filterset, estimates=True, dimensions=()).total
                assert total.estimated and total.items == estimate.value
                assert total.items_interval == (estimate.low, estimate.high)
    assert checked == 100
    # 95% stated: at least 88% of 100 (a binomial 95% draw falls below 88% once in ~200)
    assert covered / checked >= 0.88, f"{covered} of {checked} intervals cover the count"


def test_an_interval_is_never_below_the_rows_seen_and_zero_width_without_sampling():
    assert sampling.estimate_from(5, 5, 1) == sampling.Estimate(5, 5, 5, 1)
    estimate = sampling.estimate_from(3, 9, 256)  # three rows, all in one sampled letter
    assert estimate.value == 768 and estimate.low == 3 and estimate.high > 768


def test_the_browse_page_shows_a_sampled_totals_interval(client, monkeypatch):
    build_generated_archive(60)
    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(selectors, "SAMPLE_ESTIMATE_FROM", 5)
    html = client.get("/?q=spine").content.decode()
    assert "95% interval " in html
    assert "fixed 1-in-2 sample" in html


def test_sampled_facet_values_intervals_cover_the_exact_counts_at_their_stated_rate():
    build_generated_archive(500)
    summaries.summaries_refresh()
    checked = covered = 0
    for every in range(3, 13):
        for query in QUERIES:
            filterset = ItemFilterSet(QueryDict(query))
            assert filterset.is_valid()
            exact = facets.facet_counts(filterset)
            sampled = facets.facet_counts(filterset, sample_every=every)
            for name, values in sampled.items():
                counts = {v.value: v.count for v in exact[name]}
                for value in values:
                    if not value.estimated or value.count < 20 * every:  # 20 sampled rows
                        continue
                    low, high = value.interval
                    assert low <= value.count <= high, (query, name, value)
                    checked += 1
                    covered += low <= counts.get(value.value, 0) <= high
    assert checked > 500
    assert covered / checked >= 0.9, f"{covered} of {checked} intervals cover the count"


def test_a_search_with_filters_reads_its_hits_once_and_stays_coarse_when_they_are_many(
    monkeypatch,
):
    build_generated_archive(300)
    monkeypatch.setattr(sampling, "LEVELS", (4, 2))
    monkeypatch.setattr(sampling, "ESTIMATE_ROWS_AT_LEAST", 10**9)  # always wish for more rows
    filterset = ItemFilterSet(QueryDict("q=spine&year=2017"))
    assert filterset.is_valid()
    items = DisputedItem.objects.public().order_by()
    matching = filterset.filter_queryset(items)
    search = filterset.filter_queryset(items, exclude={"year"})
    parts = (search, filterset.filter_queryset(items, exclude={"q"}))
    rows, squares, hits = sampling._sample_rows(matching, parts, 4)
    assert (rows, squares) == sampling._sample_rows(matching, None, 4)[:2]
    assert hits == sampling.sampled(search, 4).count() > rows > 0
    # the finer sample would read about twice the hits: made only within the budget
    monkeypatch.setattr(sampling, "SEARCH_ROWS_UP_TO", hits * 2)
    assert selectors.sample_estimate(filterset, matching, q="spine").every == 2
    monkeypatch.setattr(sampling, "SEARCH_ROWS_UP_TO", hits * 2 - 1)
    assert selectors.sample_estimate(filterset, matching, q="spine").every == 4
    assert selectors.sample_estimate(filterset, matching, q="spine").value == rows * 4


def test_the_browse_page_and_the_api_give_a_sampled_facet_values_interval(client, monkeypatch):
    build_generated_archive(60)
    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (2,))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    monkeypatch.setattr(sampling, "SAMPLE_ROWS_UP_TO", 10**9)
    html = client.get("/?q=spine").content.decode()
    assert 'title="Estimated from a fixed sample of the letters; 95% interval ' in html
    data = client.get("/api/facets/?q=spine").json()
    category = data["facets"]["category"][0]
    assert category["estimated"] is True
    low, high = category["interval"]
    assert low <= category["count"] <= high


@pytest.mark.parametrize(
    "query", ["category=Rehabilitation&region=lumbar", "year=2017&outcome=upheld", "q=spine"]
)
def test_a_browse_page_counts_its_sample_once_for_its_facets_and_its_total(
    client, monkeypatch, query
):
    """The facets' pass counts the matching rows of the sample the total is estimated from:
    the page's total is that count, not a second query over the same sample."""
    build_generated_archive(200)
    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (4, 2))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    monkeypatch.setattr(sampling, "ESTIMATE_ROWS_AT_LEAST", 0)
    monkeypatch.setattr(selectors, "SAMPLE_ESTIMATE_FROM", 0)
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid()
    matching = filterset.filter_queryset(DisputedItem.objects.public().order_by())
    counted_alone = selectors.sample_estimate(filterset, matching, q=filterset.search_text)
    with CaptureQueriesContext(read_connection()) as queries:
        response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert response.context["results"].estimate == counted_alone
    # the total's own count of the sample (``sampling.letter_rows_sql``) was not made
    assert not [q for q in queries.captured_queries if "AS r GROUP BY r." in q["sql"]]


@pytest.mark.parametrize("path", ["/stats/", "/stats/?by=category&over=year&"])
def test_a_statistics_page_with_a_search_chooses_its_sample_from_its_facets_count(
    client, monkeypatch, path
):
    """The statistics' sample is chosen from the search's rows in the coarsest sample, which
    the page's facets (counted first) have counted: no second count of them."""
    build_generated_archive(200)
    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (4, 2))
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", -1)
    url = f"{path}{'&' if '?' in path else '?'}q=spine".replace("&&", "&")
    with CaptureQueriesContext(read_connection()) as queries:
        page = client.get(url)
    assert page.status_code == 200
    counts = [q for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert not counts, [q["sql"][:120] for q in counts]
    data = client.get(f"/api{url}").json()  # the API, no facets: counts them itself, same sample
    assert data["items"]["estimated"] is True
