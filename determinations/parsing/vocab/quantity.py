"""Quantity of a disputed request (contract section 4.4).

``parse_quantity(request)`` returns the number of sessions, visits or units the request asks for,
or None when none is stated, when it is a range, a weight or volume, a duration alone, or when
the request states several different counts.

The request is first lower-cased, written numbers become digits, and things that only look like
counts are blanked out (strengths, dates, spinal levels, refills, dosing instructions, hours per
day). What is left is read in this order, each reading blanking what it used:

1. a dispensed count: "#60", "qty 60" (a weight or volume after it gives None);
2. frequency by duration: "2 times a week for 4 weeks" (8), "daily for 4 weeks" (28);
3. a product: "2x4", "2 times 8" (8, 16);
4. a multiplier: "x6", "times 2";
5. a count of sessions, visits, units...: "10 sessions", "1 Trigger point injection";
6. a bare number leading the request or trailing it after a comma or in brackets.

The quantity is the one value found; None when the readings disagree.
"""

from __future__ import annotations

import re

_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
    "hundred": 100,
    "one hundred": 100,
    "one hundred twenty": 120,
}
_WORD_NUMBER = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for w in _WORD_NUMBERS), key=len, reverse=True)) + r")\b"
)
_ADVERBS = ((re.compile(r"\btwice\b"), "2 times"), (re.compile(r"\bthrice\b"), "3 times"))
_ONCE = re.compile(r"\bonce\b(?=\s*(?:a|per|every|each|weekly|monthly|/))")

_S = r"(?<![\w.,/#-])"  # a number starts here: not inside a word, decimal, code or range
_N = r"(\d+)(?!\d|[.,]\d)"  # a whole number (never a prefix of a longer one)
_RANGE_SEP = r"\s*(?:-|\u2013|to|or)\s*"
_TIME_UNIT = r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|minutes?|mins?)\b"
_MASS_VOLUME = r"(?:g|gm|gms|grams?|kg|mg|mcg|ml|cc|l|liters?|oz|ounces?|lbs?)\b"

# Things that look like numbers but are not counts; each is replaced by a blank. A pattern that
# begins with digits starts only where a number does ("(?<!\d)"): tried at every digit of a long
# run, each try backtracking over the rest of it, the scan was quadratic (2,000 digits: 5 s).
_NOISE = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            r"\b(?:dos|date of service|dated?|on)\s*:?\s*\d{1,2}[/-]\d{1,2}[/-]\d{2,4}",
            r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
            r"\b(?:19|20)\d\d\b(?!\s*(?:sessions?|visits?|units?))",
            # spinal levels and similar codes: "L4-5", "C5-C6", "L5-S1", "T7"
            r"\b[ctls]\d{1,2}(?:\s*[-/]\s*[ctls]?\d{1,2})?\b",
            # strengths: "10/325mg", "5%", "7.5 mg", "1.5 tesla", "(10mg/1ml ...)"
            r"(?<!\d)\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*\s*(?:%|mg|mcg|µg|iu|units?/ml|meq|mm|cm|tesla|"
            r"ml|cc|g|gm|grams?)\b(?:\s*/\s*\d*\s*(?:ml|g|gm|patch|tab\w*|cap\w*|hr|h|day|dose)\b)?",
            r"(?<!\d)\d+(?:\.\d+)?\s*%",
            # strengths written without a unit: "Norco 10/325"
            r"\b\d+(?:\.\d+)?/\d+(?:\.\d+)?\b",
            # refills and day supply
            r"(?:with\s+|x\s*)?(?<!\d)\d+\s*refills?\b",
            r"\brefills?\s*:?\s*(?:x\s*)?\d+\b",
            r"\b\d+[\s-]*days?[\s-]*supply\b",
            r"\bday[\s-]*supply\s*:?\s*\d+\b",
            # dosing: "1-2 tabs orally every 4-6 hrs", "one by mouth", "twice a day", "at bedtime"
            r"(?<!\d)\d+(?:\s*(?:-|to|or)\s*\d+)?\s*(?:tabs?|tablets?|caps?|capsules?|pills?|puffs?|drops?|"
            r"sprays?|patch(?:es)?|applications?)?\s*(?:by mouth|orally|po\b|p\.o\.|sublingual\w*|"
            r"topically|(?:at )?bedtime|qhs|qd|bid|tid|qid|prn)",
            r"(?<!\d)\d+(?:\s*(?:-|to|or)\s*\d+)?\s*(?:tabs?|tablets?|caps?|capsules?|pills?|puffs?|drops?|"
            r"sprays?|patch(?:es)?|applications?)\s*(?:\d+\s*(?:x|times?)\s*(?:a|per|/)?\s*day|daily|"
            r"nightly|as needed|every|each|per|a day|at night|in the|with|q\.?\s*\d)",
            r"\b(?:every|q)\s*\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:hours?|hrs?|h)\b",
            r"\bq\d+h\b",
            r"(?<!\d)\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:x|times?)\s*(?:a|per|/)?\s*(?:day|daily)\b"
            r"(?!\s*(?:for|x)\s*\d)",
            r"(?<!\d)\d+(?:\s*(?:-|to)\s*\d+)?\s*(?:tabs?|tablets?|caps?|capsules?|pills?)\s*"
            r"(?:a|per|/|each|every)\s*(?:day|night|morning|evening)\b",
            # hours per day or session: "6 hours per day", "8 hrs/day"
            r"(?<!\d)\d+(?:\.\d+)?\s*(?:hours?|hrs?|minutes?|mins?)\s*(?:a|per|/|each)\s*"
            r"(?:day|session|visit|week|wk)\b",
            # parts of names: "3 views", "2-level", "3 leads", "Vitamin D3", "omega-3"
            r"(?<!\d)\d+\s*(?:views?|leads?|-?levels?|channels?|phases?|heads?|wheels?|inch\w*|in\.)",
            r"\b(?:vitamin|omega|b|d)\s*-?\d+\b",
        )
    ),
    re.IGNORECASE,
)
# A number that is part of a product's name, not a count: "Tylenol #3", "Tylenol with Codeine #4".
_PRODUCT_NUMBER = re.compile(r"\btylenol\s*(?:with\s+codeine\s*)?(?:no\.?|#)\s*[1-4]\b", re.I)
_DISPENSED = re.compile(
    r"(?:#|\b(?:qty|quantity|no\.)\s*:?\s*#?)\s*(\d+)(?:\s*(" + _MASS_VOLUME[:-2] + r"))?\b",
    re.IGNORECASE,
)
_PER_WEEK = (
    r"(?:\s*(?:x|times?|visits?|sessions?|treatments?|days?)\s*(?:(?:a|per|/|each|every|in\s+a)\s*)?"
    r"(?:week|wk)\b|\s*(?:/|per)\s*(?:week|wk)\b|\s*(?:x|times?)?\s*weekly\b)"
)
_FOR = r"\s*,?\s*(?:for|x|times|over|during)?\s*(?:a\s+(?:total|period)\s+of\s+)?"
_FREQ_DURATION = [
    # "2 times a week for 4 weeks", "3 visits per week for 2 weeks", "2x/week x 6 weeks",
    # "5 days a week for 4 weeks", "3 times weekly for 4 weeks".
    (re.compile(_S + _N + _PER_WEEK + _FOR + _N + r"\s*(?:weeks?|wks?)\b"), 1),
    # "2 times a month for 3 months"
    (
        re.compile(
            _S
            + _N
            + r"\s*(?:x|times?|visits?|sessions?)\s*(?:a|per|/|each|every)?\s*(?:month|mo)\b"
            + _FOR
            + _N
            + r"\s*(?:months?|mos?)\b"
        ),
        1,
    ),
]
# "daily for 4 weeks" (28), "daily for 10 days", "weekly for 6 weeks", "monthly for 3 months"
_PERIODIC = [
    (re.compile(r"\bdaily" + _FOR + _N + r"\s*(?:weeks?|wks?)\b"), 7),
    (re.compile(r"\bdaily" + _FOR + _N + r"\s*days?\b"), 1),
    (re.compile(r"\bweekly" + _FOR + _N + r"\s*(?:weeks?|wks?)\b"), 1),
    (re.compile(r"\bmonthly" + _FOR + _N + r"\s*(?:months?|mos?)\b"), 1),
]
_PRODUCT = re.compile(
    _S + _N + r"\s*(?:x|times)\s*" + _N + r"(?!\s*(?:day|month|year|hour|hr|min))"
)
_MULTIPLIER = re.compile(r"(?:(?<!\w)x|\btimes)\s*" + _N + r"(?!\s*" + _TIME_UNIT + r")")
_COUNT_NOUN = (
    r"(?:sessions?|visits?|treatments?|injections?|blocks?|appointments?|units?|tablets?|tabs|"
    r"capsules?|caps|patch(?:es)?|pills?|lozenges?|suppositor(?:y|ies)|vials?|ampules?|bottles?|"
    r"tubes?|boxes|box|packs?|kits?|pairs?|sets?|series|treatments?|procedures?|classes|"
    r"appts?|trips?|rides?|syringes?|pads?|films?|strips?|tests?|screens?|studies|study|"
    r"evaluations?|consultations?|occurrences?|hours?\s+of\s+\w+\s+program)"
)
_COUNT = re.compile(
    _S + _N + r"\s+(?:(?!\d|" + _TIME_UNIT + r")[a-z][\w'/-]*\s+){0,4}?" + _COUNT_NOUN + r"\b"
)
_LEADING = re.compile(
    r"^\W*" + _S + _N + r"\s+(?!" + _TIME_UNIT + r"|" + _MASS_VOLUME + r"|x\b)[a-z]"
)
_TRAILING = re.compile(
    r"(?:,|\(|\bfor|\bx)\s*" + _N + r"\s*\)?\s*(?:total\s*)?\)?\s*[.;]?\s*$"
    r"|\(\s*" + _N + r"\s*\)"
)
_RANGE = re.compile(r"(?<![\w.,/])\d+" + _RANGE_SEP + r"\d+\b")
_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def _blank(text: str, match: re.Match[str]) -> str:
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def _normalise(request: str) -> str:
    text = _SPACES.sub(" ", request.lower()).strip()
    text = _WORD_NUMBER.sub(lambda m: str(_WORD_NUMBERS[m.group(1)]), text)
    for pattern, replacement in _ADVERBS:
        text = pattern.sub(replacement, text)
    text = _ONCE.sub("1 times", text)
    return text


def _strip_noise(text: str) -> str:
    return _NOISE.sub(lambda m: " " * len(m.group(0)), text)


def _quantity(request: str) -> int | None:
    text = _normalise(request)
    if not _DIGIT.search(text):
        return None

    text = _PRODUCT_NUMBER.sub(" ", text)
    dispensed = list(_DISPENSED.finditer(text))
    if dispensed:
        if any(m.group(2) for m in dispensed):
            return None  # "#60 grams": a weight, not a count
        values = {int(m.group(1)) for m in dispensed}
        return values.pop() if len(values) == 1 else None

    text = _strip_noise(text)
    values: list[int] = []

    if _RANGE.search(text):
        return None  # "6-8 visits", "1 to 2 times per week"

    for pattern, _ in _FREQ_DURATION:
        for m in list(pattern.finditer(text)):
            values.append(int(m.group(1)) * int(m.group(2)))
            text = _blank(text, m)
    for pattern, factor in _PERIODIC:
        for m in list(pattern.finditer(text)):
            values.append(int(m.group(1)) * factor)
            text = _blank(text, m)

    for m in list(_PRODUCT.finditer(text)):
        values.append(int(m.group(1)) * int(m.group(2)))
        text = _blank(text, m)
    for pattern in (_MULTIPLIER, _COUNT):
        for m in list(pattern.finditer(text)):
            values.append(int(m.group(1)))
            text = _blank(text, m)
    if not values:
        m = _LEADING.search(text)
        if m:
            values.append(int(m.group(1)))
        else:
            for m in _TRAILING.finditer(text):
                values.append(int(m.group(1) or m.group(2)))

    distinct = set(values)
    if len(distinct) != 1:
        return None
    value = distinct.pop()
    return value if 0 < value < 100000 else None


def parse_quantity(request: str) -> int | None:
    """Number of sessions, visits or units in the request, or None."""
    try:
        return _quantity(request) if request else None
    except Exception:  # never raise on odd input
        return None
