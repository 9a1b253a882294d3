"""The archive's write paths. The admin upload, the worker and ``ingest_letters`` all call these.

- ``receipts_for`` sorts a chunk of an upload's files (hash, one look-up): refused, new (with the
  letter's unsaved row), or bytes already stored; ``original_write`` keeps a new file's bytes
  (content-addressed by SHA-256, through the storage API); ``receipts_store`` (admin upload) and
  ``receipts_store_parsed`` (``ingest_letters``, parsed in its processes) insert the new rows in
  bulk and one ``UploadResult`` per file; ``letter_store`` is the same path for one file;
- ``letter_parse`` parses a stored letter and saves the result with ``determination_save``;
- ``determination_save`` writes one parse (determination, reviewer, items, citations) in one
  transaction, keeping the permalink key stable across re-parses;
- ``batch_receive`` stores an upload's accepted files and queues their parsing; an admin upload
  is first only staged (``batch_stage``, in the request), then received by a worker
  (``batch_receive_staged``: chunk by chunk, resumable; ``batches_requeue`` at worker start);
- ``letters_parse`` is what the worker and ``reparse`` run: each letter parsed exactly once, one at
  a time, under its row lock;
- ``letter_choose_for_permalink`` is an admin's choice for a re-issued letter;
- ``letter_purge`` removes a letter uploaded by mistake and leaves a tombstone that refuses its
  bytes (in ``receipts_for``) until ``purges_undo``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import logging
import os
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchVectorField
from django.core.files.base import ContentFile
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    transaction,
)
from django.db.models import BooleanField, CharField, Expression, F, IntegerField, Q, Value
from django.utils import timezone

from . import reasons, search_vector
from .choices import (
    CitedBy,
    ParseStatus,
    decision_days_value,
    letter_outcome_value,
    modified_value,
)
from .citation_format import citations_text
from .guidelines import guideline_value, section_value
from .models import (
    Determination,
    DisputedItem,
    GuidelineCitation,
    Letter,
    PurgedLetter,
    Reviewer,
    UploadBatch,
    UploadResult,
    original_upload_path,
)
from .parsing import PARSER_VERSION, content, parse_letter_with_text
from .uploads import Incoming, Limits, chunks, read_files

logger = logging.getLogger(__name__)

UNFINISHED_PARSES_MAX = 2  # worker deaths on one letter before it is failed instead of retried
WORKER_DIED = (
    "the parser stopped twice while reading this letter (its worker process died: a crash or out "
    "of memory); it is not tried again automatically: re-parse it once the cause is fixed"
)


MESSAGE_MAX = 500  # characters of a message or error kept (its start says what happened)
NOTE_MAX = 10000  # characters of a batch's note kept
RECEIVE_CHUNK = 100  # files of an admin upload stored per transaction


# Removed from names: C0/C1 controls, format characters (bidi overrides), line separators.
_NAME_DROPPED = frozenset(("Cc", "Cf", "Zl", "Zp"))


def name_fit(name: str | bytes, model, field: str) -> str:
    """The name rule, for every name a letter or a result keeps (uploads, ZIP members, paths).

    Bytes that are not UTF-8 are decoded with replacement (U+FFFD), never dropped; control and
    format characters are removed; the rest is cut to fit ``model.field``, keeping its end (the
    end of a path names the file). ``name_warning`` says what was changed.
    """
    return _name_clean(name)[-model._meta.get_field(field).max_length :]


def name_warning(name: str | bytes) -> str:
    """What ``name_fit`` changed in the name a letter keeps ('' when nothing): for the results."""
    clean = _name_clean(name)
    kept = clean[-Letter._meta.get_field("original_name").max_length :]
    notes = []
    if "\ufffd" in clean:
        notes.append("bytes of the file name that are not UTF-8 are shown as \ufffd")
    if len(clean) < len(_name_decoded(name)):
        notes.append("control characters removed from the file name")
    if len(kept) < len(clean):
        notes.append(f"file name cut to its last {len(kept)} characters (it had {len(clean)})")
    return "; ".join(notes)


def _name_decoded(name: str | bytes) -> str:
    """Text for any name: bytes or a path's undecodable bytes (``os.fsdecode``'s surrogates)
    decoded as UTF-8 with replacement."""
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # surrogates that are not escaped bytes
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in name)
    return name


def _name_clean(name: str | bytes) -> str:
    return "".join(c for c in _name_decoded(name) if unicodedata.category(c) not in _NAME_DROPPED)


def message_fit(message: str) -> str:
    """A message or error cut to ``MESSAGE_MAX`` characters, keeping its start."""
    return message[:MESSAGE_MAX]


def _storable_text(text: str) -> str:
    """Extracted text as PostgreSQL can hold it (its text type cannot hold NUL)."""
    return text.replace("\x00", "")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredLetter:
    letter: Letter
    created: bool


@dataclass(slots=True)
class Receipt:
    """One file of an upload as the archive sees it: refused, new, or bytes already stored.

    ``letter`` is the new letter's row (unsaved until stored) or the stored letter the file
    duplicates; it is None for a duplicate of a file met earlier in the same upload, which
    ``_results_create`` finds by its digest once that file is stored.
    """

    incoming: Incoming
    digest: str = ""  # SHA-256 of an accepted file
    rejection: str | None = None  # why it is not stored: the upload's reason, or a storage error
    new: bool = False
    letter: Letter | None = None


# What a duplicate's message names: loaded for the stored letters a chunk's files duplicate.
_DUPLICATE_FIELDS = ("pk", "sha256", "original_name", "uploaded_at", "batch_id", "status")


def batch_create(*, user=None, source: str, note: str = "") -> UploadBatch:
    """The batch an upload (or one ``ingest_letters`` run) records its files in."""
    return UploadBatch.objects.create(created_by=user, source=source, note=note[:NOTE_MAX])


def receipts_for(
    *,
    files: Iterable[Incoming],
    batch: UploadBatch | None,
    uploaded_by=None,
    seen: set[str] | None = None,
) -> list[Receipt]:
    """Hash each accepted file and sort it: new (with its unsaved row) or already stored.

    One query for the whole chunk. ``seen`` holds the digests met earlier in the same upload and
    is updated here, so bytes that come twice are stored once and reported as a duplicate.
    Purged bytes are refused, saying when, by whom and why (``letter_purge``).
    """
    seen = set() if seen is None else seen
    receipts = [
        Receipt(i, sha256_hex(i.data) if i.accepted else "", rejection=i.rejection) for i in files
    ]
    stored, purged = _letters_and_purges_by_digest({r.digest for r in receipts if r.digest})
    for receipt in receipts:
        digest = receipt.digest
        if not digest:
            continue
        if digest in purged:
            receipt.rejection = message_fit(purge_notice(purged[digest]))
        elif digest in stored:
            receipt.letter = stored[digest]
        elif digest not in seen:
            receipt.new = True
            receipt.letter = _letter_row(receipt.incoming, digest, batch, uploaded_by)
        seen.add(digest)
    return receipts


def _letters_by_digest(digests: set[str]) -> dict[str, Letter]:
    """Stored letters by SHA-256, with what a duplicate's message names (no query for none)."""
    letters = Letter.objects.filter(sha256__in=digests).only(*_DUPLICATE_FIELDS)
    return {letter.sha256: letter for letter in letters} if digests else {}


_PURGE_FIELDS = ("pk", "sha256", "original_name", "purged_at", "purged_by_name", "reason")


def _letters_and_purges_by_digest(
    digests: set[str],
) -> tuple[dict[str, Letter], dict[str, PurgedLetter]]:
    """Stored letters (as ``_letters_by_digest``) and purge tombstones by SHA-256, in one query
    (a UNION of rows of the same shape; none for no digests)."""
    if not digests:
        return {}, {}
    text, none = Value("", output_field=CharField()), Value(None, output_field=IntegerField())
    letters = (
        Letter.objects.filter(sha256__in=digests)
        .order_by()
        .values_list(Value(False, output_field=BooleanField()), *_DUPLICATE_FIELDS, text, text)
    )
    purges = (
        PurgedLetter.objects.filter(sha256__in=digests)
        .order_by()
        .values_list(
            Value(True, output_field=BooleanField()),
            *_PURGE_FIELDS[:4],
            none,
            text,
            *_PURGE_FIELDS[4:],
        )
    )
    stored: dict[str, Letter] = {}
    purged: dict[str, PurgedLetter] = {}
    for is_purge, *row in letters.union(purges, all=True):
        # row: pk, sha256, name, uploaded or purged at, then batch id and status (letters), or
        # by and reason (purges)
        if is_purge:
            purged[row[1]] = _loaded(PurgedLetter, _PURGE_FIELDS, (*row[:4], *row[6:]))
        else:
            stored[row[1]] = _loaded(Letter, _DUPLICATE_FIELDS, row[:6])
    return stored, purged


def _loaded(model, names: tuple[str, ...], values) -> object:
    """A ``model`` instance holding these fields, the others deferred (what ``only`` makes)."""
    pairs = zip(names, values, strict=True)
    given = {("id" if name == "pk" else name): value for name, value in pairs}
    attnames = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(None, attnames, [given[name] for name in attnames])


def purge_notice(purged: PurgedLetter) -> str:
    """Why purged bytes are refused (shown to staff only: the reason may name the mistake)."""
    when = timezone.localtime(purged.purged_at)
    return (
        f"purged on {when:%Y-%m-%d %H:%M} by {purged.purged_by_name or 'an unknown user'} "
        f"(undo the purge in the admin, Purged letters, to accept these bytes again): "
        f"{purged.reason}"
    )


def _letter_row(incoming: Incoming, digest: str, batch, uploaded_by) -> Letter:
    """The unsaved row of a new letter; ``original`` names its content address until the bytes
    are written (``original_write`` says where they went)."""
    letter = Letter(
        sha256=digest,
        original_name=name_fit(incoming.name, Letter, "original_name"),
        size=len(incoming.data),
        content_type=incoming.content_type or content.content_type(incoming.data),
        uploaded_by=uploaded_by,
        batch=batch,
    )
    letter.original.name = original_upload_path(letter, "")
    return letter


def original_write(*, name: str, data: bytes) -> str:
    """Keep an original's bytes under its content address ``name``, through the storage API;
    returns the name they are stored under (``name``).

    Called before the letter's row is written (a stored row always has its bytes), also from
    ``ingest_letters``' parser processes (no database needed). A file already under ``name`` is
    trusted only when it holds these bytes; anything else there (a file a killed run or a full
    disk left half-written) is replaced in place. The storage (``storage.py``) writes atomically:
    a failed write raises ``OSError`` and leaves nothing at ``name``.
    """
    field = Letter._meta.get_field("original")
    if field.storage.exists(name) and _stored_digest(field.storage, name) == sha256_hex(data):
        return name
    return field.storage.save(name, ContentFile(data), max_length=field.max_length)


def storage_failure(exc: OSError) -> str:
    """What a file's result says when its bytes could not be written (full disk, I/O error)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"could not be stored, nothing was kept ({reason}): upload it again once it is fixed"


def _stored_digest(storage, name: str) -> str:
    with storage.open(name, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def letter_store(
    *,
    data: bytes,
    name: str,
    uploaded_by=None,
    batch: UploadBatch | None = None,
) -> StoredLetter:
    """Store one original unless the same bytes are already stored (the upload's path for one
    file, without an UploadResult): the stored (or existing) letter and whether it was created.
    Purged bytes raise ``ValueError`` with the purge's notice.
    """
    (receipt,) = receipts_for(files=[Incoming(name, data)], batch=batch, uploaded_by=uploaded_by)
    if receipt.rejection is not None:
        raise ValueError(f"{name}: {receipt.rejection}")
    if not receipt.new:
        return StoredLetter(receipt.letter, False)
    receipt.letter.original.name = original_write(name=receipt.letter.original.name, data=data)
    return StoredLetter(*_letter_insert(receipt.letter))


def _letter_insert(letter: Letter) -> tuple[Letter, bool]:
    """Insert one new letter's row, or find the row another process stored meanwhile."""
    letter.pk, letter._state.adding = None, True
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        return Letter.objects.get(sha256=letter.sha256), False
    return letter, True


def receipts_store(*, receipts: list[Receipt], batch: UploadBatch) -> list[UploadResult]:
    """Keep the new files' bytes, insert their rows (pending) in bulk, and one result per file.

    A file whose bytes cannot be written is refused with the reason; the others still go in.
    """
    for receipt in receipts:
        if not receipt.new:
            continue
        try:
            name = original_write(name=receipt.letter.original.name, data=receipt.incoming.data)
        except OSError as exc:
            logger.error("could not store %s: %s", receipt.incoming.name, exc)
            receipt.new, receipt.letter = False, None
            receipt.rejection = storage_failure(exc)
            continue
        receipt.letter.original.name = name
    new = [receipt for receipt in receipts if receipt.new]
    with transaction.atomic():
        try:
            with transaction.atomic():
                Letter.objects.bulk_create([receipt.letter for receipt in new])
        except IntegrityError:
            # Another process stored some of the same bytes meanwhile: one by one, those
            # become duplicates of the rows it stored.
            for receipt in new:
                receipt.letter, receipt.new = _letter_insert(receipt.letter)
        return _results_create(receipts, batch)


def receipts_store_parsed(
    *, receipts: list[Receipt], parses: list[tuple[str, dict, str]], batch: UploadBatch
) -> list[UploadResult]:
    """``receipts_store`` for new files already written and parsed (``ingest_letters``).

    ``parses`` holds, for each new receipt in order, the name its bytes were stored under, its
    parse and its extracted text. The rows go in with their parses in a few bulk queries; a
    chunk the database refuses (a bad value, a case number another writer took meanwhile) is
    redone letter by letter, so only the bad letter fails (with its reason) and re-issues are
    flagged as usual. A lost connection is raised, nothing of the chunk kept.
    """
    new = [receipt for receipt in receipts if receipt.new]
    pairs = []
    for receipt, (name, parsed, text) in zip(new, parses, strict=True):
        receipt.letter.original.name = name
        receipt.letter.text = _storable_text(text)
        pairs.append((receipt.letter, parsed))
    try:
        with transaction.atomic():
            letters_create_parsed(parsed_letters=pairs)
            return _results_create(receipts, batch)
    except (OperationalError, InterfaceError):
        raise
    except DatabaseError:
        for receipt, (letter, parsed) in zip(new, pairs, strict=True):
            letter.status, letter.reissue_of_id = ParseStatus.PENDING, None
            receipt.letter, receipt.new = _letter_insert(letter)
            if receipt.new:
                letter_record_parse(letter=letter, parsed=parsed)
        return _results_create(receipts, batch)


def _results_create(receipts: list[Receipt], batch: UploadBatch) -> list[UploadResult]:
    """One UploadResult per file, inserted in one query; duplicates link the stored letter."""
    new = {r.digest: r.letter for r in receipts if r.new}
    found = _letters_by_digest(
        {r.digest for r in receipts if r.digest and r.letter is None and r.digest not in new}
    )
    results = []
    for receipt in receipts:
        name = name_fit(receipt.incoming.name, UploadResult, "name")
        if receipt.rejection is not None:
            outcome, message, letter = UploadResult.Outcome.REJECTED, receipt.rejection, None
        elif receipt.new:
            outcome, message, letter = UploadResult.Outcome.NEW, "", receipt.letter
        else:
            letter = receipt.letter or new.get(receipt.digest) or found.get(receipt.digest)
            outcome, message = UploadResult.Outcome.DUPLICATE, _duplicate_message(letter, batch)
        warning = name_warning(receipt.incoming.name)
        message = "; ".join(part for part in (message, warning) if part)
        results.append(
            UploadResult(
                batch=batch, name=name, outcome=outcome, message=message_fit(message), letter=letter
            )
        )
    UploadResult.objects.bulk_create(results)
    return results


def _duplicate_message(letter: Letter | None, batch: UploadBatch) -> str:
    if letter is None:  # its first copy is still being written by another chunk
        return "the same bytes as a file earlier in this upload"
    if letter.batch_id == batch.pk:
        return f"the same file as {letter.original_name}, earlier in this upload"
    stored = f"{timezone.localtime(letter.uploaded_at):%Y-%m-%d}"
    failed = (
        "; that copy failed to parse: re-parse it from Letters once the parser can read it"
        if letter.status == ParseStatus.FAILED
        else ""
    )
    return f"already in the archive as {letter.original_name} (stored {stored}){failed}"


def letter_parse(*, letter: Letter, data: bytes | None = None) -> Letter:
    """Parse a stored letter from its original bytes and save the result.

    Never lets one letter take its batch down: an unreadable original, a parser that raises or a
    parse the database refuses all end as a ``failed`` letter carrying the reason.
    """
    try:
        if data is None:
            with letter.original.open("rb") as handle:
                data = handle.read()
        result, text = parse_letter_with_text(data, letter.original_name)
    except OSError as exc:
        result, text = _failed_parse(f"the stored original could not be read: {exc}"), ""
    except Exception as exc:
        logger.exception("parser raised on letter %s", letter.pk)
        result, text = _failed_parse(f"internal parser error: {type(exc).__name__}: {exc}"), ""
    letter.text = _storable_text(text)
    return letter_record_parse(letter=letter, parsed=result)


def _failed_parse(error: str) -> dict:
    return {"errors": [message_fit(error)]}


def letter_record_parse(*, letter: Letter, parsed: dict) -> Letter:
    """``determination_save``, except that a parse the database refuses fails only this letter.

    A lost connection is not the letter's fault: it is raised for the caller to report.
    """
    try:
        try:
            with transaction.atomic():
                return determination_save(letter=letter, parsed=parsed)
        except IntegrityError:
            # Most likely another process saved the same case number a moment ago: now that
            # it is committed, the second try flags this letter as a re-issue.
            with transaction.atomic():
                return determination_save(letter=letter, parsed=parsed)
    except (OperationalError, InterfaceError):
        raise
    except Exception as exc:
        logger.exception("could not save the parse of letter %s", letter.pk)
        letter.status = ParseStatus.FAILED
        letter.errors = [message_fit(f"the parse could not be saved: {type(exc).__name__}: {exc}")]
        letter.warnings = parse_warnings(parsed)
        letter.parser_version = PARSER_VERSION
        letter.parsed_at = timezone.now()
        letter.unfinished_parses = 0
        letter.save(
            update_fields=[
                "status",
                "errors",
                "warnings",
                "parser_version",
                "parsed_at",
                "unfinished_parses",
            ]
        )
        return letter


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def reviewer_for(profile: dict | None) -> Reviewer | None:
    """The one Reviewer row for a credential profile (created on first sight)."""
    normalised = _reviewer_profile(profile)
    if normalised is None:
        return None
    fingerprint = normalised.pop("fingerprint")
    reviewer, _ = Reviewer.objects.get_or_create(fingerprint=fingerprint, defaults=normalised)
    return reviewer


def _reviewer_profile(profile: dict | None) -> dict | None:
    """A profile's Reviewer fields and fingerprint, or None when it says nothing."""
    if not profile or not any(profile.get(k) for k in ("role", "specialties", "licensure")):
        return None
    normalised = {
        "role": profile.get("role"),
        "specialties": list(profile.get("specialties") or []),
        "board_certified": profile.get("board_certified"),
        "licensure": list(profile.get("licensure") or []),
    }
    normalised["fingerprint"] = sha256_hex(json.dumps(normalised, sort_keys=True).encode())
    return normalised


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


@transaction.atomic
def determination_save(*, letter: Letter, parsed: dict) -> Letter:
    """Record a parse of ``letter``: status, warnings, errors, and its determination.

    A letter with errors keeps (or gets) no new determination content but stays stored and
    flagged ``failed``. The permalink key of an existing determination never changes. A letter
    whose case number already belongs to another letter's determination is a re-issue: it is
    flagged for review instead of overwriting that determination, unless an admin already
    settled that case's review for it (``Letter.reissue_settled_key``): a re-parse does not ask
    again.
    """
    if not _letter_mark_parsed(letter, parsed, timezone.now()):
        letter.save()
        return letter

    determination = Determination.objects.filter(letter=letter).first()
    if determination is None:
        key = _permalink_key(letter, parsed)
        owner = Determination.objects.filter(key=key).first()
        if owner is not None:
            letter.reissue_of = None if letter.reissue_settled_key == key else owner
            letter.save()
            return letter
        determination = Determination(key=key, letter=letter)
    letter.reissue_of = None
    letter.save()

    _determination_fill(determination, parsed)
    determination.reviewer = reviewer_for(parsed.get("reviewer"))
    determination.save()

    determination.items.all().delete()
    _items_create(determination, parsed.get("items") or [])
    return letter


def _letter_mark_parsed(letter: Letter, parsed: dict, when) -> bool:
    """Record a parse's version, time, errors, warnings and status; False when it failed."""
    letter.parser_version, letter.parsed_at = PARSER_VERSION, when
    letter.unfinished_parses = 0
    letter.errors = list(parsed.get("errors") or [])
    letter.warnings = parse_warnings(parsed)
    if letter.errors:
        letter.status = ParseStatus.FAILED
        return False
    letter.status = ParseStatus.PARSED_WITH_WARNINGS if letter.warnings else ParseStatus.PARSED
    return True


def parse_warnings(parsed: dict) -> list[str]:
    """The parse's warnings, and the archive's own about what it could not keep of it (reason
    codes outside the vocabulary: ``reasons.warnings``)."""
    return [*(parsed.get("warnings") or []), *reasons.warnings(parsed)]


def _permalink_key(letter: Letter, parsed: dict) -> str:
    """The case number, or the first 12 hex digits of the SHA-256 when the letter has none."""
    return parsed.get("case_number") or letter.sha256[:12]


def _determination_fill(determination: Determination, parsed: dict) -> None:
    """Copy a parse's header, patient and summary onto a determination (not the reviewer)."""
    patient = parsed.get("patient") or {}
    determination.case_number = parsed.get("case_number")
    determination.date_assigned = _date(parsed.get("date_assigned"))
    determination.date_of_injury = _date(parsed.get("date_of_injury"))
    determination.decision_date = _date(parsed.get("decision_date"))
    determination.ur_denial_date = _date(parsed.get("ur_denial_date"))
    determination.application_received = _date(parsed.get("application_received"))
    determination.priority = parsed.get("priority")
    determination.patient_age = patient.get("age")
    determination.patient_sex = patient.get("sex")
    determination.clinical_summary = parsed.get("clinical_summary") or ""
    determination.outcome = parsed.get("outcome")


def _items_create(determination: Determination, items: list[dict]) -> None:
    rows, citations = _item_rows(determination, items)
    DisputedItem.objects.bulk_create(rows)
    GuidelineCitation.objects.bulk_create(citations)


class ItemSearchVector(Expression):
    """An item's tsvector, computed by PostgreSQL inside the INSERT (no second write of the row).

    Each part's text in its weight (``search_vector.SEARCH_PARTS``: request A, rationale B, clinical
    summary C), English configuration, written as one cheap expression because bulk imports
    build thousands of them.
    """

    output_field = SearchVectorField()
    template = search_vector.vector_sql(
        {part.name: "%s::text" for part in search_vector.SEARCH_PARTS}
    )

    def __init__(self, request: str, rationale: str, clinical_summary: str) -> None:
        super().__init__()
        texts = {"request": request, "rationale": rationale, "summary": clinical_summary}
        self.params = [texts[part.name] for part in search_vector.SEARCH_PARTS]

    def as_sql(self, compiler, connection):
        return self.template, list(self.params)


class ItemPartVector(Expression):
    """A part's own vector (``search_vector.SearchPart.column``), computed inside the INSERT."""

    output_field = SearchVectorField()
    template = search_vector.own_vector_sql("%s::text")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.params = [text]

    def as_sql(self, compiler, connection):
        return self.template, list(self.params)


def _item_rows(
    determination: Determination, items: list[dict]
) -> tuple[list[DisputedItem], list[GuidelineCitation]]:
    """Unsaved item and citation rows of one determination (citations point at their rows)."""
    reviewer = determination.reviewer
    specialties = reviewer.specialties if reviewer else []
    licensure = reviewer.licensure if reviewer else []
    decision_date = determination.decision_date
    letter_outcome = letter_outcome_value(determination.outcome)
    assigned = determination.date_assigned
    decision_days = decision_days_value(
        (decision_date - assigned).days if decision_date and assigned else None
    )
    injured = determination.date_of_injury
    rows, citations = [], []
    for item in items:
        reviewer_citations = (item.get("reviewer") or {}).get("citations") or []
        decisive = reasons.item_reasons(item)
        row = DisputedItem(
            determination=determination,
            number=item["number"],
            request=item.get("request") or "",
            original_request=item.get("original_request"),
            authorized=item.get("authorized"),
            outcome=item["outcome"],
            category=item.get("category") or "Other",
            subcategory=item.get("subcategory") or "Other",
            service=item.get("service"),
            body_regions=list(item.get("body_regions") or []),
            quantity=item.get("quantity"),
            claims_administrator_basis=(item.get("claims_administrator") or {}).get("basis") or "",
            reviewer_basis=(item.get("reviewer") or {}).get("basis") or "",
            rationale=item.get("rationale") or "",
            decision_date=decision_date,
            decision_year=decision_date.year if decision_date else None,
            specialties=list(specialties),
            licensure=_unique(licensure),
            priority=determination.priority,
            letter_outcome=letter_outcome,
            decision_days=decision_days,
            injury_year=injured.year if injured else None,
            modified=modified_value(item.get("original_request")),
            guideline_sources=_unique(c.get("source") for c in reviewer_citations),
            guideline_documents=_unique(
                guideline_value(c.get("source") or "Other", c.get("document"))
                for c in reviewer_citations
            ),
            guideline_sections=_unique(
                section_value(c.get("source") or "Other", c.get("document"), c.get("section"))
                for c in reviewer_citations
            ),
            reason_codes=decisive.codes,
            reasons=decisive.reasons,
            withdrawn=determination.is_withdrawn,
        )
        row.search_vector = ItemSearchVector(
            row.request, row.rationale, determination.clinical_summary
        )
        texts = {"request": row.request}
        for name, column in search_vector.OWN_VECTORS.items():
            setattr(row, column, ItemPartVector(texts[name]))
        rows.append(row)
        for cited_by, key in (
            (CitedBy.CLAIMS_ADMINISTRATOR, "claims_administrator"),
            (CitedBy.REVIEWER, "reviewer"),
        ):
            basis = [
                GuidelineCitation(
                    item=row,
                    cited_by=cited_by,
                    position=position,
                    source=citation.get("source") or "Other",
                    document=citation.get("document"),
                    chapter=citation.get("chapter"),
                    section=citation.get("section"),
                    pages=citation.get("pages"),
                    year=citation.get("year"),
                )
                for position, citation in enumerate((item.get(key) or {}).get("citations") or [], 1)
            ]
            setattr(row, f"{key}_citations_text", citations_text(basis))
            citations += basis
    return rows, citations


@transaction.atomic
def determination_withdraw(*, determination: Determination, reason: str = "") -> None:
    """Take a determination out of every public view; its permalink answers 410."""
    determination.withdrawn_at = timezone.now()
    determination.withdrawn_reason = reason
    determination.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    determination.items.update(withdrawn=True)
    _refresh_summaries_after_commit()


@transaction.atomic
def determination_restore(*, determination: Determination) -> None:
    """Undo a withdrawal."""
    determination.withdrawn_at = None
    determination.withdrawn_reason = ""
    determination.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    determination.items.update(withdrawn=False)
    _refresh_summaries_after_commit()


@transaction.atomic
def letter_purge(*, letter: Letter, user, reason: str) -> PurgedLetter:
    """Remove a letter uploaded by mistake (an unredacted letter, a personal note): its row and
    text, its determination, items and citations, and its original file; keep a tombstone that
    refuses the same bytes until ``purges_undo``.

    The file is deleted once the purge is committed (a rolled-back purge keeps it). Letters
    waiting as re-issues of a public determination are parsed again, so one of them takes over
    the permalink (not of a withdrawn one: that would publish the case again unasked). Its
    upload results stay, saying it was purged.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("a purge needs a reason")
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    determination = Determination.objects.filter(letter=letter).first()
    reissues = []
    if determination is not None:
        if not determination.is_withdrawn:
            reissues = list(determination.reissues.values_list("pk", flat=True))
        determination.delete()  # its items and citations go with it
    purged = PurgedLetter.objects.create(
        sha256=letter.sha256,
        original_name=letter.original_name,
        size=letter.size,
        key=determination.key if determination is not None else "",
        purged_by=user,
        purged_by_name=user.get_username() if user is not None else "",
        reason=reason,
    )
    notice = message_fit(f"purged: {purge_notice(purged)}")
    UploadResult.objects.filter(letter=letter).update(message=notice)
    # The letter's own file, and whatever a killed run left at its content address.
    names = {letter.original.name, original_upload_path(letter, "")}
    letter.delete()
    if reissues:
        letters_request_reparse(letter_ids=reissues)
    transaction.on_commit(lambda: _originals_delete(names))
    _refresh_summaries_after_commit()
    return purged


def letter_mark_sample(*, letter: Letter) -> None:
    """Mark a letter as one of the shipped samples (``load_samples``), so it is badged, left
    out of feeds and found again by ``samples_remove``."""
    Letter.objects.filter(pk=letter.pk).update(is_sample=True)
    letter.is_sample = True


@transaction.atomic
def samples_remove() -> int:
    """Delete every sample letter with its determination, items, citations and original;
    returns how many. No tombstone (unlike ``letter_purge``): they were never real records,
    and ``load_samples --force`` may load them again."""
    letters = list(Letter.objects.select_for_update().filter(is_sample=True))
    names = {
        name
        for letter in letters
        for name in (letter.original.name, original_upload_path(letter, ""))
    }
    Determination.objects.filter(letter__in=letters).delete()  # items and citations go with it
    Letter.objects.filter(pk__in=[letter.pk for letter in letters]).delete()
    if letters:
        transaction.on_commit(lambda: _originals_delete(names))
        _refresh_summaries_after_commit()
    return len(letters)


def _originals_delete(names: Iterable[str]) -> None:
    storage = Letter._meta.get_field("original").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("a purged original could not be deleted: %s", name)


def purges_undo(*, purged_ids: Iterable[int]) -> int:
    """Delete tombstones, so their bytes are accepted again; returns how many.

    Nothing comes back: the purge removed the bytes, which must be uploaded again.
    """
    deleted, _ = PurgedLetter.objects.filter(pk__in=list(purged_ids)).delete()
    return deleted


# Uploads and background parsing ---------------------------------------------------------------

PARSE_CHUNK = 25  # letters per parse task: small enough that several workers share a batch


def batch_receive(
    *,
    files: Iterable[Incoming],
    user=None,
    source: str = "admin",
    note: str = "",
) -> UploadBatch:
    """Store every accepted file of an upload, record what happened to each, queue the parsing.

    Storing comes first and parsing later (in a worker), so nothing is lost if a worker dies: a
    stored letter stays ``pending`` until it is parsed. Files are stored a chunk at a time
    (``files`` may be a generator reading a large ZIP), each chunk with its parse tasks.
    """
    batch = batch_create(user=user, source=source, note=note)
    seen: set[str] = set()
    for chunk in chunks(files, RECEIVE_CHUNK):
        with transaction.atomic():
            _chunk_receive(batch, chunk, user=user, seen=seen)
    return batch


def _chunk_receive(batch: UploadBatch, chunk: list[Incoming], *, user, seen: set[str]) -> None:
    """Store one chunk and queue its parsing, in the caller's transaction: the new letters, and
    stored letters it duplicates that were never parsed nor queued (an upload a failure cut)."""
    receipts = receipts_for(files=chunk, batch=batch, uploaded_by=user, seen=seen)
    results = receipts_store(receipts=receipts, batch=batch)
    new = [r.letter_id for r in results if r.outcome == UploadResult.Outcome.NEW]
    duplicates = {r.letter_id for r in results if r.outcome == UploadResult.Outcome.DUPLICATE}
    stuck = letters_never_queued(letter_ids=duplicates - set(new) - {None})
    letters_enqueue_parse(letter_ids=new + stuck)


def letters_never_queued(*, letter_ids: Iterable[int]) -> list[int]:
    """Those of these letters that are pending with no parse task waiting for them.

    A parse task already running is not counted: queuing its letters again costs nothing (each
    is parsed once, under its row lock), and a killed worker's task stays "running" for good.
    """
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .tasks import parse_letters

    pending = sorted(
        Letter.objects.filter(pk__in=list(letter_ids), status=ParseStatus.PENDING).values_list(
            "pk", flat=True
        )
    )
    if not pending:
        return []
    waiting = Q(pk__in=[])
    for letter_id in pending:
        waiting |= Q(args_kwargs__kwargs__letter_ids__contains=[letter_id])
    queued = DBTaskResult.objects.filter(
        waiting, status=TaskResultStatus.READY, task_path=parse_letters.module_path
    ).values_list("args_kwargs", flat=True)
    held = {i for args in queued for i in args["kwargs"]["letter_ids"]}
    return [letter_id for letter_id in pending if letter_id not in held]


# Admin uploads: staged by the request, received by a worker -----------------------------------

STAGING_DIR = "uploads"  # storage folder of uploads waiting to be received, one folder per batch
RECEIVE_RECONNECT_SECONDS = 600  # how long a receipt waits for a database that went away
STAGED_UNREADABLE = (
    "the uploaded file could not be read back from the upload staging area (deleted before a "
    "worker received it): upload it again"
)


# Staged files no batch lists are left by a request killed mid-stream (a gunicorn timeout or
# SIGKILL before its transaction committed); after this long they cannot be a request still
# streaming (gunicorn's --timeout and nginx's proxy_read_timeout are minutes), even with clocks of
# machines sharing the storage a little apart. ``staging_sweep`` (the worker) removes them.
STAGED_ORPHAN_AGE = dt.timedelta(hours=24)


class StagingError(Exception):
    """The upload could not be kept for the worker (storage full or failing); nothing was kept."""


def batch_stage(*, files: Iterable[tuple[str, object]], user=None) -> UploadBatch:
    """Keep an admin upload's files as they came (no unpacking) and queue their receipt.

    The request only streams the files to storage (``uploads/<batch>/<n>``) and queues
    ``tasks.receive_batch`` in the transaction that records them, so a large ZIP answers at once
    and a batch either exists with its files and its task, or not at all. ``files`` are
    ``(name, file)`` pairs (Django's uploaded files, copied a chunk at a time, never read whole).
    """
    from .tasks import receive_batch

    storage = Letter._meta.get_field("original").storage
    written: list[str] = []
    try:
        with transaction.atomic():
            batch = UploadBatch.objects.create(created_by=user, source="admin", state="receiving")
            for number, (name, handle) in enumerate(files):
                path = storage.save(f"{STAGING_DIR}/{batch.pk}/{number}", handle)
                written.append(path)
                kept = _name_decoded(name).replace("\x00", "")  # jsonb holds no NUL
                batch.staged.append({"name": kept, "path": path, "size": storage.size(path)})
            batch.save(update_fields=["staged"])
            receive_batch.enqueue(batch_id=batch.pk)
    except BaseException as exc:
        # The batch row rolled back, so nothing lists these files: a full disk, a lost database,
        # or the request ended by gunicorn's timeout (SystemExit). A SIGKILL runs no code: the
        # worker's ``staging_sweep`` removes what that leaves.
        _staged_files_delete(storage, written)
        if isinstance(exc, OSError):
            raise StagingError(f"the upload could not be kept for processing: {exc}") from exc
        raise
    return batch


def _staged_files_delete(storage, paths: list[str]) -> None:
    for path in paths:
        try:
            storage.delete(path)
        except OSError:
            logger.exception("could not delete staged upload %s (the sweep will)", path)
    if paths:
        _staging_folder_remove(storage, paths[0].rsplit("/", 1)[0])


def batch_receive_staged(*, batch_id: int) -> str:
    """Unpack, hash and store a staged upload a chunk at a time, each chunk committed with its
    result rows and parse tasks; what a worker runs for ``batch_stage``.

    Resumable and idempotent: a chunk is committed only if the batch's ``received_files`` is
    still where this run started it (checked under the batch's row lock), so a run killed or cut
    off by the database is resumed by the next one from the last committed chunk, and two runs
    of one batch never store a chunk twice. Returns what happened (``received``, ``skipped``).
    """
    batch = UploadBatch.objects.filter(pk=batch_id).select_related("created_by").first()
    if batch is None or batch.state != "receiving":
        if batch is not None:
            batch_staging_delete(batch=batch)
        return "skipped"
    position = batch.received_files
    files = _staged_files(batch.staged)
    try:
        seen: set[str] = set()
        for chunk in chunks(itertools.islice(files, position, None), RECEIVE_CHUNK):
            step = functools.partial(_batch_chunk_commit, batch, chunk, position=position)
            if not _reconnecting(functools.partial(step, seen=seen)):
                return "skipped"  # another run got further: it carries on
            position += len(chunk)
    finally:
        files.close()  # closes the staged file in hand
    if not _reconnecting(functools.partial(_batch_finish, batch_id, position)):
        return "skipped"
    _reconnecting(functools.partial(batch_staging_delete, batch=batch))
    return "received"


def _batch_finish(batch_id: int, position: int) -> bool:
    """Mark a batch received if it is still at ``position`` (or already marked)."""
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().get(pk=batch_id)
        if locked.state == "received" and locked.received_files == position:
            return True  # this step's own commit, whose answer the connection lost
        if locked.state != "receiving" or locked.received_files != position:
            return False
        locked.state, locked.progress_at = "received", timezone.now()
        locked.save(update_fields=["state", "progress_at"])
    return True


def _reconnecting(step):
    """``step()``, run again while the database is away, up to ``RECEIVE_RECONNECT_SECONDS``.

    Each step of a receipt is one transaction checked against the batch's cursor, so running it
    again after a lost connection is safe, and a worker whose database restarts finishes the
    upload by itself. Inside a caller's transaction (immediate tasks) nothing is retried.
    """
    from django.db import connection

    waited, delay = 0.0, 1.0
    while True:
        try:
            return step()
        except (OperationalError, InterfaceError) as exc:
            if connection.in_atomic_block or waited >= RECEIVE_RECONNECT_SECONDS:
                raise
            logger.warning("database lost receiving an upload (%s); again in %.0f s", exc, delay)
            with contextlib.suppress(DatabaseError):
                connection.close()
            time.sleep(delay)
            waited, delay = waited + delay, min(delay * 2, 30.0)


def _staged_files(staged: list[dict]) -> Iterator[Incoming]:
    """The staged files' files and ZIP members, checked as ``uploads.read_files`` checks them
    (the per-upload total included), each staged file open only while it is read.

    A staged file that is gone is one rejection. Any other error opening it (too many open
    files, an I/O error) is raised: the receipt fails and is run again later (the batch stays
    ``receiving``), instead of recording the file as lost and deleting its staged copy.
    """
    storage = Letter._meta.get_field("original").storage
    limits = Limits.from_settings()
    before = 0
    for entry in staged:
        try:
            handle = storage.open(entry["path"], "rb")
        except FileNotFoundError:
            logger.error("staged upload %s is missing", entry["path"])
            yield Incoming(entry["name"], rejection=STAGED_UNREADABLE)
            continue
        with handle:
            left = None if limits.max_upload_bytes is None else limits.max_upload_bytes - before
            one = [(entry["name"], handle, entry["size"])]
            yield from read_files(one, limits=replace(limits, max_upload_bytes=left))
        before += entry["size"]


def _batch_chunk_commit(batch: UploadBatch, chunk: list[Incoming], *, position: int, seen) -> bool:
    """Receive one chunk of a staged batch if the batch is still at ``position``; False when
    another run has moved it on (nothing done)."""
    with transaction.atomic():
        locked = UploadBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.received_files == position + len(chunk):
            return True  # this chunk's own commit, whose answer the connection lost
        if locked.state != "receiving" or locked.received_files != position:
            return False
        attempt = set(seen)  # kept only if the chunk commits (it may be tried again)
        _chunk_receive(locked, chunk, user=batch.created_by, seen=attempt)
        locked.received_files, locked.progress_at = position + len(chunk), timezone.now()
        locked.save(update_fields=["received_files", "progress_at"])
    seen.update(attempt)
    return True


def batch_staging_delete(*, batch: UploadBatch) -> None:
    """Delete a received batch's staged files (kept until every file of it is received), and
    its then empty folder, so the staging area holds only what is still needed."""
    if not batch.staged:
        return
    storage = Letter._meta.get_field("original").storage
    for entry in batch.staged:
        try:
            storage.delete(entry["path"])
        except OSError:
            logger.exception("could not delete staged upload %s", entry["path"])
    UploadBatch.objects.filter(pk=batch.pk, state="received").update(staged=[])
    _staging_folder_remove(storage, f"{STAGING_DIR}/{batch.pk}")


def staging_sweep(*, older_than: dt.timedelta = STAGED_ORPHAN_AGE, now=None) -> int:
    """Delete staged files that no batch lists and that are older than ``older_than`` (and
    their emptied folders); returns how many files. Run by the worker on start and periodically.

    A request killed while it streamed an upload (before its batch row committed) leaves its
    files under ``uploads/<number>/`` with no batch to receive or delete them; so do unfinished
    temporary writes. A file any batch still lists is never touched, whatever its age, and a
    file younger than ``older_than`` may belong to a request still streaming. Costs one
    directory listing per folder and one query, so it is cheap while nothing is left behind.
    """
    storage = Letter._meta.get_field("original").storage
    now = now or timezone.now()
    try:
        folders, _ = storage.listdir(STAGING_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    numbered = sorted(int(folder) for folder in folders if folder.isdigit())
    needed = {
        entry["path"]
        for staged in UploadBatch.objects.filter(pk__in=numbered)
        .exclude(staged=[])
        .values_list("staged", flat=True)
        for entry in staged
    }
    removed = 0
    for number in numbered:
        folder = f"{STAGING_DIR}/{number}"
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue  # deleted meanwhile (its batch was received)
        kept = len(subfolders)
        for name in files:
            path = f"{folder}/{name}"
            if path in needed or not _staged_older(storage, path, now - older_than):
                kept += 1
                continue
            try:
                storage.delete(path)
            except OSError:
                logger.exception("could not delete orphan staged file %s", path)
                kept += 1
                continue
            logger.info("deleted orphan staged file %s (no batch lists it)", path)
            removed += 1
        if not kept and (files or _staged_older(storage, folder, now - older_than)):
            _staging_folder_remove(storage, folder)
    return removed


def _staged_older(storage, path: str, cutoff) -> bool:
    """Whether ``path`` (a file, or a folder on a file system) last changed before ``cutoff``;
    no when it is gone meanwhile or the storage cannot say."""
    try:
        return storage.get_modified_time(path) < cutoff
    except (NotImplementedError, OSError):
        return False


def _staging_folder_remove(storage, folder: str) -> None:
    """Remove an empty staging folder (file systems only: other storages have no folders)."""
    with contextlib.suppress(NotImplementedError, OSError):  # not empty, gone, not a folder
        os.rmdir(storage.path(folder))


def batches_requeue() -> int:
    """Queue the receipt of every batch not fully received whose receipt no task still waits
    to run (a worker died, the database went away): part of a worker start, beside re-queuing
    pending letters. Returns how many.

    A task already claimed is queued again (a dead worker's task stays "running" for good; a
    second run beside a live one commits no chunk twice, each being checked under the batch's
    row lock); a waiting one is not, so workers starting together do not each add a run that
    re-reads the batch's ZIPs for nothing.
    """
    from django_tasks_db.models import DBTaskResult

    from .tasks import receive_batch

    receiving = set(UploadBatch.objects.filter(state="receiving").values_list("pk", flat=True))
    waiting = {
        (args_kwargs.get("kwargs") or {}).get("batch_id", (args_kwargs.get("args") or [None])[0])
        for args_kwargs in DBTaskResult.objects.ready()
        .filter(task_path=receive_batch.module_path)
        .values_list("args_kwargs", flat=True)
    }
    ids = sorted(receiving - waiting)
    for batch_id in ids:
        receive_batch.enqueue(batch_id=batch_id)
    for batch in UploadBatch.objects.filter(state="received").exclude(staged=[]):
        batch_staging_delete(batch=batch)  # a run that stopped between the two steps
    return len(ids)


def letters_enqueue_parse(*, letter_ids: Iterable[int]) -> int:
    """Queue parse tasks for these letters in small chunks; returns how many tasks were queued."""
    from .tasks import parse_letters

    ids = list(letter_ids)
    chunks = [ids[start : start + PARSE_CHUNK] for start in range(0, len(ids), PARSE_CHUNK)]
    for chunk in chunks:
        parse_letters.enqueue(letter_ids=chunk)
    return len(chunks)


def letters_request_reparse(*, letter_ids: Iterable[int]) -> int:
    """Mark letters ``pending`` and queue them: a worker then re-parses each exactly once."""
    ids = list(letter_ids)
    Letter.objects.filter(pk__in=ids).update(status=ParseStatus.PENDING)
    letters_enqueue_parse(letter_ids=ids)
    return len(ids)


def letter_needs_parse(letter: Letter) -> bool:
    """Pending, or parsed by an older parser: anything else is already done."""
    return letter.status == ParseStatus.PENDING or letter.parser_version != PARSER_VERSION


def letter_parse_once(*, letter_id: int, again: bool = False) -> str:
    """Parse one letter if it still needs it; safe to run twice or in several workers at once.

    The row is locked while it is parsed and a letter another worker holds is left to that
    worker (if that worker dies, the letter stays ``pending`` and ``reparse --pending`` queues
    it again). ``again`` parses it even when this parser already has (``reparse``), still under
    the same lock. Returns the letter's new status, or ``skipped``.

    Each start is counted first, in its own transaction, so a letter that kills the worker
    parsing it (a crash in the PDF library, the OOM killer) is failed after
    ``UNFINISHED_PARSES_MAX`` deaths instead of taking every restarted worker down with it.
    """
    with transaction.atomic():
        letter = _locked_if_it_needs_parse(letter_id, again)
        if letter is None:
            return "skipped"
        if letter.unfinished_parses >= UNFINISHED_PARSES_MAX:
            return letter_record_parse(letter=letter, parsed={"errors": [WORKER_DIED]}).status
        Letter.objects.filter(pk=letter_id).update(unfinished_parses=F("unfinished_parses") + 1)
    with transaction.atomic():
        letter = _locked_if_it_needs_parse(letter_id, again)
        return "skipped" if letter is None else letter_parse(letter=letter).status


def _locked_if_it_needs_parse(letter_id: int, again: bool) -> Letter | None:
    """The letter, locked until the transaction ends, if it needs a parse (or ``again``) and no
    other worker holds it; else None."""
    letter = Letter.objects.select_for_update(skip_locked=True).filter(pk=letter_id).first()
    if letter is None or not (again or letter_needs_parse(letter)):
        return None
    return letter


def letters_parse(*, letter_ids: Iterable[int], again: bool = False) -> dict[str, int]:
    """Parse each letter that still needs it (or every one, ``again``), each under its row lock;
    counts by resulting status (and ``skipped``)."""
    counts: Counter[str] = Counter()
    for letter_id in letter_ids:
        counts[letter_parse_once(letter_id=letter_id, again=again)] += 1
    return dict(counts)


@transaction.atomic
def letter_choose_for_permalink(
    *, letter: Letter, determination: Determination | None = None
) -> Determination:
    """Show ``letter`` on the permalink of ``determination`` (default: the one it re-issues).

    The key stays; the content is re-written from this letter; the letter shown before stays
    stored, untouched. Refused (``ValueError``) for a letter that is not parsed or has no
    determination to take over.
    """
    determination = determination or letter.reissue_of
    if determination is None:
        raise ValueError(f"{letter} is not waiting for a choice: it re-issues no determination")
    if letter.status not in (ParseStatus.PARSED, ParseStatus.PARSED_WITH_WARNINGS):
        raise ValueError(f"{letter} is {letter.get_status_display()}: only parsed letters can")
    with letter.original.open("rb") as handle:
        parsed, text = parse_letter_with_text(handle.read(), letter.original_name)
    if parsed.get("errors"):
        raise ValueError(f"{letter} no longer parses: {'; '.join(parsed['errors'])}")
    determination = Determination.objects.select_for_update().get(pk=determination.pk)
    # the letter shown until now stays stored, settled: a re-parse of it does not ask again
    Letter.objects.filter(pk=determination.letter_id).update(reissue_settled_key=determination.key)
    determination.letter = letter
    determination.save(update_fields=["letter", "updated_at"])
    letter.text = _storable_text(text)
    determination_save(letter=letter, parsed=parsed)
    determination.refresh_from_db()
    _refresh_summaries_after_commit()
    return determination


def letter_keep_permalink(*, letter: Letter) -> None:
    """Dismiss a re-issued letter's review: the permalink keeps showing the letter it shows,
    and a re-parse of this letter that finds the same case does not ask again."""
    if letter.reissue_of is not None:
        letter.reissue_settled_key = letter.reissue_of.key
    letter.reissue_of = None
    letter.save(update_fields=["reissue_of", "reissue_settled_key"])


@transaction.atomic
def letters_create_parsed(*, parsed_letters: list[tuple[Letter, dict]]) -> list[Letter]:
    """Store many new letters with their parses in a few bulk queries (``ingest_letters``).

    The same rules as ``determination_save``, for new letters whose bytes are written but whose
    rows are not: each ``(letter, parse)`` becomes a failed letter, a
    re-issue flagged for review, or a letter with its new determination. Raises on any database
    error (the whole call rolls back) so the caller can retry the letters one by one.
    """
    now = timezone.now()
    candidates: dict[str, tuple[Letter, dict]] = {}
    reissues: list[tuple[Letter, str]] = []
    for letter, parsed in parsed_letters:
        if not _letter_mark_parsed(letter, parsed, now):
            continue
        key = _permalink_key(letter, parsed)
        if key in candidates:
            reissues.append((letter, key))  # the same case twice in one chunk
        else:
            candidates[key] = (letter, parsed)
    owners = dict(Determination.objects.filter(key__in=candidates).values_list("key", "pk"))
    for key, owner_pk in owners.items():
        letter, _ = candidates.pop(key)
        letter.reissue_of_id = owner_pk
    Letter.objects.bulk_create([letter for letter, _ in parsed_letters])

    reviewers = _reviewers_for_many([parsed.get("reviewer") for _, parsed in candidates.values()])
    determinations = []
    for key, (letter, parsed) in candidates.items():
        determination = Determination(key=key, letter=letter)
        _determination_fill(determination, parsed)
        profile = _reviewer_profile(parsed.get("reviewer"))
        determination.reviewer = reviewers[profile["fingerprint"]] if profile else None
        determinations.append(determination)
    Determination.objects.bulk_create(determinations)
    rows, citations = [], []
    for determination, (_, parsed) in zip(determinations, candidates.values(), strict=True):
        more_rows, more_citations = _item_rows(determination, parsed.get("items") or [])
        rows += more_rows
        citations += more_citations
    DisputedItem.objects.bulk_create(rows)
    GuidelineCitation.objects.bulk_create(citations)
    if reissues:
        by_key = {d.key: d.pk for d in determinations} | owners
        for letter, key in reissues:
            letter.reissue_of_id = by_key[key]
        Letter.objects.bulk_update([letter for letter, _ in reissues], ["reissue_of"])
    return [letter for letter, _ in parsed_letters]


def _reviewers_for_many(profiles: list[dict | None]) -> dict[str, Reviewer]:
    """Reviewer rows by fingerprint for many profiles: one read, one insert for the new ones."""
    wanted = {p["fingerprint"]: p for p in map(_reviewer_profile, profiles) if p}
    found = {r.fingerprint: r for r in Reviewer.objects.filter(fingerprint__in=wanted)}
    missing = [Reviewer(**wanted[f]) for f in wanted if f not in found]
    if missing:
        Reviewer.objects.bulk_create(missing, ignore_conflicts=True)
        found = {r.fingerprint: r for r in Reviewer.objects.filter(fingerprint__in=wanted)}
    return found


def _refresh_summaries_after_commit() -> None:
    """Queue a refresh of the facet summaries once the change is committed."""
    from .summary_tasks import refresh_summaries_task

    transaction.on_commit(refresh_summaries_task.enqueue)
