"""Read replicas: the public read views read the archive from a replica, everything else from
the primary (docs/scaling.md, "Step 4").

Django's router only sees the model, not the request, so the switch is request-scoped: the
``public_read`` decorator (applied in the URL configurations) picks a replica that answers and
sets it in a context variable for the view; the router and ``read_connection()`` (for the raw SQL
of the summaries, samples and facets) read it. Outside such a view, for any write, for the models
of other apps (sessions, users, the task queue) and while an atomic block is open on the primary,
everything goes to the primary. Without ``DATABASE_REPLICA_URLS`` the decorator does nothing.

Fallback: a replica that cannot be reached when the request starts (a short ``connect_timeout``)
is skipped for ``DATABASE_REPLICA_RETRY_SECONDS`` and the request reads from the primary; a view
whose replica fails with an operational error before the response leaves (a streamed export's
first block included) runs again on the primary. Public read views only read, so running one
again is safe.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import random
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import FileResponse

from . import query_budget

logger = logging.getLogger(__name__)

# Only the archive's own tables are read from a replica: sessions, users, login throttling and the
# task queue stay on the primary, where the requests that wrote them read them back.
REPLICATED_APPS = {"determinations"}

_route: contextvars.ContextVar[str | None] = contextvars.ContextVar("imr_read_route", default=None)
_down_until: dict[str, float] = {}  # replica alias -> time.monotonic() until which it is skipped


def read_alias() -> str:
    """The alias reads go to now: the request's replica, unless none was chosen or an atomic
    block is open on the primary (a transaction reads what it wrote)."""
    alias = _route.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def read_connection():
    """The connection for raw read SQL (``with read_connection().cursor() as cursor``)."""
    return connections[read_alias()]


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads of the archive's tables follow ``read_alias()``; writes
    and migrations go to the primary only."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPLICATED_APPS:
            return read_alias()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@contextlib.contextmanager
def routed_to(alias: str):
    """Within the block, reads of the archive go to ``alias`` (as in a public read view)."""
    token = _route.set(alias)
    try:
        yield
    finally:
        _route.reset(token)


def healthy_replica() -> str | None:
    """A replica that is connected now (tried in random order), or None: each one that fails
    to connect is skipped for the next ``DATABASE_REPLICA_RETRY_SECONDS``."""
    now = time.monotonic()
    candidates = [a for a in settings.DATABASE_REPLICAS if _down_until.get(a, 0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        connection = connections[alias]
        try:
            connection.close_if_health_check_failed()
            connection.ensure_connection()
        except (OperationalError, InterfaceError) as exc:
            mark_down(alias, exc)
            continue
        return alias
    return None


def mark_down(alias: str, exc: Exception) -> None:
    """Skip ``alias`` for a while and drop its connection."""
    seconds = settings.DATABASE_REPLICA_RETRY_SECONDS
    _down_until[alias] = time.monotonic() + seconds
    logger.warning("Replica %r failed (%s); reading from the primary for %d s", alias, exc, seconds)
    with contextlib.suppress(DatabaseError):  # it was broken already
        connections[alias].close()


def public_read(view):
    """Run ``view`` (a public, read-only view) with its reads on a replica, falling back to the
    primary; a streamed response's blocks are made with the same replica. Either way within the
    query budget (``query_budget``): a statement past it gives the 503 that says so."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        alias = healthy_replica() if settings.DATABASE_REPLICAS else None
        if alias is None:
            return _on_primary(view, request, *args, **kwargs)
        try:
            with routed_to(alias):
                query_budget.impose(alias)
                response = view(request, *args, **kwargs)
                if _streams_rows(response):
                    query_budget.lift(alias)
                    response.streaming_content = _routed_stream(response.streaming_content, alias)
            return response
        except (OperationalError, InterfaceError) as exc:
            if query_budget.cancelled(exc):  # slow, not failed: as slow on the primary
                return query_budget.over_budget(request)
            if not _usable(alias):
                mark_down(alias, exc)
            logger.warning(
                "A read on replica %r failed (%s); running it on the primary", alias, exc
            )
        return _on_primary(view, request, *args, **kwargs)

    wrapped.public_read = True  # imr_archive.middleware.QueryBudgetMiddleware lets it be
    return wrapped


def _streams_rows(response) -> bool:
    """Whether ``response`` makes its rows (SQL) after the view returns: a streamed export, so
    outside the budget (a full export is meant to be long); a file streams no SQL."""
    return response.streaming and not isinstance(response, FileResponse)


def _on_primary(view, request, *args, **kwargs):
    """``view`` reading from the primary, within the query budget."""
    try:
        query_budget.impose(DEFAULT_DB_ALIAS)
        response = view(request, *args, **kwargs)
    except OperationalError as exc:
        if query_budget.cancelled(exc):
            return query_budget.over_budget(request)
        raise
    if _streams_rows(response):
        query_budget.lift(DEFAULT_DB_ALIAS)
    return response


def _routed_stream(content: Iterator[bytes], alias: str) -> Iterator[bytes]:
    """``content`` with each block made on ``alias``; the first block is made now, inside the
    view, so that a replica failing before any byte is sent is retried on the primary."""
    first = _next_on(content, alias)

    def blocks():
        if first is not None:
            yield first
            while (block := _next_on(content, alias)) is not None:
                yield block

    return blocks()


def _next_on(content: Iterator[bytes], alias: str) -> bytes | None:
    with routed_to(alias):
        return next(content, None)


def _usable(alias: str) -> bool:
    connection = connections[alias]
    try:
        return connection.connection is not None and connection.is_usable()
    except DatabaseError:
        return False
