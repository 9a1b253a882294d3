"""One write path: the admin upload and the bulk import store letters through the same services
(hashing, rows, name and message rules, originals through the storage API), in bulk."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter, UploadBatch, UploadResult, original_upload_path
from determinations.uploads import Incoming

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))
# A ZIP member deep in folders: its name is longer than both the letter's and the result's column.
DEEP = "/".join(["a-folder-with-a-long-name-from-the-scanner"] * 14) + "/CM16-letter.txt"


def numbered(number: int, text: Path = TEXTS[0]) -> bytes:
    return b"Case Number: CM16-%07d\n" % number + text.read_bytes()


def a_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ingest(*paths) -> str:
    out = io.StringIO()
    call_command("ingest_letters", *map(str, paths), workers=1, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_both_paths_cut_long_names_the_same_way_and_word_duplicates_the_same_way(
    admin_client, tmp_path
):
    admin_client.post(
        reverse("admin:determinations_uploadbatch_upload"),
        {"files": [SimpleUploadedFile("month.zip", a_zip({DEEP: numbered(1)}))]},
    )
    archive = tmp_path / "month.zip"
    archive.write_bytes(a_zip({DEEP: numbered(2), "again.txt": numbered(1)}))
    ingest(archive)

    for source, full_name in (("admin", f"month.zip/{DEEP}"), ("command", f"{archive}/{DEEP}")):
        assert len(full_name) > 500
        result = UploadResult.objects.get(batch__source=source, outcome="new")
        assert result.name == full_name[-500:]
        assert result.letter.original_name == full_name[-255:]  # the end: the file's name
    duplicate = UploadResult.objects.get(outcome=UploadResult.Outcome.DUPLICATE)
    assert duplicate.message.startswith(f"already in the archive as {f'month.zip/{DEEP}'[-255:]}")
    assert duplicate.letter.original_name.endswith("/CM16-letter.txt")


@pytest.mark.django_db(transaction=True)
def test_a_half_written_original_a_killed_run_left_is_never_taken_for_the_letter(tmp_path):
    """Originals go through the storage API, which never trusts a file it did not just write."""
    from django.core.files.storage import default_storage

    data = numbered(3)
    letter_file = tmp_path / "letter.txt"
    letter_file.write_bytes(data)
    digest = services.sha256_hex(data)
    default_storage.save(original_upload_path(Letter(sha256=digest), ""), io.BytesIO(data[:100]))

    assert "new 1 " in ingest(letter_file)
    letter = Letter.objects.get()
    with letter.original.open("rb") as handle:
        assert handle.read() == data
    assert letter.status == ParseStatus.PARSED


@pytest.mark.django_db
def test_storing_an_upload_takes_the_same_few_queries_for_3_files_or_30():
    def store(count: int, start: int) -> int:
        batch = services.batch_create(source="test")
        files = [Incoming(f"{n}.txt", numbered(start + n), "text/plain") for n in range(count)]
        files += [Incoming("bad.bin", rejection="no"), Incoming("again.txt", files[0].data)]
        with CaptureQueriesContext(connection) as queries:
            receipts = services.receipts_for(files=files, batch=batch)
            results = services.receipts_store(receipts=receipts, batch=batch)
        assert [r.outcome for r in results[-2:]] == ["rejected", "duplicate"]
        assert results[-1].letter == results[0].letter
        assert Letter.objects.filter(batch=batch).count() == count
        return len(queries)

    assert store(3, 100) == store(30, 200)


@pytest.mark.django_db
def test_an_upload_larger_than_a_chunk_reports_duplicates_across_chunks(admin_client, monkeypatch):
    monkeypatch.setattr(services, "RECEIVE_CHUNK", 2)
    files = [SimpleUploadedFile(f"{n}.txt", numbered(300 + n)) for n in range(4)]
    files.append(SimpleUploadedFile("copy.txt", numbered(300)))
    admin_client.post(reverse("admin:determinations_uploadbatch_upload"), {"files": files})
    results = {r.name: r for r in UploadBatch.objects.get().results.all()}
    assert [r.outcome for r in results.values()] == ["new"] * 4 + ["duplicate"]
    assert results["copy.txt"].message == "the same file as 0.txt, earlier in this upload"
    assert results["copy.txt"].letter == results["0.txt"].letter
    assert not Letter.objects.filter(status=ParseStatus.PENDING).exists()
