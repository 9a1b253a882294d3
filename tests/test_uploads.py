"""What uploads.py accepts and refuses: pure checks on bytes, no database."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from determinations.uploads import Incoming, Limits, check_content, read_files, unsafe_member_name
from determinations.zipnames import open_zip

ASSETS = Path(__file__).parent / "assets" / "letters"
TEXT_LETTER = (ASSETS / "000_86ba345343cd3771.txt").read_bytes()
PDF_LETTER = (ASSETS / "real" / "CM16-0219557.pdf").read_bytes()

LIMITS = Limits(
    max_file_bytes=1024 * 1024,
    max_upload_bytes=4 * 1024 * 1024,
    max_zip_members=10,
    max_zip_uncompressed_bytes=3 * 1024 * 1024,
    max_zip_ratio=100,
)


def a_zip(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def read(*files: tuple[str, bytes], limits: Limits = LIMITS) -> list[Incoming]:
    return list(read_files(((n, io.BytesIO(d), len(d)) for n, d in files), limits=limits))


def test_it_accepts_a_text_letter_and_a_pdf_letter():
    got = read(("a.txt", TEXT_LETTER), ("b.pdf", PDF_LETTER))
    assert [(i.name, i.content_type, i.accepted) for i in got] == [
        ("a.txt", "text/plain", True),
        ("b.pdf", "application/pdf", True),
    ]
    assert got[1].data == PDF_LETTER


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file (0 bytes)"),
        (bytes(range(256)) * 40, "neither a PDF nor a text file"),
        (b"<!DOCTYPE html><html><body>Case Number: CM16-0000001</body></html>", "an HTML page"),
        (b"\x1f\x8b\x08\x00" + bytes(100), "compressed archive other than ZIP"),
    ],
    ids=["empty", "random-bytes", "html", "gzip"],
)
def test_it_refuses_what_is_neither_pdf_nor_text_whatever_its_name(data, reason):
    (got,) = read(("letter.pdf", data))
    assert not got.accepted
    assert reason in got.rejection


def test_it_accepts_non_utf8_text_for_the_parser_to_judge():
    got = check_content("cp1252.txt", "D\u00e9cision \u2013 upheld".encode("cp1252"))
    assert got.accepted and got.content_type == "text/plain"


def test_it_refuses_a_file_over_the_per_file_limit_with_its_size():
    (got,) = read(("huge.txt", b"a" * (LIMITS.max_file_bytes + 1)))
    assert got.rejection == "the file is 1 MB; the limit is 1 MB per file"


def test_it_refuses_files_past_the_per_upload_total_but_keeps_the_earlier_ones():
    chunk = b"x" * (900 * 1024)
    got = read(*[(f"f{n}.txt", chunk) for n in range(6)])
    assert [i.accepted for i in got] == [True, True, True, True, False, False]
    assert "limit per upload" in got[-1].rejection


def test_it_reads_the_members_of_a_zip_and_skips_directories_and_resource_forks():
    data = a_zip(
        {
            "month/": b"",
            "month/a.txt": TEXT_LETTER,
            "__MACOSX/._a.txt": b"\x00\x05",
            "b.pdf": PDF_LETTER,
        }
    )
    got = read(("month.zip", data))
    assert [(i.name, i.accepted) for i in got] == [
        ("month.zip/month/a.txt", True),
        ("month.zip/b.pdf", True),
    ]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../evil.txt", "'..' path components"),
        ("a/../../evil.txt", "'..' path components"),
        ("/etc/evil.txt", "absolute paths"),
        ("C:\\evil.txt", "absolute paths"),
    ],
)
def test_it_refuses_zip_members_that_climb_out_or_are_absolute(member, reason):
    got = read(("bad.zip", a_zip({member: TEXT_LETTER, "ok.txt": TEXT_LETTER + b" "})))
    assert reason in got[0].rejection
    assert got[1].accepted


def test_unsafe_member_name_allows_ordinary_paths():
    assert unsafe_member_name("2016/12/CM16-0000001.txt") is None
    assert unsafe_member_name("a..b.txt") is None


def test_it_refuses_a_nested_zip_but_reads_its_siblings():
    inner = a_zip({"a.txt": TEXT_LETTER})
    got = read(("outer.zip", a_zip({"inner.zip": inner, "b.txt": TEXT_LETTER})))
    assert "nested archive" in got[0].rejection
    assert got[1].accepted


def test_it_refuses_a_zip_bomb_member_by_its_compression_ratio():
    got = read(("bomb.zip", a_zip({"zeros.txt": bytes(900 * 1024), "ok.txt": TEXT_LETTER})))
    assert "compression ratio" in got[0].rejection and "ZIP bomb" in got[0].rejection
    assert got[1].accepted


def test_it_refuses_a_zip_whose_members_would_expand_past_the_total_limit():
    members = {f"z{n}.txt": b"abc" * 300_000 for n in range(4)}  # 3.6 MB declared
    (got,) = read(("big.zip", a_zip(members)))
    assert "would expand to" in got.rejection


def test_it_stops_reading_a_member_that_inflates_past_its_declared_size():
    data = bytearray(a_zip({"liar.txt": b"a" * 500_000}))
    # Forge the declared sizes in both headers down to 1000 bytes: the ratio check passes, the
    # read cap (compressed size x ratio) must stop the inflation.
    liar = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("liar.txt")
    forged = bytes(data).replace((500_000).to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    got = read(("liar.zip", forged), limits=LIMITS)
    assert liar.compress_size * 100 < 500_000
    assert not got[0].accepted
    assert "ZIP" in got[0].rejection


def test_it_refuses_a_zip_with_too_many_members():
    members = {f"{n}.txt": TEXT_LETTER + str(n).encode() for n in range(11)}
    (got,) = read(("many.zip", a_zip(members)))
    assert got.rejection.startswith("the ZIP has 11 files; the limit is 10")


def test_it_refuses_a_damaged_zip():
    (got,) = read(("broken.zip", a_zip({"a.txt": TEXT_LETTER})[:60]))
    assert "not a readable ZIP" in got.rejection


def test_the_same_file_twice_in_a_zip_is_read_twice_for_the_batch_to_report():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", TEXT_LETTER)
        archive.writestr("copy/a.txt", TEXT_LETTER)
    got = read(("twice.zip", buffer.getvalue()))
    assert [i.accepted for i in got] == [True, True]


LATIN1_NAME = b"r\xe9esum\xe9e.txt"  # the length of "résumé.txt" in UTF-8; \xe9e is not UTF-8


def a_zip_with_a_latin1_name_flagged_utf8(*, where: str = "both", zip64: bool = False) -> bytes:
    """A ZIP whose member ``résumé.txt`` says its name is UTF-8 (flag 0x800) but holds Latin-1,
    as some Windows tools write. zipfile writes the UTF-8 name; its bytes are then patched (same
    length, so no offset moves) in the local header and the central directory (``both``), or in
    the local header only (``local``). ``zip64`` writes ZIP64 end records."""
    members = {"first.txt": TEXT_LETTER, "résumé.txt": PDF_LETTER, "last.txt": b"x" + TEXT_LETTER}
    if zip64:  # zipfile writes ZIP64 end records past this many members
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
            data = a_zip(members)
        assert b"PK\x06\x06" in data
    else:
        data = a_zip(members)
    utf8 = "résumé.txt".encode()
    assert len(utf8) == len(LATIN1_NAME) and data.count(utf8) == 2
    return data.replace(utf8, LATIN1_NAME, 1 if where == "local" else 2)


@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
def test_a_member_name_flagged_utf8_that_is_not_is_kept_with_replacement_and_the_rest_read(zip64):
    data = a_zip_with_a_latin1_name_flagged_utf8(zip64=zip64)
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(io.BytesIO(data))  # what made the whole ZIP one rejection
    got = read(("month.zip", data))
    assert [(i.name, i.accepted) for i in got] == [
        ("month.zip/first.txt", True),
        ("month.zip/r\ufffdesum\ufffde.txt", True),
        ("month.zip/last.txt", True),
    ]
    assert [i.data for i in got] == [TEXT_LETTER, PDF_LETTER, b"x" + TEXT_LETTER]


def test_open_zip_finds_the_lying_names_after_bytes_prepended_to_the_archive():
    data = b"MZ self-extractor stub " * 50 + a_zip_with_a_latin1_name_flagged_utf8()
    with open_zip(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["first.txt", "r\ufffdesum\ufffde.txt", "last.txt"]
        assert archive.read(archive.infolist()[1]) == PDF_LETTER


def test_a_member_whose_local_header_alone_lies_about_utf8_is_one_rejection():
    got = read(("month.zip", a_zip_with_a_latin1_name_flagged_utf8(where="local")))
    assert [(i.name, i.accepted) for i in got] == [
        ("month.zip/first.txt", True),
        ("month.zip/résumé.txt", False),
        ("month.zip/last.txt", True),
    ]
    assert "local header's file name is not the UTF-8 it claims" in got[1].rejection


def test_a_zip_needing_a_newer_zip_version_is_one_rejection_not_a_crash():
    """zipfile raises NotImplementedError for a directory entry needing ZIP version > 6.3: it
    escaped read_zip, failing the whole receipt (and every retry of it)."""
    data = bytearray(a_zip({"a.txt": TEXT_LETTER}))
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 6] = 99  # "version needed to extract": 9.9
    (got,) = read(("future.zip", bytes(data)))
    assert "not a readable ZIP" in got.rejection


def test_a_damaged_lzma_member_is_one_rejection_and_its_siblings_are_read():
    """A corrupt LZMA stream raises lzma.LZMAError, which escaped read_zip: the whole receipt
    failed (and every retry of it)."""
    damaged = bytearray(a_zip({"a.txt": TEXT_LETTER}, compression=zipfile.ZIP_LZMA))
    start = damaged.find(b"a.txt") + len("a.txt") + 20  # into the compressed data
    for index in range(start, start + 40):
        damaged[index] ^= 0x55
    got = read(("damaged.zip", bytes(damaged)), ("b.txt", TEXT_LETTER))
    assert [(i.name, i.accepted) for i in got] == [("damaged.zip/a.txt", False), ("b.txt", True)]
    assert got[0].rejection.startswith("could not be read from the ZIP")
