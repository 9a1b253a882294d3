"""Plain-dict views of stored determinations, in the parse contract's shape (JSON, API, export)."""

from __future__ import annotations

from .choices import CitedBy
from .models import Determination, DisputedItem, GuidelineCitation


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def citation_as_dict(citation: GuidelineCitation) -> dict:
    return {
        "source": citation.source,
        "document": citation.document,
        "chapter": citation.chapter,
        "section": citation.section,
        "pages": citation.pages,
        "year": citation.year,
    }


def item_as_dict(item: DisputedItem) -> dict:
    """One item; expects ``citations`` prefetched."""
    by = {CitedBy.CLAIMS_ADMINISTRATOR: [], CitedBy.REVIEWER: []}
    for citation in item.citations.all():
        by[citation.cited_by].append(citation_as_dict(citation))
    return {
        "number": item.number,
        "request": item.request,
        "original_request": item.original_request,
        "authorized": item.authorized,
        "outcome": item.outcome,
        "category": item.category,
        "subcategory": item.subcategory,
        "service": item.service,
        "body_regions": list(item.body_regions),
        "quantity": item.quantity,
        "claims_administrator": {
            "basis": item.claims_administrator_basis,
            "citations": by[CitedBy.CLAIMS_ADMINISTRATOR],
        },
        "reviewer": {"basis": item.reviewer_basis, "citations": by[CitedBy.REVIEWER]},
        "rationale": item.rationale,
    }


def determination_as_dict(determination: Determination, *, url: str | None = None) -> dict:
    """The determination in the parse contract's shape plus its key and permalink."""
    reviewer = determination.reviewer
    return {
        "key": determination.key,
        "url": url,
        "case_number": determination.case_number,
        "date_assigned": _iso(determination.date_assigned),
        "date_of_injury": _iso(determination.date_of_injury),
        "decision_date": _iso(determination.decision_date),
        "ur_denial_date": _iso(determination.ur_denial_date),
        "application_received": _iso(determination.application_received),
        "priority": determination.priority,
        "patient": {"age": determination.patient_age, "sex": determination.patient_sex},
        "reviewer": {
            "role": reviewer.role if reviewer else None,
            "specialties": list(reviewer.specialties) if reviewer else [],
            "board_certified": reviewer.board_certified if reviewer else None,
            "licensure": list(reviewer.licensure) if reviewer else [],
        },
        "clinical_summary": determination.clinical_summary,
        "outcome": determination.outcome,
        "items": [item_as_dict(item) for item in determination.items.all()],
    }
