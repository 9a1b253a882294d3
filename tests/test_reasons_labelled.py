"""The hand-labelled reasons as a regression test of the reason rules (issue 19).

The labels (tests/assets/letters/reasons/labels.json, every item of the 65 published letters,
written blind to the rules; guide in docs/labelling/reasons-guide.md) are scored by
bench/reasons_eval.py: a code counts when it is in both the labels and the parser's reasons of the
same item. The rules were tuned on the dev split; the test split was held out until parser 1.9.1,
whose changes were read off its disagreements (docs/parsing.md), so it is no longer unseen. The
floors sit a little under the scores measured when they were set (docs/parsing.md, "Reasons"), so
a change that loses reasons fails here. The issue's goal (precision >= 0.90 and recall >= 0.80
for every reason with at least 10 labelled items) is stated per code, and marked xfail where the
rules do not reach it yet; strict, so a code that starts meeting it must lose its mark.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from bench.reasons_eval import score

LABELS = Path(
    os.environ.get(
        "REASON_LABELS", Path(__file__).parent / "assets" / "letters" / "reasons" / "labels.json"
    )
)
pytestmark = pytest.mark.skipif(
    not LABELS.exists(), reason=f"no reason labels at {LABELS} (branch h-reasonlabels)"
)

# (split, micro precision floor, micro recall floor); measured 1.00/0.97, 0.93/0.82, 0.98/0.92
MICRO_FLOORS = [("dev", 0.95, 0.95), ("test", 0.88, 0.78), ("all", 0.93, 0.89)]
# Per code over all 125 items (precision, recall), for the codes with >= 10 labelled items.
CODE_FLOORS = {
    "functional_improvement_not_documented": (0.88, 0.85),
    "conservative_care_not_documented": (0.95, 0.90),
    "exceeds_guideline_limit": (0.95, 0.90),
    "not_recommended": (0.95, 0.95),
    "indication_not_documented": (0.92, 0.82),
    "associated_request_not_certified": (0.95, 0.95),
    "criteria_met": (0.95, 0.95),
}
GOAL_PRECISION, GOAL_RECALL, GOAL_SUPPORT = 0.90, 0.80, 10
# The codes that miss the goal, and by how much (all 125 items; dev / test in brackets).
# None since parser 1.9.2 (not_recommended was 0.80: docs/parsing.md); kept for the next.
MISSES: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _media_root():
    """Shadows tests/conftest.py's Django fixture: the parser needs no settings or database."""


@cache
def scores():
    return score(json.loads(LABELS.read_text(encoding="utf-8")))


def _labelled_codes() -> list[str]:
    if not LABELS.exists():
        return []
    counts: dict[str, int] = {}
    for item in json.loads(LABELS.read_text(encoding="utf-8")):
        for code in {reason["code"] for reason in item["reasons"]}:
            counts[code] = counts.get(code, 0) + 1
    return sorted(code for code, count in counts.items() if count >= GOAL_SUPPORT)


@pytest.mark.parametrize(("split", "precision", "recall"), MICRO_FLOORS)
def test_the_reasons_keep_their_scores_on_each_split(split, precision, recall):
    s = scores()[split]
    tp, fp, fn = (sum(counter.values()) for counter in (s.tp, s.fp, s.fn))
    assert tp / (tp + fp) >= precision, (split, tp, fp)
    assert tp / (tp + fn) >= recall, (split, tp, fn)


@pytest.mark.parametrize("code", sorted(CODE_FLOORS))
def test_each_well_labelled_reason_keeps_its_scores(code):
    precision, recall = CODE_FLOORS[code]
    s = scores()["all"]
    assert s.precision(code) >= precision, (code, s.precision(code))
    assert s.recall(code) >= recall, (code, s.recall(code))


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(code, marks=pytest.mark.xfail(reason=MISSES[code], strict=True))
        if code in MISSES
        else code
        for code in _labelled_codes()
    ],
)
def test_each_reason_with_ten_labelled_items_meets_the_issues_goal(code):
    s = scores()["all"]
    assert s.support(code) >= GOAL_SUPPORT
    assert s.precision(code) >= GOAL_PRECISION, (code, s.precision(code))
    assert s.recall(code) >= GOAL_RECALL, (code, s.recall(code))


def test_the_floors_cover_every_code_with_ten_labelled_items():
    assert set(_labelled_codes()) == set(CODE_FLOORS)
