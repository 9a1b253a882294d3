#!/usr/bin/env python
"""Load test: N concurrent clients against a running server on loopback, for a bounded time.

Sends a seeded mix of browse and permalink requests (the pages the public uses most) and reports
throughput, latency percentiles and errors. It only ever talks to 127.0.0.1/localhost.

    .venv/bin/python bench/loadtest.py --url http://127.0.0.1:8000 --clients 50 --seconds 60

Start the server first, e.g. against the benchmark database:
    .venv/bin/gunicorn imr_archive.wsgi -b 127.0.0.1:8000 -w 3 --threads 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
import urllib.parse
import urllib.request

BROWSE_PATHS = [
    "/",
    "/?outcome=overturned",
    "/?category=Pharmaceuticals",
    "/?category=Rehabilitation&outcome=overturned",
    "/?region=lumbar&guideline_source=ODG",
    "/?year=2016",
    "/?service=MRI&region=lumbar",
    "/?q=acupuncture",
    '/?q="functional+restoration"',
    "/?q=opioid&outcome=overturned",
]


def _keys(base: str, count: int) -> list[str]:
    """Permalink keys taken from the API (falls back to none when it is unavailable)."""
    try:
        with urllib.request.urlopen(f"{base}/api/determinations/", timeout=30) as r:  # noqa: S310
            return [row["key"] for row in json.load(r).get("results", [])]
    except Exception:
        return []


def _client(base, paths, deadline, seed, results, lock):
    rng = random.Random(seed)
    parsed = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=30)
    local = []
    while time.perf_counter() < deadline:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            ok = response.status < 500
        except Exception:
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=30)
        local.append((time.perf_counter() - started, ok))
    conn.close()
    with lock:
        results.extend(local)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    host = urllib.parse.urlsplit(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing to load anything but a loopback address")
    args.seconds = min(args.seconds, 600)

    keys = _keys(args.url.rstrip("/"), 200)
    paths = BROWSE_PATHS + [f"/determinations/{k}/" for k in keys]
    results: list[tuple[float, bool]] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + args.seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(args.url, paths, deadline, args.seed + i, results, lock),
            daemon=True,
        )
        for i in range(args.clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.seconds + 60)
    elapsed = time.perf_counter() - started

    latencies = sorted(r[0] * 1000 for r in results)
    errors = sum(1 for r in results if not r[1])

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    print(f"clients={args.clients} seconds={elapsed:.1f} requests={len(results)} errors={errors}")
    print(f"permalink keys in the mix: {len(keys)}")
    if latencies:
        print(
            f"throughput={len(results) / elapsed:.1f} req/s"
            f"  median={statistics.median(latencies):.1f} ms  p95={pct(95):.1f} ms"
            f"  p99={pct(99):.1f} ms  max={latencies[-1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
