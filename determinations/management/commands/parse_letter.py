"""``python manage.py parse_letter PATH [PATH ...]``: one JSON object per file per line.

Each object is the parser's output plus "file" (the path as given). Exit status is 0 when no
file had errors, 1 otherwise. The work is done by :func:`run`, which has no Django dependency,
so it can be tested and reused without settings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from django.core.management.base import BaseCommand

from determinations.parsing import empty_result, parse_letter


def parse_path(path: str) -> dict[str, Any]:
    """Parse one file; an unreadable path gives an object with an error, not a traceback."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        result = empty_result()
        result["errors"].append(f"cannot read file: {exc.strerror or exc}")
    else:
        result = parse_letter(data, path)
    return {"file": path, **result}


def run(paths: Iterable[str], out: TextIO, pretty: bool = False) -> int:
    """Write one JSON object per path to ``out``; return the exit status."""
    status = 0
    for path in paths:
        result = parse_path(path)
        if result["errors"]:
            status = 1
        # One write per object: Django's OutputWrapper appends a newline to each write.
        out.write(json.dumps(result, ensure_ascii=False, indent=2 if pretty else None) + "\n")
        out.flush()
    return status


class Command(BaseCommand):
    help = "Parse IMR final determination letters (PDF or text) and print one JSON object each."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="letter files to parse")
        parser.add_argument("--pretty", action="store_true", help="indent the JSON output")

    def handle(self, *args, **options):
        status = run(options["paths"], self.stdout, pretty=options["pretty"])
        if status:
            sys.exit(status)
