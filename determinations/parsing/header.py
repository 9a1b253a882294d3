"""Header fields (case number, dates, priority).

In PDFs the header is a two-column table, so extracted text interleaves labels and values and
labels can split across lines ("Priority: Standard Application \\nReceived: \\n11/03/2016"). The
header is therefore read as a stream of label and value tokens: each value goes to the earliest
label still waiting for a value of its kind, or waits for the next such label.
"""

from __future__ import annotations

import re

from .dates import NUMERIC_DATE, to_iso

CASE_NUMBER = re.compile(r"\bCM\d{2}-\d{5,8}\b")

FIELDS = (
    "case_number",
    "date_assigned",
    "date_of_injury",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
)

_LABELS = {
    "case_number": r"Case\s+(?:Number|No\.?)",
    "date_assigned": r"Date\s+Assigned",
    "date_of_injury": r"Date\s+of\s+Injury",
    "decision_date": r"Decision\s+Date",
    "ur_denial_date": r"UR\s+Denial\s+Date",
    "application_received": r"Application\s+Received",
    "priority": r"Priority",
}
_KIND = {name: "date" for name in FIELDS}
_KIND["case_number"] = "case"
_KIND["priority"] = "priority"

_TOKEN = re.compile(
    "|".join(rf"(?P<{name}>\b{pattern}\s*:)" for name, pattern in _LABELS.items())
    + r"|(?P<v_case>\bCM\d{2}-\d{5,8}\b)"
    + rf"|(?P<v_date>(?<![\d/-]){NUMERIC_DATE})"
    + r"|(?P<v_priority>\b(?:Standard|Expedited|Regular|Urgent)\b)",
    re.IGNORECASE,
)
_PRIORITY = {"standard": "standard", "regular": "standard", "expedited": "expedited"}
_PRIORITY["urgent"] = "expedited"


def parse_header(lines: list[str]) -> dict[str, str | None]:
    """Return the header fields found in ``lines`` (all None when there is no header)."""
    result: dict[str, str | None] = dict.fromkeys(FIELDS)
    waiting_labels: list[str] = []
    waiting_values: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(" ".join(lines)):
        name = match.lastgroup or ""
        if name.startswith("v_"):
            kind, value = name[2:], match.group()
            label = next((lab for lab in waiting_labels if _KIND[lab] == kind), None)
            if label is None:
                waiting_values.append((kind, value))
            else:
                waiting_labels.remove(label)
                _store(result, label, value)
        elif result[name] is None and name not in waiting_labels:
            kind = _KIND[name]
            value = next((val for val in waiting_values if val[0] == kind), None)
            if value is None:
                waiting_labels.append(name)
            else:
                waiting_values.remove(value)
                _store(result, name, value[1])
    return result


def _store(result: dict[str, str | None], label: str, value: str) -> None:
    kind = _KIND[label]
    if kind == "case":
        result[label] = value.upper()
    elif kind == "priority":
        result[label] = _PRIORITY.get(value.lower())
    else:
        result[label] = to_iso(value)
