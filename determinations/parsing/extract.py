"""Bytes to text: PDFs through pdfium, text decoded, anything else refused as not a letter.

The kind of input is decided from its content (``content.content_type``, the rule the upload
checks use too), never from the file name, because published files are often misnamed or renamed
by whoever saved them.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from . import content

NOT_A_LETTER = "not an IMR determination letter"
EMPTY = "empty input"
ENCRYPTED = "encrypted PDF"
NO_TEXT_LAYER = "PDF has no text layer (scanned image?)"
CORRUPT = "corrupt or truncated PDF"

# PDFium's FPDF_GetLastError codes (fpdfview.h).
_ERR_PASSWORD = 4
_ERR_SECURITY = 5

# A letter has a few pages (the real ones 2 to 4; 21 items might take 20): reading at most this
# many bounds the time a hostile or mistaken upload can hold a worker.
MAX_PDF_PAGES = 200


@dataclass(slots=True)
class ExtractResult:
    """Extracted text (pages joined by newlines) or an error message saying why there is none."""

    text: str = ""
    kind: str = "text"  # "pdf", "text", or "other" (neither: not a letter)
    pages: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def extract_text(data: bytes, filename: str = "") -> ExtractResult:
    """Return the text of a letter; never raises. ``filename`` is only used in messages."""
    if not data or not data.strip():
        return ExtractResult(error=EMPTY)
    kind = content.content_type(data)
    if kind == content.PDF:
        return _extract_pdf(data)
    if kind == content.TEXT:
        return _decode_text(data)
    return ExtractResult(kind="other", error=NOT_A_LETTER)


def _decode_text(data: bytes) -> ExtractResult:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return ExtractResult(text=text)


def _extract_pdf(data: bytes) -> ExtractResult:
    try:
        # The published letters are encrypted with an empty user password (owner restrictions
        # only); pdfium opens them with password "".
        doc = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as exc:
        if exc.err_code in (_ERR_PASSWORD, _ERR_SECURITY):
            return ExtractResult(kind="pdf", error=ENCRYPTED)
        return ExtractResult(kind="pdf", error=CORRUPT)
    except Exception:
        return ExtractResult(kind="pdf", error=CORRUPT)
    try:
        return _read_pages(doc)
    except Exception:
        return ExtractResult(kind="pdf", error=CORRUPT)
    finally:
        doc.close()


def _read_pages(doc) -> ExtractResult:
    texts: list[str] = []
    count = len(doc)
    warnings = []
    if count > MAX_PDF_PAGES:
        warnings.append(f"the PDF has {count} pages: only the first {MAX_PDF_PAGES} were read")
    for index in range(min(count, MAX_PDF_PAGES)):
        page = doc[index]
        try:
            textpage = page.get_textpage()
            try:
                texts.append(textpage.get_text_range())
            finally:
                textpage.close()
        finally:
            page.close()
    text = "\n".join(texts)
    if count == 0:
        return ExtractResult(kind="pdf", error=CORRUPT)
    if not text.strip():
        return ExtractResult(kind="pdf", pages=count, error=NO_TEXT_LAYER)
    return ExtractResult(text=text, kind="pdf", pages=count, warnings=warnings)
