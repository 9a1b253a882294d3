"""The public read views' query budget (imr_archive/query_budget.py): a statement past it is
cancelled by PostgreSQL and the reader gets a 503 that says so (HTML, JSON or plain text), the
worker is free at once, and any other view, or a streamed export's rows, run with the server's
own timeout.

The slow statement is real: another connection holds a lock on the items table, so the page's
own query waits until PostgreSQL cancels it. These tests commit (``transaction=True``): inside a
test's transaction the budget is not set (a cancelled statement would end that transaction).
"""

from __future__ import annotations

import contextlib
import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from determinations import summaries

from .builders import a_determination, a_parse, an_item

REPLICA = "test_replica"
committed = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
BUDGET = 0.3  # seconds


@pytest.fixture
def budget(settings):
    settings.PUBLIC_QUERY_TIMEOUT_SECONDS = BUDGET
    return settings


@pytest.fixture
def archive():
    determination = a_determination(a_parse(items=[an_item()]))
    summaries.summaries_refresh()
    return determination


@contextlib.contextmanager
def items_locked():
    """Another session holds the items table so that any read of it waits (a real slow
    statement: the lock wait counts towards ``statement_timeout``)."""
    params = connections[DEFAULT_DB_ALIAS].get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params) as other:
        other.execute("LOCK TABLE determinations_disputeditem IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def server_timeout(alias: str = DEFAULT_DB_ALIAS) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@committed
@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("permalink", "text/html"),
        ("/", "text/html"),
        ("/stats/?category=Pharmaceuticals", "text/html"),
        ("/api/items/", "application/json"),
        ("/feed/", "text/plain"),
    ],
)
def test_a_question_past_the_budget_gets_a_503_that_says_so(client, budget, archive, url, kind):
    url = archive.get_absolute_url() if url == "permalink" else url
    started = time.monotonic()
    with items_locked():
        response = client.get(url)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response["Content-Type"].startswith(kind)
    assert response["Retry-After"] == "60"
    body = response.content.decode()
    assert "took longer than the archive allows" in body
    assert "Narrow it" in body
    assert elapsed < 5 * BUDGET + 2  # stopped by the budget, not by the lock's holder


@contextlib.contextmanager
def persistent_connection(alias: str = DEFAULT_DB_ALIAS):
    """The connection kept from one request to the next, as in production (``CONN_MAX_AGE``;
    the tests' is 0, a new connection a request)."""
    connection = connections[alias]
    connection.close()
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    try:
        yield connection
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = saved
        connection.close()


@committed
def test_within_the_budget_pages_answer_and_the_budget_is_set_once_a_connection(
    client, budget, archive
):
    with (
        persistent_connection() as connection,
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(archive.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200
        assert server_timeout() == f"{int(BUDGET * 1000)}ms"  # kept for the next public read
    sql = [q["sql"] for q in queries.captured_queries]
    assert sql[0] == f"SET statement_timeout = {int(BUDGET * 1000)}"
    assert sum("statement_timeout" in statement for statement in sql) == 2  # + the SHOW
    assert not any(statement.startswith("RESET") for statement in sql)


@committed
def test_any_other_view_lifts_the_budget_before_it_runs(client, budget, archive):
    with persistent_connection() as connection:
        assert client.get(archive.get_absolute_url()).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/login/")
        assert queries.captured_queries[0]["sql"] == "RESET statement_timeout"
        assert server_timeout() == "0"
        with CaptureQueriesContext(connection) as queries:
            client.get("/admin/login/")  # lifted already: nothing to send
        assert not any("statement_timeout" in q["sql"] for q in queries.captured_queries)
        assert client.get(archive.get_absolute_url()).status_code == 200
        assert server_timeout() == f"{int(BUDGET * 1000)}ms"


@committed
def test_a_streamed_exports_rows_are_not_bound(client, budget, archive):
    with persistent_connection():
        response = client.get("/export/items.csv")
        assert response.streaming
        assert server_timeout() == "0"  # lifted before the rows are made
        b"".join(response.streaming_content)


@committed
def test_after_a_question_past_the_budget_the_admin_is_not_bound(client, budget, archive):
    with persistent_connection():
        with items_locked():
            assert client.get("/").status_code == 503
        client.get("/admin/login/")
        assert server_timeout() == "0"


@committed
def test_the_admin_and_the_write_path_are_not_bound(client, budget, archive):
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as queries:
        client.get("/admin/login/")
    assert not any("statement_timeout" in q["sql"] for q in queries.captured_queries)


@committed
def test_no_budget_when_it_is_zero(client, settings, archive):
    settings.PUBLIC_QUERY_TIMEOUT_SECONDS = 0
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as queries:
        assert client.get("/").status_code == 200
    assert not any("statement_timeout" in q["sql"] for q in queries.captured_queries)


@committed
def test_a_slow_question_on_a_replica_is_not_run_again_on_the_primary(client, budget, archive):
    budget.DATABASE_REPLICAS = [REPLICA]
    budget.DATABASE_ROUTERS = ["imr_archive.db_router.ReplicaRouter"]
    with (
        items_locked(),
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response = client.get(archive.get_absolute_url())
    assert response.status_code == 503
    assert not [q for q in on_primary.captured_queries if "determinations_" in q["sql"]]
    client.get("/admin/login/")  # any other view lifts the replica's budget too
    assert server_timeout(REPLICA) == "0"
