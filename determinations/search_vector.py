"""Which text goes into which weight of an item's ``search_vector``, and which part also has a
vector of its own (``SearchPart.column``): one declaration for the write path
(``services.ItemSearchVector``, ``services.ItemPartVector``), the benchmark loader, migration 0013
and the search (``search.py``: ``field`` restricts by weight, or uses the part's own vector when
it is the only part searched; relevance weighs the request most).

Why a part's own vector: a GIN index on a tsvector cannot filter by weight, so ``q=ESI&field=
request`` on ``search_vector`` rechecked every item mentioning an ESI anywhere (44,644 to find
6,023 on the 100 k benchmark); the request's own small vector is indexed alone
(docs/performance.md).
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
    column: str | None = None  # its own unweighted vector, searched when it is the only part


SEARCH_PARTS = (
    SearchPart("request", "Request", "A", 1.0, column="request_vector"),
    SearchPart("rationale", "Rationale", "B", 0.3),
    SearchPart("summary", "Clinical summary", "C", 0.2),
)
FIELDS = tuple(part.name for part in SEARCH_PARTS)
WEIGHTS = {part.name: part.weight for part in SEARCH_PARTS}
OWN_VECTORS = {part.name: part.column for part in SEARCH_PARTS if part.column}
# Every vector column of an item: read by searches only, deferred by the pages and the API.
VECTOR_COLUMNS = ("search_vector", *OWN_VECTORS.values())
# ts_rank's array is {D, C, B, A}; D is unused.
RANK_WEIGHTS = [0.1] + [
    next(p.rank for p in SEARCH_PARTS if p.weight == w) for w in ("C", "B", "A")
]


def own_vector_sql(text_sql: str) -> str:
    """SQL of a part's own (unweighted) vector from the SQL expression of its text: the same
    lexemes and positions as its weighted part of ``search_vector`` when it comes first."""
    return f"to_tsvector('{CONFIG}'::regconfig, COALESCE({text_sql}, ''))"


def part_vector_sql(name: str, text_sql: str) -> str:
    """SQL of one part's weighted vector from the SQL expression of its text."""
    return f"setweight({own_vector_sql(text_sql)}, '{WEIGHTS[name]}')"


def own_vector_of(fields: tuple[str, ...]) -> str | None:
    """The column of the part's own vector when ``fields`` is that part alone, else None."""
    return OWN_VECTORS.get(fields[0]) if len(fields) == 1 else None


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
