"""Full-text search: the query of ``q`` and ``field``, and its relevance.

``field`` restricts a query to some parts of an item's vector by their weights
(``search_vector.SEARCH_PARTS``: ``'word':A``), or, when it is one part with a vector of its own
(the request), searches and ranks that vector alone (``search_filter``); relevance ranks the
request above the rationale and the summary. The query is built here, not by
``websearch_to_tsquery``, so that the field's abbreviations and synonyms (``search_terms``) can be
expanded into OR-groups (a phrase as ``<->``): the same web syntax ("quoted phrase", OR, -word),
passed to ``to_tsquery`` with every word quoted, so nothing typed can become tsquery syntax.
Rules and examples: docs/search.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Q

from imr_archive.db_router import read_connection

from . import search_terms
from .search_vector import CONFIG, RANK_WEIGHTS, SEARCH_PARTS, WEIGHTS, own_vector_of

MAX_TERMS = 400  # operands per query at most: beyond it words are searched as typed


_UNIT = re.compile(r'(-?)"([^"]*)(?:"|$)|(\S+)')
_TYPED_ACRONYM = re.compile(r"([A-Z][A-Z0-9]*[A-Z])(s?)")


@dataclass(frozen=True)
class _Unit:
    text: str
    negated: bool = False
    phrase: bool = False


def _units(text: str) -> list[list[_Unit]]:
    """Web-search syntax: OR-separated groups of ANDed words and phrases (-x negates)."""
    groups: list[list[_Unit]] = [[]]
    for match in _UNIT.finditer(text):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None:
            if word.lower() == "or":
                if groups[-1]:
                    groups.append([])
                continue
            unit = _Unit(word.lstrip("-"), negated=word.startswith("-"))
        else:
            unit = _Unit(phrase, negated=bool(negated), phrase=True)
        if search_terms.tokens(unit.text):
            groups[-1].append(unit)
    return [group for group in groups if group]


class _Builder:
    def __init__(self, fields: Iterable[str]) -> None:
        weights = "".join(sorted(WEIGHTS[f] for f in set(fields)))
        self.suffix = f":{weights}" if weights and len(weights) < len(SEARCH_PARTS) else ""
        self.terms = 0

    def operand(self, text: str) -> str:
        self.terms += 1
        escaped = text.replace("\\", "\\\\").replace("'", "''")
        return f"'{escaped}'{self.suffix}"

    def term(self, term: str) -> str:
        """A table term: a phrase when it has several words; an acronym with its plural."""
        if search_terms.is_acronym(term):
            return f"{self.operand(term)} | {self.operand(term + 's')}"
        return self.operand(term)

    def meanings(self, found: list[tuple[str, ...]]) -> str:
        ors = [" | ".join(self.term(t) for t in terms) for terms in found]
        return " & ".join(f"( {o} )" for o in ors)

    def typed(self, unit: _Unit) -> str:
        """A word or phrase as typed (an acronym also as its plural/singular)."""
        acronym = _TYPED_ACRONYM.fullmatch(unit.text) if not unit.phrase else None
        if acronym:
            return self.term(acronym.group(1))
        words = search_terms.tokens(unit.text)
        trap = None if unit.phrase else search_terms.stem_trap(words)
        if trap:
            return f"{self.operand(unit.text)} & !{self.operand(trap)}"
        return self.operand(unit.text)

    def word(self, unit: _Unit) -> str:
        """One word: its table meanings, those of each of its parts ("EMG/NCV"), or as typed."""
        if self.terms < MAX_TERMS and not unit.phrase:
            words = search_terms.tokens(unit.text)
            found = search_terms.meanings(words, typed=unit.text)
            if found:
                return self.meanings(found)
            parts = _split(words)
            if parts and len(parts) > 1:
                return " & ".join(f"( {self.meanings(p)} )" for p in parts)
        return self.typed(unit)

    def run(self, units: list[_Unit]) -> list[str]:
        """Consecutive plain words: the longest table terms first, then word by word."""
        out: list[str] = []
        i, longest = 0, search_terms.longest_term()
        while i < len(units):
            length, found = 1, None
            if self.terms < MAX_TERMS:
                for length in range(min(longest, len(units) - i), 1, -1):
                    words = tuple(
                        w for u in units[i : i + length] for w in search_terms.tokens(u.text)
                    )
                    if found := search_terms.meanings(words):
                        break
            if found:
                # The words as typed too (ANDed, like websearch): a term is matched as a phrase,
                # and expanding must only add hits.
                typed = " & ".join(self.typed(u) for u in units[i : i + length])
                out.append(f"( {typed} ) | ( {self.meanings(found)} )")
                i += length
            else:
                out.append(self.word(units[i]))
                i += 1
        return out

    def group(self, units: list[_Unit]) -> str:
        parts, plain = [], []
        for unit in [*units, None]:
            if unit is not None and not unit.negated and not unit.phrase:
                plain.append(unit)
                continue
            parts += self.run(plain)
            plain = []
            if unit is None:
                break
            expanded = self.word(unit)
            parts.append(f"!( {expanded} )" if unit.negated else expanded)
        return " & ".join(f"( {p} )" for p in parts)


def _split(words: tuple[str, ...]) -> list[list[tuple[str, ...]]] | None:
    """The meanings of each run of ``words`` when table terms cover them all, else None.

    Longest terms first. Each suffix is solved once (``covers``), so a long slash-joined word
    that almost splits ("hydrocodone/acetaminophen/.../qq") costs O(n^2) lookups, not 3^(n/2).
    """
    covers: dict[int, list[list[tuple[str, ...]]] | None] = {len(words): []}
    for start in range(len(words) - 1, -1, -1):
        covers[start] = None
        for end in range(len(words), start, -1):
            rest = covers[end]
            if rest is not None and (found := search_terms.meanings(words[start:end])):
                covers[start] = [found, *rest]
                break
    return covers[0] if words else []


def tsquery_text(text: str, fields: Iterable[str] = ()) -> str:
    """``to_tsquery`` input for a web-search ``text`` with synonyms expanded; only the parts in
    ``fields`` (all when empty). '' when nothing searchable is left (it matches nothing)."""
    builder = _Builder(fields)
    return " | ".join(f"( {builder.group(g)} )" for g in _units(text))


def searchable(text: str, fields: Iterable[str] = ()) -> bool:
    """Whether a ``q`` leaves any word to search for once PostgreSQL drops its stop words
    ("the", "or") and punctuation: "the" alone matches nothing, and the page says why. One
    query, no table read."""
    query = tsquery_text(text, fields)
    if not query.strip():
        return False
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT numnode(to_tsquery(%s::regconfig, %s)) > 0", [CONFIG, query])
        return bool(cursor.fetchone()[0])


def search_query(text: str, fields: Iterable[str] = ()) -> SearchQuery:
    """The query of a ``q`` and ``field`` values, stemmed English, synonyms expanded."""
    return SearchQuery(tsquery_text(text, fields), search_type="raw", config=CONFIG)


def search_filter(text: str, fields: Iterable[str] = ()) -> Q:
    """The items matching ``q`` in ``fields``. One part with its own vector searches that
    vector, unweighted: a GIN index cannot filter by weight, so ``search_vector`` would recheck
    every item mentioning the words in any part (docs/performance.md)."""
    fields = tuple(fields)
    column = own_vector_of(fields)
    if column:
        return Q(**{column: search_query(text)})
    return Q(search_vector=search_query(text, fields))


def search_rank(text: str, fields: Iterable[str] = ()) -> SearchRank:
    """Relevance: the request weighs most (``SEARCH_PARTS``). One part with its own vector is
    ranked on it: ``ts_rank`` ignores a query's weight labels, so ``search_vector`` would also
    score the other parts' mentions, and the own vector is small and not TOASTed (no 1.5 KB
    read per ranked candidate)."""
    fields = tuple(fields)
    column = own_vector_of(fields)
    if column:
        return SearchRank(F(column), search_query(text))
    return SearchRank(F("search_vector"), search_query(text, fields), weights=RANK_WEIGHTS)
