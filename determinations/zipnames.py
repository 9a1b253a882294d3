"""Opening a ZIP whose member names lie about being UTF-8, without losing the other members.

A member whose general purpose flag says "name is UTF-8" (bit 11, 0x800) while its name bytes are
not (Latin-1 or Shift-JIS written by some Windows tools) makes ``zipfile.ZipFile`` raise
``UnicodeDecodeError`` while it reads the central directory, so the whole archive would be
refused; ``ZipFile.open`` raises the same for such a name in a member's local header.

``open_zip`` opens the archive with ``zipfile`` as usual and only when that fails this way falls
back: it finds the lying entries in the central directory itself (APPNOTE 4.3.12-4.3.16, ZIP64
included) and shows ``zipfile`` a read-only view of the file in which just those entries' flag bit
is cleared, in the central directory and in their local headers. ``zipfile`` then reads those
names as CP437, which maps every byte to one character and back, so their bytes are recovered
exactly and decoded as UTF-8 with replacement (U+FFFD), which ``services.name_warning`` reports.
Everything else (sizes, ZIP64, decompression, CRC checks) stays ``zipfile``'s.
"""

from __future__ import annotations

import bisect
import struct
import zipfile
from typing import BinaryIO

UTF8_FLAG = 0x800
_FLAG_HIGH_BYTE_BIT = UTF8_FLAG >> 8  # the bit within the flag field's second (high) byte

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SEARCH = _EOCD.size + 0xFFFF  # the record and the longest archive comment
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # one central directory entry, before its name
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # one local file header, before its name
_LOCAL_SIGNATURE = b"PK\x03\x04"
_FLAG_OFFSET = {"central": 8, "local": 6}  # where the flag field starts in each header


def open_zip(handle: BinaryIO) -> zipfile.ZipFile:
    """``zipfile.ZipFile(handle)``, or the fallback above when member names lie about UTF-8.

    Raises what ``ZipFile`` raises for a damaged archive (``BadZipFile`` and the like).
    """
    try:
        return zipfile.ZipFile(handle)
    except UnicodeDecodeError:
        pass
    view = _PatchedView(handle)
    lying = _lying_entries(handle)
    for flag_at in lying.values():
        view.clear_flag(flag_at)
    archive = zipfile.ZipFile(view)
    if max(lying, default=-1) >= len(archive.filelist):
        archive.close()
        raise zipfile.BadZipFile("the central directory does not hold the entries it declares")
    for index in lying:
        info = archive.filelist[index]
        raw = info.orig_filename.encode("cp437")  # the exact bytes: CP437 is one byte each
        info.filename = raw.decode("utf-8", "replace").split("\x00", 1)[0]  # as ZipInfo cuts
        local_flag = _local_flag_position(handle, info.header_offset)
        if local_flag is not None:
            view.clear_flag(local_flag)
    return archive


def _lying_entries(handle: BinaryIO) -> dict[int, int]:
    """Central directory entries flagged UTF-8 whose names are not: {entry index: flag offset}."""
    start, size = _central_directory(handle)
    handle.seek(start)
    directory = handle.read(size)
    lying, position, index = {}, 0, 0
    while position + _CENTRAL.size <= len(directory):
        fields = _CENTRAL.unpack_from(directory, position)
        if fields[0] != _CENTRAL_SIGNATURE:
            raise zipfile.BadZipFile("bad magic number for central directory")
        flags, name_length, extra_length, comment_length = fields[5], *fields[12:15]
        name_start = position + _CENTRAL.size
        name = directory[name_start : name_start + name_length]
        if flags & UTF8_FLAG and not _is_utf8(name):
            lying[index] = start + position + _FLAG_OFFSET["central"]
        position = name_start + name_length + extra_length + comment_length
        index += 1
    return lying


def _central_directory(handle: BinaryIO) -> tuple[int, int]:
    """Where the central directory starts in the file, and its size (bytes prepended to the
    archive, as in a self-extractor, accounted for as ``zipfile`` does)."""
    handle.seek(0, 2)
    end = handle.tell()
    tail_start = max(0, end - _EOCD_SEARCH)
    handle.seek(tail_start)
    tail = handle.read()
    found = tail.rfind(_EOCD_SIGNATURE)
    if found == -1 or found + _EOCD.size > len(tail):
        raise zipfile.BadZipFile("no end of central directory record")
    fields = _EOCD.unpack_from(tail, found)
    record_at, size = tail_start + found, fields[5]
    locator_at = record_at - _ZIP64_LOCATOR.size
    if locator_at >= 0:
        handle.seek(locator_at)
        locator = handle.read(_ZIP64_LOCATOR.size)
        if locator[:4] == _ZIP64_LOCATOR_SIGNATURE:
            record_at = locator_at - _ZIP64_EOCD.size
            handle.seek(max(record_at, 0))
            raw = handle.read(_ZIP64_EOCD.size)
            if record_at < 0 or len(raw) != _ZIP64_EOCD.size or raw[:4] != _ZIP64_EOCD_SIGNATURE:
                raise zipfile.BadZipFile("bad ZIP64 end of central directory record")
            size = _ZIP64_EOCD.unpack(raw)[8]
    if record_at - size < 0:
        raise zipfile.BadZipFile("bad offset for central directory")
    return record_at - size, size


def _local_flag_position(handle: BinaryIO, header_offset: int) -> int | None:
    """The flag field of the local header at ``header_offset`` if it too claims UTF-8."""
    handle.seek(header_offset)
    header = handle.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != _LOCAL_SIGNATURE:
        return None  # zipfile says what is wrong when the member is read
    if not _LOCAL.unpack(header)[3] & UTF8_FLAG:
        return None
    return header_offset + _FLAG_OFFSET["local"]


def _is_utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _PatchedView:
    """A read-only file over ``handle`` in which chosen flag fields read with bit 11 cleared.

    Only the flag's high byte changes, one byte per patch, so no read can split a patch.
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._positions: list[int] = []  # sorted positions of patched bytes

    def clear_flag(self, flag_at: int) -> None:
        position = flag_at + 1
        if position not in self._positions:
            bisect.insort(self._positions, position)

    def read(self, size: int | None = -1) -> bytes:
        start = self._handle.tell()
        data = self._handle.read(-1 if size is None else size)
        first = bisect.bisect_left(self._positions, start)
        last = bisect.bisect_left(self._positions, start + len(data))
        if first == last:
            return data
        patched = bytearray(data)
        for position in self._positions[first:last]:
            patched[position - start] &= ~_FLAG_HIGH_BYTE_BIT & 0xFF
        return bytes(patched)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def seekable(self) -> bool:
        return True
