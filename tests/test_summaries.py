"""Precomputed facet counts: equal to live counting, used only while fresh, few queries."""

import dataclasses
from collections import Counter
from itertools import product

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from determinations import services, stats, summaries
from determinations.facets import FACETS, facet_counts
from determinations.filters import ItemFilterSet
from determinations.models import (
    Determination,
    DisputedItem,
    FacetLetterCount,
    FacetPairCount,
    PeriodDaysCount,
    PeriodPairCount,
    SummaryChange,
)
from determinations.search import search_query
from determinations.summary_tasks import refresh_summaries_task

from .builders import (
    CHRONIC_PAIN,
    ODG_LOW_BACK,
    a_basis,
    a_determination,
    a_parse,
    a_reason,
    a_reviewer,
    an_item,
)

pytestmark = pytest.mark.django_db


def build_archive() -> dict:
    """Varied letters: several regions and specialties per item, an item with no service, an
    undated letter, partially overturned letters, an expedited one, a modified request, a
    reviewer licensed in two states, and a withdrawn letter that must not count."""
    l1 = a_determination(
        a_parse(
            decision_date="2017-01-10",
            reviewer=a_reviewer("Orthopedic Surgery", "Pain Medicine"),
            items=[
                an_item(
                    request="Lumbar fusion L4-5",
                    outcome="overturned",
                    category="Surgery",
                    subcategory="Spine",
                    service="Spinal fusion",
                    body_regions=["lumbar"],
                    reviewer=a_basis(ODG_LOW_BACK),
                    reasons=[a_reason("criteria_met")],
                ),
                an_item(
                    request="Acupuncture x 12",
                    original_request="Acupuncture x 24",
                    authorized="Acupuncture x 12 of 24",
                    outcome="upheld",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["lumbar", "cervical"],
                    reviewer=a_basis(CHRONIC_PAIN, ODG_LOW_BACK),
                    reasons=[
                        a_reason("exceeds_guideline_limit"),
                        a_reason("functional_improvement_not_documented"),
                    ],
                ),
            ],
        )
    )
    l2 = a_determination(
        a_parse(
            decision_date="2018-03-01",
            date_of_injury="2016-08-15",  # injury_year: 2016 here, 2015 elsewhere
            reviewer=a_reviewer(
                "Physical Medicine & Rehabilitation",
                "Pain Medicine",
                licensure=("California", "Oregon"),
            ),
            items=[
                an_item(
                    request="Acupuncture x 6",
                    outcome="overturned",
                    category="Rehabilitation",
                    subcategory="Acupuncture",
                    service="Acupuncture",
                    body_regions=["cervical", "shoulder"],
                    reviewer=a_basis(CHRONIC_PAIN | {"section": "Acupuncture"}),
                    reasons=[a_reason("improvement_documented")],
                ),
                an_item(request="Something unclassified", service=None, body_regions=[]),
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
            priority="expedited",
            reviewer=a_reviewer("Pain Medicine"),
            items=[
                an_item(
                    request="Norco #90",
                    reasons=[a_reason("monitoring_not_documented")],
                    **opioid,
                ),
                an_item(request="Norco #60", **opioid),
            ],
        )
    )
    undated = a_determination(
        a_parse(decision_date=None, items=[an_item(outcome="overturned", body_regions=["knee"])])
    )
    gone = a_determination(
        a_parse(
            decision_date="2019-06-01",
            reviewer=a_reviewer("Neurosurgery"),
            items=[
                an_item(
                    outcome="overturned",
                    category="Surgery",
                    subcategory="Spine",
                    service="Laminectomy",
                    body_regions=["thoracic"],
                    reasons=[a_reason("criteria_met")],
                )
            ],
        )
    )
    services.determination_withdraw(determination=gone, reason="Issued in error.")
    return {"l1": l1, "l2": l2, "l3": l3, "undated": undated, "withdrawn": gone}


@pytest.fixture
def archive():
    return build_archive()


@pytest.fixture
def live(monkeypatch):
    """Call ``fn`` with the summaries switched off: the live path."""

    def run(fn, *args, **kwargs):
        with monkeypatch.context() as patch:
            patch.setattr(summaries, "summary_key", lambda filterset: None)
            return fn(*args, **kwargs)

    return run


def filterset_for(query: str = "") -> ItemFilterSet:
    filterset = ItemFilterSet(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return filterset


def as_plain(counts):
    return {
        name: [(v.value, v.count, v.selected, v.estimated) for v in vs]
        for name, vs in counts.items()
    }


# What the summaries should hold, computed in Python from the items ----------------------------


def _decision_days(letter) -> str | None:
    """The letter's ``decision_days`` bucket, from its own dates."""
    if letter.decision_date is None or letter.date_assigned is None:
        return None
    days = (letter.decision_date - letter.date_assigned).days
    buckets = [(7, "0-7"), (14, "8-14"), (30, "15-30"), (45, "31-45"), (90, "46-90")]
    return None if days < 0 else next((b for last, b in buckets if days <= last), "over-90")


def _injury_year(letter) -> str | None:
    return None if letter.date_of_injury is None else str(letter.date_of_injury.year)


def item_values(item: DisputedItem) -> set[tuple[str, str]]:
    values = {
        ("outcome", item.outcome),
        ("category", item.category),
        ("subcategory", item.subcategory),
        ("service", item.service),
        ("year", None if item.decision_year is None else str(item.decision_year)),
        ("category_subcategory", f"{item.category}{summaries.RS}{item.subcategory}"),
        ("priority", item.priority),
        ("letter_outcome", item.letter_outcome),
        ("modified", "true" if item.original_request is not None else None),
        ("decision_days", _decision_days(item.determination)),
        ("injury_year", _injury_year(item.determination)),
    }
    for facet, column in (
        ("guideline_source", "guideline_sources"),
        ("guideline", "guideline_documents"),
        ("specialty", "specialties"),
        ("region", "body_regions"),
        ("licensure", "licensure"),
        ("guideline_section", "guideline_sections"),
        ("reason", "reason_codes"),
    ):
        values |= {(facet, value) for value in getattr(item, column)}
    return {(facet, value) for facet, value in values if value is not None}


def expected_pairs() -> dict[tuple[str, str, str, str], tuple[int, int]]:
    items, overturned = Counter(), Counter()
    for item in DisputedItem.objects.filter(withdrawn=False):
        values = item_values(item)
        keys = [("", "", "", "")] + [(f, v, "", "") for f, v in values]
        keys += [(fa, va, fb, vb) for (fa, va), (fb, vb) in product(values, values)]
        for key in keys:
            items[key] += 1
            overturned[key] += item.outcome == "overturned"
    return {key: (items[key], overturned[key]) for key in items}


def expected_letters() -> dict[tuple[str, str, str], int]:
    letters: dict[tuple, set] = {}
    for item in DisputedItem.objects.filter(withdrawn=False).select_related("determination"):
        letter = item.determination
        assert letter.withdrawn_at is None
        for facet, value in [("", ""), *sorted(item_values(item))]:
            letters.setdefault((facet, value, letter.outcome or ""), set()).add(letter.pk)
    return {key: len(ids) for key, ids in letters.items()}


# The tables -----------------------------------------------------------------------------------


def test_the_tables_hold_exactly_the_counts_of_the_public_items(archive):
    summaries.summaries_refresh()
    stored = {
        (r.facet_a, r.value_a, r.facet_b, r.value_b): (r.items, r.overturned)
        for r in FacetPairCount.objects.all()
    }
    assert stored == expected_pairs()
    assert FacetPairCount.objects.count() == len(stored)  # no duplicate keys
    letters = {(r.facet, r.value, r.outcome): r.letters for r in FacetLetterCount.objects.all()}
    assert letters == expected_letters()


def test_array_facets_count_an_item_once_per_value_and_withdrawn_items_never(archive):
    summaries.summaries_refresh()
    pair = FacetPairCount.objects.get
    assert pair(facet_a="region", value_a="cervical", facet_b="").items == 2
    assert pair(facet_a="region", value_a="cervical", facet_b="region", value_b="lumbar").items == 1
    pain = pair(facet_a="specialty", value_a="Pain Medicine", facet_b="")
    assert (pain.items, pain.overturned) == (6, 2)
    assert not FacetPairCount.objects.filter(value_a__in=["thoracic", "Neurosurgery"]).exists()
    assert pair(facet_a="", facet_b="").items == DisputedItem.objects.public().count() == 7


# Same answers as live counting --------------------------------------------------------------


def every_one_value_query() -> list[str]:
    queries = [""]
    for row in FacetPairCount.objects.filter(facet_b="").exclude(facet_a=""):
        if row.facet_a != summaries.SUBCATEGORY_GROUP:
            queries.append(QueryDict.fromkeys([row.facet_a], row.value_a).urlencode())
    return [*queries, "year=2001", "service=Nothing+like+this"]  # values nothing matches


def test_facet_counts_from_fresh_summaries_equal_the_live_counts(archive, live):
    summaries.summaries_refresh()
    for query in every_one_value_query():
        for limit in (None, 1):
            filterset = filterset_for(query)
            summarised = facet_counts(filterset, limit=limit, sample_every=2)
            counted = live(facet_counts, filterset, limit=limit)
            assert as_plain(summarised) == as_plain(counted), query


def test_statistics_from_fresh_summaries_equal_the_live_statistics(archive, live):
    summaries.summaries_refresh()
    for query in every_one_value_query():
        filterset = filterset_for(query)
        assert stats.statistics(filterset) == live(stats.statistics, filterset), query


def test_statistics_keep_the_limits_of_open_vocabularies(archive, live, monkeypatch):
    monkeypatch.setitem(
        stats.DIMENSIONS,
        "service",
        dataclasses.replace(stats.DIMENSIONS["service"], group_limit=2),
    )
    summaries.summaries_refresh()
    for query in ("", "region=lumbar"):
        summarised = stats.statistics(filterset_for(query))
        assert summarised == live(stats.statistics, filterset_for(query))
    assert [row.label for row in summarised.groups[2].rows] == ["Acupuncture", "Spinal fusion"]
    assert summarised.groups[2].truncated is False  # region=lumbar: two services only


def test_several_filters_or_a_search_are_counted_live(archive, django_assert_num_queries):
    summaries.summaries_refresh()
    for query in ("region=lumbar&year=2017", "region=lumbar&region=cervical", "q=acupuncture"):
        filterset = filterset_for(query)
        assert summaries.summary_key(filterset) is None
        with django_assert_num_queries(1):  # the live statement only: no freshness check
            facet_counts(filterset)


# Never stale ----------------------------------------------------------------------------------


def test_a_new_letter_makes_the_summaries_stale_until_the_next_refresh(archive):
    summaries.summaries_refresh()
    assert summaries.is_fresh()
    a_determination(a_parse(decision_date="2020-02-02", items=[an_item(outcome="overturned")]))
    assert not summaries.is_fresh()
    years = {v.value: v.count for v in facet_counts(filterset_for())["year"]}
    assert years["2020"] == 1  # counted live
    assert stats.statistics(filterset_for("year=2020")).total.items == 1
    summaries.summaries_refresh()
    assert summaries.is_fresh()
    assert FacetPairCount.objects.get(facet_a="year", value_a="2020", facet_b="").items == 1


@pytest.mark.parametrize("change", ["withdraw", "restore"])
def test_withdrawing_or_restoring_a_letter_makes_the_summaries_stale(archive, change):
    if change == "restore":
        summaries.summaries_refresh()
        services.determination_restore(determination=archive["withdrawn"])
        expected = 8
    else:
        summaries.summaries_refresh()
        services.determination_withdraw(determination=archive["l3"], reason="Error.")
        expected = 5
    assert not summaries.is_fresh()
    assert stats.statistics(filterset_for()).total.items == expected
    counts = facet_counts(filterset_for("category=Surgery"))
    assert sum(v.count for v in counts["outcome"]) == (2 if change == "restore" else 1)


def test_each_writing_transaction_leaves_one_mark(archive):
    summaries.summaries_refresh()
    assert not SummaryChange.objects.exists()
    services.determination_withdraw(determination=archive["l1"], reason="Error.")  # 2 statements
    assert SummaryChange.objects.count() == 1


def test_rows_appended_without_triggers_are_noticed_by_their_ids(archive):
    summaries.summaries_refresh()
    a_determination(a_parse(items=[an_item()]))
    SummaryChange.objects.all().delete()  # as a bulk load with triggers off would leave it
    assert not summaries.is_fresh()


def test_never_built_summaries_are_stale(archive, django_assert_num_queries):
    assert not summaries.is_fresh()
    with django_assert_num_queries(2):  # the check that found them stale, then live counting
        counts = facet_counts(filterset_for())
    assert {v.value: v.count for v in counts["outcome"]} == {"upheld": 4, "overturned": 3}


def test_an_empty_archive_has_fresh_empty_summaries():
    summaries.summaries_refresh()
    assert summaries.is_fresh()
    assert all(values == [] for values in facet_counts(filterset_for()).values())
    assert stats.statistics(filterset_for()).total.items == 0


# Few queries ----------------------------------------------------------------------------------


def test_fresh_summaries_answer_in_one_query(archive, django_assert_num_queries):
    summaries.summaries_refresh()
    for query in ("", "category=Surgery", "specialty=Pain+Medicine"):
        with django_assert_num_queries(1):
            facet_counts(filterset_for(query), limit=10)
        with django_assert_num_queries(1):
            stats.statistics(filterset_for(query))


def test_pages_with_fresh_summaries_run_few_queries(client, archive, django_assert_max_num_queries):
    summaries.summaries_refresh()
    for url in ("/", "/?region=lumbar", "/stats/", "/stats/?year=2018", "/api/facets/"):
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200, url


# Refreshing -----------------------------------------------------------------------------------


def test_the_command_and_the_task_refresh_only_what_is_stale(archive, capsys):
    call_command("refresh_summaries")
    assert "rebuilt" in capsys.readouterr().out
    call_command("refresh_summaries", "--if-stale")
    assert "nothing to do" in capsys.readouterr().out
    assert refresh_summaries_task.enqueue().return_value is None  # fresh: nothing to do
    Determination.objects.filter(pk=archive["l1"].pk).update(withdrawn_reason="x")
    result = refresh_summaries_task.enqueue().return_value
    assert (result["full"], result["letters"]) == (False, 1)
    assert summaries.is_fresh()


def test_the_summary_facets_cover_every_facet_and_dimension():
    assert {facet.name for facet in FACETS} <= set(summaries.SUMMARY_FACETS)
    for spec in stats.DIMENSIONS.values():
        assert spec.summary_group in summaries.SUMMARY_FACETS


# Incremental refreshes --------------------------------------------------------------------------


def assert_tables_match_the_items():
    stored = {
        (r.facet_a, r.value_a, r.facet_b, r.value_b): (r.items, r.overturned)
        for r in FacetPairCount.objects.all()
    }
    assert stored == expected_pairs()
    letters = {(r.facet, r.value, r.outcome): r.letters for r in FacetLetterCount.objects.all()}
    assert letters == expected_letters()


def test_an_incremental_refresh_recounts_only_the_changed_letters_exactly(archive):
    summaries.summaries_refresh()
    new = a_determination(
        a_parse(
            decision_date="2021-04-04",
            reviewer=a_reviewer("Neurology", "Pain Medicine"),
            items=[an_item(outcome="overturned", body_regions=["knee", "lumbar"])],
        )
    )
    services.determination_withdraw(determination=archive["l1"], reason="Error.")
    services.determination_restore(determination=archive["withdrawn"])
    services.determination_save(  # a re-parse: l3's items replaced
        letter=archive["l3"].letter,
        parsed=a_parse(
            case_number=archive["l3"].case_number,
            items=[an_item(outcome="overturned", category="Surgery", subcategory="Spine")],
        ),
    )
    archive["l2"].items.all().delete()
    result = summaries.summaries_refresh()
    assert (result["full"], result["letters"]) == (False, 5)
    assert summaries.is_fresh()
    assert_tables_match_the_items()
    new.delete()
    assert summaries.summaries_refresh()["full"] is False
    assert_tables_match_the_items()


def test_a_truncate_or_unrecorded_rows_make_the_refresh_recount_everything(archive):
    summaries.summaries_refresh()
    a_determination(a_parse(items=[an_item()]))
    SummaryChange.objects.all().delete()  # as a bulk load with triggers off would leave it
    assert summaries.summaries_refresh()["full"] is True
    assert_tables_match_the_items()
    SummaryChange.objects.create(txid=1, determination_id=0)  # what a TRUNCATE records
    assert summaries.summaries_refresh()["full"] is True


# Several filters or a search: one pass over the candidates ----------------------------------

FACET_COLUMNS = {
    "outcome": "outcome",
    "category": "category",
    "subcategory": "subcategory",
    "service": "service",
    "year": "decision_year",
    "guideline_source": "guideline_sources",
    "guideline": "guideline_documents",
    "guideline_section": "guideline_sections",
    "reason": "reason_codes",
    "specialty": "specialties",
    "region": "body_regions",
    "priority": "priority",
    "letter_outcome": "letter_outcome",
    "modified": "modified",
    "licensure": "licensure",
    "decision_days": "decision_days",
    "injury_year": "injury_year",
}
SEVERAL_FILTERS = [
    "priority=expedited&outcome=upheld",
    "letter_outcome=partially_overturned&licensure=Oregon",
    "modified=true&year=2017&letter_outcome=partially_overturned",
    "decision_days=over-90&injury_year=2015",
    "reason=functional_improvement_not_documented&guideline_section=ODG%3ALow+Back%7CMRIs",
    # The date range is no facet, but a condition on every facet's count (undated never match).
    "decided_from=2018-01-01",
    "decided_to=2017-12-31&region=lumbar",
    "decided_from=2018-01-01&decided_to=2018-04-01&licensure=Oregon&licensure=California",
    "decided_from=2017-01-10&decided_to=2017-01-10&outcome=overturned",
    "region=lumbar&year=2017",
    "region=lumbar&region=cervical",
    "category=Rehabilitation&outcome=overturned&specialty=Pain+Medicine",
    "service=Acupuncture&service=Spinal+fusion&year=2018&region=shoulder",
    "year=2018&year=2017&outcome=upheld",
    "guideline_source=MTUS&guideline=MTUS%3AChronic+Pain+Medical+Treatment+Guidelines&region=cervical",
    "category=Surgery&year=2001",  # nothing matches both
]


def item_facet_values(item: DisputedItem, facet: str) -> set[str]:
    value = getattr(item, FACET_COLUMNS[facet])
    values = value if isinstance(value, list) else [value]
    return {str(v) for v in values if v is not None}


def brute_force_counts(query: str) -> dict[str, dict[str, int]]:
    """Each facet counted item by item in Python, every filter but the facet's own applied."""
    filterset = filterset_for(query)
    active = {k: set(v) for k, v in filterset.active.items()}
    items = DisputedItem.objects.filter(withdrawn=False)
    if "q" in active:
        items = items.filter(search_vector=search_query(filterset.form.cleaned_data["q"]))
    start, end = filterset.date_range
    items = [
        item
        for item in items
        if (start is None or (item.decision_date is not None and item.decision_date >= start))
        and (end is None or (item.decision_date is not None and item.decision_date <= end))
    ]
    counts: dict[str, dict[str, int]] = {}
    for facet in FACET_COLUMNS:
        counted = Counter()
        for item in items:
            others = [name for name in active if name in FACET_COLUMNS and name != facet]
            if all(item_facet_values(item, name) & active[name] for name in others):
                counted.update(item_facet_values(item, facet))
        counts[facet] = dict(counted)
    return counts


def as_counts(counts) -> dict[str, dict[str, int]]:
    return {name: {v.value: v.count for v in vs if v.count} for name, vs in counts.items()}


def test_several_filters_are_counted_exactly_over_fresh_summary_items(
    archive, django_assert_num_queries
):
    summaries.summaries_refresh()
    for query in SEVERAL_FILTERS:
        with django_assert_num_queries(1):  # freshness check and counts in one statement
            counted = facet_counts(filterset_for(query))
        assert as_counts(counted) == brute_force_counts(query), query
        assert not any(v.estimated for vs in counted.values() for v in vs), query


def test_several_filters_counted_over_a_sample_are_scaled_and_labelled(archive):
    summaries.summaries_refresh()
    for query in SEVERAL_FILTERS:
        counted = facet_counts(filterset_for(query), sample_every=1)  # a sample of everything
        assert as_counts(counted) == brute_force_counts(query), query
        params = set(QueryDict(query))
        exact = params if len(params) == 1 else set()  # one parameter: its summary totals
        for name, values in counted.items():
            assert all(v.estimated != (name in exact) for v in values), (query, name)
    halved = facet_counts(filterset_for("region=lumbar&year=2017"), sample_every=2)
    assert all(v.count % 2 == 0 for vs in halved.values() for v in vs)  # each sampled row x2


def test_one_filter_parameter_keeps_its_own_totals_exact_in_a_sample(archive):
    summaries.summaries_refresh()
    counted = facet_counts(filterset_for("region=lumbar&region=cervical"), sample_every=1)
    assert as_counts(counted) == brute_force_counts("region=lumbar&region=cervical")
    assert not any(v.estimated for v in counted["region"])  # the summary's totals
    assert all(v.estimated for v in counted["category"])


def test_estimates_count_exactly_when_the_coarse_sample_says_the_rows_are_few(
    archive, django_assert_num_queries
):
    summaries.summaries_refresh()
    query = "region=lumbar&year=2017"
    with django_assert_num_queries(2):  # the coarsest sample, then exact counting
        counted = facet_counts(filterset_for(query), estimates=True)
    assert as_counts(counted) == brute_force_counts(query)
    assert not any(v.estimated for vs in counted.values() for v in vs)


def test_estimates_use_the_coarse_sample_alone_when_the_rows_are_many(
    archive, monkeypatch, django_assert_num_queries
):
    from determinations import sampling

    monkeypatch.setattr(sampling, "LEVELS", (1,))  # "1 in 1": the sample is every item
    monkeypatch.setattr(sampling, "LIVE_COUNT_UP_TO", 0)
    summaries.summaries_refresh()
    for query in ("region=lumbar&year=2017", "q=acupuncture&region=cervical"):
        with django_assert_num_queries(1):
            counted = facet_counts(filterset_for(query), estimates=True)
        assert as_counts(counted) == brute_force_counts(query), query
        assert all(v.estimated for vs in counted.values() for v in vs), query


def test_several_filters_are_counted_live_in_the_same_statement_when_stale(
    archive, django_assert_num_queries
):
    summaries.summaries_refresh()
    a_determination(a_parse(decision_date="2017-02-02", items=[an_item(body_regions=["lumbar"])]))
    assert not summaries.is_fresh()
    for query in SEVERAL_FILTERS:
        with django_assert_num_queries(1):
            counted = facet_counts(filterset_for(query))
        assert as_counts(counted) == brute_force_counts(query), query
    # Stale summaries are counted live and exactly, sample or not: the worker refreshes them.
    sampled = facet_counts(filterset_for("region=lumbar&year=2017"), sample_every=2)
    assert as_counts(sampled) == brute_force_counts("region=lumbar&year=2017")
    assert not any(v.estimated for vs in sampled.values() for v in vs)


@pytest.mark.parametrize("query", ["q=acupuncture", "q=acupuncture&region=cervical&year=2018"])
def test_a_sampled_search_is_counted_in_one_pass_and_labelled_estimated(
    archive, query, django_assert_num_queries
):
    with django_assert_num_queries(1):
        counted = facet_counts(filterset_for(query), sample_every=1)  # all of the items
    assert as_counts(counted) == brute_force_counts(query)
    assert all(v.estimated for vs in counted.values() for v in vs)
    exact = facet_counts(filterset_for(query))
    assert as_counts(exact) == brute_force_counts(query)
    assert not any(v.estimated for vs in exact.values() for v in vs)


def test_a_partial_sample_scales_its_counts_up(archive):
    counted = facet_counts(filterset_for("q=acupuncture"), sample_every=2)
    assert all(v.estimated for vs in counted.values() for v in vs)
    assert all(v.count % 2 == 0 for vs in counted.values() for v in vs)  # each sampled row x2


NEW_REHABILITATION_ITEM = {
    "category": "Rehabilitation",
    "subcategory": "Acupuncture",
    "service": "Acupuncture",
    "body_regions": ["lumbar"],
}


@pytest.mark.parametrize("query", ["", "category=Rehabilitation", "region=lumbar"])
def test_the_browse_total_comes_from_fresh_summaries_without_counting(archive, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from determinations import paging, selectors

    expected = filterset_for(query).filter_queryset(DisputedItem.objects.public()).count()
    summaries.summaries_refresh()
    request = paging.PageRequest("newest")
    with CaptureQueriesContext(connection) as queries:
        page = selectors.items_browse(filterset=filterset_for(query), request=request)
    assert (page.total, page.total_is_exact) == (expected, True)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    a_determination(a_parse(items=[an_item(**NEW_REHABILITATION_ITEM)]))
    stale = selectors.items_browse(filterset=filterset_for(query), request=request)
    assert (stale.total, stale.total_is_exact) == (expected + 1, True)  # counted, when stale


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        (PeriodDaysCount, ("facet", "value", "basis", "month", "days", "expedited")),
        (PeriodPairCount, ("facet_a", "value_a", "facet_b", "value_b", "month")),
    ],
)
def test_a_full_rebuild_writes_each_table_in_key_order(archive, model, keys):
    """One value's rows lie together on disk (read in a few pages, not one page each): the
    period tables are truncated and written anew (FacetPairCount's rows are deleted, so new
    ones may reuse the free space anywhere)."""
    summaries.summaries_refresh(full=True)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(keys)} FROM {table} ORDER BY ctid")  # noqa: S608
        on_disk = cursor.fetchall()
        cursor.execute(
            f"SELECT {', '.join(keys)} FROM {table} ORDER BY {', '.join(keys)}"  # noqa: S608
        )
        assert on_disk == cursor.fetchall()
    assert len(on_disk) > 10
