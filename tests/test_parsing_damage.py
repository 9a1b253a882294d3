"""Damaged letters: every item header stays an item, and the damage is a warning naming it.

A letter cut off, or whose labels were deleted or garbled (a bad scan, a broken extraction),
must never have one item's header swallowed into another item's text: that would be a silent
merge, counted wrong everywhere. The fuzz cuts and damages real letters (the repository's text
letters and labelled PDFs) and checks it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from determinations.parsing import parse_text
from determinations.parsing.extract import extract_text

ASSETS = Path(__file__).parent / "assets" / "letters"
SOURCES = sorted(ASSETS.glob("0*.txt")) + sorted(
    path.with_suffix("").with_suffix(".pdf") for path in (ASSETS / "real").glob("*.expected.json")
)
LABELS = ("Claims Administrator guideline:", "MAXIMUS guideline:", "Decision rationale:")
# Only an item's header carries an outcome after a colon: in any other field it was swallowed.
INNER_OUTCOME = re.compile(r":\s*(?:Upheld|Overturned)\b")


@functools.cache
def letter_text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8")
    return extract_text(path.read_bytes(), path.name).text


def swallowed(result: dict) -> list[str]:
    """The fields of ``result``'s items that hold another item's outcome."""
    found = []
    for item in result["items"]:
        fields = {
            "request": item["request"],
            "claims administrator basis": item["claims_administrator"]["basis"],
            "reviewer basis": item["reviewer"]["basis"],
            "rationale": item["rationale"],
        }
        for name, value in fields.items():
            if value and INNER_OUTCOME.search(value):
                found.append(f"item {item['number']} {name}: {value[:80]!r}")
    return found


def test_the_undamaged_letters_have_no_outcome_inside_an_items_text():
    for path in SOURCES:
        result = parse_text(letter_text(path))
        assert result["items"] and not swallowed(result), path.name
        assert not [w for w in result["warnings"] if "outcome" in w or "ends inside" in w]


@st.composite
def damaged(draw):
    path = draw(st.sampled_from(SOURCES))
    text = letter_text(path)
    for label in LABELS:  # delete or garble some of the labels' occurrences
        spans = [m.span() for m in re.finditer(re.escape(label), text)]
        kept, out = 0, []
        for start, end in spans:
            action = draw(st.sampled_from(["keep", "keep", "delete", "garble"]))
            out.append(text[kept:start])
            if action == "keep":
                out.append(text[start:end])
            elif action == "garble":
                cut = draw(st.integers(1, len(label) - 1))
                out.append(label[:cut] + draw(st.sampled_from(["", "#", "x", " "])))
            kept = end
        out.append(text[kept:])
        text = "".join(out)
    where = draw(st.floats(0.2, 1.0))  # cut the letter off somewhere in its second part
    return path.name, text[: int(len(text) * where)]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(damaged())
def test_no_outcome_line_is_ever_absorbed_into_another_items_text(case):
    name, text = case
    result = parse_text(text)
    assert not swallowed(result), name


def test_a_letter_cut_inside_its_second_item_keeps_it_with_a_warning():
    text = (
        "IMR ISSUES, DECISIONS AND RATIONALES\n"
        "The Final Determination was based on decisions for the disputed items/services set "
        "forth below:\n"
        "MRI of the lumbar spine:  Upheld\n"
        "Claims Administrator guideline: Decision based on MTUS.\n"
        "MAXIMUS guideline: Decision based on MTUS ACOEM.\n"
        "Decision rationale: The MRI is not medically necessary.\n"
        "Acupuncture 2 times a week for 4 weeks:  Upheld\n"
        "Claims Adminis"
    )
    result = parse_text(text)
    assert [item["request"] for item in result["items"]] == [
        "MRI of the lumbar spine",
        "Acupuncture 2 times a week for 4 weeks",
    ]
    assert result["items"][0]["rationale"] == "The MRI is not medically necessary."
    assert "item 2: no Decision rationale" in result["warnings"]
    assert "item 2: unexpected text before its guidelines: 'Claims Adminis'" in result["warnings"]


def test_a_letter_cut_inside_a_rationale_says_so():
    path = ASSETS / "000_86ba345343cd3771.txt"
    text = letter_text(path).rstrip()
    cut = text[: text.rstrip(".").rfind(" ")]  # the last sentence loses its end
    result = parse_text(cut)
    last = len(result["items"])
    assert f"item {last}: the letter ends inside its rationale (cut off?)" in result["warnings"]


def test_an_item_whose_labels_are_all_missing_is_still_an_item():
    path = ASSETS / "000_86ba345343cd3771.txt"
    text = letter_text(path)
    whole = parse_text(text)
    for label in LABELS:
        text = text.replace(label, "")
    damaged_result = parse_text(text)
    assert [i["request"] for i in damaged_result["items"]] == [i["request"] for i in whole["items"]]
    assert any("no Decision rationale" in w for w in damaged_result["warnings"])
