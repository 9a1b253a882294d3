"""What a file is (PDF, ZIP, text or other), decided from its bytes and never from its name.

The one rule for the upload checks (``uploads.check_content``), the content type stored with a
letter (``services``) and the parser (``extract.extract_text``), so that the same bytes are the
same kind wherever they come in. It lives in the parser package because the parser must stay
free of Django; everything else imports it from here.
"""

from __future__ import annotations

PDF = "application/pdf"
ZIP = "application/zip"
TEXT = "text/plain"
OTHER = "application/octet-stream"

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header, or an empty archive
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024  # the PDF spec lets the header start anywhere in the first 1024 bytes
TEXT_SAMPLE = 65536  # bytes judged for the text rule
# Control bytes that never occur in text (tab, line feed, form feed and carriage return do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def content_type(data: bytes) -> str:
    """``PDF``, ``ZIP``, ``TEXT`` or ``OTHER`` (MIME types) for these bytes.

    ZIP is judged first: an archive storing a PDF uncompressed has ``%PDF-`` in its first 1024
    bytes, and it is still an archive.
    """
    if is_zip(data):
        return ZIP
    if PDF_MAGIC in data[:PDF_MAGIC_WINDOW]:
        return PDF
    if looks_like_text(data):
        return TEXT
    return OTHER


def is_zip(head: bytes) -> bool:
    """Whether bytes starting with ``head`` are a ZIP archive (4 bytes are enough to tell)."""
    return head.startswith(ZIP_MAGICS)


def looks_like_text(data: bytes) -> bool:
    """UTF-8 or Windows-1252 text: no NUL, at most one other control byte in a thousand.

    Counted in C (``bytes.translate``) because the bulk import judges thousands of files a second.
    """
    sample = data[:TEXT_SAMPLE]
    if not sample or b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls <= len(sample) // 1000
