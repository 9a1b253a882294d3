"""Disputed items: request, outcome, the two guideline bases and the rationale.

An item starts with its request, which ends in ": Upheld" or ": Overturned" (the outcome word may
stand alone on the next line). The request may wrap over several lines and contain colons, so it
is split on its last colon. Its first line is found by walking back from the outcome line to the
end of the previous item's rationale (a line that ends a sentence) or to the section start.

Nothing is merged in silence: every outcome line starts an item, even when the labels after it
are damaged or missing (a cut-off letter), and an item whose labels, rationale or end are
missing, or whose text still holds an outcome, gets a warning that names it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import squash, unwrap

_OUTCOME_END = re.compile(r"(?i):\s*(upheld|overturned)\s*\.?$")
_OUTCOME_ALONE = re.compile(r"(?i):?\s*(upheld|overturned)\s*\.?")
# A line that starts one of the three labels. A label can wrap ("Claims Administrator" /
# "guideline: ..."), so a line holding only the label's first words counts too.
_LABEL_LINE = re.compile(
    r"(?i)^(?:Claims\s+Administrator\s+guideline|MAXIMUS\s+guideline|Decision\s+rationale)\b"
    r"|^(?:Claims\s+Administrator|MAXIMUS|Decision)\s*$"
)
_LABEL_STARTS = ("Claims Administrator guideline", "MAXIMUS guideline", "Decision rationale")
# An extractor can run the first label onto the outcome line: "MRI: Upheld Claims Administrator
# guideline: ...". The label then starts a line of its own.
_OUTCOME_THEN_LABEL = re.compile(
    r"(?i)(?<=:)\s*(?:upheld|overturned)\s*\.?\s+(?=(?:Claims\s+Administrator|MAXIMUS)\s+guideline"
    r"|Decision\s+rationale)"
)
_LABELS = re.compile(
    r"(?P<ca>Claims\s+Administrator\s+guidelines?\s*:)"
    r"|(?P<rv>MAXIMUS\s+guidelines?\s*:)"
    r"|(?P<ra>Decision\s+rationale\s*:)",
    re.IGNORECASE,
)
# A line that closes a sentence: the previous rationale ended there. A rationale always ends in
# its conclusion, so "... is not medically necessary" closes it even without the period.
_SENTENCE_END = re.compile(
    r"[.!?][\"'\u201d\u2019)\]]*$|[\"\u201d]$"
    r"|(?i:\b(?:medically|not|is|are|was|be)\s+(?:\w+\s+){0,2}?(?:necessary|appropriate|indicated"
    r"|warranted|supported|established)(?:\s*\([^()]*\))?[\"'\u201d\u2019)\]]*)$"
)
# A period after a dosing or quantity abbreviation ends no sentence: "Norco #60, qty." / "2".
_ABBREVIATION_END = re.compile(
    r"(?i)(?:^|[\s(,])(?:qty|no|approx|p\.o|po|q|b\.i\.d|t\.i\.d|q\.i\.d|prn|h\.s|q\.h\.s|tabs?"
    r"|caps?|disp|sig|wks?|hrs?|ea|vs|inj|eval|x)\.$"
)
# Sentence ends inside the modified-request wording, not the end of a rationale.
_MODIFIED_END = re.compile(
    r"(?i)(?:original\s+request|Claims\s+Administrator|IMR\s+eligible)\s*\.$"
)
_MODIFIED_MARK = re.compile(
    r"(?i)remaining\s+IMR\s+eligible\s+portion|leaving\s+the\s+original\s+request"
    r"|authorized\s+by\s+the\s+Claims\s+Administrator|The\s+Claims\s+Administrator\s+authorized"
    r"|The\s+original\s+request\s*,"
)
_WAS_ORIGINAL = re.compile(r"(?i)was\s+the\s+original\s+request")
_MODIFIED_PORTION = re.compile(
    r"(?is)^(?P<orig>.+?)\s+was\s+the\s+original\s+request\.?\s*(?P<auth>.+?)\s+was\s+authorized"
    r"\s+by\s+the\s+Claims\s+Administrator\.?\s*The\s+remaining\s+IMR\s+eligible\s+portion\s+of"
    r"\s+the\s+original\s+request\s*,?\s*(?:is\s+)?(?P<req>.+?)$"
)
_MODIFIED_WHOLE = re.compile(
    r"(?is)^(?P<orig>.+?)\s+was\s+the\s+original\s+request\.?\s*The\s+Claims\s+Administrator"
    r"\s+authorized\s+(?P<auth>.+?),?\s+leaving\s+the\s+original\s+request\s+IMR\s+eligible\.?"
    r"\s*The\s+original\s+request\s*,?\s*(?P<req>.+?)$"
)
_TRAILING_IS = re.compile(r"(?i)\s+is$")
# An item's outcome where only a header has one: inside a basis or a rationale, it is a merge.
_INNER_OUTCOME = re.compile(r":\s*(?:Upheld|Overturned)\b")
_MAX_REQUEST_LINES = 12


@dataclass(slots=True)
class RawItem:
    request: str
    original_request: str | None
    authorized: str | None
    outcome: str
    ca_basis: str | None
    rv_basis: str | None
    rationale: str | None


def parse_items(lines: list[str], warnings: list[str]) -> list[RawItem]:
    """Find every item in the IMR ISSUES section lines."""
    lines = _split_run_on_labels(lines)
    ends = _outcome_lines(lines)
    starts: list[int] = []
    lower = 0
    for number, (last, _outcome, _alone) in enumerate(ends, start=1):
        start = _request_start(lines, last, lower)
        if start is None:
            warnings.append(f"item {number}: could not find where its request begins")
            start = last
        starts.append(start)
        lower = last + 1
    items = []
    for index, (last, outcome, alone) in enumerate(ends):
        stop = starts[index + 1] if index + 1 < len(ends) else len(lines)
        body_from = last + (2 if alone else 1)
        request_lines = lines[starts[index] : last + (2 if alone else 1)]
        items.append(_build(index + 1, request_lines, outcome, lines[body_from:stop], warnings))
    if items and ends_inside(items[-1]):
        warnings.append(f"item {len(items)}: the letter ends inside its rationale (cut off?)")
    return items


def _split_run_on_labels(lines: list[str]) -> list[str]:
    """Put a label that was run onto its item's outcome line on a line of its own."""
    out: list[str] | None = None
    for index, line in enumerate(lines):
        match = None
        # Cheap filter: a label mid-line; lines that start with a label are the usual case.
        if ("guideline" in line or "ationale" in line) and not line.startswith(_LABEL_STARTS):
            match = _OUTCOME_THEN_LABEL.search(line)
        if match is not None:
            if out is None:
                out = lines[:index]
            out.extend((line[: match.end()].rstrip(), line[match.end() :]))
        elif out is not None:
            out.append(line)
    return lines if out is None else out


def _outcome_lines(lines: list[str]) -> list[tuple[int, str, bool]]:
    """(index of the request's last line, outcome, outcome on its own next line) per item."""
    found: list[tuple[int, str, bool]] = []
    for index, line in enumerate(lines):
        tail = line[-14:].lower()
        if "upheld" not in tail and "overturned" not in tail:
            continue  # cheap filter: almost no line is an outcome line
        match = _OUTCOME_END.search(line)
        if match and (len(line) > match.end() - match.start() or index == 0):
            found.append((index, match.group(1).lower(), False))
            continue
        alone = _OUTCOME_ALONE.fullmatch(line)
        if alone and index > 0 and (lines[index - 1].endswith(":") or line.startswith(":")):
            found.append((index - 1, alone.group(1).lower(), True))
    return found


def _request_start(lines: list[str], last: int, lower: int) -> int | None:
    """Walk back from the request's last line to its first."""
    text = lines[last]
    index = last - 1
    while index >= lower:
        line = lines[index]
        if _LABEL_LINE.match(line) or last - index > _MAX_REQUEST_LINES:
            break
        if _SENTENCE_END.search(line) and not _ABBREVIATION_END.search(line):
            modified = _MODIFIED_MARK.search(text) and not _WAS_ORIGINAL.search(text)
            if not (modified and _MODIFIED_END.search(line)):
                break
        text = line + " " + text
        index -= 1
    if last - index > _MAX_REQUEST_LINES:
        return None
    return index + 1


def _build(
    number: int, request_lines: list[str], outcome: str, body: list[str], warnings: list[str]
) -> RawItem:
    joined = unwrap(request_lines)
    colon = joined.rfind(":")
    request = squash(joined[:colon]) if colon >= 0 else joined
    original = authorized = None
    match = _MODIFIED_PORTION.match(request) or _MODIFIED_WHOLE.match(request)
    if match:
        original = squash(match.group("orig"))
        authorized = squash(match.group("auth"))
        request = _TRAILING_IS.sub("", squash(match.group("req")))
        if match.re is _MODIFIED_WHOLE:
            original = request
    elif _MODIFIED_MARK.search(request):
        warnings.append(f"item {number}: modified request wording not understood")
    ca, rv, rationale, leftover = _split_body(unwrap(body))
    if leftover:
        warnings.append(f"item {number}: unexpected text before its guidelines: {leftover[:60]!r}")
    for label, value in (
        ("Claims Administrator guideline", ca),
        ("MAXIMUS guideline", rv),
        ("Decision rationale", rationale),
    ):
        if value is None:
            warnings.append(f"item {number}: no {label}")
        elif _INNER_OUTCOME.search(value):
            warnings.append(f"item {number}: its {label} holds another outcome (an item's header?)")
    return RawItem(request, original, authorized, outcome, ca, rv, rationale)


def ends_inside(item: RawItem) -> bool:
    """Whether the letter seems to end inside ``item`` (the last): its rationale stops mid-way."""
    text = item.rationale
    return bool(text) and not _SENTENCE_END.search(text) and not _ABBREVIATION_END.search(text)


def _split_body(body: str) -> tuple[str | None, str | None, str | None, str]:
    """Cut an item's body at its first label of each kind, in the letter's order."""
    spans: dict[str, tuple[int, int]] = {}
    for match in _LABELS.finditer(body):
        name = match.lastgroup or ""
        if name not in spans:
            spans[name] = match.span()
        if name == "ra":
            break  # the rationale runs to the end: labels quoted inside it are text
    order = sorted(spans.items(), key=lambda kv: kv[1][0])
    values: dict[str, str] = {}
    for position, (name, (_start, end)) in enumerate(order):
        stop = order[position + 1][1][0] if position + 1 < len(order) else len(body)
        values[name] = body[end:stop].strip()
    leftover = body[: order[0][1][0]].strip() if order else body.strip()
    return values.get("ca"), values.get("rv"), values.get("ra"), leftover
