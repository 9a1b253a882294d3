"""Tracking parameters that newsletters and social sites append to shared links.

An HTML page's address with ``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``mc_eid`` or
``ref`` is answered with a 301 to the same address without them, before the page checks its
parameters (any other unknown one is still a 400). Permanent, because the clean address is the
page's one address whatever the data: search engines and link checkers record it instead, and
caching the redirect can never show a stale page (the archive reads none of these values; the
access log still has them). The API, exports and feed stay strict: their clients build their
own addresses.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponsePermanentRedirect

TRACKING_NAMES = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref"})
TRACKING_PREFIX = "utm_"


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_NAMES or name.startswith(TRACKING_PREFIX)


def without_tracking(view):
    """Decorate an HTML view: a 301 to its address without tracking parameters, if it has any."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not any(is_tracking(name) for name in request.GET):
            return view(request, *args, **kwargs)
        kept = [
            (name, value)
            for name, values in request.GET.lists()
            if not is_tracking(name)
            for value in values
        ]
        query = urlencode(kept)
        return HttpResponsePermanentRedirect(f"{request.path}?{query}" if query else request.path)

    return wrapper
