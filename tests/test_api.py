"""The JSON API: shapes, cursor pages, the browse filters, errors, withdrawn letters, queries."""

import json

import pytest
from django.urls import reverse
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from determinations import api, presenters, services, stats
from determinations.presenters import determination_as_dict

from .builders import a_determination, a_parse, an_item
from .test_stats import build_archive

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    return build_archive()


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"].startswith("application/json")
    return response, response.json()


def schema_validator(name: str) -> OAS30Validator:
    """Validate a body against a component of the published OpenAPI document."""
    document = api.openapi_document()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return OAS30Validator(schema)


def test_the_openapi_document_is_a_valid_openapi_3_description(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    validate(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/items/",
        "/api/determinations/",
        "/api/determinations/{key}/",
        "/api/facets/",
        "/api/stats/",
        "/api/compare/",
        "/api/stats/decision-days/",
        "/api/stats/letters/",
        "/api/reports/{year}/",
        "/api/check/",
        "/api/guidelines/",
        "/api/guidelines/{source}/{document}/",
        "/api/guidelines/{source}/{document}/{section}/",
    }
    names = {p["name"] for p in document["paths"]["/api/items/"]["get"]["parameters"]}
    assert names >= {"q", "outcome", "category", "region", "year", "cursor", "page_size"}


def test_the_api_page_describes_every_endpoint_without_scripts(client):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    for path in ("/api/items/", "/api/determinations/{key}/", "/api/facets/", "/api/stats/"):
        assert path in html
    assert "<script" not in html
    assert "guideline_source" in html


def test_items_come_in_the_export_shape_and_match_the_documented_schema(client, archive):
    response, body = get(client, "/api/items/")
    assert response.status_code == 200
    assert [item["key"] for item in body["results"]].count(archive["l1"].key) == 2
    assert len(body["results"]) == 5
    validator = schema_validator("PaginatedItemList")
    validator.validate(body)
    first = next(i for i in body["results"] if i["request"] == "Lumbar fusion L4-5")
    assert first["url"] == f"http://testserver/determinations/{archive['l1'].key}/#item-1"
    assert first["reviewer"]["citations"][0]["document"] == "Low Back"
    assert first["reviewer_specialties"] == ["Orthopedic Surgery"]


def test_the_schemas_item_fields_are_the_presenters_fields(client, archive):
    components = api.openapi_document()["components"]["schemas"]

    def names(fields):
        return [field.name for field in fields]

    def properties(name):
        return list(components[name]["properties"])

    assert properties("ContractItem") == names(presenters.ITEM_FIELDS)
    assert sorted(properties("Item")) == sorted(names(presenters.ITEM_RECORD))
    assert properties("Citation") == names(presenters.CITATION_FIELDS)
    assert properties("Basis") == ["basis", "citations"]
    _, body = get(client, "/api/items/")
    assert [list(item) for item in body["results"]] == [names(presenters.ITEM_RECORD)] * 5
    _, body = get(client, f"/api/determinations/{archive['l1'].key}/")
    assert properties("Determination") == list(body)
    assert list(body["items"][0]) == names(presenters.ITEM_FIELDS)
    assert list(body["items"][0]["reviewer"]["citations"][0]) == names(presenters.CITATION_FIELDS)


def test_items_take_the_browse_filters(client, archive):
    _, body = get(client, "/api/items/", category="Rehabilitation", outcome="overturned")
    assert [item["request"] for item in body["results"]] == ["Acupuncture x 6"]
    _, body = get(client, "/api/items/?region=cervical&region=lumbar")
    assert len(body["results"]) == 3


def test_cursor_pages_walk_every_item_once(client, archive):
    seen = []
    url = "/api/items/?page_size=2"
    while url:
        _, body = get(client, url)
        seen += [(item["key"], item["number"]) for item in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5
    assert "cursor=" in get(client, "/api/items/?page_size=2")[1]["next"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("colour=red", "colour"),
        ("year=17", "year"),
        ("outcome=maybe", "outcome"),
        ("region=spleen", "region"),
        ("cursor=not-a-cursor", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=ten", "page_size"),
        # "²".isdigit() is true and int() refuses it; int() reads Arabic-Indic digits
        ("page_size=%C2%B2", "page_size"),
        ("page_size=%D9%A1", "page_size"),
        ("year=20%D9%A1%D9%A7", "year"),
        ("decided_from=2017-2-15", "decided_from"),
        ("decided_from=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%97-02-15", "decided_from"),
        # cursors DRF decodes but this API never writes: "p=x", "p=", "p=-1"
        ("cursor=cD14", "cursor"),
        ("cursor=cD0%3D", "cursor"),
        ("cursor=cD0tMQ%3D%3D", "cursor"),
        ("q=acupuncture&cursor=cD14", "cursor"),  # a search finds its page's rows first
        ("q=acupuncture&cursor=not-a-cursor", "cursor"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(client, archive, query, named):
    response, body = get(client, f"/api/items/?{query}")
    assert response.status_code == 400
    assert any(named in error for error in body["errors"])


def test_a_facet_limit_in_other_digits_is_a_400(client, archive):
    response, body = get(client, "/api/facets/?limit=%C2%B2")
    assert response.status_code == 400 and "limit" in body["errors"][0]


def test_a_determination_under_another_spelling_of_its_key_redirects_to_it(client, archive):
    key = archive["l1"].key
    response = client.get(f"/api/determinations/{key.lower()}/")
    if key.lower() == key:
        pytest.skip("the fixture's key has no other spelling")
    assert response.status_code == 301
    assert response["Location"] == f"/api/determinations/{key}/"


def test_every_endpoint_rejects_unknown_parameters_as_json(client, archive):
    for url in ("/api/determinations/", "/api/facets/", "/api/stats/"):
        response, body = get(client, f"{url}?sort=newest")
        assert response.status_code == 400, url
        assert "sort" in body["errors"][0]
    response, body = get(client, f"/api/determinations/{archive['l1'].key}/?x=1")
    assert response.status_code == 400


def test_determinations_match_when_one_of_their_items_matches_without_duplicates(client, archive):
    _, body = get(client, "/api/determinations/", region="lumbar")
    assert [d["key"] for d in body["results"]] == [archive["l1"].key]
    _, body = get(client, "/api/determinations/", category="Pharmaceuticals")
    assert [d["key"] for d in body["results"]] == [archive["l3"].key]
    assert len(body["results"][0]["items"]) == 2
    _, body = get(client, "/api/determinations/")
    assert {d["key"] for d in body["results"]} == {archive[name].key for name in ("l1", "l2", "l3")}
    schema_validator("PaginatedDeterminationList").validate(body)


def test_one_determination_comes_whole_in_the_presenters_shape(client, archive):
    determination = archive["l1"]
    response, body = get(client, f"/api/determinations/{determination.key}/")
    assert response.status_code == 200
    schema_validator("Determination").validate(body)
    expected = determination_as_dict(
        type(determination).objects.get(pk=determination.pk),
        url=f"http://testserver{determination.get_absolute_url()}",
    )
    assert body == json.loads(json.dumps(expected))
    assert body["reviewer"]["specialties"] == ["Orthopedic Surgery"]
    assert [item["number"] for item in body["items"]] == [1, 2]


def test_a_withdrawn_determination_answers_410_and_is_never_listed(client, archive):
    gone = archive["withdrawn"]
    response, body = get(client, f"/api/determinations/{gone.key}/")
    assert response.status_code == 410
    assert "withdrawn" in body["errors"][0]
    _, items = get(client, "/api/items/")
    _, letters = get(client, "/api/determinations/", category="Surgery")
    assert gone.key not in {item["key"] for item in items["results"]}
    assert gone.key not in {d["key"] for d in letters["results"]}


def test_an_unknown_key_answers_404_in_json(client, archive):
    response, body = get(client, "/api/determinations/CM99-0000000/")
    assert response.status_code == 404
    assert "CM99-0000000" in body["errors"][0]


def test_lists_and_the_detail_take_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    for _ in range(12):
        a_determination(a_parse(items=[an_item(), an_item(outcome="overturned")]))
    with django_assert_max_num_queries(1):  # items with their letters and citations
        assert client.get("/api/items/?page_size=20").status_code == 200
    with django_assert_max_num_queries(2):  # letters with reviewers, items with citations
        assert client.get("/api/determinations/?page_size=10&outcome=overturned").status_code == 200
    key = a_determination(a_parse(items=[an_item() for _ in range(6)])).key
    with django_assert_max_num_queries(2):  # letter with reviewer and parse, items with citations
        assert client.get(f"/api/determinations/{key}/").status_code == 200


def test_facets_are_the_browse_pages_facet_counts(client, archive):
    response, body = get(client, "/api/facets/", outcome="overturned")
    assert response.status_code == 200
    schema_validator("Facets").validate(body)
    categories = {v["value"]: v["count"] for v in body["facets"]["category"]}
    assert categories == {"Rehabilitation": 1, "Surgery": 1}
    outcomes = {v["value"]: (v["count"], v["selected"]) for v in body["facets"]["outcome"]}
    assert outcomes == {"overturned": (2, True), "upheld": (3, False)}
    assert body["filters"] == {"outcome": ["overturned"]}


def test_facets_take_a_limit_and_reject_a_bad_one(client, archive):
    _, body = get(client, "/api/facets/", limit="1")
    assert len(body["facets"]["category"]) == 1
    response, body = get(client, "/api/facets/", limit="0")
    assert response.status_code == 400
    assert "limit" in body["errors"][0]


def test_stats_agree_with_the_statistics_module_and_the_item_list(client, archive):
    response, body = get(client, "/api/stats/", region="cervical")
    assert response.status_code == 200
    schema_validator("Stats").validate(body)
    assert body["items"]["items"] == 2
    assert body["items"]["overturned"] == 1
    low, high = stats.wilson_interval(1, 2)
    assert body["items"]["interval_low"] == pytest.approx(low)
    assert body["items"]["interval_high"] == pytest.approx(high)
    assert body["letters"]["letters"] == 2
    years = {g["value"]: g["items"] for g in body["groups"]["year"]["groups"]}
    assert years == {2017: 1, 2018: 1}
    _, items = get(client, "/api/items/", region="cervical")
    assert len(items["results"]) == body["items"]["items"]


def test_the_api_is_read_only(client, archive):
    response = client.post("/api/items/", {})
    assert response.status_code == 405
    assert "errors" in response.json()


def test_restoring_a_letter_brings_it_back(client, archive):
    services.determination_restore(determination=archive["withdrawn"])
    response = client.get(reverse("api:determination", args=[archive["withdrawn"].key]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query", ["", "region=cervical", "outcome=overturned&year=2018", "q=acupuncture"]
)
def test_the_numbers_agree_across_stats_facets_items_and_export(client, archive, query):
    _, body = get(client, f"/api/stats/?{query}")
    _, facets = get(client, f"/api/facets/?{query}")
    _, items = get(client, f"/api/items/?{query}&page_size=100" if query else "/api/items/")
    export = b"".join(client.get(f"/export/items.jsonl?{query}").streaming_content)
    total = body["items"]["items"]
    assert total == len(items["results"]) == len(export.splitlines())
    selected = [v for v in facets["facets"]["category"]]
    assert sum(v["count"] for v in selected) == total
    categories = {g["value"]: g["items"] for g in body["groups"]["category"]["groups"]}
    assert categories == {v["value"]: v["count"] for v in selected if v["count"]}


def test_searches_go_through_the_fence_and_keep_related_data_in_bulk(
    client, archive, django_assert_max_num_queries
):
    # The table's size and the sample's estimate of the hits (two levels, as they are few)
    # decide between the fence and the walk; then the page, and suggestions for few hits.
    with django_assert_max_num_queries(5):
        _, body = get(client, "/api/items/", q="acupuncture", outcome="overturned")
    assert [item["request"] for item in body["results"]] == ["Acupuncture x 6"]
    assert body["results"][0]["reviewer"]["citations"]
    _, body = get(client, "/api/determinations/", q="norco")
    assert [d["key"] for d in body["results"]] == [archive["l3"].key]


def _every_page(client, url: str) -> list[tuple[str, int]]:
    """Every item of a cursor-paged list, following the next links, then the previous links
    back from the last page (each page's rows in the list's order)."""
    seen, pages = [], []
    while url:
        _, body = get(client, url)
        pages.append([(item["key"], item["number"]) for item in body["results"]])
        seen += pages[-1]
        last, url = url, body["next"]
    back = []
    url = get(client, last)[1]["previous"]
    while url:
        _, body = get(client, url)
        back = [(item["key"], item["number"]) for item in body["results"]] + back
        url = body["previous"]
    assert back + pages[-1] == seen  # the previous links come back over the same rows
    return seen


def test_a_search_with_many_hits_walks_the_id_index_and_finds_the_same_pages(client, monkeypatch):
    """The sample says the hits are dense: the items' id index is walked (no fence, bitmap
    scans off) instead of reading every hit first, each year's index for several years; every
    page is the fence's, both ways."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations import sampling, selectors, summaries

    for number in range(8):  # 2016 and 2017 in turn (their pages mix them), then 2018
        a_determination(
            a_parse(
                case_number=f"CM17-000002{number}",
                decision_date=f"201{6 + number % 2 if number < 7 else 8}-0{number + 1}-01",
                items=[an_item(request="Acupuncture x 6"), an_item(request="MRI lumbar")],
            )
        )
    summaries.summaries_refresh()
    url = "/api/items/?q=acupuncture&page_size=2"
    with CaptureQueriesContext(connection) as queries:
        fenced = _every_page(client, url)
    assert len(fenced) == 8 and all(number == 1 for _, number in fenced)
    # The fence keeps only the page's first hits past the cursor, not every hit.
    fences = [q["sql"] for q in queries.captured_queries if "OFFSET 0" in q["sql"]]
    assert fences and all(") AS hits ORDER BY id" in sql and "LIMIT" in sql for sql in fences)
    monkeypatch.setattr(sampling, "LEVELS", (1,))  # every letter is in the sample
    monkeypatch.setattr(selectors, "FENCE_UP_TO", 0)
    monkeypatch.setattr(selectors, "WALK_UP_TO", 10**9)
    of_2017 = [row for row in fenced if row[0][-1] in "135"]
    of_two_years = [row for row in fenced if row[0][-1] != "7"]
    from_2017 = sorted([*of_2017, fenced[0]], key=fenced.index)  # and 2018's
    for query, expected, per_year in [
        ("", fenced, False),
        ("&year=2017", of_2017, False),
        ("&year=2016&year=2017", of_two_years, True),
        ("&year=2017&year=2018&year=2013", from_2017, True),
    ]:
        with CaptureQueriesContext(connection) as queries:
            walked = _every_page(client, url + query)
        assert walked == sorted(expected, key=fenced.index)  # the fence's rows, in its order
        statements = [q["sql"] for q in queries.captured_queries]
        assert any("enable_bitmapscan" in sql for sql in statements)
        assert not any("OFFSET 0" in sql for sql in statements)
        assert any(") AS walks" in sql for sql in statements) == per_year
    # Never walked: a date range.
    with CaptureQueriesContext(connection) as queries:
        assert _every_page(client, url + "&decided_from=2017-01-01") == from_2017
    assert any("OFFSET 0" in q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize(
    ("query", "expected_year_test"),
    [
        ("decided_from=2018-01-01&decided_to=2018-04-30", True),  # inside 2018: its year
        ("decided_from=2017-01-01&decided_to=2018-12-31", False),  # two years: no year
        ("decided_from=2018-01-01", False),
    ],
)
def test_a_date_range_inside_one_year_reads_that_years_items_and_finds_the_same(
    client, archive, query, expected_year_test
):
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from determinations.filters import ItemFilterSet
    from determinations.models import DisputedItem

    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid()
    expected = list(
        filterset.filter_queryset(DisputedItem.objects.public())
        .order_by("-id")
        .values_list("request", flat=True)
    )
    with CaptureQueriesContext(connection) as queries:
        _, body = get(client, f"/api/items/?{query}")
    assert [item["request"] for item in body["results"]] == expected and expected
    year_tested = any('"decision_year" = 2018' in q["sql"] for q in queries.captured_queries)
    assert year_tested is expected_year_test


@pytest.mark.parametrize("query", ["year=2018", "year=2018&outcome=upheld", "year=2017&year=2018"])
def test_letters_of_a_year_are_read_through_their_year_and_are_the_same(client, archive, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations.models import Determination, DisputedItem

    with CaptureQueriesContext(connection) as queries:
        _, body = get(client, f"/api/determinations/?{query}")
    params = {}
    for pair in query.split("&"):
        name, value = pair.split("=")
        params.setdefault(name, []).append(value)
    items = DisputedItem.objects.public().filter(decision_year__in=params["year"])
    if "outcome" in params:
        items = items.filter(outcome__in=params["outcome"])
    expected = list(
        Determination.objects.public()
        .filter(pk__in=items.values("determination_id"))
        .order_by("-id")
        .values_list("key", flat=True)
    )
    assert [letter["key"] for letter in body["results"]] == expected and expected
    assert any("EXTRACT(YEAR FROM" in q["sql"] for q in queries.captured_queries)


def test_a_path_under_api_that_names_no_endpoint_is_a_json_404(client):
    for path in ("/api/nope/", "/api/reports/17/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert path in response.json()["errors"][0]
    assert client.get("/api/items").status_code == 301  # APPEND_SLASH still finds "items/"
