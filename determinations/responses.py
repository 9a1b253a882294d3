"""Error responses the pages, exports and feed share: the 400 page, the plain-text 400, and the
503 of an original missing from storage."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

logger = logging.getLogger(__name__)


_NAMED = re.compile(r"[Pp]arameters? '([^']{1,40})'(?: and '([^']{1,40})')?")


def bad_request(request: HttpRequest, errors: list[str]) -> HttpResponse:
    """The 400 page, listing every problem with the query string, and a link to the same page
    without the parameters they name (a reversed date range: the dates, not a dead end)."""
    named = {
        name for error in errors for match in _NAMED.finditer(error) for name in match.groups()
    }
    named.discard(None)
    context: dict = {"errors": errors}
    if named:
        kept = [(k, v) for k, values in request.GET.lists() if k not in named for v in values]
        context["without"] = (f"{request.path}?{urlencode(kept)}" if kept else request.path, named)
    return render(request, "400.html", context, status=400)


def bad_request_page(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: what Django itself refuses (outside DEBUG). Too many files in one upload
    says so, with the way around it, instead of "the request could not be understood"."""
    if isinstance(exception, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        context = {
            "errors": [
                f"More than {limit} files were sent in one upload; the limit is {limit}. Put "
                "them in a ZIP archive (one archive may hold many more), or upload them in "
                "smaller groups."
            ],
            "back": (reverse("admin:determinations_uploadbatch_upload"), "Back to Upload letters"),
        }
        return render(request, "400.html", context, status=400)
    return render(request, "400.html", status=400)


def plain_bad_request(errors: list[str]) -> HttpResponse:
    """Machine clients (curl, feed readers) get the problems as plain text."""
    text = "Bad request:\n" + "".join(f"- {error}\n" for error in errors)
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def original_unavailable(request: HttpRequest, letter, exc: OSError, determination=None):
    """The 503 page of a download whose original is missing or unreadable: the archive's fault,
    for an operator to repair (``verify_originals``), never a bare 500."""
    logger.error("original of letter %s (%s) unavailable: %s", letter.pk, letter.original, exc)
    context = {"letter": letter, "determination": determination}
    response = render(request, "determinations/original_missing.html", context, status=503)
    response["Retry-After"] = "3600"
    return response
