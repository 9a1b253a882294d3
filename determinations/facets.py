"""Facet counts for the browse page and ``/api/facets/``: matching items per facet value.

Each facet is counted with every filter except its own, so choosing a value does not hide its
siblings. Facets whose own filter is unused share ``GROUPING SETS`` aggregates (the fastest live
count in docs/scale-notes.md); each facet with an active filter gets its own aggregate; array
columns (regions, specialties, guideline sources and documents) are counted with ``unnest``. All
aggregates run as one ``UNION ALL`` statement: one query, whatever the filters.

Without filters, or with one filter parameter holding one value and no search, the counts come
from the precomputed tables of ``summaries`` (exact, one indexed query) while they are fresh;
otherwise, or when they are stale, they are counted live as above.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Func, QuerySet, TextField

from . import summaries
from .choices import ItemOutcome
from .filters import ItemFilterSet
from .models import DisputedItem


@dataclass(frozen=True)
class Facet:
    name: str  # the GET parameter
    column: str  # the DisputedItem column counted
    label: str
    is_array: bool = False
    by_value: bool = False  # list values in descending value order (years), not by count


FACETS: tuple[Facet, ...] = (
    Facet("outcome", "outcome", "Outcome"),
    Facet("category", "category", "Category"),
    Facet("subcategory", "subcategory", "Subcategory"),
    Facet("service", "service", "Service"),
    Facet("guideline_source", "guideline_sources", "Guideline source", is_array=True),
    Facet("guideline", "guideline_documents", "Reviewer's guideline", is_array=True),
    Facet("specialty", "specialties", "Reviewer specialty", is_array=True),
    Facet("region", "body_regions", "Body region", is_array=True),
    Facet("year", "decision_year", "Decision year", by_value=True),
)
FACETS_BY_NAME = {facet.name: facet for facet in FACETS}
_LABELS = {"outcome": dict(ItemOutcome.choices)}


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    label: str = ""
    estimated: bool = False  # scaled up from a sample of the matching items

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.value)

    @property
    def count_display(self) -> str:
        return f"~{self.count:,}" if self.estimated else f"{self.count:,}"


class Unnest(Func):
    function = "unnest"
    output_field = TextField()  # only compiled to SQL, never read back through the ORM


def facet_counts(
    filterset: ItemFilterSet,
    *,
    base_queryset: QuerySet[DisputedItem] | None = None,
    limit: int | None = None,
    sample_percent: float | None = None,
) -> dict[str, list[FacetValue]]:
    """Count matching items per value of every facet, in one SQL statement.

    ``filterset`` must be valid. Values are ordered by count (years by year, newest first);
    ``limit`` keeps the top values of each facet, but selected values are always kept (with a
    count of 0 when nothing matches them), so a chosen filter never disappears. Items with no
    value (no service, no decision date) are not listed.

    ``sample_percent`` counts a repeatable ``TABLESAMPLE SYSTEM`` sample of the items instead
    and scales the counts up (``estimated`` values): for result sets too large to count live.
    It is ignored when fresh summaries answer the request (exact counts, see ``summaries``);
    so is any request with a ``base_queryset``, which is always counted live.

    >>> fs = ItemFilterSet({"category": ["Surgery"], "outcome": ["overturned"]})
    >>> fs.is_valid()
    True
    >>> counts = facet_counts(fs, limit=10)
    >>> counts["category"]  # overturned items per category: Surgery's siblings stay visible
    [FacetValue(value='Surgery', count=12, selected=True, label='Surgery'),
     FacetValue(value='Pharmaceuticals', count=9, selected=False, label='Pharmaceuticals'), ...]
    >>> counts["region"][0]  # Surgery items that were overturned, per body region
    FacetValue(value='lumbar', count=5, selected=False, label='lumbar')
    """
    active = filterset.active
    if base_queryset is None:
        summarised = _from_summaries(filterset, active, limit)
        if summarised is not None:
            return summarised
    base = base_queryset if base_queryset is not None else DisputedItem.objects.public()
    if sample_percent is not None:
        sample_percent = min(max(float(sample_percent), 0.01), 100.0)
    shared = [facet for facet in FACETS if facet.name not in active]
    groups = [(frozenset(), shared)] + [
        (frozenset({facet.name}), [facet]) for facet in FACETS if facet.name in active
    ]

    parts, params = [], []
    for exclude, facets in groups:
        queryset = filterset.filter_queryset(base.order_by(), exclude=exclude)
        # Scalars and arrays in separate aggregates: unnesting scalars too made one scan slower
        # than two (measured), and PostgreSQL can run the two in parallel.
        for is_array in (False, True):
            chosen = [facet for facet in facets if facet.is_array == is_array]
            if chosen:
                sql, sql_params = _grouping_sets_sql(queryset, chosen, sample_percent)
                parts.append(sql)
                params.extend(sql_params)

    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in FACETS}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for name, value, count in cursor.fetchall():
                if value is not None:
                    counts[name][value] = (
                        count if sample_percent is None else round(count * 100 / sample_percent)
                    )
    estimated = sample_percent is not None
    return {
        facet.name: _ordered(
            facet, counts[facet.name], active.get(facet.name, []), limit, estimated=estimated
        )
        for facet in FACETS
    }


def _from_summaries(
    filterset: ItemFilterSet, active: dict[str, list[str]], limit: int | None
) -> dict[str, list[FacetValue]] | None:
    """The counts from fresh summaries, or None: at once (no query) when the request is not one
    they answer, after one query when they are stale."""
    key = summaries.summary_key(filterset)
    if key is None:
        return None
    counts = summaries.facet_value_counts(key, [facet.name for facet in FACETS])
    if counts is None:
        return None
    return {
        facet.name: _ordered(facet, counts[facet.name], active.get(facet.name, []), limit)
        for facet in FACETS
    }


# Past this many matching items live counting costs more than a page may (scale notes: ~100 ms
# per 250 k rows); counts then come from a sample holding about SAMPLE_MATCHES of them.
LIVE_COUNT_UP_TO = 250_000
SAMPLE_MATCHES = 20_000


def sample_percent_for(matching: int) -> float | None:
    """The ``sample_percent`` for ``facet_counts`` when ``matching`` items match, or None."""
    if matching <= LIVE_COUNT_UP_TO:
        return None
    return 100 * SAMPLE_MATCHES / matching


def _grouping_sets_sql(
    queryset: QuerySet, facets: list[Facet], sample_percent: float | None = None
) -> tuple[str, tuple]:
    """``(facet name, value as text, item count)`` rows for ``facets`` over ``queryset``.

    Array columns are unnested side by side in one select list (PostgreSQL zips set-returning
    functions, padding with NULL), so each item gives each of its values once to its facet.
    """
    aliases = [f"f{i}" for i in range(len(facets))]
    expressions = {
        alias: Unnest(F(facet.column)) if facet.is_array else F(facet.column)
        for alias, facet in zip(aliases, facets, strict=True)
    }
    inner, params = queryset.annotate(**expressions).values(*aliases).query.sql_with_params()
    if sample_percent is not None:
        table = f'FROM "{DisputedItem._meta.db_table}"'
        sampled = f"{table} TABLESAMPLE SYSTEM ({float(sample_percent):.4f}) REPEATABLE (1)"
        inner = inner.replace(table, sampled, 1)
    names = " ".join(
        f"WHEN GROUPING({alias}) = 0 THEN '{facet.name}'"
        for alias, facet in zip(aliases, facets, strict=True)
    )
    values = ", ".join(f"{alias}::text" for alias in aliases)
    sets = ", ".join(f"({alias})" for alias in aliases)
    # Facet names and aliases come from FACETS above, never from the request.
    sql = (
        f"(SELECT CASE {names} END, COALESCE({values}), COUNT(*) "  # noqa: S608
        f"FROM ({inner}) AS s GROUP BY GROUPING SETS ({sets}))"
    )
    return sql, params


def _ordered(
    facet: Facet,
    counts: dict[str, int],
    selected: list[str],
    limit: int | None,
    *,
    estimated: bool = False,
) -> list[FacetValue]:
    selected_set = {str(value) for value in selected}
    if facet.by_value:
        ordered = sorted(counts.items(), key=lambda pair: pair[0], reverse=True)
    else:
        ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].casefold()))
    if limit is not None:
        ordered = [pair for i, pair in enumerate(ordered) if i < limit or pair[0] in selected_set]
    missing = [(value, 0) for value in selected_set if value not in counts]
    labels = _LABELS.get(facet.name, {})
    return [
        FacetValue(value, count, value in selected_set, labels.get(value, value), estimated)
        for value, count in ordered + sorted(missing)
    ]
