"""EXPLAIN ANALYZE evidence for the slow groups of a benchmark run.

For each group whose p95 missed its target, the slowest URL of that group is requested once more
in-process through Django's test client with every SQL statement timed; the slowest statements
get ``EXPLAIN (ANALYZE, BUFFERS)`` and land in OUT/explain-<group>.txt.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.benchmark import TARGETS


def explain_groups(results: dict, mix, dbname: str, out: Path, log, top: int = 3) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DATABASE"] = dbname
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    client = Client()
    for group, result in results.items():
        if group not in TARGETS or TARGETS[group][3] != "p95" or result.get("missing"):
            continue
        if not result.get("p95") or result["p95"] <= TARGETS[group][1] or not result.get("worst"):
            continue
        path = result["worst"]
        statements: list[tuple[float, str, tuple]] = []

        def timer(execute, sql, params, many, context, statements=statements):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((time.perf_counter() - start, sql, params))

        try:
            with connection.execute_wrapper(timer):
                start = time.perf_counter()
                response = client.get(path)
                total = time.perf_counter() - start
        except Exception as exc:  # the application is someone else's work in progress
            log(f"  EXPLAIN for {group} ({path}) failed: {exc!r}")
            continue
        statements.sort(key=lambda s: s[0], reverse=True)
        lines = [
            f"# {group}: GET {path} -> {response.status_code} in {total * 1000:.1f} ms "
            f"({len(statements)} queries, {sum(s[0] for s in statements) * 1000:.1f} ms in SQL)",
            "",
        ]
        for seconds, sql, params in statements[:top]:
            lines += [f"## {seconds * 1000:.1f} ms", sql if params is None else f"{sql}", ""]
            if params is not None and not isinstance(params, (list, tuple, dict)):
                continue
            if not sql.lstrip(" (").upper().startswith(("SELECT", "WITH")):
                continue
            try:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    lines += [row[0] for row in cursor.fetchall()]
            except Exception as exc:
                lines.append(f"(EXPLAIN failed: {exc!r})")
            lines.append("")
        target = out / f"explain-{group}.txt"
        target.write_text("\n".join(lines) + "\n")
        log(f"  EXPLAIN ANALYZE for {group} ({path}) in {target}")
