"""Error responses the pages, exports and feed share: the 400 page and the plain-text 400."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def bad_request(request: HttpRequest, errors: list[str]) -> HttpResponse:
    """The 400 page, listing every problem with the query string."""
    return render(request, "400.html", {"errors": errors}, status=400)


def plain_bad_request(errors: list[str]) -> HttpResponse:
    """Machine clients (curl, feed readers) get the problems as plain text."""
    text = "Bad request:\n" + "".join(f"- {error}\n" for error in errors)
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
