"""The hand-labelled decisive reasons (issue 19): the file's shape, not the extractor's score.

The labels are the gold set the reason extractor is measured against, so they must stay
trustworthy on their own: every code from the fixed vocabulary, every evidence sentence copied
verbatim from the item's rationale, every item of the published letters labelled once, and each
letter wholly in one split. The guide is docs/labelling/reasons-guide.md.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

from .test_reasons import VOCABULARY

ASSETS = Path(__file__).parent / "assets" / "letters"
LABELS = ASSETS / "reasons" / "labels.json"
CODES = set(VOCABULARY)
# Where each source's expected parse (with the items' rationales) lives.
EXPECTED = {
    "labelled": ASSETS / "labelled",
    "real": ASSETS / "real",
    "sample": ASSETS,
}
# Every item of the published letters (60 PDFs and 5 samples) is labelled: 125 in all. Issue 19
# asks for 150; the published letters hold no more, so the floor is all of them.
MIN_ITEMS = 125


@cache
def labels() -> list[dict]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


@cache
def expected_items(source: str, letter: str) -> dict[int, dict]:
    path = EXPECTED[source] / f"{letter}.expected.json"
    return {item["number"]: item for item in json.loads(path.read_text(encoding="utf-8"))["items"]}


def test_every_published_item_is_labelled_once():
    keys = [(label["letter"], label["item"]) for label in labels()]
    assert len(keys) == len(set(keys))
    assert len(keys) >= MIN_ITEMS
    letters = {(label["source"], label["letter"]) for label in labels()}
    available = {
        (source, letter, number)
        for source, letter in letters
        for number in expected_items(source, letter)
    }
    assert available == {(label["source"], label["letter"], label["item"]) for label in labels()}


def test_splits_are_whole_letters():
    splits = defaultdict(set)
    for label in labels():
        assert label["split"] in {"dev", "test"}
        splits[label["letter"]].add(label["split"])
    assert all(len(found) == 1 for found in splits.values())
    assert {next(iter(found)) for found in splits.values()} == {"dev", "test"}


@pytest.mark.parametrize("label", labels(), ids=lambda label: f"{label['letter']}#{label['item']}")
def test_label_matches_its_item(label):
    assert set(label) <= {
        "letter",
        "source",
        "item",
        "outcome",
        "request",
        "split",
        "reasons",
        "note",
    }
    item = expected_items(label["source"], label["letter"])[label["item"]]
    assert label["outcome"] == item["outcome"] in {"upheld", "overturned"}
    assert label["request"] == item["request"]
    codes = [reason["code"] for reason in label["reasons"]]
    assert set(codes) <= CODES
    assert len(codes) == len(set(codes)), "one evidence sentence per code"
    for reason in label["reasons"]:
        assert set(reason) == {"code", "evidence"}
        assert reason["evidence"] and reason["evidence"] in item["rationale"]
