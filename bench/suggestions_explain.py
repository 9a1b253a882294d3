"""EXPLAIN ANALYZE of the "did you mean" lookup (determinations/suggestions.py), benchmark DB.

    BENCH_DATABASE=imr_bench .venv/bin/python bench/suggestions_explain.py [--pad N] [--runs R]

The vocabulary comes from the loader's post-load ``refresh_summaries`` (a few hundred rows: the
generator's services, documents and specialties, and their words). ``--pad N`` first fills the
table up to about N rows with ``word`` rows: the distinct words of the letters' text, then halves
of two words joined (word-like trigrams, unlike random strings), to measure a vocabulary the size
of the real archive's or larger; the next summary refresh removes them again. Prints the size,
the plan inside the lookup function (auto_explain) for six misspelt words, and the median and
worst execution time over ``--runs``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

MISSPELT = "hydrocodne gabapentn cyclobenzaprin tizanidne physcial acupunture"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pad", type=int, default=0, help="add up to N words of the letters")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--q", default=MISSPELT, help="the search whose words are looked up")
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection

    from determinations import suggestions
    from determinations.models import VocabularyTerm

    table = VocabularyTerm._meta.db_table
    with connection.cursor() as cursor:
        if args.pad:
            cursor.execute(
                f"INSERT INTO {table} (kind, term, items) "
                "SELECT 'word', word, nentry FROM ts_stat("
                "'SELECT to_tsvector(''simple'', text) FROM determinations_letter') "
                "WHERE word ~ '^[a-z]{3,}$' ORDER BY nentry DESC LIMIT %s "
                "ON CONFLICT (kind, term) DO NOTHING",
                [args.pad],
            )
            # Beyond the letters' own words: halves of two of them joined (word-like trigrams).
            cursor.execute(
                f"INSERT INTO {table} (kind, term, items) "
                "SELECT 'word', left(a.term, length(a.term) / 2 + 1) || "
                "right(b.term, length(b.term) / 2), 1 "
                f"FROM {table} a, {table} b WHERE a.kind = 'word' AND b.kind = 'word' "
                "AND a.term <> b.term ORDER BY md5(a.term || b.term) "
                f"LIMIT greatest(0, %s - (SELECT count(*) FROM {table})) "
                "ON CONFLICT (kind, term) DO NOTHING",
                [args.pad],
            )
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT kind, count(*) FROM {table} GROUP BY kind ORDER BY kind")
        sizes = dict(cursor.fetchall())
        print(f"vocabulary: {sum(sizes.values()):,} rows ({sizes})")
        words = suggestions.search_words(args.q)
        params = [words, suggestions.WORD_KIND, suggestions.PER_WORD]
        # The function's own plan, through auto_explain (its messages come back as notices).
        notices: list[str] = []
        connection.connection.add_notice_handler(lambda n: notices.append(n.message_primary))
        cursor.execute("LOAD 'auto_explain'")
        cursor.execute(
            "SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on; "
            "SET auto_explain.log_buffers = on; SET auto_explain.log_nested_statements = on; "
            "SET client_min_messages = log"
        )
        cursor.execute(suggestions._SQL, params)
        cursor.execute("SET client_min_messages = notice; SET auto_explain.log_min_duration = -1")
        print("\n".join(n for n in notices if "vocabularyterm v" in n or "Limit" in n))
        times = []
        for _ in range(args.runs):
            cursor.execute("EXPLAIN (ANALYZE) " + suggestions._SQL, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            times.append(float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))
        found = [(s.word, s.replacement) for s in suggestions.suggestions_for(args.q)]
        print(f"words {words}: {found}")
        print(
            f"execution over {args.runs} runs: median {statistics.median(times):.2f} ms, "
            f"worst {max(times):.2f} ms"
        )


if __name__ == "__main__":
    main()
