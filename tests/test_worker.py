"""``manage.py worker``: it waits for a lost database and resumes, re-queuing pending letters.

The real outage (a PostgreSQL server stopped and started under a running worker) is the
``worker-database-stop`` drill in bench/drills.py; here the loop's decisions are checked with the
outage simulated.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from determinations import services
from determinations.choices import ParseStatus
from determinations.management.commands import worker as worker_command

LETTERS = Path(__file__).parent / "assets" / "letters"
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db


def a_pending_letter(index: int = 0):
    path = sorted(LETTERS.glob("0*.txt"))[index]
    return services.letter_store(data=path.read_bytes(), name=path.name).letter


def test_backoff_doubles_up_to_its_cap():
    delays = list(itertools.islice(worker_command.backoff_delays(0.5, 4), 7))
    assert delays == [0.5, 1, 2, 4, 4, 4, 4]


def test_pending_letters_are_requeued_once_and_never_re_marked(settings):
    settings.TASKS = DB_QUEUE
    queued = a_pending_letter(0)
    services.letters_enqueue_parse(letter_ids=[queued.pk])  # already has a ready task
    orphan = a_pending_letter(1)  # its task died with a worker: no ready task holds it
    parsed = a_pending_letter(2)
    services.letters_parse(letter_ids=[parsed.pk])

    assert worker_command.letters_requeue_pending() == (1, 1)
    ready = [r.args_kwargs["kwargs"]["letter_ids"] for r in DBTaskResult.objects.ready()]
    assert sorted(ready) == sorted([[queued.pk], [orphan.pk]])
    parsed.refresh_from_db()
    assert parsed.status == ParseStatus.PARSED
    assert worker_command.letters_requeue_pending() == (0, 0)  # nothing twice


def test_the_worker_waits_for_the_database_then_parses_what_was_pending(
    settings, monkeypatch, caplog
):
    settings.TASKS = DB_QUEUE
    letter = a_pending_letter(3)
    sleeps: list[float] = []
    monkeypatch.setattr(worker_command.time, "sleep", sleeps.append)
    monkeypatch.setattr(worker_command.SurvivingWorker, "configure_signals", lambda self: None)
    # The loop's connection check would close the test's connection (it sits in a transaction).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    # The database is gone for the first two loops and the first probe.
    real_run = worker_command.SurvivingWorker.run
    outcomes = iter([OperationalError("server closed the connection unexpectedly")] * 2)

    def run(self):
        failure = next(outcomes, None)
        if failure:
            raise failure
        return real_run(self)

    monkeypatch.setattr(worker_command.SurvivingWorker, "run", run)
    probes = iter([False, True, True])
    monkeypatch.setattr(worker_command, "database_reachable", lambda: next(probes))

    with caplog.at_level(logging.INFO, logger="determinations.worker"):
        call_command(
            "worker", "--batch", "--no-startup-delay", "--backoff-first", "2", "--backoff-max", "3"
        )

    assert sleeps[:3] == [2, 3, 2]  # outage 1: 2 s, then capped at 3 s; outage 2 starts over
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PARSED
    assert hasattr(letter, "determination")
    messages = [r.getMessage() for r in caplog.records if r.name == "determinations.worker"]
    assert sum("lost the database" in m for m in messages) == 2
    assert sum("database back after" in m for m in messages) == 2
    assert any("re-queued 1 pending letter(s)" in m for m in messages)


def surviving_worker() -> worker_command.SurvivingWorker:
    """The worker loop as ``manage.py worker`` builds it, for one batch of the default queue."""
    return worker_command.SurvivingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="t",
    )


def test_a_task_failed_by_a_broken_connection_ends_the_loop_for_recovery():
    result = DBTaskResult(exception_class_path="django.db.utils.OperationalError")
    worker = surviving_worker()
    monkey = pytest.MonkeyPatch()
    monkey.setattr(worker_command.Worker, "run_task", lambda self, r: None)
    try:
        with pytest.raises(worker_command.DatabaseLost):
            worker.run_task(result)
        result.exception_class_path = "builtins.ValueError"
        worker.run_task(result)  # an ordinary failure stays the task's own
    finally:
        monkey.undo()


def test_the_worker_removes_orphan_staged_files_on_start(settings, monkeypatch, caplog):
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    settings.TASKS = DB_QUEUE
    orphan = default_storage.save("uploads/777/0", ContentFile(b"a killed request's file"))
    old = (timezone.now() - services.STAGED_ORPHAN_AGE).timestamp() - 60
    os.utime(default_storage.path(orphan), (old, old))
    monkeypatch.setattr(worker_command.SurvivingWorker, "configure_signals", lambda self: None)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with caplog.at_level(logging.INFO, logger="determinations.worker"):
        call_command("worker", "--batch", "--no-startup-delay", "--sweep-every", "0")
    assert not default_storage.exists(orphan)
    assert "removed 1 orphan staged upload file(s)" in caplog.text


def test_the_sweeper_thread_sweeps_periodically_and_survives_a_lost_database(monkeypatch):
    import threading

    calls, enough = [], threading.Event()

    def sweep(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the server closed the connection")
        if len(calls) >= 3:
            enough.set()
        return 0

    monkeypatch.setattr(services, "staging_sweep", sweep)
    sweeper = worker_command.StagingSweeper(every=0.01)
    sweeper.start()
    try:
        assert enough.wait(5), "the sweeper stopped after a failed sweep"
    finally:
        sweeper.stop()
        sweeper.join(5)
    assert not sweeper.is_alive()


def test_a_lost_database_with_a_blank_message_is_waited_for_not_a_crash(monkeypatch):
    """The log line took the message's first line: a message of only white space (str() true,
    nothing left once stripped) raised IndexError and ended the worker."""
    worker = surviving_worker()
    monkeypatch.setattr(worker_command.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(worker_command, "database_reachable", lambda: True)
    command = worker_command.Command()
    command.wait_for_database(OperationalError("\n"), worker, 1, 1, 1)  # returns: it is back
