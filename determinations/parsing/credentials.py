"""Reviewer role, board certification, licensure and raw specialty phrases.

Two wordings exist: prose ("The physician reviewer is Board Certified in X, has a subspecialty in
Y and is licensed to practice in California") and a block ("State(s) of Licensure: ..." /
"Certification(s)/Specialty: ..."). Specialty names are normalised by the vocab package; this
module only finds the raw phrases, in the order the letter states them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import squash, unwrap

_ROLE = re.compile(r"(?i)\b(physician|expert)\s+reviewer\b")
_ROLE_SENT = re.compile(r"(?i)case\s+file\s+to\s+(?:an?\s+)?(physician|expert)\s+reviewer")
_BOARD = re.compile(r"(?i)\bboard[\s-]+certified\b")
_BLOCK_LICENSURE = re.compile(
    r"(?is)State\s*\(?s?\)?\s+of\s+Licensure\s*:\s*(.*?)\s*(?=Certification|$)"
)
_BLOCK_SPECIALTY = re.compile(r"(?is)Certification\s*\(?s?\)?\s*/\s*Specialt(?:y|ies)\s*:\s*(.*)$")
_PROSE_BOARD = re.compile(
    r"(?i)Board[\s-]+Certified\s+in\s+(.+?)"
    r"(?:,?\s+(?:and\s+)?(?:has\s+a\s+)?sub-?specialty\s+(?:certification\s+)?in\s+(.+?))?"
    r",?\s+and\s+(?:is\s+)?licensed\s+to\s+practice\s+in\s+(.+?)(?:\.\s|\.$|$)"
)
# Without "Board Certified" ("Licensed in Chiropractic", "a Licensed Psychologist", "Board
# Eligible in X"), possibly with a subspecialty clause as in the certified wording.
_PROSE_OTHER = re.compile(
    r"(?i)reviewer\s+is\s+(?:an?\s+)?(?:(?:licensed|practicing|board[\s-]+eligible)\s+(?:in\s+)?)?"
    r"(.+?)(?:,?\s+(?:and\s+)?(?:has\s+a\s+)?sub-?specialty\s+(?:certification\s+)?in\s+(.+?))?"
    r",?\s+and\s+(?:is\s+)?licensed\s+to\s+practice\s+in\s+(.+?)(?:\.\s|\.$|$)"
)
_LICENSED_IN = re.compile(r"(?i)licensed\s+to\s+practice\s+in\s+(.+?)(?:\.\s|\.$|$)")
_STATE_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b)\s*")
_STATE_PREFIX = re.compile(r"(?i)^(?:the\s+)?(?:states?|commonwealth)\s+of\s+")


@dataclass(slots=True)
class Credentials:
    role: str | None = None
    board_certified: bool | None = None
    licensure: list[str] = field(default_factory=list)
    specialty_phrases: list[str] = field(default_factory=list)


def parse_credentials(lines: list[str]) -> Credentials:
    """Read the "HOW THE IMR FINAL DETERMINATION WAS MADE" section."""
    text = unwrap(lines)
    # Case-insensitive patterns scan slowly; a lower-cased copy says which can match at all.
    lower = text.lower()
    creds = Credentials()
    role = _ROLE_SENT.search(text) or _ROLE.search(text)
    if role:
        creds.role = f"{role.group(1).lower()} reviewer"
    board = "board" in lower and _BOARD.search(text) is not None
    if board:
        creds.board_certified = True

    licensure = _BLOCK_LICENSURE.search(text) if "licensure" in lower else None
    specialty = _BLOCK_SPECIALTY.search(text) if "specialt" in lower else None
    if licensure or specialty:
        if licensure:
            creds.licensure = split_states(licensure.group(1))
        if specialty and specialty.group(1).strip():
            creds.specialty_phrases = [squash(specialty.group(1))]
        return creds

    prose = _PROSE_BOARD.search(text) if board else None
    if prose:
        creds.specialty_phrases = [squash(p) for p in prose.group(1, 2) if p and p.strip()]
        creds.licensure = split_states(prose.group(3))
        return creds
    other = _PROSE_OTHER.search(text)
    if other and len(other.group(1)) < 80:
        creds.specialty_phrases = [squash(p) for p in other.group(1, 2) if p and p.strip()]
        creds.licensure = split_states(other.group(3))
        return creds
    licensed = _LICENSED_IN.search(text)
    if licensed:
        creds.licensure = split_states(licensed.group(1))
    return creds


def split_states(value: str) -> list[str]:
    """ "Texas,New York, California." -> ["Texas", "New York", "California"]."""
    states = []
    for part in _STATE_SPLIT.split(value):
        part = _STATE_PREFIX.sub("", squash(part).strip(" .;:"))
        if part and part not in states:
            states.append(part)
    return states
