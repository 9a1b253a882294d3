"""The labelled regression set: 54 published PDFs labelled by hand, field by field.

Scored, not matched exactly (tests/test_parsing.py matches the eleven worked examples exactly):
each field's accuracy over the set must stay at or above the goal of issue 15 (0.99 overall,
0.97 for category, subcategory, service and citations). The labelling and its disagreements
with the parser are in docs/labelling/; the scores are recorded in docs/parsing.md.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from determinations.parsing import header, parse_letter

ASSETS = Path(__file__).parent / "assets" / "letters"
LABELS = sorted((ASSETS / "labelled").glob("*.expected.json"))
LETTER_FIELDS = (*header.FIELDS, "patient", "reviewer", "clinical_summary", "outcome")
ITEM_FIELDS = (
    "request",
    "original_request",
    "authorized",
    "outcome",
    "category",
    "subcategory",
    "service",
    "body_regions",
    "quantity",
    "claims_administrator",
    "reviewer",
    "rationale",
)
GOALS = {"category": 0.97, "subcategory": 0.97, "service": 0.97, "citations": 0.97}


@cache
def scores() -> tuple[dict[str, float], float, int]:
    right, seen = Counter(), Counter()
    items = 0
    for label_path in LABELS:
        label = json.loads(label_path.read_text(encoding="utf-8"))
        pdf = ASSETS / "real" / label_path.name.replace(".expected.json", ".pdf")
        parsed = parse_letter(pdf.read_bytes(), pdf.name)
        for field in LETTER_FIELDS:
            seen[field] += 1
            right[field] += parsed.get(field) == label.get(field)
        seen["items"] += 1
        right["items"] += len(parsed["items"]) == len(label["items"])
        for got, want in zip(parsed["items"], label["items"], strict=False):
            items += 1
            for field in ITEM_FIELDS:
                seen[field] += 1
                right[field] += got.get(field) == want.get(field)
            for side in ("claims_administrator", "reviewer"):
                seen["citations"] += 1
                right["citations"] += got[side]["citations"] == want[side]["citations"]
    accuracy = {field: right[field] / seen[field] for field in seen}
    overall = sum(right.values()) / sum(seen.values())
    return accuracy, overall, items


def test_the_labelled_set_is_there():
    assert len(LABELS) == 54
    assert all(
        (ASSETS / "real" / p.name.replace(".expected.json", ".pdf")).exists() for p in LABELS
    )


@pytest.mark.parametrize("field", sorted(GOALS))
def test_each_classification_field_meets_its_goal_on_the_labelled_set(field):
    accuracy, _, _ = scores()
    assert accuracy[field] >= GOALS[field], f"{field}: {accuracy[field]:.3f}"


def test_the_parse_meets_its_overall_goal_on_the_labelled_set():
    accuracy, overall, _ = scores()
    assert overall >= 0.99, (overall, accuracy)
    assert accuracy["items"] == 1.0
