"""Split a cleaned letter into its header and sections.

Headings are matched in upper case only (the prose never shouts them) and may be glued to other
text by the extractor, so a line holding a heading is split around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HOW = "how"
SUMMARY = "summary"
ISSUES = "issues"
DOCUMENTS = "documents"

_HEADING = re.compile(
    r"(?P<how>HOW\s+THE\s+IMR\s+FINAL\s+DETERMINATION\s+WAS\s+MADE)"
    r"|(?P<summary>CLINICAL\s+CASE\s+SUMMARY)"
    r"|(?P<issues>IMR\s+ISSUES,?\s+DECISIONS?\s+AND\s+RATIONALES?"
    r"|IMR\s+DECISION(?:\(S\)|S)?\s+AND\s+RATIONALE(?:\(S\)|S)?)"
    r"|(?P<documents>DOCUMENTS\s+REVIEWED)"
)
_TRAILING_COLON = re.compile(r"^\s*:")
# A page's running head repeating the case number: page furniture once the header is past.
_RUNNING_HEAD = re.compile(r"(?i)(?:Case\s+(?:Number|No\.?)\s*:?\s*)?CM\d{2}-\d{5,8}")
_ITEMS_INTRO = re.compile(r"(?i)set\s+forth\s+below\s*:?")


@dataclass(slots=True)
class Sections:
    header: list[str] = field(default_factory=list)
    how: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    found: set[str] = field(default_factory=set)


def split_sections(lines: list[str]) -> Sections:
    """Assign every line to the section whose heading last preceded it."""
    sections = Sections()
    by_heading = {
        HOW: sections.how,
        SUMMARY: sections.summary,
        ISSUES: sections.issues,
        DOCUMENTS: sections.documents,
    }
    current = sections.header
    for line in lines:
        # Cheap guard: every heading contains one of these upper-case words.
        if "IMR" in line or "SUMMARY" in line or "DOCUMENTS" in line:
            match = _HEADING.search(line)
        elif "CM" in line and sections.found and _RUNNING_HEAD.fullmatch(line):
            continue
        else:
            current.append(line)
            continue
        if match is None:
            current.append(line)
            continue
        while match is not None:
            before = line[: match.start()].strip()
            if before:
                current.append(before)
            name = match.lastgroup or ""
            if name in sections.found:
                # A second heading of the same kind (a repeated running head): stay put.
                pass
            else:
                sections.found.add(name)
                current = by_heading[name]
            line = _TRAILING_COLON.sub("", line[match.end() :]).strip()
            match = _HEADING.search(line) if line else None
        if line:
            current.append(line)
    sections.issues = _drop_items_intro(sections.issues)
    return sections


def _drop_items_intro(lines: list[str]) -> list[str]:
    """Remove "The Final Determination was based on ... set forth below:" (may wrap)."""
    for index, line in enumerate(lines[:4]):
        match = _ITEMS_INTRO.search(line)
        if match:
            rest = line[match.end() :].strip()
            return ([rest] if rest else []) + lines[index + 1 :]
    return lines
