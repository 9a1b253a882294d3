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
