"""An item's similar decisions: a page of them (no JavaScript needed) and the fragment the
permalink page inserts under each item (static/js/similar.js)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import similar
from .models import DisputedItem
from .search_vector import VECTOR_COLUMNS
from .tracking import without_tracking
from .views import _determination_or_error


def _item_or_error(request: HttpRequest, key: str, number: int):
    """The public item ``number`` of ``key`` and its determination in one query; else the
    permalink's own answer (301 to the canonical key, 404, 410) or a 404 for the number."""
    item = (
        DisputedItem.objects.public()
        .select_related("determination")
        .defer(*VECTOR_COLUMNS, "rationale", "determination__clinical_summary")
        .filter(determination__key=key, number=number)
        .first()
    )
    if item is not None:
        return item.determination, item, None
    _, gone = _determination_or_error(request, key)
    if gone:
        return None, None, gone
    raise Http404(f"{key} has no item {number}")


@without_tracking
def similar_page(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """Up to ``similar.LISTED`` decisions like one item, nearest first."""
    determination, item, gone = _item_or_error(request, key, number)
    if gone:
        return gone
    context = {
        "determination": determination,
        "item": item,
        "similar": similar.similar_to_item(item, limit=similar.LISTED),
        "listed": similar.LISTED,
    }
    return render(request, "determinations/similar.html", context)


def similar_fragment(request: HttpRequest, key: str, number: int) -> HttpResponse:
    """The five most similar decisions as an HTML fragment (no page around it)."""
    determination, item, gone = _item_or_error(request, key, number)
    if gone:
        return gone
    context = {
        "determination": determination,
        "item": item,
        "similar": similar.similar_to_item(item, limit=similar.SHOWN),
    }
    response = render(request, "determinations/_similar.html", context)
    response["Cache-Control"] = "public, max-age=3600"
    return response
