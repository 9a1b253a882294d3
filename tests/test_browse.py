"""The browse page: filters, facet counts, search, sorting, paging and the 400 page.

``archive`` builds a small known set; the expected facet counts below were worked out by hand
from it (6 items in 4 letters).
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from determinations import views
from determinations.facets import facet_counts
from determinations.filters import ItemFilterSet

from .builders import a_determination, a_parse, a_reviewer, an_item

pytestmark = pytest.mark.django_db

CHRONIC_PAIN = {"source": "MTUS", "document": "Chronic Pain Medical Treatment Guidelines"}
LOW_BACK = {"source": "ODG", "document": "Low Back", "section": "MRIs"}
SHOULDER = {"source": "ACOEM", "document": "Shoulder Complaints", "chapter": 9}
ACUPUNCTURE = {"source": "MTUS", "document": "Acupuncture Medical Treatment Guidelines"}


def cited(*citations: dict) -> dict:
    full = [
        {"chapter": None, "section": None, "pages": None, "year": None} | citation
        for citation in citations
    ]
    return {"basis": "Decision based on the guidelines cited.", "citations": full}


@pytest.fixture
def archive():
    """Four letters, six items: the facet expectations below are counted from this."""
    a_determination(
        a_parse(
            case_number="CM16-0000001",
            decision_date="2017-01-10",
            reviewer=a_reviewer("Orthopedic Surgery"),
            items=[
                an_item(reviewer=cited(LOW_BACK)),  # MRI lumbar, upheld, "red flags"
                an_item(
                    request="Norco 10/325mg #90",
                    outcome="overturned",
                    category="Pharmaceuticals",
                    subcategory="Opioids",
                    service="hydrocodone/acetaminophen",
                    body_regions=[],
                    reviewer=cited(CHRONIC_PAIN),
                    rationale="Ongoing opioid management with documented functional gains.",
                ),
            ],
        )
    )
    a_determination(
        a_parse(
            case_number="CM16-0000002",
            decision_date="2016-05-03",
            reviewer=a_reviewer("Physical Medicine & Rehabilitation"),
            items=[
                an_item(
                    request="Lumbar epidural steroid injection L4-5",
                    outcome="overturned",
                    category="Injection",
                    subcategory="Injection",
                    service="Epidural steroid injection",
                    reviewer=cited(CHRONIC_PAIN, LOW_BACK),
                    rationale="Radiculopathy is corroborated by imaging studies.",
                ),
            ],
        )
    )
    a_determination(
        a_parse(
            case_number="CM15-0000003",
            decision_date="2015-08-20",
            reviewer=a_reviewer("Orthopedic Surgery", "Sports Medicine"),
            clinical_summary="A 40-year-old male injured his right shoulder lifting boxes.",
            items=[
                an_item(
                    request="MRI of the right shoulder",
                    outcome="overturned",
                    body_regions=["shoulder"],
                    reviewer=cited(SHOULDER),
                    rationale="Impingement persists after conservative care; imaging is indicated.",
                ),
                an_item(
                    request="Physical therapy x 12 for the cervical spine",
                    category="Rehabilitation",
                    subcategory="PT/OT",
                    service="Physical therapy",
                    body_regions=["cervical"],
                    quantity=12,
                    reviewer=cited(CHRONIC_PAIN),
                    rationale="Prior therapy sessions exceed the recommended number; acupuncture "
                    "was not tried.",
                ),
            ],
        )
    )
    a_determination(
        a_parse(
            case_number="CM17-0000004",
            decision_date="2017-06-01",
            reviewer=a_reviewer("Internal Medicine"),
            items=[
                an_item(
                    request="Acupuncture x 6",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["lumbar", "cervical"],
                    quantity=6,
                    reviewer=cited(ACUPUNCTURE),
                    rationale="Functional improvement from earlier sessions is not documented.",
                ),
            ],
        )
    )


def requests_listed(response) -> list[str]:
    """The request text of each result, in page order (tags stripped)."""
    html = response.content.decode()
    titles = re.findall(r'<h2 class="result-title"><a href="[^"]*">(.*?)</a></h2>', html, re.S)
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


def counts(response, facet: str) -> dict[str, int]:
    """``value -> count`` of one facet as the page shows it."""
    found = {}
    for value in response.context["facets"]:
        if value["facet"].name == facet:
            for v in value["top"] + value["more"]:
                found[v.value] = v.count
    return found


# Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("outcome=overturned", {"Norco 10/325mg #90", "Lumbar epidural steroid injection L4-5",
                                "MRI of the right shoulder"}),
        ("category=Rehabilitation", {"Physical therapy x 12 for the cervical spine",
                                     "Acupuncture x 6"}),
        ("subcategory=Opioids", {"Norco 10/325mg #90"}),
        ("service=MRI", {"MRI of the lumbar spine without contrast", "MRI of the right shoulder"}),
        ("guideline_source=ACOEM", {"MRI of the right shoulder"}),
        ("guideline=ODG%3ALow+Back", {"MRI of the lumbar spine without contrast",
                                "Lumbar epidural steroid injection L4-5"}),
        ("specialty=Sports+Medicine", {"MRI of the right shoulder",
                                       "Physical therapy x 12 for the cervical spine"}),
        ("region=cervical", {"Physical therapy x 12 for the cervical spine", "Acupuncture x 6"}),
        ("year=2016", {"Lumbar epidural steroid injection L4-5"}),
    ],
)  # fmt: skip
def test_each_filter_keeps_only_the_matching_items(client, archive, query, expected):
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert set(requests_listed(response)) == expected


def test_values_of_one_filter_combine_with_or(client, archive):
    response = client.get("/?region=shoulder&region=cervical")
    assert set(requests_listed(response)) == {
        "MRI of the right shoulder",
        "Physical therapy x 12 for the cervical spine",
        "Acupuncture x 6",
    }


def test_different_filters_combine_with_and(client, archive):
    response = client.get("/?region=lumbar&region=cervical&outcome=upheld&year=2017")
    assert set(requests_listed(response)) == {
        "MRI of the lumbar spine without contrast",
        "Acupuncture x 6",
    }


def test_withdrawn_items_are_not_listed(client, archive):
    from determinations import services
    from determinations.models import Determination

    services.determination_withdraw(determination=Determination.objects.get(key="CM17-0000004"))
    response = client.get("/")
    assert "Acupuncture x 6" not in requests_listed(response)
    assert counts(response, "year") == {"2017": 2, "2016": 1, "2015": 2}


# Facet counts -------------------------------------------------------------------------------


def test_facets_count_every_value_of_the_whole_archive(client, archive):
    response = client.get("/")
    assert counts(response, "outcome") == {"upheld": 3, "overturned": 3}
    assert counts(response, "category") == {
        "Diagnostic Testing": 2,
        "Rehabilitation": 2,
        "Pharmaceuticals": 1,
        "Injection": 1,
    }
    assert counts(response, "service") == {
        "MRI": 2,
        "hydrocodone/acetaminophen": 1,
        "Epidural steroid injection": 1,
        "Physical therapy": 1,
        "Acupuncture": 1,
    }
    assert counts(response, "year") == {"2017": 3, "2016": 1, "2015": 2}
    assert counts(response, "region") == {"lumbar": 3, "cervical": 2, "shoulder": 1}
    assert counts(response, "specialty") == {
        "Orthopedic Surgery": 4,
        "Sports Medicine": 2,
        "Physical Medicine & Rehabilitation": 1,
        "Internal Medicine": 1,
    }
    assert counts(response, "guideline_source") == {"MTUS": 4, "ODG": 2, "ACOEM": 1}
    assert counts(response, "guideline") == {
        "MTUS:Chronic Pain Medical Treatment Guidelines": 3,
        "ODG:Low Back": 2,
        "ACOEM:Shoulder Complaints": 1,
        "MTUS:Acupuncture Medical Treatment Guidelines": 1,
    }


def test_a_facet_is_counted_without_its_own_filter_so_siblings_stay(client, archive):
    response = client.get("/?category=Diagnostic+Testing&outcome=overturned")
    assert requests_listed(response) == ["MRI of the right shoulder"]
    # Categories of overturned items; outcomes of diagnostic tests; the rest under both filters.
    assert counts(response, "category") == {
        "Diagnostic Testing": 1,
        "Pharmaceuticals": 1,
        "Injection": 1,
    }
    assert counts(response, "outcome") == {"upheld": 1, "overturned": 1}
    assert counts(response, "region") == {"shoulder": 1}
    assert counts(response, "year") == {"2015": 1}
    assert counts(response, "specialty") == {"Orthopedic Surgery": 1, "Sports Medicine": 1}


def test_array_facets_are_counted_without_their_own_filter_too(client, archive):
    response = client.get("/?region=cervical&guideline_source=MTUS")
    assert counts(response, "region") == {"lumbar": 2, "cervical": 2}
    assert counts(response, "guideline_source") == {"MTUS": 2}
    assert counts(response, "outcome") == {"upheld": 2}


def test_facets_follow_the_search(client, archive):
    response = client.get("/?q=MRI")
    assert counts(response, "outcome") == {"upheld": 1, "overturned": 1}
    assert counts(response, "region") == {"lumbar": 1, "shoulder": 1}


def test_a_selected_value_with_no_matches_stays_listed_with_zero(client, archive):
    response = client.get("/?service=Acupuncture&year=2015")
    values = {v.value: (v.count, v.selected) for v in response.context["facets"][3]["top"]}
    assert values["Acupuncture"] == (0, True)


def test_facet_counts_keep_the_top_values_and_the_selected_ones():
    filterset = ItemFilterSet({"specialty": ["Internal Medicine"]})
    assert filterset.is_valid()
    assert facet_counts(filterset, limit=1)["specialty"][0].selected


def test_facet_counts_keep_selected_values_beyond_the_limit(archive):
    filterset = ItemFilterSet({"service": ["Acupuncture"]})
    assert filterset.is_valid()
    services = facet_counts(filterset, limit=1)["service"]
    assert [(v.value, v.count, v.selected) for v in services] == [
        ("MRI", 2, False),
        ("Acupuncture", 1, True),
    ]


def test_facet_counts_run_as_one_query_whatever_the_filters(archive, django_assert_num_queries):
    filterset = ItemFilterSet(
        {"category": ["Surgery"], "region": ["lumbar"], "year": ["2017"], "q": "mri"}
    )
    assert filterset.is_valid()
    with django_assert_num_queries(1):
        facet_counts(filterset)


def test_facet_counts_from_a_full_sample_equal_the_live_counts(archive):
    filterset = ItemFilterSet({"region": ["lumbar"]})
    assert filterset.is_valid()
    live = facet_counts(filterset)
    sampled = facet_counts(filterset, sample_every=1)
    assert {k: [(v.value, v.count) for v in vs] for k, vs in sampled.items()} == {
        k: [(v.value, v.count) for v in vs] for k, vs in live.items()
    }
    assert all(v.estimated for vs in sampled.values() for v in vs)


def test_huge_result_sets_show_estimated_counts_marked_as_such(client, archive, monkeypatch):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (1,))  # "1 in 1": the sample is every item
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", 0)
    html = client.get("/?q=mri").content.decode()
    assert re.search(r'value="upheld">.*?<span class="count">~\d+</span>', html)
    assert "estimated from a sample" in html


def test_the_page_shows_counts_and_chips_with_one_clear_all(client, archive):
    html = client.get("/?category=Rehabilitation&region=cervical").content.decode()
    assert re.search(r'value="Rehabilitation" checked>.*?<span class="count">2</span>', html)
    assert 'href="?region=cervical"' in html  # the category chip removes the category only
    assert 'href="?category=Rehabilitation"' in html
    assert html.count("Clear all") == 1


# Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"red flags"', {"MRI of the lumbar spine without contrast"}),
        ('"flags red"', set()),
        ("norco OR acupuncture", {"Norco 10/325mg #90", "Acupuncture x 6",
                                  "Physical therapy x 12 for the cervical spine"}),
        ("mri -shoulder", {"MRI of the lumbar spine without contrast"}),
        ("injections", {"Lumbar epidural steroid injection L4-5"}),
        ("documenting", {"MRI of the lumbar spine without contrast", "Norco 10/325mg #90",
                         "Acupuncture x 6"}),
        ("boxes", {"MRI of the right shoulder", "Physical therapy x 12 for the cervical spine"}),
    ],
)  # fmt: skip
def test_search_understands_phrases_or_exclusion_and_stemming(client, archive, q, expected):
    response = client.get("/", {"q": q})
    assert response.status_code == 200
    assert set(requests_listed(response)) == expected


def test_search_ranks_requests_above_rationales(client, archive):
    assert requests_listed(client.get("/", {"q": "acupuncture"})) == [
        "Acupuncture x 6",
        "Physical therapy x 12 for the cervical spine",
    ]


def test_search_highlights_the_words_found_in_title_and_snippet(client, archive):
    html = client.get("/", {"q": "impingement shoulder"}).content.decode()
    assert "MRI of the right <mark>shoulder</mark>" in html
    assert "<mark>Impingement</mark> persists" in html


def test_a_search_of_only_stop_words_does_not_fail(client, archive):
    response = client.get("/", {"q": "the -"})
    assert response.status_code == 200


# XSS ----------------------------------------------------------------------------------------


@pytest.fixture
def hostile():
    a_determination(
        a_parse(
            items=[
                an_item(
                    request='<script>alert("x")</script> MRI <img src=x onerror=alert(1)>',
                    rationale="MRI <b>bold</b> \ue000sentinel <script>alert(2)</script>",
                )
            ]
        )
    )


@pytest.mark.parametrize("query", [{}, {"q": "mri"}, {"q": "alert"}, {"q": "sentinel"}])
def test_letter_text_is_escaped_in_rows_and_snippets(client, hostile, query):
    html = client.get("/", query).content.decode()
    main = html.split('id="results"')[1]
    assert "<script>alert" not in main
    assert "<img" not in main
    assert "<b>bold" not in main
    assert "&lt;" in main and "&gt;" in main


def test_a_search_for_markup_is_escaped_in_the_search_box_and_chips(client, archive):
    html = client.get("/", {"q": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html


# Sorting and paging -------------------------------------------------------------------------

NEWEST = [
    "Acupuncture x 6",  # 2017-06-01
    "Norco 10/325mg #90",  # 2017-01-10, item 2 (higher id first)
    "MRI of the lumbar spine without contrast",  # 2017-01-10, item 1
    "Lumbar epidural steroid injection L4-5",  # 2016-05-03
    "Physical therapy x 12 for the cervical spine",  # 2015-08-20
    "MRI of the right shoulder",
]


def test_results_are_newest_first_by_default(client, archive):
    assert requests_listed(client.get("/")) == NEWEST


def test_results_can_be_oldest_first(client, archive):
    assert requests_listed(client.get("/?sort=oldest")) == NEWEST[::-1]


def test_relevance_without_words_means_newest(client, archive):
    assert requests_listed(client.get("/?sort=relevance")) == NEWEST


def test_search_results_can_be_sorted_by_date(client, archive):
    assert requests_listed(client.get("/?q=mri&sort=oldest")) == [
        "MRI of the right shoulder",
        "MRI of the lumbar spine without contrast",
    ]


def submit_search(client, url: str, q: str):
    """Type ``q`` in the search box of the page at ``url`` and press Enter: the form sends
    every named control as a browser would (checked boxes, the selected sort option)."""
    html = client.get(url).content.decode()
    form = html[html.index('<form class="browse"') : html.index("</form>")]
    fields = [("q", q)]
    for name, value in re.findall(
        r'<input type="checkbox" name="([^"]+)" value="([^"]*)" checked>', form
    ):
        fields.append((name, unescape(value)))
    select = re.search(r'<select id="sort" name="sort">(.*?)</select>', form, re.S)[1]
    fields.append(("sort", re.search(r'<option value="([^"]*)" selected>', select)[1]))
    return client.get("/", fields)


def test_a_new_search_from_the_box_is_ranked_by_relevance(client, archive):
    for start in ("/", "/?outcome=upheld", "/?q=lumbar", "/?q=mri&page=1"):
        response = submit_search(client, start, "mri")
        assert response.context["sort"] == "relevance", start
        assert "Relevance" in response.content.decode()


def test_an_order_the_reader_chose_is_kept_by_a_new_search(client, archive):
    for start in ("/?sort=oldest", "/?q=lumbar&sort=newest"):
        response = submit_search(client, start, "mri")
        assert response.context["sort"] == start.rsplit("=", 1)[1], start
    assert requests_listed(submit_search(client, "/?sort=oldest", "mri")) == [
        "MRI of the right shoulder",
        "MRI of the lumbar spine without contrast",
    ]


def test_links_carry_the_sort_only_when_the_reader_chose_it(client, many):
    html = client.get("/").content.decode()
    next_href = re.search(r'<a rel="next" href="([^"]+)"', html)[1]
    assert "sort=" not in next_href
    following = client.get("/" + unescape(next_href)).content.decode()
    assert "sort=" not in re.search(r'href="([^"]*)">First page', following)[1]
    chosen = client.get("/?sort=newest").content.decode()
    assert "sort=newest" in re.search(r'<a rel="next" href="([^"]+)"', chosen)[1]


def test_an_empty_sort_means_the_default_order(client, archive):
    assert client.get("/?q=mri&sort=").context["sort"] == "relevance"
    assert client.get("/?sort=").context["sort"] == "newest"


def walk(client, url: str) -> list[str]:
    """Follow 'Next page' links from ``url`` to the end; every request seen, in order."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += requests_listed(response)
        found = re.search(r'<a rel="next" href="([^"]+)"', response.content.decode())
        url = "/" + found[1].replace("&amp;", "&") if found else None
        pages += 1
        assert pages < 50
    return seen


@pytest.fixture
def many(monkeypatch):
    """23 items over 20 letters: dates repeat, two letters have none; pages of 4 rows."""
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    for n in range(20):
        date = None if n in (5, 11) else f"2016-{1 + n % 6:02d}-15"
        items = [an_item(request=f"Request {n}-1 massage")]
        if n % 7 == 0:
            items.append(an_item(request=f"Request {n}-2 massage"))
        a_determination(a_parse(decision_date=date, items=items))


def expected_order(*, newest: bool) -> list[str]:
    from determinations.models import DisputedItem

    rows = DisputedItem.objects.values_list("request", "decision_date", "id")
    dated = sorted((r for r in rows if r[1]), key=lambda r: (r[1], r[2]), reverse=newest)
    undated = sorted((r for r in rows if not r[1]), key=lambda r: r[2], reverse=newest)
    return [r[0] for r in dated + undated]


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_cursor_pages_walk_every_item_once_in_order(client, many, sort):
    assert walk(client, f"/?sort={sort}") == expected_order(newest=sort == "newest")


@pytest.fixture(params=["rare hits", "many hits"])
def hit_density(request, monkeypatch):
    """Searches take the GIN index first when hits are few, the date index when many."""
    from determinations import selectors

    if request.param == "many hits":
        monkeypatch.setattr(selectors, "TOTAL_EXACT_UP_TO", 1)
        monkeypatch.setattr(selectors, "FENCE_UP_TO", 0)  # relevance walks the date index too


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_cursor_pages_of_a_search_walk_every_hit_once(client, many, hit_density, sort):
    assert walk(client, f"/?q=massage&sort={sort}") == expected_order(newest=sort == "newest")


def test_relevance_pages_are_numbered_and_cover_every_hit(client, many, hit_density):
    seen = walk(client, "/?q=massage")
    assert sorted(seen) == sorted(expected_order(newest=True))
    assert re.search(
        r"5\u20138 of (about )?[\d,]+<", client.get("/?q=massage&page=2").content.decode()
    )


@pytest.mark.parametrize(
    "sort, fenced", [("newest", False), ("oldest", False), ("relevance", True)]
)
def test_a_search_in_one_year_walks_that_years_index_when_its_hits_are_dense(
    client, many, sort, fenced
):
    """21 of the year's 21 items hit: a page of 4 meets its rows within 5 rows of the year's
    date index; relevance ranks every hit, so reading them through the fence is cheaper."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations import summaries

    summaries.summaries_refresh()  # the year's row count comes from the summaries
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/?q=massage&year=2016&sort={sort}")
    assert response.status_code == 200
    page_rows = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "request" in q["sql"]]
    assert any("OFFSET 0" in sql for sql in page_rows) == fenced
    seen = walk(client, f"/?q=massage&year=2016&sort={sort}")
    undated = {"Request 5-1 massage", "Request 11-1 massage"}  # letters 5 and 11: no year
    dated = [r for r in expected_order(newest=sort != "oldest") if r not in undated]
    if sort == "relevance":
        assert sorted(seen) == sorted(dated)
    else:
        assert seen == dated


def pages(client, url: str, rel: str) -> list[tuple[list[str], str]]:
    """Follow ``rel`` ("next" or "prev") links from ``url``: each page's requests and range."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        shown = re.search(r'<span class="page-range">([^<]*)</span>', html)
        seen.append((requests_listed(response), shown[1] if shown else ""))
        found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
        url = "/" + unescape(found[1]) if found else None
        assert len(seen) < 50
    return seen


@pytest.mark.parametrize(
    ("sort", "q"),
    [("newest", ""), ("oldest", ""), ("newest", "massage"), ("oldest", "massage"),
     ("relevance", "massage")],
)  # fmt: skip
def test_previous_links_walk_back_over_the_same_pages(client, many, hit_density, sort, q):
    start = f"/?q={q}&sort={sort}" if q else f"/?sort={sort}"
    forward = pages(client, start, "next")
    assert len(forward) == 6  # 23 items, 4 a page
    last = client.get(start)
    html = last.content.decode()
    while found := re.search(r'<a rel="next" href="([^"]+)"', html):
        last_url = "/" + unescape(found[1])
        html = client.get(last_url).content.decode()

    # The same rows and places ("5-8"); an estimated total may differ between requests.
    def places(seen):
        return [(rows, shown.split(" of ")[0]) for rows, shown in seen]

    assert places(pages(client, last_url, "prev")) == places(forward[::-1])


def test_pages_say_which_rows_they_show_of_the_total(client, many):
    shown = [text for _, text in pages(client, "/", "next")]
    assert shown == [
        "1\u20134 of 23", "5\u20138 of 23", "9\u201312 of 23", "13\u201316 of 23",
        "17\u201320 of 23", "21\u201323 of 23",
    ]  # fmt: skip


def test_an_estimated_total_is_of_about(client, many, monkeypatch):
    from determinations import selectors

    monkeypatch.setattr(selectors, "TOTAL_EXACT_UP_TO", 3)
    html = client.get("/").content.decode()
    assert re.search(r'class="page-range">1\u20134 of about [\d,]+<', html)


def test_the_first_page_has_no_previous_and_the_second_links_to_the_first(client, many):
    html = client.get("/?outcome=upheld").content.decode()
    assert 'rel="prev"' not in html
    second = client.get("/" + unescape(re.search(r'rel="next" href="([^"]+)"', html)[1]))
    assert 'rel="prev" href="?outcome=upheld"' in second.content.decode()
    relevance = client.get("/?q=massage&page=2").content.decode()
    assert 'rel="prev" href="?q=massage"' in relevance
    assert (
        'rel="prev" href="?q=massage&amp;page=2"'
        in client.get("/?q=massage&page=3").content.decode()
    )


def test_an_old_cursor_without_its_offset_still_pages_without_a_range(client, many):
    first = client.get("/").content.decode()
    cursor = re.search(r'rel="next" href="\?cursor=([^"]+)"', first)[1]
    assert cursor.endswith("_4")  # four rows before the page it starts
    old = cursor.removesuffix("_4")
    response = client.get(f"/?cursor={old}")
    html = response.content.decode()
    assert len(requests_listed(response)) == 4
    assert 'class="page-range"' not in html
    back = re.search(r'rel="prev" href="\?before=([^"]+)"', html)[1]
    assert requests_listed(client.get(f"/?before={back}")) == expected_order(newest=True)[:4]


@pytest.mark.parametrize(
    "query",
    ["before=garbage", "q=mri&before=2017-01-10_3", "cursor=2017-01-10_3&before=2017-01-10_4"],
)
def test_a_bad_backwards_cursor_is_a_400(client, query):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert "Parameter" in unescape(response.content.decode())


def test_a_page_read_backwards_runs_as_many_queries_as_a_forward_one(
    client, many, django_assert_max_num_queries
):
    html = client.get("/?q=massage&sort=oldest").content.decode()
    second = "/" + unescape(re.search(r'rel="next" href="([^"]+)"', html)[1])
    third = "/" + unescape(
        re.search(r'rel="next" href="([^"]+)"', client.get(second).content.decode())[1]
    )
    back = "/" + unescape(
        re.search(r'rel="prev" href="([^"]+)"', client.get(third).content.decode())[1]
    )
    assert "before=" in back
    with django_assert_max_num_queries(7):
        assert client.get(back).status_code == 200


def test_a_deep_cursor_page_starts_after_the_cursor(client, many):
    from determinations.models import DisputedItem

    last = (
        DisputedItem.objects.filter(decision_date__isnull=False)
        .order_by("decision_date", "id")  # dates repeat: the last row of the newest order
        .first()
    )
    response = client.get(f"/?sort=newest&cursor={last.decision_date}_{last.id}")
    # After the oldest dated row come the undated ones, newest id first.
    assert requests_listed(response) == expected_order(newest=True)[-2:]


def test_the_total_is_exact_below_the_threshold(client, archive):
    assert "6 matching items" in client.get("/").content.decode()


def test_the_total_is_an_estimate_beyond_the_threshold(client, archive, monkeypatch):
    from determinations import selectors

    monkeypatch.setattr(selectors, "TOTAL_EXACT_UP_TO", 3)
    html = client.get("/").content.decode()
    assert re.search(r"About [\d,]+ matching items", html)
    assert "(estimated)" in html


def test_browse_runs_a_bounded_number_of_queries(client, many, django_assert_max_num_queries):
    # count (a search: its coarse-sample estimate first, in the 1-in-1,024 sample, then the
    # 1-in-256 when that holds few hits), rows (two when a page crosses into undated rows),
    # facets (the coarsest sample, then exact or a finer sample), snippets
    with django_assert_max_num_queries(5):
        client.get("/?region=lumbar&year=2016&category=Diagnostic+Testing")
    with django_assert_max_num_queries(8):
        client.get("/?q=massage&sort=oldest&outcome=upheld")
    with django_assert_max_num_queries(7):
        client.get("/?q=massage&page=2")


def test_a_search_with_an_estimated_total_adds_one_cheap_query(
    client, many, monkeypatch, django_assert_max_num_queries
):
    from determinations import selectors

    monkeypatch.setattr(selectors, "TOTAL_EXACT_UP_TO", 1)
    # coarse-sample estimate (two samples), capped count, EXPLAIN estimate, table size, rows
    # (walking the date index: savepoint, bitmap scans off, rows, setting back, release),
    # snippets, facets (coarsest sample, then exact)
    with django_assert_max_num_queries(13):
        assert client.get("/?q=massage").status_code == 200


def test_a_search_with_very_many_hits_shows_its_sample_estimate(client, many, monkeypatch):
    from determinations import sampling, selectors

    monkeypatch.setattr(sampling, "LEVELS", (1,))  # "1 in 1": the sample is every item
    monkeypatch.setattr(selectors, "SAMPLE_ESTIMATE_FROM", 5)
    html = client.get("/?q=massage").content.decode()
    assert "About 23 matching items" in html  # every item is in this sample: its exact count


# The 400 page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("colour=blue", "Unknown parameter 'colour'"),
        ("outcome=maybe", "Parameter 'outcome'"),
        ("category=Astrology", "Parameter 'category'"),
        ("subcategory=Nope", "Parameter 'subcategory'"),
        ("guideline_source=WebMD", "Parameter 'guideline_source'"),
        ("region=tail", "Parameter 'region'"),
        ("year=last", "Parameter 'year'"),
        ("year=1850", "Parameter 'year'"),
        ("sort=random", "Parameter 'sort'"),
        ("sort=newest&sort=oldest", "Parameter 'sort'"),
        ("cursor=garbage", "Parameter 'cursor'"),
        ("cursor=2017-13-45_3", "Parameter 'cursor'"),
        ("cursor=2017-01-10_99999999999999999999", "Parameter 'cursor'"),
        ("q=mri&cursor=2017-01-10_3", "Parameter 'cursor'"),
        ("q=mri&page=0", "Parameter 'page'"),
        ("q=mri&page=9999", "Parameter 'page'"),
        ("page=2", "Parameter 'page'"),
        ("q=" + "x" * 600, "Parameter 'q'"),
    ],
)
def test_bad_parameters_get_a_400_page_that_says_what_was_wrong(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Bad request" in html
    assert message in html


def test_the_400_page_lists_every_problem_at_once(client):
    html = client.get("/?colour=blue&outcome=maybe&sort=up").content.decode()
    assert "colour" in html and "outcome" in html and "sort" in html


# The page itself ----------------------------------------------------------------------------


def test_the_page_links_the_same_filters_to_stats_export_and_feed(client, archive):
    html = client.get("/?outcome=upheld&region=lumbar&sort=oldest").content.decode()
    query = "outcome=upheld&amp;region=lumbar"
    assert f'href="/stats/?{query}"' in html
    assert f'href="/export/items.csv?{query}"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="/feed/?{query}">Follow (Atom)</a>' in html


def test_each_row_shows_the_decision_at_a_glance(client, archive):
    html = client.get("/?subcategory=Acupuncture").content.decode()
    for text in (
        'href="/determinations/CM17-0000004/#item-1"',
        "badge-upheld",
        "Rehabilitation / Acupuncture / Acupuncture",
        "lumbar, cervical",
        "Acupuncture Medical Treatment Guidelines",
        "Internal Medicine",
        '<time datetime="2017-06-01">Jun 1, 2017</time>',
    ):
        assert text in html, text


def test_the_browse_page_says_when_the_archive_is_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No decisions yet" in response.content.decode()


def test_no_matches_says_so_and_offers_to_clear(client, archive):
    html = client.get("/?q=zebra").content.decode()
    assert "No decisions match" in html


def test_walking_turns_bitmap_scans_off_for_its_block_only(db):
    from django.db import connection

    from determinations import paging

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_bitmapscan")
            return cursor.fetchone()[0]

    with paging.walking(True):
        assert setting() == "off"
    assert setting() == "on"
    with paging.walking(False):
        assert setting() == "on"


def test_many_items_matching_several_filters_show_the_samples_estimate(client, many, monkeypatch):
    from determinations import sampling, selectors, summaries

    summaries.summaries_refresh()
    monkeypatch.setattr(sampling, "LEVELS", (1,))  # "1 in 1": the sample is every item
    monkeypatch.setattr(selectors, "SAMPLE_ESTIMATE_FROM", 5)
    html = client.get("/?year=2016&outcome=upheld").content.decode()
    assert "About 21 matching items" in html  # every dated item is in this sample
    monkeypatch.setattr(selectors, "SAMPLE_ESTIMATE_FROM", 100)
    html = client.get("/?year=2016&outcome=upheld").content.decode()
    assert "21 matching items" in html and "About" not in html  # few: counted exactly


@pytest.mark.django_db
def test_a_bad_filter_page_links_to_the_same_page_without_it(client):
    """A reversed date range, set in the date form, ended on a 400 with no way back but the
    home page; the page now offers the same filters without the bad one."""
    response = client.get(
        "/",
        {
            "reason": "exceeds_guideline_limit",
            "decided_from": "2017-03-01",
            "decided_to": "2017-01-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'href="/?reason=exceeds_guideline_limit&amp;decided_from=2017-03-01" id="without"' in html
    )


@pytest.mark.django_db
def test_removing_a_chip_keeps_the_sort_and_drops_a_search_field_with_its_search(client, archive):
    html = client.get(
        "/", {"q": "lumbar", "field": "request", "region": "cervical", "sort": "oldest"}
    )
    html = html.content.decode()
    assert 'href="?q=lumbar&amp;field=request&amp;sort=oldest"' in html  # the region chip
    assert 'href="?region=cervical&amp;sort=oldest"' in html  # the search chip, field with it


@pytest.mark.django_db
def test_a_page_past_the_last_says_so_instead_of_no_match(client, archive):
    html = client.get("/", {"q": "lumbar", "sort": "relevance", "page": "40"}).content.decode()
    assert 'id="past-the-end"' in html
    assert "No decisions match these filters" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "said"), [("the", True), ("!!!", True), ("OR", True), ("lumbar", False)]
)
def test_a_search_of_stop_words_alone_says_there_is_nothing_to_search(client, archive, q, said):
    html = client.get("/", {"q": q}).content.decode()
    assert ('id="nothing-to-search"' in html) is said


@pytest.mark.django_db
def test_two_searches_in_one_address_are_a_400_not_the_last_one_silently(client):
    response = client.get("/?q=norco&q=mri")
    assert response.status_code == 400
    assert "give one search, not 2" in response.content.decode()
