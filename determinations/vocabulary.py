"""The vocabulary table (``VocabularyTerm``): written here, at every summary refresh.

Its terms are the values of the service, guideline and specialty facets, which the summaries
already total per value (``FacetPairCount`` rows with ``facet_b`` empty), so the refresh reads a
few thousand summary rows instead of the items: its cost does not grow with the archive. Rows
whose count did not change are left alone (no churn in the trigram index).
"""

from __future__ import annotations

from .guidelines import SEPARATOR, SOURCES
from .models import FacetPairCount, VocabularyTerm

# Facets whose values are terms (the kinds of VocabularyTerm other than ``word``).
TERM_FACETS = ("service", "guideline", "specialty")
MIN_WORD = 3  # shorter words of a term (mg, of, &) are not kept as words
WORD_KIND = VocabularyTerm.Kind.WORD
# The source before a guideline value's document (a POSIX regular expression).
_SOURCE_PREFIX = "^(" + "|".join(SOURCES) + ")" + SEPARATOR

_REFRESH_SQL = f"""
WITH terms AS (
    -- A guideline value's term is its document ("ODG:Low Back" -> "Low Back", guidelines.py):
    -- the sources are not words anyone misspells, and "Other" is not a word of a title.
    SELECT facet_a AS kind, t.term, sum(items)::integer AS items
    FROM {FacetPairCount._meta.db_table}
    CROSS JOIN LATERAL (SELECT CASE WHEN facet_a = %(guideline)s
        THEN regexp_replace(value_a, %(source)s, '') ELSE value_a END AS term) AS t
    WHERE facet_b = '' AND facet_a = ANY(%(facets)s) AND value_a <> '' AND items > 0
    GROUP BY facet_a, t.term
), words AS (
    SELECT %(word)s AS kind, w.word AS term, sum(t.items)::integer AS items
    FROM terms t CROSS JOIN LATERAL regexp_split_to_table(lower(t.term), '[^[:alpha:]]+') AS w(word)
    WHERE length(w.word) >= %(min_word)s GROUP BY w.word
), wanted AS (
    SELECT kind, term, items FROM terms UNION ALL SELECT kind, term, items FROM words
), gone AS (
    DELETE FROM {VocabularyTerm._meta.db_table} v
    WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.kind = v.kind AND w.term = v.term)
    RETURNING 1
)
INSERT INTO {VocabularyTerm._meta.db_table} AS v (kind, term, items)
SELECT kind, term, items FROM wanted
ON CONFLICT (kind, term) DO UPDATE SET items = EXCLUDED.items WHERE v.items <> EXCLUDED.items
"""  # noqa: S608 (table names from the models)


def vocabulary_refresh(cursor) -> int:
    """Make the vocabulary match the summaries' value totals (call inside the refresh's
    transaction, after the totals are written); returns the rows inserted or changed."""
    cursor.execute(
        _REFRESH_SQL,
        {
            "facets": list(TERM_FACETS),
            "word": WORD_KIND,
            "min_word": MIN_WORD,
            "guideline": "guideline",
            "source": _SOURCE_PREFIX,
        },
    )
    written = cursor.rowcount
    cursor.execute(f"ANALYZE {VocabularyTerm._meta.db_table}")  # a few thousand rows: cheap
    return written
