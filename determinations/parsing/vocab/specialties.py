"""Reviewer specialties onto the Division's names (contract section 4.5).

``normalise_specialties(phrases)`` takes phrases as the letter gives them: one specialty from the
prose wording, or a raw "Certification(s)/Specialty:" value listing several, separated by commas
or semicolons (spaces optional, possibly wrapped). Each specialty is mapped onto the Division's
name when it is a known spelling variant, a practitioner noun ("Chiropractor") or a small typo of
one ("Rehabiliation"); any other stated specialty is kept verbatim, whitespace-normalised. The
result keeps the order of mention, each specialty once.
"""

from __future__ import annotations

import re

DIVISION_SPECIALTIES = (
    "Physical Medicine & Rehabilitation",
    "Occupational Medicine",
    "Preventive Medicine",
    "Family Practice",
    "Internal Medicine",
    "Orthopedic Surgery",
    "Anesthesiology",
    "Pain Management",
    "Neurology",
    "Sports Medicine",
    "Emergency Medicine",
    "Psychiatry",
    "Psychologist",
    "Chiropractic",
    "Oriental Medicine",
    "Hand Surgery",
    "Hospice & Palliative Medicine",
    "Medical Toxicology",
    "Public Health & General Preventive Medicine",
    "Neuromuscular Medicine",
    "Neurological Surgery",
    "Surgery",
    "Surgical Critical Care",
)

# Variants (as keys, see _key) beyond the names themselves and "and" for "&".
_VARIANTS = {
    "Physical Medicine & Rehabilitation": (
        "physical medicine rehabilitation",
        "physical medicine and rehab",
        "physical medicine",
        "physical and rehabilitation medicine",
        "pmr",
        "pm and r",
        "physiatry",
        "physiatrist",
        "rehabilitation medicine",
    ),
    "Occupational Medicine": ("occupational medicine physician",),
    "Preventive Medicine": ("preventative medicine", "general preventive medicine"),
    "Family Practice": (
        "family medicine",
        "family practice medicine",
        "family physician",
        "family practitioner",
    ),
    "Internal Medicine": ("internist",),
    "Orthopedic Surgery": (
        "orthopaedic surgery",
        "orthopedics",
        "orthopaedics",
        "orthopedic",
        "orthopaedic",
        "orthopedic surgeon",
        "orthopaedic surgeon",
        "orthopedist",
        "orthopedic surgery general",
    ),
    "Anesthesiology": ("anesthesia", "anaesthesiology", "anaesthesia", "anesthesiologist"),
    "Pain Management": ("pain medicine", "pain management medicine", "pain"),
    "Neurology": ("neurologist",),
    "Sports Medicine": ("sports medicine physician",),
    "Emergency Medicine": ("emergency medicine physician", "emergency room medicine"),
    "Psychiatry": ("psychiatrist", "general psychiatry"),
    "Psychologist": (
        "psychology",
        "clinical psychology",
        "clinical psychologist",
        "licensed psychologist",
    ),
    "Chiropractic": ("chiropractor", "chiropractic medicine", "doctor of chiropractic", "dc"),
    # The Division files acupuncturists under Oriental Medicine, its only acupuncture specialty.
    "Oriental Medicine": (
        "acupuncture",
        "acupuncturist",
        "licensed acupuncturist",
        "acupuncture and oriental medicine",
        "oriental medicine and acupuncture",
        "traditional chinese medicine",
    ),
    "Hand Surgery": ("surgery of the hand", "hand surgeon"),
    "Hospice & Palliative Medicine": ("hospice and palliative care", "palliative medicine"),
    "Public Health & General Preventive Medicine": (
        "public health and preventive medicine",
        "public health",
    ),
    "Neurological Surgery": ("neurosurgery", "neurosurgeon", "neurologic surgery"),
    "Surgery": ("general surgery", "general surgeon", "surgeon"),
}

_SEPARATORS = re.compile(r"\s*[,;]\s*")
_AND_SPLIT = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.IGNORECASE)
_DIVISION = frozenset(DIVISION_SPECIALTIES)
# Boards whose own name joins two specialties: kept as stated, not split.
_BOARD_NAMES = frozenset({"psychiatry and neurology"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
_AND = re.compile(r"\s*&\s*")
_EDGE_JUNK = re.compile(r"^[\s\-\u2013.:*•]+|[\s\-\u2013.:*•]+$")
_SPACES = re.compile(r"\s+")
_BOARD = re.compile(
    r"^(?:and\s+|also\s+)?(?:(?:is\s+)?board[\s-]+certified\s+in\s+|certified\s+in\s+)?",
    re.IGNORECASE,
)


def _key(text: str) -> str:
    """Comparison key: lower case, "&" as "and", punctuation dropped."""
    text = _AND.sub(" and ", text.lower())
    return _NON_WORD.sub(" ", text).strip()


_LOOKUP: dict[str, str] = {}
for _name in DIVISION_SPECIALTIES:
    _LOOKUP[_key(_name)] = _name
for _name, _variants in _VARIANTS.items():
    for _variant in _variants:
        _LOOKUP[_key(_variant)] = _name
# Real specialties one or two letters away from a Division name: never "corrected".
_NOT_TYPOS = frozenset({"neurotology", "urology", "nephrology", "neuroradiology"})


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _canonical(phrase: str) -> str | None:
    text = _SPACES.sub(" ", phrase).strip()
    text = _BOARD.sub("", text)
    text = _EDGE_JUNK.sub("", text)
    if not text:
        return None
    key = _key(text)
    if not key:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    if key in _NOT_TYPOS or len(key) < 8:
        return text
    limit = 1 if len(key) < 16 else 2
    best: tuple[int, str] | None = None
    for known, name in _LOOKUP.items():
        if len(known) < 8:
            continue  # only names long enough to carry a typo take part
        d = _distance(key, known, limit)
        if d <= limit and (best is None or d < best[0]):
            best = (d, name)
    return best[1] if best else text


def _names(part: str) -> tuple[str, ...]:
    """One phrase's specialties: "Orthopedic Surgery and Sports Medicine" names two.

    A phrase joined by "and"/"&" is split only when it is not a name itself and one of its
    pieces is one of the Division's names ("Physical Medicine and Rehabilitation",
    "Occupational & Environmental Medicine" and the board "Psychiatry & Neurology" stay whole).
    """
    name = _canonical(part)
    if not name:
        return ()
    if name not in _DIVISION and _key(part) not in _BOARD_NAMES:
        pieces = _AND_SPLIT.split(part)
        if len(pieces) > 1:
            names = tuple(_canonical(piece) for piece in pieces)
            if all(names) and any(piece in _DIVISION for piece in names):
                return names  # type: ignore[return-value]
    return (name,)


def normalise_specialties(phrases: list[str]) -> list[str]:
    """The Division's names for the specialties stated in phrases, in order, each once."""
    result: list[str] = []
    try:
        for phrase in phrases or ():
            if not isinstance(phrase, str):
                continue
            for part in _SEPARATORS.split(phrase):
                for name in _names(part):
                    if name not in result:
                        result.append(name)
    except Exception:  # never raise on odd input
        return result
    return result
