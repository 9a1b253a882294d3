"""Atom feed of the newest decisions matching any browse filter: ``/feed/?<filters>``.

One entry per matching disputed item (the filters are about items: "overturned acupuncture"
names items, not letters), newest decision first, linking to the item's anchor on its letter's
permalink page. An entry's ``updated`` is when the letter was last stored or re-parsed, so a
reader notices corrections; ``published`` is the decision date.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .filters import CONTROL_CHARACTERS, ItemFilterSet, filter_errors, filter_query
from .models import DisputedItem
from .paging import fenced_ids
from .responses import plain_bad_request

FEED_SIZE = 50


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
            return "IMR determinations: newest decisions"
        described = "; ".join(f"{name} {' or '.join(values)}" for name, values in active.items())
        return f"IMR determinations: {described}"

    def subtitle(self, filterset: ItemFilterSet) -> str:
        return "Independent Medical Review decisions matching these browse filters, newest first."

    def link(self, filterset: ItemFilterSet) -> str:
        query = filter_query(filterset.active)
        browse = reverse("determinations:browse")
        return f"{browse}?{query}" if query else browse

    def feed_url(self, filterset: ItemFilterSet) -> str:
        query = filter_query(filterset.active)
        return f"{reverse('determinations:feed')}{'?' + query if query else ''}"

    def items(self, filterset: ItemFilterSet):
        matching = filterset.filter_queryset(DisputedItem.objects.public())
        if "q" in filterset.active:
            matching = DisputedItem.objects.public().filter(pk__in=fenced_ids(matching))
        return list(
            matching.select_related("determination")
            .defer("search_vector", "determination__clinical_summary")
            .order_by("-decision_date", "-id")[:FEED_SIZE]
        )

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

    def item_pubdate(self, item: DisputedItem) -> dt.datetime | None:
        if item.decision_date is None:
            return None
        midnight = dt.datetime.combine(item.decision_date, dt.time())
        return timezone.make_aware(midnight)

    def item_categories(self, item: DisputedItem) -> list[str]:
        return [item.outcome, item.category, item.subcategory]


def _xml_text(text: str) -> str:
    """Letter text is untrusted: drop the control characters XML 1.0 cannot carry."""
    return CONTROL_CHARACTERS.sub("", text)
