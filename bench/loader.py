"""Bulk-load N synthetic letters into the benchmark database with psycopg 3 COPY.

Writes exactly what ``determinations.services.determination_save`` would write for the same parse
(Letter, Reviewer with its fingerprint, Determination, DisputedItem with its copied facet columns
and search vector, GuidelineCitation), from the generator's structured data rather than from
parsed text. Originals are NOT generated: every Letter's ``original`` points at the placeholder
``PLACEHOLDER_ORIGINAL`` (the original-download view fails for these rows); ``Letter.text`` holds
the rendered letter text so the database size per letter is realistic.

Steps, each timed: (1) migrate and empty the tables; (2) drop every secondary index and unique
constraint of the big tables (definitions kept from the catalog, so indexes added by later
migrations are handled too); (3) generate letters in ``jobs`` processes and COPY letters,
determinations, citations and items (items into an UNLOGGED staging table); (4) insert the items
from staging with their search vectors computed in SQL, in id ranges on two connections, the
clinical-summary vector computed once per letter; (5) recreate indexes and constraints on two
connections; (6) VACUUM ANALYZE, reset identity sequences, run any summary-rebuild commands.
Referential triggers are off during the load (``session_replication_role = replica``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import psycopg

from bench.corpus import GENERATOR_VERSION, Corpus
from determinations.choices import decision_days_value, letter_outcome_value, modified_value
from determinations.citation_format import citations_text
from determinations.guidelines import guideline_value, section_value
from determinations.reasons import item_reasons
from determinations.search_vector import OWN_VECTORS, own_vector_sql, part_vector_sql, vector_sql

REPO_ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER_ORIGINAL = "originals/bench-placeholder/NOT-GENERATED"
CHUNK = 4000
TABLES = (
    "determinations_letter",
    "determinations_determination",
    "determinations_disputeditem",
    "determinations_guidelinecitation",
    "determinations_reviewer",
)
# Per-database settings from ../shared/docs/scale-notes.md ("Settings that mattered") that do not
# need a restart; shared_buffers cannot be set per database and is reported as found.
DB_SETTINGS = {
    "work_mem": "64MB",
    "random_page_cost": "1.1",
    "effective_cache_size": "16GB",
    "jit": "off",
}


# --- Connections ----------
def server_params() -> dict:
    """Connection parameters of the archive's server (DATABASE_URL or the embedded server)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }


def bench_db_name() -> str:
    return os.environ.get("BENCH_DATABASE", "imr_bench")


def connect(dbname: str | None = None, **kwargs) -> psycopg.Connection:
    params = {k: v for k, v in server_params().items() if v}
    return psycopg.connect(dbname=dbname or bench_db_name(), **params, **kwargs)


def nice_backend(conn: psycopg.Connection) -> None:
    """Lower the priority of this connection's server process (we share 2 cores)."""
    try:
        pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        os.setpriority(os.PRIO_PROCESS, pid, 10)
    except (OSError, psycopg.Error):
        pass


def ensure_database(name: str) -> bool:
    """Create database ``name`` if missing; return whether it was created."""
    with connect("postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
        for key, value in DB_SETTINGS.items():
            conn.execute(f"ALTER DATABASE \"{name}\" SET {key} = '{value}'")
        return not exists


def drop_database(name: str) -> None:
    if name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop {name}")
    with connect("postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(name: str) -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE=name)
    env.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        cwd=REPO_ROOT,
        env=env,
    )


# --- COPY text format ----------
def _escape(value: str) -> str:
    """COPY text-format escaping (str.replace is far faster than str.translate here)."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _c(value) -> str:
    """One value in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, list):
        inner = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        return _escape("{" + inner + "}")
    return str(value)


def _row(values) -> str:
    return "\t".join(map(_c, values)) + "\n"


LETTER_COLUMNS = (
    "id, original, sha256, original_name, size, content_type, uploaded_at, status, errors, "
    "warnings, parser_version, parsed_at, text, batch_id"
)
DETERMINATION_COLUMNS = (
    "id, key, case_number, date_assigned, date_of_injury, decision_date, ur_denial_date, "
    "application_received, priority, patient_age, patient_sex, clinical_summary, outcome, "
    "withdrawn_at, withdrawn_reason, created_at, updated_at, letter_id, reviewer_id"
)
ITEM_COLUMNS = (
    "id, determination_id, number, request, original_request, authorized, outcome, category, "
    "subcategory, service, body_regions, quantity, claims_administrator_basis, reviewer_basis, "
    "rationale, decision_date, decision_year, specialties, guideline_sources, "
    "guideline_documents, withdrawn, reviewer_citations_text, claims_administrator_citations_text, "
    "priority, letter_outcome, licensure, modified, decision_days, injury_year, "
    "guideline_sections, reason_codes, reasons"
)
CITATION_COLUMNS = "item_id, cited_by, position, source, document, chapter, section, pages, year"


def _unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


def chunk_rows(args: tuple) -> tuple[int, str, str, str, str]:
    """Generate letters [start, stop) as COPY text for letters, determinations, items, citations."""
    seed, total, start, stop, item_id, parser_version, with_text = args
    corpus = _corpus(seed, total)
    letters, determinations, items, citations = [], [], [], []
    for index in range(start, stop):
        letter = corpus.letter(index)
        lid = index + 1
        decision = letter["decision_date"]
        stamp = dt.datetime(decision.year, decision.month, decision.day, 12, tzinfo=dt.UTC)
        text = corpus.render(letter) if with_text else ""
        data = text.encode() if with_text else f"bench:{seed}:{index}".encode()
        sha = hashlib.sha256(data).hexdigest()
        letters.append(
            _row(
                (
                    lid,
                    PLACEHOLDER_ORIGINAL,
                    sha,
                    f"{letter['case_number']}.txt",
                    len(data),
                    "text/plain",
                    stamp,
                    "parsed",
                    "[]",
                    "[]",
                    parser_version,
                    stamp,
                    text,
                    1,
                )
            )
        )
        withdrawn = index % 5003 == 4999  # about 0.02% withdrawn, deterministic
        reviewer = letter["reviewer"]
        patient = letter["patient"]
        assigned, injured = letter["date_assigned"], letter["date_of_injury"]
        decision_days = decision_days_value(
            (decision - assigned).days if decision and assigned else None
        )
        determinations.append(
            _row(
                (
                    lid,
                    letter["case_number"],
                    letter["case_number"],
                    letter["date_assigned"],
                    letter["date_of_injury"],
                    decision,
                    letter["ur_denial_date"],
                    letter["application_received"],
                    letter["priority"],
                    patient["age"],
                    patient["sex"],
                    letter["clinical_summary"],
                    letter["outcome"],
                    stamp if withdrawn else None,
                    "Withdrawn for the benchmark." if withdrawn else "",
                    stamp,
                    stamp,
                    lid,
                    reviewer["id"],
                )
            )
        )
        for item in letter["items"]:
            item_id += 1
            cited = item["reviewer"]["citations"]
            decisive = item_reasons(item)  # the generator's (bench/vocab.py REASON_CODES)
            items.append(
                _row(
                    (
                        item_id,
                        lid,
                        item["number"],
                        item["request"],
                        item["original_request"],
                        item["authorized"],
                        item["outcome"],
                        item["category"],
                        item["subcategory"],
                        item["service"],
                        item["body_regions"],
                        item["quantity"],
                        item["claims_administrator"]["basis"],
                        item["reviewer"]["basis"],
                        item["rationale"],
                        decision,
                        decision.year,
                        reviewer["specialties"],
                        _unique(c["source"] for c in cited),
                        _unique(guideline_value(c["source"], c["document"]) for c in cited),
                        withdrawn,
                        citations_text(cited),
                        citations_text(item["claims_administrator"]["citations"]),
                        letter["priority"],
                        letter_outcome_value(letter["outcome"]),
                        _unique(reviewer["licensure"]),
                        modified_value(item["original_request"]),
                        decision_days,
                        injured.year if injured else None,
                        _unique(
                            section_value(c["source"], c["document"], c["section"]) for c in cited
                        ),
                        decisive.codes,
                        json.dumps(decisive.reasons),
                    )
                )
            )
            for cited_by, key in (
                ("claims_administrator", "claims_administrator"),
                ("reviewer", "reviewer"),
            ):
                for position, c in enumerate(item[key]["citations"], 1):
                    citations.append(
                        _row(
                            (
                                item_id,
                                cited_by,
                                position,
                                c["source"],
                                c["document"],
                                c["chapter"],
                                c["section"],
                                c["pages"],
                                c["year"],
                            )
                        )
                    )
    return (
        stop - start,
        "".join(letters),
        "".join(determinations),
        "".join(items),
        "".join(citations),
    )


_CORPUS: dict[tuple[int, int], Corpus] = {}


def _corpus(seed: int, total: int) -> Corpus:
    if (seed, total) not in _CORPUS:
        _CORPUS[(seed, total)] = Corpus(seed, total)
    return _CORPUS[(seed, total)]


def _count_items(args: tuple[int, int, int, int]) -> int:
    seed, total, start, stop = args
    corpus = _corpus(seed, total)
    return sum(corpus.item_count(i) for i in range(start, stop))


# --- Index handling ----------
def secondary_objects(conn) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(indexes, unique constraints) of the big tables other than primary keys."""
    tables = list(TABLES)
    indexes = conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY pg_relation_size(i.indrelid) DESC
        """,
        (tables,),
    ).fetchall()
    constraints = conn.execute(
        """
        SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relname = ANY(%s) AND c.contype = 'u'
        """,
        (tables,),
    ).fetchall()
    return indexes, constraints


def _index_cost(sql: str) -> int:
    """Rough build cost, to start the slowest builds first."""
    if "search_vector" in sql:
        return 100
    if "gin" in sql.lower():
        return 20
    return 5 if "disputeditem" in sql else 1


# --- The load ----------
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", flush=True)


def load(n: int, *, seed: int = 1, jobs: int = 2, with_text: bool = True) -> dict:
    """Build the benchmark database with ``n`` letters; return timings in seconds."""
    name = bench_db_name()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    # A new database every load: a load that died after dropping the secondary indexes must not
    # leave a schema without them for the next run to keep.
    drop_database(name)
    ensure_database(name)
    migrate(name)
    timings["migrate"] = time.perf_counter() - t0
    try:
        from determinations.parsing import PARSER_VERSION
    except Exception:  # the parser is someone else's work in progress
        PARSER_VERSION = "bench"

    with connect(name, autocommit=True) as conn:
        nice_backend(conn)
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("DROP TABLE IF EXISTS bench_meta")
        conn.execute(
            "TRUNCATE determinations_uploadresult, determinations_guidelinecitation, "
            "determinations_disputeditem, determinations_determination, determinations_letter, "
            "determinations_reviewer, determinations_uploadbatch RESTART IDENTITY CASCADE"
        )
        indexes, constraints = secondary_objects(conn)
        for index_name, _ in indexes:
            conn.execute(f"DROP INDEX {index_name}")
        for table, constraint, _ in constraints:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
        log(f"dropped {len(indexes)} indexes and {len(constraints)} unique constraints")

        corpus = Corpus(seed, n)
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO determinations_uploadbatch (id, created_at, source, note, state, "
                "staged, received_files) VALUES (1, now(), 'command', %s, 'received', '[]', 0)",
                (f"bench bulk load: {n} synthetic letters, seed {seed}; originals not generated",),
            )
            with cur.copy(
                "COPY determinations_reviewer (id, role, specialties, board_certified, licensure, "
                "fingerprint) FROM STDIN"
            ) as copy:
                for r in corpus.reviewers:
                    copy.write(
                        _row(
                            (
                                r["id"],
                                r["role"],
                                r["specialties"],
                                r["board_certified"],
                                r["licensure"],
                                r["fingerprint"],
                            )
                        )
                    )
        conn.execute("DROP TABLE IF EXISTS bench_item_stage")
        conn.execute(
            "CREATE UNLOGGED TABLE bench_item_stage (LIKE determinations_disputeditem "
            "INCLUDING DEFAULTS)"
        )

        # Dense item ids: count items per chunk first (cheap), then prefix sums.
        t1 = time.perf_counter()
        bounds = [(s, min(n, s + CHUNK)) for s in range(0, n, CHUNK)]
        ctx = get_context("fork")
        with ctx.Pool(jobs) as pool:
            counts = pool.map(_count_items, [(seed, n, a, b) for a, b in bounds], chunksize=8)
            item_bases, running = [], 0
            for count in counts:
                item_bases.append(running)
                running += count
            total_items = running
            log(f"{n} letters will have {total_items} items; generating and copying")
            tasks = [
                (seed, n, a, b, base, PARSER_VERSION, with_text)
                for (a, b), base in zip(bounds, item_bases, strict=True)
            ]
            done = 0
            with conn.cursor() as cur:
                for count, letters, dets, items, cites in pool.imap(chunk_rows, tasks):
                    for table, columns, data in (
                        ("determinations_letter", LETTER_COLUMNS, letters),
                        ("determinations_determination", DETERMINATION_COLUMNS, dets),
                        ("bench_item_stage", ITEM_COLUMNS, items),
                        ("determinations_guidelinecitation", CITATION_COLUMNS, cites),
                    ):
                        with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            copy.write(data)
                    done += count
                    if done % (CHUNK * 5) == 0 or done == n:
                        rate = done / (time.perf_counter() - t1)
                        log(f"  copied {done}/{n} letters ({rate:,.0f} letters/s)")
        timings["generate+copy"] = time.perf_counter() - t1
        conn.execute("ALTER TABLE bench_item_stage ADD PRIMARY KEY (id)")

    # Items with search vectors, two connections over id ranges of letters.
    t2 = time.perf_counter()
    step = 20_000
    ranges = [(a + 1, min(n, a + step)) for a in range(0, n, step)]
    # The write path's vector (``search_vector``); a letter's summary is built once.
    summary_vector = part_vector_sql("summary", "clinical_summary")
    item_vector = vector_sql(
        {"request": "s.request", "rationale": "s.rationale"}, vectors={"summary": "dv.v"}
    )
    # The parts' own vectors (``request_vector``) from the staged items' texts.
    own_columns = "".join(f", {column}" for column in OWN_VECTORS.values())
    own_vectors = "".join(f", {own_vector_sql('s.' + name)}" for name in OWN_VECTORS)
    insert = f"""
        WITH dv AS MATERIALIZED (
            SELECT id, {summary_vector} AS v
            FROM determinations_determination WHERE id BETWEEN %(a)s AND %(b)s
        )
        INSERT INTO determinations_disputeditem ({ITEM_COLUMNS}, search_vector{own_columns})
        SELECT {", ".join("s." + c.strip() for c in ITEM_COLUMNS.split(","))},
               {item_vector}{own_vectors}
        FROM bench_item_stage s JOIN dv ON dv.id = s.determination_id
        WHERE s.id BETWEEN %(lo)s AND %(hi)s
    """
    lock = threading.Lock()
    progress = [0]
    item_bounds = _item_bounds(item_bases, total_items, ranges, counts)

    def vectors(task):
        (a, b), (lo, hi) = task
        with connect(name, autocommit=True) as c2:
            nice_backend(c2)
            c2.execute("SET session_replication_role = replica")
            c2.execute(insert, {"a": a, "b": b, "lo": lo, "hi": hi})
        with lock:
            progress[0] += b - a + 1
            if progress[0] % (step * 10) == 0 or progress[0] == n:
                log(f"  search vectors for {progress[0]}/{n} letters")

    with ThreadPoolExecutor(max_workers=jobs) as executor:
        list(executor.map(vectors, zip(ranges, item_bounds, strict=True)))
    timings["items+search vectors"] = time.perf_counter() - t2

    with connect(name, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_item_stage")
    # Indexes and constraints back, slowest first, on two connections.
    t3 = time.perf_counter()
    # Unique constraints: build their index alongside the others (CREATE INDEX takes a SHARE
    # lock; ALTER TABLE ... ADD CONSTRAINT would wait for every other build on the table), then
    # attach it, which is instant.
    statements = [sql for _, sql in indexes] + [
        f'CREATE UNIQUE INDEX "{c}" ON {t} {d.removeprefix("UNIQUE ")}' for t, c, d in constraints
    ]
    statements.sort(key=_index_cost, reverse=True)

    def build(sql: str) -> None:
        started = time.perf_counter()
        with connect(name, autocommit=True) as c3:
            nice_backend(c3)
            c3.execute("SET maintenance_work_mem = '1GB'")
            c3.execute(sql)
        label = re.sub(r"\s+", " ", sql)[:90]
        log(f"  {time.perf_counter() - started:6.1f}s {label}")

    with ThreadPoolExecutor(max_workers=jobs) as executor:
        list(executor.map(build, statements))
    with connect(name, autocommit=True) as conn:
        for t, c, _ in constraints:
            conn.execute(f'ALTER TABLE {t} ADD CONSTRAINT "{c}" UNIQUE USING INDEX "{c}"')
    timings["indexes"] = time.perf_counter() - t3

    t4 = time.perf_counter()
    with connect(name, autocommit=True) as conn:
        nice_backend(conn)
        for table in (*TABLES, "determinations_uploadbatch"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {table}), 1))"
            )
        conn.execute("VACUUM (ANALYZE)")
        timings["vacuum+analyze"] = time.perf_counter() - t4
        hooks = post_load_commands(name)
        timings["post-load commands"] = time.perf_counter() - t4 - timings["vacuum+analyze"]
        conn.execute(
            "CREATE TABLE bench_meta (letters int, items int, seed int, generator text, "
            "with_text bool, loaded_at timestamptz, seconds real, timings text, hooks text)"
        )
        total = time.perf_counter() - t0
        conn.execute(
            "INSERT INTO bench_meta VALUES (%s, %s, %s, %s, %s, now(), %s, %s, %s)",
            (n, total_items, seed, GENERATOR_VERSION, with_text, total, repr(timings), hooks),
        )
    timings["total"] = time.perf_counter() - t0
    log(
        "loaded "
        + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items())
        + f" ({n / timings['total']:,.0f} letters/s overall)"
    )
    return timings


def _item_bounds(item_bases, total_items, ranges, counts) -> list[tuple[int, int]]:
    """Item id range of each letter range (ranges are multiples of CHUNK)."""
    bases = [*item_bases, total_items]
    out = []
    for a, b in ranges:
        first_chunk = (a - 1) // CHUNK
        last_chunk = (b - 1) // CHUNK
        out.append((bases[first_chunk] + 1, bases[last_chunk + 1]))
    return out


POST_LOAD_PATTERN = re.compile(r"^(rebuild|refresh|update|recompute)_\w*(count|summar|stat|facet)")


def post_load_commands(name: str) -> str:
    """Run the project's summary-rebuild commands, if any (BENCH_POST_LOAD overrides the list).

    Summaries maintained on ingest are not maintained by COPY: whatever command rebuilds them
    must run after a bulk load. Found by name unless BENCH_POST_LOAD lists them.
    """
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", BENCH_DATABASE=name)
    listed = os.environ.get("BENCH_POST_LOAD")
    if listed is not None:
        commands = listed.split()
    else:
        out = subprocess.run(
            [sys.executable, str(REPO_ROOT / "manage.py"), "help", "--commands"],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env=env,
            check=False,
        ).stdout
        commands = [c for c in out.split() if POST_LOAD_PATTERN.match(c)]
    for command in commands:
        log(f"post-load: manage.py {command}")
        subprocess.run(
            ["nice", sys.executable, str(REPO_ROOT / "manage.py"), command],
            check=False,
            cwd=REPO_ROOT,
            env=env,
        )
    return " ".join(commands)


def loaded_meta(name: str | None = None) -> dict | None:
    """What the benchmark database holds (from bench_meta), or None."""
    try:
        with connect(name or bench_db_name()) as conn:
            row = conn.execute(
                "SELECT letters, items, seed, generator, with_text, loaded_at, seconds, timings "
                "FROM bench_meta"
            ).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    keys = ("letters", "items", "seed", "generator", "with_text", "loaded_at", "seconds", "timings")
    return dict(zip(keys, row, strict=True))
