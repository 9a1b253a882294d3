"""Security headers Django 5.2 does not set by itself."""

from __future__ import annotations

import contextlib
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from determinations import plans

from . import query_budget

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """A strict Content Security Policy (no inline scripts or styles) and a Permissions-Policy.

    Letters are untrusted text: even if escaping failed somewhere, the browser would refuse to
    run an injected script. ``CONTENT_SECURITY_POLICY`` in settings overrides the default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class QueryBudgetMiddleware:
    """Before any view but a public read (``db_router.public_read``), lifts the public reads'
    query budget, which their persistent connection keeps from one to the next
    (``query_budget``): the admin, logins and uploads run with the server's own timeout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "public_read", False):
            query_budget.lift()


class ServerTimingMiddleware:
    """``Server-Timing``: the request's database time and query count, and how its counts were
    made (``determinations.plans``), so an operator sees in the browser's network panel or with
    ``curl -I`` which strategy answered and what it cost.

    Timed with a database execute wrapper on every alias; a streamed response's later queries
    (exports) are not in it. ``db`` is all of them; with read replicas, ``db-replica`` (one entry
    per replica alias that answered) says which part a replica answered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timers = {alias: _QueryTimer() for alias in connections}
        recorded, token = plans.recording()
        try:
            with contextlib.ExitStack() as stack:
                for alias, timer in timers.items():
                    stack.enter_context(connections[alias].execute_wrapper(timer))
                response = self.get_response(request)
        finally:
            plans.stop_recording(token)
        seconds = sum(timer.seconds for timer in timers.values())
        queries = sum(timer.queries for timer in timers.values())
        entries = [f'db;dur={seconds * 1000:.1f};desc="{queries} queries"']
        for alias, timer in timers.items():
            if alias != DEFAULT_DB_ALIAS and timer.queries:
                entries.append(
                    f'db-{alias};dur={timer.seconds * 1000:.1f};desc="{timer.queries} queries"'
                )
        for number, plan in enumerate(recorded, 1):
            entries.append(f'count{"" if number == 1 else number};desc="{_quoted(plan)}"')
        response.headers["Server-Timing"] = ", ".join(entries)
        return response


class _QueryTimer:
    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def _quoted(plan) -> str:
    """The plan's description as a header quoted-string: printable ASCII, no quote or '\\'."""
    text = plan.description.encode("ascii", "replace").decode()
    return "".join(c for c in text if c.isprintable() and c not in '"\\')[:300]
