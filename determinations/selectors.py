"""The archive's reads: querysets for pages, the API and exports."""

from __future__ import annotations

import dataclasses
import functools
import json
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, JSONField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL

from imr_archive.db_router import read_connection

from . import keys, paging, plans, presenters, sampling, snippets, summaries
from .filters import RANGE_PARAMS, ItemFilterSet
from .models import Determination, DisputedItem, GuidelineCitation

TOTAL_EXACT_UP_TO = 10_000
# A request whose coarse-sample estimate is above this shows that estimate as its total (a
# capped count would first build the bitmap of every row each word or filter matches, which
# grows with the archive).
SAMPLE_ESTIMATE_FROM = TOTAL_EXACT_UP_TO
# A search whose wanted rows are expected within this many rows of the date index walks it
# (its hits are dense); sparser ones are found through the GIN index first (see
# paging.keyset_page). Few hits (an exact total) always go through the GIN index.
WALK_UP_TO = 50_000
# A relevance search with at most this many hits (estimated) finds them all through the search
# index and ranks the newest RANK_CAP; with more, it walks the date index (paging.rank_cap_for).
FENCE_UP_TO = 20_000


def items_list() -> QuerySet[DisputedItem]:
    """Public disputed items, newest decision first, with their letter key loaded."""
    return (
        DisputedItem.objects.public()
        .select_related("determination__letter")
        .only(
            "id",
            "number",
            "request",
            "outcome",
            "category",
            "subcategory",
            "service",
            "body_regions",
            "decision_date",
            "guideline_documents",
            "specialties",
            "determination__key",
            "determination__letter__is_sample",  # the "sample" badge
        )
        .order_by("-decision_date", "-id")
    )


@dataclass
class BrowsePage:
    """One page of browse results and what the page needs to say about the rest."""

    items: list[DisputedItem]  # each with ``snippet`` (a snippets.Snippet, or None)
    total: int
    total_is_exact: bool
    request: paging.PageRequest
    next_cursor: paging.Cursor | None = None
    next_page: int | None = None
    # The previous page: ``prev_cursor`` (a backwards cursor) or ``prev_page`` (relevance), or
    # neither with ``has_previous``: the first page.
    has_previous: bool = False
    prev_cursor: paging.Cursor | None = None
    prev_page: int | None = None
    offset: int | None = None  # rows before this page; None when an old cursor did not say
    rank_cap: int = paging.RANK_CAP  # relevance: how many of the newest hits were ranked
    estimate: sampling.Estimate | None = None  # a sampled total: its 95% interval

    @property
    def first_number(self) -> int | None:
        """The place of the page's first row in the results (from 1), when known."""
        return None if self.offset is None else self.offset + 1

    @property
    def last_number(self) -> int | None:
        return None if self.offset is None else self.offset + len(self.items)

    @property
    def ranked_subset(self) -> bool:
        """True when relevance ranked only the newest ``rank_cap`` of more hits."""
        return self.request.sort == "relevance" and self.total > self.rank_cap


def items_browse(
    *,
    filterset: ItemFilterSet,
    request: paging.PageRequest,
    size: int = 25,
    plan: plans.CountPlan | None = None,
) -> BrowsePage:
    """The items matching a valid ``filterset``, one page of them, and their total.

    Bounded work at any depth: the total (exact from fresh summaries when they answer the
    request: no search, at most one filter value; with very many matches, an estimate from a
    fixed sample (``sample_estimate``); else a capped count, an estimate beyond
    ``TOTAL_EXACT_UP_TO``), one query for the page's rows (keyset for newest/oldest, a ranked
    capped set for relevance) and one for the snippets when searching.
    """
    plan = plan or plans.plan_for(filterset)
    matching = filterset.filter_queryset(DisputedItem.objects.public().order_by())
    q = filterset.search_text
    total = summaries.item_total(plan.key) if plan.key is not None else None  # None: stale
    estimate = None
    if total is not None:
        exact = True
        plan.note("total", "summaries")
    elif (estimate := sample_estimate(filterset, matching, q=q, plan=plan)) is not None and (
        estimate.value > SAMPLE_ESTIMATE_FROM
    ):
        total, exact = estimate.value, False
        plan.note("total", f"sample 1/{estimate.every}")
    else:
        total, exact = count_capped(matching, cap=TOTAL_EXACT_UP_TO)
        if exact:
            estimate = None
            plan.note("total", "live")
        elif estimate is not None and estimate.value > 0:
            # More rows than the sample suggested: its estimate, with its interval, beats the
            # planner's guess.
            floor = TOTAL_EXACT_UP_TO + 1
            total = max(estimate.value, floor)
            estimate = dataclasses.replace(
                estimate, value=total, low=max(estimate.low, floor), high=max(estimate.high, total)
            )
            plan.note("total", f"live past {TOTAL_EXACT_UP_TO:,}, sample 1/{estimate.every}")
        else:
            estimate = None
            plan.note("total", "live, planner estimate")
    rows = items_list().order_by()
    walked = _within_the_years(filterset, matching)
    cap = paging.RANK_CAP
    year_rows = _single_year_rows(filterset) if q else None
    if request.sort == "relevance":
        # Few hits: find them all through the search index; many: walk the date index for the
        # newest, as many as a bounded walk finds.
        fence = bool(q) and (exact or total <= FENCE_UP_TO)
        if year_rows is not None:
            # Walking one year's date index visits about cap * year_rows / hits rows; the
            # fence reads every hit.
            fence = paging.RANK_CAP * year_rows > total * total
        if q and not fence:
            cap = paging.rank_cap_for(total, year_rows or _table_rows())
    elif year_rows is not None:
        fence = (size + 1) * year_rows > total * total
    else:
        fence = bool(q) and (exact or not _walk_finds(size, _table_rows(), total))
    more_before, backwards = None, request.sort != "relevance" and request.before is not None
    with paging.walking(q and not fence):
        if request.sort == "relevance":
            found = paging.ranked_page(
                walked,
                rows,
                q=q,
                page=request.page,
                size=size,
                fence=fence,
                cap=cap,
                fields=filterset.search_fields,
            )
        elif backwards:
            found, more_before = paging.keyset_page_before(
                walked, rows, sort=request.sort, before=request.before, size=size, fence=fence
            )
        else:
            found = paging.keyset_page(
                walked, rows, sort=request.sort, cursor=request.cursor, size=size, fence=fence
            )
    # A page read backwards has a next page: the one it was reached from.
    items, more = found[:size], backwards or len(found) > size
    found_snippets = snippets.snippets(
        [item.id for item in items], q=q, fields=filterset.search_fields
    )
    for item in items:
        item.snippet = found_snippets.get(item.id)
    page = BrowsePage(items, total, exact, request, rank_cap=cap, estimate=estimate)
    if request.sort == "relevance":
        page.offset = (request.page - 1) * size
        if more:
            page.next_page = request.page + 1 if request.page * size < cap else None
        page.has_previous = request.page > 1
        page.prev_page = request.page - 1 if request.page > 2 else None
    else:
        _keyset_neighbours(page, size=size, more=more, more_before=more_before)
    return page


def search_walks(filterset: ItemFilterSet, matching: QuerySet[DisputedItem], *, size: int) -> bool:
    """Whether the first ``size`` rows of a search, in an order an index gives (the feed's
    entry order), are found sooner by walking that index than by reading every hit behind the
    fence: the browse page's rule, decided by the sample's estimate of the hits. ``q=ESI`` at
    2 M letters: ~90,000 hits, each read and sorted behind the fence (over 15 s); walking, its
    newest 50 are within the newest ~1,100 rows. With years (``letters_of_the_years``, the
    items' ``decision_year``), each year's own index is walked (several years: one walk each,
    ``paging.year_walks``), so the hits' density is within those years' items. Not with a
    date range: the walk counts on the hits being spread over the order, and the letters of
    months are not spread over the order of arrival."""
    if not filterset.search_text or set(RANGE_PARAMS) & set(filterset.active):
        return False
    years = years_of(filterset)
    rows = _year_rows(years) if years else _table_rows()
    if rows is None:
        return False
    estimate = sample_estimate(filterset, matching, q=filterset.search_text)
    if estimate is None or estimate.value <= FENCE_UP_TO:
        return False
    return _walk_finds(size, rows, estimate.value)


def _walk_finds(size: int, rows: int, hits: int) -> bool:
    """Whether walking an index of ``rows`` rows in an order finds the first ``size`` of
    ``hits`` rows spread over it (and one more: whether there are more) within ``WALK_UP_TO``
    rows: where a search walks instead of reading every hit behind the fence."""
    return (size + 1) * rows / hits <= WALK_UP_TO


def _keyset_neighbours(page: BrowsePage, *, size: int, more: bool, more_before: bool | None):
    """The next and previous cursors of a newest/oldest page and its offset.

    The offset travels in the cursors (counting the rows before a deep page would read them
    all); a page read backwards that finds nothing before it is the first page, whatever its
    cursor said (rows may have come or gone since).
    """
    request, items = page.request, page.items
    position = request.before or request.cursor
    if position is None or more_before is False:
        page.offset = 0
    else:
        page.offset = position.offset
    if more and items:
        after = None if page.offset is None else page.offset + len(items)
        page.next_cursor = paging.cursor_after(items[-1], after)
    if page.offset == 0:
        return
    page.has_previous = True
    if page.offset is not None and page.offset <= size:
        return  # the previous page is the first one
    if items:
        earlier = None if page.offset is None else page.offset - size
        page.prev_cursor = paging.cursor_after(items[0], earlier)


def sample_estimate(
    filterset: ItemFilterSet,
    matching: QuerySet[DisputedItem],
    *,
    q: str,
    plan: plans.CountPlan | None = None,
) -> sampling.Estimate | None:
    """The matching items estimated from the coarsest fixed sample, with its 95% interval, or
    None without a search while the summaries are stale. A search counts its sample's hits
    through the sample's partial search index; filters alone count the sample's rows of
    SummaryItem. Counting up to the cap instead builds the bitmap of every row each filter or
    word matches, which grows with the archive (1.5-2.8 s for three filters at 2 M letters).
    What ``plan`` says a pass of the same request already counted in that sample (the page's
    facets: ``CountPlan.counted_in_sample``) is not counted again."""
    if q:
        parts = None
        if set(filterset.active) - {"q", "field"}:  # the search alone and the filters alone
            items = DisputedItem.objects.public().order_by()
            others = set(filterset.form.cleaned_data) - {"q", "field"}
            parts = (
                filterset.filter_queryset(items, exclude=others),
                filterset.filter_queryset(items, exclude={"q", "field"}),
            )
        counted = plan.in_sample if plan is not None and parts is None else {}
        return sampling.coarsest_estimate(matching, parts, counted=counted)
    every = sampling.first_level(scanned=True)
    found = plan.in_sample.get((sampling.SUMMARY_ITEMS, every)) if plan is not None else None
    if found is not None:
        return sampling.estimate_from(*found, every)
    return summaries.matching_in_sample(filterset.active, every)


def count_capped(queryset: QuerySet, *, cap: int) -> tuple[int, bool]:
    """``(count, True)`` up to ``cap`` rows, else ``(planner estimate, False)``: both cheap."""
    counted = queryset.order_by().values("id")[: cap + 1].count()
    if counted <= cap:
        return counted, True
    sql, params = queryset.order_by().values("id").query.sql_with_params()
    with read_connection().cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return max(int(plan[0]["Plan"]["Plan Rows"]), cap + 1), False


def _within_the_years(filterset: ItemFilterSet, matching: QuerySet) -> QuerySet:
    """``matching`` with the decision dates its ``year`` filter implies, for the page's rows.

    A year is its decision date's, so the dates add nothing to what matches; they let a walk of
    a date-ordered index (a category's newest first, ``item_category_newest_idx``) start at the
    year's end instead of reading every newer row of the category: `year=2016&outcome=
    overturned&category=Injection` read 228,310 rows for its 26 (62 s from a cold cache at 2 M
    letters, 0.8 s warm; issue 14).
    """
    years = years_of(filterset)
    if not years:
        return matching
    return matching.filter(
        decision_date__gte=date(min(years), 1, 1), decision_date__lt=date(max(years) + 1, 1, 1)
    )


def within_the_ranges_year(filterset: ItemFilterSet, matching: QuerySet) -> QuerySet:
    """``matching`` with the decision year a date range inside one year implies: the same rows
    (an item's year is its decision date's), found through that year's index in the order of
    storage (``item_year_stored_idx``, the API's order) instead of the newer items' ids:
    ``decided_from=2019-01-01&decided_to=2019-06-30`` 3.2 s -> 0.4 s at 2 M letters."""
    data = filterset.form.cleaned_data
    low, high = data.get("decided_from"), data.get("decided_to")
    if "year" in filterset.active or low is None or high is None or low.year != high.year:
        return matching
    return matching.filter(decision_year=low.year)


def letters_of_the_years(filterset: ItemFilterSet, rows: QuerySet, *, letter: str = "") -> QuerySet:
    """``rows`` (letters, or with ``letter="determination__"`` items) whose letter's decision
    year is one the ``year`` filter names: the same rows (an item's year is its letter's decision
    date's), found through the letters' year index in the order of storage
    (``determination_year_stored_idx``: the letters API's ``-id``, the feed's entry order)
    instead of matching every item of the year and sorting them: ``/api/determinations/?year=
    2019`` 3.1-3.6 s -> 12 ms, ``/feed/?year=2019`` 1.5-26 s -> 5 ms at 2 M letters. ``__in``,
    not ``__year=``: Django turns an equal year into a date range, which the index does not
    hold; ``__year__in`` is the index's ``EXTRACT(YEAR FROM decision_date)``
    (``models.DECISION_YEAR``)."""
    years = years_of(filterset)
    if not years:
        return rows
    return rows.filter(**{f"{letter}decision_date__year__in": years})


def _single_year_rows(filterset: ItemFilterSet) -> int | None:
    """The public items of the one year a search is filtered to (exact, from the summaries), or
    None for any other filter or stale summaries.

    One year has its own date-ordered index (``item_year_newest_idx``), so a search in it can
    walk just that year's rows newest first. A common word in one year (``q=documentation&
    year=2016``: 16,060 of 17,904 rows hit at 100 k letters) then ranks its newest 2,000 after
    reading about 2,200 rows (22 ms) instead of all 16,060 hits behind the fence (198 ms).
    """
    filters = {name: values for name, values in filterset.active.items() if name != "q"}
    if list(filters) != ["year"] or len(filters["year"]) != 1:
        return None
    return _year_rows(filters["year"])


def years_of(filterset: ItemFilterSet) -> list[int]:
    """The decision years the ``year`` filter names (none: no year filter)."""
    return [int(year) for year in filterset.active.get("year", ())]


def _year_rows(years) -> int | None:
    """The public items of ``years`` (exact, from the summaries; at least 1), or None while the
    summaries are stale."""
    totals = [summaries.item_total(("year", str(year))) for year in years]
    return None if None in totals else max(sum(totals), 1)


def _table_rows() -> int:
    """The planner's row count of the items table (free; at least 1)."""
    return max(sampling.table_rows(DisputedItem._meta.db_table), 1)


CITATION_ORDER = ("cited_by", "position")  # letter order: claims administrator's first


@functools.cache
def citation_rows() -> RawSQL:
    """An item's citations as one JSON array (``[]``: none) of rows, each all of a citation's
    columns in the model's order (``GuidelineCitation.from_rows``), in letter order: carried by
    the item's own query instead of a query of their own (the permalink, the API's lists)."""
    quote = connection.ops.quote_name
    citation, item = GuidelineCitation._meta, DisputedItem._meta
    columns = ", ".join(f"c.{quote(field.column)}" for field in citation.concrete_fields)
    order = ", ".join(f"c.{quote(citation.get_field(name).column)}" for name in CITATION_ORDER)
    sql = (  # names from the models only
        f"COALESCE((SELECT jsonb_agg(jsonb_build_array({columns}) ORDER BY {order}) "  # noqa: S608
        f"FROM {quote(citation.db_table)} c "
        f"WHERE c.{quote(citation.get_field('item').column)} = "
        f"{quote(item.db_table)}.{quote(item.pk.column)}), '[]'::jsonb)"
    )
    return RawSQL(sql, (), output_field=JSONField())  # noqa: S611


def items_prefetch() -> Prefetch:
    """A determination's items in letter order, each with its citations (``citation_rows``):
    the columns that the permalink page and the contract's JSON show (``presenters.
    ITEM_COLUMNS``), not the search vectors (~1.5 KB an item, often TOASTed) nor the facet
    copies. A query and a round trip less than prefetching the citations, and fewer columns
    to convert: ``determination_get``'s CPU time about 0.6x (docs/performance.md, "Stop 33")."""
    items = (
        DisputedItem.objects.order_by("number")
        .only("determination", *presenters.ITEM_COLUMNS)
        .annotate(citation_rows=citation_rows())
    )
    return Prefetch("items", queryset=items)


def determination_get(*, key: str) -> Determination | None:
    """One determination with its reviewer, items and citations in two queries. Of its
    letter (the stored file's record) only the parse's version and warnings are read."""
    found = list(
        with_parse(Determination.objects.select_related("reviewer"))
        .prefetch_related(items_prefetch())
        .filter(key=key)
        .order_by()[:1]  # the key is unique: no ORDER BY to compile, plan or sort
    )
    return found[0] if found else None


def determination_key_exists(*, key: str) -> bool:
    """Whether a determination (public or withdrawn: its permalink says so) has this exact key:
    one probe of the unique key index, run only for text shaped like a case number."""
    return Determination.objects.filter(key=key).exists()


NEAREST_KEYS = 3  # on each side of a key that was not found


def keys_near(*, key: str) -> list[str]:
    """Public keys of the same case-number year just before and after ``key``, in key order:
    two bounded range scans of the key index (``LIMIT`` each); none for other keys."""
    bounds = keys.year_range(key)
    if bounds is None:
        return []
    low, high = bounds
    public = Determination.objects.public()
    after = public.filter(key__gt=key, key__lt=high).order_by("key")
    before = public.filter(key__lt=key, key__gte=low).order_by("-key")
    found = list(before.values_list("key", flat=True)[:NEAREST_KEYS])[::-1]
    return found + list(after.values_list("key", flat=True)[:NEAREST_KEYS])


def with_parse(queryset: QuerySet[Determination]) -> QuerySet[Determination]:
    """Determinations with their parse's version and warnings (``parse_version``,
    ``parse_warnings``) and whether the letter is a shipped sample (``is_sample``): columns of
    the letter, not its stored text."""
    return queryset.annotate(
        parse_version=F("letter__parser_version"),
        parse_warnings=F("letter__warnings"),
        is_sample=F("letter__is_sample"),
    )
