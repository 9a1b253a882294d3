"""Atom feed of the decisions latest added, matching any browse filter: ``/feed/?<filters>``.

One entry per matching disputed item (the filters are about items: "overturned acupuncture"
names items, not letters), linking to the item's anchor on its letter's permalink page. Entries
come in the order their letters entered the archive, latest first, so a backfill of older
decisions reaches subscribers too; letters without a decision date come after every dated one,
and the shipped sample letters never appear. An entry's ``published`` is when its letter's
determination was first saved (its first parse), ``updated`` when it was last re-parsed or
edited, so a reader notices corrections; its ``author`` is the reviewer, by credentials (names
are confidential).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import paging, selectors
from .dimensions import BY_NAME
from .filters import CONTROL_CHARACTERS, ItemFilterSet, filter_errors, filter_query
from .models import DisputedItem
from .paging import fenced_ids
from .responses import plain_bad_request
from .search_vector import VECTOR_COLUMNS

FEED_SIZE = 50
# Entry into the archive: determination ids come from a sequence at the first save, in the
# order of ``created_at``, and ``(determination_id, number)`` is an index (the items' unique
# key) walked backwards; a re-parse keeps the determination, so an entry never moves.
ENTRY_ORDER = paging.ENTRY_ORDER


def _first_entries(
    matching: QuerySet[DisputedItem], limit: int, *, fence: bool, years: list[int]
) -> list[DisputedItem]:
    """The first ``limit`` items of ``matching`` in entry order, with their letters. Fenced, or
    walked in several ``years``, the first ids are found before the rows are read: the fence's
    every hit, joined to the letters' index and sorted whole, took 1.1 s for a half-year's
    ``q=acupuncture`` at 2 M letters (38,888 rows sorted for 50)."""
    if fence:
        first = fenced_ids(matching, order=ENTRY_ORDER, limit=limit)
        matching = DisputedItem.objects.public().filter(pk__in=first)
    elif len(years) > 1:  # each year's letters walked, the entries taken from them
        year = "determination__decision_date__year"
        first = paging.year_walks(matching, years, year=year, order=ENTRY_ORDER, limit=limit)
        matching = DisputedItem.objects.public().filter(pk__in=first)
    rows = matching.select_related("determination").defer(
        *VECTOR_COLUMNS, "determination__clinical_summary"
    )
    return list(rows.order_by(*ENTRY_ORDER)[:limit])


def _label(name: str, value) -> str:
    """A filter value as the pages show it (``ODG · Low Back``)."""
    dimension = BY_NAME.get(name)
    return dimension.label_for(str(value)) if dimension else str(value)


class ItemFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args, **kwargs):
        filterset = ItemFilterSet(request.GET)
        errors = filter_errors(filterset)
        if errors:
            return plain_bad_request(errors)
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request: HttpRequest, *args, **kwargs) -> ItemFilterSet:
        filterset = ItemFilterSet(request.GET)
        filterset.is_valid()  # checked in __call__
        return filterset

    def title(self, filterset: ItemFilterSet) -> str:
        active = filterset.active
        if not active:
            return "IMR determinations: latest added decisions"
        described = "; ".join(
            f"{name} {' or '.join(_label(name, value) for value in values)}"
            for name, values in active.items()
        )
        return f"IMR determinations: {described}"

    def subtitle(self, filterset: ItemFilterSet) -> str:
        return (
            "Independent Medical Review decisions matching these browse filters, "
            "latest added to the archive first."
        )

    def link(self, filterset: ItemFilterSet) -> str:
        query = filter_query(filterset.active)
        browse = reverse("determinations:browse")
        return f"{browse}?{query}" if query else browse

    def feed_url(self, filterset: ItemFilterSet) -> str:
        query = filter_query(filterset.active)
        return f"{reverse('determinations:feed')}{'?' + query if query else ''}"

    def items(self, filterset: ItemFilterSet):
        matching = filterset.filter_queryset(DisputedItem.objects.public()).filter(
            determination__letter__is_sample=False
        )
        matching = selectors.letters_of_the_years(filterset, matching, letter="determination__")
        # A search with many hits walks the entry-ordered index (its newest hits are near);
        # one with few finds its first hits through the search index first.
        walk = selectors.search_walks(filterset, matching, size=FEED_SIZE)
        years = selectors.years_of(filterset) if walk else []
        fence = "q" in filterset.active and not walk
        with paging.walking(walk):
            dated = matching.filter(decision_date__isnull=False)
            found = _first_entries(dated, FEED_SIZE, fence=fence, years=years)
            if len(found) < FEED_SIZE:  # undated letters only after every dated one
                undated = matching.filter(decision_date__isnull=True)
                found += _first_entries(undated, FEED_SIZE - len(found), fence=fence, years=years)
        return found

    def author_name(self, filterset: ItemFilterSet) -> str:
        return "IMR Determinations Archive"

    def item_title(self, item: DisputedItem) -> str:
        # Plain text: the feed writer escapes it (Django's default would escape it twice).
        where = f"{item.determination.key} #{item.number}"
        return _xml_text(f"{item.get_outcome_display()}: {item.request} ({where})")

    def item_description(self, item: DisputedItem) -> str:
        parts = [f"{item.category} / {item.subcategory}"]
        if item.service:
            parts.append(item.service)
        if item.decision_date:
            parts.append(f"decided {item.decision_date.isoformat()}")
        return _xml_text(". ".join(parts) + ".")

    def item_link(self, item: DisputedItem) -> str:
        return item.get_absolute_url()

    def item_updateddate(self, item: DisputedItem) -> dt.datetime:
        return item.determination.updated_at

    def item_pubdate(self, item: DisputedItem) -> dt.datetime:
        return item.determination.created_at

    def item_author_name(self, item: DisputedItem) -> str:
        specialties = ", ".join(item.specialties)
        return _xml_text(f"IMR reviewer ({specialties})" if specialties else "IMR reviewer")

    def item_categories(self, item: DisputedItem) -> list[str]:
        return [item.outcome, item.category, item.subcategory]


def _xml_text(text: str) -> str:
    """Letter text is untrusted: drop the control characters XML 1.0 cannot carry."""
    return CONTROL_CHARACTERS.sub("", text)
