"""Parser for California IMR final determination letters.

``parse_letter(data, filename)`` turns the bytes of one letter (PDF or text) into the object
described in ``shared/docs/letters.md`` section 3. It never raises: problems are reported in the
object's ``warnings`` (parsed, but something was not understood) and ``errors`` (not a letter,
nothing usable). Pipeline: extract -> clean -> sections -> header/reviewer/summary/items ->
normalise. No Django imports in this package.
"""

from __future__ import annotations

from typing import Any

from . import normalise
from .credentials import parse_credentials
from .extract import NOT_A_LETTER, ExtractResult, extract_text
from .header import CASE_NUMBER, FIELDS, parse_header
from .items import RawItem, parse_items
from .patient import parse_summary
from .reasons import item_reasons
from .structure import HOW, ISSUES, SUMMARY, split_sections
from .text import clean_lines

__all__ = [
    "PARSER_VERSION",
    "ExtractResult",
    "empty_result",
    "extract_text",
    "parse_letter",
    "parse_letter_with_text",
    "parse_text",
    "read_request",
]

# 1.9.2: not_recommended: a sentence naming another form of the treatment than the request's
# ("manipulation under anesthesia", Rule.variants: item_reasons now gets the request) or a
# combination ("addition of X to other agents") gives no code.
# 1.9.1: reason rules: a sentence about the request applies the guideline; "not routinely
# recommended", "largely experimental", a limited "does not support" and the conclusion give no
# not_recommended; "further evidence" is the record's (docs/parsing.md, "Reasons").
# 1.9: every item has ``reasons`` (reasons.py, issue 19).
# 1.8: one spelling per guideline document (vocab/documents.py); an Other citation named only by
# a web address gets its site as its document. Stored letters: `manage.py reparse --outdated`.
PARSER_VERSION = "1.9.2"
# The longest real letters are about 11,000 characters; one with 21 items might reach 100,000.
# Parsing at most this much bounds the time a hostile or mistaken file can take (a few seconds).
MAX_TEXT_CHARS = 1_000_000
MAX_ITEMS = 100  # a letter disputes 1 to 21 items
MAX_WARNINGS = 50

_SECTION_NAMES = {
    HOW: "HOW THE IMR FINAL DETERMINATION WAS MADE",
    SUMMARY: "CLINICAL CASE SUMMARY",
    ISSUES: "IMR ISSUES, DECISIONS AND RATIONALES",
}


def empty_result() -> dict[str, Any]:
    """The contract's object with every field empty, keys in the contract's order."""
    return {
        **dict.fromkeys(FIELDS[:-1]),
        "priority": None,
        "patient": {"age": None, "sex": None},
        "reviewer": {"role": None, "specialties": [], "board_certified": None, "licensure": []},
        "clinical_summary": "",
        "outcome": None,
        "items": [],
        "warnings": [],
        "errors": [],
    }


def parse_letter(data: bytes, filename: str = "") -> dict[str, Any]:
    """Parse one letter; never raises.

    >>> parse_letter(b"")["errors"]
    ['empty input']
    """
    return parse_letter_with_text(data, filename)[0]


def parse_letter_with_text(data: bytes, filename: str = "") -> tuple[dict[str, Any], str]:
    """Like :func:`parse_letter`, also returning the extracted text (the archive stores it)."""
    try:
        if not isinstance(data, bytes | bytearray | memoryview):
            result = empty_result()
            result["errors"].append(f"expected bytes, got {type(data).__name__}")
            return result, ""
        extracted = extract_text(bytes(data), filename)
        return parse_text_result(extracted), extracted.text
    except Exception as exc:  # last resort: a bug must not take the caller down
        result = empty_result()
        result["errors"].append(f"internal parser error: {type(exc).__name__}: {exc}"[:300])
        return result, ""


def parse_text(text: str) -> dict[str, Any]:
    """Parse already-extracted letter text."""
    return parse_text_result(ExtractResult(text=text))


def parse_text_result(extracted: ExtractResult) -> dict[str, Any]:
    result = empty_result()
    warnings: list[str] = result["warnings"]
    warnings.extend(extracted.warnings)
    if extracted.error:
        result["errors"].append(extracted.error)
        return result

    text = extracted.text
    if len(text) > MAX_TEXT_CHARS:
        warnings.append(
            f"the text is {len(text):,} characters long: "
            f"only the first {MAX_TEXT_CHARS:,} were read"
        )
        text = text[:MAX_TEXT_CHARS]
    lines = clean_lines(text)
    sections = split_sections(lines)
    item_lines = sections.issues if ISSUES in sections.found else []
    raw_items = parse_items(item_lines, warnings) if item_lines else []
    if not sections.found & {HOW, SUMMARY, ISSUES}:
        # No recognisable heading: accept the text only if it still holds item lines.
        raw_items = parse_items(lines, []) if len(lines) < 5000 else []
        if not raw_items:
            result["errors"].append(NOT_A_LETTER)
            return result
        warnings.append("no section headings found; items read from the whole text")

    for name in (HOW, SUMMARY, ISSUES):
        if name not in sections.found:
            warnings.append(f"section not found: {_SECTION_NAMES[name]}")
    # A DOCUMENTS REVIEWED section (older layout) is a known variant: skipped, no warning.

    header = parse_header(sections.header)
    result.update(header)
    if result["case_number"] is None:
        match = CASE_NUMBER.search(text[:20000])
        if match:
            result["case_number"] = match.group().upper()

    patient = parse_summary(sections.summary)
    result["patient"] = {"age": patient.age, "sex": patient.sex}
    if result["date_of_injury"] is None:
        result["date_of_injury"] = patient.date_of_injury
    result["clinical_summary"] = patient.summary

    creds = parse_credentials(sections.how)
    result["reviewer"] = {
        "role": creds.role,
        "specialties": normalise.specialties(creds.specialty_phrases, warnings),
        "board_certified": creds.board_certified,
        "licensure": creds.licensure,
    }

    if len(raw_items) > MAX_ITEMS:
        message = f"{len(raw_items)} items found: only the first {MAX_ITEMS} were kept"
        warnings.insert(0, message)  # ahead of the items' own warnings, which may be cut
        raw_items = raw_items[:MAX_ITEMS]
    result["items"] = _items(raw_items, warnings)
    if ISSUES in sections.found and not raw_items:
        warnings.append("no disputed items found")
    result["outcome"] = letter_outcome([item["outcome"] for item in result["items"]])
    if len(warnings) > MAX_WARNINGS:
        warnings[MAX_WARNINGS - 1 :] = [f"... and {len(warnings) - MAX_WARNINGS + 1} more warnings"]
    return result


def _items(raw_items: list[RawItem], warnings: list[str]) -> list[dict[str, Any]]:
    requests = [raw.request for raw in raw_items]
    items = []
    for number, raw in enumerate(raw_items, start=1):
        where = f"item {number}"
        ca_citations = normalise.citations(raw.ca_basis, warnings, where)
        rv_citations = normalise.citations(raw.rv_basis, warnings, where)
        category, subcategory, service = normalise.classify(
            raw.request,
            raw.original_request,
            raw.rationale or "",
            rv_citations,
            requests,
            warnings,
            where,
        )
        items.append(
            {
                "number": number,
                "request": raw.request,
                "original_request": raw.original_request,
                "authorized": raw.authorized,
                "outcome": raw.outcome,
                "category": category,
                "subcategory": subcategory,
                "service": service,
                "body_regions": normalise.regions(
                    raw.request, raw.original_request, warnings, where
                ),
                "quantity": normalise.quantity(raw.request, warnings, where),
                "claims_administrator": {"basis": raw.ca_basis, "citations": ca_citations},
                "reviewer": {"basis": raw.rv_basis, "citations": rv_citations},
                "rationale": raw.rationale,
                "reasons": item_reasons(raw.rationale, raw.outcome, raw.request),
            }
        )
    return items


def read_request(request: str) -> dict[str, Any]:
    """A request's text alone read as the parser reads an item's (no rationale, citations or
    sibling requests): its category, subcategory, service, body regions and quantity, in the
    contract's names, and any ``warnings``. Never raises; bounded by the caller's length cap."""
    request = request if isinstance(request, str) else ""
    warnings: list[str] = []
    category, subcategory, service = normalise.classify(
        request, None, "", [], [request], warnings, "request"
    )
    return {
        "request": request,
        "category": category,
        "subcategory": subcategory,
        "service": service,
        "body_regions": normalise.regions(request, None, warnings, "request"),
        "quantity": normalise.quantity(request, warnings, "request"),
        "warnings": warnings,
    }


def letter_outcome(outcomes: list[str]) -> str | None:
    """upheld / overturned when all items agree, partially overturned when they differ."""
    if not outcomes:
        return None
    if all(outcome == "upheld" for outcome in outcomes):
        return "upheld"
    if all(outcome == "overturned" for outcome in outcomes):
        return "overturned"
    return "partially overturned"
