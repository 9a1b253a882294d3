"""One spelling per guideline document (contract section 4.6; issue 17).

The MTUS documents and the ODG chapters are closed lists (``citations.py`` writes them in their
one spelling). The other sources' documents are written as the letter names them, so one
document reached the archive in several spellings ("Low Back Disorders" / "Low back
disorders"; "ACOEM", "ACOEM Practice Guidelines", "Occupational medicine practice guidelines").
``canonical_document(source, document)`` gives each its one spelling:

1. ``SPELLINGS``: a document of the table (any case, "&" for "and", punctuation and "'s"
   ignored, see ``_key``) or one of its listed variants is written as the table writes it;
2. otherwise an ACOEM title or an ODG chapter named outside the closed list is written in
   title case, as both publishers write their titles ("hip and groin disorders" -> "Hip and Groin
   Disorders"); words with a capital or a digit are kept ("MDA", "pH");
3. otherwise (Other, AMA Guides) the title stays as named, whitespace-normalised.

``site_of(address)`` is what an ``Other`` citation named only by a web address is called: the
site, the host without "www." (``www.mdguidelines.com`` -> ``mdguidelines.com``).

The table is built from what the letters cite: ``bench/guideline_census.py`` lists every
(source, document) the parser reads from the published letters in ``tests/assets``, with counts
(docs/parsing.md, "Guideline documents"). A new spelling of a known document is a variant in its
entry; a new document needs no entry unless the letters spell it in several ways that the rules
above do not bring together.
"""

from __future__ import annotations

import re

# (canonical spelling, variants), per source. Variants are compared by ``_key``.
SPELLINGS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "ACOEM": (
        # The practice guidelines as a whole (no chapter named): ACOEM's "Occupational Medicine
        # Practice Guidelines", spelled as the MTUS list spells it.
        (
            "ACOEM Practice Guidelines",
            (
                "ACOEM",
                "ACOEM Guidelines",
                "ACOEM Guideline",
                "ACOEM Practice Guideline",
                "ACOEM Occupational Medicine Practice Guidelines",
                "Occupational Medicine Practice Guidelines",
                "Occupational Medicine Practice Guideline",
                "American College of Occupational and Environmental Medicine",
                "American College of Occupational and Environmental Medicine (ACOEM)",
                "American College of Occupational and Environmental Medicine Practice Guidelines",
                "American College of Occupational and Environmental Medicine (ACOEM) Practice "
                "Guidelines",
            ),
        ),
        # Chapters of the editions cited outside the MTUS, as the letters name them.
        ("Low Back Disorders", ()),
        ("Shoulder Disorders", ()),
        ("Hip and Groin Disorders", ()),
        ("Independent Medical Examinations and Consultations", ()),
    ),
    "AMA Guides": (
        (
            "AMA Guides to the Evaluation of Permanent Impairment",
            ("Guides to the Evaluation of Permanent Impairment",),
        ),
    ),
    "Other": (
        ("Medical Disability Advisor (MDA)", ("Medical Disability Advisor",)),
        ("Sildenafil: Drug information", ()),
    ),
}
TITLE_CASED = frozenset({"ACOEM", "ODG"})  # sources whose open titles are written in title case

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "per"}
    | {"the", "to", "vs", "with", "without"}
)
_HOST = re.compile(r"^(?:https?://)?([^/?#\s:]+)", re.IGNORECASE)
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def _key(name: str) -> str:
    """What two spellings of one title share: lower case, "&" as "and", no punctuation."""
    name = _POSSESSIVE.sub("", name.casefold().replace("&", " and "))
    return _NON_WORD.sub(" ", name).strip()


_CANONICAL: dict[tuple[str, str], str] = {
    (source, _key(spelling)): canonical
    for source, entries in SPELLINGS.items()
    for canonical, variants in entries
    for spelling in (canonical, *variants)
}
assert len(_CANONICAL) == sum(1 + len(v) for e in SPELLINGS.values() for _, v in e), (
    "a spelling belongs to one document"
)


def _title_case(title: str) -> str:
    words = title.split(" ")
    cased = []
    for i, word in enumerate(words):
        if word.islower() and (i == 0 or word not in _SMALL_WORDS):
            j = next((k for k, ch in enumerate(word) if ch.isalpha()), 0)
            word = word[:j] + word[j].upper() + word[j + 1 :]
        cased.append(word)
    return " ".join(cased)


def canonical_document(source: str | None, document: str | None) -> str | None:
    """The one spelling of ``source``'s ``document`` (None stays None).

    >>> canonical_document("ACOEM", "Low back  disorders")
    'Low Back Disorders'
    >>> canonical_document("ACOEM", "Occupational medicine practice guidelines")
    'ACOEM Practice Guidelines'
    >>> canonical_document("Other", "Sildenafil: drug information")
    'Sildenafil: Drug information'
    """
    if document is None:
        return None
    document = _SPACES.sub(" ", document).strip()
    if not document:
        return None
    known = _CANONICAL.get((source or "", _key(document)))
    if known is not None:
        return known
    if source in TITLE_CASED:
        return _title_case(document)
    return document


def site_of(address: str) -> str | None:
    """The site of a web address: its host, lower case, without "www." (None if it has none).

    >>> site_of("https://www.cms.gov/Regulations-and-Guidance/R148CIM.pdf")
    'cms.gov'
    >>> site_of("www.mdguidelines.com.")
    'mdguidelines.com'
    """
    m = _HOST.match(address.strip())
    if not m:
        return None
    host = m.group(1).lower().rstrip(".")
    host = host.removeprefix("www.")
    return host if _DOMAIN.match(host) else None
