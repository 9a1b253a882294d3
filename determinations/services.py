"""The archive's write paths. The admin upload, the worker and ``ingest_letters`` all call these.

- ``letter_store`` keeps the original bytes (content-addressed by SHA-256, never twice);
- ``letter_parse`` parses a stored letter and saves the result with ``determination_save``;
- ``determination_save`` writes one parse (determination, reviewer, items, citations) in one
  transaction, keeping the permalink key stable across re-parses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.utils import timezone

from .choices import CitedBy, ParseStatus
from .files import sniff_content_type
from .models import (
    Determination,
    DisputedItem,
    GuidelineCitation,
    Letter,
    Reviewer,
    UploadBatch,
)
from .parsing import PARSER_VERSION, parse_letter_with_text


@dataclass(frozen=True)
class StoredLetter:
    letter: Letter
    created: bool


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_store(
    *,
    data: bytes,
    name: str,
    uploaded_by=None,
    batch: UploadBatch | None = None,
    sha256: str | None = None,
) -> StoredLetter:
    """Store an original unless the same bytes are already stored.

    Returns the stored (or existing) letter and whether it was created. The file is written
    before the row so that a stored row always has its bytes.
    """
    digest = sha256 or sha256_hex(data)
    existing = Letter.objects.filter(sha256=digest).first()
    if existing is not None:
        return StoredLetter(existing, False)
    letter = Letter(
        sha256=digest,
        original_name=name[:255],
        size=len(data),
        content_type=sniff_content_type(data),
        uploaded_by=uploaded_by,
        batch=batch,
    )
    letter.original.save(digest, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            letter.save()
    except IntegrityError:
        # Another process stored the same bytes between our check and our insert.
        return StoredLetter(Letter.objects.get(sha256=digest), False)
    return StoredLetter(letter, True)


def letter_parse(*, letter: Letter, data: bytes | None = None) -> Letter:
    """Parse a stored letter from its original bytes and save the result."""
    if data is None:
        with letter.original.open("rb") as handle:
            data = handle.read()
    result, text = parse_letter_with_text(data, letter.original_name)
    letter.text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    return determination_save(letter=letter, parsed=result)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def reviewer_for(profile: dict | None) -> Reviewer | None:
    """The one Reviewer row for a credential profile (created on first sight)."""
    if not profile or not any(profile.get(k) for k in ("role", "specialties", "licensure")):
        return None
    normalised = {
        "role": profile.get("role"),
        "specialties": list(profile.get("specialties") or []),
        "board_certified": profile.get("board_certified"),
        "licensure": list(profile.get("licensure") or []),
    }
    fingerprint = sha256_hex(json.dumps(normalised, sort_keys=True).encode())
    reviewer, _ = Reviewer.objects.get_or_create(fingerprint=fingerprint, defaults=normalised)
    return reviewer


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


@transaction.atomic
def determination_save(*, letter: Letter, parsed: dict) -> Letter:
    """Record a parse of ``letter``: status, warnings, errors, and its determination.

    A letter with errors keeps (or gets) no new determination content but stays stored and
    flagged ``failed``. The permalink key of an existing determination never changes. A letter
    whose case number already belongs to another letter's determination is a re-issue: it is
    flagged for review instead of overwriting that determination.
    """
    letter.parser_version = PARSER_VERSION
    letter.parsed_at = timezone.now()
    letter.errors = list(parsed.get("errors") or [])
    letter.warnings = list(parsed.get("warnings") or [])
    if letter.errors:
        letter.status = ParseStatus.FAILED
        letter.save()
        return letter
    letter.status = ParseStatus.PARSED_WITH_WARNINGS if letter.warnings else ParseStatus.PARSED

    determination = Determination.objects.filter(letter=letter).first()
    case_number = parsed.get("case_number")
    if determination is None:
        key = case_number or letter.sha256[:12]
        owner = Determination.objects.filter(key=key).first()
        if owner is not None:
            letter.reissue_of = owner
            letter.save()
            return letter
        determination = Determination(key=key, letter=letter)
    letter.reissue_of = None
    letter.save()

    patient = parsed.get("patient") or {}
    determination.case_number = case_number
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
    determination.reviewer = reviewer_for(parsed.get("reviewer"))
    determination.save()

    determination.items.all().delete()
    _items_create(determination, parsed.get("items") or [])
    return letter


def _items_create(determination: Determination, items: list[dict]) -> None:
    specialties = determination.reviewer.specialties if determination.reviewer else []
    decision_date = determination.decision_date
    rows, citations = [], []
    for item in items:
        reviewer_citations = (item.get("reviewer") or {}).get("citations") or []
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
            guideline_sources=_unique(c.get("source") for c in reviewer_citations),
            guideline_documents=_unique(c.get("document") for c in reviewer_citations),
            withdrawn=determination.is_withdrawn,
        )
        rows.append(row)
        for cited_by, key in (
            (CitedBy.CLAIMS_ADMINISTRATOR, "claims_administrator"),
            (CitedBy.REVIEWER, "reviewer"),
        ):
            for position, citation in enumerate((item.get(key) or {}).get("citations") or [], 1):
                citations.append((row, cited_by, position, citation))
    DisputedItem.objects.bulk_create(rows)
    GuidelineCitation.objects.bulk_create(
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
        for row, cited_by, position, citation in citations
    )
    if rows:
        DisputedItem.objects.filter(determination=determination).update(
            search_vector=SearchVector("request", weight="A", config="english")
            + SearchVector("rationale", weight="B", config="english")
            + SearchVector(Value(determination.clinical_summary), weight="C", config="english")
        )


@transaction.atomic
def determination_withdraw(*, determination: Determination, reason: str = "") -> None:
    """Take a determination out of every public view; its permalink answers 410."""
    determination.withdrawn_at = timezone.now()
    determination.withdrawn_reason = reason
    determination.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    determination.items.update(withdrawn=True)


@transaction.atomic
def determination_restore(*, determination: Determination) -> None:
    """Undo a withdrawal."""
    determination.withdrawn_at = None
    determination.withdrawn_reason = ""
    determination.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    determination.items.update(withdrawn=False)
