"""``/check/``: a form for a treatment request, and the archive's history for it (check.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from . import charts, check
from .responses import bad_request
from .tracking import without_tracking


@without_tracking
def check_page(request: HttpRequest) -> HttpResponse:
    """The form alone without a ``request``; with one, its reading and its history."""
    context = {"max_chars": check.MAX_CHARS, "not_advice": check.NOT_ADVICE}
    if not request.GET:
        return render(request, "determinations/check.html", context)
    text, errors = check.request_errors(request.GET)
    if errors:
        return bad_request(request, errors)
    found = check.request_check(text)
    basis = urlencode(found.basis)
    stats_url = reverse("determinations:stats")
    browse_url = f"{reverse('determinations:browse')}?{basis}"
    context.update(
        text=text,
        check=found,
        **charts.rate_texts(found.rate),
        years=[_row(r, browse_url) for r in found.by_year],
        reasons=[_row(r, browse_url) for r in found.reasons],
        reason_note=check.REASON.rate_note,
        browse_url=browse_url,
        stats_url=f"{stats_url}?{basis}",
        trend_url=f"{stats_url}?{basis}&{urlencode({'by': 'outcome', 'over': 'year'})}",
    )
    return render(request, "determinations/check.html", context)


def _row(rate, browse_url: str) -> dict:
    """A row of ``_rate_table.html``: the group's rate, interval and its browse address."""
    return {
        "rate": rate,
        "href": f"{browse_url}&{urlencode(rate.params)}",
        **charts.rate_texts(rate),
    }
