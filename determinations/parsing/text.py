"""Page furniture removal and unwrapping.

Extracted letters carry layout noise that is not part of the letter: blank lines between every
line (double-spacing extractors), runs of blank lines and page numbers at page breaks, trailing
and doubled spaces (redacted names), carriage returns, and soft-hyphen or U+FFFE/U+FFFF marks
where the PDF broke a word at a line end. Structure is found on the cleaned *lines*; text fields
are then *unwrapped* into single-spaced strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A break mark, with any white space (including the line break) after it, becomes a hyphen that
# joins the halves: "Non\u00ad\nMTUS" -> "Non-MTUS", "of\ufffemotion" -> "of-motion".
_BREAK_MARK = re.compile(r"[\u00ad\ufffe\uffff][ \t]*(?:\n[ \t]*)?")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# A page number: "Page 2", "2 of 4", "3". A bare number starts with an ASCII digit.
_PAGE_NUMBER = re.compile(r"(?i)(?:page\s+\d{1,3}|[0-9]\d{0,2})(?:\s+of\s+\d{1,3})?")
_NEWLINE_CHARS = ("\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85")
_MARK_CHARS = ("\u00ad", "\ufffe", "\uffff")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_lines(text: str) -> list[str]:
    """Split text into its non-blank lines, stripped, with page numbers removed."""
    # pdfium ends every line with "\r\n": a plain replace turns them into "\n", far faster than
    # the regex below. The line-break and break-mark regexes run only when their characters
    # occur: most letters need neither, and each scan of a whole letter costs 15-35 us.
    text = text.replace("\r\n", "\n")
    if any(char in text for char in _NEWLINE_CHARS):
        text = _NEWLINES.sub("\n", text)
    if any(char in text for char in _MARK_CHARS):
        text = _BREAK_MARK.sub("-", text)
    text = _CONTROL.sub("", text)
    return [
        line
        for line in map(str.strip, text.split("\n"))
        if line and not _PAGE_NUMBER.fullmatch(line)
    ]


def unwrap(lines: Iterable[str]) -> str:
    """Join lines into one single-spaced string.

    A line ending in a hyphen attached to a word joins the next line without a space
    ("Non-" + "MTUS" -> "Non-MTUS"); every other line break becomes one space.
    """
    parts: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if parts:
            prev = parts[-1]
            if not (prev.endswith("-") and len(prev) > 1 and not prev[-2].isspace()):
                parts.append(" ")
        parts.append(line)
    return squash("".join(parts))


def squash(text: str) -> str:
    """Collapse every run of white space to one space and strip the ends."""
    return " ".join(text.split())
