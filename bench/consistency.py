"""Classification consistency: the same product or service, named alike, classed alike.

    .venv/bin/python bench/consistency.py [--generated N] [--seed S]

Parses every published letter under tests/assets/letters (the PDFs and the text letters) and N
generated letters (bench/corpus.py, fixed seed), groups the items by a name taken from the
request (``name_key``: the drug or brand names as written, or the request's words with
dosage, counts, dates, sides and body parts stripped) and prints every group whose items do not
share one (category, subcategory, service). tests/test_classification_consistency.py asserts
there are none.

The key keeps what the contract itself decides on (letters.md section 4.1): a topical form, a
compound, a course of sessions, a device word, "Associated surgical service:" and pre-/post-op.
Items classed ``Adjunct Surgical Services`` because of another request in the same letter are
compared on their service only (the contract makes that category depend on the letter).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from determinations.parsing import parse_letter, parse_text  # noqa: E402
from determinations.parsing.vocab import drugs  # noqa: E402

ASSETS = ROOT / "tests" / "assets" / "letters"
ADJUNCT = "Adjunct Surgical Services"

_PREFIX_RE = re.compile(
    r"^\W*(?:(?:retro(?:spective)?|prospective|concurrent)\s*(?:review\s*)?(?:request(?:ed)?\s*"
    r"(?:for)?)?|decision for|request(?:ed)? for|the request for)\s*:?\s*"
)
_DATE_RE = re.compile(
    r"\(?\b(?:dos|date of service|dates of service)\b[^)]*\)?|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
_DOSE_RE = re.compile(
    r"#\s*\d+|\b\d+(?:\.\d+)?\s*(?:/\s*\d+(?:\.\d+)?\s*)?(?:mg|mcg|g|gm|gms|grams?|ml|iu|%|"
    r"units?|hr|h)?\b(?:/\s*(?:hr|h|ml|day))?|%"
)
_FILLER = frozenset(
    re.findall(
        r"\w+",
        """a an the of for to and with w x times per each day days daily week weeks wk month months
    year refill refills supply quantity qty tab tabs tablet tablets cap caps capsule capsules po
    bid tid qid qd qhs prn q hrs hour hours as needed by mouth orally one two three four five six
    seven eight nine ten twice once right left bilateral bilaterally lt rt r l
    dispense additional initial on in at or dos er xr sr cr ds hcl sodium""",
    )
)
_COURSE_RE = re.compile(
    r"\d\s*(?:x|times)\s*\d|\bx\s*\d|\btimes\s+\d|\bsessions?\b|\bvisits?\b|\btreatments?\b"
    r"|\b(?:once|twice|\d)\s*(?:times\s*)?(?:a|per|/)\s*(?:week|wk)\b|\bweekly\b"
)
_DEVICE_RE = re.compile(r"\b(?:units?|devices?|machines?|purchase|rental|rent|home|kit|trial)\b")
_TOPICAL_RE = re.compile(
    r"\b(?:creams?|gels?|lotions?|ointments?|patch(?:es)?|topical\w*|transdermal|liniment|balm"
    r"|roll[- ]?on|foam|pads?|plasters?|spray)\b|\d\s*%"
)
_COMPOUND_RE = re.compile(r"\bcompound\w*|\bbase\b|\blipoderm\b|\bversapro\b")
_ADJ_RE = re.compile(
    r"^\W*associated surgical services?\b|\b(?:pre|post|peri)[- ]?(?:op|operative\w*|surg\w*)\b"
    r"|\bpreop\b|\bpostop\b"
)
_WORD_RE = re.compile(r"[a-z][a-z0-9\-]*")


def _regions() -> frozenset[str]:
    words = """cervical thoracic lumbar lumbosacral spine spinal neck back low mid upper lower
    shoulder shoulders elbow elbows wrist wrists hand hands finger fingers thumb thumbs knee knees
    hip hips ankle ankles foot feet pelvis groin head arm arms leg legs forearm extremity
    extremities trapezius sacroiliac region area bue ble rue lue rle lle joint"""
    words = re.findall(r"\w+", words)
    return frozenset(words)


_REGION_WORDS = _regions()
_LEVEL_RE = re.compile(r"\b[clts]\d(?:\s*-\s*[clts]?\d)?\b")


def _drug_names(text: str) -> list[str]:
    """The drug and brand names written in ``text`` (the drug table's names, longest first)."""
    toks = drugs._tokens(text)
    names: list[str] = []
    i = 0
    while i < len(toks):
        for length in range(min(drugs._LONGEST, len(toks) - i), 0, -1):
            key = " ".join(toks[i : i + length])
            if key in drugs._NAMES:
                if key not in names:
                    names.append(key)
                i += length
                break
        else:
            i += 1
    return names


def name_key(request: str | None, original_request: str | None = None) -> str | None:
    """The product or service a request names, with dosage, counts, dates and body parts off."""
    text = " ".join((request or original_request or "").lower().split())
    if not text:
        return None
    marks = []
    if _ADJ_RE.search(text):
        marks.append("adjunct")
    text = _PREFIX_RE.sub("", text)
    text = _DATE_RE.sub(" ", text)
    names = _drug_names(text)
    if names:
        if _TOPICAL_RE.search(text):
            marks.append("topical")
        if _COMPOUND_RE.search(text):
            marks.append("compound")
        return "drug:" + " + ".join(names) + "".join(f" [{m}]" for m in marks)
    if _COURSE_RE.search(text):
        marks.append("course")
    if _DEVICE_RE.search(text):
        marks.append("device")
    text = _LEVEL_RE.sub(" ", _DOSE_RE.sub(" ", text))
    words = [w for w in _WORD_RE.findall(text) if w not in _FILLER and w not in _REGION_WORDS]
    if not words:
        return None
    return " ".join(words) + "".join(f" [{m}]" for m in marks)


def published_letters() -> Iterator[tuple[str, dict]]:
    """(name, parse) of every published letter in the repository: the PDFs and text letters."""
    for path in sorted((ASSETS / "real").glob("*.pdf")):
        yield path.name, parse_letter(path.read_bytes(), path.name)
    for path in sorted(ASSETS.glob("0*.txt")):
        yield path.name, parse_text(path.read_text(encoding="utf-8"))


def generated_letters(count: int, seed: int = 15) -> Iterator[tuple[str, dict]]:
    """(name, parse) of ``count`` letters of bench/corpus.py's generator, seed ``seed``."""
    from bench.corpus import Corpus

    corpus = Corpus(seed, total=count)
    for index in range(count):
        letter = corpus.letter(index)
        yield f"generated:{seed}:{index}", parse_text(corpus.render(letter))


def groups(letters: Iterable[tuple[str, dict]]) -> dict[str, list[tuple[tuple, str, str]]]:
    """Items by name key: (classification, request, letter name) of each."""
    out: dict[str, list[tuple[tuple, str, str]]] = defaultdict(list)
    for name, parsed in letters:
        for item in parsed.get("items") or ():
            key = name_key(item.get("request"), item.get("original_request"))
            if key is None:
                continue
            triple = (item.get("category"), item.get("subcategory"), item.get("service"))
            out[key].append((triple, item.get("request") or "", name))
    return out


def inconsistencies(
    grouped: dict[str, list[tuple[tuple, str, str]]],
) -> dict[str, list[tuple[tuple, str, str]]]:
    """Groups whose items disagree: on the whole triple, or (letter-context adjunct) the service."""
    bad = {}
    for key, members in grouped.items():
        own = {m[0] for m in members if m[0][1] != ADJUNCT or "[adjunct]" in key}
        services = {m[0][2] for m in members}
        if len(own) > 1 or (len(services) > 1 and "[adjunct]" not in key):
            bad[key] = members
    return bad


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--published-only", action="store_true")
    args = parser.parse_args(argv)
    letters = list(published_letters())
    n_published = len(letters)
    if not args.published_only:
        letters += list(generated_letters(args.generated, args.seed))
    grouped = groups(letters)
    bad = inconsistencies(grouped)
    items = sum(len(m) for m in grouped.values())
    generated = len(letters) - n_published
    print(f"{n_published} published + {generated} generated letters, {items} items")
    print(f"{len(grouped)} name groups, {len(bad)} inconsistent")
    for key, members in sorted(bad.items()):
        print(f"\n== {key}")
        seen = set()
        for triple, request, name in members:
            if (triple, request) in seen:
                continue
            seen.add((triple, request))
            print(f"   {triple}  <- {request!r}  [{name}]")


if __name__ == "__main__":
    main()
