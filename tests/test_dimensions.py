"""The dimension registry: every registered dimension filters, facets, groups in the statistics
and appears in the API's schema and docs, all derived from its one entry."""

from collections import Counter
from pathlib import Path

import pytest
from django.http import QueryDict

from determinations import api, facets, filters, stats, summaries
from determinations.dimensions import BY_NAME, DIMENSIONS, NAMES
from determinations.models import DisputedItem, SummaryItem

from .test_summaries import build_archive

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture
def archive():
    return build_archive()  # varied letters: every dimension has several values


def values_of(row: DisputedItem, dimension) -> list[str]:
    """The item's values of ``dimension``, as the filters and facets see them (text)."""
    value = getattr(row, dimension.column)
    if dimension.is_array:
        return [str(v) for v in dict.fromkeys(value)]
    return [] if value is None else [str(value)]


def expected_counts(dimension) -> Counter:
    return Counter(
        value for row in DisputedItem.objects.public() for value in values_of(row, dimension)
    )


def filterset_for(query) -> filters.ItemFilterSet:
    filterset = filters.ItemFilterSet(QueryDict(query) if isinstance(query, str) else query)
    assert filterset.is_valid(), filterset.errors
    return filterset


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=NAMES)
def test_every_dimension_filters_its_items(archive, dimension):
    counts = expected_counts(dimension)
    # Every value a dimension has (``modified`` has one), at least two of them.
    wanted = min(2, len(dimension.choices)) if dimension.choices else 2
    assert len(counts) >= wanted, "the fixture must give every dimension its values"
    for value, count in counts.items():
        matching = filterset_for({dimension.name: [value]}).filter_queryset(
            DisputedItem.objects.public()
        )
        assert matching.count() == count, value
        assert all(value in values_of(row, dimension) for row in matching)


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=NAMES)
def test_every_dimension_is_a_facet_with_counts(archive, dimension):
    counted = facets.facet_counts(filterset_for(""))[dimension.name]
    assert {v.value: v.count for v in counted} == dict(expected_counts(dimension))
    assert all(v.label == dimension.label_for(v.value) for v in counted)


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=NAMES)
def test_every_dimension_groups_in_the_statistics_live_and_from_summaries(archive, dimension):
    live = stats.statistics(filterset_for("q=lumbar OR mri OR fusion"), dimensions=[dimension.name])
    everything = stats.statistics(filterset_for(""), dimensions=[dimension.name])
    summaries.summaries_refresh()
    summarised = stats.statistics(filterset_for(""), dimensions=[dimension.name])
    assert summarised == everything
    (group,) = summarised.groups
    assert group.dimension.name == dimension.name
    by_value = Counter()
    for row in group.rows:
        by_value[dict(row.params)[dimension.name]] += row.items
    assert by_value == expected_counts(dimension)
    assert [g.dimension.name for g in live.groups] == [dimension.name]


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=NAMES)
def test_every_dimension_is_an_api_parameter_with_its_vocabulary(dimension):
    document = api.openapi_document()
    for path in ("/api/items/", "/api/determinations/", "/api/facets/", "/api/stats/"):
        operation = next(iter(document["paths"][path].values()))
        (parameter,) = [p for p in operation["parameters"] if p["name"] == dimension.name]
        assert parameter["description"].startswith(dimension.help)
        enum = parameter["schema"].get("items", {}).get("enum")
        assert (sorted(enum) if enum else None) == (
            sorted(v for v, _ in dimension.choices) if dimension.choices else None
        )


@pytest.mark.parametrize("dimension", DIMENSIONS, ids=NAMES)
def test_every_dimension_is_documented(dimension):
    assert f"`{dimension.name}`" in (DOCS / "api.md").read_text()


def test_nothing_else_lists_the_dimensions():
    params = (*filters.SEARCH_PARAMS, *filters.RANGE_PARAMS, *NAMES)
    assert params == filters.FILTER_PARAMS
    assert tuple(filters.ItemFilterSet.base_filters) == params
    assert facets.FACETS == DIMENSIONS
    assert set(NAMES) <= set(summaries.SUMMARY_FACETS)
    columns = {field.name for field in SummaryItem._meta.get_fields()}
    assert set(summaries.SUMMARY_FACETS) <= columns
    assert list(stats.DIMENSIONS) == [d.name for d in DIMENSIONS if d.grouped]
    assert all(BY_NAME[name] is stats.DIMENSIONS[name] for name in stats.DIMENSIONS)
