"""The benchmark loader's COPY rows: the item columns the services write, filled alike (issue 19's
sections and reasons here), checked on a few generated letters without loading a database."""

import json

import pytest
from django.db import connection

from bench import loader
from bench.corpus import Corpus
from determinations.choices import Reason
from determinations.guidelines import section_value

pytestmark = pytest.mark.django_db

SEED, TOTAL, LETTERS = 7, 200, 60


def test_the_loader_fills_sections_and_reasons_as_the_services_would():
    _, _, _, items, _ = loader.chunk_rows((SEED, TOTAL, 0, LETTERS, 0, "bench", False))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE stage (LIKE determinations_disputeditem INCLUDING DEFAULTS)"
        )
        with cursor.copy(f"COPY stage ({loader.ITEM_COLUMNS}) FROM STDIN") as copy:
            copy.write(items)
        cursor.execute("SELECT guideline_sections, reason_codes, reasons FROM stage ORDER BY id")
        rows = cursor.fetchall()
    corpus = Corpus(SEED, TOTAL)
    generated = [item for i in range(LETTERS) for item in corpus.letter(i)["items"]]
    assert len(rows) == len(generated)
    for (sections, codes, reasons), item in zip(rows, generated, strict=True):
        reasons = json.loads(reasons) if isinstance(reasons, str) else reasons
        cited = item["reviewer"]["citations"]
        wanted = [section_value(c["source"], c["document"], c["section"]) for c in cited]
        assert sections == list(dict.fromkeys(v for v in wanted if v))
        assert reasons == item["reasons"]
        assert codes == [r["code"] for r in reasons]
        assert set(codes) <= set(Reason.values)
        assert all(r["evidence"] in item["rationale"] for r in reasons)
    assert sum(bool(codes) for _, codes, _ in rows) > len(rows) / 2
    assert sum(bool(sections) for sections, _, _ in rows) > len(rows) / 2
