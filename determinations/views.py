"""Public pages: browse, permalink, original download, JSON version."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .presenters import determination_as_dict

PAGE_SIZE = 25


@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.items_list(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "determinations/browse.html", {"page": page})


def _determination_or_error(request: HttpRequest, key: str):
    determination = selectors.determination_get(key=key)
    if determination is None:
        raise Http404(f"No determination with key {key!r}.")
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
        },
    )


@require_GET
def detail_json(request: HttpRequest, key: str) -> HttpResponse:
    determination, gone = _determination_or_error(request, key)
    if gone:
        return JsonResponse({"error": "This determination has been withdrawn."}, status=410)
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
    response = FileResponse(
        letter.original.open("rb"),
        as_attachment=True,
        filename=f"{determination.key}{extension}",
        content_type=letter.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
