"""Date parsing: letters write dates as 11/03/2016, 11-3-16, 9/26/12 or "January 5, 2015"."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

NUMERIC_DATE = r"\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})(?!\d)"
WORD_DATE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
DATE = rf"(?:{NUMERIC_DATE}|{WORD_DATE})"

_NUMERIC = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})")
_WORDS = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


def to_iso(text: str) -> str | None:
    """ "11/3/16" -> "2016-11-03"; None when the text is not a valid date."""
    match = _NUMERIC.fullmatch(text.strip())
    if match:
        month, day, year = (int(group) for group in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 70 else 1900
    else:
        match = _WORDS.fullmatch(text.strip())
        if not match:
            return None
        month = _MONTHS.get(match.group(1).lower(), 0)
        day, year = int(match.group(2)), int(match.group(3))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
