"""The archive benchmark: build or reuse a database of N letters, measure, report.

    bench/run --letters 100000 [--seed 1] [--repeat 15] [--ingest 1000] [--rebuild] [--explain]

Steps: (1) reuse the benchmark database (BENCH_DATABASE, default imr_bench) when it holds the same
N letters of the same seed and generator, else bulk-load it (bench/loader.py); (2) start gunicorn
on 127.0.0.1 (one sync worker, settings bench.settings, DEBUG off); (3) warm every URL of a fixed,
seeded request mix once, then time ``--repeat`` shuffled passes (median and 95th percentile per
group); (4) stream the full CSV export; (5) read the worker's RSS; (6) ingest ``--ingest`` generated
text letters with ``manage.py ingest_letters`` into a fresh database (or, ``--ingest-db bench``,
into the benchmark database, removing them afterwards); (7) database size per letter. Prints a
table with the targets and appends it, with the date, machine facts and the command, to
docs/performance.md. Endpoints that answer 404 are reported as "missing", never fatal.
Everything it writes besides docs/performance.md goes under --out (default /tmp/imr_bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.client
import os
import platform
import random
import re
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import loader
from bench.corpus import GENERATOR_VERSION, refuse_repo_path, write_text

REPO_ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE_DOC = REPO_ROOT / "docs" / "performance.md"
INGEST_START = 9_000_000  # ingest letters' indexes: case numbers distinct from the loaded ones

# group -> (label, target, unit, kind); kind "p95" compares the p95 in ms, "min" a rate floor,
# "max" a ceiling.
TARGETS = {
    "browse": ("Browse with facets", 150.0, "ms", "p95"),
    "search": ("Search with facets", 300.0, "ms", "p95"),
    "permalink": ("Permalink page", 20.0, "ms", "p95"),
    "stats": ("Statistics page", 300.0, "ms", "p95"),
    "facets_api": ("Facets API", 150.0, "ms", "p95"),
    "guidelines": ("Guideline pages", 300.0, "ms", "p95"),
    "check": ("Check a request (page and API)", 300.0, "ms", "p95"),
    "similar": ("Similar decisions fragment", 150.0, "ms", "p95"),
    "csv": ("CSV export, full", 50_000.0, "rows/s", "min"),
    "ingest": ("Bulk ingest (text)", 300.0, "letters/s", "min"),
    "rss": ("Web worker RSS", 300.0, "MB", "max"),
}
UNTARGETED = {"items_api": "Items API", "feed": "Feed"}

CATEGORIES = ("Pharmaceuticals", "Rehabilitation", "Diagnostic Testing", "DMEPOS", "Injection")
SPECIALTIES = ("Physical Medicine & Rehabilitation", "Orthopedic Surgery", "Psychologist")
DOCUMENTS = (  # guideline values: source and document (determinations/guidelines.py)
    "MTUS:Chronic Pain Medical Treatment Guidelines",
    "ODG:Low Back",
    "MTUS:Shoulder Complaints",
)
# A document and one of its sections the generator cites (bench/corpus.py, ``_citation``).
GUIDELINE_PAGES = (
    "/guidelines/MTUS/Chronic%20Pain%20Medical%20Treatment%20Guidelines/",
    "/guidelines/MTUS/Chronic%20Pain%20Medical%20Treatment%20Guidelines/Office%20visits/",
)
# Treatment requests as people type them into /check/: a drug, an imaging study, a therapy
# (the generator's wordings, bench/vocab.py).
CHECK_REQUESTS = (
    "Norco 10/325mg #60",
    "MRI of the lumbar spine without contrast",
    "Physical therapy 2x6 for the lumbar spine",
)
COMMON_WORDS = ("pain", "guidelines", "therapy", "documentation", "request")
RARE_WORDS = ("syringomyelia", "arachnoiditis", "coccydynia", "Bertolotti", "Kienbock")
PHRASES = (
    '"functional restoration program"',
    '"urine drug screen"',
    '"home exercise program"',
    '"trigger point injections"',
)
ABBREVIATIONS = ("ESI", "MRIs", "TENS")  # expanded on the query side (search_terms)
FIELD_WORDS = ("injection", "therapy", "program")  # searched in the request alone
# A case number typed into the search box answers with a redirect to its permalink: the lookup is
# what is timed, and a 302 is its right answer.
REDIRECTED = {"case number"}


def answered(label: str, status: int) -> bool:
    """Whether a response is the right answer for its request kind (else it is an error)."""
    return status == 200 or (label in REDIRECTED and status == 302)


# --- Request mix ----------
def request_mix(seed: int, keys: list[str]) -> list[tuple[str, str, str]]:
    """(group, label, path) for every request of the mix; fixed by the seed."""
    rng = random.Random(seed)
    mix = []

    def qs(**params) -> str:
        return "?" + urllib.parse.urlencode(params, doseq=True) if params else ""

    for round_ in range(3):
        year = rng.randint(2014, 2025)
        category = rng.choice(CATEGORIES)
        mix += [
            ("browse", "no filter", "/"),
            ("browse", "one filter", "/" + qs(category=category)),
            ("browse", "one filter (array)", "/" + qs(specialty=rng.choice(SPECIALTIES))),
            (
                "browse",
                "three filters",
                "/" + qs(year=year, outcome="overturned", category=category),
            ),
            (
                "browse",
                "three filters (arrays)",
                "/" + qs(guideline=rng.choice(DOCUMENTS), region="lumbar", year=year),
            ),
            # Issue 17's filters (no rng draw: the rest of the mix stays as it was).
            (
                "browse",
                "date range",
                "/" + qs(decided_from=f"{year}-03-01", decided_to=f"{year}-08-31"),
            ),
            ("browse", "priority", "/" + qs(priority="expedited")),
            (
                "browse",
                "letter outcome + year",
                "/" + qs(letter_outcome="partially_overturned", year=year),
            ),
            ("search", "common word", "/" + qs(q=rng.choice(COMMON_WORDS))),
            ("search", "rare word", "/" + qs(q=rng.choice(RARE_WORDS))),
            ("search", "phrase", "/" + qs(q=rng.choice(PHRASES))),
            ("search", "word + filter", "/" + qs(q=rng.choice(COMMON_WORDS), year=year)),
            # Issue 17's searches (no rng draw either).
            ("search", "field (request)", "/" + qs(q=FIELD_WORDS[round_], field="request")),
            ("search", "abbreviation", "/" + qs(q=ABBREVIATIONS[round_])),
            ("stats", "no filter", "/stats/"),
            ("stats", "one filter", "/stats/" + qs(category=category)),
            ("stats", "search", "/stats/" + qs(q=rng.choice(PHRASES))),
            # Issue 18's cross-tabs over time (no rng draw: the rest of the mix is unchanged).
            ("stats", "by category over year", "/stats/" + qs(by="category", over="year")),
            (
                "stats",
                "by subcategory over quarter",
                "/stats/" + qs(by="subcategory", over="quarter"),
            ),
            # Issue 18's comparison of two groups, one value a side (no rng draw either).
            (
                "stats",
                "compare two services",
                "/compare/" + qs(a="service=hydrocodone/acetaminophen", b="service=oxycodone"),
            ),
            # Issue 18's time to decision, letter outcomes and year report (no rng draw either).
            ("stats", "time to decision over month", "/stats/decision-days/" + qs(over="month")),
            ("stats", "letter outcomes over year", "/stats/letters/" + qs(over="year")),
            ("stats", "year report", "/reports/2020/"),
            ("facets_api", "no filter", "/api/facets/"),
            ("facets_api", "one filter", "/api/facets/" + qs(year=year)),
            (
                "facets_api",
                "date range + filter",
                "/api/facets/"
                + qs(decided_from=f"{year}-01-01", decided_to=f"{year}-06-30", category=category),
            ),
            (
                "facets_api",
                "three filters",
                "/api/facets/" + qs(year=year, outcome="upheld", category=category),
            ),
            ("items_api", "first page", "/api/items/" + qs(category=category)),
            ("feed", "filtered", "/feed/" + qs(category=category)),
        ]
    # Issue 19's guideline pages: the list, one document and one of its sections (no rng draw).
    mix += [
        ("guidelines", "list", "/guidelines/"),
        ("guidelines", "document", GUIDELINE_PAGES[0]),
        ("guidelines", "section", GUIDELINE_PAGES[1]),
    ]
    # Issue 19's check of a request (its page and its API) and a permalink's similar decisions
    # as static/js/similar.js fetches them (no rng draw either).
    for text in CHECK_REQUESTS:
        mix += [
            ("check", "page", "/check/" + qs(request=text)),
            ("check", "API", "/api/check/" + qs(request=text)),
        ]
    for key in keys:
        mix.append(("permalink", "letter", f"/determinations/{urllib.parse.quote(key)}/"))
    for key in keys[:6]:
        mix.append(
            (
                "similar",
                "fragment",
                f"/determinations/{urllib.parse.quote(key)}/similar/1/fragment/",
            )
        )
    for key in keys[:3]:  # as people type them: lower case, no dash, spaces around
        mix.append(("search", "case number", "/" + qs(q=f" {key.lower().replace('-', '')} ")))
    return mix


# --- HTTP ----------
def fetch(port: int, path: str, timeout: float = 60.0) -> tuple[int, float, int]:
    """(status, seconds, bytes) for one GET, reading the whole body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - start, len(body)
    except (TimeoutError, OSError):
        return 599, time.perf_counter() - start, 0
    finally:
        conn.close()


NEXT_LINK = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"')


def deep_page(port: int, start: str, hops: int, log, budget: float = 90.0) -> str | None:
    """Follow the page's rel="next" link ``hops`` times (cursor or page numbers alike)."""
    path, deadline = start, time.monotonic() + budget
    for hop in range(hops):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read().decode("utf-8", "replace")
        except OSError:
            return None
        finally:
            conn.close()
        match = NEXT_LINK.search(body) if response.status == 200 else None
        if not match or time.monotonic() > deadline:
            log(f"  deep page from {start}: stopped after {hop} hops")
            return path if hop else None
        href = html.unescape(match.group(1) or match.group(2))
        path = urllib.parse.urljoin(start, href)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(dbname: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE=dbname)
    env.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    env["DEBUG"] = "0"  # measure what production runs: no query log, no debug templates
    return env


class Gunicorn:
    """One gunicorn (one sync worker unless told) on loopback, stopped on exit."""

    def __init__(self, dbname: str, out: Path, workers: int = 1, threads: int = 1, timeout=900):
        self.port = free_port()
        self.log = (out / "gunicorn.log").open("w")
        env = bench_env(dbname)
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "imr_archive.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--timeout",
                str(timeout),
                "--chdir",
                str(REPO_ROOT),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {out / 'gunicorn.log'}")
            status, _, _ = fetch(self.port, "/robots.txt", timeout=5)
            if status != 599:
                return
            time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not start within 60 s")

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.proc.pid).children()]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


# --- Measurements ----------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure_mix(port: int, mix, repeat: int, seed: int, log) -> dict:
    """Warm each URL once, then ``repeat`` shuffled passes. Returns per-group results.

    Every URL that answered 200 is timed in every pass, however slow; the warm-up times (cold
    caches) are kept apart and the report lists those over 1 s."""
    status_of: dict[str, int] = {}
    cold: dict[str, float] = {}
    for group, label, path in mix:
        status, seconds, _ = fetch(port, path, timeout=120)
        status_of[path] = status
        cold[path] = max(cold.get(path, 0.0), seconds * 1000)
        log(f"  warm {status} {seconds * 1000:8.1f} ms {group:10} {label:22} {path}")
    times: dict[str, list[float]] = {}
    by_label: dict[tuple[str, str], list[float]] = {}
    worst: dict[str, tuple[float, str]] = {}
    rng = random.Random(seed + 1)
    for _ in range(repeat):
        order = list(mix)
        rng.shuffle(order)
        for group, label, path in order:
            if not answered(label, status_of[path]):
                continue
            status, seconds, _ = fetch(port, path, timeout=120)
            if not answered(label, status):
                status_of[path] = status
                continue
            times.setdefault(group, []).append(seconds * 1000)
            by_label.setdefault((group, label), []).append(seconds * 1000)
            if seconds * 1000 > worst.get(group, (0, ""))[0]:
                worst[group] = (seconds * 1000, path)
    results = {}
    for group in {g for g, _, _ in mix}:
        statuses = [(label, status_of[p]) for g, label, p in mix if g == group]
        if all(s == 404 for _, s in statuses):
            results[group] = {"missing": True}
            continue
        values = times.get(group, [])
        errors = sorted({s for label, s in statuses if not answered(label, s)})
        results[group] = {
            "n": len(values),
            "median": statistics.median(values) if values else float("nan"),
            "p95": percentile(values, 0.95),
            "errors": errors,
            "worst": worst.get(group, (0, ""))[1],
        }
    results["_cold"] = {path: ms for path, ms in sorted(cold.items()) if ms > 1000}
    results["_labels"] = {
        f"{g} / {label}": (statistics.median(v), percentile(v, 0.95), len(v))
        for (g, label), v in sorted(by_label.items())
    }
    return results


def measure_concurrent(port: int, mix, clients: int, seconds: float, seed: int, log) -> dict:
    """``clients`` threads, each requesting the whole mix in its own shuffled order, pass after
    pass, for ``seconds`` (after one sequential warm-up pass). Per group: latencies and errors
    (any status but 200, a timeout or a refused connection)."""
    import threading

    for _group, _label, path in mix:
        fetch(port, path, timeout=120)
    deadline = time.monotonic() + seconds
    rows: list[tuple[str, float, int, str]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        order = list(mix)
        mine = []
        while time.monotonic() < deadline:
            rng.shuffle(order)
            for group, label, path in order:
                if time.monotonic() >= deadline:
                    break
                status, took, _ = fetch(port, path, timeout=60)
                mine.append((group, took * 1000, status, label))
        with lock:
            rows.extend(mine)

    loads = []
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline + 120:
        time.sleep(1)
        loads.append(os.getloadavg()[0])
    results = {}
    for group in sorted({g for g, _, _ in mix}):
        mine = [
            (ms, answered(label, status), status) for g, ms, status, label in rows if g == group
        ]
        values = [ms for ms, ok, _ in mine if ok]
        results[group] = {
            "n": len(mine),
            "errors": sum(1 for _, ok, _ in mine if not ok),
            "statuses": dict(Counter(status for _, ok, status in mine if not ok)),
            "median": statistics.median(values) if values else float("nan"),
            "p95": percentile(values, 0.95),
        }
    by_label: dict[str, list[float]] = {}
    for group, ms, status, label in rows:
        if answered(label, status):
            by_label.setdefault(f"{group} / {label}", []).append(ms)
    results["_labels"] = {
        name: (statistics.median(v), percentile(v, 0.95), len(v))
        for name, v in sorted(by_label.items())
    }
    results["_load"] = (min(loads), statistics.mean(loads), max(loads)) if loads else None
    results["_requests"] = len(rows)
    return results


def concurrent_report(results: dict, clients: int, seconds: float) -> list[str]:
    rows = [
        "| page kind | requests | errors | median | p95 | target (p95) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for group, r in results.items():
        if group.startswith("_"):
            continue
        target = TARGETS.get(group)
        goal = "<= 300 ms (issue 14)" if group in TARGETS or group in UNTARGETED else "-"
        met = "" if r["p95"] != r["p95"] else (" met" if r["p95"] <= 300 else " MISSED")
        label = target[0] if target else UNTARGETED.get(group, group)
        errors = f"{r['errors']}" + (f" {r['statuses']}" if r["statuses"] else "")
        rows.append(
            f"| {label} | {r['n']} | {errors} | {r['median']:,.1f} ms | {r['p95']:,.1f} ms "
            f"| {goal}{met} |"
        )
    rows += ["", "Per request kind (median / p95 ms, n):", ""]
    for name, (median, p95, n) in results.get("_labels", {}).items():
        rows.append(f"- {name}: {median:,.1f} / {p95:,.1f} ({n})")
    total = results["_requests"]
    errors = sum(r["errors"] for g, r in results.items() if not g.startswith("_"))
    load = results.get("_load")
    rows += [
        "",
        f"{clients} clients, {seconds:.0f} s: {total} requests ({total / seconds:.1f}/s), "
        f"{errors} errors"
        + (
            f"; load average (1 min) during the run min {load[0]:.1f} mean {load[1]:.1f} "
            f"max {load[2]:.1f}"
            if load
            else ""
        ),
    ]
    return rows


class Nginx:
    """A real nginx with deploy/nginx.conf in front of ``upstream`` on loopback (bench/drills)."""

    def __init__(self, upstream: int, out: Path):
        import shutil

        from bench.drills import nginx_config

        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise SystemExit("--proxy nginx: nginx is not installed (apt-get install nginx)")
        self.port = free_port()
        config = nginx_config(out / "nginx", self.port, upstream, out / "static")
        self.proc = subprocess.Popen(
            [binary, "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while fetch(self.port, "/robots.txt", timeout=5)[0] in (599, 502):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise SystemExit(f"nginx did not start; see {out / 'nginx'}")
            time.sleep(0.3)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def measure_csv(port: int, timeout: float, log) -> dict:
    """Stream /export/items.csv; rows (lines minus the header) per second."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    start = time.perf_counter()
    try:
        conn.request("GET", "/export/items.csv", headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        if response.status == 404:
            return {"missing": True}
        if response.status != 200:
            return {"errors": [response.status]}
        first = None
        lines = size = 0
        deadline = time.monotonic() + timeout
        while True:
            block = response.read(1 << 20)
            if not block:
                break
            if first is None:
                first = time.perf_counter() - start
            lines += block.count(b"\n")
            size += len(block)
            if time.monotonic() > deadline:
                log("  CSV export stopped at the time limit")
                break
        seconds = time.perf_counter() - start
    except (TimeoutError, OSError) as exc:
        return {"errors": [str(exc)]}
    finally:
        conn.close()
    rows = max(0, lines - 1)
    return {
        "rows": rows,
        "seconds": seconds,
        "rate": rows / seconds if seconds else 0.0,
        "first_byte_ms": (first or 0) * 1000,
        "mb": size / 1e6,
    }


def manage(args: list[str], dbname: str, **kwargs) -> subprocess.CompletedProcess:
    env = bench_env(dbname)
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


def measure_ingest(count: int, seed: int, out: Path, target_db: str, bench_db: str, log) -> dict:
    """letters/s of ``manage.py ingest_letters`` on ``count`` generated text letters."""
    if count <= 0:
        return {"skipped": True}
    help_text = manage(["help", "ingest_letters"], bench_db)
    if help_text.returncode != 0:
        return {"missing": True}
    directory = out / f"ingest-{seed}-{count}"
    if not directory.exists() or len(list(directory.glob("*.txt"))) != count:
        write_text(directory, count, seed, start=INGEST_START)
    fresh = target_db != bench_db
    if fresh:
        loader.drop_database(target_db)
        loader.ensure_database(target_db)
        loader.migrate(target_db)
    with loader.connect(target_db) as conn:
        before = conn.execute("SELECT coalesce(max(id), 0) FROM determinations_letter").fetchone()
        before = before[0]
    log(f"  ingesting {count} letters from {directory} into {target_db}")
    start = time.perf_counter()
    flags = ["--no-progress"] if "--no-progress" in help_text.stdout else []
    result = manage(["ingest_letters", *flags, str(directory)], target_db, timeout=3600)
    seconds = time.perf_counter() - start
    (out / "ingest.log").write_text(result.stdout + result.stderr)
    with loader.connect(target_db, autocommit=True) as conn:
        stored, parsed, with_items = conn.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE l.status LIKE 'parsed%%'),
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM determinations_disputeditem i
                                                  WHERE i.determination_id = d.id))
            FROM determinations_letter l
            LEFT JOIN determinations_determination d ON d.letter_id = l.id
            WHERE l.id > %s
            """,
            (before,),
        ).fetchone()
        if not fresh:
            _remove_letters_after(conn, before)
    if fresh:
        loader.drop_database(target_db)
    # The command's own figure: files over the import itself, without the interpreter's and
    # Django's start-up (~1-2 s here) and the closing summary refresh.
    own = re.search(r"files in [\d.]+ s = ([\d.,]+) letters/s", result.stdout)
    return {
        "letters": count,
        "stored": stored,
        "parsed": parsed,
        "with_items": with_items,
        "command_rate": float(own.group(1).replace(",", "")) if own else None,
        "seconds": seconds,
        "rate": count / seconds if seconds else 0.0,
        "returncode": result.returncode,
        "queued": stored and not parsed,
    }


def _remove_letters_after(conn, letter_id: int) -> None:
    """Undo an ingest into the benchmark database (rows above ``letter_id``)."""
    conn.execute("SET session_replication_role = replica")
    dets = "SELECT id FROM determinations_determination WHERE letter_id > %s"
    items = f"SELECT id FROM determinations_disputeditem WHERE determination_id IN ({dets})"
    conn.execute(
        f"DELETE FROM determinations_guidelinecitation WHERE item_id IN ({items})", (letter_id,)
    )
    conn.execute(
        f"DELETE FROM determinations_disputeditem WHERE determination_id IN ({dets})",
        (letter_id,),
    )
    conn.execute("DELETE FROM determinations_determination WHERE letter_id > %s", (letter_id,))
    conn.execute("DELETE FROM determinations_uploadresult WHERE letter_id > %s", (letter_id,))
    conn.execute("DELETE FROM determinations_letter WHERE id > %s", (letter_id,))
    conn.execute("DELETE FROM determinations_uploadbatch WHERE id > 1")


def database_facts(dbname: str, letters: int) -> dict:
    with loader.connect(dbname) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = conn.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid),
                   pg_indexes_size(c.oid), c.reltuples::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
            ORDER BY 2 DESC LIMIT 8
            """
        ).fetchall()
        settings = dict(
            conn.execute(
                "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
                (
                    [
                        "shared_buffers",
                        "work_mem",
                        "random_page_cost",
                        "jit",
                        "effective_cache_size",
                    ],
                ),
            ).fetchall()
        )
        version = conn.execute("SHOW server_version").fetchone()[0]
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM determinations_disputeditem), "
            "(SELECT count(*) FROM determinations_guidelinecitation)"
        ).fetchone()
    return {
        "size": size,
        "per_letter": size / max(1, letters),
        "tables": tables,
        "settings": settings,
        "version": version,
        "items": counts[0],
        "citations": counts[1],
    }


def machine_facts() -> dict:
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = int(line.split()[1]) / 1024 / 1024
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "nproc": os.cpu_count(),
        "memory_gb": mem,
        "cpu": cpu,
        "load": os.getloadavg(),
        "python": platform.python_version(),
    }


# --- Reporting ----------
def verdict(group: str, value: float | None, result: dict) -> str:
    _label, target, unit, kind = TARGETS[group]
    if result.get("missing"):
        return "missing"
    if result.get("skipped"):
        return "skipped"
    if value is None or value != value:
        return "error " + ",".join(map(str, result.get("errors") or ["no data"]))
    if kind == "p95" or kind == "max":
        if value <= target:
            return "met"
        return f"MISSED by {value - target:,.0f} {unit} ({value / target:.1f}x target)"
    if value >= target:
        return "met"
    return f"MISSED by {target - value:,.0f} {unit} ({target / max(value, 1e-9):.1f}x short)"


def table(results: dict) -> list[str]:
    rows = ["| measure | median | p95 | target | result |", "|---|---|---|---|---|"]
    for group in [g for g, (_, _, _, kind) in TARGETS.items() if kind == "p95"]:
        r = results.get(group, {})
        label, target, unit, _ = TARGETS[group]
        if r.get("missing"):
            rows.append(f"| {label} | - | - | p95 <= {target:.0f} {unit} | missing |")
            continue
        p95 = r.get("p95")
        extra = f" (errors: {r['errors']})" if r.get("errors") else ""
        rows.append(
            f"| {label} | {r.get('median', float('nan')):,.1f} ms | {p95:,.1f} ms "
            f"| p95 <= {target:.0f} {unit} | {verdict(group, p95, r)}{extra} |"
        )
    for group, label in UNTARGETED.items():
        r = results.get(group, {})
        if r.get("missing"):
            rows.append(f"| {label} | - | - | - | missing |")
        elif r:
            rows.append(
                f"| {label} | {r['median']:,.1f} ms | {r['p95']:,.1f} ms | - | "
                f"(no target){' errors: ' + str(r['errors']) if r.get('errors') else ''} |"
            )
    csv = results.get("csv", {})
    if "rate" in csv:
        rows.append(
            f"| CSV export, full ({csv['rows']:,} rows, {csv['mb']:,.0f} MB, first byte "
            f"{csv['first_byte_ms']:,.0f} ms) | {csv['rate']:,.0f} rows/s | - | >= 50,000 rows/s "
            f"| {verdict('csv', csv['rate'], csv)} |"
        )
    else:
        rows.append(
            f"| CSV export, full | - | - | >= 50,000 rows/s | {verdict('csv', None, csv)} |"
        )
    ingest = results.get("ingest", {})
    if "rate" in ingest:
        note = (
            f"{ingest['letters']:,} letters, {ingest['parsed']:,} parsed, "
            f"{ingest['with_items']:,} with items, into {ingest['db']}; the whole command"
        )
        if ingest.get("command_rate"):
            note += f", start-up included; {ingest['command_rate']:,.0f}/s by its own count"
        rows.append(
            f"| Bulk ingest ({note}) | {ingest['rate']:,.0f} letters/s | - | >= 300 letters/s "
            f"| {verdict('ingest', ingest['rate'], ingest)} |"
        )
    else:
        rows.append(
            f"| Bulk ingest (text) | - | - | >= 300 letters/s | {verdict('ingest', None, ingest)} |"
        )
    rss = results.get("rss", {})
    if "rss" in rss:
        rows.append(
            f"| Web worker RSS after the mix (peak {rss['peak']:,.0f} MB) | {rss['rss']:,.0f} MB "
            f"| - | <= 300 MB | {verdict('rss', rss['peak'], rss)} |"
        )
    db = results.get("db", {})
    if db:
        rows.append(
            f"| Database size per letter ({db['size'] / 1e9:,.2f} GB total) | "
            f"{db['per_letter'] / 1024:,.1f} KB | - | - | (recorded) |"
        )
    return rows


def append_report(lines: list[str]) -> None:
    PERFORMANCE_DOC.parent.mkdir(parents=True, exist_ok=True)
    new = not PERFORMANCE_DOC.exists()
    with PERFORMANCE_DOC.open("a", encoding="utf-8") as handle:
        if new:
            handle.write(
                "# Performance\n\nMeasured figures; each section says how it was measured.\n"
            )
        handle.write("\n" + "\n".join(lines) + "\n")


# --- Main ----------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, required=True, help="letters in the benchmark DB")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15, help="timed passes over the mix")
    parser.add_argument(
        "--deep-page", type=int, default=20, help="next-page links followed for a deep page"
    )
    parser.add_argument("--permalinks", type=int, default=20, help="distinct permalink keys")
    parser.add_argument("--ingest", type=int, default=1000, help="text letters to ingest (0: skip)")
    parser.add_argument("--ingest-db", choices=("temp", "bench"), default="temp")
    parser.add_argument("--rebuild", action="store_true", help="reload even if reusable")
    parser.add_argument("--jobs", type=int, default=2, help="processes/connections for the load")
    parser.add_argument(
        "--no-letter-text",
        action="store_true",
        help="bulk load without Letter.text (faster; size per letter then excludes the text)",
    )
    parser.add_argument("--csv-timeout", type=float, default=1800)
    parser.add_argument("--no-csv", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE slow groups")
    parser.add_argument("--no-append", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "imr_bench")
    concurrent = parser.add_argument_group("concurrent load (--clients N)")
    concurrent.add_argument(
        "--clients", type=int, default=0, help="N concurrent clients run the mix (no CSV/ingest)"
    )
    concurrent.add_argument("--seconds", type=float, default=60, help="measured time (max 600)")
    concurrent.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    concurrent.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    concurrent.add_argument("--proxy", choices=("none", "nginx"), default="none")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    out = refuse_repo_path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "bench/run " + shlex.join(argv if argv is not None else sys.argv[1:])
    started = dt.datetime.now().astimezone()
    machine = machine_facts()
    dbname = loader.bench_db_name()

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)

    log(f"{command}: machine {machine['nproc']} cores, load {machine['load'][0]:.1f}")
    meta = loader.loaded_meta(dbname)
    reuse = (
        not args.rebuild
        and meta is not None
        and meta["letters"] == args.letters
        and meta["seed"] == args.seed
        and meta["generator"] == GENERATOR_VERSION
        and meta["with_text"] == (not args.no_letter_text)
    )
    load_note = ""
    if reuse:
        log(
            f"reusing {dbname}: {meta['letters']} letters loaded {meta['loaded_at']:%Y-%m-%d %H:%M}"
        )
        migrated = manage(["migrate", "--no-input"], dbname)
        if "Applying" in migrated.stdout:
            log("new migrations applied; running post-load commands")
            loader.post_load_commands(dbname)
        load_note = (
            f"reused (loaded {meta['loaded_at']:%Y-%m-%d %H:%M} in {meta['seconds']:,.0f} s)"
        )
    else:
        log(f"building {dbname} with {args.letters} letters")
        timings = loader.load(
            args.letters, seed=args.seed, jobs=args.jobs, with_text=not args.no_letter_text
        )
        load_note = (
            f"loaded in {timings['total']:,.0f} s ("
            + ", ".join(f"{k} {v:,.0f} s" for k, v in timings.items() if k != "total")
            + ")"
        )

    with loader.connect(dbname) as conn:
        rng = random.Random(args.seed)
        ids = [rng.randint(1, args.letters) for _ in range(args.permalinks)]
        keys = [
            k
            for (k,) in conn.execute(
                "SELECT key FROM determinations_determination WHERE id = ANY(%s) "
                "AND withdrawn_at IS NULL ORDER BY id",
                (ids,),
            ).fetchall()
        ]
    mix = request_mix(args.seed, keys)
    if args.clients:
        return run_concurrent(args, dbname, mix, out, log)

    results: dict = {}
    server = Gunicorn(dbname, out)
    try:
        log(f"gunicorn on 127.0.0.1:{server.port}; finding deep pages ({args.deep_page} hops)")
        for group, start in (("browse", "/?category=Pharmaceuticals"), ("search", "/?q=therapy")):
            deep = deep_page(server.port, start, args.deep_page, log)
            if deep:
                mix += [(group, "deep page", deep)] * 3
        log(f"warming {len(mix)} URLs")
        results.update(measure_mix(server.port, mix, args.repeat, args.seed, log))
        if args.no_csv:
            results["csv"] = {"skipped": True}
        else:
            log("streaming /export/items.csv")
            results["csv"] = measure_csv(server.port, args.csv_timeout, log)
        pids = server.worker_pids()
        if pids:
            current, peak = rss_mb(pids[0])
            results["rss"] = {"rss": current, "peak": peak}
    finally:
        server.stop()

    target_db = dbname if args.ingest_db == "bench" else f"{dbname}_ingest"
    results["ingest"] = measure_ingest(args.ingest, args.seed, out, target_db, dbname, log)
    results["ingest"]["db"] = "the benchmark DB" if args.ingest_db == "bench" else "an empty DB"
    results["db"] = database_facts(dbname, args.letters)

    db = results["db"]
    settings = db["settings"]
    lines = [
        f"## Benchmark: {args.letters:,} letters ({started:%Y-%m-%d %H:%M %Z})",
        "",
        f"- Command: `{command}`",
        f"- Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['memory_gb']:.0f} GB "
        f"RAM, load average {machine['load'][0]:.1f} at start (the machine is shared); "
        f"PostgreSQL {db['version']} (shared_buffers {settings.get('shared_buffers')}, work_mem "
        f"{settings.get('work_mem')}, random_page_cost {settings.get('random_page_cost')}, jit "
        f"{settings.get('jit')}, effective_cache_size {settings.get('effective_cache_size')}); "
        f"Python {machine['python']}; one gunicorn sync worker on 127.0.0.1, one client.",
        f"- Data: {args.letters:,} synthetic letters (seed {args.seed}), {db['items']:,} items, "
        f"{db['citations']:,} citations; {load_note}.",
        f"- Latencies: {args.repeat} timed passes over a seeded mix after one warm-up pass.",
        "",
        *table(results),
        "",
        "Per request kind (median / p95 ms, n):",
        "",
    ]
    for label, (median, p95, n) in results.get("_labels", {}).items():
        lines.append(f"- {label}: {median:,.1f} / {p95:,.1f} ({n})")
    if results.get("_cold"):
        lines += ["", "Slower than 1 s in the warm-up pass (cold caches; timed like the rest):", ""]
        for path, ms in results["_cold"].items():
            lines.append(f"- `{path}`: {ms:,.0f} ms")
    lines += ["", "Largest tables (total / heap / indexes):", ""]
    for name, total, heap, idx, rows in db["tables"]:
        lines.append(
            f"- {name}: {total / 1e6:,.0f} MB / {heap / 1e6:,.0f} MB / {idx / 1e6:,.0f} MB "
            f"({rows:,} rows)"
        )
    print("\n".join(lines))
    (out / f"report-{args.letters}.md").write_text("\n".join(lines) + "\n")
    if args.explain:
        from bench.explain import explain_groups

        try:
            explain_groups(results, mix, dbname, out, log)
        except Exception as exc:  # never lose the measurements to the evidence step
            log(f"EXPLAIN step failed: {exc!r}")
    if not args.no_append:
        append_report(lines)
        log(f"appended to {PERFORMANCE_DOC}")
    return 0


def run_concurrent(args, dbname: str, mix, out: Path, log) -> int:
    """--clients N: the mix under N concurrent clients against the chosen deployment."""
    clients = min(max(args.clients, 1), 64)
    seconds = min(max(args.seconds, 5), 600)
    server = Gunicorn(dbname, out, workers=args.workers, threads=args.threads, timeout=30)
    proxy = None
    try:
        port = server.port
        if args.proxy == "nginx":
            (out / "static").mkdir(exist_ok=True)
            proxy = Nginx(server.port, out)
            port = proxy.port
        deployment = f"gunicorn --workers {args.workers} --threads {args.threads} --timeout 30" + (
            " behind nginx (deploy/nginx.conf)" if proxy else ""
        )
        for group, start in (("browse", "/?category=Pharmaceuticals"), ("search", "/?q=therapy")):
            deep = deep_page(port, start, args.deep_page, log)
            if deep:
                mix += [(group, "deep page", deep)] * 3
        log(f"{deployment}; {clients} clients x {len(mix)} URLs for {seconds:.0f} s")
        results = measure_concurrent(port, mix, clients, seconds, args.seed, log)
    finally:
        if proxy:
            proxy.stop()
        server.stop()
    lines = [f"{deployment}, {clients} clients, uptime: {uptime()}", ""]
    lines += concurrent_report(results, clients, seconds)
    print("\n".join(lines))
    (out / f"concurrent-{args.letters}-{clients}.md").write_text("\n".join(lines) + "\n")
    errors = sum(r["errors"] for g, r in results.items() if not g.startswith("_"))
    return 1 if errors else 0


def uptime() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


if __name__ == "__main__":
    sys.exit(main())
