"""Bulk import: ``manage.py ingest_letters PATH [PATH ...]`` for the backlog and monthly ZIPs.

Files, directories (recursively) and ZIP archives go through the same checks as the admin upload
(``uploads.py``) and are stored by the same services (``services.receipts_for``,
``original_write``, ``receipts_store_parsed``): the same hashing, rows, names and messages. What
is the command's own: walking the paths, the parser processes (the parser is pure Python with no
Django; they also write the originals, through the storage API), the writer threads (one
transaction per chunk) and the progress line. What is already stored (same SHA-256) is skipped,
so an interrupted run resumes where it stopped when run again. A parser process that dies (a
crash in the PDF library, the kernel's OOM killer) costs only the letter it was on: the letters
it held are parsed again each in a process of their own, and the one that kills its process too
is stored as failed, with that reason. After its summary it names each file not stored as
parsed (rejected or failed) with the reason, and ``--report FILE.csv`` has a row for every file
(``ingest_report.py``: the batch page's words, ``batches.result_state``).
"""

from __future__ import annotations

import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connections

from determinations import batches, services
from determinations.choices import ParseStatus
from determinations.ingest_report import FileReport, ReportError
from determinations.models import UploadResult
from determinations.parsing import content, empty_result, parse_letter_with_text
from determinations.summaries import summaries_refresh
from determinations.uploads import Incoming, Limits, chunks, read_file

CHUNK = 100  # letters written per transaction
PARSE_SLICE = 10  # letters sent to a worker process at once
WRITERS = 2  # database writer threads
PROCESS_DIED = "the parser process died while reading this letter (a crash or out of memory)"


def parse_many(items: list[tuple[str, bytes, str]]) -> list[tuple[str, dict, str]]:
    """Runs in a worker process: keep each ``(file name, bytes, content address)``'s original,
    then parse it.

    Writing here rather than in the main process leaves the main process free for the database.
    The bytes are stored before their row exists, so a stored row always has its bytes. Each
    result is the name the original is stored under, the parse (pure, never raises) and the text.
    """
    results = []
    for name, data, address in items:
        stored_name = services.original_write(name=address, data=data)
        results.append((stored_name, *parse_letter_with_text(data, name)))
    return results


def parse_apart(jobs: list[tuple[str, bytes, str]]) -> list[tuple[str, dict, str]]:
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
        _, data, address = jobs[0]
        result = empty_result()
        result["errors"].append(PROCESS_DIED)
        return [(services.original_write(name=address, data=data), result, "")]


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


def parse_results(slices: list[tuple[list, Future]]) -> list[tuple[str, dict, str]]:
    """The results of a chunk's parse jobs, in order, whether or not a process died."""
    results: list[tuple[str, dict, str]] = []
    for jobs, future in slices:
        try:
            results.extend(future.result())
        except BrokenProcessPool:
            results.extend(parse_apart(jobs))
    return results


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
        parser.add_argument(
            "--report",
            metavar="FILE.csv",
            help="Write one CSV row per file: path, sha256, outcome, reason, key, case number.",
        )

    def handle(
        self, *args, paths: list[str], workers: int, no_progress: bool, report: str | None, **opts
    ):
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}")
        try:
            self.report = FileReport(report)  # before any work: an unwritable path stops here
        except ReportError as exc:
            raise CommandError(f"{exc}. Nothing was imported.") from exc
        try:
            self._import(paths, workers, no_progress)
        except BaseException:
            self.report.close(quietly=True)  # the reason the run stopped is the one to tell
            raise
        try:
            self.report.close()
        except ReportError as exc:
            raise CommandError(str(exc)) from exc

    def _import(self, paths: list[str], workers: int, no_progress: bool) -> None:
        files = sorted({path for path in _walk(paths) if not self.report.excludes(path)})
        total = sum(_count(path) for path in files)
        counts: Counter[str] = Counter()
        progress = Progress(total, self.stderr._out, enabled=not no_progress)
        batch = None
        try:
            batch = services.batch_create(source="command", note=" ".join(paths))
            self._run(files, batch, max(workers, 1), counts, progress)
        except (OperationalError, InterfaceError) as exc:
            progress.close()
            self._summary(counts, progress, batch)
            raise CommandError(
                f"Lost the database connection: {str(exc).strip()}. Everything written before "
                "this point is kept; run the same command again to resume."
            ) from exc
        except ReportError as exc:
            progress.close()
            self._summary(counts, progress, batch)
            raise CommandError(str(exc)) from exc
        except OSError as exc:  # an original could not be written: a full disk, an I/O error
            progress.close()
            self._summary(counts, progress, batch)
            raise CommandError(storage_stopped(exc)) from exc
        except KeyboardInterrupt:
            progress.close()
            self._summary(counts, progress, batch)
            raise CommandError("Interrupted: run the same command again to resume.") from None
        progress.close()
        self._summary(counts, progress, batch)
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
                for chunk in chunks(_incoming(files, limits), CHUNK):
                    prepared = self._prepare(chunk, batch, parsers, seen)
                    in_flight.append(writers.submit(self._write, prepared, batch))
                    while len(in_flight) > workers + WRITERS:
                        self._collect(in_flight.popleft(), counts, progress)
                while in_flight:
                    self._collect(in_flight.popleft(), counts, progress)
        finally:
            parsers.shutdown()

    def _collect(self, future: Future, counts: Counter, progress: Progress) -> None:
        """Count a stored chunk and report its files. In chunk order, so every earlier chunk is
        committed and a duplicate of a file of one of them finds its letter."""
        chunk_counts, receipts, results = future.result()  # re-raises a lost connection here
        counts.update(chunk_counts)
        digests = [receipt.digest for receipt in receipts]
        self.report.add(batches.result_lines(list(zip(results, digests, strict=True))))
        progress.advance(len(receipts))

    def _prepare(self, chunk: list[Incoming], batch, parsers: Parsers, seen: set[str]):
        """Sort the chunk against the archive and start parsing its new files in the workers."""
        receipts = services.receipts_for(files=chunk, batch=batch, seen=seen)
        for receipt in receipts:  # the one refusal a person must hear of file by file
            if receipt.digest and receipt.rejection is not None:
                self.stdout.write(f"refused {receipt.incoming.name}: {receipt.rejection}")
        new = [receipt for receipt in receipts if receipt.new]
        jobs = [(r.incoming.name, r.incoming.data, r.letter.original.name) for r in new]
        slices = [jobs[start : start + PARSE_SLICE] for start in range(0, len(jobs), PARSE_SLICE)]
        return receipts, [(part, parsers.submit(part)) for part in slices]

    def _write(self, prepared, batch) -> tuple[Counter, list, list[UploadResult]]:
        """Runs in a writer thread: store one chunk; its counts, receipts and results."""
        receipts, futures = prepared
        try:
            results = services.receipts_store_parsed(
                receipts=receipts, parses=parse_results(futures), batch=batch
            )
        finally:
            connections.close_all()  # this thread's connection only (they are per thread)
        counts: Counter[str] = Counter(result.outcome for result in results)
        for result in results:
            if result.outcome == UploadResult.Outcome.NEW:
                counts[result.letter.status] += 1
                counts["needs review"] += bool(result.letter.reissue_of_id)
        return counts, receipts, results

    def _summary(self, counts: Counter, progress: Progress, batch) -> None:
        """The counts, then each file not stored as parsed (the first ones) with its reason."""
        self.stdout.write(
            f"new {counts['new']} (parsed {counts[ParseStatus.PARSED]}, with warnings "
            f"{counts[ParseStatus.PARSED_WITH_WARNINGS]}, failed {counts[ParseStatus.FAILED]}, "
            f"re-issues to review {counts['needs review']}), duplicates or already stored "
            f"{counts['duplicate']}, rejected {counts['rejected']}; "
            f"{progress.done} files in {progress.elapsed:.1f} s = {progress.rate:.1f} letters/s"
        )
        for line in self.report.listing(batch=f"upload batch {batch.pk}" if batch else ""):
            self.stdout.write(line)


def storage_stopped(exc: OSError) -> str:
    """The one line a run stopped by its storage ends with (the writes are atomic: no partial
    original is left, and the letters of the chunk that failed have no rows yet)."""
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"Could not store an original: {exc.strerror or exc}{where}. Letters stored before this "
        "point are kept and nothing half-written is left; free space (or fix the storage) and "
        "run the same command again to resume."
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
