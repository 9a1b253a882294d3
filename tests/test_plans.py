"""The count plan: decided once per request from its shape, and shown in Server-Timing."""

import re

import pytest
from django.http import QueryDict

from determinations import plans, summaries
from determinations.filters import ItemFilterSet

from .builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db


def plan(query: str, **kwargs) -> plans.CountPlan:
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid()
    return plans.plan_for(filterset, **kwargs)


@pytest.mark.parametrize(
    ("query", "estimates", "strategy"),
    [
        ("", True, plans.SUMMARIES),
        ("category=Surgery", True, plans.SUMMARIES),
        ("category=Surgery", False, plans.SUMMARIES),  # the summaries are exact
        ("category=Surgery&category=Injection", True, plans.SUMMARY_ITEMS),
        ("category=Surgery&year=2017", True, plans.SUMMARY_ITEMS),
        ("q=mri", True, plans.SAMPLE_OR_LIVE),
        ("q=mri", False, plans.EXACT),
        ("category=Surgery&year=2017", False, plans.EXACT),
        # A date range is never a summary key: the pair tables know years, not dates.
        ("decided_from=2017-01-01", True, plans.SUMMARY_ITEMS),
        ("decided_to=2017-12-31&priority=expedited", True, plans.SUMMARY_ITEMS),
        ("decided_from=2017-01-01&q=mri", True, plans.SAMPLE_OR_LIVE),
        ("priority=expedited", True, plans.SUMMARIES),
        ("letter_outcome=partially_overturned", True, plans.SUMMARIES),
    ],
)
def test_the_plan_follows_the_requests_shape_without_a_query(
    query, estimates, strategy, django_assert_num_queries
):
    with django_assert_num_queries(0):
        made = plan(query, estimates=estimates)
    assert made.strategy == strategy
    assert made.reason


@pytest.fixture
def archive():
    a_determination(a_parse(items=[an_item(), an_item(outcome="overturned", service="CT")]))
    summaries.summaries_refresh()


def timing(response) -> dict[str, str]:
    """The header's entries by name: split at the commas outside quoted descriptions."""
    entries = {}
    for entry in re.findall(r'(?:[^,"]|"[^"]*")+', response["Server-Timing"]):
        name, *params = entry.strip().split(";")
        entries[name] = ";".join(params)
    return entries


def test_a_browse_page_says_how_it_counted_in_server_timing(client, archive):
    entries = timing(client.get("/"))
    assert entries["db"].startswith("dur=")
    assert "queries" in entries["db"]
    assert entries["count"] == 'desc="summaries (no filter); total=summaries facets=summaries"'


def test_stale_summaries_are_said_to_be_counted_live(client, archive):
    a_determination(a_parse(items=[an_item()]))  # written after the refresh: stale
    entries = timing(client.get("/?category=Surgery"))
    assert entries["count"].startswith('desc="summaries (one filter value); total=live')


def test_a_search_and_exact_api_counts_say_so(client, archive):
    assert "sample-or-live" in timing(client.get("/?q=mri"))["count"]
    assert (
        "exact (exact counts asked for)"
        in timing(client.get("/api/facets/?q=mri&exact=true"))["count"]
    )
    assert "statistics=live" in timing(client.get("/stats/?q=mri"))["count"]


def test_pages_without_counts_still_give_their_database_time(client, archive):
    response = client.get("/api/")
    assert set(timing(response)) == {"db"}
