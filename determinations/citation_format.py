"""How a guideline citation reads in exports: pure Python (no Django), so that the benchmark's
bulk loader writes exactly what the application writes."""

from __future__ import annotations

from collections.abc import Iterable

LIST_SEPARATOR = " | "  # between the values of a multi-valued cell (CSV, stored texts)


def format_citation(citation: dict) -> str:
    """ "ODG, Low Back, MRIs": source, document, chapter, section, pages, edition year."""
    parts = [
        citation["source"],
        citation["document"],
        f"Chapter {citation['chapter']}" if citation["chapter"] else None,
        citation["section"],
        f"pp. {citation['pages']}" if citation["pages"] else None,
        f"({citation['year']})" if citation["year"] else None,
    ]
    return ", ".join(str(part) for part in parts if part)


def citations_text(citations: Iterable[dict]) -> str | None:
    """One basis's citations formatted and joined in the given order; None when there are none."""
    texts = [format_citation(citation) for citation in citations]
    return LIST_SEPARATOR.join(texts) if texts else None
