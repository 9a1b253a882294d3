"""What ``ingest_letters`` says about each file: the listing after its summary and ``--report``.

Both use the batch page's words (``batches.result_state``): a file is ``parsed``, ``parsed with
warnings``, ``needs review``, ``duplicate``, ``failed`` or ``rejected`` here as it is there. The
listing names the files not stored as parsed (rejected or failed), the first ``LISTED`` of them;
the report has one row per file, in the spreadsheet-safe CSV of the exports (UTF-8 with a BOM,
CRLF, ``exports.guard_cell`` on every cell). The report is opened before anything is imported, so
a path that cannot be written stops the command before hours of work, and its rows are flushed
chunk by chunk, so a run that stops keeps the rows of everything it stored.
"""

from __future__ import annotations

import csv
import os

from .batches import NOT_STORED_AS_PARSED, ResultLine
from .exports import BOM, guard_cell

LISTED = 50  # files not stored as parsed named after the summary
HEADER = ("path", "sha256", "outcome", "reason", "key", "case_number")


class ReportError(Exception):
    """The report could not be opened or written: what the operator reads, in one line."""


class FileReport:
    """Every file of one run: the ``--report`` CSV (when asked for) and the listing's files."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self.listed: list[ResultLine] = []
        self.not_parsed = 0  # files not stored as parsed, listed or not
        self._handle = None
        if path is None:
            return
        try:
            # errors="replace": a name or reason that is not text cannot stop the report
            self._handle = open(path, "w", encoding="utf-8", errors="replace", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._handle)
            self._handle.write(BOM)
            self._csv.writerow(HEADER)
            self._handle.flush()
        except OSError as exc:
            self.close(quietly=True)
            raise ReportError(self._failure("cannot be written", exc)) from exc

    def excludes(self, path: str) -> bool:
        """Whether ``path`` is the report itself (it may be inside a directory being imported)."""
        if self.path is None or os.path.basename(path) != os.path.basename(self.path):
            return False  # the cheap test first: a run walks every file
        return os.path.realpath(path) == os.path.realpath(self.path)

    def add(self, lines: list[ResultLine]) -> None:
        """One stored chunk's files: kept for the listing, and written to the report."""
        for line in lines:
            if line.result.state in NOT_STORED_AS_PARSED:
                self.not_parsed += 1
                if len(self.listed) < LISTED:
                    self.listed.append(line)
        if self._handle is None:
            return
        try:
            self._csv.writerows(
                [
                    guard_cell(cell)
                    for cell in (
                        line.name,
                        line.sha256,
                        line.result.label,
                        line.result.reason,
                        line.key,
                        line.case_number,
                    )
                ]
                for line in lines
            )
            self._handle.flush()
        except OSError as exc:
            raise ReportError(
                self._failure("could not be written further", exc)
                + ". Letters stored before this point are kept; run the same command again "
                "(with a report path that can be written) to resume"
            ) from exc

    def listing(self, batch: str = "") -> list[str]:
        """The lines after the summary: each file not stored as parsed, with its reason.

        ``batch`` names the run's upload batch, whose admin page lists its files too."""
        if not self.not_parsed:
            return []
        lines = [f"Not stored as parsed ({self.not_parsed} file{'s' * (self.not_parsed != 1)}):"]
        lines += [
            f"  {line.result.label}: {line.name}: {line.result.reason}" for line in self.listed
        ]
        more = self.not_parsed - len(self.listed)
        if more:
            where = f"every file is in {self.path}"
            if self.path is None:
                where = "run with --report FILE.csv to have a row for every file" + (
                    f" ({batch} in the admin lists this run's files)" if batch else ""
                )
            lines.append(f"  ... and {more} more: {where}")
        return lines

    def close(self, *, quietly: bool = False) -> None:
        """Close the report; ``quietly`` when the run already stops for another reason (its
        rows are flushed chunk by chunk, so nothing is left to lose but that reason)."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            try:
                handle.close()
            except OSError as exc:
                if not quietly:
                    raise ReportError(self._failure("could not be written", exc)) from exc

    def _failure(self, what: str, exc: OSError) -> str:
        return f"The report {self.path} {what}: {exc.strerror or exc}"
