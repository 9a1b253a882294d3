"""``ingest_letters`` names every file it did not store as parsed, and ``--report`` every file."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from determinations.ingest_report import HEADER, LISTED
from determinations.models import Letter, UploadBatch

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXTS = sorted(ASSETS.glob("*.txt"))


def numbered(text: Path, number: int, *, cut: bool = False) -> bytes:
    """A sample letter with its own case number; ``cut`` ends it inside a rationale (a warning)."""
    data = text.read_bytes()
    return b"Case Number: CM16-%07d\n" % number + (data[: len(data) * 2 // 3] if cut else data)


def ingest(*paths, report: Path | str | None = None) -> str:
    out = io.StringIO()
    options = {"workers": 1, "no_progress": True, "stdout": out, "stderr": io.StringIO()}
    if report is not None:
        options["report"] = str(report)
    call_command("ingest_letters", *map(str, paths), **options)
    return out.getvalue()


def report_rows(path: Path) -> dict[str, dict[str, str]]:
    """The report's rows by path, after checking it is the exports' CSV (BOM, CRLF, header)."""
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()) and raw.count(b"\r\n") == raw.count(b"\n")
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames) == HEADER
    return {row["path"]: row for row in reader}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_every_outcome_is_named_in_the_batch_pages_words_and_reported(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths: a name can start a cell with "="
    stored_before = numbered(TEXTS[4], 7009)
    Path("before.txt").write_bytes(stored_before)
    assert "Not stored as parsed" not in ingest("before.txt")  # nothing to name

    folder = Path("in")
    folder.mkdir()
    files = {
        "in/a_parsed.txt": numbered(TEXTS[0], 7001),
        "in/b_reissue.txt": numbered(TEXTS[1], 7001),  # the same case, other content
        "in/c_warned.txt": numbered(TEXTS[2], 7002, cut=True),
        "in/d_copy.txt": numbered(TEXTS[0], 7001),  # the same bytes as a_parsed.txt
        "in/e_again.txt": stored_before,  # already in the archive
        "in/f_empty.txt": b"",
        "in/g_photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "in/h_notes.txt": b"Shopping list: milk, eggs, bread.\n" * 3,
        "in/i_broken.pdf": b"%PDF-1.4\n1 0 obj garbage\n",
        "=HYPERLINK(x).txt": numbered(TEXTS[3], 7003),
    }
    for name, data in files.items():
        Path(name).write_bytes(data)
    report = folder / "report.csv"
    report.write_text("left by an earlier run: not a letter to import\n")

    out = ingest(folder, "=HYPERLINK(x).txt", report=report)

    assert "new 6 (parsed 3, with warnings 1, failed 2, re-issues to review 1)" in out
    listing = out[out.index("Not stored as parsed") :].splitlines()[:5]
    assert listing == [
        "Not stored as parsed (4 files):",
        "  rejected: in/f_empty.txt: empty file (0 bytes)",
        "  rejected: in/g_photo.png: neither a PDF nor a text file (judged by its content, "
        "not its name)",
        "  failed: in/h_notes.txt: not an IMR determination letter",
        "  failed: in/i_broken.pdf: corrupt or truncated PDF",
    ]

    rows = report_rows(report)
    assert set(rows) == {*(name for name in files if name.startswith("in/")), "'=HYPERLINK(x).txt"}
    got = {name: (row["outcome"], row["key"], row["case_number"]) for name, row in rows.items()}
    assert got == {
        "in/a_parsed.txt": ("parsed", "CM16-0007001", "CM16-0007001"),
        "in/b_reissue.txt": ("needs review", "CM16-0007001", "CM16-0007001"),
        "in/c_warned.txt": ("parsed with warnings", "CM16-0007002", "CM16-0007002"),
        "in/d_copy.txt": ("duplicate", "CM16-0007001", "CM16-0007001"),
        "in/e_again.txt": ("duplicate", "CM16-0007009", "CM16-0007009"),
        "in/f_empty.txt": ("rejected", "", ""),
        "in/g_photo.png": ("rejected", "", ""),
        "in/h_notes.txt": ("failed", "", ""),
        "in/i_broken.pdf": ("failed", "", ""),
        "'=HYPERLINK(x).txt": ("parsed", "CM16-0007003", "CM16-0007003"),  # neutralised
    }
    for name, data in files.items():
        expected = "" if name in {"in/f_empty.txt", "in/g_photo.png"} else sha(data)
        assert rows.get(name, rows.get("'" + name))["sha256"] == expected
    assert rows["in/a_parsed.txt"]["reason"] == ""
    assert rows["in/b_reissue.txt"]["reason"].startswith("re-issued letter: CM16-0007001 ")
    assert rows["in/c_warned.txt"]["reason"].startswith("item 1: the letter ends inside")
    assert (
        rows["in/d_copy.txt"]["reason"]
        == "the same file as in/a_parsed.txt, earlier in this upload"
    )
    assert rows["in/e_again.txt"]["reason"].startswith("already in the archive as before.txt")
    assert rows["in/h_notes.txt"]["reason"] == "not an IMR determination letter"
    assert not Letter.objects.filter(original_name__endswith="report.csv").exists()


@pytest.mark.django_db(transaction=True)
def test_the_listing_names_the_first_50_and_counts_the_rest(tmp_path):
    folder = tmp_path / "empties"
    folder.mkdir()
    for n in range(LISTED + 3):
        (folder / f"{n:03d}.txt").write_bytes(b"")

    out = ingest(folder)
    listed = [line for line in out.splitlines() if line.startswith("  rejected: ")]
    assert f"Not stored as parsed ({LISTED + 3} files):" in out
    assert listed[0] == f"  rejected: {folder}/000.txt: empty file (0 bytes)"
    assert len(listed) == LISTED and listed[-1].startswith(f"  rejected: {folder}/049.txt")
    batch = UploadBatch.objects.get()
    assert out.splitlines()[-1] == (
        "  ... and 3 more: run with --report FILE.csv to have a row for every file "
        f"(upload batch {batch.pk} in the admin lists this run's files)"
    )

    report = tmp_path / "all.csv"
    out = ingest(folder, report=report)
    assert out.splitlines()[-1] == f"  ... and 3 more: every file is in {report}"
    rows = report_rows(report)
    assert len(rows) == LISTED + 3
    assert {row["outcome"] for row in rows.values()} == {"rejected"}


@pytest.mark.parametrize("where", ["missing/dir/report.csv", ".", "/dev/full"])
@pytest.mark.django_db
def test_a_report_that_cannot_be_written_stops_the_command_before_any_import(tmp_path, where):
    letter = tmp_path / "a.txt"
    letter.write_bytes(numbered(TEXTS[0], 7100))
    report = where if where.startswith("/") else tmp_path / where
    with pytest.raises(CommandError, match=r"^The report .* Nothing was imported\.$"):
        ingest(letter, report=report)
    assert not UploadBatch.objects.exists() and not Letter.objects.exists()


class FillsUp(io.StringIO):
    """A report file on a disk that fills up once the header is written."""

    def flush(self):
        if "\r\n" in self.getvalue()[self.getvalue().index("\r\n") + 2 :]:
            raise OSError(28, "No space left on device")


@pytest.mark.django_db(transaction=True)
def test_a_report_that_fills_its_disk_mid_run_ends_with_one_clear_line(tmp_path, monkeypatch):
    from determinations import ingest_report

    monkeypatch.setattr(ingest_report, "open", lambda *args, **kwargs: FillsUp(), raising=False)
    letter = tmp_path / "a.txt"
    letter.write_bytes(numbered(TEXTS[0], 7200))
    with pytest.raises(CommandError, match=r"No space left on device\. Letters stored before"):
        ingest(letter, report=tmp_path / "r.csv")
    assert Letter.objects.count() == 1  # what was stored stays; a re-run resumes
