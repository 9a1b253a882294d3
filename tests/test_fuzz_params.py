"""Property-based: no query string makes any public page or API endpoint answer 5xx."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from determinations.filters import FILTER_PARAMS

from .builders import a_determination, a_parse, an_item

ENDPOINTS = [
    "/",
    "/stats/",
    "/feed/",
    "/export/items.csv",
    "/export/items.jsonl",
    "/api/items/",
    "/api/determinations/",
    "/api/facets/",
    "/api/stats/",
]
PAGE_PARAMS = ["page", "sort", "cursor", "page_size", "limit", "format"]

names = st.one_of(
    st.sampled_from(FILTER_PARAMS + tuple(PAGE_PARAMS)),
    st.text(min_size=1, max_size=12),
)
values = st.one_of(
    st.sampled_from(
        ["upheld", "overturned", "Surgery", "lumbar", "2016", "ODG", "MRI", "-1", "0", "999999"]
    ),
    st.text(max_size=40),
    st.from_regex(r'"[a-z ]{0,20}"( OR -?[a-z]{1,8})?', fullmatch=True),
)
queries = st.lists(st.tuples(names, values), max_size=6)


@pytest.fixture
def archive(db):
    a_determination(
        a_parse(items=[an_item(), an_item(outcome="overturned", request="Acupuncture x6")])
    )


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(endpoint=st.sampled_from(ENDPOINTS), query=queries)
def test_no_query_string_gives_a_server_error(archive, endpoint, query):
    response = Client().get(endpoint, query)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    assert response.status_code < 500, (endpoint, query, response.status_code)


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key=st.text(min_size=1, max_size=40))
def test_no_permalink_key_gives_a_server_error(archive, key):
    for suffix in ("", "json/", "original/"):
        response = Client().get(f"/determinations/{key}/{suffix}")
        assert response.status_code < 500, (key, suffix)
    response = Client().get(f"/api/determinations/{key}/")
    assert response.status_code < 500, key


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    endpoint=st.sampled_from(["/check/", "/api/check/"]),
    text=st.one_of(
        st.text(max_size=80),
        st.sampled_from(["'", "a | b", "!x & y:*", "o'brien\\", "\x00", "MRI <-> knee", "é ü 中"]),
    ),
)
def test_no_request_text_gives_a_server_error(archive, endpoint, text):
    """Whatever is typed, the check answers 200 or 400: the text goes to to_tsvector, never
    into a tsquery's syntax."""
    response = Client().get(endpoint, {"request": text})
    assert response.status_code in (200, 400), (endpoint, text, response.status_code)
