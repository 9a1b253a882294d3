"""Table tests for the reason rules (determinations/parsing/reasons.py, issue 19).

Each code has sentences that must give it and look-alikes that must not (negations, guideline
text, the other outcome). The sentences are written for these tests, in the letters' wording;
the measured scores on the hand-labelled letters are in tests/test_reasons_labelled.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from determinations.parsing import parse_letter
from determinations.parsing.reasons import (
    CODES,
    MAX_RATIONALE_CHARS,
    RULES,
    item_reasons,
    sentences,
)

U, O = "upheld", "overturned"  # noqa: E741 (the table reads better)
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "determinations" / "parsing" / "schema.json").read_text()
)
VOCABULARY = (
    "functional_improvement_not_documented",
    "conservative_care_not_documented",
    "exceeds_guideline_limit",
    "not_recommended",
    "indication_not_documented",
    "monitoring_not_documented",
    "compound_ingredient_not_recommended",
    "associated_request_not_certified",
    "criteria_met",
    "improvement_documented",
    "prior_care_failed",
)


@pytest.fixture(autouse=True)
def _media_root():
    """Shadows tests/conftest.py's Django fixture: the parser needs no settings or database."""


def codes(rationale: str, outcome: str) -> list[str]:
    return [reason["code"] for reason in item_reasons(rationale, outcome)]


# (code, outcome, sentence that gives it)
GIVES = [
    (
        "functional_improvement_not_documented",
        U,
        "There is no documentation of objective functional improvement with prior sessions.",
    ),
    (
        "functional_improvement_not_documented",
        U,
        "Functional improvement from the prior acupuncture has not been documented.",
    ),
    (
        "functional_improvement_not_documented",
        U,
        "In this case, the claimant had been using NSAIDS for several months without mention of"
        " pain or functional improvement due to its use.",
    ),
    (
        "functional_improvement_not_documented",
        U,
        "There is no evidence of at least 30% pain relief in terms of VAS with the medication.",
    ),
    (
        "conservative_care_not_documented",
        U,
        "Moreover, there is no evidence of failed first line therapy.",
    ),
    (
        "conservative_care_not_documented",
        U,
        "There is no documentation of a trial and failure of antidepressants and anticonvulsants.",
    ),
    (
        "conservative_care_not_documented",
        U,
        "The patient has not tried conservative treatment such as physical therapy.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "The request for 12 sessions exceeds the guideline recommendation of 10 visits.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "The patient has already completed 24 sessions of physical therapy, more than the"
        " guidelines recommend.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "This medication is not indicated for long term use.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "The submitted documentation did not provide any exceptional factors to support additional"
        " chiropractic treatment beyond guideline recommendations.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "However, 8 initial sessions are not medically appropriate and there is no provision to"
        " modify the request.",
    ),
    # a sentence about the request applies the guideline, though it names no patient (1.9.1)
    (
        "exceeds_guideline_limit",
        U,
        "The initial treatment request exceeds the recommendation of an initial trial of 6 visits.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "Although an initial trial of physical therapy would be appropriate, the original amount"
        " of 12 sessions requested exceeds guideline recommendations for an initial trial.",
    ),
    (
        "exceeds_guideline_limit",
        U,
        "Although additional physical therapy may be appropriate, the originally requested 6"
        " additional sessions of physical therapy is in excess of the guidelines.",
    ),
    (
        "not_recommended",
        U,
        "According to California MTUS 2016 Chronic Pain Guidelines, pulsed ultrasound is not"
        " recommended.",
    ),
    ("not_recommended", U, "Guidelines do not support the use of topical lidocaine."),
    # the record's evidence of efficacy (1.9.1; the literature's would veto it)
    (
        "functional_improvement_not_documented",
        U,
        "The quantity of medication requested cannot be deemed medically necessary without further"
        " evidence of efficacy/benefit outweighing the potential risks of long-term treatment.",
    ),
    (
        "conservative_care_not_documented",
        U,
        "Given the chronicity of pain, with lack of objective evidence to support failure of other"
        " conservative modalities or first-line medications, the quantity is not supported.",
    ),
    (
        "not_recommended",
        U,
        "Guidelines do not support the use of SSEPs for a suspected diagnosis of radiculopathy.",
    ),
    (
        "not_recommended",
        U,
        "Additionally, muscle relaxants in topical form are not supported by the guidelines.",
    ),
    ("not_recommended", U, "Ketoprofen is not currently FDA approved for topical application."),
    ("not_recommended", U, "The ODG states that this treatment remains under study."),
    (
        "indication_not_documented",
        U,
        "In this case, there is no documentation of tissue insult, nerve impairment, or other red"
        " flags that would warrant a lumbar MRI at this time.",
    ),
    (
        "indication_not_documented",
        U,
        "The records provided did not specify progression of neurological deficits in this"
        " patient.",
    ),
    (
        "indication_not_documented",
        U,
        "There was no clear rationale for the need of additional physical therapy.",
    ),
    (
        "indication_not_documented",
        U,
        "The documentation does not reveal that the patient's knee condition is due to"
        " osteoarthritis.",
    ),
    (
        "monitoring_not_documented",
        U,
        "There is no documentation of urine drug screens or a signed pain contract.",
    ),
    (
        "monitoring_not_documented",
        U,
        "Additionally, there is no indication the patient is being monitored for adverse side"
        " effects and aberrant drug taking behavior.",
    ),
    (
        "compound_ingredient_not_recommended",
        U,
        "Any compounded product that contains at least one drug (or drug class) that is not"
        " recommended is not recommended.",
    ),
    (
        "associated_request_not_certified",
        U,
        "As the requested surgical intervention is not medically necessary per the documentation,"
        " the requested ancillary service is not medically necessary.",
    ),
    (
        "associated_request_not_certified",
        U,
        "Since the surgery is not certified, the post-operative physical therapy is also not"
        " medically necessary.",
    ),
    (
        "criteria_met",
        O,
        "The treating physician does detail circumstances that would meet guidelines.",
    ),
    ("criteria_met", O, "The MTUS criteria for an epidural steroid injection have been met."),
    (
        "improvement_documented",
        O,
        "The patient reported 50% pain relief and improved function with the prior injection.",
    ),
    (
        "improvement_documented",
        O,
        "There is documentation of functional improvement.",
    ),
    (
        "prior_care_failed",
        O,
        "Patient has completed a trial of physical therapy with no improvement and has persistent"
        " pain despite conservative care.",
    ),
    (
        "prior_care_failed",
        O,
        "The patient has failed conservative care including physical therapy and NSAIDs.",
    ),
]

# (code, outcome, sentence that must NOT give it)
NOT = [
    # negations turned round
    (
        "functional_improvement_not_documented",
        U,
        "There is documentation of functional improvement.",
    ),
    (
        "functional_improvement_not_documented",
        U,
        "The patient reports 60% pain relief and improved function with the medication.",
    ),
    ("conservative_care_not_documented", U, "The patient has failed conservative care."),
    ("exceeds_guideline_limit", U, "The request does not exceed the guideline recommendation."),
    ("exceeds_guideline_limit", U, "The request is within the recommended number of visits."),
    ("monitoring_not_documented", U, "Urine drug screens have been consistent."),
    ("monitoring_not_documented", U, "The patient reports no side effects from the medication."),
    ("criteria_met", O, "The documentation does not meet the guideline criteria."),
    ("improvement_documented", O, "There is no documentation of functional improvement."),
    ("improvement_documented", O, "Continued use requires documented functional improvement."),
    ("prior_care_failed", O, "There is no documentation of failed conservative care."),
    # guideline text alone, not applied to the patient
    (
        "functional_improvement_not_documented",
        U,
        "The MTUS recommends continuing only with documentation of functional improvement.",
    ),
    ("exceeds_guideline_limit", U, "ODG recommends up to 10 visits over 8 weeks."),
    # a count, but the conclusion's "not medically necessary" (any reason may lie behind it)
    (
        "exceeds_guideline_limit",
        U,
        "Therefore, the 8 sessions are not medically necessary for this patient.",
    ),
    # a guideline's limit, no request in it: background
    ("exceeds_guideline_limit", U, "Guidelines state that treatment may exceed 6 visits."),
    # "not routinely recommended": recommended in some cases (1.9.1)
    (
        "not_recommended",
        U,
        "Repeat MRI is not routinely recommended, and should be reserved for a significant change"
        " in symptoms and/or findings suggestive of significant pathology.",
    ),
    # the standard topical analgesics text: "recommended as an option", "largely experimental"
    (
        "not_recommended",
        U,
        "The Official Disability Guidelines indicate that topical analgesics are largely"
        " experimental and are in use with few randomized controlled trials to determine efficacy"
        " or safety.",
    ),
    # a limit on the use the guideline supports, not "not at all"
    (
        "not_recommended",
        U,
        "The guidelines do not support the use of opioids beyond 16 weeks.",
    ),
    # the conclusion restating the decision is not a reason
    (
        "not_recommended",
        U,
        "Under these circumstances, the hospital bed for an unspecified rental is not supported by"
        " Guidelines and is not medically necessary.",
    ),
    # "further evidence of efficacy" is the record's, not the literature's (1.9.1)
    (
        "not_recommended",
        U,
        "The quantity of medication requested cannot be deemed medically necessary without further"
        " evidence of efficacy/benefit outweighing the potential risks of long-term treatment.",
    ),
    # missing failure of prior care is conservative care, not an indication (1.9.1)
    (
        "indication_not_documented",
        U,
        "Given the chronicity of pain, with lack of objective evidence to support failure of other"
        " conservative modalities or first-line medications, the quantity is not supported.",
    ),
    # a combination the letter does not say the patient takes: conditional (1.9.2)
    (
        "not_recommended",
        U,
        'These guidelines further stipulate that the "addition of cyclobenzaprine to other agents'
        ' is not recommended."',
    ),
    # the guideline's "routine" use: background when the reviewer rests on the indication
    (
        "not_recommended",
        U,
        "The MTUS Guidelines do not recommend the routine use of MRI with low back complaints.",
    ),
    (
        "not_recommended",
        U,
        "The guidelines recommend TENS only as an adjunct to a program of functional restoration"
        " and it is not recommended as a primary treatment modality.",
    ),
    (
        "not_recommended",
        U,
        "Opioids are not recommended unless there is ongoing review of pain relief.",
    ),
    (
        "functional_improvement_not_documented",
        U,
        "There is little evidence that active therapeutic ultrasound is more effective than"
        " placebo.",
    ),
    # the conclusion alone is not a reason
    (
        "indication_not_documented",
        U,
        "Therefore, the request for MRI of the lumbar spine is not medically necessary.",
    ),
    (
        "associated_request_not_certified",
        U,
        "Therefore, the request for physical therapy is not medically necessary.",
    ),
    # a reason of the other outcome
    ("functional_improvement_not_documented", O, "There is no documentation of improvement."),
    ("improvement_documented", U, "There is documentation of functional improvement."),
    ("criteria_met", U, "The MTUS criteria have been met."),
]


@pytest.mark.parametrize(("code", "outcome", "sentence"), GIVES, ids=lambda v: str(v)[:50])
def test_a_sentence_that_states_the_reason_gives_its_code(code, outcome, sentence):
    reasons = item_reasons(sentence, outcome)
    assert code in [r["code"] for r in reasons], reasons
    assert {r["code"]: r["evidence"] for r in reasons}[code] == sentence


@pytest.mark.parametrize(("code", "outcome", "sentence"), NOT, ids=lambda v: str(v)[:50])
def test_a_look_alike_does_not_give_the_code(code, outcome, sentence):
    assert code not in codes(sentence, outcome)


def test_every_code_of_the_vocabulary_has_one_rule_and_both_kinds_of_table_row():
    assert CODES == VOCABULARY
    assert [rule.code for rule in RULES] == list(VOCABULARY)
    assert {code for code, _, _ in GIVES} == set(VOCABULARY)
    schema_codes = SCHEMA["$defs"]["reason"]["properties"]["code"]["enum"]
    assert schema_codes == list(VOCABULARY)


def test_reasons_come_in_order_of_appearance_one_per_code_with_the_first_sentence():
    rationale = (
        "The ODG recommends up to 10 visits. The patient has already had 24 sessions, which"
        " exceeds this. There is no documentation of functional improvement. There is also no"
        " documentation of objective functional improvement from the last 6 visits. Therefore,"
        " the request is not medically necessary."
    )
    reasons = item_reasons(rationale, U)
    assert [r["code"] for r in reasons] == [
        "exceeds_guideline_limit",
        "functional_improvement_not_documented",
    ]
    assert reasons[1]["evidence"] == "There is no documentation of functional improvement."


def test_one_sentence_may_carry_two_codes():
    sentence = (
        "Within the documentation available for review, there are no recent MRI studies"
        " supporting a diagnosis of radiculopathy, and no documentation of failed conservative"
        " treatment."
    )
    assert set(codes(sentence, U)) == {
        "indication_not_documented",
        "conservative_care_not_documented",
    }


def test_a_form_of_the_treatment_not_requested_gives_no_code_a_requested_one_does():
    """The chiropractic guideline lists the forms it does not recommend; quoted for a request of
    plain manipulation, "under anesthesia" is another treatment (1.9.2)."""
    rationale = (
        "Manual therapy and manipulation is recommended for chronic pain if caused by"
        " musculoskeletal conditions. Manipulation under anesthesia is not recommended."
    )

    def found(request):
        return [r["code"] for r in item_reasons(rationale, U, request)]

    assert found("Spinal manipulation therapy 2 times a week for 4 weeks") == []
    assert found("Manipulation under anesthesia of the lumbar spine") == ["not_recommended"]
    assert found("Lumbar MUA x1") == ["not_recommended"]
    assert found(None) == ["not_recommended"]  # no request known: the sentence as it reads
    # a later sentence of the requested form still gives it
    later = rationale + " Chiropractic care for the ankle is not recommended."
    assert [r["evidence"] for r in item_reasons(later, U, "Chiropractic care, ankle")] == [
        "Chiropractic care for the ankle is not recommended."
    ]


def test_a_clause_break_ends_a_negation():
    sentence = (
        "The patient is not working, but there is documentation of functional"
        " improvement with the prior sessions."
    )
    assert "functional_improvement_not_documented" not in codes(sentence, U)


def test_an_overturned_item_with_no_stated_reason_gets_criteria_met_from_the_applying_sentence():
    rationale = (
        "The guidelines recommend epidural injections for radicular pain. The patient has"
        " radicular findings on examination. Therefore, the request is medically necessary."
    )
    assert item_reasons(rationale, O) == [
        {"code": "criteria_met", "evidence": "The patient has radicular findings on examination."}
    ]


def test_evidence_is_always_a_verbatim_substring_of_the_rationale():
    rationale = (
        "Per  the ODG, “opioids” are not recommended   for chronic non-malignant pain.  There is"
        " no documentation of a urine drug screen (UDS). Dr. Smith notes no functional"
        " improvement, e.g. no increase in ADLs."
    )
    reasons = item_reasons(rationale, U)
    assert len(reasons) >= 2
    for reason in reasons:
        assert reason["evidence"] in rationale
        assert reason["evidence"] == reason["evidence"].strip()


def test_sentences_split_at_full_stops_not_at_abbreviations_or_decimals():
    text = "See e.g. the ODG. Dr. Smith prescribed 2.5 mg. Next (p. 9) too. Done!"
    spans = sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "See e.g. the ODG.",
        "Dr. Smith prescribed 2.5 mg.",
        "Next (p. 9) too.",
        "Done!",
    ]


JUNK = [
    None,
    "",
    " ",
    42,
    b"bytes",
    ["a list"],
    "no",
    ".....",
    "\x00\x01\x02 not documented \ufffe",
    "no " * 50_000,
    "There is no documentation of " + "functional improvement " * 20_000,
    ("not documented. " * 10_000),
    "(" * 10_000 + "no evidence of improvement" + ")" * 10_000,
    "a" * 2_000_000,
]


@pytest.mark.parametrize("rationale", JUNK, ids=lambda v: repr(v)[:30])
@pytest.mark.parametrize("outcome", [U, O, None, "partially overturned", 3])
def test_it_never_raises_and_returns_the_contracts_shape(rationale, outcome):
    reasons = item_reasons(rationale, outcome)
    assert isinstance(reasons, list)
    for reason in reasons:
        assert set(reason) == {"code", "evidence"}
        assert reason["code"] in VOCABULARY
        assert isinstance(rationale, str) and reason["evidence"] in rationale


def test_huge_or_hostile_rationales_take_bounded_time():
    hostile = [
        "There is no documentation of " * 5_000,
        "not " * 100_000,
        ("without documentation lack of absence of no " * 2_000) + "functional improvement.",
        "x" * 5_000_000,
        "The patient. " * 50_000,
    ]
    for rationale in hostile:
        start = time.perf_counter()
        for outcome in (U, O):
            item_reasons(rationale, outcome)
        assert time.perf_counter() - start < 2.0, rationale[:40]


def test_only_the_first_max_rationale_chars_are_read():
    padding = "The patient was seen. " * (MAX_RATIONALE_CHARS // 20)
    late = padding + "There is no documentation of functional improvement."
    assert len(padding) > MAX_RATIONALE_CHARS
    assert codes(late, U) == []


def test_every_parsed_item_has_reasons_whose_evidence_is_in_its_rationale():
    asset = Path(__file__).parent / "assets" / "letters" / "000_86ba345343cd3771.txt"
    result = parse_letter(asset.read_bytes(), asset.name)
    assert result["items"]
    for item in result["items"]:
        assert list(item)[-1] == "reasons"
        for reason in item["reasons"]:
            assert reason["code"] in VOCABULARY
            assert reason["evidence"] in item["rationale"]
    assert any(item["reasons"] for item in result["items"])
