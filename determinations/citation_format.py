"""How a guideline citation reads in exports: pure Python (no Django), so that the write side
(``services``, which stores each item's citation texts), the read side and the benchmark's bulk
loader all write exactly the same text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

LIST_SEPARATOR = " | "  # between the values of a multi-valued cell (CSV, stored texts)


def format_citation(citation) -> str:
    """ "ODG, Low Back, MRIs": source, document, chapter, section, pages, edition year.

    ``citation`` is the parse contract's dict or a stored row with those attributes.
    """
    get = citation.__getitem__ if isinstance(citation, Mapping) else partial(getattr, citation)
    chapter, pages, year = get("chapter"), get("pages"), get("year")
    parts = [
        get("source"),
        get("document"),
        f"Chapter {chapter}" if chapter else None,
        get("section"),
        f"pp. {pages}" if pages else None,
        f"({year})" if year else None,
    ]
    return ", ".join(str(part) for part in parts if part)


def citations_text(citations: Iterable) -> str | None:
    """One basis's citations formatted and joined in the given order; None when there are none."""
    texts = [format_citation(citation) for citation in citations]
    return LIST_SEPARATOR.join(texts) if texts else None
