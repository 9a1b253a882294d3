"""Bulk import: ``manage.py ingest_letters PATH [PATH ...]`` for the backlog and monthly ZIPs.

Files, directories (recursively) and ZIP archives go through the same checks as the admin upload
(``uploads.py``). Parsing runs in worker processes (the parser is pure Python with no Django);
only the main process touches the database, one transaction per small chunk with a savepoint per
letter, so one bad letter never affects the others. What is already stored (same SHA-256) is
skipped, so an interrupted run resumes where it stopped when run again. A parser process that
dies (a crash in the PDF library, the kernel's OOM killer) costs only the letter it was on: the
letters it held are parsed again each in a process of their own, and the one that kills its
process too is stored as failed, with that reason.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.core.management.base import BaseCommand, CommandError
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)

from determinations import services
from determinations.choices import ParseStatus
from determinations.models import Letter, UploadBatch, UploadResult, original_upload_path
from determinations.parsing import content, empty_result, parse_letter_with_text
from determinations.summaries import summaries_refresh
from determinations.uploads import Incoming, Limits, read_file

CHUNK = 100  # letters written per transaction
PARSE_SLICE = 10  # letters sent to a worker process at once
WRITERS = 2  # database writer threads
PROCESS_DIED = "the parser process died while reading this letter (a crash or out of memory)"


def parse_many(items: list[tuple[str, bytes, str]]) -> list[tuple[dict, str]]:
    """Runs in a worker process: keep each original's bytes, then parse it (pure, never raises).

    Writing here rather than in the main process leaves the main process free for the database.
    The bytes are on disk before their row exists, so a stored row always has its bytes.
    """
    results = []
    for name, data, path in items:
        write_original(path, data)
        results.append(parse_letter_with_text(data, name))
    return results


def parse_apart(jobs: list[tuple[str, bytes, str]]) -> list[tuple[dict, str]]:
    """Parse jobs whose process died: in a process of their own, halving the group each time
    that process dies too, so only the letter that kills its process fails (with that reason).
    Its original is still kept: the bytes are written before the parse starts."""
    try:
        with ProcessPoolExecutor(max_workers=1) as alone:
            return alone.submit(parse_many, jobs).result()
    except BrokenProcessPool:
        if len(jobs) > 1:
            half = len(jobs) // 2
            return parse_apart(jobs[:half]) + parse_apart(jobs[half:])
        write_original(jobs[0][2], jobs[0][1])
        result = empty_result()
        result["errors"].append(PROCESS_DIED)
        return [(result, "")]


class Parsers:
    """The parser processes. A process that dies breaks its pool for every letter queued in it,
    so the pool is replaced when that happens and the letters it held go to ``parse_apart``.
    Only the main thread submits; the writer threads only wait for results."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers)

    def submit(self, jobs: list[tuple[str, bytes, str]]) -> Future:
        try:
            return self.pool.submit(parse_many, jobs)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = ProcessPoolExecutor(max_workers=self.workers)
            return self.pool.submit(parse_many, jobs)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def parse_results(slices: list[tuple[list, Future]]) -> list[tuple[dict, str]]:
    """The results of a chunk's parse jobs, in order, whether or not a process died."""
    results: list[tuple[dict, str]] = []
    for jobs, future in slices:
        try:
            results.extend(future.result())
        except BrokenProcessPool:
            results.extend(parse_apart(jobs))
    return results


def write_original(path: str, data: bytes) -> None:
    """Write once, atomically: a file left by a killed run is complete or absent."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.part"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


class Progress:
    """A one-line progress bar on stderr: done/total, percent, rate and ETA."""

    def __init__(self, total: int, stream, enabled: bool) -> None:
        self.total, self.stream, self.enabled = total, stream, enabled
        self.start = time.monotonic()
        self.done = 0
        self._shown = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.enabled and (now - self._shown > 0.2 or self.done >= self.total):
            self._shown = now
            rate = self.rate
            eta = (self.total - self.done) / rate if rate else 0
            percent = 100 * self.done / self.total if self.total else 100
            self.stream.write(
                f"\r{self.done}/{self.total} files {percent:5.1f}%  {rate:7.1f}/s  "
                f"ETA {int(eta) // 60}:{int(eta) % 60:02d}  "
            )
            self.stream.flush()

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.start, 1e-9)

    @property
    def rate(self) -> float:
        return self.done / self.elapsed

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import letters from files, directories (recursive) and ZIP archives."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, directories or ZIP archives.")
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Parser processes (default: the number of CPUs).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (e.g. in cron jobs)."
        )

    def handle(self, *args, paths: list[str], workers: int, no_progress: bool, **options):
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        files = sorted(set(_walk(paths)))
        total = sum(_count(path) for path in files)
        counts: Counter[str] = Counter()
        progress = Progress(total, self.stderr._out, enabled=not no_progress)
        try:
            batch = UploadBatch.objects.create(source="command", note=" ".join(paths)[:10000])
            self._run(files, batch, max(workers, 1), counts, progress)
        except (OperationalError, InterfaceError) as exc:
            progress.close()
            self._summary(counts, progress)
            raise CommandError(
                f"Lost the database connection: {str(exc).strip()}. Everything written before "
                "this point is kept; run the same command again to resume."
            ) from exc
        except KeyboardInterrupt:
            progress.close()
            self._summary(counts, progress)
            raise CommandError("Interrupted: run the same command again to resume.") from None
        progress.close()
        self._summary(counts, progress)
        if counts["new"]:
            refreshed = summaries_refresh(only_if_stale=True)
            if refreshed:
                self.stdout.write(f"Facet summaries refreshed: {refreshed}")

    def _run(self, files, batch, workers, counts, progress) -> None:
        limits = Limits.from_settings(per_upload=False)
        seen: set[str] = set()  # SHA-256 already handled in this run
        connections.close_all()  # never fork with an open database connection
        # Writer threads overlap one chunk's database round trips with the next chunk's Python
        # work (the GIL is released while PostgreSQL works); each has its own connection.
        parsers = Parsers(workers)
        try:
            with ThreadPoolExecutor(max_workers=WRITERS) as writers:
                in_flight: deque[Future] = deque()
                for chunk in _chunks(_incoming(files, limits), CHUNK):
                    prepared = self._prepare(chunk, parsers, seen)
                    in_flight.append(writers.submit(self._write, prepared, batch))
                    while len(in_flight) > workers + WRITERS:
                        self._collect(in_flight.popleft(), counts, progress)
                while in_flight:
                    self._collect(in_flight.popleft(), counts, progress)
        finally:
            parsers.shutdown()

    @staticmethod
    def _collect(future: Future, counts: Counter, progress: Progress) -> None:
        chunk_counts, files = future.result()  # re-raises a lost connection here
        counts.update(chunk_counts)
        progress.advance(files)

    def _prepare(self, chunk: list[Incoming], parsers: Parsers, seen: set[str]):
        """Hash, drop what is stored already, and start parsing the rest in the workers."""
        hashed = [
            (incoming, hashlib.sha256(incoming.data).hexdigest() if incoming.accepted else "")
            for incoming in chunk
        ]
        digests = {digest for _, digest in hashed if digest}
        stored = set(Letter.objects.filter(sha256__in=digests).values_list("sha256", flat=True))
        new: list[tuple[Incoming, str]] = []
        for incoming, digest in hashed:
            if digest and digest not in stored and digest not in seen:
                new.append((incoming, digest))
            seen.add(digest)
        storage = Letter._meta.get_field("original").storage
        jobs = [(i.name, i.data, storage.path(_original_name(d))) for i, d in new]
        slices = [jobs[start : start + PARSE_SLICE] for start in range(0, len(jobs), PARSE_SLICE)]
        futures = [(part, parsers.submit(part)) for part in slices]
        return hashed, {digest for _, digest in new}, new, futures

    def _write(self, prepared, batch) -> tuple[Counter, int]:
        """Runs in a writer thread: store one chunk; its counts and number of files."""
        try:
            return self._write_chunk(prepared, batch)
        finally:
            connections.close_all()  # this thread's connection only (they are per thread)

    def _write_chunk(self, prepared, batch) -> tuple[Counter, int]:
        hashed, new_digests, new, futures = prepared
        parsed = parse_results(futures)
        letters = [_store_original(incoming, digest, batch) for incoming, digest in new]
        for letter, (_, text) in zip(letters, parsed, strict=True):
            letter.text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        pairs = [(letter, result) for letter, (result, _) in zip(letters, parsed, strict=True)]
        try:
            with transaction.atomic():
                services.letters_create_parsed(parsed_letters=pairs)
                counts = self._results(hashed, letters, new_digests, batch)
        except (OperationalError, InterfaceError):
            raise
        except DatabaseError:
            # Something in this chunk was refused (a bad value, or a case number another
            # writer took meanwhile): redo it letter by letter, so that only the bad letter
            # fails (with its reason) and re-issues are flagged as usual.
            letters = [_one_by_one(letter, result) for letter, result in pairs]
            counts = self._results(hashed, letters, new_digests, batch)
        return counts, len(hashed)

    def _results(self, hashed, letters, new_digests, batch) -> Counter:
        """Record one UploadResult per file of the chunk; counts for the summary."""
        counts: Counter[str] = Counter()
        for letter in letters:
            counts[letter.status] += 1
            counts["needs review"] += bool(letter.reissue_of_id)
        by_digest = {letter.sha256: letter for letter in letters}
        existing = dict(
            Letter.objects.filter(
                sha256__in={d for _, d in hashed if d and d not in by_digest}
            ).values_list("sha256", "pk")
        )
        unreported = set(new_digests)  # the same bytes again later in the chunk: duplicates
        results = [
            _result(batch, incoming, digest, by_digest, existing, unreported)
            for incoming, digest in hashed
        ]
        for result in results:
            counts[result.outcome] += 1
        UploadResult.objects.bulk_create(results)
        return counts

    def _summary(self, counts: Counter, progress: Progress) -> None:
        self.stdout.write(
            f"new {counts['new']} (parsed {counts[ParseStatus.PARSED]}, with warnings "
            f"{counts[ParseStatus.PARSED_WITH_WARNINGS]}, failed {counts[ParseStatus.FAILED]}, "
            f"re-issues to review {counts['needs review']}), duplicates or already stored "
            f"{counts['duplicate']}, rejected {counts['rejected']}; "
            f"{progress.done} files in {progress.elapsed:.1f} s = {progress.rate:.1f} letters/s"
        )


def _walk(paths: list[str]) -> Iterator[str]:
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in names:
                    yield os.path.join(root, name)
        else:
            yield path


def _is_zip(path: str) -> bool:
    with open(path, "rb") as handle:
        return content.is_zip(handle.read(4))


def _count(path: str) -> int:
    """How many results a path gives: its members for a ZIP (for the ETA), else one."""
    if not _is_zip(path):
        return 1
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return max(sum(1 for info in archive.infolist() if not info.is_dir()), 1)
    except (zipfile.BadZipFile, OSError, ValueError):
        return 1


def _incoming(files: list[str], limits: Limits) -> Iterator[Incoming]:
    for path in files:
        try:
            with open(path, "rb") as handle:
                yield from read_file(path, handle, os.path.getsize(path), limits=limits)
        except OSError as exc:
            yield Incoming(path, rejection=f"could not be read: {exc.strerror or exc}")


def _chunks(items: Iterator[Incoming], size: int) -> Iterator[list[Incoming]]:
    chunk: list[Incoming] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _original_name(digest: str) -> str:
    return original_upload_path(Letter(sha256=digest), "")


def _store_original(incoming: Incoming, digest: str, batch: UploadBatch) -> Letter:
    """The unsaved row of a new letter whose bytes a worker has written."""
    letter = Letter(
        sha256=digest,
        original_name=incoming.name[-255:],
        size=len(incoming.data),
        content_type=incoming.content_type or content.content_type(incoming.data),
        batch=batch,
    )
    letter.original.name = _original_name(digest)
    return letter


def _one_by_one(letter: Letter, parsed: dict) -> Letter:
    """The slow, careful path for one letter: store its row, then record its parse."""
    letter.pk, letter._state.adding, letter.reissue_of_id = None, True, None
    letter.status = ParseStatus.PENDING
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:  # stored meanwhile by another process
        return Letter.objects.get(sha256=letter.sha256)
    return services.letter_record_parse(letter=letter, parsed=parsed)


def _result(batch, incoming, digest, by_digest, existing, new_digests) -> UploadResult:
    name = incoming.name[-500:]
    if not incoming.accepted:
        return UploadResult(batch=batch, name=name, outcome="rejected", message=incoming.rejection)
    if digest in new_digests:
        new_digests.discard(digest)
        return UploadResult(batch=batch, name=name, outcome="new", letter=by_digest[digest])
    letter = by_digest.get(digest)
    return UploadResult(
        batch=batch,
        name=name,
        outcome="duplicate",
        message="already stored (same bytes)",
        letter_id=letter.pk if letter else existing.get(digest),
    )
