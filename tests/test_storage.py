"""Nothing lost under faults (issue 14): atomic originals, verify_originals, the 503 of a missing
original, and file names that are recorded whatever the client or the disk gives."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter, UploadBatch, UploadResult, original_upload_path
from tests.builders import a_determination

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXT = sorted(ASSETS.glob("*.txt"))[0].read_bytes()
UPLOAD_URL = reverse("admin:determinations_uploadbatch_upload")


def numbered(number: int) -> bytes:
    return b"Case Number: CM17-%07d\n" % number + TEXT


def address(data: bytes) -> str:
    return original_upload_path(Letter(sha256=services.sha256_hex(data)), "")


def files_beside(name: str) -> list[str]:
    """Every file in the directory of storage name ``name`` (partial writes included)."""
    directory = Path(default_storage.path(name)).parent
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@pytest.fixture
def full_disk(monkeypatch):
    """Every write of an original fails half-way with ENOSPC, as on a full disk."""

    def chunks(self, chunk_size=None):
        data = self.read()
        yield data[: len(data) // 2]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ContentFile, "chunks", chunks)
    return monkeypatch


# --- Storage you can trust -----------------------------------------------------------------------


def test_saving_over_an_existing_name_replaces_it_in_place_with_no_suffixed_copy():
    name = address(b"the full letter")
    default_storage.save(name, ContentFile(b"the fu"))
    assert default_storage.save(name, ContentFile(b"the full letter")) == name
    assert files_beside(name) == [Path(name).name]
    with default_storage.open(name) as handle:
        assert handle.read() == b"the full letter"


def test_a_failed_write_leaves_nothing_at_the_address_and_no_partial_file(full_disk):
    name = address(b"a letter the disk has no room for")
    with pytest.raises(OSError, match="No space left"):
        default_storage.save(name, ContentFile(b"a letter the disk has no room for"))
    assert not default_storage.exists(name)
    assert files_beside(name) == []


def test_a_mismatching_file_at_the_address_is_rewritten_in_place():
    data = numbered(1)
    name = address(data)
    default_storage.save(name, ContentFile(data[:100]))  # what a killed run left
    assert services.original_write(name=name, data=data) == name
    with default_storage.open(name) as handle:
        assert handle.read() == data
    assert files_beside(name) == [Path(name).name]


def test_concurrent_writers_of_the_same_bytes_end_with_one_file():
    data = numbered(2)
    name = address(data)
    start, names, errors = threading.Barrier(8), [], []

    def write():
        start.wait()
        try:
            names.append(services.original_write(name=name, data=data))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(names) == {name}
    assert files_beside(name) == [Path(name).name]
    with default_storage.open(name) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == services.sha256_hex(data)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_uploads_of_the_same_files_leave_one_original_each():
    from django.db import connection

    from determinations.uploads import Incoming

    files = [Incoming(f"{n}.txt", numbered(200 + n), "text/plain") for n in range(20)]
    start, errors = threading.Barrier(2), []

    def upload():
        start.wait()
        try:
            services.batch_receive(files=files, source="test")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Letter.objects.count() == 20
    stored = sorted(
        p.name for p in Path(default_storage.path("originals")).rglob("*") if p.is_file()
    )
    assert stored == sorted(letter.sha256 for letter in Letter.objects.all())
    outcomes = UploadResult.objects.values_list("outcome", flat=True)
    assert sorted(set(outcomes)) == ["duplicate", "new"] and len(outcomes) == 40


@pytest.mark.django_db
def test_an_admin_upload_on_a_full_disk_says_so_per_file_and_stores_nothing(
    admin_client, full_disk
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = numbered(3)
    admin_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile("full.txt", data)]})
    result = UploadResult.objects.get()
    assert result.outcome == UploadResult.Outcome.REJECTED
    assert result.message.startswith("could not be stored, nothing was kept (No space left on")
    assert not Letter.objects.exists()
    assert files_beside(address(data)) == []

    full_disk.undo()  # space again: the same file goes in, parsed, its original whole
    admin_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile("full.txt", data)]})
    letter = Letter.objects.get()
    assert letter.status == ParseStatus.PARSED
    with letter.original.open("rb") as handle:
        assert handle.read() == data


@pytest.mark.django_db(transaction=True)
def test_ingest_letters_on_a_full_disk_ends_with_one_clear_line_and_resumes(tmp_path, full_disk):
    folder = tmp_path / "letters"
    folder.mkdir()
    for number in range(3):
        (folder / f"{number}.txt").write_bytes(numbered(10 + number))
    with pytest.raises(CommandError) as raised:
        call_command(
            "ingest_letters", str(folder), workers=1, no_progress=True, stdout=io.StringIO()
        )
    message = str(raised.value)
    assert message.startswith("Could not store an original: No space left on device")
    assert "\n" not in message and "run the same command again" in message
    assert not Letter.objects.exists()
    assert all(files_beside(address(numbered(10 + n))) == [] for n in range(3))

    full_disk.undo()
    out = io.StringIO()
    call_command("ingest_letters", str(folder), workers=1, no_progress=True, stdout=out)
    assert "new 3 (parsed 3" in out.getvalue()
    call_command("verify_originals", no_progress=True, stdout=io.StringIO())


# --- verify_originals ----------------------------------------------------------------------------


def stored_letters(count: int) -> list[Letter]:
    return [
        services.letter_store(data=numbered(100 + n), name=f"folder/CM17-{n}.txt").letter
        for n in range(count)
    ]


@pytest.mark.django_db
def test_verify_originals_passes_a_whole_archive():
    stored_letters(3)
    out = io.StringIO()
    call_command("verify_originals", no_progress=True, stdout=out)
    assert out.getvalue().strip() == "checked 3 originals: 3 good, 0 bad"


@pytest.mark.django_db
def test_verify_originals_names_each_bad_letter_and_repairs_from_given_files(tmp_path):
    missing, short, damaged, good = stored_letters(4)
    Path(missing.original.path).unlink()
    Path(short.original.path).write_bytes(b"")
    data = bytearray(Path(damaged.original.path).read_bytes())
    data[10] ^= 1
    Path(damaged.original.path).write_bytes(bytes(data))

    out = io.StringIO()
    with pytest.raises(CommandError, match="3 of 4 originals are missing or damaged"):
        call_command("verify_originals", no_progress=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert f"missing: letter {missing.pk} folder/CM17-0.txt" in lines
    assert (
        f"wrong size (0 bytes, expected {short.size}): letter {short.pk} folder/CM17-1.txt" in lines
    )
    assert f"wrong SHA-256: letter {damaged.pk} folder/CM17-2.txt" in lines
    assert lines[-1] == "checked 4 originals: 1 good, 3 bad"

    backup = tmp_path / "backup"
    (backup / "deep").mkdir(parents=True)
    (backup / "deep" / "a.txt").write_bytes(numbered(100))
    (backup / "b.txt").write_bytes(numbered(101))
    (backup / "decoy.txt").write_bytes(bytes(data))  # the damaged bytes: never taken
    single = tmp_path / "c.txt"
    single.write_bytes(numbered(999))  # no letter's bytes
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 4 originals"):
        call_command(
            "verify_originals", repair=[str(backup), str(single)], no_progress=True, stdout=out
        )
    text = out.getvalue()
    assert f"repaired: letter {missing.pk} folder/CM17-0.txt from {backup}/deep/a.txt" in text
    assert f"repaired: letter {short.pk} folder/CM17-1.txt from {backup}/b.txt" in text
    assert "repaired 2, still bad 1" in text
    assert f"still wrong SHA-256: letter {damaged.pk} folder/CM17-2.txt" in text

    (backup / "d.txt").write_bytes(numbered(102))
    call_command("verify_originals", repair=[str(backup)], no_progress=True, stdout=io.StringIO())
    for letter in (missing, short, damaged, good):
        assert hashlib.sha256(Path(letter.original.path).read_bytes()).hexdigest() == letter.sha256


# --- A missing original is a 503, not a 500 -------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_original_answers_a_clear_503_on_the_permalink_and_in_the_admin(
    client, admin_client
):
    determination = a_determination()
    Path(determination.letter.original.path).unlink()
    public = client.get(reverse("determinations:original", args=[determination.key]))
    admin = admin_client.get(reverse("admin_letter_original", args=[determination.letter.pk]))
    for response in (public, admin):
        assert response.status_code == 503
        text = response.content.decode()
        assert "missing from the archive" in text and "manage.py verify_originals" in text


# --- Names ---------------------------------------------------------------------------------------


def multipart(name: bytes, data: bytes) -> tuple[bytes, str]:
    boundary = "----drill-boundary-7e3f"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="files"; filename="'
        + name
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def post_zip(admin_client, members: dict[str, bytes], name: str = "m.zip"):
    """Upload one ZIP of ``members`` through the admin's upload page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return admin_client.post(UPLOAD_URL, {"files": [SimpleUploadedFile(name, buffer.getvalue())]})


@pytest.mark.django_db
def test_a_multipart_file_name_that_is_not_utf8_is_recorded_with_replacement(admin_client):
    """Django's parser skips a header line it cannot decode: the file vanished, unrecorded."""
    body, content_type = multipart(b"lettre-caf\xe9.txt", numbered(20))
    response = admin_client.post(UPLOAD_URL, body, content_type=content_type)
    assert response.status_code == 302
    result = UploadBatch.objects.get().results.get()
    assert result.name == "lettre-caf\ufffd.txt"
    assert result.outcome == UploadResult.Outcome.NEW
    assert result.letter.original_name == "lettre-caf\ufffd.txt"
    assert "not UTF-8" in result.message


@pytest.mark.django_db
def test_an_over_long_file_name_is_cut_with_a_warning_not_fatal_to_the_post(admin_client):
    """A part's headers had to fit in 1,024 bytes: a longer name refused the whole post (400)."""
    name = "x" * 1996 + ".txt"
    body, content_type = multipart(name.encode(), numbered(21))
    response = admin_client.post(UPLOAD_URL, body, content_type=content_type)
    assert response.status_code == 302
    result = UploadBatch.objects.get().results.get()
    assert result.outcome == UploadResult.Outcome.NEW
    assert result.name == name[-500:]
    assert result.letter.original_name == name[-255:]
    assert result.message == "file name cut to its last 255 characters (it had 2000)"


@pytest.mark.django_db
def test_zip_member_names_lose_their_control_characters_with_a_warning(admin_client):
    post_zip(admin_client, {"in\x07side\u202e.txt": numbered(22)})
    result = UploadResult.objects.get()
    assert result.name == "m.zip/inside.txt"
    assert result.letter.original_name == "m.zip/inside.txt"
    assert result.message == "control characters removed from the file name"


@pytest.mark.django_db(transaction=True)
def test_ingest_letters_records_undecodable_and_control_character_paths(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9\x01.txt")).write_bytes(numbered(23))
    out = io.StringIO()
    call_command("ingest_letters", str(folder), workers=1, no_progress=True, stdout=out)
    assert "new 1 (parsed 1" in out.getvalue()
    result = UploadResult.objects.get()
    assert result.name == f"{folder}/caf\ufffd.txt"
    assert result.letter.original_name == f"{folder}/caf\ufffd.txt"
    assert "not UTF-8" in result.message and "control characters removed" in result.message


def test_the_name_rule_decodes_cleans_and_keeps_the_end():
    assert services.name_fit(b"a\xff\x00b.txt", Letter, "original_name") == "a\ufffdb.txt"
    assert services.name_fit("d/" * 200 + "end.txt", Letter, "original_name").endswith("/end.txt")
    assert len(services.name_fit("d/" * 200 + "end.txt", Letter, "original_name")) == 255
    assert services.name_warning("plain.txt") == ""


@pytest.mark.django_db
def test_a_long_file_name_of_bytes_that_are_not_utf8_is_cut_not_fatal_to_the_post(admin_client):
    """Each undecodable byte becomes three (U+FFFD): 30,000 of them outgrew the 64 KB allowed
    for a part's headers once replaced, and the whole post was refused (400)."""
    body, content_type = multipart(b"\xe9" * 30000 + b".txt", numbered(23))
    response = admin_client.post(UPLOAD_URL, body, content_type=content_type)
    assert response.status_code == 302
    result = UploadBatch.objects.get().results.get()
    assert result.outcome == UploadResult.Outcome.NEW
    assert result.letter.original_name == "\ufffd" * 251 + ".txt"
    assert "not UTF-8" in result.message and "cut to its last 255" in result.message


@pytest.mark.django_db
def test_a_long_non_ascii_extension_does_not_break_the_temporary_upload_file(
    admin_client, settings
):
    """Django names a temporary upload file after the name's extension: 150 characters of
    'é' are 300 bytes, past the file system's 255, and the upload failed (OSError)."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    name = "letter." + "é" * 150
    body, content_type = multipart(name.encode(), numbered(24))
    response = admin_client.post(UPLOAD_URL, body, content_type=content_type)
    assert response.status_code == 302
    result = UploadBatch.objects.get().results.get()
    assert result.outcome == UploadResult.Outcome.NEW
    assert result.letter.original_name == name[-255:]


@pytest.mark.django_db
def test_a_browsers_escaped_quotes_and_line_breaks_in_a_file_name_are_decoded(admin_client):
    """A browser's form sends '"', CR and LF in a file name as %22, %0D, %0A."""
    body, content_type = multipart(b"quote%22s 'single'%0A.txt", numbered(24))
    admin_client.post(UPLOAD_URL, body, content_type=content_type)
    result = UploadResult.objects.get()
    assert result.name == "quote\"s 'single'.txt"
    assert result.message == "control characters removed from the file name"


@pytest.mark.django_db
def test_the_batch_page_shows_what_was_changed_in_a_new_letters_name(admin_client):
    post_zip(admin_client, {"in\x07side.txt": numbered(25)})
    batch = UploadBatch.objects.get()
    page = admin_client.get(
        reverse("admin:determinations_uploadbatch_change", args=[batch.pk])
    ).content.decode()
    assert "control characters removed from the file name" in page


@pytest.mark.django_db
def test_a_zip_of_folders_only_is_one_row_that_says_so(admin_client):
    post_zip(admin_client, {"a/": b"", "__MACOSX/a/._x.pdf": b"\x00\x05"}, name="e.zip")
    result = UploadResult.objects.get()
    assert (result.name, result.outcome) == ("e.zip", UploadResult.Outcome.REJECTED)
    assert "the ZIP holds no files" in result.message


@pytest.mark.django_db
def test_the_batch_counts_put_a_reissue_under_needs_review_and_count_purged_files(admin_client):
    from determinations import batches

    first = services.letter_parse(
        letter=services.letter_store(data=numbered(26), name="a.txt").letter
    )
    again = numbered(26).replace(b"Case Number", b"Case  Number", 1)
    batch = services.batch_receive(files=[services.Incoming("b.txt", again, "text/plain")])
    counts = batches.batch_counts(batch)
    assert (counts["review"], counts["parsed"], counts["warnings"]) == (1, 0, 0)
    services.letter_purge(letter=batch.letters.get(), user=None, reason="test")
    counts = batches.batch_counts(batch)
    assert (counts["purged"], counts["review"]) == (1, 0)
    assert first.pk


@pytest.mark.django_db
def test_too_many_files_in_one_upload_says_the_limit_and_the_way_around_it(admin_client, settings):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(f"{n}.txt", numbered(30 + n)) for n in range(3)]
    admin_client.raise_request_exception = False
    response = admin_client.post(UPLOAD_URL, {"files": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "More than 2 files were sent in one upload" in page and "ZIP archive" in page
    assert UPLOAD_URL in page
    assert "2 files and" in admin_client.get(UPLOAD_URL).content.decode()
