"""Admin uploads that finish: the request only stages the files, a worker receives them chunk by
chunk (each chunk with its parse tasks), resumes after any interruption, and the batch page
says when nothing is moving it."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter, UploadBatch, UploadResult
from determinations.storage import AtomicFileSystemStorage

pytestmark = pytest.mark.django_db

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))
UPLOAD_URL = reverse("admin:determinations_uploadbatch_upload")
NOBODY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nobody works it
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # rows, no worker
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def numbered(number: int) -> bytes:
    return b"Case Number: CM17-%07d\n" % number + TEXTS[0].read_bytes()


def a_zip(count: int, start: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(start, start + count):
            archive.writestr(f"CM17-{number:07d}.txt", numbered(number))
    return buffer.getvalue()


def upload(client, name: str, data: bytes):
    return client.post(UPLOAD_URL, {"files": [SimpleUploadedFile(name, data)]})


def parse_tasks() -> list[list[int]]:
    """The letter ids of each parse task waiting in the database queue."""
    rows = DBTaskResult.objects.filter(task_path="determinations.tasks.parse_letters")
    return [row.args_kwargs["kwargs"]["letter_ids"] for row in rows.ready()]


def test_the_request_only_stages_the_files_and_queues_their_receipt(
    admin_client, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE

    def no_unpacking(*args, **kwargs):
        raise AssertionError("the request unpacked the upload")

    monkeypatch.setattr(services, "read_files", no_unpacking)
    monkeypatch.setattr(services, "receipts_for", no_unpacking)
    data = a_zip(5)
    response = upload(admin_client, "month.zip", data)
    assert response.status_code == 302
    batch = UploadBatch.objects.get()
    assert batch.state == "receiving" and batch.received_files == 0
    assert not Letter.objects.exists() and not UploadResult.objects.exists()
    (staged,) = batch.staged
    assert staged["name"] == "month.zip" and staged["size"] == len(data)
    assert staged["path"].startswith(f"uploads/{batch.pk}/")
    with default_storage.open(staged["path"], "rb") as handle:
        assert handle.read() == data
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "determinations.tasks.receive_batch"
    assert task.args_kwargs["kwargs"] == {"batch_id": batch.pk}
    html = admin_client.get(response["Location"]).content.decode()
    assert "Receiving" in html and 'http-equiv="refresh"' in html
    assert 'data-pending="receiving"' in html


def test_an_interrupted_receipt_resumes_after_the_last_committed_chunk(
    admin_client, settings, monkeypatch
):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(services, "RECEIVE_CHUNK", 3)
    upload(admin_client, "month.zip", a_zip(10))
    batch = UploadBatch.objects.get()

    real, calls = services._chunk_receive, []

    def dies_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)  # its rows are written, then the worker dies before the commit
        if len(calls) == 3:
            raise ConnectionError("drill: the worker died")

    monkeypatch.setattr(services, "_chunk_receive", dies_on_the_third_chunk)
    with pytest.raises(ConnectionError):
        services.batch_receive_staged(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == "receiving" and batch.received_files == 6  # two chunks committed
    assert Letter.objects.count() == 6 and batch.results.count() == 6
    assert sorted(i for ids in parse_tasks() for i in ids) == sorted(
        Letter.objects.values_list("pk", flat=True)
    )  # every stored letter queued with its chunk, none without

    monkeypatch.setattr(services, "_chunk_receive", real)
    assert services.batch_receive_staged(batch_id=batch.pk) == "received"
    assert services.batch_receive_staged(batch_id=batch.pk) == "skipped"  # done once only
    batch.refresh_from_db()
    assert batch.state == "received" and batch.received_files == 10 and batch.staged == []
    assert not default_storage.exists(f"uploads/{batch.pk}/0")  # staged files deleted
    assert Counter(batch.results.values_list("outcome", flat=True)) == {"new": 10}
    queued = [i for ids in parse_tasks() for i in ids]
    assert sorted(queued) == sorted(Letter.objects.values_list("pk", flat=True))
    assert len(queued) == len(set(queued)) == 10  # each letter in exactly one task

    for ids in parse_tasks():  # what the workers then do
        services.letters_parse(letter_ids=ids)
    assert Counter(Letter.objects.values_list("status", flat=True)) == {ParseStatus.PARSED: 10}


def test_a_run_that_another_run_overtook_stops_without_storing_anything(admin_client, settings):
    settings.TASKS = DATABASE_QUEUE
    upload(admin_client, "month.zip", a_zip(4))
    batch = UploadBatch.objects.get()
    chunk = [services.Incoming("x.txt", numbered(99), "text/plain")]
    assert not services._batch_chunk_commit(batch, chunk, position=2, seen=set())
    assert not Letter.objects.exists()


def test_a_re_upload_queues_letters_stored_but_never_queued(admin_client, settings):
    settings.TASKS = DATABASE_QUEUE
    # As a database stop used to leave them: stored, pending, no parse task.
    stuck = [services.letter_store(data=numbered(n), name=f"{n}.txt").letter for n in (1, 2)]
    queued = services.letter_store(data=numbered(3), name="3.txt").letter
    services.letters_enqueue_parse(letter_ids=[queued.pk])
    upload(admin_client, "again.zip", a_zip(4))
    services.batch_receive_staged(batch_id=UploadBatch.objects.order_by("-pk").first().pk)

    batch = UploadBatch.objects.order_by("-pk").first()
    outcomes = Counter(batch.results.values_list("outcome", flat=True))
    assert outcomes == {"duplicate": 3, "new": 1}
    per_letter = Counter(i for ids in parse_tasks() for i in ids)
    assert per_letter[stuck[0].pk] == per_letter[stuck[1].pk] == 1  # now queued
    assert per_letter[queued.pk] == 1  # already queued: not twice
    assert sum(per_letter.values()) == 4


def test_with_immediate_tasks_a_re_upload_parses_never_parsed_letters(admin_client, settings):
    settings.TASKS = IMMEDIATE
    letter = services.letter_store(data=numbered(7), name="7.txt").letter
    assert letter.status == ParseStatus.PENDING
    upload(admin_client, "7-again.txt", numbered(7))
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PARSED
    assert UploadBatch.objects.get().state == "received"


def test_a_worker_start_queues_batches_not_fully_received(admin_client, settings):
    settings.TASKS = NOBODY
    upload(admin_client, "month.zip", a_zip(3))
    batch = UploadBatch.objects.get()
    assert batch.state == "receiving"
    settings.TASKS = IMMEDIATE
    out = io.StringIO()
    call_command("reparse", "--pending", "--enqueue", stdout=out)
    assert "Queued 1 unfinished upload batch(es) again." in out.getvalue()
    batch.refresh_from_db()
    assert batch.state == "received" and batch.staged == []
    assert Counter(Letter.objects.values_list("status", flat=True)) == {ParseStatus.PARSED: 3}


def test_the_batch_page_says_when_no_worker_has_moved_it_for_minutes(admin_client, settings):
    settings.TASKS = NOBODY
    response = upload(admin_client, "month.zip", a_zip(2))
    batch = UploadBatch.objects.get()
    assert "batch-stalled" not in admin_client.get(response["Location"]).content.decode()

    UploadBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    html = admin_client.get(response["Location"]).content.decode()
    assert 'id="batch-stalled"' in html
    assert "no background worker seems to be running" in html
    assert "make worker" in html and "python manage.py worker" in html
    assert "db_worker" not in html  # it exits when the database goes away
    assert 'http-equiv="refresh"' in html  # it still refreshes: a worker may come

    # A worker did something a minute ago (on other work): this batch's tasks were lost.
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="determinations.tasks.parse_letters",
        backend_name="default",
        run_after=timezone.now(),
        status="SUCCESSFUL",
        finished_at=timezone.now() - dt.timedelta(minutes=1),
    )
    html = admin_client.get(response["Location"]).content.decode()
    assert "the workers are busy elsewhere" in html
    assert "manage.py reparse --pending --enqueue" in html


def test_a_staged_file_that_cannot_be_read_back_is_one_rejection(admin_client, settings):
    settings.TASKS = NOBODY
    upload(admin_client, "lost.zip", a_zip(2))
    batch = UploadBatch.objects.get()
    default_storage.delete(batch.staged[0]["path"])
    assert services.batch_receive_staged(batch_id=batch.pk) == "received"
    (result,) = batch.results.all()
    assert result.outcome == "rejected" and "could not be read back" in result.message


@pytest.mark.django_db(transaction=True)
def test_a_receipt_waits_for_a_lost_database_and_carries_on(admin_client, settings, monkeypatch):
    from django.db import OperationalError

    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setattr(services, "RECEIVE_CHUNK", 2)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)
    upload(admin_client, "month.zip", a_zip(5))
    batch = UploadBatch.objects.get()
    real, calls = services._chunk_receive, []

    def loses_the_database_once(*args, **kwargs):
        calls.append(1)
        real(*args, **kwargs)
        if len(calls) == 2:
            raise OperationalError("drill: the server closed the connection")

    monkeypatch.setattr(services, "_chunk_receive", loses_the_database_once)
    assert services.batch_receive_staged(batch_id=batch.pk) == "received"
    assert len(calls) == 4  # the second chunk was done again, once
    assert Counter(batch.results.values_list("outcome", flat=True)) == {"new": 5}
    queued = [i for ids in parse_tasks() for i in ids]
    assert sorted(queued) == sorted(Letter.objects.values_list("pk", flat=True))
    assert len(queued) == 5


def test_a_zip_with_a_member_name_that_lies_about_utf8_is_received_whole(admin_client, settings):
    from tests.test_uploads import a_zip_with_a_latin1_name_flagged_utf8

    settings.TASKS = IMMEDIATE
    upload(admin_client, "windows.zip", a_zip_with_a_latin1_name_flagged_utf8())
    batch = UploadBatch.objects.get()
    assert batch.state == "received"
    results = {r.name: r for r in batch.results.select_related("letter")}
    assert sorted(results) == [
        "windows.zip/first.txt",
        "windows.zip/last.txt",
        "windows.zip/r\ufffdesum\ufffde.txt",
    ]
    assert {r.outcome for r in results.values()} == {"new"}
    odd = results["windows.zip/r\ufffdesum\ufffde.txt"]
    assert "not UTF-8 are shown as \ufffd" in odd.message
    assert odd.letter.original_name == "windows.zip/r\ufffdesum\ufffde.txt"
    assert Letter.objects.count() == 3


def _age(path: str, hours: float) -> None:
    """Make a staged file (or folder) look ``hours`` old."""
    import os

    when = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(path), (when, when))


def test_the_sweep_removes_old_staged_files_no_batch_lists_and_nothing_a_batch_needs(
    admin_client, settings
):
    import os

    from django.core.files.base import ContentFile

    settings.TASKS = NOBODY  # the receiving batch stays unreceived: its files are needed
    upload(admin_client, "month.zip", a_zip(2))
    needed = UploadBatch.objects.get()
    (staged,) = needed.staged
    _age(staged["path"], 48)
    # A request killed (SIGKILL) after streaming two files, one mid-write: no batch row.
    killed = needed.pk + 1000
    orphans = [
        default_storage.save(f"uploads/{killed}/0", ContentFile(b"a")),
        default_storage.save(f"uploads/{killed}/.partial-x1y2", ContentFile(b"b")),
    ]
    # One still streaming right now (young, no batch row yet).
    streaming = default_storage.save(f"uploads/{killed + 1}/0", ContentFile(b"c"))
    # A received batch whose staged file could not be deleted then (its list was cleared).
    left = default_storage.save(f"uploads/{needed.pk}/9", ContentFile(b"d"))
    for path in (*orphans, left):
        _age(path, 25)

    assert services.staging_sweep() == 3
    assert not any(default_storage.exists(p) for p in (*orphans, left))
    assert not os.path.exists(default_storage.path(f"uploads/{killed}"))  # its folder too
    assert default_storage.exists(staged["path"])  # needed, however old
    assert default_storage.exists(streaming)  # maybe a request still streaming
    assert services.staging_sweep() == 0

    settings.TASKS = IMMEDIATE  # the batch is received: its staged file and folder go
    services.batches_requeue()
    assert UploadBatch.objects.get().state == "received"
    assert not os.path.exists(default_storage.path(f"uploads/{needed.pk}"))


def test_a_request_killed_while_staging_keeps_none_of_its_files(settings):
    """gunicorn's timeout ends a request with SystemExit: the batch row rolls back, and the
    files staged so far went with it (before: they stayed, listed by no batch)."""
    import os

    settings.TASKS = NOBODY

    def files():
        yield "a.txt", SimpleUploadedFile("a.txt", numbered(1))
        yield "b.txt", SimpleUploadedFile("b.txt", numbered(2))
        raise SystemExit(1)  # the worker's abort, mid-stream

    with pytest.raises(SystemExit):
        services.batch_stage(files=files())
    assert not UploadBatch.objects.exists()
    root = default_storage.path("uploads")
    assert not os.path.exists(root) or not any(files for _, _, files in os.walk(root))


def test_a_staged_file_that_cannot_be_opened_for_now_is_not_recorded_as_lost(
    admin_client, settings, monkeypatch
):
    """Too many open files (every staged file was opened at once), an I/O error: the receipt
    fails and is retried; before, the file was a rejection and its staged copy was deleted."""
    import errno

    settings.TASKS = NOBODY
    upload(admin_client, "month.zip", a_zip(2))
    batch = UploadBatch.objects.get()

    def too_many(self, name, mode="rb"):
        raise OSError(errno.EMFILE, "Too many open files")

    with monkeypatch.context() as patch:
        patch.setattr(AtomicFileSystemStorage, "open", too_many)
        with pytest.raises(OSError, match="Too many open files"):
            services.batch_receive_staged(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == "receiving" and not batch.results.exists()
    assert default_storage.exists(batch.staged[0]["path"])

    assert services.batch_receive_staged(batch_id=batch.pk) == "received"
    assert Counter(batch.results.values_list("outcome", flat=True)) == {"new": 2}


def test_staged_files_are_opened_one_at_a_time(admin_client, settings, monkeypatch):
    """A batch may stage DATA_UPLOAD_MAX_NUMBER_FILES files (1,000): all open at once came
    close to a worker's 1,024 file descriptors."""
    settings.TASKS = NOBODY
    admin_client.post(
        UPLOAD_URL,
        {"files": [SimpleUploadedFile(f"{n}.txt", numbered(n)) for n in range(1, 6)]},
    )
    batch = UploadBatch.objects.get()
    opened, real_open = [], AtomicFileSystemStorage.open

    def tracked(self, name, mode="rb"):
        assert all(handle.closed for handle in opened), "a staged file was still open"
        opened.append(real_open(self, name, mode))
        return opened[-1]

    monkeypatch.setattr(AtomicFileSystemStorage, "open", tracked)
    assert services.batch_receive_staged(batch_id=batch.pk) == "received"
    assert len(opened) == 5 and all(handle.closed for handle in opened)


def test_a_worker_start_does_not_queue_a_batch_whose_receipt_is_still_waiting(
    admin_client, settings
):
    """Each worker start queued every unfinished batch again: N workers starting together
    queued N more receipts, each re-reading the batch's ZIPs in parallel only to be skipped."""
    settings.TASKS = DATABASE_QUEUE
    upload(admin_client, "month.zip", a_zip(2))
    receipts = DBTaskResult.objects.filter(task_path="determinations.tasks.receive_batch")
    assert receipts.ready().count() == 1
    assert services.batches_requeue() == 0
    assert receipts.count() == 1
    # Claimed by a worker that died: it stays "running" for good, so it is queued again.
    receipts.update(status="RUNNING", worker_ids=["dead"])
    assert services.batches_requeue() == 1
    assert receipts.ready().count() == 1
