"""A public read's time budget: while a public read view runs, each of its SQL statements may
take at most ``PUBLIC_QUERY_TIMEOUT_SECONDS`` (PostgreSQL's ``statement_timeout``, set on the
view's read connection).

The setting is sticky: a persistent connection keeps it from one public read to the next, and
any other view (the admin, a login, an upload) lifts it first (``QueryBudgetMiddleware``), as does
a streamed export before its rows. Setting and resetting it around every page cost two of a
permalink's five round trips (docs/performance.md, "Stop 31").

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


# On a connection wrapper: (its database connection, milliseconds) of the budget set on it.
_MARK = "imr_query_budget"


def impose(alias: str) -> None:
    """Bind the statements that follow on ``alias`` by the budget, unless its connection is so
    bound already. Inside an open transaction nothing is set."""
    seconds = settings.PUBLIC_QUERY_TIMEOUT_SECONDS
    connection = connections[alias]
    if not seconds or connection.in_atomic_block:
        return
    milliseconds = int(seconds * 1000)
    connection.ensure_connection()
    mark = getattr(connection, _MARK, None)
    if mark is not None and mark[0] is connection.connection and mark[1] == milliseconds:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {milliseconds}")
    setattr(connection, _MARK, (connection.connection, milliseconds))


def lift(alias: str | None = None) -> None:
    """Back to the server's own timeout on ``alias`` (every open connection when None), where
    the budget is set, so that what runs next (an admin's page, an export's rows) is not bound
    by it; a connection that cannot say so is closed."""
    for connection in [connections[alias]] if alias else connections.all(initialized_only=True):
        mark = getattr(connection, _MARK, None)
        if mark is None:
            continue
        setattr(connection, _MARK, None)
        if mark[0] is not connection.connection or connection.connection is None:
            continue  # connected again since: the server's own timeout
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
