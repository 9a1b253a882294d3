"""``manage.py worker``: django-tasks-db's ``db_worker`` that survives the database going away.

``db_worker`` exits with a traceback when its connection breaks, and nothing parses until a
person restarts it. This command runs the same worker loop (same options) and, when the database
is lost, waits for it with a capped exponential backoff (each wait logged), then resumes in the
same process. Before the first task and after every reconnection it re-queues the letters left
``pending`` (what ``reparse --pending --enqueue`` does, without re-marking letters another worker
may just have parsed): a task cut off by the outage is redone, and a letter is still parsed once,
because each parse takes the letter's row lock and skips letters already parsed
(``services.letter_parse_once``). On start and every ``--sweep-every`` seconds (in a thread, so
an idle worker sweeps too) it also removes staged upload files that no batch lists, left by a
request killed mid-upload (``services.staging_sweep``).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from determinations import services

logger = logging.getLogger("determinations.worker")

DATABASE_LOST = (OperationalError, InterfaceError)
# Exception class paths of a task that failed because its connection broke (a short outage that
# was over by the time the worker recorded the failure).
LOST_PATHS = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")
PARSE_TASK = "determinations.tasks.parse_letters"


class DatabaseLost(Exception):
    """A task failed on a broken connection: recover before taking the next one."""


def backoff_delays(first: float, cap: float):
    """first, 2 * first, 4 * first, ... never more than ``cap`` (seconds), forever."""
    delay = max(first, 0.01)
    while True:
        yield min(delay, cap)
        delay = min(delay * 2, cap)


def close_connections() -> None:
    """Drop every connection; a broken one may raise on close, which is fine here."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # it is being thrown away
            conn.close()


def database_reachable() -> bool:
    close_connections()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DATABASE_LOST:
        return False


def letters_requeue_pending() -> tuple[int, int]:
    """Queue parse tasks for pending letters no ready task holds; (letters queued, tasks).

    Letters whose task was claimed by a worker that died or lost its connection stay ``pending``
    with no task to finish them. Their status is left as it is: a letter another worker parses
    meanwhile is then skipped by the queued task, not parsed again."""

    from determinations.choices import ParseStatus
    from determinations.models import Letter

    queued: set[int] = set()
    for args_kwargs in (
        DBTaskResult.objects.ready()
        .filter(task_path=PARSE_TASK)
        .values_list("args_kwargs", flat=True)
    ):
        queued.update((args_kwargs.get("kwargs") or {}).get("letter_ids") or [])
        for arg in args_kwargs.get("args") or []:
            queued.update(arg if isinstance(arg, list) else [])
    pending = Letter.objects.filter(status=ParseStatus.PENDING).order_by("pk")
    ids = [pk for pk in pending.values_list("pk", flat=True) if pk not in queued]
    return len(ids), services.letters_enqueue_parse(letter_ids=ids)


def staging_sweep() -> int | None:
    """``services.staging_sweep``, logged: how many files it removed, or None when the database
    went away (which only postpones it)."""
    try:
        removed = services.staging_sweep()
    except DATABASE_LOST as exc:
        logger.warning("staging sweep postponed: the database is unavailable (%s)", exc)
        return None
    if removed:
        logger.info("removed %d orphan staged upload file(s)", removed)
    return removed


class StagingSweeper(threading.Thread):
    """Runs ``staging_sweep`` every ``every`` seconds until stopped (a daemon: the worker's exit
    never waits for it). Its database connection is its own and closed after each sweep."""

    def __init__(self, every: float) -> None:
        super().__init__(name="staging-sweeper", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                staging_sweep()
            except Exception:  # one failed sweep must not end the next ones
                logger.exception("staging sweep failed")
            finally:
                close_connections()

    def stop(self) -> None:
        self.stopped.set()


class SurvivingWorker(Worker):
    """db_worker's loop; a task failed by a broken connection ends the loop to recover."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.exception_class_path in LOST_PATHS:
            raise DatabaseLost(db_task_result.exception_class_path)


class Command(DBWorkerCommand):
    help = (
        "Run a database background worker that waits for the database when it goes away "
        "(capped exponential backoff) and re-queues pending letters on start and reconnection."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--backoff-first",
            type=float,
            default=1.0,
            help="Seconds before the first reconnection attempt (default: %(default)s).",
        )
        parser.add_argument(
            "--backoff-max",
            type=float,
            default=30.0,
            help="Longest wait between reconnection attempts (default: %(default)s).",
        )
        parser.add_argument(
            "--no-recover",
            action="store_false",
            dest="recover",
            help="Do not re-queue pending letters on start and after a reconnection.",
        )
        parser.add_argument(
            "--sweep-every",
            type=float,
            default=3600.0,
            help="Seconds between removals of orphan staged upload files (also done on start; "
            "0: on start only; default: %(default)s).",
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        backoff_first,
        backoff_max,
        recover,
        sweep_every,
        **options,
    ) -> None:
        self.configure_logging(verbosity)
        if verbosity and not logger.hasHandlers():
            logger.addHandler(logging.StreamHandler(self.stdout))
        logger.setLevel(logging.INFO if verbosity else logging.WARNING)
        # --reload (db_worker's default under DEBUG) is not supported: code changes need a
        # restart of this worker.
        worker = SurvivingWorker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
        )
        # SIGTERM/SIGINT: finish the current task, or exit at once while idle or waiting.
        worker.configure_signals()
        sweeper = StagingSweeper(sweep_every) if sweep_every > 0 else None
        if sweeper is not None:
            sweeper.start()
        try:
            self.work(worker, worker_id, recover, backoff_first, backoff_max)
        finally:
            if sweeper is not None:
                sweeper.stop()

    def work(self, worker, worker_id, recover: bool, backoff_first: float, backoff_max: float):
        """The worker loop, recovered after every outage; returns when the loop is done."""
        swept, outages = False, 0
        while worker.running:
            try:
                if recover:
                    letters, tasks = letters_requeue_pending()
                    batches = services.batches_requeue()  # a re-run of a batch is skipped
                    if letters or batches or outages:
                        logger.info(
                            "worker %s: re-queued %d pending letter(s) in %d task(s), "
                            "%d unfinished upload(s)",
                            worker_id,
                            letters,
                            tasks,
                            batches,
                        )
                if not swept:  # once per start (the sweeper thread does the rest)
                    swept = staging_sweep() is not None
                worker.run()
                return  # --batch or --max-tasks done, or a graceful shutdown
            except (*DATABASE_LOST, DatabaseLost) as exc:
                outages += 1
                self.wait_for_database(exc, worker, backoff_first, backoff_max, outages)

    def wait_for_database(self, exc, worker, first: float, cap: float, outage: int) -> None:
        """Sleep with capped exponential backoff until a connection works again."""
        first_line = (str(exc).strip().splitlines() or [""])[0]  # a message may be blank
        reason = f"{type(exc).__name__}: {first_line}"
        lost_at = time.monotonic()
        logger.warning("worker %s: lost the database (%s)", worker.worker_id, reason)
        for attempt, delay in enumerate(backoff_delays(first, cap), start=1):
            logger.warning(
                "worker %s: database unavailable, attempt %d in %.1f s",
                worker.worker_id,
                attempt,
                delay,
            )
            time.sleep(delay)
            if not worker.running:
                return
            if database_reachable():
                logger.warning(
                    "worker %s: database back after %.1f s (outage %d); resuming",
                    worker.worker_id,
                    time.monotonic() - lost_at,
                    outage,
                )
                return
