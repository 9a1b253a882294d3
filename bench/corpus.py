"""Deterministic synthetic IMR letters for benchmarks: text files or a direct bulk load.

    .venv/bin/python bench/corpus.py --text DIR N [--seed S] [--start I]
    .venv/bin/python bench/corpus.py --load N [--seed S]    # into BENCH_DATABASE (imr_bench)

Letter ``i`` of seed ``s`` is always the same letter, whatever the chunking or the number of
processes: each letter draws from its own ``random.Random`` seeded with ``(s, i)``. A letter is
generated as the parse contract's JSON (../shared/docs/letters.md section 3) plus rendering
choices, so the text writer and the bulk loader share one source of truth.

Proportions (bench/vocab.py): about 90% of items upheld, about 1.95 items per letter (1 to 21),
pharmaceuticals about a third of items, skewed reviewer specialties and guideline documents,
decision dates 2013-2026 weighted like the real archive (about 150,000 letters a year at 2 M).
Text letters come with or without the header block, in the prose ("physician reviewer is Board
Certified in ...") or block ("The Expert Reviewer has the following credentials") wording, with
wrapped lines, double spacing, page numbers, modified requests in both wordings, outcome words on
their own line and requests containing colons.

The writer refuses any directory inside the repository.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import hashlib
import json
import random
import re
import string
import sys
from itertools import accumulate
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import vocab

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = "2"
REVIEWER_POOL = 3000


# --- Small helpers ----------
class Picker:
    """Weighted choice with precomputed cumulative weights (much faster than random.choices)."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [value for value, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


def zipf_picker(values, exponent: float = 1.0, offset: float = 3.0) -> Picker:
    return Picker((v, 1.0 / (rank + offset) ** exponent) for rank, v in enumerate(values))


def _choice(rng: random.Random, seq):
    """``rng.choice`` without its rejection sampling (3x faster; same determinism)."""
    return seq[int(rng.random() * len(seq))]


def refuse_repo_path(path: Path) -> Path:
    """Resolve ``path`` and refuse it when it is the repository or inside it."""
    resolved = path.expanduser().resolve()
    if resolved == REPO_ROOT or REPO_ROOT in resolved.parents:
        raise SystemExit(f"refusing to write inside the repository ({REPO_ROOT}): {resolved}")
    return resolved


def _fmt(date: dt.date) -> str:
    return f"{date.month:02d}/{date.day:02d}/{date.year}"


def _short(date: dt.date, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{date.month}/{date.day}/{date.year % 100:02d}"
    return f"{date.month:02d}-{date.day:02d}-{date.year}"


_REGION_PATTERNS = [
    ("cervical", re.compile(r"\b(?:neck|cervical|C[1-7]|trapezius)\b", re.I)),
    ("thoracic", re.compile(r"\b(?:thoracic|T1?\d|mid back|upper back)\b", re.I)),
    ("lumbar", re.compile(r"\b(?:lumbar|lumbosacral|low back|back|L[1-5]|S1|sacroiliac)\b")),
    ("shoulder", re.compile(r"\bshoulder", re.I)),
    ("elbow", re.compile(r"\belbow", re.I)),
    ("wrist/hand", re.compile(r"\b(?:wrist|hand|finger|thumb|carpal)", re.I)),
    ("hip", re.compile(r"\b(?:hip|pelvis|groin)\b", re.I)),
    ("knee", re.compile(r"\bknee", re.I)),
    ("ankle/foot", re.compile(r"\b(?:ankle|foot|feet)\b", re.I)),
    ("head", re.compile(r"\b(?:head|brain)\b", re.I)),
    ("upper extremity", re.compile(r"\b(?:arm|forearm|upper extremit\w*)\b", re.I)),
    ("lower extremity", re.compile(r"\b(?:leg|thigh|calf|lower extremit\w*)\b", re.I)),
]


def body_regions(text: str) -> list[str]:
    """Regions named in a request, in order of first mention (contract 4.3, approximately)."""
    found = []
    for region, pattern in _REGION_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append((match.start(), region))
    return [region for _, region in sorted(found)]


# --- Pickers built once ----------
_YEAR_SPANS = []
for _year, _weight in vocab.YEAR_WEIGHTS.items():
    _start = dt.date(_year, 7, 1) if _year == 2013 else dt.date(_year, 1, 1)
    _end = dt.date(_year, 11, 20) if _year == 2026 else dt.date(_year, 12, 31)
    _YEAR_SPANS.append(((_start.toordinal(), (_end - _start).days + 1), _weight))
_SPAN_CUM = list(accumulate(w for _, w in _YEAR_SPANS))
_FIRST_DAY = _YEAR_SPANS[0][0][0]
_LAST_DAY = _YEAR_SPANS[-1][0][0] + _YEAR_SPANS[-1][0][1] - 1


def decision_ordinal(u: float) -> int:
    """The decision date at quantile ``u`` of the archive (letters arrive in date order)."""
    target = u * _SPAN_CUM[-1]
    k = min(bisect.bisect_right(_SPAN_CUM, target), len(_SPAN_CUM) - 1)
    before = _SPAN_CUM[k - 1] if k else 0.0
    (start, span), weight = _YEAR_SPANS[k]
    return start + min(span - 1, int((target - before) / weight * span))


PICK_ITEMS = Picker(vocab.ITEMS_PER_LETTER.items())
PICK_STATE = Picker(vocab.STATES)
PICK_SPECIALTIES = Picker(vocab.SPECIALTY_PROFILES)
PICK_REGION = Picker(vocab.REGION_WEIGHTS)
PICK_DRUG = Picker((drug, drug[4]) for drug in vocab.DRUGS)
PICK_KIND = Picker((kind, kind[7]) for kind in vocab.KINDS)
PICK_RARE = zipf_picker(vocab.RARE_TERMS, exponent=1.1, offset=2)
PICK_DIAGNOSIS = zipf_picker(vocab.DIAGNOSES, exponent=0.8, offset=4)
PICK_FINDING = zipf_picker(vocab.FINDINGS, exponent=0.6, offset=4)
PICK_TREATMENT = zipf_picker(vocab.TREATMENTS, exponent=0.7, offset=3)
PICK_QTY = Picker((q, 1.0) for q in vocab.QUANTITY_PHRASES)
PICK_OTHER_DOC = Picker((d, 1.0) for d in vocab.OTHER_DOCUMENTS)
PICK_SOURCE = Picker([("MTUS", 66), ("ODG", 27), ("ACOEM", 2.5), ("Other", 4), ("AMA Guides", 0.5)])
DRUG_NAMES = [d[0].split(" ")[0] for d in vocab.DRUGS]
_FORMATTER = string.Formatter()
_FIELDS: dict[str, tuple[str, ...]] = {}
_REGIONS4 = ("lumbar spine", "cervical spine", "shoulder", "knee")
_DRAW = {
    "finding": PICK_FINDING,
    "finding2": PICK_FINDING,
    "treatment": PICK_TREATMENT,
    "treatment2": PICK_TREATMENT,
    "treatment3": PICK_TREATMENT,
    "diagnosis": PICK_DIAGNOSIS,
    "diagnosis2": PICK_DIAGNOSIS,
    "diagnosis3": PICK_DIAGNOSIS,
    "imaging": lambda rng: _choice(rng, vocab.IMAGING),
    "rare": PICK_RARE,
    "n": lambda rng: rng.randint(2, 24),
    "year": lambda rng: rng.randint(2010, 2025),
    "mechanism": lambda rng: _choice(rng, vocab.MECHANISMS),
    "complaint": lambda rng: _choice(rng, vocab.COMPLAINTS),
    "work": lambda rng: _choice(rng, vocab.WORK_STATUS),
    "drug": lambda rng: _choice(rng, DRUG_NAMES),
    "drug2": lambda rng: _choice(rng, DRUG_NAMES),
    "occupation": lambda rng: _choice(rng, vocab.OCCUPATIONS),
}


def reviewer_pool(seed: int) -> list[dict]:
    """The credential profiles letters draw from (ids 1..len); half prose, half block wording."""
    rng = random.Random(seed * 7919 + 17)
    pool, seen = [], set()
    while len(pool) < REVIEWER_POOL:
        prose = len(pool) % 2 == 0
        specialties = list(PICK_SPECIALTIES(rng))
        states = ["California"] if prose or rng.random() < 0.45 else []
        for _ in range(_choice(rng, (0, 0, 1, 1, 2, 3)) if states else _choice(rng, (1, 1, 2, 3))):
            state = PICK_STATE(rng)
            if state not in states:
                states.append(state)
        if prose and rng.random() < 0.8:
            states = ["California"]
        profile = {
            "role": "physician reviewer" if prose else "expert reviewer",
            "specialties": specialties,
            "board_certified": True if prose else None,
            "licensure": states or ["California"],
        }
        fingerprint = hashlib.sha256(json.dumps(profile, sort_keys=True).encode()).hexdigest()
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        profile["fingerprint"] = fingerprint
        profile["id"] = len(pool) + 1
        pool.append(profile)
    return pool


class Corpus:
    """Letters of one seed. ``letter(i)`` builds letter ``i``; ``render(letter)`` its text.

    ``total`` is the size of the archive being generated: letter ``i`` is decided at quantile
    ``i / total`` of 2013-2026 (plus or minus ten days), so ids grow with decision dates.
    """

    def __init__(self, seed: int = 1, total: int = 100_000):
        self.seed = seed
        self.total = max(1, total)
        self.reviewers = reviewer_pool(seed)
        prose = [r for r in self.reviewers if r["role"] == "physician reviewer"]
        block = [r for r in self.reviewers if r["role"] == "expert reviewer"]
        self.pick_prose = zipf_picker(prose, exponent=0.9, offset=20)
        self.pick_block = zipf_picker(block, exponent=0.9, offset=20)
        by_specialty: dict[str, list[dict]] = {}
        for profile in self.reviewers:
            by_specialty.setdefault(profile["specialties"][0], []).append(profile)
        self.by_specialty = {k: zipf_picker(v, offset=5) for k, v in by_specialty.items()}

    def rng(self, index: int) -> random.Random:
        return random.Random((self.seed << 40) ^ index)

    def item_count(self, index: int) -> int:
        """Number of items of letter ``index`` (the first draw of its generator)."""
        return PICK_ITEMS(self.rng(index))

    # --- One letter ----------
    def letter(self, index: int) -> dict:
        rng = self.rng(index)
        n_items = PICK_ITEMS(rng)
        # Ids follow decision dates, as when the archive is ingested in order (with jitter).
        day = decision_ordinal(((index % self.total) + rng.random()) / self.total)
        day = min(_LAST_DAY, max(_FIRST_DAY, day + rng.randint(-10, 10)))
        decision = dt.date.fromordinal(day)
        assigned = decision - dt.timedelta(days=rng.randint(12, 60))
        received = assigned - dt.timedelta(days=rng.randint(1, 10))
        ur_denial = received - dt.timedelta(days=rng.randint(3, 30))
        injury = decision - dt.timedelta(days=90 + min(int(rng.expovariate(1 / 1100)), 14000))
        sex = "female" if rng.random() < 0.52 else "male"
        age = max(19, min(84, int(rng.gauss(48, 11))))
        items = [self._item(rng, number, decision) for number in range(1, n_items + 1)]
        prose = (decision.year <= 2015 and rng.random() < 0.92) or rng.random() < 0.03
        first_category = items[0]["category"]
        reviewer = None
        bias = {
            "Psych Services": ("Psychologist", "Psychiatry"),
            "Surgery": ("Orthopedic Surgery", "Neurological Surgery"),
        }.get(first_category)
        if items[0]["subcategory"] == "Chiropractic":
            bias = ("Chiropractic",)
        elif items[0]["subcategory"] == "Acupuncture":
            bias = ("Oriental Medicine", "Chiropractic")
        if bias and rng.random() < 0.6:
            candidates = [
                r for r in (self.by_specialty[b](rng) for b in bias if b in self.by_specialty)
            ]
            candidates = [
                r for r in candidates if (r["role"] == "physician reviewer") == bool(prose)
            ]
            reviewer = candidates[0] if candidates else None
        if reviewer is None:
            reviewer = (self.pick_prose if prose else self.pick_block)(rng)
        outcomes = {item["outcome"] for item in items}
        outcome = outcomes.pop() if len(outcomes) == 1 else "partially overturned"
        summary = self._summary(rng, age, sex, injury, decision, items)
        return {
            "index": index,
            "case_number": f"CM{assigned.year % 100:02d}-{index % 10_000_000:07d}",
            "date_assigned": assigned,
            "date_of_injury": injury,
            "decision_date": decision,
            "ur_denial_date": ur_denial,
            "application_received": received,
            "priority": "expedited" if rng.random() < 0.015 else "standard",
            "patient": {"age": age, "sex": sex},
            "reviewer": reviewer,
            "clinical_summary": summary,
            "outcome": outcome,
            "items": items,
            # Rendering choices, drawn here so the text of a letter is fixed by (seed, index).
            "render": {
                "header": decision.year >= 2016 or rng.random() < 0.3,
                "double_spaced": rng.random() < (0.7 if decision.year <= 2015 else 0.15),
                "width": _choice(rng, (88, 92, 96, 100)),
                "page_numbers": rng.random() < 0.5,
                "seed": rng.getrandbits(32),
            },
        }

    def _item(self, rng: random.Random, number: int, decision: dt.date) -> dict:
        year = decision.year
        region = PICK_REGION(rng)
        side = _choice(rng, vocab.SIDES) if region in vocab.SIDED else ""
        region_phrase = _choice(rng, vocab.REGION_PHRASES[region])
        original = authorized = None
        quantity = None
        if rng.random() < vocab.PHARMA_SHARE:
            text, service, subcategory, quantities, _ = PICK_DRUG(rng)
            qty = _choice(rng, quantities)
            request = f"{text} {qty}".strip()
            if qty.startswith("#") and qty[1:].isdigit():
                quantity = int(qty[1:])
            if rng.random() < 0.06:
                request += " with 2 refills"
            if rng.random() < 0.05:
                request = f"Retrospective request for {request} (DOS {_fmt(decision)})"
            category, topic, kind_key = "Pharmaceuticals", service.split("/")[0], "drug"
            regions: list[str] = []
        else:
            kind = PICK_KIND(rng)
            kind_key, templates, category, subcategory, service = kind[:5]
            qty_kind, topic = kind[6], kind[8]
            template = _choice(rng, templates)
            qty_text, quantity = PICK_QTY(rng) if qty_kind == "sessions" else ("", None)
            qty_n = _choice(rng, (1, 2, 3, 4, 6, 10))
            request = template.format(
                side=f"{side} " if side else "",
                side_cap=f"{side.capitalize()} " if side else "",
                region=region_phrase,
                qty=qty_text,
                qty_n=qty_n,
                dos=_fmt(decision),
            )
            request = " ".join(request.split()).replace(" ,", ",")
            if "{qty_n}" in template:
                quantity = qty_n
            elif "{qty}" not in template:
                quantity = None
            if kind_key == "psychotherapy":
                service = {"C": "Cognitive behavioral therapy", "B": "Biofeedback"}.get(
                    request[0], "Psychotherapy"
                )
            regions = body_regions(request)
            if (
                kind_key in ("pt", "chiro", "acu", "psychotherapy")
                and quantity
                and quantity >= 6
                and rng.random() < 0.06
            ):
                granted = quantity // 2
                base = " ".join(request.replace(qty_text, "").split()).rstrip(",")
                original = request
                authorized = f"{base} x{granted}"
                if rng.random() < 0.5:
                    request = f"{base} x{quantity - granted}"
                    quantity = quantity - granted
                else:
                    request = original
                request = " ".join(request.split())
        overturned = rng.random() < vocab.OVERTURN_RATE[category]
        reviewer_citations = self._citations(rng, category, kind_key, region, topic, year, True)
        ca_citations = self._citations(rng, category, kind_key, region, topic, year, False)
        item = {
            "number": number,
            "request": request,
            "original_request": original,
            "authorized": authorized,
            "outcome": "overturned" if overturned else "upheld",
            "category": category,
            "subcategory": subcategory,
            "service": service,
            "body_regions": regions,
            "quantity": quantity,
            "claims_administrator": {
                "basis": self._basis(rng, ca_citations, "The Claims Administrator"),
                "citations": ca_citations,
            },
            "reviewer": {
                "basis": self._basis(rng, reviewer_citations, "The Expert Reviewer"),
                "citations": reviewer_citations,
            },
        }
        # After the bases, as before: the same draws in the same order give the same letters.
        item["rationale"], item["reasons"] = self._rationale(
            rng, request, topic, overturned, decision
        )
        return item

    # --- Guidelines ----------
    def _citations(self, rng, category, kind, region, topic, year, reviewer: bool) -> list[dict]:
        if rng.random() < (0.05 if reviewer else 0.3):
            return []
        citations = []
        for _ in range(2 if rng.random() < 0.15 else 1):
            citation = self._citation(rng, category, kind, region, topic, year)
            if all(c["document"] != citation["document"] for c in citations):
                citations.append(citation)
        return citations

    def _citation(self, rng, category, kind, region, topic, year) -> dict:
        source = PICK_SOURCE(rng)
        chapter = pages = edition = None
        section = topic if rng.random() < 0.8 else None
        if source == "MTUS":
            if kind == "acu":
                document, edition = "Acupuncture Medical Treatment Guidelines", 2007
            elif category == "Surgery" and rng.random() < 0.5:
                document, edition = "Postsurgical Treatment Guidelines", 2009
            elif category == "Psych Services" and rng.random() < 0.5:
                document, chapter, edition = "Stress Related Conditions", 15, 2004
            elif kind == "drug" and year >= 2018 and rng.random() < 0.35:
                document = _choice(rng, ("Drug Formulary", "Opioids Treatment Guidelines"))
            elif region in vocab.ACOEM_CHAPTER and (
                category in ("Diagnostic Testing", "Surgery", "DMEPOS") or rng.random() < 0.2
            ):
                document, chapter = vocab.ACOEM_CHAPTER[region]
                edition = 2004 if chapter != 10 else 2007
            elif rng.random() < 0.04:
                document = "General Approaches"
            else:
                document = "Chronic Pain Medical Treatment Guidelines"
                edition = 2016 if year >= 2016 else 2009
                if rng.random() < 0.3:
                    pages = _choice(rng, ("78-80", "111-113", "63-66", "98-99", "122", "46"))
        elif source == "ODG":
            document = vocab.ODG_CHAPTER.get(region, "Pain") if kind != "drug" else "Pain"
            if category == "Psych Services":
                document = "Mental Illness and Stress"
            elif kind in ("pt", "chiro") and rng.random() < 0.3:
                document = "Preface"
        elif source == "ACOEM":
            document = _choice(rng, vocab.ACOEM_OUTSIDE)
        elif source == "AMA Guides":
            document, section = vocab.AMA_DOCUMENT, None
        else:
            document, section = PICK_OTHER_DOC(rng), None
        return {
            "source": source,
            "document": document,
            "chapter": chapter,
            "section": section,
            "pages": pages,
            "year": edition if rng.random() < 0.8 else None,
        }

    @staticmethod
    def _basis(rng, citations: list[dict], who: str) -> str:
        if not citations:
            return f"{who} did not cite any medical evidence for its decision."
        parts = []
        for c in citations:
            if c["source"] == "MTUS":
                text = f"Decision based on MTUS {c['document']}"
                if c["year"]:
                    text += f" {c['year']}"
                if c["section"]:
                    text += f", Section(s): {c['section']}"
                if c["pages"]:
                    text += f", Page(s): {c['pages']}"
            elif c["source"] == "ODG":
                text = (
                    f"{who} based their decision on recommendation(s) outside of the MTUS "
                    f"Guidelines. Decision based on Non-MTUS Citation Official Disability "
                    f"Guidelines (ODG) {c['document']} Chapter"
                )
                if c["section"]:
                    text += f", {c['section']}"
            elif c["source"] == "ACOEM":
                text = f"Decision based on Non-MTUS Citation ACOEM, {c['document']}"
            elif c["source"] == "AMA Guides":
                text = f"Decision based on Non-MTUS Citation {c['document']}, 5th Edition"
            else:
                text = f"Decision based on Non-MTUS Citation {c['document'] or 'the literature'}"
            parts.append(text + ".")
        return " ".join(parts)

    # --- Free text ----------
    def _fill(self, rng, template: str, **extra) -> str:
        fields = _FIELDS.get(template)
        if fields is None:
            fields = _FIELDS[template] = tuple(
                name for _, name, _, _ in _FORMATTER.parse(template) if name
            )
        if not fields:
            return template
        values = {}
        for name in fields:
            if name in extra:
                values[name] = extra[name]
            elif name not in values:
                values[name] = _DRAW[name](rng)
        text = template.format(**values)
        if "{" in text:  # findings and complaints carry {side} / {region} of their own
            text = text.replace("{side}", _choice(rng, ("right", "left", "bilateral")))
            text = text.replace("{region}", _choice(rng, _REGIONS4))
        return text

    def _rationale(self, rng, request, topic, overturned, decision) -> tuple[str, list[dict]]:
        """The rationale, and its decisive reasons (``vocab.REASON_CODES``: each code once, with
        the sentence giving it first)."""
        date = _fmt(decision - dt.timedelta(days=rng.randint(20, 120)))
        topic_l = topic[0].lower() + topic[1:] if topic else "the requested treatment"
        parts = [
            f"{_choice(rng, vocab.GUIDE_PHRASES)} "
            + self._fill(rng, _choice(rng, vocab.RECOMMEND), topic=topic_l)
            + "."
        ]
        if rng.random() < 0.35:
            parts.append(
                f"{_choice(rng, vocab.GUIDE_PHRASES)} also "
                + self._fill(rng, _choice(rng, vocab.RECOMMEND), topic=topic_l)
                + "."
            )
        for _ in range(rng.randint(1, 3)):
            parts.append(self._fill(rng, _choice(rng, vocab.FACTS), date=date))
        pool = vocab.OVERTURNED_REASONS if overturned else vocab.UPHELD_REASONS
        reasons: dict[str, str] = {}
        for _ in range(rng.randint(1, 3)):
            template = _choice(rng, pool)
            sentence = self._fill(rng, template, topic=topic_l)
            parts.append(sentence)
            code = vocab.REASON_CODES[template]
            if code:
                reasons.setdefault(code, sentence)
        conclusions = vocab.OVERTURNED_CONCLUSIONS if overturned else vocab.UPHELD_CONCLUSIONS
        parts.append(
            _choice(rng, conclusions).format(
                request=request[:1].lower() + request[1:], topic=topic_l
            )
        )
        found = [{"code": code, "evidence": evidence} for code, evidence in reasons.items()]
        return " ".join(dict.fromkeys(parts)), found

    def _summary(self, rng, age, sex, injury, decision, items) -> str:
        parts = [
            _choice(rng, vocab.SUMMARY_OPENERS).format(
                age=age,
                sex=sex,
                doi=_short(injury, rng),
                occupation=_choice(rng, vocab.OCCUPATIONS),
            )
        ]
        date = decision - dt.timedelta(days=rng.randint(30, 120))
        for _ in range(rng.randint(4, 8)):
            parts.append(
                self._fill(rng, _choice(rng, vocab.SUMMARY_SENTENCES), date=_short(date, rng))
            )
        requests = ", ".join(item["request"] for item in items[:3])
        parts.append(f"The treating physician requested authorization for {requests}.")
        ur = decision - dt.timedelta(days=rng.randint(40, 90))
        parts.append(_choice(rng, vocab.UR_SENTENCES).format(date=_short(ur, rng)))
        return " ".join(dict.fromkeys(parts))

    # --- Text rendering ----------
    def render(self, letter: dict) -> str:
        """The letter as extracted text, with page furniture (contract section 2)."""
        style = letter["render"]
        rng = random.Random(style["seed"])
        width = style["width"]
        lines: list[str] = []
        if style["header"]:
            lines += [
                f"Case Number: {letter['case_number']}",
                f"Date Assigned: {_fmt(letter['date_assigned'])} "
                f"Date of Injury: {_fmt(letter['date_of_injury'])}",
                f"Decision Date: {_fmt(letter['decision_date'])} "
                f"UR Denial Date: {_fmt(letter['ur_denial_date'])}",
            ]
            priority = letter["priority"].capitalize()
            received = _fmt(letter["application_received"])
            if rng.random() < 0.8:
                lines += [f"Priority: {priority} Application ", "Received: ", received]
            else:
                lines.append(f"Priority: {priority} Application Received: {received}")
        reviewer = letter["reviewer"]
        prose = reviewer["role"] == "physician reviewer"
        lines.append("HOW THE IMR FINAL DETERMINATION WAS MADE")
        lines += wrap(_how_made(reviewer, rng), width)
        if not prose:
            lines.append("The Expert Reviewer has the following credentials:")
            sep = "," if rng.random() < 0.3 else ", "
            lines.append(f"State(s) of Licensure: {sep.join(reviewer['licensure'])}")
            lines.append(f"Certification(s)/Specialty: {', '.join(reviewer['specialties'])}")
        lines.append("CLINICAL CASE SUMMARY")
        lines += wrap(
            "The expert reviewer developed the following clinical case summary based on a "
            "review of the case file, including all medical records:",
            width,
        )
        lines += wrap(letter["clinical_summary"], width)
        lines.append("IMR ISSUES, DECISIONS AND RATIONALES")
        # Printed on one line in every published layout (wrapping it would glue it to the
        # first request).
        lines.append(
            "The Final Determination was based on decisions for the disputed items/services set "
            "forth below: "
        )
        for item in letter["items"]:
            outcome = item["outcome"].capitalize()
            if item["original_request"]:
                head = (
                    f"{item['original_request']} was the original request. "
                    + (
                        f"{item['authorized']} was authorized by the Claims Administrator. The "
                        f"remaining IMR eligible portion of the original request, {item['request']}"
                        if item["request"] != item["original_request"]
                        else f"The Claims Administrator authorized {item['authorized']}, leaving "
                        f"the original request IMR eligible. The original request, "
                        f"{item['original_request']}"
                    )
                    + (" is" if rng.random() < 0.8 else "")
                )
            else:
                head = item["request"]
            if rng.random() < 0.03:
                lines += wrap(f"{head}:", width)
                lines.append(outcome)
            else:
                lines += wrap(f"{head}: {outcome}", width)
            lines += wrap(
                f"Claims Administrator guideline: {item['claims_administrator']['basis']}", width
            )
            lines += wrap(f"MAXIMUS guideline: {item['reviewer']['basis']}", width)
            lines += wrap(f"Decision rationale: {item['rationale']}", width)
        return _furnish(lines, style, rng)


def _how_made(reviewer: dict, rng: random.Random) -> str:
    if reviewer["role"] == "physician reviewer":
        specialties = list(reviewer["specialties"])
        named = [_choice(rng, vocab.SPECIALTY_PROSE.get(s, (s,))) for s in specialties]
        states = reviewer["licensure"]
        where = states[0] if len(states) == 1 else ", ".join(states[:-1]) + " and " + states[-1]
        credential = f"The physician reviewer is Board Certified in {named[0]}"
        if len(named) > 1:
            credential += f", has a subspecialty in {', '.join(named[1:])}"
        credential += f" and is licensed to practice in {where}."
        who = "a physician reviewer"
    else:
        credential, who = "", "an expert reviewer"
    role = reviewer["role"]
    return (
        f"MAXIMUS Federal Services sent the complete case file to {who}. He/she has no "
        "affiliation with the employer, employee, providers or the claims administrator. "
        f"{credential} He/she has been in active clinical practice for more than five years and "
        f"is currently working at least 24 hours a week in active practice. The {role} was "
        "selected based on his/her clinical experience, education, background, and expertise in "
        "the same or similar specialties that evaluate and/or treat the medical condition and "
        "disputed items/Service. He/she is familiar with governing laws and regulations, "
        "including the strength of evidence hierarchy that applies to Independent Medical Review "
        "determinations."
    ).replace("  ", " ")


def wrap(text: str, width: int) -> list[str]:
    """Greedy wrap like the PDF extraction: lines end with a space; may break after a hyphen."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width)
        hyphen = text.rfind("-", 0, width)
        if hyphen > cut and hyphen > width - 12 and text[hyphen - 1].isalpha():
            lines.append(text[: hyphen + 1])
            text = text[hyphen + 1 :]
            continue
        if cut <= 0:
            cut = text.find(" ", width)
            if cut < 0:
                break
        lines.append(text[:cut] + " ")
        text = text[cut + 1 :]
    lines.append(text)
    return lines


def _furnish(lines: list[str], style: dict, rng: random.Random) -> str:
    """Page numbers every ~46 lines, double spacing, blank runs at page breaks."""
    out: list[str] = []
    page = 1
    per_page = 46 if not style["double_spaced"] else 23
    for n, line in enumerate(lines, 1):
        out.append(line)
        if style["double_spaced"]:
            out.append("")
        if n % per_page == 0 and n < len(lines):
            if style["page_numbers"]:
                out += ["", f"Page {page} of {len(lines) // per_page + 1}", "", ""]
            else:
                out += ["", "", ""]
            page += 1
    return "\n".join(out) + "\n"


# --- Command line ----------
def write_text(directory: Path, count: int, seed: int, start: int = 0) -> list[Path]:
    directory = refuse_repo_path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed, total=count)
    paths = []
    for index in range(start, start + count):
        letter = corpus.letter(index)
        path = directory / f"{letter['case_number']}.txt"
        path.write_text(corpus.render(letter), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--text", nargs=2, metavar=("DIR", "N"), help="write N text letters")
    group.add_argument("--load", type=int, metavar="N", help="bulk-load N letters (COPY)")
    group.add_argument("--stats", type=int, metavar="N", help="print proportions of N letters")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="index of the first letter")
    parser.add_argument("--jobs", type=int, default=2, help="generator processes for --load")
    parser.add_argument(
        "--no-letter-text",
        action="store_true",
        help="--load: leave Letter.text empty (about 40%% faster; the database is smaller)",
    )
    args = parser.parse_args(argv)
    if args.text:
        paths = write_text(Path(args.text[0]), int(args.text[1]), args.seed, args.start)
        print(f"wrote {len(paths)} letters to {refuse_repo_path(Path(args.text[0]))}")
    elif args.stats:
        print_stats(args.stats, args.seed, args.start)
    else:
        from bench.loader import load

        load(args.load, seed=args.seed, jobs=args.jobs, with_text=not args.no_letter_text)


def print_stats(count: int, seed: int, start: int = 0) -> None:
    from collections import Counter

    corpus = Corpus(seed, total=count)
    items = upheld = pharma = 0
    years: Counter = Counter()
    specialties: Counter = Counter()
    documents: Counter = Counter()
    max_items = 0
    for index in range(start, start + count):
        letter = corpus.letter(index)
        years[letter["decision_date"].year] += 1
        specialties[letter["reviewer"]["specialties"][0]] += 1
        max_items = max(max_items, len(letter["items"]))
        for item in letter["items"]:
            items += 1
            upheld += item["outcome"] == "upheld"
            pharma += item["category"] == "Pharmaceuticals"
            for c in item["reviewer"]["citations"]:
                documents[f"{c['source']}: {c['document']}"] += 1
    print(f"letters {count}, items {items} ({items / count:.2f} per letter, max {max_items})")
    print(f"upheld {upheld / items:.1%}, pharmaceuticals {pharma / items:.1%}")
    print("years:", dict(sorted(years.items())))
    print("top specialties:", specialties.most_common(8))
    print("top documents:", documents.most_common(8))


if __name__ == "__main__":
    main()
