"""Where the originals live: a file system storage whose writes are all or nothing.

Django's ``FileSystemStorage`` writes in place and, when the name is taken, picks another one
(``name_abc123``). For content-addressed originals both are wrong: a full disk or a killed process
leaves a partial file at the letter's address, and two writers of the same bytes leave two files.
Here a save writes a temporary file in the same directory, fsyncs it, and renames it over the
name (``os.replace`` is atomic within one file system), then fsyncs the directory so the rename
survives a power cut. The name is never changed: the last complete write wins, and every write of
a content address holds the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress

from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name
from django.utils._os import safe_makedirs

TEMP_PREFIX = ".partial-"  # unfinished writes: never a content address


def _umask() -> int:
    """The process's umask, read once (reading it means setting it, which threads would race)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


class AtomicFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` with atomic, in-place saves (temporary file, fsync, rename)."""

    def __init__(self, **options) -> None:
        options.setdefault("allow_overwrite", True)
        super().__init__(**options)

    def get_available_name(self, name, max_length=None):
        """The name asked for, always: an existing file there is replaced, never sidestepped."""
        name = str(name).replace("\\", "/")
        validate_file_name(name, allow_relative_path=True)
        if max_length is not None and len(name) > max_length:
            raise ValueError(f"storage name {name!r} is longer than {max_length} characters")
        return name

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        self._makedirs(directory)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, self._file_mode())
            os.replace(temporary, full_path)
        except BaseException:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        _fsync_directory(directory)
        return str(name).replace("\\", "/")

    def _makedirs(self, directory: str) -> None:
        try:
            if self.directory_permissions_mode is not None:
                safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
            else:
                os.makedirs(directory, exist_ok=True)
        except FileExistsError:
            raise FileExistsError(f"{directory} exists and is not a directory.") from None

    def _file_mode(self) -> int:
        """``FILE_UPLOAD_PERMISSIONS``, else what ``open()`` would give (``mkstemp`` gives 0600)."""
        if self.file_permissions_mode is not None:
            return self.file_permissions_mode
        return 0o666 & ~_UMASK


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (a no-op where directories cannot be opened)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
