"""The request's own vector (``request_vector``): ``field=request`` searches it and finds exactly
what the weighted ``search_vector`` query found; the write path and migration 0013 fill it; the
search uses its index."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.models import Q

from determinations import search_terms
from determinations.filters import ItemFilterSet
from determinations.models import DisputedItem
from determinations.search import search_filter, search_query, search_rank
from tests.builders import a_determination, a_parse, an_item

pytestmark = pytest.mark.django_db

TERMS = sorted({term for group in search_terms.SYNONYMS for term in group})
# Web syntax, drugs and words that the rationale or summary also name.
QUERIES = [
    *TERMS,
    *(term.lower() for term in TERMS),
    "ESIs",
    "MRIs",
    '"ESI"',
    "injection -ESI",
    "ESI OR aide",
    "aide",
    "hearing aids",
    "norco",
    "hydrocodone",
    "functional restoration",
    "physical therapy",
    "documented",
    "IF",
    "if unit",
    '"epidural steroid"',
]


@pytest.fixture
def letters():
    """An item per table term: its request names the term, its rationale the next term and its
    summary the one after, so a search of the request alone differs from a search of all."""
    extra = ["Home health aide 4 hours a day", "Hearing aids", "Norco 10/325mg #90", "IF unit"]
    requests = [f"Request for {term} x2" for term in TERMS] + extra
    for i, request in enumerate(requests):
        a_determination(
            a_parse(
                items=[
                    an_item(
                        request=request,
                        rationale=f"Guidelines on {TERMS[(i + 1) % len(TERMS)]} are documented.",
                    )
                ],
                clinical_summary=f"The worker had {TERMS[(i + 2) % len(TERMS)]} and physical "
                "therapy.",
            )
        )


def ids(condition) -> set[int]:
    return set(DisputedItem.objects.filter(condition).values_list("id", flat=True))


def test_field_request_finds_exactly_what_the_weighted_query_found(letters):
    differs, narrower = [], 0
    for q in QUERIES:
        weighted = ids(Q(search_vector=search_query(q, ["request"])))
        if ids(search_filter(q, ["request"])) != weighted:
            differs.append(q)
        narrower += weighted < ids(Q(search_vector=search_query(q)))
    assert differs == []
    assert narrower > len(TERMS), "the fixture tells the request from the other parts"


def test_only_field_request_alone_uses_the_request_vector():
    def sql(*fields: str) -> str:
        filterset = ItemFilterSet({"q": "ESI", "field": list(fields)})
        assert filterset.is_valid(), filterset.errors
        return str(filterset.qs.query)

    alone = sql("request")
    assert '"request_vector" @@' in alone and '"search_vector" @@' not in alone
    assert ":A" not in alone  # no weight needed
    for fields in (("rationale",), ("request", "rationale"), ()):
        assert '"search_vector" @@' in sql(*fields) and 'request_vector" @@' not in sql(*fields)


def test_field_request_is_answered_by_the_request_index(letters):
    filterset = ItemFilterSet({"q": "ESI", "field": ["request"]})
    assert filterset.is_valid()
    query, params = filterset.qs.values("id").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "item_request_gin" in plan, plan


def test_the_samples_have_their_request_vector_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'item_request_%%'"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {
        "item_request_gin",
        "item_request_s16_gin",
        "item_request_s256_gin",
        "item_request_s1024_gin",
    }
    assert "256" in found["item_request_s256_gin"].split("WHERE")[1]
    assert "1024" in found["item_request_s1024_gin"].split("WHERE")[1]


def own_vector_text(column: str = "request_vector") -> dict[int, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {column}::text, to_tsvector('english', request)::text "  # noqa: S608
            "FROM determinations_disputeditem ORDER BY id"
        )
        rows = cursor.fetchall()
    assert rows
    return {row[0]: (row[1], row[2]) for row in rows}


def test_the_write_path_fills_the_request_vector_unweighted():
    a_determination(a_parse(items=[an_item(request="Lumbar ESI at L4-5")]))
    stored = own_vector_text()
    assert all(vector == expected for vector, expected in stored.values())
    assert "'esi':2" in next(iter(stored.values()))[0]


def test_the_migrations_fill_fills_old_rows_in_batches(letters):
    migration = importlib.import_module("determinations.migrations.0014_item_request_vector")
    written = own_vector_text()
    DisputedItem.objects.filter(id__in=list(written)[::2]).update(request_vector=None)
    editor = SimpleNamespace(connection=connection)
    assert migration.fill_request_vectors(None, editor, batch=3) == len(list(written)[::2])
    assert own_vector_text() == written
    assert migration.fill_request_vectors(None, editor, batch=3) == 0  # a rerun has nothing left


def test_field_request_ranks_the_request_alone():
    """``ts_rank`` ignores a query's weight labels, so ranking on ``search_vector`` would count
    mentions in the other parts; the request vector counts the request only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_rank(setweight(to_tsvector('english', 'esi'), 'B'), "
            "to_tsquery('english', 'esi:A'))"
        )
        assert cursor.fetchone()[0] > 0
    for rationale in ("Guidelines support an ESI; a second ESI; ESI relief.", "Documented."):
        a_determination(a_parse(items=[an_item(request="ESI at L5", rationale=rationale)]))
    ranks = DisputedItem.objects.filter(search_filter("ESI", ["request"])).annotate(
        rank=search_rank("ESI", ["request"])
    )
    assert len({round(item.rank, 6) for item in ranks}) == 1 and len(ranks) == 2
    weighted = DisputedItem.objects.annotate(rank=search_rank("ESI", ["request", "rationale"]))
    assert len({round(item.rank, 6) for item in weighted}) == 2
