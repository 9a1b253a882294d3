"""Typo suggestions ("did you mean"): the archive's own words nearest each word of a search.

Read only, and bounded: offered only when a search has fewer than ``FEW_HITS`` hits, for at most
``MAX_WORDS`` words, in one statement that looks each word up in the trigram index of
``VocabularyTerm`` (``determinations_vocabulary_nearest``, migration 0013: pg_trgm's ``%``
operator, similarity above ``pg_trgm.similarity_threshold``, 0.3 by default). The vocabulary
does not grow with the letters (a few thousand rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from imr_archive.db_router import read_connection

from .vocabulary import WORD_KIND

FEW_HITS = 5  # a search with fewer hits than this gets suggestions
MAX_WORDS = 6  # search words looked up at most
PER_WORD = 3  # suggestions per word at most
MIN_LENGTH = 4  # shorter words are not corrected (too many near neighbours)
MAX_LENGTH = 40  # nor longer ones (no vocabulary word is that long)

_WORD = re.compile(r"[^\W\d_]+")
_OPERATORS = {"or", "and", "not"}

# The lookup is a function of migration 0013 (it forbids sequential scans, which the planner
# wrongly prefers on a few thousand rows): one row (word, similar word) per suggestion, in order.
_SQL = "SELECT word, term FROM determinations_vocabulary_nearest(%s::text[], %s, %s)"


@dataclass(frozen=True)
class Suggestion:
    """``word`` of the search might be ``replacement``: ``q`` is the search with it replaced."""

    word: str
    replacement: str
    q: str


def search_words(q: str) -> list[str]:
    """The words of a search worth correcting: lower case, in order, once each; not the
    operators, not excluded words (``-word``), not numbers, not too short or too long."""
    words: list[str] = []
    for match in _WORD.finditer(q):
        word = match.group().lower()
        excluded = match.start() > 0 and q[match.start() - 1] == "-"
        if excluded or word in _OPERATORS or not MIN_LENGTH <= len(word) <= MAX_LENGTH:
            continue
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def suggestions_for(q: str) -> list[Suggestion]:
    """Suggestions for a search (call only when its hits are few): for each word that is not
    itself in the vocabulary, the most similar vocabulary words, best first. One query."""
    words = search_words(q)
    if not words:
        return []
    with read_connection().cursor() as cursor:
        cursor.execute(_SQL, [words, WORD_KIND, PER_WORD])
        rows = cursor.fetchall()
    return [
        Suggestion(word=word, replacement=term, q=_replaced(q, word, term))
        for word, term in rows
        if term != word
    ]


def suggestions_if_few(q: str, hits: int) -> list[Suggestion]:
    """``suggestions_for(q)`` when a search found fewer than ``FEW_HITS``, else no query."""
    if not q or hits >= FEW_HITS:
        return []
    return suggestions_for(q)


def _replaced(q: str, word: str, replacement: str) -> str:
    """``q`` with the first whole-word occurrence of ``word`` (any case) replaced."""
    pattern = re.compile(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", re.IGNORECASE)
    return pattern.sub(lambda _: replacement, q, count=1)
