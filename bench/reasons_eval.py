"""Score the parser's reasons against the hand labels: per-code precision, recall and support.

    .venv/bin/python bench/reasons_eval.py [LABELS] [--show dev|test|all]

LABELS defaults to tests/assets/letters/reasons/labels.json (a list of {"letter", "source",
"item", "outcome", "request", "split", "reasons": [{"code", "evidence"}]}). Each item's rationale
comes from its letter's expected parse (labelled/*.expected.json, *.expected.json, or
real/*.expected.json), else from parsing real/<letter>.pdf, and the parser's reasons are
``item_reasons(rationale, outcome, request)``, the function the parser runs. A code counts as
found when it is in both the labels and the parser's reasons of the same item (one per item);
whether the two chose the same evidence sentence is reported separately. Tables for dev, the test
split (held out until parser 1.9.1) and all. ``--show`` prints the disagreements of one split.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from determinations.parsing import parse_letter  # noqa: E402
from determinations.parsing.reasons import CODES, item_reasons  # noqa: E402

ASSETS = ROOT / "tests" / "assets" / "letters"
LABELS = ASSETS / "reasons" / "labels.json"
SPLITS = ("dev", "test", "all")


@cache
def _letter(letter: str, source: str) -> dict:
    """The letter's parse: its expected.json where there is one, else the PDF parsed now."""
    for path in (
        ASSETS / "labelled" / f"{letter}.expected.json",
        ASSETS / f"{letter}.expected.json",
        ASSETS / "real" / f"{letter}.expected.json",
    ):
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    pdf = ASSETS / "real" / f"{letter}.pdf"
    return parse_letter(pdf.read_bytes(), pdf.name)


def rationale_of(label: dict) -> tuple[str, str, str]:
    """(rationale, outcome, request) of a labelled item, as the parser reads them."""
    item = _letter(label["letter"], label.get("source", ""))["items"][label["item"] - 1]
    return item["rationale"] or "", item["outcome"], item["request"] or ""


@dataclass
class Score:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    same_evidence: Counter = field(default_factory=Counter)
    items: int = 0
    misses: list = field(default_factory=list)

    def precision(self, code: str) -> float | None:
        found = self.tp[code] + self.fp[code]
        return self.tp[code] / found if found else None

    def recall(self, code: str) -> float | None:
        support = self.support(code)
        return self.tp[code] / support if support else None

    def support(self, code: str) -> int:
        return self.tp[code] + self.fn[code]


def score(labels: list[dict]) -> dict[str, Score]:
    """Per split (dev, test, all): the code-level counts over the labelled items."""
    scores = {split: Score() for split in SPLITS}
    for label in labels:
        rationale, outcome, request = rationale_of(label)
        got = {r["code"]: r["evidence"] for r in item_reasons(rationale, outcome, request)}
        want = {r["code"]: r["evidence"] for r in label["reasons"]}
        for split in (label["split"], "all"):
            s = scores[split]
            s.items += 1
            for code in got.keys() | want.keys():
                if code in got and code in want:
                    s.tp[code] += 1
                    s.same_evidence[code] += got[code] == want[code]
                elif code in got:
                    s.fp[code] += 1
                else:
                    s.fn[code] += 1
            if got.keys() != want.keys() and split != "all":
                s.misses.append((label, rationale, got, want))
    return scores


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def table(s: Score, title: str) -> str:
    lines = [
        f"{title}: {s.items} items",
        "| code | precision | recall | support | found | same evidence |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for code in CODES:
        lines.append(
            f"| `{code}` | {_fmt(s.precision(code))} | {_fmt(s.recall(code))} "
            f"| {s.support(code)} | {s.tp[code] + s.fp[code]} "
            f"| {s.same_evidence[code]}/{s.tp[code]} |"
        )
    tp, fp, fn = (sum(c.values()) for c in (s.tp, s.fp, s.fn))
    micro_p = tp / (tp + fp) if tp + fp else None
    micro_r = tp / (tp + fn) if tp + fn else None
    lines.append(
        f"| all codes (micro) | {_fmt(micro_p)} | {_fmt(micro_r)} | {tp + fn} | {tp + fp} "
        f"| {sum(s.same_evidence.values())}/{tp} |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", nargs="?", default=str(LABELS))
    parser.add_argument("--show", choices=("dev", "test"), help="print that split's misses")
    args = parser.parse_args()
    labels = json.loads(Path(args.labels).read_text(encoding="utf-8"))
    scores = score(labels)
    titles = {"dev": "dev", "test": "test (held out until parser 1.9.1)", "all": "all"}
    print("\n\n".join(table(scores[split], titles[split]) for split in SPLITS))
    if args.show:
        for label, rationale, got, want in scores[args.show].misses:
            print(
                f"\n--- {label['letter']} item {label['item']} ({label['outcome']}): "
                f"{label['request']}"
            )
            print(rationale)
            for code in sorted(got.keys() | want.keys()):
                mark = "ok" if code in got and code in want else ("FP" if code in got else "FN")
                print(f"  {mark} {code}: {got.get(code) or want.get(code)}")


if __name__ == "__main__":
    main()
