"""What an uploaded file is, decided from its bytes rather than its name."""

from __future__ import annotations

PDF_MAGIC = b"%PDF-"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def sniff_content_type(data: bytes) -> str:
    """A MIME type from the content: PDF, ZIP, plain text, or application/octet-stream."""
    head = data[:1024]
    if head.lstrip()[:5] == PDF_MAGIC:
        return "application/pdf"
    if head.startswith(ZIP_MAGICS):
        return "application/zip"
    if looks_like_text(data):
        return "text/plain"
    return "application/octet-stream"


def looks_like_text(data: bytes) -> bool:
    """UTF-8 or Windows-1252 text without NUL or other control bytes."""
    sample = data[:65536]
    if not sample or b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 1000
