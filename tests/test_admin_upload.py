"""Uploading letters through the admin, with the test client (tasks run immediately in tests)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from determinations.choices import ParseStatus
from determinations.models import Letter, UploadBatch, UploadResult

pytestmark = pytest.mark.django_db

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))
PDFS = sorted((ASSETS / "real").glob("*.pdf"))
UPLOAD_URL = reverse("admin:determinations_uploadbatch_upload")


def a_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def a_zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def a_blank_pdf() -> bytes:
    """A valid PDF with one page and no text layer, like a scan."""
    document = pdfium.PdfDocument.new()
    document.new_page(612, 792)
    buffer = io.BytesIO()
    document.save(buffer)
    document.close()
    return buffer.getvalue()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def upload(client, *files: SimpleUploadedFile):
    return client.post(UPLOAD_URL, {"files": list(files)})


def results_of(batch: UploadBatch) -> dict[str, UploadResult]:
    return {result.name: result for result in batch.results.select_related("letter")}


def test_the_upload_page_has_a_multiple_file_input_for_pdf_text_and_zip(admin_client):
    response = admin_client.get(UPLOAD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file" name="files"' in html and "multiple" in html
    assert 'accept=".pdf,.txt,.zip' in html
    assert "csrfmiddlewaretoken" in html


def test_the_letter_and_batch_lists_link_to_the_upload_page(admin_client):
    for name in ("letter", "uploadbatch"):
        response = admin_client.get(reverse(f"admin:determinations_{name}_changelist"))
        assert response.status_code == 200
        assert UPLOAD_URL in response.content.decode()


def test_view_only_staff_cannot_run_the_letter_actions(client):
    from determinations import services

    letter = services.letter_parse(
        letter=services.letter_store(data=b"nothing\n", name="x.txt").letter
    )
    user = User.objects.create_user("viewer", password="a long enough password 1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_letter"))
    client.force_login(user)
    assert (
        "reparse"
        not in client.get(reverse("admin:determinations_letter_changelist")).content.decode()
    )
    client.post(
        reverse("admin:determinations_letter_changelist"),
        {"action": "reparse", "_selected_action": [letter.pk]},
    )
    parsed_at = letter.parsed_at
    letter.refresh_from_db()
    assert letter.parsed_at == parsed_at  # not parsed again: the action is not offered


def test_a_single_text_letter_is_stored_parsed_and_shown_on_its_batch_page(admin_client):
    response = upload(admin_client, a_file(TEXTS[0].name, TEXTS[0].read_bytes()))
    batch = UploadBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:determinations_uploadbatch_change", args=[batch.pk]
    )
    letter = Letter.objects.get()
    assert letter.status in (ParseStatus.PARSED, ParseStatus.PARSED_WITH_WARNINGS)
    assert letter.batch == batch and letter.uploaded_by.username == "admin"
    assert letter.original.read() == TEXTS[0].read_bytes()
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert TEXTS[0].name in html
    assert letter.determination.get_absolute_url() in html
    assert 'http-equiv="refresh"' not in html  # nothing pending: no more refreshing


def test_several_files_at_once_each_get_a_result(admin_client):
    upload(
        admin_client,
        *(a_file(p.name, p.read_bytes()) for p in TEXTS[:3]),
        a_file(PDFS[0].name, PDFS[0].read_bytes()),
    )
    batch = UploadBatch.objects.get()
    assert batch.results.filter(outcome="new").count() == 4
    assert Letter.objects.exclude(status=ParseStatus.PENDING).count() == 4


def test_a_zip_of_sample_and_real_letters_is_all_parsed_or_explained(admin_client):
    members = [(p.name, p.read_bytes()) for p in TEXTS] + [
        (f"real/{p.name}", p.read_bytes()) for p in PDFS
    ]
    upload(admin_client, a_file("month.zip", a_zip(members)))
    batch = UploadBatch.objects.get()
    assert batch.results.count() == len(members)
    assert set(batch.results.values_list("outcome", flat=True)) == {"new"}
    for letter in Letter.objects.all():
        assert letter.status != ParseStatus.PENDING
        assert letter.status != ParseStatus.FAILED or letter.errors
    html = admin_client.get(
        reverse("admin:determinations_uploadbatch_change", args=[batch.pk])
    ).content.decode()
    assert "month.zip/real/" + PDFS[0].name in html
    assert "Finished" in html


def test_uploading_the_same_bytes_again_reports_a_duplicate_linking_to_the_existing_letter(
    admin_client,
):
    data = TEXTS[1].read_bytes()
    upload(admin_client, a_file("first.txt", data))
    upload(admin_client, a_file("renamed.txt", data))
    assert Letter.objects.count() == 1
    second = UploadBatch.objects.order_by("-pk").first()
    (result,) = second.results.all()
    assert result.outcome == "duplicate"
    assert result.letter == Letter.objects.get()
    assert "already in the archive as first.txt" in result.message
    html = admin_client.get(
        reverse("admin:determinations_uploadbatch_change", args=[second.pk])
    ).content.decode()
    assert reverse("admin:determinations_letter_change", args=[result.letter.pk]) in html


def test_bad_input_gets_a_specific_message_per_file_and_the_rest_of_the_batch_still_ingests(
    admin_client, settings
):
    settings.IMR_MAX_FILE_BYTES = 2 * 1024 * 1024
    good = TEXTS[2].read_bytes()
    pdf = PDFS[1].read_bytes()
    inner = a_zip([("x.txt", TEXTS[3].read_bytes())])
    bad_zip = a_zip(
        [
            ("../escape.txt", good + b"1"),
            ("/etc/absolute.txt", good + b"2"),
            ("nested.zip", inner),
            ("twice.txt", TEXTS[4].read_bytes()),
            ("again/twice.txt", TEXTS[4].read_bytes()),
            ("zeros.txt", bytes(1024 * 1024)),
        ]
    )
    files = [
        a_file("good.txt", good),
        a_file("empty.pdf", b""),
        a_file("random.pdf", bytes(range(256)) * 64),
        a_file("truncated.pdf", pdf[: len(pdf) // 3]),
        a_file("scan.pdf", a_blank_pdf()),
        a_file("huge.txt", b"Case Number: CM16-0000001\n" * 100_000),
        a_file("latin1.txt", "Résumé of nothing in particular\n".encode("latin-1")),
        a_file("page.html", b"<!DOCTYPE html><html><body>Case Number CM16-0000001</body></html>"),
        a_file("bundle.zip", bad_zip),
    ]
    response = upload(admin_client, *files)
    assert response.status_code == 302
    results = results_of(UploadBatch.objects.get())

    def rejected(name: str, words: str) -> None:
        assert results[name].outcome == "rejected", name
        assert words in results[name].message, (name, results[name].message)

    def failed(name: str, words: str) -> None:
        letter = results[name].letter
        assert letter.status == ParseStatus.FAILED, name
        assert any(words in error for error in letter.errors), (name, letter.errors)

    assert results["good.txt"].letter.status in (
        ParseStatus.PARSED,
        ParseStatus.PARSED_WITH_WARNINGS,
    )
    rejected("empty.pdf", "empty file")
    rejected("random.pdf", "neither a PDF nor a text file")
    failed("truncated.pdf", "corrupt or truncated PDF")
    failed("scan.pdf", "no text layer")
    rejected("huge.txt", "limit is 2 MB per file")
    failed("latin1.txt", "not an IMR determination letter")
    rejected("page.html", "an HTML page")
    rejected("bundle.zip/../escape.txt", "'..'")
    rejected("bundle.zip//etc/absolute.txt", "absolute paths")
    rejected("bundle.zip/nested.zip", "nested archive")
    assert results["bundle.zip/twice.txt"].outcome == "new"
    assert results["bundle.zip/again/twice.txt"].outcome == "duplicate"
    assert "earlier in this upload" in results["bundle.zip/again/twice.txt"].message
    rejected("bundle.zip/zeros.txt", "ZIP bomb")

    page = admin_client.get(
        reverse("admin:determinations_uploadbatch_change", args=[UploadBatch.objects.get().pk])
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "corrupt or truncated PDF" in html and "nested archive" in html


def an_encrypted_pdf() -> bytes:
    """A one-page PDF locked with a user password (pdfium cannot write encryption itself)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        b"ab" * 16,
        b"ab" * 16,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_an_encrypted_pdf_is_kept_and_fails_with_its_reason(admin_client):
    upload(admin_client, a_file("locked.pdf", an_encrypted_pdf()))
    letter = Letter.objects.get()
    assert letter.status == ParseStatus.FAILED
    assert letter.errors == ["encrypted PDF"]
    assert letter.original.read() == an_encrypted_pdf()


def test_a_parser_that_raises_fails_only_its_own_letter(admin_client, monkeypatch):
    from determinations import services

    real = services.parse_letter_with_text

    def flaky(data, filename=""):
        if b"BOOM" in data:
            raise RuntimeError("parser exploded")
        return real(data, filename)

    monkeypatch.setattr(services, "parse_letter_with_text", flaky)
    upload(
        admin_client,
        a_file("boom.txt", TEXTS[0].read_bytes() + b"BOOM"),
        a_file("ok.txt", TEXTS[0].read_bytes()),
    )
    results = results_of(UploadBatch.objects.get())
    assert results["boom.txt"].letter.status == ParseStatus.FAILED
    assert "parser exploded" in results["boom.txt"].letter.errors[0]
    assert results["ok.txt"].letter.status != ParseStatus.FAILED


def test_posting_no_file_shows_the_form_again_with_a_message(admin_client):
    response = admin_client.post(UPLOAD_URL, {}, follow=True)
    assert response.status_code == 200
    assert "Choose at least one file" in response.content.decode()
    assert not UploadBatch.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.post(UPLOAD_URL, {"files": [a_file("a.txt", TEXTS[0].read_bytes())]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Letter.objects.exists()


def test_non_staff_users_cannot_upload(client):
    user = User.objects.create_user("visitor", password="a long enough password 1")
    client.force_login(user)
    response = client.post(UPLOAD_URL, {"files": [a_file("a.txt", TEXTS[0].read_bytes())]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Letter.objects.exists()


def test_staff_without_the_add_letter_permission_are_refused(client):
    user = User.objects.create_user("clerk", password="a long enough password 1", is_staff=True)
    client.force_login(user)
    assert client.get(UPLOAD_URL).status_code == 403
    assert (
        client.post(UPLOAD_URL, {"files": [a_file("a.txt", TEXTS[0].read_bytes())]}).status_code
        == 403
    )
    user.user_permissions.add(Permission.objects.get(codename="add_letter"))
    client.force_login(User.objects.get(pk=user.pk))
    assert (
        client.post(UPLOAD_URL, {"files": [a_file("a.txt", TEXTS[0].read_bytes())]}).status_code
        == 302
    )
    batch = UploadBatch.objects.get()
    assert (
        client.get(reverse("admin:determinations_uploadbatch_change", args=[batch.pk])).status_code
        == 200
    )


def test_the_upload_form_enforces_csrf(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(UPLOAD_URL, {"files": [a_file("a.txt", TEXTS[0].read_bytes())]})
    assert response.status_code == 403
    assert not Letter.objects.exists()
    client.get(UPLOAD_URL)
    token = client.cookies["csrftoken"].value
    response = client.post(
        UPLOAD_URL,
        {"files": [a_file("a.txt", TEXTS[0].read_bytes())], "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Letter.objects.count() == 1


def test_a_batch_page_refreshes_itself_while_letters_are_pending(admin_client, settings):
    # A queue nobody works: letters stay pending (django-tasks resets its backends on this).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = upload(admin_client, a_file("a.txt", TEXTS[0].read_bytes()))
    # The upload is only staged: receive it as a worker would (its parse task then waits).
    from determinations import services

    services.batch_receive_staged(batch_id=UploadBatch.objects.get().pk)
    html = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in html
    assert "1 letter pending" in html
    assert Letter.objects.get().status == ParseStatus.PENDING


def test_a_batch_page_with_a_non_numeric_id_is_not_found(admin_client):
    response = admin_client.get("/admin/determinations/uploadbatch/abc/change/")
    assert response.status_code in (302, 404)
