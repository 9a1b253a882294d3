"""Small builders with realistic defaults: a parse dict in the contract's shape, and a stored
determination made through the same service the app uses."""

from __future__ import annotations

import copy
import itertools

from determinations import services

_counter = itertools.count(1)

CHRONIC_PAIN = {
    "source": "MTUS",
    "document": "Chronic Pain Medical Treatment Guidelines",
    "chapter": None,
    "section": None,
    "pages": None,
    "year": None,
}
ODG_LOW_BACK = {
    "source": "ODG",
    "document": "Low Back",
    "chapter": None,
    "section": "MRIs",
    "pages": None,
    "year": None,
}


def a_reason(code: str, evidence: str = "") -> dict:
    """A decisive reason in the parse contract's shape (``reasons`` of an item)."""
    return {"code": code, "evidence": evidence or f"The rationale's sentence giving {code}."}


def a_reviewer(*specialties: str, licensure: tuple[str, ...] = ("California",)) -> dict:
    """A credential profile in the parse contract's shape."""
    return {
        "role": "expert reviewer",
        "specialties": list(specialties),
        "board_certified": True,
        "licensure": list(licensure),
    }


def a_modified_item(original: str, **overrides) -> dict:
    """An item whose request the claims administrator modified: ``original`` was asked for,
    part of it authorized, and the rest (``request``) disputed."""
    return an_item(original_request=original, authorized="part of it", **overrides)


def a_basis(*citations: dict) -> dict:
    """A guideline basis citing the given citations (copied)."""
    return {"basis": "Decision based on ...", "citations": [dict(c) for c in citations]}


def an_item(**overrides) -> dict:
    item = {
        "request": "MRI of the lumbar spine without contrast",
        "original_request": None,
        "authorized": None,
        "outcome": "upheld",
        "category": "Diagnostic Testing",
        "subcategory": "Imaging/Radiology",
        "service": "MRI",
        "body_regions": ["lumbar"],
        "quantity": None,
        "claims_administrator": {
            "basis": "Decision based on MTUS Chronic Pain Treatment Guidelines.",
            "citations": [copy.deepcopy(CHRONIC_PAIN)],
        },
        "reviewer": {
            "basis": "Decision based on Non-MTUS Citation ODG, Low Back, MRIs.",
            "citations": [copy.deepcopy(ODG_LOW_BACK)],
        },
        "rationale": "There are no red flags or progressive neurologic deficits documented.",
    }
    item.update(overrides)
    return item  # "number" is given by a_parse from the item's position unless overridden


def a_parse(*, items: list[dict] | None = None, **overrides) -> dict:
    number = next(_counter)
    items = items if items is not None else [an_item()]
    for position, item in enumerate(items, 1):
        item.setdefault("number", position)
    outcomes = {item["outcome"] for item in items}
    parse = {
        "case_number": f"CM16-{number:07d}",
        "date_assigned": "2016-12-07",
        "date_of_injury": "2015-03-02",
        "decision_date": "2017-01-10",
        "ur_denial_date": "2016-11-30",
        "application_received": "2016-12-01",
        "priority": "standard",
        "patient": {"age": 52, "sex": "female"},
        "reviewer": {
            "role": "expert reviewer",
            "specialties": ["Physical Medicine & Rehabilitation"],
            "board_certified": None,
            "licensure": ["California"],
        },
        "clinical_summary": "This case involves a 52-year-old female with chronic low back pain.",
        "outcome": (
            None
            if not outcomes
            else outcomes.pop()
            if len(outcomes) == 1
            else "partially overturned"
        ),
        "items": items,
        "warnings": [],
        "errors": [],
    }
    parse.update(overrides)
    return parse


def a_determination(parse: dict | None = None, *, data: bytes | None = None):
    """Store a letter (unique bytes) and save ``parse`` for it; return the Determination."""
    parse = parse if parse is not None else a_parse()
    data = data if data is not None else f"letter {next(_counter)} {parse['case_number']}".encode()
    stored = services.letter_store(data=data, name=f"{parse['case_number'] or 'letter'}.txt")
    letter = services.determination_save(letter=stored.letter, parsed=parse)
    return letter.determination
