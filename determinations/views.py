"""Public pages: browse, permalink, original download, JSON version."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse

from . import keys, paging, plans, selectors, suggestions
from .filter_panel import filter_panel
from .filters import ItemFilterSet, filter_errors, filter_query, with_settled_values
from .models import PurgedLetter
from .presenters import determination_as_dict
from .responses import bad_request, original_unavailable
from .search import searchable
from .search_vector import search_choices
from .tracking import without_tracking

PAGE_SIZE = 25
SORT_LABELS = (("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first"))


@without_tracking
@with_settled_values
def browse(request: HttpRequest) -> HttpResponse:
    filterset = ItemFilterSet(request.GET)
    errors = filter_errors(filterset, extra=paging.PAGE_PARAMS)
    q = filterset.search_text if filterset.is_valid() else ""
    page_request, page_errors = paging.page_request(request.GET, q=q, size=PAGE_SIZE)
    if errors or page_errors:
        return bad_request(request, errors + page_errors)
    if found := _case_number_found(q):
        return HttpResponseRedirect(reverse("determinations:detail", args=[found]))
    plan = plans.plan_for(filterset)
    # The facets first: their pass counts the sample the total's estimate reads (``plan``).
    panel = filter_panel(filterset, plan, keep=[("sort", v) for v in request.GET.getlist("sort")])
    results = selectors.items_browse(
        filterset=filterset, request=page_request, size=PAGE_SIZE, plan=plan
    )
    active = filterset.active
    query = filter_query(active)
    suggested = suggestions.suggestions_if_few(q, results.total)
    # "the", "!!!": nothing left to search for, which "0 matching items" alone does not say
    nothing_to_search = bool(q) and not results.total and not searchable(q, filterset.search_fields)
    return render(
        request,
        "determinations/browse.html",
        {
            "results": results,
            "total_display": f"{results.total:,}",
            "interval_display": _interval_display(results.estimate),
            "rank_cap_display": f"{results.rank_cap:,}",
            "q": q,
            "nothing_to_search": nothing_to_search,
            "search_parts": search_choices(filterset.search_fields if q else ()),
            "sort": page_request.sort,
            "sort_chosen": page_request.chosen,
            "sort_query": _sort_query(filter_query(active), page_request),
            "sorts": SORT_LABELS,
            **panel,
            "filter_query": query,
            "next_query": _page_query(query, results, page_request),
            "prev_query": _prev_query(query, results, page_request),
            "range_display": _range_display(results),
            "suggestions": [
                {"suggestion": s, "url": "?" + filter_query(active, replace=(("q", s.q),))}
                for s in suggested
            ],
        },
    )


def _prev_query(filter_query: str, results, page_request) -> str | None:
    """Query string of the previous page (the first page's has no cursor or page), or None."""
    if not results.has_previous:
        return None
    extra = [("sort", page_request.sort)] if page_request.chosen else []
    if results.prev_cursor is not None:
        extra.append(("before", str(results.prev_cursor)))
    elif results.prev_page is not None:
        extra.append(("page", str(results.prev_page)))
    return "&".join(part for part in (filter_query, urlencode(extra)) if part)


def _range_display(results) -> str:
    """``26-50 of 449`` (an en dash; ``of about`` when estimated); '' when the place is unknown."""
    if results.first_number is None or not results.items:
        return ""
    about = "" if results.total_is_exact else "about "
    return f"{results.first_number:,}\u2013{results.last_number:,} of {about}{results.total:,}"


def _case_number_found(q: str) -> str | None:
    """The key of the letter a search for its case number means, when it exists (a 302: the
    same words would search again if the letter were purged)."""
    key = keys.case_number(q)
    if key is None or not selectors.determination_key_exists(key=key):
        return None
    return key


def _interval_display(estimate) -> str:
    if estimate is None:
        return ""
    return f"{estimate.low:,}\u2013{estimate.high:,}"


def _sort_query(filter_query: str, page_request) -> str:
    """The filters and, when the reader chose it, the sort: the first page of these results."""
    extra = urlencode([("sort", page_request.sort)]) if page_request.chosen else ""
    return "&".join(part for part in (filter_query, extra) if part)


def _page_query(filter_query: str, results, page_request) -> str | None:
    """Query string of the next page, keeping the filters and the sort the reader chose."""
    extra = [("sort", page_request.sort)] if page_request.chosen else []
    if results.next_cursor is not None:
        extra.append(("cursor", str(results.next_cursor)))
    elif results.next_page is not None:
        extra.append(("page", str(results.next_page)))
    else:
        return None
    return "&".join(part for part in (filter_query, urlencode(extra)) if part)


def _determination_or_error(request: HttpRequest, key: str):
    determination = selectors.determination_get(key=key)
    if determination is None and (canonical := keys.canonical_key(key)) != key:
        # ``cm17-0010420``, ``CM170010420``: one key, one address (301, so links and search
        # engines settle on it); the canonical page says whether it exists.
        match = request.resolver_match  # the same page of the canonical key (its item too)
        target = reverse(
            f"determinations:{match.url_name}", kwargs={**match.kwargs, "key": canonical}
        )
        query = request.META.get("QUERY_STRING")
        return None, HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    if determination is None:
        # 410, not 404: the page existed and was removed on purpose, and search engines and
        # caches drop a 410 at once. Nothing of the purge (who, why) is said.
        purged = PurgedLetter.objects.filter(key=key).only("purged_at").first()
        if purged is None:
            return None, key_not_found(request, key)
        context = {"key": key, "purged_at": purged.purged_at}
        return None, render(request, "determinations/purged.html", context, status=410)
    if determination.is_withdrawn:
        return None, render(
            request, "determinations/withdrawn.html", {"determination": determination}, status=410
        )
    return determination, None


def key_not_found(request: HttpRequest, key: str) -> HttpResponse:
    """The 404 of a permalink: a case-number box and the existing keys nearest to ``key``."""
    context = {"key": key, "nearest": selectors.keys_near(key=key)}
    return render(request, "404.html", context, status=404)


@without_tracking
def detail(request: HttpRequest, key: str) -> HttpResponse:
    determination, gone = _determination_or_error(request, key)
    if gone:
        return gone
    return render(
        request,
        "determinations/detail.html",
        {
            "determination": determination,
            "items": list(determination.items.all()),
            "canonical_url": request.build_absolute_uri(determination.get_absolute_url()),
            "parser_version": determination.parse_version,
        },
    )


def detail_json(request: HttpRequest, key: str) -> HttpResponse:
    determination, gone = _determination_or_error(request, key)
    if gone and gone.status_code != 410:
        return gone
    if gone:
        error = "This determination has been withdrawn or removed."
        return JsonResponse({"error": error}, status=410)
    data = determination_as_dict(
        determination, url=request.build_absolute_uri(determination.get_absolute_url())
    )
    return JsonResponse(data, json_dumps_params={"indent": 2})


def original(request: HttpRequest, key: str) -> HttpResponse:
    """The original file, as an attachment with its detected type, never sniffed by browsers."""
    determination, gone = _determination_or_error(request, key)
    if gone:
        return gone
    letter = determination.letter
    extension = {"application/pdf": ".pdf", "text/plain": ".txt"}.get(letter.content_type, "")
    try:
        handle = letter.original.open("rb")
    except OSError as exc:
        return original_unavailable(request, letter, exc, determination)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{determination.key}{extension}",
        content_type=letter.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
