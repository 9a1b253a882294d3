"""Ordering and paging of browse results: sorts, keyset cursors, relevance pages, fences.

Measured at archive scale (docs/scale-notes.md): ranking must score every hit, so relevance ranks
only the newest ``RANK_CAP`` hits (fewer when finding them would walk too far); OFFSET grows
with depth, so newest/oldest page with a keyset cursor on ``(decision_date, id)``. Searches with
few hits are wrapped in an ``OFFSET 0`` fence so the planner cannot walk the date index
backwards hoping to meet a rare phrase; searches with many hits walk it on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL

from imr_archive.db_router import read_alias

from .filters import whole_number
from .models import DisputedItem
from .search import search_rank

SORTS = ("relevance", "newest", "oldest")
RANK_CAP = 2_000  # hits ranked per search at most: ~28 ms for 2,000 at 2 M letters
# Rows a relevance search may walk down the date index to find its newest hits: with many hits
# spread thinly (a phrase in 2.5% of 4.2 M items), finding the newest 2,000 meant walking
# ~80,000 rows, each checked against its search vector (1.2 s at 2 M letters); such searches
# rank fewer of their newest hits instead (``rank_cap_for``). A walk costs ~5.5-7 us a row at
# 2 M letters (each row's search vector read), so most searches walked the whole budget: 12,000
# rows were 65-90 ms of a search page, what searches queued behind with four clients on two
# cores (issue 14); 6,000 took ~20% off the benchmark's searches' database time.
WALK_BUDGET = 6_000
# Never fewer than four pages (250 hits of a word in 1% of the items walked 25,000 rows).
MIN_RANKED = 100

_CURSOR = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}|none)_(?P<id>[1-9]\d{0,17})(?:_(?P<offset>\d{1,9}))?"
)


@dataclass(frozen=True)
class Cursor:
    """A row's position: its decision date (None when undated) and id. ``offset``: how many
    rows come before the page it starts (after it) or ends (before it), so the page can say
    "26-50 of 449"; None in cursors from before it was carried."""

    date: dt.date | None
    id: int
    offset: int | None = None

    def __str__(self) -> str:
        text = f"{self.date.isoformat() if self.date else 'none'}_{self.id}"
        return text if self.offset is None else f"{text}_{self.offset}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """``2017-01-10_42``, ``none_42`` or ``2017-01-10_42_25``; ValueError for anything else."""
        match = _CURSOR.fullmatch(text)
        if not match:
            raise ValueError(text)
        date = match["date"]
        offset = int(match["offset"]) if match["offset"] is not None else None
        when = None if date == "none" else dt.date.fromisoformat(date)
        return cls(when, int(match["id"]), offset)


def sort_for(requested: str | None, *, q: str) -> str:
    """The sort to use: relevance needs words to rank, so without ``q`` it means newest."""
    if requested not in SORTS:
        return "relevance" if q else "newest"
    return "newest" if requested == "relevance" and not q else requested


# Dated rows come first in both orders, undated ones after them (by id), so each segment can
# walk the (decision_date DESC, id DESC) index forwards or backwards.
NEWEST = ("-decision_date", "-id")
# The feed's order: letters as they were stored, newest first, each letter's items in turn.
ENTRY_ORDER = ("-determination_id", "-number")
_SEGMENTS = {
    "newest": (NEWEST, ("-id",)),
    "oldest": (("decision_date", "id"), ("id",)),
}
_RAW_ORDER = {
    NEWEST: "decision_date DESC, id DESC",
    ("decision_date", "id"): "decision_date ASC, id ASC",
    ("-id",): "id DESC",
    ("id",): "id ASC",
    ENTRY_ORDER: "determination_id DESC, number DESC",
}


def fenced_ids(
    queryset: QuerySet, *, order: tuple[str, ...] | None = None, limit: int | None = None
) -> RawSQL:
    """Ids of a search's hits behind an ``OFFSET 0`` fence: use as ``filter(pk__in=...)``.

    For ``ORDER BY ... LIMIT`` over a full-text search the planner may walk the ordering index
    backwards hoping to meet a rare phrase (5.5 s measured in docs/scale-notes.md); the fence
    makes it find the hits through the GIN index first. ``order`` (one of the orders above,
    never request text) and ``limit`` keep only the first hits.
    """
    columns = dict.fromkeys(("id", *(name.lstrip("-") for name in order or ())))
    inner, params = queryset.order_by().values(*columns).query.sql_with_params()
    # ``inner`` is Django's own compiled SQL; the request's values stay in ``params``.
    sql = f"SELECT id FROM ({inner} OFFSET 0) AS hits"  # noqa: S608
    if order:
        sql += f" ORDER BY {_RAW_ORDER[order]}"
    if limit is not None:
        sql, params = f"{sql} LIMIT %s", (*params, limit)
    return RawSQL(sql, params)  # noqa: S611


def year_walks(
    queryset: QuerySet, years: list[int], *, year: str, order: tuple[str, ...], limit: int
) -> RawSQL:
    """Ids of the first ``limit`` rows in ``order`` of each of ``years``, one walk a year down
    its own index, in one ``UNION ALL``: use as ``filter(pk__in=...)`` within ``walking``.

    No index holds several years' rows in one order: walking the whole order meets an old
    year's rows only after every newer one's (2 M rows walked, 7.5 s, for two years at 2 M
    letters), and the fence reads every hit. ``year``: the field that holds the year as that
    index does (``decision_year``; ``determination__decision_date__year``, the letters' year),
    tested with ``__in``: Django turns an equal year into a date range, which the letters' index
    does not hold, and PostgreSQL reads a one-value ``IN`` as an equality. ``order`` never
    request text.
    """
    arms, params = [], []
    for one in years:
        walk = queryset.filter(**{f"{year}__in": [one]}).order_by(*order).values("id")[:limit]
        sql, walk_params = walk.query.sql_with_params()
        arms.append(f"({sql})")
        params.extend(walk_params)
    # Each arm is Django's own compiled SQL; the request's values stay in ``params``.
    return RawSQL(f"SELECT id FROM ({' UNION ALL '.join(arms)}) AS walks", params)  # noqa: S608,S611


@contextmanager
def walking(walk: bool) -> Iterator[None]:
    """Within the block, when ``walk``: no bitmap scans, so a search whose hits are dense walks
    the page-order index and stops at the first hits it needs.

    The planner guesses a phrase matches few rows (``"urine drug screen"``: 5,474 guessed,
    51,989 real on the 100 k benchmark) and builds the whole hit bitmap, checking every hit's
    positions: 805 ms for the newest 2,000; walking the date index 157 ms. The sample's estimate
    of the hits (``selectors``) decides, not the planner's guess. The setting is local to the
    block's transaction and put back at its end (inside an outer transaction too).

    On the connection the block's reads go to (a replica in a public read view): the setting
    and the transaction must be that connection's, and a transaction on the primary would send
    the reads there.
    """
    if not walk:
        yield
        return
    alias = read_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), "
            "set_config('enable_bitmapscan', 'off', true)"
        )
        before = cursor.fetchone()[0]
        yield  # on an error, rolling the block back puts the setting back
        cursor.execute("SELECT set_config('enable_bitmapscan', %s, true)", [before])


def rank_cap_for(hits: int, table_rows: int) -> int:
    """How many of the newest hits to rank when they are found by walking the date index:
    ``RANK_CAP`` when that walk stays within ``WALK_BUDGET`` rows, else as many as the budget
    finds (``MIN_RANKED`` at least: four pages)."""
    within_budget = WALK_BUDGET * hits // max(table_rows, 1)
    return max(MIN_RANKED, min(RANK_CAP, within_budget))


def ranked_page(
    queryset: QuerySet,
    rows: QuerySet,
    *,
    q: str,
    page: int,
    size: int,
    fence: bool,
    cap: int = RANK_CAP,
    fields: tuple[str, ...] = (),
) -> list[DisputedItem]:
    """Page ``page`` (from 1) of the newest ``cap`` hits of ``queryset``, best first.

    ``rows`` is the queryset the page's rows are loaded from (its columns and joins); ``fence``
    as for ``keyset_page``; ``fields`` the parts searched (all when empty).
    """
    if fence:
        candidates = fenced_ids(queryset, order=NEWEST, limit=cap)
    else:
        candidates = queryset.order_by(*NEWEST).values("id")[:cap]
    start = (page - 1) * size
    order = ("-rank", F("decision_date").desc(nulls_last=True), "-id")
    # Ranked by id in a subquery, so the page's joins (letter, file) are made for its rows only,
    # not for all ``cap`` candidates before the sort; the outer query ranks those rows again.
    page_ids = (
        DisputedItem.objects.filter(id__in=candidates)
        .annotate(rank=search_rank(q, fields))
        .order_by(*order)
        .values("id")[start : start + size + 1]
    )
    return list(rows.filter(id__in=page_ids).annotate(rank=search_rank(q, fields)).order_by(*order))


def keyset_page(
    queryset: QuerySet,
    rows: QuerySet,
    *,
    sort: str,
    cursor: Cursor | None,
    size: int,
    fence: bool,
) -> list[DisputedItem]:
    """Up to ``size + 1`` rows after ``cursor`` in ``sort`` order (the extra row means "more").

    One query, or two when a page crosses from dated to undated rows. ``fence`` puts a search
    behind an ``OFFSET 0`` so the GIN index is used first: right when hits are few; when they
    are many, walking the date index meets them soon, and the fence would sort them all.
    """
    dated_order, undated_order = _SEGMENTS[sort]
    newest = sort == "newest"
    segments = []
    if cursor is None or cursor.date is not None:
        condition = Q(decision_date__isnull=False)
        if cursor is not None:
            d, i = cursor.date, cursor.id
            if newest:
                condition &= Q(decision_date__lte=d) & (Q(decision_date__lt=d) | Q(id__lt=i))
            else:
                condition &= Q(decision_date__gte=d) & (Q(decision_date__gt=d) | Q(id__gt=i))
        segments.append((condition, dated_order))
        segments.append((Q(decision_date__isnull=True), undated_order))
    else:
        after = Q(id__lt=cursor.id) if newest else Q(id__gt=cursor.id)
        segments.append((Q(decision_date__isnull=True) & after, undated_order))

    return _segments_rows(queryset, rows, segments, wanted=size + 1, fence=fence)


# The sorts walked backwards: a "previous" page is read from its page's first row towards the
# start, closest row first, through the same indexes (scanned the other way).
_BACKWARDS = {
    "newest": (("decision_date", "id"), ("id",)),
    "oldest": (NEWEST, ("-id",)),
}


def keyset_page_before(
    queryset: QuerySet,
    rows: QuerySet,
    *,
    sort: str,
    before: Cursor,
    size: int,
    fence: bool,
) -> tuple[list[DisputedItem], bool]:
    """The ``size`` rows just before ``before`` in ``sort`` order (in that order), and whether
    more rows come before them.

    A backwards cursor rather than a stack of the cursors seen: the address stays one position
    long however deep the reader went, and the page costs what a forward page does (one query,
    two when it crosses from undated back into dated rows).
    """
    dated_order, undated_order = _BACKWARDS[sort]
    newest = sort == "newest"
    segments = []
    if before.date is not None:
        d, i = before.date, before.id
        if newest:
            condition = Q(decision_date__gte=d) & (Q(decision_date__gt=d) | Q(id__gt=i))
        else:
            condition = Q(decision_date__lte=d) & (Q(decision_date__lt=d) | Q(id__lt=i))
        segments.append((condition, dated_order))
    else:
        closer = Q(id__gt=before.id) if newest else Q(id__lt=before.id)
        segments.append((Q(decision_date__isnull=True) & closer, undated_order))
        segments.append((Q(decision_date__isnull=False), dated_order))
    found = _segments_rows(queryset, rows, segments, wanted=size + 1, fence=fence)
    return found[:size][::-1], len(found) > size


def _segments_rows(
    queryset: QuerySet, rows: QuerySet, segments, *, wanted: int, fence: bool
) -> list[DisputedItem]:
    """Up to ``wanted`` rows from each ``(condition, order)`` segment in turn."""
    found: list[DisputedItem] = []
    for condition, order in segments:
        missing = wanted - len(found)
        if missing <= 0:
            break
        segment = queryset.filter(condition)
        if fence:
            ids = fenced_ids(segment, order=order, limit=missing)
        else:
            ids = segment.order_by(*order).values("id")[:missing]
        found += list(rows.filter(id__in=ids).order_by(*order))
    return found


def cursor_after(item: DisputedItem, offset: int | None = None) -> Cursor:
    return Cursor(item.decision_date, item.id, offset)


@dataclass(frozen=True)
class PageRequest:
    """Where in the results the reader is: the sort, and a cursor (``before``: a page read
    backwards) or a page number.

    ``chosen``: the sort came from the address (the reader chose it), so links carry it on;
    a default sort is left out of links, so a new search is ranked by relevance again.
    """

    sort: str
    cursor: Cursor | None = None
    page: int = 1
    chosen: bool = False
    before: Cursor | None = None


PAGE_PARAMS = ("sort", "cursor", "before", "page")


def page_request(params, *, q: str, size: int) -> tuple[PageRequest, list[str]]:
    """Read ``sort``, ``cursor``, ``before`` and ``page`` from a QueryDict; plain-language
    errors if bad.

    Relevance pages are numbered (at most ``RANK_CAP`` hits are ranked); newest and oldest use
    a cursor (``before`` for the previous page), which stays fast however deep the reader goes.
    """
    errors = []
    for name in PAGE_PARAMS:
        if len(params.getlist(name)) > 1:
            errors.append(f"Parameter '{name}': give it once.")
    requested = params.get("sort") or None
    if requested is not None and requested not in SORTS:
        errors.append(f"Parameter 'sort': '{requested}' is not one of {', '.join(SORTS)}.")
    sort = sort_for(requested, q=q)
    page = 1
    positions = {}
    for name in ("cursor", "before"):
        if params.get(name):
            try:
                positions[name] = Cursor.parse(params[name])
            except ValueError:
                errors.append(f"Parameter '{name}': not a valid position; follow the page links.")
            if sort == "relevance":
                errors.append(f"Parameter '{name}': relevance results use 'page'; drop it.")
    if "cursor" in positions and "before" in positions:
        errors.append("Parameters 'cursor' and 'before': give one of them.")
    cursor, before = positions.get("cursor"), positions.get("before")
    if params.get("page"):
        last = RANK_CAP // size
        text = params["page"]
        if whole_number(text, 1, last) is None:
            errors.append(f"Parameter 'page': must be a whole number from 1 to {last}.")
        elif sort != "relevance":
            errors.append("Parameter 'page': newest and oldest results use 'cursor'.")
        else:
            page = int(text)
    return PageRequest(sort, cursor, page, chosen=requested is not None, before=before), errors
