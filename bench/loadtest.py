#!/usr/bin/env python
"""Load test: N concurrent clients against a running server on loopback, for a bounded time.

Sends a seeded mix of browse and permalink requests (the pages the public uses most; half of the
requests each by default) and reports throughput, latency percentiles and errors, overall and per
kind, with the machine's load average sampled during the run. It only ever talks to
127.0.0.1/localhost/::1, and runs at most 600 s.

    .venv/bin/python bench/loadtest.py --url http://127.0.0.1:8050 --clients 50 --seconds 60

An error is any answer other than 200 (or a 301/302/304), a timeout or a connection failure. A few
seconds of warm-up (``--warmup``, not counted) come first. Start the server first, e.g. against
the benchmark database:

    DEBUG=0 SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 BENCH_DATABASE=imr_bench \\
    DJANGO_SETTINGS_MODULE=bench.settings \\
    .venv/bin/gunicorn imr_archive.wsgi -b 127.0.0.1:8050 -w 3 --threads 4
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter

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
OK_STATUSES = {200, 301, 302, 304}


def permalink_keys(base: str, count: int) -> list[str]:
    """Up to ``count`` permalink keys from the API, following its cursor pages."""
    keys: list[str] = []
    url = f"{base}/api/determinations/?page_size=100"
    while url and len(keys) < count:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (loopback only)
            page = json.load(response)
        keys += [row["key"] for row in page.get("results", [])]
        url = page.get("next")
        if url and urllib.parse.urlsplit(url).hostname != urllib.parse.urlsplit(base).hostname:
            break
    return keys[:count]


class Client(threading.Thread):
    """One client: a keep-alive connection, requests back to back until the deadline."""

    def __init__(self, base, browse, permalinks, share, seed, start_at, deadline) -> None:
        super().__init__(daemon=True)
        self.parts = urllib.parse.urlsplit(base)
        self.browse, self.permalinks, self.share = browse, permalinks, share
        self.rng = random.Random(seed)
        self.start_at, self.deadline = start_at, deadline
        self.results: list[tuple[str, float, str]] = []  # (kind, seconds, status or error)
        self.warmup = 0

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.parts.hostname, self.parts.port or 80, timeout=30)

    def run(self) -> None:
        conn = self.connect()
        while (now := time.perf_counter()) < self.deadline:
            if self.permalinks and self.rng.random() < self.share:
                kind, path = "permalink", self.rng.choice(self.permalinks)
            else:
                kind, path = "browse", self.rng.choice(self.browse)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                outcome = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = self.connect()
            except Exception as exc:
                outcome = type(exc).__name__
                conn.close()
                conn = self.connect()
            if now < self.start_at:
                self.warmup += 1
            else:
                self.results.append((kind, time.perf_counter() - now, outcome))
        conn.close()


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def describe(label: str, rows: list[tuple[str, float, str]], elapsed: float) -> str:
    latencies = sorted(seconds * 1000 for _, seconds, _ in rows)
    errors = sum(1 for *_, outcome in rows if not _ok(outcome))
    if not latencies:
        return f"{label:<10} no requests"
    return (
        f"{label:<10} requests={len(rows):>6}  errors={errors:>4}  "
        f"throughput={len(rows) / elapsed:7.1f} req/s  median={statistics.median(latencies):7.1f}"
        f" ms  p95={percentile(latencies, 95):7.1f} ms  p99={percentile(latencies, 99):7.1f} ms"
        f"  max={latencies[-1]:7.1f} ms"
    )


def _ok(outcome: str) -> bool:
    return outcome.isdigit() and int(outcome) in OK_STATUSES


def machine_facts() -> str:
    try:
        with open("/proc/meminfo") as handle:
            total_kb = int(handle.readline().split()[1])
        memory = f"{total_kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        memory = "?"
    return f"nproc={os.cpu_count()} memory={memory} python={sys.version.split()[0]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30, help="measured time (max 600)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds not counted first")
    parser.add_argument("--keys", type=int, default=200, help="permalinks in the mix")
    parser.add_argument("--permalink-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    base = args.url.rstrip("/")
    if urllib.parse.urlsplit(base).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing to load anything but a loopback address")
    args.seconds = min(max(args.seconds, 1), 600)
    args.warmup = min(max(args.warmup, 0), 60)
    args.clients = min(max(args.clients, 1), 500)

    keys = permalink_keys(base, args.keys)
    print(f"{machine_facts()}  target={base}  permalink keys in the mix: {len(keys)}")
    permalinks = [f"/determinations/{urllib.parse.quote(key)}/" for key in keys]
    start_at = time.perf_counter() + args.warmup
    deadline = start_at + args.seconds
    clients = [
        Client(base, BROWSE_PATHS, permalinks, args.permalink_share, seed, start_at, deadline)
        for seed in range(args.seed, args.seed + args.clients)
    ]
    for client in clients:
        client.start()
    loads: list[float] = []
    while time.perf_counter() < deadline:
        time.sleep(1)
        if time.perf_counter() >= start_at:
            loads.append(os.getloadavg()[0])
    for client in clients:
        client.join(60)
    elapsed = args.seconds
    rows = [row for client in clients for row in client.results]
    outcomes = Counter(outcome for *_, outcome in rows)
    errors = sum(count for outcome, count in outcomes.items() if not _ok(outcome))

    print(
        f"clients={args.clients} seconds={elapsed:.0f} (after {args.warmup:.0f} s warm-up, "
        f"{sum(c.warmup for c in clients)} requests) requests={len(rows)} errors={errors}"
    )
    print(describe("all", rows, elapsed))
    for kind in ("browse", "permalink"):
        print(describe(kind, [row for row in rows if row[0] == kind], elapsed))
    print(f"answers: {dict(sorted(outcomes.items()))}")
    if loads:
        print(
            f"load average (1 min) during the run: min {min(loads):.1f}  "
            f"mean {statistics.mean(loads):.1f}  max {max(loads):.1f}"
        )
    return 1 if errors or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
