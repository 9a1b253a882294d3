"""Background parsing, re-parsing, withdrawal, re-issued letters and the bulk import command."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Determination, DisputedItem, Letter, UploadBatch
from determinations.parsing import PARSER_VERSION
from determinations.tasks import parse_letters
from determinations.uploads import Incoming

pytestmark = pytest.mark.django_db

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))
PDFS = sorted((ASSETS / "real").glob("*.pdf"))


def numbered(text: Path, number: int) -> bytes:
    """A sample letter with its own case number: a distinct letter with the same content."""
    return b"Case Number: CM16-%07d\n" % number + text.read_bytes()


def stored(data: bytes, name: str = "a.txt") -> Letter:
    return services.letter_store(data=data, name=name).letter


def test_the_parse_task_parses_pending_letters_and_running_it_twice_parses_once(monkeypatch):
    letters = [stored(numbered(TEXTS[n], 100 + n)) for n in range(3)]
    calls = []
    real = services.parse_letter_with_text
    monkeypatch.setattr(
        services, "parse_letter_with_text", lambda d, n="": calls.append(n) or real(d, n)
    )
    ids = [letter.pk for letter in letters]
    first = parse_letters.call(letter_ids=ids)
    second = parse_letters.call(letter_ids=ids)
    assert sum(first.values()) == 3 and "skipped" not in first
    assert second == {"skipped": 3}
    assert len(calls) == 3
    for letter in Letter.objects.all():
        assert letter.status == ParseStatus.PARSED and letter.parser_version == PARSER_VERSION


def test_a_batch_received_is_stored_first_and_parsed_through_the_queue():
    files = [Incoming(f"{n}.txt", numbered(TEXTS[n], 200 + n), "text/plain") for n in range(2)]
    batch = services.batch_receive(files=[*files, Incoming("x.bin", rejection="nope")])
    assert batch.results.count() == 3
    assert set(batch.letters.values_list("status", flat=True)) == {ParseStatus.PARSED}


def test_a_letter_left_pending_by_a_killed_worker_is_parsed_by_reparse_pending():
    letter = stored(numbered(TEXTS[0], 300))  # stored, its task never ran
    call_command("reparse", "--pending", stdout=io.StringIO(), stderr=io.StringIO())
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PARSED
    assert Determination.objects.get(letter=letter).key == "CM16-0000300"


def test_reparse_keeps_permalink_keys_and_refreshes_outdated_and_failed_letters():
    letter = services.letter_parse(letter=stored(TEXTS[1].read_bytes()))
    key = letter.determination.key
    Letter.objects.filter(pk=letter.pk).update(parser_version="0.0.1")
    failed = services.letter_parse(letter=stored(b"not a letter at all\n" * 3, "junk.txt"))
    assert failed.status == ParseStatus.FAILED
    out = io.StringIO()
    call_command("reparse", "--outdated", "--failed", stdout=out, stderr=io.StringIO())
    assert "Re-parsed 2 letter(s)" in out.getvalue()
    letter.refresh_from_db()
    assert letter.parser_version == PARSER_VERSION
    assert Determination.objects.get(letter=letter).key == key
    call_command("reparse", "--all", stdout=out, stderr=io.StringIO())
    assert Determination.objects.get(letter=letter).key == key


def test_reparse_without_a_selection_says_what_to_choose():
    with pytest.raises(CommandError, match="--failed, --outdated, --pending or --all"):
        call_command("reparse")


def test_a_withdrawn_determination_answers_410_and_leaves_the_browse_page(client):
    letter = services.letter_parse(letter=stored(numbered(TEXTS[2], 400)))
    determination = letter.determination
    assert client.get(determination.get_absolute_url()).status_code == 200
    services.determination_withdraw(determination=determination, reason="Sent in error.")
    assert client.get(determination.get_absolute_url()).status_code == 410
    assert "CM16-0000400" not in client.get("/").content.decode()
    services.determination_restore(determination=determination)
    assert client.get(determination.get_absolute_url()).status_code == 200


def test_a_reissued_letter_is_flagged_and_the_permalink_changes_only_when_an_admin_chooses(
    client,
):
    first = services.letter_parse(letter=stored(numbered(TEXTS[0], 500), "first.txt"))
    determination = first.determination
    second = services.letter_parse(letter=stored(numbered(TEXTS[3], 500), "second.txt"))
    assert second.reissue_of == determination and second.needs_review
    determination.refresh_from_db()
    assert determination.letter == first  # nothing overwritten silently
    before = client.get(determination.get_absolute_url()).content

    chosen = services.letter_choose_for_permalink(letter=second)
    assert chosen.pk == determination.pk and chosen.key == "CM16-0000500"
    assert chosen.letter == second
    second.refresh_from_db()
    assert not second.needs_review
    assert Letter.objects.filter(pk=first.pk).exists()  # the old letter is kept
    assert client.get(determination.get_absolute_url()).content != before


def test_choosing_a_letter_that_reissues_nothing_is_refused():
    letter = services.letter_parse(letter=stored(numbered(TEXTS[0], 600)))
    with pytest.raises(ValueError, match="not waiting for a choice"):
        services.letter_choose_for_permalink(letter=letter)


def test_the_admin_reissue_actions_choose_or_dismiss(admin_client):
    first = services.letter_parse(letter=stored(numbered(TEXTS[0], 700), "first.txt"))
    second = services.letter_parse(letter=stored(numbered(TEXTS[1], 700), "second.txt"))
    listing = admin_client.get("/admin/determinations/letter/?needs_review=yes")
    assert "second.txt" in listing.content.decode()
    assert "first.txt" not in listing.content.decode()
    page = admin_client.get(f"/admin/determinations/letter/{second.pk}/change/")
    assert "Its case number already has" in page.content.decode()
    admin_client.post(
        "/admin/determinations/letter/",
        {"action": "choose_for_permalink", "_selected_action": [second.pk]},
    )
    assert Determination.objects.get(key="CM16-0000700").letter_id == second.pk
    third = services.letter_parse(letter=stored(numbered(TEXTS[2], 700), "third.txt"))
    admin_client.post(
        "/admin/determinations/letter/",
        {"action": "keep_permalink", "_selected_action": [third.pk]},
    )
    third.refresh_from_db()
    assert not third.needs_review
    assert Determination.objects.get(key="CM16-0000700").letter_id == second.pk
    assert first.pk


def test_a_settled_reissue_stays_settled_when_its_letters_are_parsed_again():
    """A re-parse (``reparse --outdated`` after a parser upgrade) must not undo an admin's
    choice: neither a dismissed re-issue nor the letter a choice took off the permalink is
    asked about again."""
    first = services.letter_parse(letter=stored(numbered(TEXTS[0], 710), "first.txt"))
    second = services.letter_parse(letter=stored(numbered(TEXTS[1], 710), "second.txt"))
    third = services.letter_parse(letter=stored(numbered(TEXTS[2], 710), "third.txt"))
    services.letter_keep_permalink(letter=second)
    services.letter_choose_for_permalink(letter=third)
    services.letters_parse(letter_ids=[first.pk, second.pk, third.pk], again=True)
    for letter in (first, second, third):
        letter.refresh_from_db()
        assert not letter.needs_review, letter
    assert Determination.objects.get(key="CM16-0000710").letter_id == third.pk
    # a letter the parser now reads as another case that is taken is a new question
    Letter.objects.filter(pk=second.pk).update(reissue_settled_key="CM16-0000999")
    services.letters_parse(letter_ids=[second.pk], again=True)
    second.refresh_from_db()
    assert second.needs_review


def test_choosing_two_reissues_of_one_case_at_once_is_refused(admin_client):
    first = services.letter_parse(letter=stored(numbered(TEXTS[0], 720), "first.txt"))
    second = services.letter_parse(letter=stored(numbered(TEXTS[1], 720), "second.txt"))
    third = services.letter_parse(letter=stored(numbered(TEXTS[2], 720), "third.txt"))
    response = admin_client.post(
        "/admin/determinations/letter/",
        {"action": "choose_for_permalink", "_selected_action": [second.pk, third.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Not changed: " in page and "Choose one of them" in page
    assert Determination.objects.get(key="CM16-0000720").letter_id == first.pk
    assert (
        Letter.objects.filter(pk__in=[second.pk, third.pk], reissue_of__isnull=False).count() == 2
    )


def test_restore_counts_only_the_withdrawn_determinations(admin_client):
    one = services.letter_parse(letter=stored(numbered(TEXTS[0], 730))).determination
    two = services.letter_parse(letter=stored(numbered(TEXTS[1], 731))).determination
    services.determination_withdraw(determination=one, reason="Sent in error.")
    response = admin_client.post(
        "/admin/determinations/determination/",
        {"action": "restore", "_selected_action": [one.pk, two.pk]},
        follow=True,
    )
    assert "Restored 1 determination(s); 1 of those chosen were not withdrawn" in (
        response.content.decode()
    )


def test_the_letter_page_offers_the_working_download_and_no_save_button(admin_client):
    letter = services.letter_parse(letter=stored(numbered(TEXTS[0], 740), "shown.txt"))
    page = admin_client.get(f"/admin/determinations/letter/{letter.pk}/change/").content.decode()
    assert f"/admin/letters/{letter.pk}/original/" in page
    assert "/originals/" not in page  # the FileField's own link is not served
    assert 'name="_save"' not in page
    assert letter.text[:200] not in page  # the extracted text is not on the page
    found = admin_client.get("/admin/determinations/letter/?q=CM16-0000740").content.decode()
    assert "shown.txt" in found


@pytest.mark.parametrize(("stored_as", "typed"), [("NFD", "NFC"), ("NFC", "NFD")])
def test_a_file_name_is_found_whichever_unicode_spelling_it_was_typed_in(
    admin_client, stored_as, typed
):
    name = "Résumé de la décision.txt"
    services.letter_parse(
        letter=stored(numbered(TEXTS[0], 741), unicodedata.normalize(stored_as, name))
    )
    query = urlencode({"q": unicodedata.normalize(typed, "résumé")})
    found = admin_client.get(f"/admin/determinations/letter/?{query}").content.decode()
    assert "1 letter" in found or "1 result" in found, found[:2000]


def test_the_admin_reparse_action_reparses_failed_letters_and_keeps_their_original(admin_client):
    letter = services.letter_parse(letter=stored(b"nothing here\n", "bad.txt"))
    assert letter.status == ParseStatus.FAILED
    listing = admin_client.get("/admin/determinations/letter/?status__exact=failed")
    assert "bad.txt" in listing.content.decode()
    assert "not an IMR determination letter" in listing.content.decode()
    response = admin_client.post(
        "/admin/determinations/letter/",
        {"action": "reparse", "_selected_action": [letter.pk]},
        follow=True,
    )
    assert "Queued 1 letter(s) for re-parsing" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == ParseStatus.FAILED and letter.errors
    download = admin_client.get(f"/admin/letters/{letter.pk}/original/")
    assert b"".join(download.streaming_content) == b"nothing here\n"


def a_corpus(directory: Path, count: int, start: int = 1000) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        sub = directory / f"part{n % 3}"
        sub.mkdir(exist_ok=True)
        (sub / f"letter{n:04d}.txt").write_bytes(numbered(TEXTS[n % len(TEXTS)], start + n))
    return directory


def ingest(*paths, workers: int = 2) -> str:
    out = io.StringIO()
    call_command(
        "ingest_letters", *map(str, paths), f"--workers={workers}", stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_bulk_command_imports_files_directories_and_zips_and_a_rerun_skips_them(tmp_path):
    corpus = a_corpus(tmp_path / "letters", 30)
    archive = tmp_path / "month.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/x.txt", numbered(TEXTS[0], 9001))
        zf.writestr("../evil.txt", numbered(TEXTS[0], 9002))
        zf.writestr("a/again.txt", numbered(TEXTS[0], 9001))
        zf.write(PDFS[0], "real.pdf")
    single = tmp_path / "single.txt"
    single.write_bytes(numbered(TEXTS[1], 9100))
    reissue = tmp_path / "reissue.txt"
    reissue.write_bytes(numbered(TEXTS[2], 1000))  # the case of corpus letter0000, new content
    summary = ingest(corpus, archive, single)
    assert "re-issues to review 0" in summary
    assert "re-issues to review 1" in ingest(reissue)
    assert Letter.objects.get(original_name=str(reissue)).reissue_of.key == "CM16-0001000"
    assert not DisputedItem.objects.filter(search_vector__isnull=True).exists()
    assert (
        "new 33 " in summary
        and "rejected 1" in summary
        and "duplicates or already stored 1" in summary
    )
    assert Letter.objects.count() == 34
    assert Determination.objects.filter(key="CM16-0001000").exists()
    assert not Letter.objects.filter(status=ParseStatus.PENDING).exists()
    letter = Letter.objects.get(original_name=str(single))
    assert letter.original.read() == single.read_bytes()
    assert Determination.objects.get(letter=letter).items.exists()

    again = ingest(corpus, archive, single)
    assert "new 0 " in again and "duplicates or already stored 34" in again
    assert Letter.objects.count() == 34


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_bulk_import_resumes_where_it_stopped(tmp_path, monkeypatch):
    corpus = a_corpus(tmp_path / "letters", 250, start=2000)
    real = services.letters_create_parsed
    calls = {"n": 0}

    def dies_on_the_second_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(services, "letters_create_parsed", dies_on_the_second_chunk)
    with pytest.raises(CommandError, match=r"Lost the database connection.*run the same command"):
        ingest(corpus)
    stored_before = Letter.objects.count()
    assert 0 < stored_before < 250
    monkeypatch.setattr(services, "letters_create_parsed", real)
    summary = ingest(corpus)
    assert f"new {250 - stored_before} " in summary
    assert Letter.objects.count() == 250
    assert Determination.objects.count() == 250


@pytest.mark.django_db(transaction=True)
def test_one_letter_the_database_refuses_fails_alone_in_the_bulk_import(tmp_path, monkeypatch):
    corpus = a_corpus(tmp_path / "letters", 5, start=3000)
    real = services.determination_save

    def refuses_one(*, letter, parsed):
        if parsed.get("case_number") == "CM16-0003002":
            parsed = {**parsed, "patient": {"age": 999, "sex": None}}  # breaks a constraint
        return real(letter=letter, parsed=parsed)

    monkeypatch.setattr(services, "determination_save", refuses_one)
    monkeypatch.setattr(
        services,
        "letters_create_parsed",
        lambda **kwargs: (_ for _ in ()).throw(services.IntegrityError("bulk refused")),
    )
    summary = ingest(corpus, workers=1)
    assert "new 5 " in summary and "failed 1" in summary
    bad = Letter.objects.get(status=ParseStatus.FAILED)
    assert "could not be saved" in bad.errors[0]
    assert Determination.objects.count() == 4
    assert UploadBatch.objects.get().results.count() == 5


class WorkerDied(BaseException):
    """What the worker's death looks like from inside: nothing after it runs, nothing is caught."""


@pytest.mark.django_db(transaction=True)
def test_a_letter_that_kills_its_worker_twice_is_failed_instead_of_a_third_crash(monkeypatch):
    poison, fine = stored(numbered(TEXTS[0], 850)), stored(numbered(TEXTS[1], 851))
    real = services.letter_parse

    def dies_on_the_poison(*, letter, data=None):
        if letter.pk == poison.pk:
            raise WorkerDied
        return real(letter=letter, data=data)

    monkeypatch.setattr(services, "letter_parse", dies_on_the_poison)
    for restart in range(2):  # the worker dies; the next start re-queues pending letters
        with pytest.raises(WorkerDied):
            services.letters_parse(letter_ids=[poison.pk, fine.pk])
        poison.refresh_from_db()
        assert (poison.status, poison.unfinished_parses) == (ParseStatus.PENDING, restart + 1)
    assert services.letters_parse(letter_ids=[poison.pk, fine.pk]) == {
        ParseStatus.FAILED: 1,
        ParseStatus.PARSED: 1,
    }
    poison.refresh_from_db()
    assert poison.errors == [services.WORKER_DIED] and poison.unfinished_parses == 0
    fine.refresh_from_db()
    assert fine.unfinished_parses == 0  # a finished parse leaves no count behind

    monkeypatch.setattr(services, "letter_parse", real)  # the cause fixed: a re-parse tries it
    call_command("reparse", "--failed", stdout=io.StringIO())
    poison.refresh_from_db()
    assert poison.status == ParseStatus.PARSED


@pytest.mark.django_db(transaction=True)
def test_a_parser_process_that_dies_costs_the_bulk_import_only_its_letter(tmp_path, monkeypatch):
    import hashlib
    import os
    import signal

    from determinations.management.commands import ingest_letters

    corpus = a_corpus(tmp_path / "letters", 45, start=4000)
    poison = numbered(TEXTS[0], 4999)
    (corpus / "poison.txt").write_bytes(poison)
    real = ingest_letters.parse_letter_with_text

    def dies_on_the_poison(data, name):  # the parser processes are forked: they inherit this
        if b"CM16-0004999" in data:
            os.kill(os.getpid(), signal.SIGKILL)  # as a crash in the PDF library would
        return real(data, name)

    monkeypatch.setattr(ingest_letters, "parse_letter_with_text", dies_on_the_poison)
    summary = ingest(corpus, workers=2)
    assert "new 46 (parsed 45, with warnings 0, failed 1," in summary
    dead = Letter.objects.get(status=ParseStatus.FAILED)
    assert dead.errors == [ingest_letters.PROCESS_DIED]
    with dead.original.open("rb") as handle:  # nothing lost: the original is kept
        assert (
            hashlib.sha256(handle.read()).hexdigest()
            == dead.sha256
            == (hashlib.sha256(poison).hexdigest())
        )
    assert Determination.objects.count() == 45
    assert "new 0 " in ingest(corpus, workers=2)  # a re-run finds everything stored


@pytest.mark.django_db(transaction=True)
def test_a_letter_held_by_a_worker_that_dies_is_parsed_exactly_once_afterwards():
    import threading

    from django.db import connections, transaction

    letter = stored(numbered(TEXTS[4], 800))
    holding, release = threading.Event(), threading.Event()

    def worker_that_dies():
        with transaction.atomic():
            Letter.objects.select_for_update().get(pk=letter.pk)  # mid-parse...
            holding.set()
            release.wait(10)
            transaction.set_rollback(True)  # ...and killed: nothing it did is kept
        connections.close_all()

    thread = threading.Thread(target=worker_that_dies)
    thread.start()
    holding.wait(10)
    assert services.letters_parse(letter_ids=[letter.pk]) == {"skipped": 1}  # not twice at once
    release.set()
    thread.join()
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PENDING  # nothing lost, still waiting

    call_command("reparse", "--pending", "--enqueue", stdout=io.StringIO())
    assert services.letters_parse(letter_ids=[letter.pk]) == {"skipped": 1}  # done once
    letter.refresh_from_db()
    assert letter.status == ParseStatus.PARSED
    assert Determination.objects.filter(key="CM16-0000800").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reparse_leaves_a_letter_a_worker_is_parsing_to_that_worker():
    import threading

    from django.db import connections, transaction

    letter = services.letter_parse(letter=stored(numbered(TEXTS[0], 900)))
    parsed_at = letter.parsed_at
    holding, release = threading.Event(), threading.Event()

    def worker_parsing_it():
        with transaction.atomic():
            Letter.objects.select_for_update().get(pk=letter.pk)  # mid-parse
            holding.set()
            release.wait(5)
        connections.close_all()

    thread = threading.Thread(target=worker_parsing_it)
    thread.start()
    holding.wait(5)
    out = io.StringIO()
    try:
        call_command("reparse", "--all", stdout=out, stderr=io.StringIO())
    finally:
        release.set()
        thread.join()
    assert "Re-parsed 0 letter(s)" in out.getvalue() and "1 skipped" in out.getvalue()
    letter.refresh_from_db()
    assert letter.parsed_at == parsed_at
