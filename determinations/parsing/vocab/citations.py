"""Guideline citations in a basis text (contract sections 3 and 4.6).

``parse_citations(basis)`` reads the text after "Claims Administrator guideline:" or "MAXIMUS
guideline:" (already unwrapped) and returns one citation per document named, in order:
``{"source", "document", "chapter", "section", "pages", "year"}``.

A basis is a run of sentences "Decision based on MTUS ..." and "Decision based on Non-MTUS
Citation ...". An MTUS sentence names MTUS documents (the Chronic Pain, Acupuncture, Opioids and
Postsurgical guidelines, the Drug Formulary, the ACOEM chapters adopted in the MTUS); each
starts a citation when it opens the sentence or follows a comma, "and", a period or a semicolon;
once a citation has reached "Section(s):" only ", and", ";" or a sentence end starts the next,
so words inside a section ("TENS, chronic pain") stay in it. A Non-MTUS sentence is split where
a guideline title starts (Official Disability Guidelines/ODG, ACOEM, AMA Guides, "Other Medical
Treatment Guidelines", a web address); an ODG citation is split again per chapter named.
Every document is then written in its one spelling (``documents.canonical_document``); an
``Other`` citation named only by a web address is called by its site (``documents.site_of``).
"""

from __future__ import annotations

import re
from typing import Any

from .documents import canonical_document, site_of

Citation = dict[str, Any]

_SPACES = re.compile(r"\s+")
_NO_EVIDENCE = re.compile(r"did\s+not\s+cite\s+any\s+medical\s+evidence", re.IGNORECASE)
_SEGMENT = re.compile(
    r"\bDecision\s+based\s+on\s+(?:the\s+)?(?:(?P<non>Non[\s-]*MTUS)(?:\s+Citations?)?|MTUS)\b"
    r"\s*(?:guidelines?\b)?\s*[:,]?\s*",
    re.IGNORECASE,
)
_FALLBACK_MTUS = re.compile(r"\bMTUS\b\s*[:,]?\s*", re.IGNORECASE)

# California regulation numbers ("9792.24.1", "section 9792.20(e)") are neither section nor pages.
_REGULATION = re.compile(
    r"(?:,?\s*(?:(?:CCR|C\.C\.R\.)\s*)?(?:sections?|§+)\s*)?\b97\d\d\.\d+(?:\.\d+)*"
    r"(?:\s*\([a-z0-9]+\))*\.?",
    re.IGNORECASE,
)
_PART_OF_MTUS = re.compile(
    r",?\s*(?:which|that)\s+(?:is|are)\s+(?:a\s+)?part\s+of\s+(?:the\s+)?MTUS\b", re.IGNORECASE
)
_PAGES = re.compile(
    r"\b(?:page\s*\(s\)|pages?|pgs?|pp|p)\.?\s*:?\s*"
    r"(\d+(?:\s*(?:-|\u2013|to|,|&|and)\s*\d+)*)(?![\w.-]*\d)",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_YEAR_AFTER_NAME = re.compile(
    r"^\s*,?\s*\(?\s*(?:(?:effective|updated|revised)\s+)?(?:" + _MONTH + r"\s+(?:\d{1,2},?\s+)?)?"
    r"((?:19|20)\d\d)\b(?![/\d])\s*\)?",
    re.IGNORECASE,
)
_SECTION_LABEL = re.compile(r"\bsections?\s*(?:\(s\))?\s*:\s*", re.IGNORECASE)
_EDGE = re.compile(r"^[\s,.;:\-\u2013/]+|[\s,;:\-\u2013/]+$")
_LEADING_WORDS = re.compile(
    r"^(?:(?:chapter|section|topic|guidelines?)\b\s*(?:on\b)?\s*[,.;:\-\u2013/]*\s*)+",
    re.IGNORECASE,
)
_TRAILING_AND = re.compile(r"(?:^|[\s,;]+)(?:and|&)$", re.IGNORECASE)
_LEADING_AND = re.compile(r"^(?:and|&)(?:\s+|$)", re.IGNORECASE)
_TRAILING_DOT = re.compile(r"\s*\.$")


def _clean(text: str) -> str | None:
    text = _EDGE.sub("", text)
    text = _LEADING_WORDS.sub("", text)
    text = _LEADING_AND.sub("", text)
    text = _TRAILING_AND.sub("", text)
    text = _TRAILING_DOT.sub("", text)
    text = _EDGE.sub("", text)
    return text or None


def _citation(
    source: str,
    document: str | None,
    chapter: int | None = None,
    section: str | None = None,
    pages: str | None = None,
    year: int | None = None,
) -> Citation:
    return {
        "source": source,
        "document": document,
        "chapter": chapter,
        "section": section,
        "pages": pages,
        "year": year,
    }


def _year_pages_section(tail: str) -> tuple[int | None, str | None, str | None]:
    """Year right after the name, pages anywhere, section: the rest (or after "Section(s):")."""
    year = None
    m = _YEAR_AFTER_NAME.match(tail)
    if m:
        year = int(m.group(1))
        tail = tail[m.end() :]
    pages = None
    m = _PAGES.search(tail)
    if m:
        pages = _SPACES.sub(" ", m.group(1))
        tail = tail[: m.start()] + " , " + tail[m.end() :]
    m = _SECTION_LABEL.search(tail)
    if m:
        tail = tail[m.end() :]
    return year, pages, _clean(tail)


# --- MTUS ----------------------------------------------------------------------------------

_ACOEM_CHAPTERS = {
    8: "Neck and Upper Back Complaints",
    9: "Shoulder Complaints",
    10: "Elbow Complaints",
    11: "Forearm, Wrist, and Hand Complaints",
    12: "Low Back Complaints",
    13: "Knee Complaints",
    14: "Ankle and Foot Complaints",
    15: "Stress Related Conditions",
    16: "Eye",
}
_GENERAL_APPROACHES = "General Approaches"
_CHAPTER_WORD = r"\s+(?:complaints|chapter|disorders)"
# (document, chapter, pattern); ACOEM chapters carry their number.
_MTUS_DOCUMENTS: list[tuple[str, int | None, str]] = [
    (
        "Chronic Pain Medical Treatment Guidelines",
        None,
        r"chronic\s+pain(?:\s+medical)?(?:\s+treatment)?(?:\s+guidelines?)?(?:\s*\(cpmtg\))?",
    ),
    (
        "Acupuncture Medical Treatment Guidelines",
        None,
        r"acupuncture(?:\s+medical)?\s+(?:treatment(?:\s+guidelines?)?|guidelines?)",
    ),
    ("Opioids Treatment Guidelines", None, r"opioids?\s+treatment(?:\s+guidelines?)?"),
    (
        "Postsurgical Treatment Guidelines",
        None,
        r"post[\s-]*surgical(?:\s+treatment)?(?:\s+guidelines?)?",
    ),
    ("Drug Formulary", None, r"(?:mtus\s+)?drug\s+formulary|formulary"),
    (_GENERAL_APPROACHES, None, r"general\s+approach(?:es)?(?:\s+chapter)?"),
    (_ACOEM_CHAPTERS[8], 8, r"neck\s*(?:and|&)\s*upper\s+back(?:" + _CHAPTER_WORD + r")?"),
    (_ACOEM_CHAPTERS[9], 9, r"shoulder" + _CHAPTER_WORD),
    (_ACOEM_CHAPTERS[10], 10, r"elbow" + _CHAPTER_WORD),
    (
        _ACOEM_CHAPTERS[11],
        11,
        r"(?:forearm,?\s*)?wrist,?\s*(?:and|&)\s*hand" + r"(?:" + _CHAPTER_WORD + r")?",
    ),
    (_ACOEM_CHAPTERS[12], 12, r"low(?:er)?\s*back" + _CHAPTER_WORD),
    (_ACOEM_CHAPTERS[13], 13, r"knee" + _CHAPTER_WORD),
    (_ACOEM_CHAPTERS[14], 14, r"ankle\s*(?:and|&)\s*foot(?:" + _CHAPTER_WORD + r")?"),
    (_ACOEM_CHAPTERS[15], 15, r"stress[\s-]*related\s+conditions(?:\s+chapter)?"),
    (_ACOEM_CHAPTERS[16], 16, r"eye(?:" + _CHAPTER_WORD + r")?"),
]
_MTUS_TOKEN = re.compile(
    r"\b(?:(?P<acoem>ACOEM(?:'s)?(?:\s+(?:occupational\s+medicine\s+)?practice\s+guidelines?"
    r"|\s+guidelines?)?)|(?P<chapter>(?:chapter|ch\.)\s*(?P<number>\d{1,2}))\b"
    + "".join(f"|(?P<d{i}>{pattern})" for i, (_, _, pattern) in enumerate(_MTUS_DOCUMENTS))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_JOIN = re.compile(r"^[\s,:;()\-\u2013]*$")
_BOUNDARY = re.compile(r"(?:^|[,;.:]|\band)\s*$", re.IGNORECASE)
_STRONG_BOUNDARY = re.compile(r"(?:^|,\s*and|[;.]|\band\s+in|\bas\s+well\s+as)\s*$", re.IGNORECASE)
_ODG_NAME = r"official\s+disability\s+guidelines?|ODG"
_ODG_START = re.compile(rf"\b(?:{_ODG_NAME})\b", re.IGNORECASE)
# Titles that are never part of the MTUS: inside an MTUS sentence they start a Non-MTUS basis.
_OUTSIDE_MTUS = re.compile(rf"\b(?:{_ODG_NAME}|AMA\s+Guides?)\b", re.IGNORECASE)
# "..., and Non-MTUS Citation ODG ..." inside an MTUS sentence: the rest is a Non-MTUS basis.
_NON_MTUS_MARK = re.compile(r"\bNon[\s-]*MTUS\b(?:\s+Citations?\b)?\s*[:,]?\s*", re.IGNORECASE)
# A name token repeated after "MTUS" ("...; MTUS Postsurgical ...") starts a citation like one
# after the punctuation alone.
_MTUS_PREFIX = re.compile(r"\bMTUS\s*[:,]?\s*$", re.IGNORECASE)
# An edition and/or its year between "ACOEM" and "Chapter N" ("ACOEM Practice Guidelines, 2nd
# Edition (2004), Chapter 7"): the chapter belongs to that citation, the year is its year.
_EDITION_JOIN = re.compile(
    r"^[\s,]*(?:(?:\d+(?:st|nd|rd|th)|first|second|third)\s+ed(?:ition|\.)?\b)?[\s,]*"
    r"(?:\(\s*((?:19|20)\d\d)\s*\)|((?:19|20)\d\d))?[\s,:;\-\u2013]*$",
    re.IGNORECASE,
)
# A bare "chronic pain" repeating the document being read is a topic word ("TENS, chronic
# pain"), unless a year or "Section(s):" follows it.
_BARE_CHRONIC_PAIN = re.compile(r"^chronic\s+pain$", re.IGNORECASE)
_CITATION_FOLLOWS = re.compile(
    r"^\s*,?\s*(?:\(?\s*(?:" + _MONTH + r"\s+)?(?:19|20)\d\d|sections?\b)",
    re.IGNORECASE,
)


_ACOEM_CHAPTER_DOCUMENTS = frozenset([*_ACOEM_CHAPTERS.values(), _GENERAL_APPROACHES])


class _Group:
    """One MTUS citation being read: its name tokens ("ACOEM", "Chapter 8", a document)."""

    __slots__ = ("chapter", "chapter_stated", "document", "end", "is_acoem", "start", "year")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.document: str | None = None
        self.chapter: int | None = None
        self.chapter_stated = False
        self.is_acoem = False
        self.year: int | None = None

    def takes(self, kind: str, document: str | None) -> bool:
        """Whether an adjacent token belongs to this citation ("ACOEM Chapter 8 Neck ...")."""
        acoem_chapter = self.is_acoem or self.chapter is not None
        if kind == "chapter":
            return not self.chapter_stated and (
                self.is_acoem or self.document in _ACOEM_CHAPTER_DOCUMENTS
            )
        if document is not None:
            return self.document is None and acoem_chapter and document in _ACOEM_CHAPTER_DOCUMENTS
        return False

    def add(self, kind: str, document: str | None, chapter: int | None, end: int) -> None:
        self.end = end
        if kind == "acoem":
            self.is_acoem = True
        elif kind == "chapter":
            self.chapter = chapter
            self.chapter_stated = True
        else:
            self.document = document
            if not self.chapter_stated:
                self.chapter = chapter


def _mtus_groups(text: str) -> list[_Group]:
    groups: list[_Group] = []
    current: _Group | None = None
    for m in _MTUS_TOKEN.finditer(text):
        kind = m.lastgroup or ""
        document, chapter = None, None
        if kind.startswith("d"):
            document, chapter, _ = _MTUS_DOCUMENTS[int(kind[1:])]
            kind = "document"
        elif kind == "chapter":
            chapter = int(m.group("number"))
        if current is not None:
            before = text[current.end : m.start()]
            if _JOIN.match(before) and current.takes(kind, document):
                current.add(kind, document, chapter, m.end())
                continue
            edition = _EDITION_JOIN.match(before)
            if (
                edition
                and kind == "chapter"
                and current.is_acoem
                and current.document is None
                and current.takes(kind, document)
            ):
                year = edition.group(1) or edition.group(2)
                current.year = int(year) if year else None
                current.add(kind, document, chapter, m.end())
                continue
            if (
                document is not None
                and document == current.document
                and _BARE_CHRONIC_PAIN.match(m.group(0))
                and not _CITATION_FOLLOWS.match(text[m.end() :])
            ):
                continue
            stripped = _MTUS_PREFIX.sub("", before)
            in_section = bool(_SECTION_LABEL.search(stripped))
            boundary = _STRONG_BOUNDARY if in_section else _BOUNDARY
            if not boundary.search(stripped):
                continue
            start = m.start() - (len(before) - len(stripped))
        else:
            start = m.start()
        current = _Group(start, m.end())
        current.add(kind, document, chapter, m.end())
        groups.append(current)
    return groups


def _parse_mtus(text: str) -> list[Citation]:
    text = _PART_OF_MTUS.sub("", _REGULATION.sub(" ", text))
    rest = ""
    mark = _NON_MTUS_MARK.search(text)
    if mark:
        text, rest = text[: mark.start()], text[mark.end() :]
    else:
        outside = _OUTSIDE_MTUS.search(text)
        if outside:
            text, rest = text[: outside.start()], text[outside.start() :]
    groups = _mtus_groups(text)
    citations: list[Citation] = []
    for i, group in enumerate(groups):
        end = groups[i + 1].start if i + 1 < len(groups) else len(text)
        tail = text[group.end : end]
        year, pages, section = _year_pages_section(tail)
        year = year or group.year
        document, chapter = group.document, group.chapter
        if document is None:
            if chapter is not None and chapter in _ACOEM_CHAPTERS:
                document = _ACOEM_CHAPTERS[chapter]
            elif chapter is not None and 1 <= chapter <= 7:
                document = _GENERAL_APPROACHES
            else:
                document = "ACOEM Practice Guidelines"
        citations.append(_citation("MTUS", document, chapter, section, pages, year))
    if not groups and _clean(text):
        year, pages, section = _year_pages_section(text)
        citations.append(_citation("MTUS", None, None, section, pages, year))
    if rest:
        citations.extend(_parse_non_mtus(rest))
    return citations


# --- ODG -----------------------------------------------------------------------------------

_ODG_CHAPTERS: list[tuple[str, str]] = [
    (
        "Low Back",
        r"low(?:er)?[\s-]*back(?:\s*(?:[-\u2013,/&]|and)?\s*(?:lumbar|thoracic)"
        r"(?:\s*(?:&|and)\s*(?:lumbar|thoracic))?)?|lumbar\s*(?:&|and)\s*thoracic",
    ),
    ("Neck and Upper Back", r"neck\s*(?:and|&)\s*upper\s*back|neck"),
    ("Forearm, Wrist and Hand", r"forearm,?\s*wrist,?\s*(?:and|&)\s*hand|forearm|wrist|hand"),
    ("Hip and Pelvis", r"hips?\s*(?:and|&)\s*pelvis|hips?|pelvis"),
    ("Knee and Leg", r"knees?\s*(?:and|&)\s*legs?|knees?"),
    ("Ankle and Foot", r"ankles?\s*(?:and|&)\s*foot|ankles?|foot"),
    ("Mental Illness and Stress", r"mental\s+illness\s*(?:and|&)\s*stress|mental\s+illness|stress"),
    ("Carpal Tunnel Syndrome", r"carpal\s+tunnel\s+syndrome"),
    ("Fitness for Duty", r"fitness\s+for\s+duty"),
    ("Pain", r"(?:chronic\s+)?pain"),
    ("Shoulder", r"shoulders?"),
    ("Elbow", r"elbows?"),
    ("Head", r"head"),
    ("Preface", r"preface"),
    ("Hernia", r"hernia"),
    ("Eye", r"eyes?"),
    ("Burns", r"burns"),
    ("Pulmonary", r"pulmonary"),
    ("Diabetes", r"diabetes"),
]
_ODG_CHAPTER = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<c{i}>{pattern})" for i, (_, pattern) in enumerate(_ODG_CHAPTERS))
    + r")(?=\s*(?:$|[,.;:/(\-\u2013]|chapters?\b|sections?\b|official\b|odg\b|topic\b))",
    re.IGNORECASE,
)
# A body part run straight into its topic, without punctuation ("ODG Knee MRI"): that body part's
# chapter, the rest its section. Tried only at the start, when no chapter is set off otherwise.
_ODG_CHAPTER_THEN_TOPIC = re.compile(
    r"(?:"
    + "|".join(f"(?P<c{i}>{pattern})" for i, (_, pattern) in enumerate(_ODG_CHAPTERS))
    + r")(?=\s+(?!(?:guidelines?|chapters?|sections?|management|related)\b)[a-z])",
    re.IGNORECASE,
)
_ODG_TITLE = re.compile(
    r"(?:official\s+disability\s+guidelines?|\bODG\b)(?:\s*\(\s*ODG\s*\))?"
    r"(?:\s*[-\u2013]?\s*(?:TWC|treatment\s+in\s+workers'?\s*comp(?:ensation)?|integrated\s+treatment"
    r"/disability\s+duration\s+guidelines))*",
    re.IGNORECASE,
)
_ODG_DECORATION = re.compile(
    r"\(\s*(?:acute|chronic|updated|last\s+updated|revised|online|current|thoracic|lumbar|"
    r"trauma|not\s+including)[^)]*\)|\b(?:(?:last\s+)?updated|revised)\s*:?\s*"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\(?\b(?:online|current)\s+version\)?",
    re.IGNORECASE,
)
_ODG_LEAD = re.compile(r"^[\s,:;\-\u2013]*(?:chapters?\s*:?\s*)?", re.IGNORECASE)
_PREFACE_TOPIC = re.compile(
    r"^(?:the\s+)?(?:physical\s+therapy|chiropractic|physical\s+medicine)"
    r"(?:\s*(?:and|&|/)\s*(?:physical\s+therapy|chiropractic|physical\s+medicine))*"
    r"\s+guidelines?\b",
    re.IGNORECASE,
)
_NAMED_CHAPTER = re.compile(
    r"^([A-Za-z][\w ,&'/-]*?)\s*(?:\(\s*acute\s*(?:&|and)\s*chronic\s*\)|\bchapter\b)",
    re.IGNORECASE,
)
# A parenthesised year closing an ODG topic is the topic's update, not part of it:
# "Platelet-rich plasma (2016)" -> "Platelet-rich plasma" (ODG years stay null).
_ODG_SECTION_YEAR = re.compile(r"\s*\((?:19|20)\d\d\)$")
_AFTER_CHAPTER_BOUNDARY = re.compile(r"(?:[,;/.]|\band)\s*$", re.IGNORECASE)


def _odg_chapter_name(match: re.Match[str]) -> str:
    return _ODG_CHAPTERS[int((match.lastgroup or "c0")[1:])][0]


def _parse_odg(body: str) -> list[Citation]:
    raw = _ODG_LEAD.sub("", body)
    text = _ODG_DECORATION.sub(" ; ", raw)
    text = _ODG_LEAD.sub("", text)
    matches: list[re.Match[str]] = []
    for m in _ODG_CHAPTER.finditer(text):
        if matches:
            previous = matches[-1]
            if _odg_chapter_name(m) == _odg_chapter_name(previous):
                continue
            if not _AFTER_CHAPTER_BOUNDARY.search(text[previous.end() : m.start()]):
                continue
        matches.append(m)
    if not matches:
        loose = _ODG_CHAPTER_THEN_TOPIC.match(text)
        if loose:
            matches.append(loose)
    if not matches:
        m = _PREFACE_TOPIC.match(text)
        if m:
            return [_citation("ODG", "Preface", section=_clean(text[m.end() :]))]
        named = _NAMED_CHAPTER.match(raw)
        if named and _clean(named.group(1)):
            rest = _ODG_DECORATION.sub(" ; ", raw[named.end() :])
            year, pages, section = _year_pages_section(rest)
            return [_citation("ODG", _clean(named.group(1)), None, section, pages, year)]
        year, pages, section = _year_pages_section(text)
        return [_citation("ODG", None, None, section, pages, year)]
    citations = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        year, pages, section = _year_pages_section(text[m.end() : end])
        if i == 0:
            before = _clean(text[: m.start()])
            if before and not section:
                section = before  # "MRI shoulder", "physical therapy, elbow chapter"
        if section:
            section = _ODG_SECTION_YEAR.sub("", section) or None
        citations.append(_citation("ODG", _odg_chapter_name(m), None, section, pages, year))
    return citations


# --- Other sources -------------------------------------------------------------------------

_ACOEM_TITLE = re.compile(
    r"\bACOEM(?:'s)?(?:\s*\((?:american\s+college[^)]*)\))?(?:\s+occupational\s+medicine)?"
    r"(?:\s+practice)?(?:\s+guidelines?)?|\bamerican\s+college\s+of\s+occupational\s+and\s+"
    r"environmental\s+medicine(?:\s*\(ACOEM\))?(?:\s+practice\s+guidelines?)?|"
    r"\boccupational\s+medicine\s+practice\s+guidelines?",
    re.IGNORECASE,
)
_AMA_TITLE = re.compile(
    r"\bAMA\s+Guides?\b(?:\s+to\s+the\s+evaluation\s+of\s+permanent\s+impairment)?|"
    r"\bguides\s+to\s+the\s+evaluation\s+of\s+permanent\s+impairment",
    re.IGNORECASE,
)
_OTHER_TITLE = re.compile(
    r"\bother\s+medical\s+treatment\s+guidelines?(?:\s+or\s+medical\s+evidence)?\s*:?",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)[^\s,;]+", re.IGNORECASE)
_STARTERS = [("ODG", _ODG_TITLE), ("ACOEM", _ACOEM_TITLE), ("AMA", _AMA_TITLE)]
_STARTERS += [("Other", _OTHER_TITLE), ("URL", _URL)]
_EDITION = re.compile(
    r"^[\s,]*(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth)\s+ed(?:ition|\.|\b)"
    r"\s*,?",
    re.IGNORECASE,
)
_ACOEM_CHAPTER_NO = re.compile(r"^[\s,]*chapter\s*(\d{1,2})\b[\s,:\-\u2013]*", re.IGNORECASE)
_TITLE_END = re.compile(
    r",?\s*(?:accessed|retrieved|available|viewed|cited|downloaded)\b|\s*(?:https?://|www\.)"
    r"|,\s*(?:\d+(?:st|nd|rd|th)\s+ed)|,\s*(?:page|pages|pg|pp|p)\b\.?\s*\d",
    re.IGNORECASE,
)
# Words that say where a title was read, right before its web address.
_ACCESS_NOTE = re.compile(
    r"\b(?:accessed|retrieved|available|viewed|downloaded|cited)(?:\s+(?:online|from|at|on|via|"
    r"in))*\s*:?\s*$",
    re.IGNORECASE,
)
_PAREN = re.compile(r"^\((.*)\)$")
# A title given with its abbreviation, then a topic ("Medical Disability Advisor (MDA), Knee
# Arthroscopy"): the topic is the section.
_ABBREVIATED_TITLE = re.compile(r"^(.*?\([A-Z]{2,8}\))\s*,\s*(.+)$")


def _after_title(rest: str) -> tuple[int | None, str]:
    """Skips an edition and reads an edition year right after a title."""
    year = None
    rest = _EDITION.sub("", rest)
    m = _YEAR_AFTER_NAME.match(rest)
    if m:
        year = int(m.group(1))
        rest = rest[m.end() :]
    rest = _EDITION.sub("", rest)
    return year, rest


def _parse_acoem(title: str, rest: str) -> Citation:
    year, rest = _after_title(rest)
    chapter = None
    m = _ACOEM_CHAPTER_NO.match(rest)
    if m:
        chapter = int(m.group(1))
        rest = rest[m.end() :]
    pages = None
    m = _PAGES.search(rest)
    if m:
        pages = _SPACES.sub(" ", m.group(1))
        rest = rest[: m.start()] + " , " + rest[m.end() :]
    rest = _EDGE.sub("", rest)
    document, _, section = rest.partition(",")
    document = _clean(document) or _clean(title)
    if year is None and document:
        m = _YEAR_AFTER_NAME.match(section)
        if m:
            year = int(m.group(1))
            section = section[m.end() :]
    return _citation("ACOEM", document, chapter, _clean(section), pages, year)


def _parse_ama(title: str, rest: str) -> Citation:
    document = _clean(title) if len(title.split()) > 2 else None
    year, rest = _after_title(rest)
    year2, pages, section = _year_pages_section(rest)
    if section:
        m = _PAREN.match(section)
        if m:
            section = _clean(m.group(1))
    return _citation("AMA Guides", document, None, section, pages, year or year2)


def _parse_other(text: str) -> Citation:
    text = _EDGE.sub("", text)
    if not text:
        return _citation("Other", None)
    if _URL.match(text):  # named only by its address: the site is its name
        return _citation("Other", site_of(text))
    m = _TITLE_END.search(text)
    title, rest = (text[: m.start()], text[m.start() :]) if m else (text, "")
    title = _clean(title)
    section = None
    if title:
        abbreviated = _ABBREVIATED_TITLE.match(title)
        if abbreviated and _clean(abbreviated.group(1)):
            title, section = _clean(abbreviated.group(1)), _clean(abbreviated.group(2))
    year = None
    if title:
        y = re.search(r"[\s,(]+((?:19|20)\d\d)\)?$", title)
        if y:
            year = int(y.group(1))
            title = _clean(title[: y.start()])
    pages = None
    p = _PAGES.search(rest)
    if p:
        pages = _SPACES.sub(" ", p.group(1))
    return _citation("Other", title, None, section, pages, year)


def _starts(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for kind, pattern in _STARTERS:
        for m in pattern.finditer(text):
            if any(s <= m.start() < e for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), kind))
    found.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if (
            kind == "URL"
            and merged
            and merged[-1][2] == "Other"
            and _JOIN.match(text[merged[-1][1] : start])
        ):
            continue  # the address of an "Other Medical Treatment Guidelines" citation
        after = merged[-1][1] if merged else 0
        if kind == "URL" and _ACCESS_NOTE.search(text, after, start):
            continue  # where the citation before was read ("accessed from www...."), not a title
        if (
            merged
            and merged[-1][2] == "ACOEM"
            and kind == "ACOEM"
            and _JOIN.match(text[merged[-1][1] : start])
        ):
            continue
        merged.append((start, end, kind))
    return merged


# An author reference ("Harris J.") written right before the title it cites belongs to that
# title, not to the end of the preceding citation's topic.
_AUTHOR_TAIL = re.compile(
    r"\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?,?\s+[A-Z]{1,2}\.?(?:\s+et\s+al\.?)?\s*$"
)


def _parse_non_mtus(text: str) -> list[Citation]:
    starts = _starts(text)
    for i in range(1, len(starts)):
        if starts[i][2] in ("ACOEM", "Other"):
            previous_end = starts[i - 1][1]
            tail = _AUTHOR_TAIL.search(text, previous_end, starts[i][0])
            if tail:  # blanked, so the offsets in starts stay valid
                text = text[: tail.start()] + " " * (tail.end() - tail.start()) + text[tail.end() :]
    citations: list[Citation] = []
    head = text[: starts[0][0]] if starts else text
    if _clean(head):
        if _ODG_CHAPTER.match(_EDGE.sub("", head)):
            citations.extend(_parse_odg(head))
        else:
            citations.append(_parse_other(head))
    for i, (start, end, kind) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        title, rest = text[start:end], text[end:stop]
        if kind == "ODG":
            citations.extend(_parse_odg(rest))
        elif kind == "ACOEM":
            citations.append(_parse_acoem(title, rest))
        elif kind == "AMA":
            citations.append(_parse_ama(title, rest))
        elif kind == "Other":
            citations.append(_parse_other(rest))
        else:
            citations.append(_parse_other(text[start:stop]))
    return citations


# --- Entry point ---------------------------------------------------------------------------


def _citations(basis: str) -> list[Citation]:
    text = _SPACES.sub(" ", basis.replace("\ufffe", "-").replace("\u00ad", "-")).strip()
    segments = list(_SEGMENT.finditer(text))
    citations: list[Citation] = []
    if not segments:
        if _NO_EVIDENCE.search(text):
            return []
        m = _FALLBACK_MTUS.search(text)
        if m and not re.match(r"\s*guidelines?\b", text[m.end() :], re.IGNORECASE):
            return _spelled(_parse_mtus(text[m.end() :]))
        odg = _ODG_START.search(text)
        if odg:
            return _spelled(_parse_non_mtus(text[odg.start() :]))
        # Neither marker, but a title that starts a citation ("Decision based on AMA Guides").
        starts = [start for start in _starts(text) if start[2] in ("ACOEM", "AMA")]
        if starts:
            return _spelled(_parse_non_mtus(text[starts[0][0] :]))
        return []
    for i, m in enumerate(segments):
        end = segments[i + 1].start() if i + 1 < len(segments) else len(text)
        body = text[m.end() : end]
        if m.group("non"):
            citations.extend(_parse_non_mtus(body))
        else:
            citations.extend(_parse_mtus(body))
    unique: list[Citation] = []
    for citation in _spelled(citations):
        if citation not in unique:
            unique.append(citation)
    return unique


def _spelled(citations: list[Citation]) -> list[Citation]:
    """Each document in its one spelling (``documents.canonical_document``)."""
    for citation in citations:
        citation["document"] = canonical_document(citation["source"], citation["document"])
    return citations


def parse_citations(basis: str) -> list[Citation]:
    """Citations named in a basis text, in order of appearance; [] when none."""
    try:
        return _citations(basis) if basis else []
    except Exception:  # never raise on odd input
        return []
