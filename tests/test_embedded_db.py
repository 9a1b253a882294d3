"""The embedded server refuses a data directory of the old server with the command that upgrades
it, and that upgrade (the old pgserver PostgreSQL 16, dumped and restored into the current
embedded server) keeps every row and the old directory."""

import shutil
import tempfile
import warnings
from pathlib import Path

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured

from imr_archive import embedded_db, embedded_upgrade


def test_an_old_data_directory_is_refused_with_what_to_run(tmp_path):
    data_dir = tmp_path / "pgdata"
    data_dir.mkdir()
    (data_dir / "PG_VERSION").write_text("16\n")
    with pytest.raises(ImproperlyConfigured) as caught:
        embedded_db.database_settings(data_dir)
    message = str(caught.value)
    assert f"{data_dir} holds a PostgreSQL 16 data directory" in message
    assert "Run `make db-upgrade`" in message
    assert "keeps the old one as pgdata-16" in message
    assert embedded_db.stop(data_dir) is False  # nothing runs there


def test_nothing_to_upgrade_is_said_and_changes_nothing(tmp_path):
    said = []
    assert embedded_upgrade.upgrade(tmp_path / "pgdata", log=said.append) is None
    assert said == [f"{(tmp_path / 'pgdata').resolve()}: no data directory"]


def _connect(info, dbname):
    return psycopg.connect(**embedded_db.connection_params(info), dbname=dbname, autocommit=True)


@pytest.fixture
def old_data_dir():
    """A PostgreSQL 16 data directory made by the old embedded server, rows in two databases.

    In a directory of its own under /tmp, not pytest's: run as root, the servers run as system
    users that must traverse it, and pytest makes its own base directory private again whenever
    another session starts.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pgserver = pytest.importorskip("pgserver")  # requirements-upgrade.txt
    base = Path(tempfile.mkdtemp(prefix="imr_upgrade_"))
    var = base / "var"
    var.mkdir()
    data_dir = var / "pgdata"
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    info = server.get_postmaster_info()
    with _connect(info, "postgres") as conn:
        conn.execute("CREATE DATABASE archive_copy")
        conn.execute("CREATE TABLE letter (id int PRIMARY KEY, body text)")
        conn.execute("INSERT INTO letter SELECT n, 'letter ' || n FROM generate_series(1, 500) n")
        conn.execute("CREATE ROLE reader LOGIN")
    with _connect(info, "archive_copy") as conn:
        conn.execute("CREATE TABLE item (id int, word text)")
        conn.execute("INSERT INTO item VALUES (1, 'gabapentin'), (2, 'hydrocodone')")
    yield data_dir
    for path in (data_dir, embedded_upgrade.kept_dir(data_dir, "16")):
        embedded_db.stop(path)
    shutil.rmtree(base, ignore_errors=True)


def test_the_old_server_s_directory_is_upgraded_and_kept(old_data_dir):
    assert embedded_db.running_pid(old_data_dir) is not None  # left running, as before the switch
    said = []
    kept = embedded_upgrade.upgrade(old_data_dir, log=said.append)

    assert kept == old_data_dir.with_name("pgdata-16")
    assert embedded_db.data_dir_major(kept) == "16"
    assert embedded_db.running_pid(kept) is None
    assert embedded_db.data_dir_major(old_data_dir) == embedded_db.server_major() == "18"
    assert "every table's row count checked" in said[-1]
    assert f"kept at {kept}" in said[-1]

    settings = embedded_db.database_settings(old_data_dir)  # reuses the running new server
    info = type("Info", (), {"socket_dir": settings["HOST"], "port": int(settings["PORT"])})
    with _connect(info, "postgres") as conn:
        assert conn.execute("SHOW server_version").fetchone()[0].startswith("18.")
        assert conn.execute("SELECT count(*), max(body) FROM letter").fetchone() == (
            500,
            "letter 99",
        )
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'reader'").fetchone()
    with _connect(info, "archive_copy") as conn:
        words = conn.execute("SELECT word FROM item ORDER BY id").fetchall()
        assert words == [("gabapentin",), ("hydrocodone",)]

    with pytest.raises(embedded_upgrade.UpgradeError, match="pgdata-16 exists"):
        (old_data_dir / "PG_VERSION").write_text("16\n")  # as if a second old directory came
        try:
            embedded_upgrade.upgrade(old_data_dir, log=said.append)
        finally:
            (old_data_dir / "PG_VERSION").write_text("18\n")
