"""Reading what admins give us: several files and ZIP archives, checked before anything is stored.

Everything here is a pure function of bytes and limits (no database), so the admin upload and
``ingest_letters`` refuse the same things with the same words. Each file (or ZIP member) becomes
one ``Incoming``: either accepted bytes, or a rejection saying why in plain words. What a file is
gets decided from its content, never from its name, and ZIP members are read with a hard cap on
the bytes actually inflated, because the sizes a ZIP declares can lie.
"""

from __future__ import annotations

import lzma
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .parsing import content
from .zipnames import open_zip

READ_CHUNK = 1024 * 1024
OTHER_ARCHIVE_MAGICS = (
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"Rar!\x1a\x07",  # RAR
    b"BZh",  # bzip2
    b"\xfd7zXZ\x00",  # xz
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml)", re.IGNORECASE)
_HTML_WINDOW = 1024  # bytes looked at for the start of an HTML page
_DRIVE = re.compile(r"^[A-Za-z]:")
# Finder's resource forks: never letters, and not worth a line in the results.
_JUNK_PREFIXES = ("__MACOSX/",)


@dataclass(frozen=True, slots=True)
class Limits:
    """Upload limits; ``max_upload_bytes=None`` means no per-upload total (the bulk command)."""

    max_file_bytes: int
    max_upload_bytes: int | None
    max_zip_members: int
    max_zip_uncompressed_bytes: int
    max_zip_ratio: int

    @classmethod
    def from_settings(cls, *, per_upload: bool = True) -> Limits:
        from django.conf import settings

        return cls(
            max_file_bytes=settings.IMR_MAX_FILE_BYTES,
            max_upload_bytes=settings.IMR_MAX_UPLOAD_BYTES if per_upload else None,
            max_zip_members=settings.IMR_MAX_ZIP_MEMBERS,
            max_zip_uncompressed_bytes=settings.IMR_MAX_ZIP_UNCOMPRESSED_BYTES,
            max_zip_ratio=settings.IMR_MAX_ZIP_RATIO,
        )


@dataclass(frozen=True, slots=True)
class Incoming:
    """One file or ZIP member: accepted bytes (``rejection is None``) or the reason it was not."""

    name: str
    data: bytes = b""
    content_type: str = ""
    rejection: str | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def human_size(size: int) -> str:
    """``20 MB``, ``1.5 GB``, ``312 bytes``: sizes in messages people read."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def read_files(files: Iterable[tuple[str, BinaryIO, int]], *, limits: Limits) -> Iterator[Incoming]:
    """Check each ``(name, handle, size)`` and yield one ``Incoming`` per file or ZIP member.

    Files past the per-upload total are rejected one by one (the earlier ones still go in).
    Handles must be seekable (Django's uploaded files and open files are).
    """
    total = 0
    for name, handle, size in files:
        total += size
        if limits.max_upload_bytes is not None and total > limits.max_upload_bytes:
            yield Incoming(
                name,
                rejection=f"the upload is over the {human_size(limits.max_upload_bytes)} limit "
                "per upload: send this file in another upload",
            )
            continue
        yield from read_file(name, handle, size, limits=limits)


def chunks(files: Iterable[Incoming], size: int) -> Iterator[list[Incoming]]:
    """``files`` in lists of ``size``: stored a chunk at a time, a large upload never held whole."""
    chunk: list[Incoming] = []
    for incoming in files:
        chunk.append(incoming)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def read_file(name: str, handle: BinaryIO, size: int, *, limits: Limits) -> Iterator[Incoming]:
    """One uploaded file: a ZIP is opened and its members checked, anything else read whole."""
    head = handle.read(8)
    handle.seek(0)
    if content.is_zip(head):
        yield from read_zip(name, handle, limits=limits)
        return
    if size > limits.max_file_bytes:
        yield _too_big(name, size, limits)
        return
    data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        yield _too_big(name, len(data), limits)
        return
    yield check_content(name, data)


def read_zip(name: str, handle: BinaryIO, *, limits: Limits) -> Iterator[Incoming]:
    """The members of one ZIP archive, each checked; the archive itself is never stored."""
    try:
        archive = open_zip(handle)  # a member name that lies about being UTF-8 is no reason
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # a directory entry needing a newer ZIP version than zipfile reads
    ):
        yield Incoming(
            name,
            rejection="not a readable ZIP archive (damaged, truncated, or of a newer ZIP version)",
        )
        return
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith(_JUNK_PREFIXES)
        ]
        if not members:  # folders and macOS resource forks only, or nothing at all
            yield Incoming(
                name,
                rejection="the ZIP holds no files (only folders, macOS __MACOSX entries, or "
                "nothing): nothing to store",
            )
            return
        if len(members) > limits.max_zip_members:
            yield Incoming(
                name,
                rejection=f"the ZIP has {len(members)} files; the limit is "
                f"{limits.max_zip_members} per archive: split it into smaller ZIPs",
            )
            return
        declared = sum(info.file_size for info in members)
        if declared > limits.max_zip_uncompressed_bytes:
            yield Incoming(
                name,
                rejection=f"the ZIP would expand to {human_size(declared)}; the limit is "
                f"{human_size(limits.max_zip_uncompressed_bytes)} (a ZIP bomb?): split it",
            )
            return
        budget = limits.max_zip_uncompressed_bytes
        for info in members:
            member_name = f"{name}/{info.filename}"
            incoming = _read_member(archive, info, member_name, budget, limits)
            budget -= len(incoming.data)
            yield incoming


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int, limits: Limits
) -> Incoming:
    problem = unsafe_member_name(info.filename)
    if problem:
        return Incoming(name, rejection=problem)
    if info.flag_bits & 0x1:
        return Incoming(name, rejection="encrypted ZIP member: upload it unencrypted")
    if info.file_size > limits.max_file_bytes:
        return _too_big(name, info.file_size, limits)
    if info.file_size and info.file_size > max(info.compress_size, 1) * limits.max_zip_ratio:
        ratio = info.file_size // max(info.compress_size, 1)
        return Incoming(
            name,
            rejection=f"compression ratio {ratio}:1 is over the limit of "
            f"{limits.max_zip_ratio}:1 (a ZIP bomb?)",
        )
    # Never trust the declared size: stop after what the limits allow, whatever the header says.
    cap = min(limits.max_file_bytes, budget, max(info.compress_size, 1) * limits.max_zip_ratio)
    try:
        data = _read_capped(archive, info, cap)
    except (
        zipfile.BadZipFile,
        zlib.error,  # deflate
        lzma.LZMAError,  # LZMA (bzip2 raises OSError)
        EOFError,
        OSError,
        NotImplementedError,
    ) as exc:
        return Incoming(name, rejection=f"could not be read from the ZIP: {exc}")
    except UnicodeDecodeError:  # its local header's name lies about UTF-8, the directory's not
        return Incoming(
            name,
            rejection="could not be read from the ZIP: its local header's file name is not "
            "the UTF-8 it claims and differs from the directory's",
        )
    if data is None:
        return Incoming(
            name,
            rejection="inflates to more than its declared size allows "
            f"(read stopped at {human_size(cap)}; a ZIP bomb?)",
        )
    return check_content(name, data, in_archive=True)


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The member's bytes, or None once more than ``cap`` bytes come out."""
    chunks, total = [], 0
    with archive.open(info) as member:
        while True:
            chunk = member.read(min(READ_CHUNK, cap + 1 - total))
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > cap:
                return None
            chunks.append(chunk)


def unsafe_member_name(filename: str) -> str | None:
    """Why a ZIP member name is refused (absolute or climbing out with ``..``), else None."""
    normalised = filename.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised):
        return "unsafe member name: absolute paths are not accepted in a ZIP"
    if ".." in normalised.split("/"):
        return "unsafe member name: '..' path components are not accepted in a ZIP"
    return None


def check_content(name: str, data: bytes, *, in_archive: bool = False) -> Incoming:
    """Accept PDF and plain text, judged by content (``content.content_type``); refuse everything
    else with a reason."""
    if not data:
        return Incoming(name, rejection="empty file (0 bytes)")
    kind = content.content_type(data)
    if kind == content.PDF:
        return Incoming(name, data=data, content_type=kind)
    if kind == content.ZIP:
        if in_archive:
            return Incoming(
                name, rejection="nested archive: unpack the inner ZIP and upload its files"
            )
        return Incoming(name, rejection="a ZIP archive inside this upload could not be read")
    if kind != content.TEXT:
        if data.startswith(OTHER_ARCHIVE_MAGICS):
            return Incoming(
                name, rejection="compressed archive other than ZIP: unpack it and upload its files"
            )
        return Incoming(
            name,
            rejection="neither a PDF nor a text file (judged by its content, not its name)",
        )
    if _HTML_START.match(data[:_HTML_WINDOW]):
        return Incoming(
            name,
            rejection="an HTML page, not a letter: upload the letter's PDF or plain text",
        )
    return Incoming(name, data=data, content_type=kind)


def _too_big(name: str, size: int, limits: Limits) -> Incoming:
    return Incoming(
        name,
        rejection=f"the file is {human_size(size)}; the limit is "
        f"{human_size(limits.max_file_bytes)} per file",
    )
