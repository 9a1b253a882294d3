"""Tests for determinations.parsing (no Django, no database)."""

from __future__ import annotations

import importlib
import io
import json
import random
from pathlib import Path

import jsonschema
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from determinations.management.commands.parse_letter import run
from determinations.parsing import PARSER_VERSION, letter_outcome, parse_letter
from determinations.parsing.extract import (
    CORRUPT,
    EMPTY,
    ENCRYPTED,
    NO_TEXT_LAYER,
    NOT_A_LETTER,
    extract_text,
)
from determinations.parsing.header import parse_header
from determinations.parsing.text import clean_lines, unwrap

ASSETS = Path(__file__).parent / "assets" / "letters"
REAL = ASSETS / "real"
SCHEMA = json.loads(
    (Path(__file__).parents[1] / "determinations" / "parsing" / "schema.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXPECTED = sorted(ASSETS.glob("*.expected.json")) + sorted(REAL.glob("*.expected.json"))
PDFS = sorted(REAL.glob("*.pdf"))
TEXTS = sorted(ASSETS.glob("0*.txt"))
VOCAB_FIELDS = {"category", "subcategory", "service", "body_regions", "quantity", "citations"}
VOCAB_MODULES = ("classify", "regions", "quantity", "specialties", "citations")
# Fields the contract added after the worked examples were written (letters.md: "tools that check
# the contract compare the fields they know and ignore the rest"). The worked examples stay the
# contract's fields exactly; an added field must be on every item, after the known ones, and is
# checked by its own tests (reasons: tests/test_reasons.py and tests/test_reasons_labelled.py,
# against hand labels rather than against the parser's own output copied into these files).
ADDED_ITEM_FIELDS = ("reasons",)


def source_of(expected: Path) -> Path:
    stem = expected.name.removesuffix(".expected.json")
    for suffix in (".txt", ".pdf"):
        candidate = expected.with_name(stem + suffix)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(stem)


def parse(path: Path) -> dict:
    return parse_letter(path.read_bytes(), path.name)


def without_vocab(value):
    """Drop the fields the vocab normalisers fill, so structure is checked on its own."""
    if isinstance(value, dict):
        return {
            key: without_vocab(item)
            for key, item in value.items()
            if key not in VOCAB_FIELDS and key != "specialties"
        }
    if isinstance(value, list):
        return [without_vocab(item) for item in value]
    return value


def known_fields(got: dict, want: dict) -> dict:
    """``got`` without the item fields added since ``want`` was written, which must be there."""
    items = []
    for item in got["items"]:
        added = [key for key in item if key in ADDED_ITEM_FIELDS]
        assert added == list(ADDED_ITEM_FIELDS), f"item {item.get('number')}: {added}"
        assert list(item)[-len(added) :] == added, "added fields come after the contract's"
        items.append({key: value for key, value in item.items() if key not in ADDED_ITEM_FIELDS})
    assert all(key not in ADDED_ITEM_FIELDS for item in want["items"] for key in item)
    return {**got, "items": items}


def vocab_available() -> bool:
    for name in VOCAB_MODULES:
        try:
            importlib.import_module(f"determinations.parsing.vocab.{name}")
        except Exception:
            return False
    return True


def assert_valid(result: dict) -> None:
    """Schema-valid, and no exception was swallowed by parse_letter's last-resort handler."""
    errors = sorted(VALIDATOR.iter_errors(result), key=str)
    assert not errors, errors[0].message
    assert not any(error.startswith("internal parser error") for error in result["errors"])


@pytest.fixture(autouse=True)
def _media_root():
    """Shadows tests/conftest.py's Django fixture: the parser needs no settings or database."""


# --- worked examples --------------------------------------------------------------------------


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_it_reproduces_the_structure_of_every_worked_example(expected):
    want = json.loads(expected.read_text())
    got = known_fields(parse(source_of(expected)), want)
    assert without_vocab(got) == without_vocab(want)


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_it_reproduces_every_worked_example_exactly(expected):
    if not vocab_available():
        pytest.skip("vocab normalisers not installed yet")
    want = json.loads(expected.read_text())
    got = known_fields(parse(source_of(expected)), want)
    assert got == want
    assert list(got) == list(want)


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_it_keeps_the_contracts_key_order(expected):
    want = json.loads(expected.read_text())
    got = known_fields(parse(source_of(expected)), want)
    assert list(got) == list(want)
    for got_item, want_item in zip(got["items"], want["items"], strict=True):
        assert list(got_item) == list(want_item)


@pytest.mark.parametrize("path", PDFS + TEXTS, ids=lambda p: p.name)
def test_every_asset_letter_parses_without_errors_or_warnings(path):
    result = parse(path)
    assert result["errors"] == []
    assert result["warnings"] == []
    assert result["items"]
    assert_valid(result)


# --- facts read off the real letters ------------------------------------------------------------

# case number, item outcomes (u/o), first request, last request
FACTS = [
    ("CM16-0219557", "u", "Facet joint injections L4-5, L5-S1", None),
    ("CM16-0221706", "u", "Three months coverage of Viagra 50mg", None),
    (
        "CM16-0230548",
        "uo",
        "MRI of neck and right hand without contrast",
        "Acupuncture 3 times a week for 2 weeks, neck, right hand and head",
    ),
    (
        "CM16-0235991",
        "uo",
        "MRI (magnetic resonance imaging) of the cervical spine",
        "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities",
    ),
    ("CM16-0236380", "uuu", "Cervical CT scan", "TOC to ortho spine surgeon eval and treatment"),
    ("CM16-0237163", "u", "Cyclobenzaprine 7.5mg #60", None),
    ("CM16-0240434", "o", "MRI of the right knee without contrast", None),
    (
        "CM16-0245295",
        "uu",
        "Additional physical therapy lumbar spine two times a week for three weeks",
        "MRI of lumbar spine without contrast",
    ),
    ("CM16-0245796", "uu", "Salonpas pad #60", "Anecream cream 4% #30"),
    ("CM16-0248034", "o", "EMG/NCS of the bilateral upper extremities", None),
    ("CM16-0249170", "u", "Pantoprazole 40mg, one by mouth, twice a day #60 with one refill", None),
    (
        "CM17-0005344",
        "uuuu",
        "Re-exam with chiropractor for the lumbar spine flare-up",
        "Electrical Muscle Stimulation 2 times a week for 4 weeks",
    ),
    (
        "CM17-0005418",
        "uu",
        "Right L4 transforaminal epidural steroid injection under fluoroscopic guidance",
        "Right L5 transforaminal epidural steroid injection under fluoroscopic guidance",
    ),
    ("CM17-0005616", "u", "MRI of the right shoulder (1.5 Tesla Closed)", None),
    (
        "CM17-0006797",
        "uuuuu",
        "Right Shoulder Arthroscopy with rotator cuff repair vs debridement, "
        "subacromial decompression/acromioplasty and possible proximal biceps tenodynovitis",
        "Associated surgical service: Physical Therapy sessions, 12",
    ),
    (
        "CM17-0007886",
        "u",
        "Twelve physical therapy sessions, three times weekly, for the right elbow",
        None,
    ),
    ("CM17-0008551", "o", "Right shoulder MRI", None),
    ("CM17-0009996", "u", "Hospital bed for an unspecified rental", None),
    ("CM17-0010006", "uuuuuu", "MRI of the left knee", "NCV of the bilateral lower extremities, 2"),
    (
        "CM17-0010021",
        "uu",
        "Retrospective TENS unit, purchase, lumbar spine, left hip, lower leg, "
        "and knee (DOS 12/29/16)",
        "Retrospective E-stim (DOS 12/29/16)",
    ),
    (
        "CM17-0010885",
        "oo",
        "Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck",
        "Additional physical therapy, 1 to 2 times per week for 3 weeks, for the neck",
    ),
    ("CM17-0011543", "u", "NCS/EMG RUE", None),
    ("CM17-0014438", "uuuuuuu", "Synapryn (10mg/1ml oral suspension) 500ml", "Prilosec 20mg #90"),
    ("CM17-0015348", "o", "Physical therapy, 2 times a week for 4 weeks, right knee", None),
    ("CM17-0017693", "u", "MRI of the bilateral brain/brainstem without contrast", None),
    ("CM17-0019011", "o", "Naproxen 500mg #60", None),
    ("CM17-0019171", "u", "Meloxicam (Mobic) 7.5mg #30", None),
    ("CM17-0020243", "u", "Lumbar MRI scan", None),
]
OUTCOME_LETTER = {"u": "upheld", "o": "overturned"}


@pytest.mark.parametrize(("case", "outcomes", "first", "last"), FACTS, ids=[f[0] for f in FACTS])
def test_it_reads_the_items_of_real_letters(case, outcomes, first, last):
    result = parse(REAL / f"{case}.pdf")
    assert result["case_number"] == case
    assert [item["outcome"] for item in result["items"]] == [OUTCOME_LETTER[c] for c in outcomes]
    assert result["items"][0]["request"] == first
    if last is not None:
        assert result["items"][-1]["request"] == last
    assert [item["number"] for item in result["items"]] == list(range(1, len(outcomes) + 1))
    assert all(item["rationale"] for item in result["items"])
    assert all(item["claims_administrator"]["basis"] for item in result["items"])
    assert all(item["reviewer"]["basis"] for item in result["items"])


# (case, item number, request, original request, authorized)
MODIFIED = [
    (
        "CM16-0241231",
        1,
        "Three sessions of physical therapy of the right knee",
        "Nine sessions of physical therapy of the right knee",
        "Six sessions of physical therapy of the right knee",
    ),
    (
        "CM17-0007857",
        1,
        "Acupuncture for 2 sessions",
        "Acupuncture for 8 sessions",
        "Acupuncture for 6 sessions",
    ),
    (
        "CM17-0011703",
        5,
        "Acupuncture of the lumbar and cervical for two sessions",
        "Acupuncture of the lumbar and cervical for eight sessions",
        "Acupuncture of the lumbar and cervical for six sessions",
    ),
    (
        "CM17-0016311",
        2,
        "Two physical therapy sessions for the lumbar",
        "Eight physical therapy sessions for the lumbar",
        "Six physical therapy sessions for the lumbar",
    ),
    (
        "CM17-0002324",
        1,
        "physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow",
        "physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow",
        "2 sessions of occupational therapy",
    ),
]


@pytest.mark.parametrize(
    ("case", "number", "wanted", "original", "authorized"), MODIFIED, ids=[m[0] for m in MODIFIED]
)
def test_it_reads_modified_requests_in_both_wordings(case, number, wanted, original, authorized):
    item = parse(REAL / f"{case}.pdf")["items"][number - 1]
    assert (item["request"], item["original_request"], item["authorized"]) == (
        wanted,
        original,
        authorized,
    )


def test_it_reads_the_interleaved_two_column_header():
    lines = [
        "Case Number: CM16-0213037",
        "Date Assigned: 12/07/2016 Date of Injury: 10/23/2016",
        "Decision Date: 01/10/2017 UR Denial Date: 11/30/2016",
        "Priority: Standard Application",
        "Received:",
        "12/01/2016",
    ]
    assert parse_header(lines) == {
        "case_number": "CM16-0213037",
        "date_assigned": "2016-12-07",
        "date_of_injury": "2016-10-23",
        "decision_date": "2017-01-10",
        "ur_denial_date": "2016-11-30",
        "application_received": "2016-12-01",
        "priority": "standard",
    }


def test_it_pairs_header_labels_with_values_that_come_after_all_the_labels():
    lines = ["Date Assigned: Date of Injury:", "12/07/2016 10/23/2016", "Priority:", "Expedited"]
    header = parse_header(lines)
    assert header["date_assigned"] == "2016-12-07"
    assert header["date_of_injury"] == "2016-10-23"
    assert header["priority"] == "expedited"


# --- small letters built in the tests -----------------------------------------------------------

HOW = (
    "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
    "MAXIMUS Federal Services sent the complete case file to a physician reviewer. The physician\n"
    "reviewer is Board Certified in Orthopaedic Surgery and is licensed to practice in\n"
    "California.\n"
)
SUMMARY = (
    "CLINICAL CASE SUMMARY\n"
    "The expert reviewer developed the following clinical case summary based on a review of the\n"
    "case file, including all medical records:\n"
    "The injured worker is a 61 year old woman who was injured on 2/3/2014. She has\n"
    "neck pain.\n"
)
ISSUES = (
    "IMR ISSUES, DECISIONS AND RATIONALES\n"
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:\n"
)


def item(request: str, outcome: str = "Upheld", rationale: str = "Not necessary.") -> str:
    return (
        f"{request}: {outcome}\n"
        "Claims Administrator guideline: Decision based on MTUS Chronic Pain Medical Treatment\n"
        "2009.\n"
        "MAXIMUS guideline: Decision based on Non-\n"
        "MTUS Citation Official Disability Guidelines.\n"
        f"Decision rationale: {rationale}\n"
    )


def letter(*items: str) -> bytes:
    return (HOW + SUMMARY + ISSUES + "".join(items)).encode()


def test_it_splits_a_request_on_the_last_colon():
    result = parse_letter(letter(item("Pre-op labs: CBC"), item("Labs to include: EKG")))
    assert [i["request"] for i in result["items"]] == ["Pre-op labs: CBC", "Labs to include: EKG"]


def test_it_reads_an_outcome_word_standing_alone_on_the_next_line():
    text = letter(
        item("Cervical MRI"),
        "Lumbar MRI without\ncontrast:\nOverturned\n"
        "Claims Administrator guideline: x\nMAXIMUS guideline: y\n"
        "Decision rationale: z.\n",
    )
    result = parse_letter(text)
    assert [(i["request"], i["outcome"]) for i in result["items"]] == [
        ("Cervical MRI", "upheld"),
        ("Lumbar MRI without contrast", "overturned"),
    ]
    assert result["outcome"] == "partially overturned"
    assert result["items"][1]["rationale"] == "z."


def test_it_joins_a_wrapped_request_and_ends_the_previous_rationale_at_its_last_sentence():
    text = letter(
        item("Norco 10/325mg", rationale="The request is not\nmedically necessary."),
        item("Physical therapy 2 times a week for\n6 weeks, right shoulder", "Overturned"),
    )
    result = parse_letter(text)
    assert result["items"][0]["rationale"] == "The request is not medically necessary."
    assert (
        result["items"][1]["request"]
        == "Physical therapy 2 times a week for 6 weeks, right shoulder"
    )


def test_it_joins_hyphen_broken_words_without_a_space():
    result = parse_letter(letter(item("TENS unit")))
    assert result["items"][0]["reviewer"]["basis"] == (
        "Decision based on Non-MTUS Citation Official Disability Guidelines."
    )


def test_it_reads_a_modified_request_without_is_before_the_colon():
    request = (
        "Acupuncture x 8 was the original request. Acupuncture x 6 was authorized by the Claims\n"
        "Administrator. The remaining IMR eligible portion of the original request, Acupuncture x 2"
    )
    got = parse_letter(letter(item("Lumbar MRI"), item(request)))["items"][1]
    assert (got["request"], got["original_request"], got["authorized"]) == (
        "Acupuncture x 2",
        "Acupuncture x 8",
        "Acupuncture x 6",
    )


def test_it_reads_the_whole_original_request_wording():
    request = (
        "PT x 12 was the original request. The Claims Administrator authorized PT x 6, leaving\n"
        "the original request IMR eligible. The original request, PT x 12 is"
    )
    got = parse_letter(letter(item(request)))["items"][0]
    assert (got["request"], got["original_request"], got["authorized"]) == (
        "PT x 12",
        "PT x 12",
        "PT x 6",
    )


# Structural variants of extracted letters (review of the real PDFs, parser 1.1.0). Each text is
# a whole issues section after its intro; wanted: (request, outcome, rationale) per item.
_BODY = "Claims Administrator guideline: x.\nMAXIMUS guideline: y.\n"
VARIANTS = [
    (
        "a label wrapped after its first words",
        "Lumbar MRI: Upheld\n" + _BODY + "Decision rationale: Not necessary.\n"
        "EMG of the legs: Overturned\nClaims Administrator\nguideline: x.\nMAXIMUS\nguideline: y.\n"
        "Decision\nrationale: Necessary.\n",
        [
            ("Lumbar MRI", "upheld", "Not necessary."),
            ("EMG of the legs", "overturned", "Necessary."),
        ],
    ),
    (
        "a running head repeating the case number at a page break",
        "Lumbar MRI: Upheld\n" + _BODY + "Decision rationale: Not necessary.\n\n"
        "Case Number: CM16-0213037\n\nCervical MRI: Upheld\n"
        + _BODY
        + "Decision rationale: Not\n\nCM16-0213037\n\nnecessary.\n",
        [("Lumbar MRI", "upheld", "Not necessary."), ("Cervical MRI", "upheld", "Not necessary.")],
    ),
    (
        "a rationale that ends in its conclusion without a period",
        "Lumbar MRI: Upheld\n" + _BODY + "Decision rationale: There are no red flags. The request\n"
        "is not medically necessary\nPhysical therapy 2 times a week for\n4 weeks: Overturned\n"
        + _BODY
        + "Decision rationale: The request is medically necessary (ODG, 2016)\n"
        "Norco 10/325mg #60: Upheld\n" + _BODY + "Decision rationale: Not appropriate\n",
        [
            (
                "Lumbar MRI",
                "upheld",
                "There are no red flags. The request is not medically necessary",
            ),
            (
                "Physical therapy 2 times a week for 4 weeks",
                "overturned",
                "The request is medically necessary (ODG, 2016)",
            ),
            ("Norco 10/325mg #60", "upheld", "Not appropriate"),
        ],
    ),
    (
        "a wrapped request whose first line ends in a dosing abbreviation",
        "Lumbar MRI: Upheld\n" + _BODY + "Decision rationale: Not necessary.\n"
        "Tramadol 50mg one tablet p.o.\nevery 6 hours #60, qty.\n2: Upheld\n"
        + _BODY
        + "Decision rationale: Not necessary.\n",
        [
            ("Lumbar MRI", "upheld", "Not necessary."),
            ("Tramadol 50mg one tablet p.o. every 6 hours #60, qty. 2", "upheld", "Not necessary."),
        ],
    ),
    (
        "the first label run onto the outcome line",
        "Lumbar MRI: Upheld Claims Administrator guideline: x.\nMAXIMUS guideline: y.\n"
        "Decision rationale: Not necessary.\nCervical MRI: Overturned. Claims Administrator "
        "guideline: x.\nMAXIMUS guideline: y.\nDecision rationale: Necessary.\n",
        [("Lumbar MRI", "upheld", "Not necessary."), ("Cervical MRI", "overturned", "Necessary.")],
    ),
    (
        "a modified request without 'is' and its outcome word alone on the next line",
        "Acupuncture x 8 was the original request. Acupuncture x 6 was authorized by the Claims\n"
        "Administrator. The remaining IMR eligible portion of the original request, Acupuncture\n"
        "x 2:\nUpheld\n" + _BODY + "Decision rationale: Not necessary.\n",
        [("Acupuncture x 2", "upheld", "Not necessary.")],
    ),
    (
        "a request wrapped across a page break with a page number between",
        "Lumbar MRI: Upheld\n" + _BODY + "Decision rationale: Not necessary.\n"
        "Chiropractic treatment for the lumbar spine, left hip\n\n\nPage 3 of 5\n\n\n"
        "and knee, 12 visits: Upheld\n" + _BODY + "Decision rationale: Not necessary.\n",
        [
            ("Lumbar MRI", "upheld", "Not necessary."),
            (
                "Chiropractic treatment for the lumbar spine, left hip and knee, 12 visits",
                "upheld",
                "Not necessary.",
            ),
        ],
    ),
    (
        "double spacing, carriage returns and an upper-case outcome with a period",
        "Lumbar MRI : UPHELD. \r\n\r\n"
        + _BODY.replace("\n", " \r\n\r\n")
        + "Decision rationale: Not \r\n\r\n necessary. \r\n\r\n"
        "Right shoulder arthroscopy with\r\n\r\nsubacromial decompression:  Overturned \r\n\r\n"
        + _BODY.replace("\n", " \r\n\r\n")
        + "Decision rationale: Necessary.",
        [
            ("Lumbar MRI", "upheld", "Not necessary."),
            (
                "Right shoulder arthroscopy with subacromial decompression",
                "overturned",
                "Necessary.",
            ),
        ],
    ),
    (
        "a rationale whose last line closes a quotation",
        "Lumbar MRI: Upheld\n" + _BODY + 'Decision rationale: ODG says it is "not\nrecommended."\n'
        "Physical therapy for the\nright knee, 6 sessions: Upheld\n"
        + _BODY
        + "Decision rationale: Not necessary.\n",
        [
            ("Lumbar MRI", "upheld", 'ODG says it is "not recommended."'),
            ("Physical therapy for the right knee, 6 sessions", "upheld", "Not necessary."),
        ],
    ),
]


@pytest.mark.parametrize(("name", "issues", "wanted"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_it_reads_structural_variants_of_the_items(name, issues, wanted):
    result = parse_letter((HOW + SUMMARY + ISSUES + issues).encode())
    got = [(i["request"], i["outcome"], i["rationale"]) for i in result["items"]]
    assert got == wanted
    assert [i["claims_administrator"]["basis"] for i in result["items"]] == ["x."] * len(wanted)
    assert not result["warnings"]


def test_it_reads_prose_credentials_patient_and_date_of_injury_from_the_summary():
    result = parse_letter(letter(item("Lumbar MRI")))
    assert result["reviewer"]["role"] == "physician reviewer"
    assert result["reviewer"]["board_certified"] is True
    assert result["reviewer"]["licensure"] == ["California"]
    assert result["patient"] == {"age": 61, "sex": "female"}
    assert result["date_of_injury"] == "2014-02-03"
    assert result["clinical_summary"] == (
        "The injured worker is a 61 year old woman who was injured on 2/3/2014. She has neck pain."
    )


PROSE_CREDENTIALS = [
    (
        "is Board Certified in Orthopedic Surgery and Sports Medicine and is licensed to practice"
        " in California.",
        ["Orthopedic Surgery", "Sports Medicine"],
        True,
        ["California"],
    ),
    (
        "is Board Certified in Anesthesiology, has a subspecialty in Pain Medicine and is licensed"
        " to practice in California and Texas.",
        ["Anesthesiology", "Pain Management"],
        True,
        ["California", "Texas"],
    ),
    (
        "is licensed in Acupuncture and is licensed to practice in California.",
        ["Oriental Medicine"],
        None,
        ["California"],
    ),
    (
        "is a Chiropractor and is licensed to practice in California.",
        ["Chiropractic"],
        None,
        ["California"],
    ),
]


@pytest.mark.parametrize(("wording", "specialties", "board", "states"), PROSE_CREDENTIALS)
def test_it_reads_prose_credential_wordings(wording, specialties, board, states):
    how = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "MAXIMUS Federal Services sent the complete case file to a physician reviewer. The\n"
        f"physician reviewer {wording}\n"
    )
    reviewer = parse_letter((how + SUMMARY + ISSUES + item("Lumbar MRI")).encode())["reviewer"]
    assert reviewer == {
        "role": "physician reviewer",
        "specialties": specialties,
        "board_certified": board,
        "licensure": states,
    }


def test_it_reads_block_credentials_with_missing_spaces_and_wrapped_lines():
    how = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\n"
        "MAXIMUS Federal Services sent the complete case file to an expert reviewer.\n"
        "The Expert Reviewer has the following credentials:\n"
        "State(s) of Licensure: Texas,New York,\nCalifornia\n"
        "Certification(s)/Specialty: Preventive Medicine, Occupational\nMedicine\n"
    )
    result = parse_letter((how + SUMMARY + ISSUES + item("Lumbar MRI")).encode())
    assert result["reviewer"]["role"] == "expert reviewer"
    assert result["reviewer"]["board_certified"] is None
    assert result["reviewer"]["licensure"] == ["Texas", "New York", "California"]


def test_it_removes_double_spacing_carriage_returns_and_page_numbers():
    plain = letter(item("Lumbar MRI"), item("Cervical MRI", "Overturned"))
    doubled = plain.decode().replace("\n", " \r\n\r\n").replace("Cervical", "\r\n3\r\n\r\nCervical")
    assert parse_letter(doubled.encode()) == parse_letter(plain)


@pytest.mark.parametrize(
    ("line", "dropped"),
    [
        ("3", True),
        ("Page 2", True),
        ("page 2 of 4", True),
        ("2 of 4", True),
        ("PAGE\u00a012", True),
        ("2016", False),
        ("Page", False),
        ("3 views", False),
        ("\u0663", False),  # an Arabic-Indic digit alone is not a page number
    ],
)
def test_page_number_lines_are_dropped(line, dropped):
    assert clean_lines(f"First line\n{line}\nLast line") == (
        ["First line", "Last line"] if dropped else ["First line", line, "Last line"]
    )


def test_it_reads_text_in_windows_1252_and_utf8_with_a_bom():
    text = letter(item("Ketoprofen cream \u2013 20%"))
    expected = parse_letter(text)
    assert expected["items"][0]["request"] == "Ketoprofen cream \u2013 20%"
    assert parse_letter(b"\xef\xbb\xbf" + text) == expected
    assert parse_letter(text.decode().encode("cp1252")) == expected


def test_it_handles_a_letter_cut_off_mid_item():
    text = letter(
        item("Lumbar MRI"),
        "Cervical MRI: Overturned\nClaims Administrator guideline: Decision based on",
    )
    result = parse_letter(text)
    assert result["errors"] == []
    assert [i["outcome"] for i in result["items"]] == ["upheld", "overturned"]
    assert result["items"][1]["reviewer"]["basis"] is None
    assert result["items"][1]["rationale"] is None
    assert any("item 2" in warning for warning in result["warnings"])
    assert_valid(result)


def test_a_letter_with_no_items_is_parsed_with_a_warning():
    result = parse_letter(letter())
    assert result["errors"] == []
    assert result["items"] == []
    assert result["outcome"] is None
    assert "no disputed items found" in result["warnings"]
    assert_valid(result)


def test_letter_outcome_is_partially_overturned_when_items_differ():
    assert letter_outcome([]) is None
    assert letter_outcome(["upheld", "upheld"]) == "upheld"
    assert letter_outcome(["overturned"]) == "overturned"
    assert letter_outcome(["upheld", "overturned"]) == "partially overturned"


def test_unwrap_collapses_white_space_and_keeps_hyphens_at_line_ends():
    assert unwrap(["Non-", "MTUS  by  noted", " 5 -", "6"]) == "Non-MTUS by noted 5 - 6"
    assert clean_lines("a\u00ad\nb\r\n\r\n  \r\nc\ufffed\rPage 2 of 3\r12\n") == ["a-b", "c-d"]


# --- bad inputs ---------------------------------------------------------------------------------


def blank_pdf() -> bytes:
    doc = pdfium.PdfDocument.new()
    try:
        doc.new_page(612, 792)
        buffer = io.BytesIO()
        doc.save(buffer)
    finally:
        doc.close()
    return buffer.getvalue()


def wrong_password_pdf() -> bytes:
    data = (REAL / "CM16-0231745.pdf").read_bytes()
    at = data.index(b"/U(") + 3  # first byte of the user-password check value
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EMPTY),
        (b"  \n\r\n ", EMPTY),
        (bytes(random.Random(1).randrange(256) for _ in range(4000)), NOT_A_LETTER),
        (b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>", NOT_A_LETTER),
        (b"Dear Sir,\nPlease find enclosed the invoice: Upheld?\n", NOT_A_LETTER),
        (b"%PDF-1.7\n" + bytes(random.Random(2).randrange(256) for _ in range(3000)), CORRUPT),
    ],
    ids=["empty", "blank", "random-bytes", "html", "other-text", "pdf-magic-then-garbage"],
)
def test_bad_inputs_give_an_error_and_no_exception(data, error):
    result = parse_letter(data, "letter.pdf")
    assert result["errors"] == [error]
    assert result["items"] == []
    assert_valid(result)


def test_a_pdf_without_a_text_layer_is_reported_as_a_scanned_image():
    assert parse_letter(blank_pdf(), "scan.pdf")["errors"] == [NO_TEXT_LAYER]


def test_a_pdf_needing_a_real_password_is_reported_as_encrypted():
    assert parse_letter(wrong_password_pdf(), "locked.pdf")["errors"] == [ENCRYPTED]


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_a_truncated_pdf_never_raises(fraction):
    data = (REAL / "CM17-0010420.pdf").read_bytes()
    result = parse_letter(data[: int(len(data) * fraction)], "cut.pdf")
    assert_valid(result)
    assert result["errors"] or result["items"]


def test_text_past_the_limit_is_not_parsed_and_says_so():
    import determinations.parsing as parsing

    letter_bytes = (ASSETS / "000_86ba345343cd3771.txt").read_bytes()
    whole = parse_letter(letter_bytes, "a.txt")
    padding = b"\nPhysical therapy 2 times a week: Upheld\n" * (parsing.MAX_TEXT_CHARS // 40 + 10)
    result = parse_letter(letter_bytes + padding, "a.txt")
    cut = [w for w in result["warnings"] if w.startswith("the text is ")]
    assert cut == [
        f"the text is {len(letter_bytes + padding):,} characters long: only the first "
        "1,000,000 were read"
    ]
    assert [i["request"] for i in result["items"][:3]] == [i["request"] for i in whole["items"]]
    assert_valid(result)


def test_a_letter_with_hundreds_of_items_keeps_the_first_hundred_and_few_warnings():
    import determinations.parsing as parsing

    # Items without guideline lines: each one also warns that they are missing.
    many = [
        f"Zzyzx widget number {n}: Upheld\nDecision rationale: Not necessary.\n"
        for n in range(parsing.MAX_ITEMS + 20)
    ]
    result = parse_letter(letter(*many), "many.txt")
    assert len(result["items"]) == parsing.MAX_ITEMS
    assert result["items"][-1]["request"] == f"Zzyzx widget number {parsing.MAX_ITEMS - 1}"
    assert len(result["warnings"]) <= parsing.MAX_WARNINGS
    assert result["warnings"][0] == "120 items found: only the first 100 were kept"
    assert result["warnings"][-1].startswith("... and ")
    assert_valid(result)


def test_a_pdf_past_the_page_limit_is_read_up_to_it_and_says_so(monkeypatch):
    import determinations.parsing.extract as extract

    data = (REAL / "CM17-0010420.pdf").read_bytes()
    full = extract_text(data, "a.pdf")
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 2)
    cut = extract_text(data, "a.pdf")
    assert full.pages == cut.pages == 4
    assert cut.warnings == ["the PDF has 4 pages: only the first 2 were read"]
    assert full.text.startswith(cut.text) and len(cut.text) < len(full.text)
    assert "the PDF has 4 pages" in " ".join(parse_letter(data, "a.pdf")["warnings"])


def test_text_is_detected_by_content_not_by_extension():
    data = (ASSETS / "000_86ba345343cd3771.txt").read_bytes()
    assert parse_letter(data, "letter.pdf") == parse_letter(data, "letter.txt")
    assert extract_text((REAL / "CM17-0008551.pdf").read_bytes(), "letter.txt").kind == "pdf"


def test_parse_letter_refuses_non_bytes_without_raising():
    result = parse_letter("a string", "x")  # type: ignore[arg-type]
    assert result["errors"]
    assert_valid(result)


def test_a_normaliser_that_raises_gives_a_warning_and_empty_fields(monkeypatch):
    from determinations.parsing import normalise

    def broken(*args, **kwargs):
        raise ValueError("boom")

    broken.__name__ = "parse_citations"
    monkeypatch.setattr(normalise, "parse_citations", broken)
    result = parse(ASSETS / "000_86ba345343cd3771.txt")
    item = result["items"][0]
    assert item["reviewer"]["citations"] == item["claims_administrator"]["citations"] == []
    assert "item 1: parse_citations failed: ValueError: boom" in result["warnings"]
    assert not result["errors"]
    assert_valid(result)


def test_the_parser_version_is_a_dotted_version_string():
    assert PARSER_VERSION.count(".") == 2


# --- the command ---------------------------------------------------------------------------------


def test_the_command_prints_one_object_per_file_and_fails_on_errors(tmp_path):
    good = REAL / "CM17-0008551.pdf"
    out = io.StringIO()
    assert run([str(good)], out) == 0
    (line,) = out.getvalue().splitlines()
    result = json.loads(line)
    assert result["file"] == str(good)
    assert result["case_number"] == "CM17-0008551"
    assert_valid(result)

    out = io.StringIO()
    assert run([str(good), str(tmp_path / "missing.pdf")], out, pretty=False) == 1
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    missing = json.loads(lines[1])
    assert missing["errors"] and missing["file"].endswith("missing.pdf")
    assert_valid(missing)


def test_the_command_pretty_prints_on_request():
    out = io.StringIO()
    run([str(ASSETS / "001_5af06fd8d99aadee.txt")], out, pretty=True)
    assert out.getvalue().startswith('{\n  "file": ')


# --- properties ---------------------------------------------------------------------------------

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise_and_validate(data):
    assert_valid(parse_letter(data, "x.pdf"))


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_after_pdf_magic_never_raise(data):
    assert_valid(parse_letter(b"%PDF-1.4\n" + data))


@FUZZ
@given(
    which=st.integers(0, len(TEXTS) - 1),
    cut=st.floats(0, 1),
    seed=st.integers(0, 2**32),
    operation=st.sampled_from(["truncate", "shuffle", "delete", "garbage", "duplicate"]),
    garbage=st.text(max_size=80),
)
def test_mangled_letters_never_raise_and_validate(which, cut, seed, operation, garbage):
    lines = TEXTS[which].read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    if operation == "truncate":
        lines = lines[: int(len(lines) * cut)]
    elif operation == "shuffle":
        rng.shuffle(lines)
    elif operation == "delete":
        lines = [line for line in lines if rng.random() > cut]
    elif operation == "garbage":
        for _ in range(5):
            lines.insert(rng.randrange(len(lines) + 1), garbage)
    else:
        at = rng.randrange(len(lines))
        lines = lines[:at] + lines[at // 2 :]
    result = parse_letter("\n".join(lines).encode("utf-8", "surrogatepass"), "mangled.txt")
    assert_valid(result)


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text_inside_a_letter_never_raises(noise):
    assert_valid(parse_letter(letter(item(noise), item("MRI" + noise)), "noise.txt"))


# --- older (2013-2015) wording: variants of a sample text letter --------------------------------

OLD_LETTER = ASSETS / "000_86ba345343cd3771"
OLD_CREDENTIALS = (
    "reviewer is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in"
    " Pain \n\nManagement and is licensed to practice in California."
)
OLD_INTRO = (
    "The expert reviewer developed the following clinical case summary based on a review of the"
    " \n\ncase file, including all medical records: \n\n"
)
OLD_ITEM_2 = "Acupuncture 2 times a week for 4 weeks:  Upheld"
OLD_DOCUMENTS = (
    "DOCUMENTS REVIEWED \n\nThe following documents were reviewed: \n\n"
    "1. Application of Independent Medical Review dated 10/20/13 \n\n"
    "2. Utilization Review Determination dated 10/9/13: Upheld \n\n"
    "3. Medical records from Provider: 9/26/12 - 10/1/13 \n\n \n\n"
)


def reviewer(specialties, board, states):
    return {
        "role": "physician reviewer",
        "specialties": specialties,
        "board_certified": board,
        "licensure": states,
    }


def credentials(wording):
    return lambda text: text.replace(OLD_CREDENTIALS, "reviewer " + wording)


def replace(old, new):
    return lambda text: text.replace(old, new)


# (name, edit of the sample text, encoding, {field or "items.N.field": wanted value}).
OLD_WORDING = [
    (
        "board-subspecialty-two-states",
        credentials(
            "is Board Certified in Anesthesiology, has a subspecialty in Pain Medicine and is"
            " licensed to practice in California, Texas."
        ),
        "utf-8",
        {
            "reviewer": reviewer(
                ["Anesthesiology", "Pain Management"], True, ["California", "Texas"]
            )
        },
    ),
    (
        "board-no-subspecialty",
        credentials(
            "is Board Certified in Family Practice and is licensed to practice in California."
        ),
        "utf-8",
        {"reviewer": reviewer(["Family Practice"], True, ["California"])},
    ),
    (
        "subspecialty-of-two",
        credentials(
            "is Board Certified in Orthopedic Surgery, has a subspecialty in Hand Surgery and"
            " Sports Medicine and is licensed to practice in Nevada."
        ),
        "utf-8",
        {
            "reviewer": reviewer(
                ["Orthopedic Surgery", "Hand Surgery", "Sports Medicine"], True, ["Nevada"]
            )
        },
    ),
    (
        "licensed-in-chiropractic",
        credentials("is Licensed in Chiropractic and is licensed to practice in California."),
        "utf-8",
        {"reviewer": reviewer(["Chiropractic"], None, ["California"])},
    ),
    (
        "licensed-in-chiropractic-wrapped",
        credentials(
            "is Licensed in \n\nChiropractic and is licensed to \n\npractice in California."
        ),
        "utf-8",
        {"reviewer": reviewer(["Chiropractic"], None, ["California"])},
    ),
    (
        "doctor-of-chiropractic",
        credentials("is a Doctor of Chiropractic and is licensed to practice in California."),
        "utf-8",
        {"reviewer": reviewer(["Chiropractic"], None, ["California"])},
    ),
    (
        "licensed-psychologist",
        credentials("is a Licensed Psychologist and is licensed to practice in California."),
        "utf-8",
        {"reviewer": reviewer(["Psychologist"], None, ["California"])},
    ),
    (
        "licensed-clinical-psychologist",
        credentials(
            "is a Licensed Clinical Psychologist and is licensed to practice in California."
        ),
        "utf-8",
        {"reviewer": reviewer(["Psychologist"], None, ["California"])},
    ),
    (
        "licensed-in-acupuncture",
        credentials("is Licensed in Acupuncture and is licensed to practice in California."),
        "utf-8",
        {"reviewer": reviewer(["Oriental Medicine"], None, ["California"])},
    ),
    (
        "no-board-with-subspecialty",
        credentials(
            "is Physical Medicine and Rehabilitation, has a subspecialty in Pain Management and is"
            " licensed to practice in California."
        ),
        "utf-8",
        {
            "reviewer": reviewer(
                ["Physical Medicine & Rehabilitation", "Pain Management"], None, ["California"]
            )
        },
    ),
    (
        "board-eligible",
        credentials(
            "is Board Eligible in Orthopedic Surgery and is licensed to practice in California."
        ),
        "utf-8",
        {"reviewer": reviewer(["Orthopedic Surgery"], None, ["California"])},
    ),
    (
        "states-joined-by-and",
        credentials(
            "is Board Certified in Internal Medicine, has a subspecialty in Occupational Medicine"
            " and is licensed to practice in California and New York."
        ),
        "utf-8",
        {
            "reviewer": reviewer(
                ["Internal Medicine", "Occupational Medicine"], True, ["California", "New York"]
            )
        },
    ),
    (
        "credentials-wrapped-mid-phrase",
        credentials(
            "is Board Certified in \n\nNeurology and is licensed to practice in \n\nCalifornia,"
            " Arizona."
        ),
        "utf-8",
        {"reviewer": reviewer(["Neurology"], True, ["California", "Arizona"])},
    ),
    (
        "subspecialty-certification",
        credentials(
            "is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty"
            " certification in Pain Medicine and is licensed to practice in California."
        ),
        "utf-8",
        {},
    ),
    (
        "subspecialty-with-serial-comma",
        credentials(
            "is Board Certified in Psychiatry, has a subspecialty in Addiction Medicine, and is"
            " licensed to practice in California."
        ),
        "utf-8",
        {"reviewer": reviewer(["Psychiatry", "Addiction Medicine"], True, ["California"])},
    ),
    (
        "three-states-and-state-of",
        credentials(
            "is Board Certified in Emergency Medicine, has a subspecialty in Medical Toxicology and"
            " is licensed to practice in the State of California, Oregon, Washington."
        ),
        "utf-8",
        {
            "reviewer": reviewer(
                ["Emergency Medicine", "Medical Toxicology"],
                True,
                ["California", "Oregon", "Washington"],
            )
        },
    ),
    ("she-not-he-she", replace("He/she", "She"), "utf-8", {}),
    ("no-summary-intro", replace(OLD_INTRO, ""), "utf-8", {}),
    ("intro-without-article", replace("based on a review", "based on review"), "utf-8", {}),
    (
        "intro-available-records-and-period",
        replace("including all medical records: ", "including all available medical records. "),
        "utf-8",
        {},
    ),
    (
        "decisions-heading",
        replace("IMR ISSUES, DECISIONS AND RATIONALES", "IMR DECISION(S) AND RATIONALE(S)"),
        "utf-8",
        {},
    ),
    (
        "documents-reviewed-before-summary",
        replace("CLINICAL CASE SUMMARY \n", OLD_DOCUMENTS + "CLINICAL CASE SUMMARY \n"),
        "utf-8",
        {},
    ),
    ("carriage-returns", replace("\n", "\r"), "utf-8", {}),
    ("crlf", replace("\n", "\r\n"), "utf-8", {}),
    (
        "outcome-word-alone",
        replace(OLD_ITEM_2, "Acupuncture 2 times a week for 4 weeks: \n\n Upheld"),
        "utf-8",
        {},
    ),
    (
        "request-over-three-lines-with-colon",
        replace(
            OLD_ITEM_2,
            "Acupuncture 2 times a week for 4 weeks \n\n(Frequency: 2 x 4) to the cervical and"
            " \n\nthoracic spine:  Overturned",
        ),
        "utf-8",
        {
            "outcome": "partially overturned",
            "items.1.request": "Acupuncture 2 times a week for 4 weeks (Frequency: 2 x 4) to the"
            " cervical and thoracic spine",
            "items.1.outcome": "overturned",
        },
    ),
    (
        "modified-request-without-is",
        replace(
            OLD_ITEM_2,
            "Acupuncture 2 times a week for 4 weeks was the original request. Acupuncture 6 \n\n"
            "sessions was authorized by the Claims Administrator. The remaining IMR eligible \n\n"
            "portion of the original request, Acupuncture 2 sessions:  Upheld",
        ),
        "utf-8",
        {
            "items.1.request": "Acupuncture 2 sessions",
            "items.1.original_request": "Acupuncture 2 times a week for 4 weeks",
            "items.1.authorized": "Acupuncture 6 sessions",
        },
    ),
    (
        "windows-1252-curly-quotes",
        replace(
            "Regarding the request for trigger point injections,",
            "Regarding the \u201crequest\u201d for trigger point injections,",
        ),
        "cp1252",
        {
            "items.0.rationale": "Regarding the \u201crequest\u201d for trigger point injections,"
            " California MTUS supports their use only",
        },
    ),
]


def apply_changes(want: dict, changes: dict) -> dict:
    for path, value in changes.items():
        target = want
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[last] = value
    return want


@pytest.mark.parametrize(("name", "edit", "encoding", "changes"), OLD_WORDING, ids=lambda v: v)
def test_it_reads_variants_of_the_older_wording(name, edit, encoding, changes):
    text = OLD_LETTER.with_name(OLD_LETTER.name + ".txt").read_text()
    edited = edit(text)
    assert edited != text, "the edit must apply to the sample letter"
    got = parse_letter(edited.encode(encoding), "x.txt")
    assert_valid(got)
    want = apply_changes(
        json.loads(OLD_LETTER.with_name(OLD_LETTER.name + ".expected.json").read_text()),
        {key: value for key, value in changes.items() if key != "items.0.rationale"},
    )
    if "items.0.rationale" in changes:
        assert got["items"][0]["rationale"].startswith(changes["items.0.rationale"])
        got["items"][0]["rationale"] = want["items"][0]["rationale"]
    assert got["reviewer"] == want["reviewer"]
    assert without_vocab(known_fields(got, want)) == without_vocab(want)
