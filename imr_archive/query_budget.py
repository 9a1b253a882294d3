"""A public read's time budget: while a public read view runs, each of its SQL statements may
take at most ``PUBLIC_QUERY_TIMEOUT_SECONDS`` (PostgreSQL's ``statement_timeout``, set on the
view's read connection and reset after it).

Why: the web tier has one sync worker per core (docs/operations.md), so a question that no
summary or sample answers (a rare combination of filters at millions of letters) would hold a
worker, and with two such questions the whole site, for minutes. Past the budget the reader gets
a 503 that says what happened and what to do, never a 500 or a proxy's timeout. A streamed
export's rows are made after the view returns, outside the budget: a full export is meant to be
long. Inside an open transaction (tests, a caller's atomic block) nothing is set: a cancelled
statement would end the caller's transaction.
"""

from __future__ import annotations

import contextlib
import logging

import psycopg.errors
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

# The views whose readers are programs reading plain text (feed readers, curl into a file).
PLAIN_TEXT_VIEWS = {"feed", "export_csv", "export_jsonl"}


@contextlib.contextmanager
def budgeted(alias: str):
    """Within the block, statements on ``alias`` are cancelled after the budget."""
    seconds = settings.PUBLIC_QUERY_TIMEOUT_SECONDS
    connection = connections[alias]
    if not seconds or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        _reset(connection)


def _reset(connection) -> None:
    """Back to the server's own timeout, so the next request on this persistent connection
    (an admin's, a worker's) is not bound by the budget; a connection that cannot say so is
    closed."""
    if connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    except DatabaseError:
        with contextlib.suppress(DatabaseError):
            connection.close()


def cancelled(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement cancelled by the budget (Django's wrapper of psycopg's
    ``QueryCanceled``)."""
    return isinstance(exc.__cause__, psycopg.errors.QueryCanceled) or isinstance(
        exc, psycopg.errors.QueryCanceled
    )


def over_budget(request: HttpRequest) -> HttpResponse:
    """The 503 of a question past the budget: HTML for pages, JSON for the API, plain text for
    the feed and the exports."""
    seconds = settings.PUBLIC_QUERY_TIMEOUT_SECONDS
    logger.warning("over the %s s query budget: %s", seconds, request.get_full_path())
    message = (
        f"This question took longer than the archive allows one page ({seconds} s) and was "
        "stopped. Narrow it (a year, an outcome, a service or a category), or try again in a "
        "minute: the first questions after a restart read from disk."
    )
    match = request.resolver_match
    if match is not None and match.namespace == "api":
        response = JsonResponse({"errors": [message]}, status=503)
    elif match is not None and match.url_name in PLAIN_TEXT_VIEWS:
        response = HttpResponse(
            message + "\n", status=503, content_type="text/plain; charset=utf-8"
        )
    else:
        response = render(request, "503.html", {"message": message, "seconds": seconds}, status=503)
    response["Retry-After"] = "60"
    return response
