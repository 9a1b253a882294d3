"""Settings read the environment strictly and default to safe values."""

import importlib
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from imr_archive import env


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("", False),
        ("off", False),
    ],
)
def test_it_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG") is expected


def test_it_rejects_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env.env_bool("X_FLAG")


def test_it_rejects_a_malformed_integer(monkeypatch):
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT must be an integer"):
        env.env_int("X_INT", 1)


def test_it_enforces_an_integer_minimum(monkeypatch):
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("X_INT", 5, minimum=1)


def test_it_splits_lists_and_drops_empty_items(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env.env_list("X_LIST") == ["a.example", "b.example"]


def _load_settings(monkeypatch, **environ):
    """Import a fresh copy of the settings module under the given environment."""
    for name in (
        "DEBUG",
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "IMR_TESTING",
        "DATABASE_REPLICA_URLS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMR_TESTING", "0")  # judge the settings as production would
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        sys.modules.pop("imr_archive.settings", None)
        return importlib.import_module("imr_archive.settings")
    finally:
        sys.modules.pop("imr_archive.settings", None)


def test_it_refuses_to_start_without_a_secret_key_in_production(
    monkeypatch,
):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        _load_settings(monkeypatch, DATABASE_URL="postgres://u:p@db.example:5432/imr")


def test_it_defaults_to_debug_off_and_secure_cookies(monkeypatch):
    module = _load_settings(
        monkeypatch, SECRET_KEY="s" * 50, DATABASE_URL="postgres://u:p@db.example:5432/imr"
    )
    assert module.DEBUG is False
    assert module.SESSION_COOKIE_SECURE is True
    assert module.ALLOWED_HOSTS == []


def test_it_uses_database_url_when_set(monkeypatch):
    module = _load_settings(
        monkeypatch, SECRET_KEY="s" * 50, DATABASE_URL="postgres://u:p@db.example:6543/imr"
    )
    db = module.DATABASES["default"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        6543,
        "imr",
    )


def test_it_rejects_a_non_postgresql_database_url(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
        _load_settings(monkeypatch, SECRET_KEY="s" * 50, DATABASE_URL="sqlite:///x.db")


def test_it_uses_the_embedded_server_when_database_url_is_unset(monkeypatch, settings):
    module = _load_settings(monkeypatch, DEBUG="1")
    db = module.DATABASES["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["HOST"].startswith("/")  # a Unix socket of the server under var/
    assert db["HOST"] == settings.DATABASES["default"]["HOST"]


@pytest.mark.django_db
def test_the_test_database_runs_on_postgresql():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 140000


@pytest.mark.parametrize("raw", ["-1", "one"])
def test_it_rejects_a_bad_trusted_proxy_count(monkeypatch, raw):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        _load_settings(
            monkeypatch,
            SECRET_KEY="s" * 50,
            DATABASE_URL="postgres://u:p@db.example:5432/imr",
            TRUSTED_PROXY_COUNT=raw,
        )


def test_it_trusts_no_proxy_by_default(monkeypatch):
    module = _load_settings(
        monkeypatch, SECRET_KEY="s" * 50, DATABASE_URL="postgres://u:p@db.example:5432/imr"
    )
    assert module.TRUSTED_PROXY_COUNT == 0
    assert module.AXES_CLIENT_IP_CALLABLE == "imr_archive.client_ip.client_ip"


def test_it_adds_one_alias_per_replica_url_with_a_short_connect_timeout(monkeypatch):
    module = _load_settings(
        monkeypatch,
        SECRET_KEY="s" * 50,
        DATABASE_URL="postgres://u:p@db.example:5432/imr",
        DATABASE_REPLICA_URLS="postgres://u:p@r1.example/imr, postgres://u:p@r2.example/imr",
    )
    assert module.DATABASE_REPLICAS == ["replica", "replica2"]
    assert module.DATABASE_ROUTERS == ["imr_archive.db_router.ReplicaRouter"]
    first = module.DATABASES["replica"]
    assert (first["HOST"], first["OPTIONS"]["connect_timeout"]) == ("r1.example", 2)
    assert first["TEST"] == {"MIRROR": "default"}
    assert module.DATABASES["replica2"]["HOST"] == "r2.example"


def test_it_has_no_replica_and_no_router_by_default(monkeypatch):
    module = _load_settings(
        monkeypatch, SECRET_KEY="s" * 50, DATABASE_URL="postgres://u:p@db.example:5432/imr"
    )
    assert module.DATABASE_REPLICAS == []
    assert module.DATABASE_ROUTERS == []
    assert list(module.DATABASES) == ["default"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [("sqlite:///x.db", "item 1 must point to PostgreSQL"), ("postgres://u:p@h/d,nope", "item 2")],
)
def test_it_rejects_a_bad_replica_url_without_repeating_it(monkeypatch, raw, message):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        _load_settings(
            monkeypatch,
            SECRET_KEY="s" * 50,
            DATABASE_URL="postgres://u:p@db.example:5432/imr",
            DATABASE_REPLICA_URLS=raw,
        )
    assert "u:p" not in str(caught.value)
