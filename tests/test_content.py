"""One content rule: the upload checks, the stored content type and the parser agree on what a
file is (PDF, text, ZIP or other), whichever path brings it in."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter
from determinations.parsing import extract_text
from determinations.uploads import check_content

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXT_LETTER = (ASSETS / "000_86ba345343cd3771.txt").read_bytes()
PDF_LETTER = (ASSETS / "real" / "CM16-0219557.pdf").read_bytes()
# The PDF spec lets the header start anywhere in the first 1024 bytes (mail gateways and
# scanners prepend such bytes); readers still open the file.
JUNK_THEN_PDF = b"\x00\x01\x02 X-Scanner: junk before the header\r\n" * 8 + PDF_LETTER


def a_zip(member: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr("inner.pdf", member)
    return buffer.getvalue()


# (bytes, stored content type, the parser's kind)
CASES = {
    "pdf": (PDF_LETTER, "application/pdf", "pdf"),
    "pdf-after-junk": (JUNK_THEN_PDF, "application/pdf", "pdf"),
    "text": (TEXT_LETTER, "text/plain", "text"),
    "zip": (a_zip(TEXT_LETTER), "application/zip", "other"),
    # a stored (uncompressed) member puts "%PDF-" within the archive's first 1024 bytes
    "zip-holding-a-pdf": (a_zip(PDF_LETTER, zipfile.ZIP_STORED), "application/zip", "other"),
    # no NUL byte, but far more control bytes than text has
    "other": (bytes(range(1, 32)) * 200, "application/octet-stream", "other"),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "content_type", "parser_kind"), CASES.values(), ids=CASES)
def test_the_upload_check_the_stored_type_and_the_parser_agree(data, content_type, parser_kind):
    accepted = check_content("file", data, in_archive=True)
    assert accepted.accepted == (content_type in ("application/pdf", "text/plain"))
    if accepted.accepted:
        assert accepted.content_type == content_type
    assert services.letter_store(data=data, name="file").letter.content_type == content_type
    assert extract_text(data).kind == parser_kind


@pytest.mark.django_db
def test_a_pdf_with_bytes_before_its_header_is_stored_and_parsed_as_a_pdf(admin_client):
    upload = SimpleUploadedFile("scan.bin", JUNK_THEN_PDF, "application/octet-stream")
    admin_client.post(reverse("admin:determinations_uploadbatch_upload"), {"files": [upload]})
    letter = Letter.objects.get()
    assert letter.content_type == "application/pdf"
    assert letter.status == ParseStatus.PARSED
    assert letter.original.read() == JUNK_THEN_PDF
