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
are made valid UTF-8 (undecodable bytes become U+FFFD) and may be up to ``HEADER_MAX`` bytes.
The upload handlers below keep the name as given in ``given_name``; ``services.name_fit`` then
applies the one name rule (and ``name_warning`` says what it changed).
"""

from __future__ import annotations

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http import multipartparser

HEADER_MAX = 64 * 1024  # bytes of one part's headers: names up to ~64 KB are kept (and cut)
HANDLER_NAME_MAX = 200  # characters of the name handed to Django's own handler (temp suffix)

_django_parse_boundary_stream = multipartparser.parse_boundary_stream


def _parse_boundary_stream(stream, max_header_size):
    """Django's, on headers made valid UTF-8, with room for long file names."""
    head = stream.read(HEADER_MAX)
    end = head.find(b"\r\n\r\n")
    if end != -1:
        head = head[:end].decode("utf-8", "replace").encode("utf-8") + head[end:]
    stream.unget(head)
    return _django_parse_boundary_stream(stream, max(max_header_size, HEADER_MAX))


def install() -> None:
    """Use ``_parse_boundary_stream`` for every multipart request (idempotent)."""
    multipartparser.parse_boundary_stream = _parse_boundary_stream


class _GivenName:
    """Keeps the name the client gave in ``given_name`` on the uploaded file."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.given_name = file_name
        super().new_file(field_name, file_name[-HANDLER_NAME_MAX:], *args, **kwargs)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.given_name = self.given_name
        return uploaded


class MemoryUploadHandler(_GivenName, MemoryFileUploadHandler):
    pass


class TemporaryUploadHandler(_GivenName, TemporaryFileUploadHandler):
    pass
