"""The field's language: abbreviations and synonyms a search expands (docs/search.md).

PostgreSQL's English stemmer knows none of them ("ESI" is not "epidural steroid injection"), and
managed servers take no synonym dictionary files, so ``determinations/search.py`` expands the
words of a query with this table before PostgreSQL sees them. The rules:

- Each group of ``SYNONYMS`` lists terms that mean the same thing; a query naming any term finds
  every term of its group (both directions). A term is matched on its words, case-insensitively,
  ignoring punctuation ("H-wave" = "h wave"); a query word may add a plural "s" ("MRIs").
- A term in several groups is a narrower name: it must match each group ("LESI" is lumbar and
  an ESI: items naming "LESI" or "lumbar ESI", not every ESI).
- A term written in capitals is an acronym: it also finds its plural, which the stemmer leaves
  alone ("MRIs" is indexed as ``mris``, "MRI" as ``mri``). ``MATCH_CASE`` terms are also English
  words, so only their capitals count ("IF unit" is interferential, "if" is not).
- A slashed name ("EMG/NCV", "hydrocodone/apap") is one indexed word, so it is listed whole.
- Drugs come from the parser's table (``parsing/vocab/drugs.py``): a brand or generic name finds
  every name of its drug, and an ingredient also finds the combinations containing it
  ("hydrocodone" finds Norco, written "hydrocodone/acetaminophen").
- ``STEM_TRAPS``: a word whose stem collides with another's ("aide" and "aids" both index as
  ``aid``) leaves out the colliding phrase ("aide" finds no "hearing aids").
"""

from __future__ import annotations

import re
from functools import cache

from .parsing.vocab.drugs import names_by_generic

# fmt: off
SYNONYMS: tuple[tuple[str, ...], ...] = (
    # Injections and procedures
    ("ESI", "epidural steroid injection", "epidural injection", "LESI", "CESI", "TFESI"),
    ("LESI", "lumbar epidural steroid injection", "lumbar ESI", "lumbar epidural injection"),
    ("CESI", "cervical epidural steroid injection", "cervical ESI", "cervical epidural injection"),
    ("TFESI", "transforaminal epidural steroid injection", "transforaminal ESI",
     "transforaminal epidural injection"),
    ("TPI", "trigger point injection"),
    ("RFA", "radiofrequency ablation", "radio frequency ablation", "radiofrequency neurotomy",
     "radiofrequency rhizotomy"),
    ("MBB", "medial branch block"),
    ("PRP", "platelet rich plasma"),
    ("SCS", "spinal cord stimulator", "spinal cord stimulation"),
    ("ESWT", "extracorporeal shockwave therapy", "extracorporeal shock wave therapy"),
    ("ACDF", "anterior cervical discectomy and fusion"),
    ("ORIF", "open reduction internal fixation", "open reduction and internal fixation"),
    ("TKA", "TKR", "total knee arthroplasty", "total knee replacement"),
    ("THA", "THR", "total hip arthroplasty", "total hip replacement"),
    # Imaging and tests
    ("MRI", "magnetic resonance imaging"),
    ("CT", "computed tomography", "computerized tomography", "CAT scan"),
    ("EMG", "electromyography", "electromyogram", "EMG/NCV", "EMG/NCS", "NCV/EMG", "NCS/EMG"),
    ("NCV", "NCS", "nerve conduction velocity", "nerve conduction study", "NCV/NCS", "NCS/NCV",
     "EMG/NCV", "EMG/NCS", "NCV/EMG", "NCS/EMG"),
    ("UDS", "UDT", "urine drug screen", "urine drug test", "urine toxicology screen"),
    ("FCE", "functional capacity evaluation"),
    ("ECG", "EKG", "electrocardiogram"),
    # Therapies and programs
    ("FRP", "functional restoration program"),
    ("TENS", "transcutaneous electrical nerve stimulation"),
    ("IF", "interferential"),
    ("H-wave", "H wave"),
    ("PT", "physical therapy", "physiotherapy"),
    ("OT", "occupational therapy"),
    ("CBT", "cognitive behavioral therapy", "cognitive behavioural therapy"),
    ("HEP", "home exercise program"),
    ("CPM", "continuous passive motion"),
    # Equipment, drugs and conditions
    ("DME", "durable medical equipment"),
    ("LSO", "lumbar sacral orthosis", "lumbosacral orthosis"),
    ("NSAID", "nonsteroidal anti-inflammatory drug", "nonsteroidal anti inflammatory drug",
     "non-steroidal anti-inflammatory drug"),
    ("PPI", "proton pump inhibitor"),
    ("CRPS", "complex regional pain syndrome", "RSD", "reflex sympathetic dystrophy"),
    ("DVT", "deep vein thrombosis", "deep venous thrombosis"),
    ("ADL", "activities of daily living"),
)
# fmt: on

# Acronyms that are also English (stop) words: only typed in capitals do they mean the acronym.
MATCH_CASE = frozenset({"IF"})

# A word whose stem collides with another word's -> the colliding phrase to leave out.
STEM_TRAPS: dict[str, str] = {"aide": "hearing aid"}

_TOKEN = re.compile(r"[a-z0-9]+")
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]*[A-Z]")


def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text`` as the table matches them: lower case, punctuation ignored."""
    return tuple(_TOKEN.findall(text.lower()))


def is_acronym(term: str) -> bool:
    """A term in capitals (``MRI``, ``TENS``): the stemmer leaves its plural alone."""
    return bool(_ACRONYM.fullmatch(term))


def _pruned(terms: list[str]) -> tuple[str, ...]:
    """The terms without those that contain another as a run of words (a hit of "lidocaine
    patch" is a hit of "lidocaine"); slashed terms are one indexed word and always kept."""
    unique = list(dict.fromkeys(terms))
    plain = [tokens(t) for t in unique if "/" not in t]

    def covered(term: str) -> bool:
        words = tokens(term)
        return "/" not in term and any(
            other != words
            and len(other) < len(words)
            and any(words[i : i + len(other)] == other for i in range(len(words)))
            for other in plain
        )

    return tuple(t for t in unique if not covered(t))


@cache
def _index() -> tuple[dict[tuple[str, ...], list[tuple[str, ...]]], int]:
    """Words of a term -> its meanings (each a tuple of terms to OR); the longest term's length."""
    index: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for group in SYNONYMS:
        meaning = _pruned(list(group))
        for term in group:
            if term in MATCH_CASE:
                continue
            found = index.setdefault(tokens(term), [])
            if meaning not in found:
                found.append(meaning)
    drugs: dict[tuple[str, ...], list[str]] = {}
    for generic, names in names_by_generic().items():
        for name in names:
            drugs.setdefault(tokens(name), []).extend(names)
        if "/" in generic:
            for ingredient in generic.split("/"):
                drugs.setdefault(tokens(ingredient), [ingredient]).extend(names)
    for key, names in drugs.items():
        index.setdefault(key, []).append(_pruned(names))
    return index, max(len(key) for key in index)


def longest_term() -> int:
    """The most words a term has: how far a query's words are looked ahead."""
    return _index()[1]


def meanings(words: tuple[str, ...], *, typed: str = "") -> list[tuple[str, ...]] | None:
    """What the query words ``words`` (from ``tokens``) name: each meaning a tuple of terms that
    all name it, to be ORed; several meanings are ANDed. None when the table has no such term.
    ``typed`` is the text as typed, for ``MATCH_CASE`` acronyms. The last word may be a plural."""
    if typed in MATCH_CASE:
        return [next(_pruned(list(g)) for g in SYNONYMS if typed in g)]
    index = _index()[0]
    found = index.get(words)
    if found is None and words and words[-1].endswith("s") and len(words[-1]) > 2:
        found = index.get((*words[:-1], words[-1][:-1]))
    return found


def stem_trap(words: tuple[str, ...]) -> str | None:
    """The phrase to leave out when ``words`` is one word of ``STEM_TRAPS`` (or its plural)."""
    if len(words) != 1:
        return None
    word = words[0]
    return STEM_TRAPS.get(word) or (STEM_TRAPS.get(word[:-1]) if word.endswith("s") else None)
