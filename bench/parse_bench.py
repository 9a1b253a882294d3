"""Parser throughput: letters per second, single process, median of several runs.

    .venv/bin/python bench/parse_bench.py [--repeat N] [--runs R] [--cpu] [--fresh]
    .venv/bin/python bench/parse_bench.py --processes 2     # PDF letters/s over 2 processes
    .venv/bin/python bench/parse_bench.py --text-only [--without-reasons]

Parses every text and PDF letter under tests/assets/letters N times per run and prints
letters/s for text and for PDF (targets: >= 500 text, >= 150 PDF). The same letters come back
in every pass, so a cache keyed on their text would serve the later passes; ``--fresh`` empties
the parser's functools caches before each pass, so every letter is parsed as a new one is (each
once per pass, as ingest sees them). If pypdf happens to be
installed (it is not a project requirement) it also times pypdf's text extraction against
pypdfium2's on the same PDFs and prints the ratio. ``--without-reasons`` replaces the items'
reason extraction (reasons.py, issue 19) with nothing, to measure what it costs; ``--text-only``
times the text letters alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from determinations.parsing import parse_letter, parse_text  # noqa: E402
from determinations.parsing.extract import extract_text  # noqa: E402

ASSETS = ROOT / "tests" / "assets" / "letters"


CLOCK = time.perf_counter


FRESH = False


def clear_parser_caches() -> None:
    """Empty every functools cache defined in determinations.parsing and its vocab modules."""
    for name, module in list(sys.modules.items()):
        if name.startswith("determinations.parsing"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)) and value.__module__ == name:
                    value.cache_clear()


def rate(func, inputs: list, repeat: int, runs: int) -> float:
    """Median letters per second over ``runs`` runs of ``repeat`` passes over ``inputs``."""
    rates = []
    for _ in range(runs):
        elapsed = 0.0
        for _ in range(repeat):
            if FRESH:
                clear_parser_caches()  # outside the timed pass
            start = CLOCK()
            for data in inputs:
                func(data)
            elapsed += CLOCK() - start
        rates.append(len(inputs) * repeat / elapsed)
    return statistics.median(rates)


def _parse_all(paths: list[str]) -> int:
    """Runs in a worker process: parse each file; how many."""
    for path in paths:
        parse_letter(Path(path).read_bytes(), path)
    return len(paths)


def parallel_pdf_rate(processes: int, repeat: int) -> float:
    """PDF letters per second (wall time) over ``processes`` worker processes, as ingest does."""
    from concurrent.futures import ProcessPoolExecutor

    paths = [str(path) for path in sorted((ASSETS / "real").glob("*.pdf"))]
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_parse_all, [paths[:5]] * processes))  # start and warm the workers
        start = time.perf_counter()
        done = sum(pool.map(_parse_all, [paths] * (repeat * processes * 2)))
        return done / (time.perf_counter() - start)


def pypdf_text(data: bytes) -> str:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the assets per run")
    parser.add_argument("--runs", type=int, default=5, help="runs; the median is printed")
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time with this process's CPU time instead of wall time (steadier on a busy machine)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="empty the parser's caches before each pass (each letter parsed as a new one)",
    )
    parser.add_argument(
        "--processes", type=int, default=0, help="only: PDF letters/s over N worker processes"
    )
    parser.add_argument(
        "--without-reasons",
        action="store_true",
        help="skip the items' reason extraction (every item gets reasons: [])",
    )
    parser.add_argument("--text-only", action="store_true", help="only the text letters")
    args = parser.parse_args()
    if args.without_reasons:
        import determinations.parsing as parsing

        parsing.item_reasons = lambda rationale, outcome: []
    if args.processes:
        rate_n = parallel_pdf_rate(args.processes, args.repeat)
        print(f"PDF letters over {args.processes} processes: {rate_n:8.0f} letters/s (wall)")
        return
    global CLOCK, FRESH
    if args.cpu:
        CLOCK = time.process_time
    FRESH = args.fresh

    texts = [path.read_bytes() for path in sorted(ASSETS.glob("0*.txt"))]
    pdfs = [path.read_bytes() for path in sorted((ASSETS / "real").glob("*.pdf"))]
    parse_letter(texts[0])  # warm imports (vocab modules, pdfium) outside the timing
    parse_letter(pdfs[0])

    text_rate = rate(parse_letter, texts, args.repeat * 20, args.runs)
    if args.text_only:
        reasons = "without" if args.without_reasons else "with"
        print(f"text letters: {len(texts)} files, {text_rate:8.0f} letters/s ({reasons} reasons)")
        return
    pdf_rate = rate(parse_letter, pdfs, args.repeat, args.runs)
    extract_rate = rate(extract_text, pdfs, args.repeat, args.runs)
    extracted = [extract_text(data).text for data in pdfs]
    after_rate = rate(parse_text, extracted, args.repeat, args.runs)
    print(f"text letters: {len(texts)} files, {text_rate:8.0f} letters/s (target >= 500)")
    print(f"PDF letters:  {len(pdfs)} files, {pdf_rate:8.0f} letters/s (target >= 150)")
    print(f"PDF text extraction alone (pypdfium2): {extract_rate:8.0f} letters/s")
    print(
        f"parse after extraction (PDF texts):     {after_rate:8.0f} letters/s "
        f"({1000 / after_rate:.2f} ms/letter)"
    )
    try:
        import pypdf  # noqa: F401
    except ImportError:
        print("pypdf not installed: no comparison (pip install pypdf, outside requirements)")
        return
    try:
        pypdf_rate = rate(pypdf_text, pdfs, 1, max(1, args.runs // 2))
    except Exception as exc:  # e.g. AES needs the cryptography package as well
        print(f"pypdf failed on these PDFs: {type(exc).__name__}: {exc}")
        return
    print(f"PDF text extraction alone (pypdf):     {pypdf_rate:8.0f} letters/s")
    print(f"pypdfium2 is {extract_rate / pypdf_rate:.1f}x faster than pypdf")


if __name__ == "__main__":
    main()
