"""Clinical summary, patient age and sex, and the date of injury stated in the summary."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import DATE, to_iso
from .text import unwrap

# The boilerplate intro; its article, "available"/"pertinent" and closing ":" or "." vary.
_INTRO = re.compile(
    r"(?i)The\s+(?:expert|physician|independent\s+medical)?\s*reviewer\s+developed\s+the\s+"
    r"following\s+clinical\s+case\s+summary\s+based\s+on\s+(?:a\s+|the\s+)?review\s+of\s+the\s+"
    r"case\s+file(?:,?\s+including\s+all\s+(?:available\s+|pertinent\s+)?medical\s+records)?"
    r"\s*[:.]?\s*"
)
_AGE = re.compile(
    r"(?i)\b(\d{1,3})\s*-?\s*(?:years?|yrs?|yo)\s*-?\s*old\b"
    r"|\b(\d{1,3})\s*(?:y/o|yo|y\.o\.?|Y)(?![\w/])"
)
_SEX_AFTER_AGE = re.compile(
    r"[\s,(-]*(?:(?:african|white|caucasian|hispanic|asian|black|right|left|hand|dominant|"
    r"-|american)[\s,-]*)*(male|female|man|woman|gentleman|lady|boy|girl|M|F)\b",
    re.IGNORECASE,
)
_SEX_WORD = re.compile(r"(?i)\b(male|female|man|woman|gentleman|lady)\b")
_SEX = {"male": "male", "man": "male", "gentleman": "male", "boy": "male", "m": "male"}
_SEX |= {"female": "female", "woman": "female", "lady": "female", "girl": "female"}
_SEX["f"] = "female"
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_INJURY_DATE = re.compile(
    r"(?i)\b(?:date\s+of\s+(?:industrial\s+)?injury|DOI|injur(?:y|ed)|claim)\b"
    r"[^.;]{0,40}?\b(?:on|of|from|dated|date|was|is)?\s*:?\s*(" + DATE + r")"
)


@dataclass(slots=True)
class Patient:
    summary: str = ""
    age: int | None = None
    sex: str | None = None
    date_of_injury: str | None = None


def parse_summary(lines: list[str]) -> Patient:
    """Read the CLINICAL CASE SUMMARY section."""
    summary = unwrap(lines)
    intro = _INTRO.match(summary)
    if intro:
        summary = summary[intro.end() :]
    patient = Patient(summary=summary)
    age = _AGE.search(summary)
    if age:
        value = int(age.group(1) or age.group(2))
        if 0 < value < 120:
            patient.age = value
        sex = _SEX_AFTER_AGE.match(summary, age.end())
        if sex:
            patient.sex = _SEX[sex.group(1).lower()]
    if patient.sex is None:
        patient.sex = _sex_from_words(summary)
    injury = _INJURY_DATE.search(summary)
    if injury:
        patient.date_of_injury = to_iso(injury.group(1))
    return patient


def _sex_from_words(summary: str) -> str | None:
    word = _SEX_WORD.search(summary)
    if word:
        return _SEX[word.group(1).lower()]
    # Pronouns only when the summary uses one set alone, and more than once.
    he, she = len(_HE.findall(summary)), len(_SHE.findall(summary))
    if he >= 2 and she == 0:
        return "male"
    if she >= 2 and he == 0:
        return "female"
    return None
