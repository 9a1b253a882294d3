"""Read replicas (imr_archive/db_router.py): the public read views read from a replica, the rest
from the primary, and a replica that is down or fails costs a fallback to the primary, never an
error page.

The replica aliases are the settings' test aliases: ``test_replica`` is a test mirror of the
test database (a second connection to it), ``test_replica_down`` points at a port where nothing
listens. A second connection sees only committed rows, so these tests commit
(``transaction=True``).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from determinations import paging, summaries
from determinations.models import Determination, Letter
from imr_archive import db_router

from .builders import a_determination, a_parse, an_item

REPLICA = "test_replica"
DOWN = "test_replica_down"
ROUTER = ["imr_archive.db_router.ReplicaRouter"]
both = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA, DOWN])

PUBLIC = [
    "/",
    "/?q=mri",
    "/stats/",
    "/feed/",
    "/export/items.csv",
    "/export/items.jsonl",
    "/api/items/",
    "/api/determinations/",
    "/api/facets/",
    "/api/stats/",
]


@pytest.fixture(autouse=True)
def _forget_failures():
    db_router._down_until.clear()
    yield
    db_router._down_until.clear()


@pytest.fixture
def replicas(settings):
    """Route to ``test_replica`` (``settings.DATABASE_REPLICAS`` may be changed by the test)."""
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_ROUTERS = ROUTER
    return settings


@pytest.fixture
def archive():
    determination = a_determination(
        a_parse(items=[an_item(), an_item(outcome="overturned", service="MRI of the knee")])
    )
    summaries.summaries_refresh()
    return determination


def get_all(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def archive_sql(queries) -> list[str]:
    return [q["sql"] for q in queries if "determinations_" in q["sql"]]


def timing(response) -> dict[str, str]:
    return dict(entry.split(";", 1) for entry in response["Server-Timing"].split(", "))


@both
@pytest.mark.parametrize("url", PUBLIC)
def test_public_views_read_the_archive_from_the_replica(client, replicas, archive, url):
    assert_read_from_the_replica(client, url)


def assert_read_from_the_replica(client, url: str) -> None:
    """``url`` answers 200 with the archive's tables read on the replica, none on the primary."""
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response, _ = get_all(client, url)
    assert response.status_code == 200
    assert archive_sql(on_replica.captured_queries)
    assert archive_sql(on_primary.captured_queries) == []


@both
def test_the_permalink_and_the_original_read_from_the_replica(client, replicas, archive):
    for url in (archive.get_absolute_url(), archive.get_absolute_url() + "original/"):
        assert_read_from_the_replica(client, url)
    assert "db-test_replica" in timing(client.get(archive.get_absolute_url()))


@both
def test_the_admin_reads_from_the_primary(client, replicas, archive):
    User.objects.create_superuser("admin", "admin@example.org", "pw-not-secret-1")
    client.login(username="admin", password="pw-not-secret-1")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        for url in ("/admin/determinations/determination/", "/admin/determinations/letter/"):
            assert client.get(url).status_code == 200
    assert on_replica.captured_queries == []


@both
def test_writes_and_transactions_go_to_the_primary(replicas, archive):
    with db_router.routed_to(REPLICA):
        assert router.db_for_read(Determination) == REPLICA
        assert db_router.read_connection().alias == REPLICA
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS  # sessions, users: the primary's
        assert router.db_for_write(Letter) == DEFAULT_DB_ALIAS
        with transaction.atomic():
            assert router.db_for_read(Determination) == DEFAULT_DB_ALIAS
            assert db_router.read_connection().alias == DEFAULT_DB_ALIAS
    assert router.db_for_read(Determination) == DEFAULT_DB_ALIAS  # outside a public view
    assert router.allow_migrate(REPLICA, "determinations") is False


@both
def test_the_walk_setting_is_local_to_the_replicas_transaction(replicas):
    with db_router.routed_to(REPLICA), paging.walking(True):
        assert connections[REPLICA].in_atomic_block
        assert not connections[DEFAULT_DB_ALIAS].in_atomic_block
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SHOW enable_bitmapscan")
            assert cursor.fetchone()[0] == "off"
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone()[0] == "on"


@both
def test_without_replicas_nothing_changes(client, settings, archive):
    assert settings.DATABASE_REPLICAS == []
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        for url in PUBLIC:
            assert get_all(client, url)[0].status_code == 200
    assert on_replica.captured_queries == []


@both
@pytest.mark.parametrize("url", ["/", "/stats/", "/export/items.csv", "/api/facets/"])
def test_a_replica_that_cannot_connect_falls_back_to_the_primary(client, replicas, archive, url):
    replicas.DATABASE_REPLICAS = [DOWN]
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        response, _ = get_all(client, url)
    assert response.status_code == 200
    assert archive_sql(on_primary.captured_queries)
    assert DOWN in db_router._down_until  # skipped for DATABASE_REPLICA_RETRY_SECONDS
    assert db_router.healthy_replica() is None  # without trying it again


@both
def test_a_down_replica_is_skipped_and_a_healthy_one_used(client, replicas, archive, monkeypatch):
    replicas.DATABASE_REPLICAS = [DOWN, REPLICA]
    monkeypatch.setattr(db_router.random, "shuffle", lambda aliases: None)  # DOWN is tried first
    for _ in range(3):
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert client.get("/").status_code == 200
        assert archive_sql(on_replica.captured_queries)
    assert DOWN in db_router._down_until


def failing(execute, sql, params, many, context):
    raise OperationalError("canceling statement due to conflict with recovery")


@both
@pytest.mark.parametrize("url", ["/", "/export/items.jsonl", "/api/determinations/"])
def test_a_read_that_fails_on_the_replica_runs_again_on_the_primary(client, replicas, archive, url):
    expected = get_all(client, url)[1]
    with (
        connections[REPLICA].execute_wrapper(failing),
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
    ):
        response, body = get_all(client, url)
    assert response.status_code == 200
    assert body == expected  # the whole page or export, from the primary
    assert archive_sql(on_primary.captured_queries)
    assert REPLICA not in db_router._down_until  # it still answers: not skipped
