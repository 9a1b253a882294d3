"""Which text goes into which weight of an item's ``search_vector``: one declaration for the
write path (``services.ItemSearchVector``), the benchmark loader and the search (``search.py``:
``field`` restricts by weight, relevance weighs the request most).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

CONFIG = "english"


@dataclass(frozen=True)
class SearchPart:
    """One part of an item's text in its vector: the ``field`` value, its weight and rank."""

    name: str
    label: str
    weight: str  # PostgreSQL's A-D
    rank: float  # ts_rank's weight of this part


SEARCH_PARTS = (
    SearchPart("request", "Request", "A", 1.0),
    SearchPart("rationale", "Rationale", "B", 0.3),
    SearchPart("summary", "Clinical summary", "C", 0.2),
)
FIELDS = tuple(part.name for part in SEARCH_PARTS)
WEIGHTS = {part.name: part.weight for part in SEARCH_PARTS}
# ts_rank's array is {D, C, B, A}; D is unused.
RANK_WEIGHTS = [0.1] + [
    next(p.rank for p in SEARCH_PARTS if p.weight == w) for w in ("C", "B", "A")
]


def part_vector_sql(name: str, text_sql: str) -> str:
    """SQL of one part's weighted vector from the SQL expression of its text."""
    weight = WEIGHTS[name]
    return f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({text_sql}, '')), '{weight}')"


def vector_sql(texts: Mapping[str, str], *, vectors: Mapping[str, str] | None = None) -> str:
    """SQL of an item's vector from SQL expressions of its parts' texts (``texts``), or of
    parts already built with ``part_vector_sql`` (``vectors``: the loader builds a letter's
    summary once for all its items)."""
    vectors = vectors or {}
    return " || ".join(
        vectors[p.name] if p.name in vectors else part_vector_sql(p.name, texts[p.name])
        for p in SEARCH_PARTS
    )


def search_choices(chosen: tuple[str, ...]) -> list[dict]:
    """The ``field`` choices for a form: name, label and whether it is ``chosen``."""
    return [{"name": p.name, "label": p.label, "chosen": p.name in chosen} for p in SEARCH_PARTS]
