"""Permalink keys as people type them: a case number in any case, with its dash, a space or nothing.

Keys are stored in one spelling (``CM17-0010420``, or 12 lower-case hex digits of a letter's
SHA-256), so a lookup stays one exact match on the unique key index; anything typed is first
brought to that spelling here.
"""

from __future__ import annotations

import re

# The dash may be typed as spaces, or left out ("CM17 0010420", "cm170010420").
CASE_NUMBER = re.compile(r"\s*CM(?P<year>\d{2})(?:-|\s+)?(?P<number>\d{5,8})\s*", re.IGNORECASE)
HEX_KEY = re.compile(r"[0-9A-Fa-f]{12}")


def case_number(text: str) -> str | None:
    """``CM17-0010420`` for `` cm170010420 `` and the like; None when ``text`` is not one."""
    match = CASE_NUMBER.fullmatch(text or "")
    if match is None:
        return None
    return f"CM{match['year']}-{match['number']}"


def canonical_key(key: str) -> str:
    """The stored spelling of a permalink key (unchanged when it is neither shape)."""
    if (number := case_number(key)) is not None:
        return number
    if HEX_KEY.fullmatch(key):
        return key.lower()
    return key


def year_range(key: str) -> tuple[str, str] | None:
    """Bounds ``[low, high)`` of the keys of the same case-number year as ``key`` (a canonical
    case number), so a search for its neighbours stays within one year of the key index; None
    for other keys. ``CM18`` sorts after every ``CM17-...`` in C and in linguistic collations."""
    match = CASE_NUMBER.fullmatch(key)
    if match is None:
        return None
    year = int(match["year"])
    high = f"CM{year + 1:02d}" if year < 99 else "CN"
    return f"CM{match['year']}", high
