"""Upload file names as given: Django's multipart parser drops some and refuses others.

Found with raw multipart bodies (tests/test_storage.py), Django 5.2:

- ``parse_boundary_stream`` decodes each part header line with ``bytes.decode()``; a file name
  that is not UTF-8 (Latin-1, Shift-JIS: what some clients send) fails, the line is skipped as
  invalid, and the part, left without its Content-Disposition, is dropped without a trace.
- A part's headers must fit in ``MAX_TOTAL_HEADER_SIZE`` (1,024 bytes), or the whole request is
  refused (``MultiPartParserError``, a 400): any file name over about 950 bytes.
- ``UploadedFile`` cuts a name to 255 characters, silently (and a temporary upload file takes the
  name's extension as its suffix, which fails on a long one).

``install()`` (the app's ``ready``) wraps ``parse_boundary_stream`` so that each part's headers
are made valid UTF-8 (undecodable bytes become U+FFFD) and may be up to ``HEADER_MAX`` bytes as
sent (Django's limit follows their growth by the replacement). The upload handlers below keep the
name as given in ``given_name`` and hand Django's own handlers a name whose extension fits a
temporary file's name; ``services.name_fit`` then applies the one name rule (and
``name_warning`` says what it changed).
"""

from __future__ import annotations

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import multipartparser

HEADER_MAX = 64 * 1024  # bytes of one part's headers as sent: names up to ~64 KB are kept (and cut)
# Bytes of the name handed to Django's own handler, in UTF-8: a temporary upload file is named
# ``tmpXXXXXXXX.upload<extension>``, and a file system's names hold 255 bytes, not characters.
HANDLER_NAME_MAX = 200

_django_parse_boundary_stream = multipartparser.parse_boundary_stream


def _parse_boundary_stream(stream, max_header_size):
    """Django's, on headers made valid UTF-8, with room for long file names."""
    head = stream.read(HEADER_MAX)
    end = head.find(b"\r\n\r\n")
    if end == -1:  # no headers within HEADER_MAX: Django refuses the post (or it is raw data)
        stream.unget(head)
        return _django_parse_boundary_stream(stream, max(max_header_size, HEADER_MAX))
    header = head[:end].decode("utf-8", "replace").encode("utf-8")
    stream.unget(header + head[end:])
    # An undecodable byte became three (U+FFFD): Django's search for the end of the headers
    # doubles from 1,024 bytes up to its limit, which must let it reach past them.
    limit = _search_limit(len(header) + 4)
    return _django_parse_boundary_stream(stream, max(max_header_size, limit))


def _search_limit(size: int) -> int:
    """The smallest power of two, from 1,024, at least ``size``."""
    return max(1024, 1 << (size - 1).bit_length())


def _handler_name(name: str) -> str:
    """The end of ``name`` that fits ``HANDLER_NAME_MAX`` bytes of UTF-8 (no character split)."""
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) <= HANDLER_NAME_MAX:
        return name
    return encoded[-HANDLER_NAME_MAX:].decode("utf-8", "ignore")


# A browser's form sends a file name's '"', CR and LF as "%22", "%0D" and "%0A" (the HTML
# standard's multipart/form-data encoding), and nothing else percent-encoded: decoded back.
_BROWSER_ESCAPES = {"%22": '"', "%0D": "\r", "%0A": "\n"}


def _browser_name(name: str) -> str:
    """``name`` with the three escapes a browser's form makes decoded (``_BROWSER_ESCAPES``)."""
    if "%" in name:
        for escape, character in _BROWSER_ESCAPES.items():
            name = name.replace(escape, character)
    return name


def install() -> None:
    """Use ``_parse_boundary_stream`` for every multipart request (idempotent)."""
    multipartparser.parse_boundary_stream = _parse_boundary_stream


class _GivenName:
    """Keeps the name the client gave in ``given_name`` on the uploaded file."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.given_name = _browser_name(file_name)
        super().new_file(field_name, _handler_name(file_name), *args, **kwargs)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.given_name = self.given_name
        return uploaded


class MemoryUploadHandler(_GivenName, MemoryFileUploadHandler):
    pass


class TemporaryUploadHandler(_GivenName, TemporaryFileUploadHandler):
    pass
