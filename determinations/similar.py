"""Similar decisions: the past items whose request and rationale read most like a given text.

Read live, in bounded work, by PostgreSQL's own text machinery (no model, nothing to download;
docs/search.md, "Similar decisions", has the measurements behind the choice). The query is the
OR of the lexemes of the item's request and rationale (weights A and B of its ``search_vector``)
or of a text (``/check/``). Candidates come in tiers, each the ``CANDIDATES`` most recent public
items of the tier, walked newest first through an index:

1. the same service (``item_service_newest_idx``);
2. the same category, another service (``item_category_newest_idx``);
3. any other category (``item_newest_idx``, skipping the own category's rows).

Each tier's candidates are ordered by what an analyst compares first: the same subcategory
(an opioid before a muscle relaxant, in the category tier), then the words their requests share
(``request_vector``: "MRI of the lumbar spine" before "MRI of the right shoulder"; words, not
numbers: "#90" is not a likeness), then ``ts_rank`` of their ``search_vector`` against the query
(the request weighs most: ``search_vector.RANK_WEIGHTS``), then newest decision and id, so the
order is stable. A later tier is read only when the earlier ones found fewer than asked. The
item itself and every item of its letter are left out, and so are withdrawn letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from imr_archive.db_router import read_connection

from .models import DisputedItem
from .search_vector import CONFIG, RANK_WEIGHTS, WEIGHTS

SHOWN = 5  # on the permalink page, under each item
LISTED = 50  # on an item's "similar decisions" page
# Recent candidates ranked per tier: the work is bounded by this, whatever the archive's size.
CANDIDATES = 400
MAX_TEXT = 2000  # characters of a free text (``/check/``) that make a query

_TABLE = DisputedItem._meta.db_table
_WEIGHTS = "{" + ",".join(str(w) for w in RANK_WEIGHTS) + "}"
# The lexemes of a vector as an OR query: ``'mri' | 'lumbar'`` (already stemmed, not re-parsed).
_OR_QUERY = "NULLIF(replace(strip({vector})::text, ' ', ' | '), '')::tsquery"
# The words of a request vector (its lexemes with a letter in them: not "90" or "10/325").
_WORDS = "ARRAY(SELECT w FROM unnest(tsvector_to_array({vector})) w WHERE w ~ '[a-z]')"
_RANKED = """
SELECT c.id, c.tier FROM (
    SELECT recent.id, recent.decision_date, %(tier)s AS tier,
           recent.subcategory = %(subcategory)s AS same_kind,
           cardinality(ARRAY(
               SELECT unnest(tsvector_to_array(recent.request_vector))
               INTERSECT SELECT unnest(q.words)
           )) AS shared,
           ts_rank('WEIGHTS'::float4[], recent.search_vector, q.query, 1) AS score
    FROM (
        SELECT i.id, i.decision_date, i.subcategory, i.request_vector, i.search_vector
        FROM TABLE i
        WHERE NOT i.withdrawn AND i.determination_id <> %(letter)s AND WHERE
        ORDER BY i.decision_date DESC, i.id DESC
        LIMIT %(candidates)s
    ) recent
    CROSS JOIN (SELECT QUERY AS query, WORDS AS words OFFSET 0) q  -- OFFSET 0: built once
) c
ORDER BY c.same_kind DESC NULLS LAST, c.shared DESC, c.score DESC,
         c.decision_date DESC NULLS LAST, c.id DESC
LIMIT %(limit)s
"""
_TIERS = (
    ("same service", "i.service = %(service)s"),
    (
        "same category",
        "i.category = %(category)s"
        " AND (%(service)s IS NULL OR i.service IS DISTINCT FROM %(service)s)",
    ),
    ("other", "i.category IS DISTINCT FROM %(category)s"),
)
_ITEM_VECTOR = (
    f"ts_filter((SELECT search_vector FROM {_TABLE} WHERE id = %(item)s), "  # noqa: S608
    f"'{{{WEIGHTS['request'].lower()},{WEIGHTS['rationale'].lower()}}}')"
)
_ITEM_QUERY = _OR_QUERY.format(vector=_ITEM_VECTOR)
_ITEM_WORDS = _WORDS.format(
    vector=f"(SELECT request_vector FROM {_TABLE} WHERE id = %(item)s)"  # noqa: S608
)
_TEXT_VECTOR = f"to_tsvector('{CONFIG}'::regconfig, %(text)s)"
_TEXT_QUERY = _OR_QUERY.format(vector=_TEXT_VECTOR)
_TEXT_WORDS = _WORDS.format(vector=_TEXT_VECTOR)


def _ranked_sql(where: str, query: str, words: str) -> str:
    return (
        _RANKED.replace("WEIGHTS", _WEIGHTS)
        .replace("TABLE", _TABLE)
        .replace("AND WHERE", f"AND {where}")
        .replace("QUERY", query)
        .replace("WORDS", words)
    )


@dataclass
class Similar:
    """One similar item, with why it is listed (``tier``: same service, same category...)."""

    item: DisputedItem
    tier: str

    @property
    def url(self) -> str:
        return f"{self.item.determination.get_absolute_url()}#item-{self.item.number}"


def similar_to_item(item: DisputedItem, *, limit: int = SHOWN) -> list[Similar]:
    """The ``limit`` items most like ``item`` (its request and rationale), nearest tier first."""
    params = {
        "item": item.id,
        "letter": item.determination_id,
        "service": item.service,
        "category": item.category,
        "subcategory": item.subcategory,
    }
    return _similar(_ITEM_QUERY, _ITEM_WORDS, params, limit=limit)


def similar_to_text(
    text: str,
    *,
    service: str | None,
    category: str | None,
    subcategory: str | None = None,
    limit: int = SHOWN,
) -> list[Similar]:
    """The ``limit`` items most like a free ``text`` (a request) read as ``service``,
    ``category`` and ``subcategory``."""
    params = {
        "text": text[:MAX_TEXT],
        "letter": 0,
        "service": service,
        "category": category,
        "subcategory": subcategory,
    }
    return _similar(_TEXT_QUERY, _TEXT_WORDS, params, limit=limit)


def _similar(query_sql: str, words_sql: str, params: dict, *, limit: int) -> list[Similar]:
    found: list[tuple[int, str]] = []
    with read_connection().cursor() as cursor:
        for tier, where in _TIERS:
            if len(found) >= limit:
                break
            if tier == "same service" and params["service"] is None:
                continue
            if tier == "same category" and params["category"] is None:
                continue
            sql = _ranked_sql(where, query_sql, words_sql)
            cursor.execute(
                sql,
                {**params, "tier": tier, "candidates": CANDIDATES, "limit": limit - len(found)},
            )
            found.extend(cursor.fetchall())
    items = DisputedItem.objects.select_related("determination__letter").only(
        "id",
        "number",
        "request",
        "outcome",
        "decision_date",
        "service",
        "determination__key",
        "determination__case_number",
        "determination__letter__is_sample",  # the "sample" badge
    )
    by_id = {item.id: item for item in items.filter(id__in=[i for i, _ in found])}
    return [Similar(by_id[i], tier) for i, tier in found if i in by_id]
