"""The same product or service, named alike, is classified alike in every letter (issue 15).

What was requested decides (contract letters.md 4.1/4.2; docs/parsing.md, "How a request is
read"): the request's own words name the test, the device, the drug or the procedure, and the
rationale and the cited guidelines decide only when the request names nothing. So an item's
(category, subcategory, service) must not depend on the letter it is in, except where the
contract itself makes it depend on the letter (adjunct surgical services, see bench/consistency).
"""

from __future__ import annotations

import itertools
import re
from functools import cache

import pytest

from bench import consistency
from determinations.parsing.vocab.classify import classify_item

GENERATED = 2000  # letters of bench/corpus.py, fixed seed: ~5 s of parsing on one core
SEED = 15


@pytest.fixture(autouse=True)
def _media_root():
    """No Django here: overrides the conftest's fixture that sets MEDIA_ROOT."""


@cache
def _published() -> list[tuple[str, dict]]:
    return list(consistency.published_letters())


def _show(bad: dict) -> str:
    lines = []
    for key, members in sorted(bad.items()):
        lines.append(key)
        lines += sorted(
            {f"    {triple} <- {request!r} [{name}]" for triple, request, name in members}
        )
    return "\n".join(lines)


def test_every_named_product_or_service_has_one_classification_across_the_letters():
    letters = _published() + list(consistency.generated_letters(GENERATED, SEED))
    grouped = consistency.groups(letters)
    shared = [key for key, members in grouped.items() if len({m[2] for m in members}) > 1]
    assert len(shared) > 150, "too few names seen in several letters for the check to mean much"
    bad = consistency.inconsistencies(grouped)
    assert not bad, _show(bad)


_COURSE_RE = re.compile(r"\d\s*(?:x|times)\s*\d|\bx\s*\d|\bsessions?\b|\bvisits\b|\ba week\b")


def _course_left_open(request: str) -> bool:
    """ "Physical exam 2 times 8": the contract makes it a treatment the request does not name, so
    the citations say which (tests/test_vocab_classify.py, the course-of-treatment rule)."""
    return classify_item(request)[0] == "Evaluation & Management" and bool(
        _COURSE_RE.search(request.lower())
    )


def test_a_published_request_keeps_its_classification_with_any_other_letters_rationale():
    items = [
        (item, [i["request"] for i in parsed["items"]])
        for _, parsed in _published()
        for item in parsed["items"]
    ]
    contexts = {
        (item.get("rationale") or "", repr(item["reviewer"]["citations"])) for item, _ in items
    }
    citations = {
        repr(item["reviewer"]["citations"]): item["reviewer"]["citations"] for item, _ in items
    }
    assert len(items) > 100
    changed = []
    for item, requests in items:
        if _course_left_open(item["request"] or item.get("original_request") or ""):
            continue
        seen = {
            classify_item(
                item["request"],
                original_request=item.get("original_request"),
                rationale=rationale,
                reviewer_citations=citations[cited],
                letter_requests=requests,
            )
            for rationale, cited in contexts
        }
        if len(seen) > 1:
            changed.append((item["request"], sorted(seen, key=repr)))
    assert not changed, changed


# --- compounded products: one rule -------------------------------------------------------------
# Wordings of compounded creams in the published letters (tests/assets/letters/real and the
# 2013-2017 letters quoted in tests/test_vocab_classify.py).
PLAIN = (
    "{slash} cream",
    "{strengths} cream 240g",
    "{slash}",
    "Retrospective request for {slash} (DOS 3/4/14)",
    "{strengths} 180gm",
    "Topical {slash}",
    "{commas} cream",
    "{plus} cream",
)
COMPOUNDED = (
    "Compound {slash}",
    "{commas} in cream base",
    "Retrospective request for {slash} compound cream (DOS 3/4/14)",
    "Compound: {commas_strengths}",
    "{strengths} in Lipoderm base",
)
INGREDIENTS = re.findall(
    r"\w+",
    "flurbiprofen cyclobenzaprine lidocaine gabapentin ketoprofen tramadol amitriptyline baclofen "
    "capsaicin menthol camphor bupivacaine",
)
# Fixed combinations of the drug table (commercial products): they stay that product.
COMMERCIAL = {frozenset(("lidocaine", "menthol")): ("Topical Analgesics", "lidocaine/menthol")}


def _wordings(names: tuple[str, ...], forms: tuple[str, ...]) -> list[str]:
    caps = [n.capitalize() for n in names]
    with_strength = [f"{n} {5 * k}%" for k, n in enumerate(caps, 1)]
    fields = {
        "slash": "/".join(caps),
        "strengths": "/".join(with_strength),
        "commas": ", ".join(caps),
        "commas_strengths": ", ".join(with_strength),
        "plus": " + ".join(caps),
    }
    return [form.format(**fields) for form in forms]


COMBINATIONS = list(itertools.permutations(INGREDIENTS, 2)) + list(
    itertools.permutations(INGREDIENTS[:5], 3)
)


@pytest.mark.parametrize("names", COMBINATIONS, ids="/".join)
def test_a_compound_is_topical_compounds_with_its_ingredients_in_the_order_written(names):
    compounded = {classify_item(text) for text in _wordings(names, COMPOUNDED)}
    assert compounded == {("Pharmaceuticals", "Topical Compounds", "/".join(names))}
    plain = {classify_item(text) for text in _wordings(names, PLAIN)}
    subcategory, service = COMMERCIAL.get(frozenset(names), ("Topical Compounds", "/".join(names)))
    assert plain == {("Pharmaceuticals", subcategory, service)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a fixed combination written as its ingredients is that product, strengths or not
        ("Lidocaine 2.5%/Prilocaine 2.5% cream", ("Topical Analgesics", "lidocaine/prilocaine")),
        ("Lidocaine/Prilocaine cream", ("Topical Analgesics", "lidocaine/prilocaine")),
        ("Hydrocodone 10mg/APAP 325mg #60", ("Opioids", "hydrocodone/acetaminophen")),
        # a compounded kit's ingredients in another order are written as the request has them
        (
            "Cyclobenzaprine/Flurbiprofen 180gm",
            ("Topical Compounds", "cyclobenzaprine/flurbiprofen"),
        ),
        ("Fluriflex cream 180gm", ("Topical Compounds", "flurbiprofen/cyclobenzaprine")),
        # separate drugs by a systemic route are not one compounded product
        ("Norco 10/325mg/Soma 350mg", ("Opioids", "hydrocodone/acetaminophen")),
        ("Toradol/B12 injection", ("NSAID", "ketorolac")),
    ],
)
def test_several_ingredients_follow_one_rule(text, expected):
    assert classify_item(text) == ("Pharmaceuticals", *expected)


# --- tests and devices: classified by the request ----------------------------------------------
# Rationales and citations as the published letters word them, each about a drug or a therapy.
OTHER_CONTEXTS = [
    (
        "MTUS recommends ongoing review of opioid use. Therefore, the request for Norco 10/325mg "
        "#60 is not medically necessary.",
        [{"source": "MTUS", "section": "Opioids, criteria for use"}],
    ),
    (
        "The California MTUS 2016 Chronic Pain Guidelines recommend up to 10 visits of physical "
        "therapy. Therefore, the request for physical therapy x12 is not medically necessary.",
        [{"source": "MTUS", "section": "Physical Medicine"}],
    ),
    (
        "Regarding the request for Gabapentin 600mg #90, anti-epilepsy drugs are recommended for "
        "neuropathic pain. The request for Gabapentin 600mg #90 is medically necessary.",
        [{"source": "ODG", "document": "Pain", "section": "Anti-epilepsy drugs (AEDs)"}],
    ),
    ("", [{"source": "MTUS", "section": "Topical Analgesics"}]),
    ("", []),
]


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("Urine drug screen", ("Diagnostic Testing", "Lab & Pathology", "Urine drug screen")),
        ("Urine test", ("Diagnostic Testing", "Lab & Pathology", None)),
        (
            "Retrospective urine testing (DOS 6/1/15)",
            ("Diagnostic Testing", "Lab & Pathology", None),
        ),
        (
            "Genetic testing for opioid metabolism",
            ("Diagnostic Testing", "Lab & Pathology", "Laboratory tests"),
        ),
        (
            "EMG/NCV of the bilateral upper extremities",
            ("Diagnostic Testing", "EMG/NCV/NCS", "EMG/NCS"),
        ),
        ("Sleep study", ("Diagnostic Testing", "Other Diagnostic Tests", "Sleep study")),
        ("TENS unit purchase", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
        ("TENS unit to decrease Norco use", ("DMEPOS", "Electrical Stimulation", "TENS unit")),
        (
            "H-wave device 30 day home trial after failed physical therapy",
            ("DMEPOS", "Electrical Stimulation", "H-wave unit"),
        ),
        (
            "Interferential unit rental, failed chiropractic",
            ("DMEPOS", "Electrical Stimulation", "Interferential unit"),
        ),
        ("Cold therapy unit 7 day rental", ("DMEPOS", "DME", "Cold therapy unit")),
        ("Omron stimulator device", ("DMEPOS", "DME", None)),
        ("Hot tub", ("Other", "Other", None)),
        (
            "Functional capacity evaluation prior to functional restoration program",
            ("Diagnostic Testing", "Other Diagnostic Tests", "Functional capacity evaluation"),
        ),
        ("MRI with transportation", ("Diagnostic Testing", "Imaging/Radiology", "MRI")),
    ],
)
def test_a_test_or_device_is_classified_by_the_request_not_by_its_rationale(request_text, expected):
    for rationale, citations in OTHER_CONTEXTS:
        got = classify_item(request_text, rationale=rationale, reviewer_citations=citations)
        assert got == expected, (rationale[:60], citations)


def test_only_a_vague_request_borrows_from_the_rationale():
    rationale, citations = OTHER_CONTEXTS[0]
    got = classify_item(
        "Retrospective request for DOS 1/1/14", rationale=rationale, reviewer_citations=citations
    )
    assert got == ("Pharmaceuticals", "Opioids", "hydrocodone/acetaminophen")
    got = classify_item("Medical clearance", rationale=rationale, reviewer_citations=citations)
    assert got == ("Surgery", "Adjunct Surgical Services", None)
