"""Which guideline documents the letters cite: the evidence for ``parsing/vocab/documents.py``.

    .venv/bin/python bench/guideline_census.py [PATH ...] [--raw]

Parses every letter (PDF or text) under the paths (default: the published and sample letters in
tests/assets/letters) and prints each (source, document) cited, with how many citations name it
(claims administrator's and reviewer's), most cited first within each source. ``--raw`` prints
the documents as the parser read them before the spelling table (``SPELLINGS``): spellings that
differ only there are the variants the table brings together.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from determinations.parsing import parse_letter  # noqa: E402
from determinations.parsing.vocab import citations as citations_module  # noqa: E402

ASSETS = ROOT / "tests" / "assets" / "letters"
SIDES = ("claims_administrator", "reviewer")


def letters(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        found += [f for f in files if f.suffix.lower() in (".pdf", ".txt")]
    return found


def census(paths: list[Path]) -> Counter[tuple[str, str | None, str]]:
    """(source, document, side) -> citations."""
    counts: Counter[tuple[str, str | None, str]] = Counter()
    for path in letters(paths):
        for item in parse_letter(path.read_bytes(), path.name)["items"]:
            for side in SIDES:
                for citation in item[side]["citations"]:
                    counts[(citation["source"], citation["document"], side)] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ASSETS])
    parser.add_argument("--raw", action="store_true", help="Documents before the spelling table.")
    args = parser.parse_args(argv)
    if args.raw:  # the parser without its last step, for this run only
        citations_module._spelled = lambda found: found
    counts = census(args.paths)
    by_document: Counter[tuple[str, str | None]] = Counter()
    for (source, document, _), n in counts.items():
        by_document[(source, document)] += n
    print(f"{'source':<11} {'cited':>5} {'CA':>4} {'rev':>4}  document")
    for (source, document), n in sorted(
        by_document.items(), key=lambda pair: (pair[0][0], -pair[1], str(pair[0][1]))
    ):
        ca = counts[(source, document, "claims_administrator")]
        reviewer = counts[(source, document, "reviewer")]
        print(f"{source:<11} {n:>5} {ca:>4} {reviewer:>4}  {document or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
