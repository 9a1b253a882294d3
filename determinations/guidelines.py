"""The ``guideline`` dimension's values: a cited document with its source (issue 17).

"Low Back" is an ODG chapter and "Low Back Complaints" an MTUS one; the same title may be cited
from two sources ("Eye"). So a value is the source and the document, ``ODG:Low Back``: the
source (one of the closed list ``GuidelineSource``, none of which holds a colon), a colon, and
the document as the parser spells it (a document may hold a colon itself: "Other:Sildenafil:
Drug information" splits at the first one). It is shown as ``ODG · Low Back``. In a URL it is
an ordinary query value (``?guideline=ODG%3ALow+Back``; browsers also send the colon as typed).

A value without a known source before its first colon is a bare document, the form of links
made before parser 1.8 (``?guideline=Low+Back``): it means that document under every source
(``filters.sourced_guidelines``). Stored values (``DisputedItem.guideline_documents``, written
by ``services``) always have their source.

The ``guideline_section`` dimension's values (issue 19) are a cited section under its document:
the document's value, a vertical bar, and the section in its one spelling (below),
``ODG:Low Back|MRIs`` (shown as ``ODG · Low Back · MRIs``). Only citations with a section have
one. A section's own vertical bars are written ``/`` (none is known in the letters), so a value
splits unambiguously at its last bar: before it the document's value (itself split as above),
after it the section. Stored in ``DisputedItem.guideline_sections``.

Reviewers type section names by hand, so one section comes in several cases ("Physical
therapy", "Physical Therapy", "physical therapy"). A value holds the section in one spelling,
``canonical_section``'s: sentence case, where the first word starts with a capital and every
later ordinary word (all lower case, or a capital and then lower case) is lower case; a word
in capitals or mixed case (MRI, NSAIDs, McKenzie) and a one-letter word (vitamin D) are kept as
written. Two spellings whose words differ only between lower case and a leading capital are
one value; "PHYSICAL THERAPY" stays its own. The citations keep the letter's spelling.

No Django imports beyond the vocabularies: ``dimensions`` reads this module.
"""

from __future__ import annotations

import re

from .choices import GuidelineSource

SOURCES: tuple[str, ...] = tuple(GuidelineSource.values)
SEPARATOR = ":"
LABEL_SEPARATOR = " \u00b7 "  # "ODG · Low Back"
MAX_LENGTH = 200  # the item column's width (``DisputedItem.guideline_documents``)

_SOURCE = "|".join(re.escape(source) for source in SOURCES)
# A sourced value with a document that has no white space at its ends, or a bare document.
PATTERN = rf"(?:{_SOURCE}){SEPARATOR}\S(?:.*\S)?|(?!(?:{_SOURCE}){SEPARATOR}).+"
VALUE_FORM = (
    f"a guideline written SOURCE{SEPARATOR}document, e.g. ODG{SEPARATOR}Low Back "
    f"(sources: {', '.join(SOURCES)})"
)


SECTION_SEPARATOR = "|"
SECTION_MAX_LENGTH = 400  # ``DisputedItem.guideline_sections``: a document's value always fits
# A document's value (with its source), a bar, a section with no white space at its ends.
SECTION_PATTERN = rf"(?:{_SOURCE}){SEPARATOR}\S(?:.*\S)?\{SECTION_SEPARATOR}[^|\s](?:[^|]*[^|\s])?"
SECTION_VALUE_FORM = (
    f"a guideline section written SOURCE{SEPARATOR}document{SECTION_SEPARATOR}section, e.g. "
    f"ODG{SEPARATOR}Low Back{SECTION_SEPARATOR}MRIs (sources: {', '.join(SOURCES)})"
)


def guideline_value(source: str | None, document: str | None) -> str | None:
    """The value of a citation: ``ODG:Low Back``; None without a source or a document.

    A value longer than the item column (a title of 190+ characters) is cut to fit it.
    """
    if not source or not document:
        return None
    return f"{source}{SEPARATOR}{document}"[:MAX_LENGTH]


def split_value(value: str) -> tuple[str | None, str]:
    """``(source, document)``; the source is None for a bare document.

    >>> split_value("Other:Sildenafil: Drug information")
    ('Other', 'Sildenafil: Drug information')
    >>> split_value("Low Back")
    (None, 'Low Back')
    """
    source, separator, document = value.partition(SEPARATOR)
    if separator and source in SOURCES:
        return source, document
    return None, value


def guideline_label(value: str) -> str:
    """How a value is shown: ``ODG · Low Back``; a bare document as it is."""
    source, document = split_value(value)
    return f"{source}{LABEL_SEPARATOR}{document}" if source else value


def values_for_document(document: str) -> list[str]:
    """The sourced values a bare document may stand for: one per source."""
    return [f"{source}{SEPARATOR}{document}"[:MAX_LENGTH] for source in SOURCES]


_WORD = re.compile(r"[^\W\d_]+")  # a run of letters: "Non-Steroidal" is two words


def canonical_section(section: str) -> str:
    """The section in the values' one spelling (sentence case, see above).

    >>> canonical_section("Physical Therapy (PT)")
    'Physical therapy (PT)'
    >>> canonical_section("physical therapy")
    'Physical therapy'
    >>> canonical_section("MRIs, Vitamin D, Non-Steroidal")
    'MRIs, vitamin D, non-steroidal'
    """
    first = True

    def word(match: re.Match) -> str:
        nonlocal first
        text = match.group()
        ordinary = len(text) > 1 and text[1:].islower()  # "Therapy", "therapy"
        if first:
            first = False
            return text[0].upper() + text[1:] if ordinary or text.islower() else text
        return text.lower() if ordinary else text

    return _WORD.sub(word, section)


def section_value(source: str | None, document: str | None, section: str | None) -> str | None:
    """The ``guideline_section`` value of a citation: ``ODG:Low Back|MRIs``; None without a
    source, a document or a section. The section in its one spelling (``canonical_section``),
    cut to the item column (the document's value always fits).

    >>> section_value("ODG", "Low Back", "MRIs")
    'ODG:Low Back|MRIs'
    >>> section_value("ODG", "Preface", "Physical Therapy")
    'ODG:Preface|Physical therapy'
    >>> section_value("MTUS", "Chronic Pain", "TENS | H-wave")
    'MTUS:Chronic Pain|TENS / H-wave'
    """
    document_value = guideline_value(source, document)
    section = (section or "").strip(" ").replace(SECTION_SEPARATOR, "/")
    if document_value is None or not section:
        return None
    # Spaces only (the parser's text is unwrapped): the SQL of migration 0020 does the same.
    return _joined(document_value, section)


def respelled_section_value(value: str) -> str:
    """A section value (``split_section_value``'s form) with its section in the one spelling, cut
    as ``section_value`` cuts: what the items hold for a value written another way.

    >>> respelled_section_value("ODG:Preface|Physical Therapy")
    'ODG:Preface|Physical therapy'
    """
    return _joined(*split_section_value(value))


def _joined(document_value: str, section: str) -> str:
    """A document's value, a bar and the section in its one spelling, cut to the item column
    without end spaces: the one form of a stored section value."""
    joined = f"{document_value}{SECTION_SEPARATOR}{canonical_section(section)}"
    return joined[:SECTION_MAX_LENGTH].rstrip(" ")


def split_section_value(value: str) -> tuple[str, str]:
    """``(document value, section)``: split at the last bar.

    >>> split_section_value("Other:Sildenafil: Drug information|Dosing")
    ('Other:Sildenafil: Drug information', 'Dosing')
    """
    document_value, _, section = value.rpartition(SECTION_SEPARATOR)
    return document_value, section


def section_label(value: str) -> str:
    """How a section value is shown: ``ODG · Low Back · MRIs``."""
    document_value, section = split_section_value(value)
    if not document_value:
        return value
    return f"{guideline_label(document_value)}{LABEL_SEPARATOR}{section}"
