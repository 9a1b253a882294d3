"""Reads for an upload batch's page: its counts, its rows, and whether it waits on a worker.

``result_state`` is what became of one file in the batch page's words; ``ingest_letters`` lists
and reports its files in the same words (``result_lines``), so the two never disagree.

Counted in the database (a 20,000-letter batch refreshes its page every two seconds), and the
rows shown are capped. A batch can wait only on the background workers, and django-tasks keeps
no worker heartbeat, so a missing worker is inferred from the queue's and the batches' own
timestamps: nothing started or finished and no chunk received for ``STALE_AFTER``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Max, Q
from django.utils import timezone

from .choices import ParseStatus
from .models import Letter, UploadBatch, UploadResult

ROWS_SHOWN = 1000  # result rows a batch page lists (the counts cover every file)
STALE_AFTER = dt.timedelta(minutes=3)  # no progress for this long while work waits: say so
# manage.py worker re-queues pending letters and unfinished batches itself, and (unlike a bare
# db_worker) survives the database going away.
WORKER_COMMAND = "make worker (or: python manage.py worker)"
REQUEUE_COMMAND = "python manage.py reparse --pending --enqueue"


@dataclass(frozen=True, slots=True)
class ResultState:
    """What became of one file and why, in the words the batch page and ``ingest_letters`` use.

    ``state`` is ``rejected``, ``purged`` (stored, then purged), ``lost`` (its letter is gone),
    ``duplicate``, ``needs review`` (a re-issue) or the new letter's ``ParseStatus``.
    """

    state: str
    reason: str

    @property
    def label(self) -> str:
        return self.state.replace("_", " ")


# The states of files that are not stored as parsed: what ``ingest_letters`` lists by name.
NOT_STORED_AS_PARSED = frozenset({UploadResult.Outcome.REJECTED, ParseStatus.FAILED})


@dataclass(frozen=True, slots=True)
class ResultLine:
    """One file of an ``ingest_letters`` run: its result, SHA-256 and where it can be found."""

    name: str
    sha256: str
    result: ResultState
    key: str = ""  # the permalink key its letter is shown at (or, for a re-issue, its case's)
    case_number: str = ""


@dataclass(frozen=True)
class Stall:
    """Why a batch's work has not moved, and what to run."""

    minutes: int
    workers_seen: bool  # some worker did something lately (so this batch's tasks were lost)
    command: str


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _counted(pairs) -> Counter:
    """Rows by ``(value, flag)``: one grouped query."""
    return Counter(
        {(value, flag): n for value, flag, n in pairs.annotate(n=Count("id")).order_by()}
    )


def batch_counts(batch: UploadBatch) -> dict[str, int]:
    """Files by outcome and new letters by their rows' state (``result_state``'s: a re-issue
    counts as needing review, not as parsed; a purged file as purged), in two queries."""
    outcomes = _counted(
        batch.results.values_list("outcome", _flag(Q(message__startswith="purged:")))
    )
    statuses = _counted(
        batch.results.filter(outcome=UploadResult.Outcome.NEW, letter__isnull=False).values_list(
            "letter__status", _flag(Q(letter__reissue_of__isnull=False))
        )
    )

    def count(counter: Counter, first) -> int:
        return counter[(first, False)] + counter[(first, True)]

    return {
        "files": sum(outcomes.values()),
        "new": count(outcomes, UploadResult.Outcome.NEW),
        "duplicate": outcomes[(UploadResult.Outcome.DUPLICATE, False)],
        "rejected": count(outcomes, UploadResult.Outcome.REJECTED),
        "purged": sum(n for (_, purged), n in outcomes.items() if purged),
        "parsed": statuses[(ParseStatus.PARSED, False)],
        "warnings": statuses[(ParseStatus.PARSED_WITH_WARNINGS, False)],
        "review": statuses[(ParseStatus.PARSED, True)]
        + statuses[(ParseStatus.PARSED_WITH_WARNINGS, True)],
        "failed": count(statuses, ParseStatus.FAILED),
        "pending": count(statuses, ParseStatus.PENDING),
    }


def batch_results(batch: UploadBatch, limit: int = ROWS_SHOWN) -> list[UploadResult]:
    """The first ``limit`` result rows with what a row shows (not the letters' texts)."""
    return list(
        batch.results.select_related("letter", "letter__determination", "letter__reissue_of")
        .defer(
            "letter__text",
            "letter__determination__clinical_summary",
            "letter__reissue_of__clinical_summary",
        )
        .order_by("id")[:limit]
    )


def result_state(result: UploadResult) -> ResultState:
    """One file's state and the reason shown beside it.

    Reads only the result and its letter (as loaded: the batch page's ``batch_results``, or the
    rows ``ingest_letters`` just wrote); a re-issue's reason names the case it re-issues.
    """
    letter = result.letter
    if result.outcome == UploadResult.Outcome.REJECTED:
        return ResultState("rejected", result.message)
    if result.message.startswith("purged:"):  # services.letter_purge says so
        return ResultState("purged", result.message)
    if result.outcome == UploadResult.Outcome.DUPLICATE:
        # Without a letter when its first copy was still being written by another chunk.
        return ResultState("duplicate", result.message)
    if letter is None:
        return ResultState("lost", result.message)
    if letter.status == ParseStatus.FAILED:
        state, reasons = str(letter.status), letter.errors
    elif letter.reissue_of_id is not None:
        state, reasons = (
            "needs review",
            [
                f"re-issued letter: {letter.reissue_of} already shows another letter; "
                "choose which one its permalink shows (Letters, filter 'needs review')",
                *letter.warnings,
            ],
        )
    else:
        state, reasons = str(letter.status), letter.warnings
    # and what was changed in the file's name to store it (``services.name_warning``)
    return ResultState(state, "; ".join([*reasons, *filter(None, [result.message])]))


def result_lines(results: list[tuple[UploadResult, str]]) -> list[ResultLine]:
    """``ingest_letters``' line for each ``(result, SHA-256)`` of a chunk it stored, in order.

    One query finds where each stored file is shown: its letter's determination, or for a
    re-issue the determination of its case. By SHA-256, so a duplicate whose first copy was
    written by another chunk is found too.
    """
    digests = {digest for result, digest in results if digest}
    shown = (
        {
            sha256: (own_key or case_key or "", own_case or other_case or "")
            for sha256, own_key, own_case, case_key, other_case in Letter.objects.filter(
                sha256__in=digests
            ).values_list(
                "sha256",
                "determination__key",
                "determination__case_number",
                "reissue_of__key",
                "reissue_of__case_number",
            )
        }
        if digests
        else {}
    )
    lines = []
    for result, digest in results:
        state = result_state(result)
        key, case_number = ("", "") if state.state == "rejected" else shown.get(digest, ("", ""))
        lines.append(ResultLine(result.name, digest, state, key, case_number))
    return lines


def batch_stall(batch: UploadBatch, *, pending: int, now=None) -> Stall | None:
    """A ``Stall`` when the batch still has work (receiving, or letters pending) and nothing of
    it moved for ``STALE_AFTER``; else None."""
    if batch.state != "receiving" and not pending:
        return None
    now = now or timezone.now()
    parsed = Letter.objects.filter(batch=batch).aggregate(at=Max("parsed_at"))["at"]
    moved = max(t for t in (batch.created_at, batch.progress_at, parsed) if t is not None)
    if now - moved <= STALE_AFTER:
        return None
    seen = worker_last_seen()
    alive = seen is not None and now - seen <= STALE_AFTER
    return Stall(
        minutes=int((now - moved).total_seconds() // 60),
        workers_seen=alive,
        command=REQUEUE_COMMAND if alive else WORKER_COMMAND,
    )


def worker_last_seen():
    """When any worker last started or finished a task or received a chunk, or None."""
    from django_tasks_db.models import DBTaskResult

    tasks = DBTaskResult.objects.aggregate(started=Max("started_at"), finished=Max("finished_at"))
    chunk = UploadBatch.objects.aggregate(at=Max("progress_at"))["at"]
    times = [t for t in (tasks["started"], tasks["finished"], chunk) if t is not None]
    return max(times, default=None)
