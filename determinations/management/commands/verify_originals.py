"""``manage.py verify_originals [--repair PATH ...]``: is every stored original still its bytes?

The originals are the part of the archive nothing can rebuild, and a disk can lose or damage
them without anyone reading them for years. This reads every letter's original through the
storage API, streaming (memory stays bounded whatever the sizes), and compares it with the size
and SHA-256 recorded when it was stored. Bad ones are listed by letter (pk, name, problem); the
exit status is 1 when any is bad, so a cron job or a monitor can alert on it.

``--repair PATH...`` (files or directories, e.g. a backup or the letters as they were received)
restores each bad or missing original from a file whose bytes hash to the recorded SHA-256, with
the same atomic write as an upload, then says what it repaired and what is still bad.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from determinations.models import Letter, original_upload_path

READ_CHUNK = 1024 * 1024
ITERATE_CHUNK = 2000  # letters read from the database at a time


@dataclass(frozen=True, slots=True)
class Bad:
    pk: int
    name: str  # the letter's original name, as uploaded
    sha256: str
    size: int
    problem: str  # missing, wrong size (N bytes), wrong SHA-256, unreadable (reason)


def check_original(storage, letter: Letter) -> str | None:
    """What is wrong with one letter's stored original, or None when it holds its bytes."""
    name = letter.original.name
    if not name or not storage.exists(name):
        return "missing"
    try:
        size = storage.size(name)
        if size != letter.size:
            return f"wrong size ({size} bytes, expected {letter.size})"
        with storage.open(name, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return None if digest == letter.sha256 else "wrong SHA-256"


def file_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _walk(paths: list[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    yield os.path.join(root, name)
        else:
            yield path


class Command(BaseCommand):
    help = "Check every stored original against its SHA-256 and size; --repair restores them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            nargs="+",
            metavar="PATH",
            help="Files or directories to restore bad or missing originals from (matched by "
            "SHA-256).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress line.")

    def handle(self, *args, repair: list[str] | None, no_progress: bool, **options):
        missing = [p for p in repair or [] if not os.path.exists(p)]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        storage = Letter._meta.get_field("original").storage
        bad, total = self._verify(storage, progress=not no_progress)
        for letter in bad:
            self.stdout.write(f"{letter.problem}: letter {letter.pk} {letter.name}")
        self.stdout.write(f"checked {total} originals: {total - len(bad)} good, {len(bad)} bad")
        if repair and bad:
            bad = self._repair(storage, bad, repair)
        if bad:
            raise CommandError(
                f"{len(bad)} of {total} originals are missing or damaged: restore them with "
                "verify_originals --repair PATH (a backup, or the letters as received)"
            )

    def _verify(self, storage, *, progress: bool) -> tuple[list[Bad], int]:
        letters = Letter.objects.only("pk", "original", "original_name", "sha256", "size")
        total = letters.count()
        bad, shown, started = [], 0.0, time.monotonic()
        rows = letters.order_by("pk").iterator(chunk_size=ITERATE_CHUNK)
        for done, letter in enumerate(rows, 1):
            problem = check_original(storage, letter)
            if problem:
                bad.append(
                    Bad(letter.pk, letter.original_name, letter.sha256, letter.size, problem)
                )
            now = time.monotonic()
            if progress and (now - shown > 0.5 or done == total):
                shown = now
                rate = done / max(now - started, 1e-9)
                self.stderr.write(
                    f"\r{done}/{total} originals checked, {len(bad)} bad, {rate:.0f}/s  ",
                    ending="",
                )
                self.stderr.flush()
        if progress and total:
            self.stderr.write("")
        return bad, total

    def _repair(self, storage, bad: list[Bad], paths: list[str]) -> list[Bad]:
        """Restore what the given files hold; returns what is still bad."""
        wanted = {letter.sha256: letter for letter in bad}
        sizes = {letter.size for letter in bad}
        for path in _walk(paths):
            try:
                if os.path.getsize(path) not in sizes:
                    continue  # cheap: only files of a size a bad letter has are hashed
                digest = file_digest(path)
                letter = wanted.pop(digest, None)
                if letter is None:
                    continue
                self._restore(storage, letter, path)
            except OSError as exc:
                self.stderr.write(f"could not use {path}: {exc.strerror or exc}")
                continue
            self.stdout.write(f"repaired: letter {letter.pk} {letter.name} from {path}")
            if not wanted:
                break
        still = [letter for letter in bad if letter.sha256 in wanted]
        self.stdout.write(f"repaired {len(bad) - len(still)}, still bad {len(still)}")
        for letter in still:
            self.stdout.write(f"still {letter.problem}: letter {letter.pk} {letter.name}")
        return still

    @staticmethod
    def _restore(storage, letter: Bad, path: str) -> None:
        """Write the file under the letter's content address (atomically) and point the row at
        it, in case it pointed at another name."""
        address = original_upload_path(Letter(sha256=letter.sha256), "")
        with open(path, "rb") as handle:
            name = storage.save(address, File(handle, name=address))
        Letter.objects.filter(pk=letter.pk).exclude(original=name).update(original=name)
