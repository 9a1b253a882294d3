"""Public pages: browse, permalink, original download, JSON version."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import paging, plans, selectors
from .facets import FACETS, FACETS_BY_NAME, facet_counts
from .filters import FILTER_PARAMS, ItemFilterSet, filter_errors, filter_query
from .models import PurgedLetter
from .presenters import determination_as_dict
from .responses import bad_request, original_unavailable
from .search_vector import search_choices

PAGE_SIZE = 25
FACET_TOP = 6  # values shown before "more"
FACET_LIMIT = 100  # values listed per facet at most (selected ones always)
SORT_LABELS = (("relevance", "Relevance"), ("newest", "Newest first"), ("oldest", "Oldest first"))


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    filterset = ItemFilterSet(request.GET)
    errors = filter_errors(filterset, extra=paging.PAGE_PARAMS)
    q = filterset.search_text if filterset.is_valid() else ""
    page_request, page_errors = paging.page_request(request.GET, q=q, size=PAGE_SIZE)
    if errors or page_errors:
        return bad_request(request, errors + page_errors)
    plan = plans.plan_for(filterset)
    results = selectors.items_browse(
        filterset=filterset, request=page_request, size=PAGE_SIZE, plan=plan
    )
    counts = facet_counts(filterset, limit=FACET_LIMIT, plan=plan)
    active = filterset.active
    query = filter_query(active)
    return render(
        request,
        "determinations/browse.html",
        {
            "results": results,
            "total_display": f"{results.total:,}",
            "interval_display": _interval_display(results.estimate),
            "rank_cap_display": f"{results.rank_cap:,}",
            "q": q,
            "search_parts": search_choices(filterset.search_fields if q else ()),
            "sort": page_request.sort,
            "sorts": SORT_LABELS,
            "facets": [
                {
                    "facet": facet,
                    "top": counts[facet.name][:FACET_TOP],
                    "more": counts[facet.name][FACET_TOP:],
                    "open": any(v.selected for v in counts[facet.name][FACET_TOP:]),
                }
                for facet in FACETS
            ],
            "chips": _chips(active, counts),
            "counts_estimated": any(v.estimated for values in counts.values() for v in values),
            "filter_query": query,
            "next_query": _page_query(query, results, page_request),
        },
    )


def _interval_display(estimate) -> str:
    if estimate is None:
        return ""
    return f"{estimate.low:,}\u2013{estimate.high:,}"


def _chips(active: dict[str, list[str]], counts) -> list[dict]:
    """One removable chip per active value: its label and the URL without it."""
    chips = []
    for name, values in active.items():
        facet = FACETS_BY_NAME.get(name)
        labels = {v.value: v.label for v in counts.get(name, [])}
        for value in values:
            rest = [
                (k, v)
                for k in FILTER_PARAMS
                for v in active.get(k, [])
                if not (k == name and v == value)
            ]
            chips.append(
                {
                    "name": facet.label if facet else ItemFilterSet.base_filters[name].label,
                    "value": labels.get(str(value), value),
                    "url": "?" + urlencode(rest) if rest else reverse("determinations:browse"),
                }
            )
    return chips


def _page_query(filter_query: str, results, page_request) -> str | None:
    """Query string of the next page, keeping the filters and the sort."""
    extra = [("sort", page_request.sort)]
    if results.next_cursor is not None:
        extra.append(("cursor", str(results.next_cursor)))
    elif results.next_page is not None:
        extra.append(("page", str(results.next_page)))
    else:
        return None
    return "&".join(part for part in (filter_query, urlencode(extra)) if part)


def _determination_or_error(request: HttpRequest, key: str):
    determination = selectors.determination_get(key=key)
    if determination is None:
        # 410, not 404: the page existed and was removed on purpose, and search engines and
        # caches drop a 410 at once. Nothing of the purge (who, why) is said.
        purged = PurgedLetter.objects.filter(key=key).only("purged_at").first()
        if purged is None:
            raise Http404(f"No determination with key {key!r}.")
        context = {"key": key, "purged_at": purged.purged_at}
        return None, render(request, "determinations/purged.html", context, status=410)
    if determination.is_withdrawn:
        return None, render(
            request, "determinations/withdrawn.html", {"determination": determination}, status=410
        )
    return determination, None


@require_GET
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


@require_GET
def detail_json(request: HttpRequest, key: str) -> HttpResponse:
    determination, gone = _determination_or_error(request, key)
    if gone:
        error = "This determination has been withdrawn or removed."
        return JsonResponse({"error": error}, status=410)
    data = determination_as_dict(
        determination, url=request.build_absolute_uri(determination.get_absolute_url())
    )
    return JsonResponse(data, json_dumps_params={"indent": 2})


@require_GET
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
