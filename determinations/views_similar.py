"""An item's similar decisions: a page of them (no JavaScript needed) and the fragment the
permalink page inserts under each item (static/js/similar.js)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import similar
from .models import DisputedItem
from .tracking import without_tracking
from .views import _determination_or_error


def _item_or_error(request: HttpRequest, key: str, number: int):
    determination, gone = _determination_or_error(request, key)
    if gone:
        return None, None, gone
    item = (
        DisputedItem.objects.filter(determination=determination, number=number)
        .defer("search_vector", "request_vector")
        .first()
    )
    if item is None:
        raise Http404(f"{key} has no item {number}")
    return determination, item, None


@require_GET
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


@require_GET
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
