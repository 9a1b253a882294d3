"""Timings and plans of the similar-decisions query (determinations/similar.py), benchmark DB.

    BENCH_DATABASE=imr_bench .venv/bin/python bench/similar_explain.py [--items N] [--runs R]

Picks ``--items`` items at random (seeded) from the benchmark database, and for each times
``similar_to_item`` (five and fifty: the fragment and the page, every query it makes) ``--runs``
times; prints the median and 95th percentile over items of each item's median, by kind of item
(common service, rare service, no service), then the EXPLAIN (ANALYZE, BUFFERS) of each tier
for one common-service item, and, for comparison, of the unbounded alternative: ranking every
same-service item instead of the most recent ``similar.CANDIDATES``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from determinations import similar
    from determinations.models import DisputedItem

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {similar._TABLE}")
        high = cursor.fetchone()[0]
        cursor.execute(f"SELECT service, count(*) FROM {similar._TABLE} GROUP BY service")
        sizes = dict(cursor.fetchall())
    rng = random.Random(args.seed)
    ids = rng.sample(range(1, high + 1), args.items)
    items = list(DisputedItem.objects.filter(id__in=ids).defer("search_vector", "request_vector"))
    # One rare-service item at least (the index walk differs), found by the smallest services.
    rare = sorted((n, s) for s, n in sizes.items() if s)[:3]
    items += list(
        DisputedItem.objects.filter(service__in=[s for _, s in rare])
        .defer("search_vector", "request_vector")
        .order_by("id")[:3]
    )
    common_from = sorted(sizes.values())[len(sizes) // 2]

    def kind(item) -> str:
        if item.service is None:
            return "no service"
        return "common service" if sizes[item.service] >= common_from else "rare service"

    for limit in (similar.SHOWN, similar.LISTED):
        by_kind: dict[str, list[float]] = {}
        for item in items:
            runs = []
            for _ in range(args.runs):
                start = time.perf_counter()
                similar.similar_to_item(item, limit=limit)
                runs.append((time.perf_counter() - start) * 1000)
            by_kind.setdefault(kind(item), []).append(statistics.median(runs))
            by_kind.setdefault("all", []).append(statistics.median(runs))
        for name, values in sorted(by_kind.items()):
            print(
                f"limit {limit:>2} {name:>15}: {len(values):>3} items, median "
                f"{statistics.median(values):6.1f} ms, p95 {_p95(values):6.1f} ms, "
                f"max {max(values):6.1f} ms"
            )
    item = next(i for i in items if kind(i) == "common service")
    print(f"\nplans for item {item.id} ({item.service}, {sizes[item.service]:,} items)")
    params = {
        "item": item.id,
        "letter": item.determination_id,
        "service": item.service,
        "category": item.category,
        "candidates": similar.CANDIDATES,
        "limit": similar.SHOWN,
    }
    unbounded = similar._ranked_sql(*similar._TIERS[0][1:], similar._ITEM_QUERY).replace(
        "LIMIT %(candidates)s", ""
    )
    with connection.cursor() as cursor:
        for tier, where in similar._TIERS:
            sql = similar._ranked_sql(where, similar._ITEM_QUERY)
            _explain(cursor, f"tier {tier}", sql, {**params, "tier": tier})
        _explain(cursor, "unbounded same service", unbounded, {**params, "tier": "all"})


def _explain(cursor, title: str, sql: str, params: dict) -> None:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
    print(f"\n-- {title}")
    for (line,) in cursor.fetchall():
        print(line)


if __name__ == "__main__":
    main()
