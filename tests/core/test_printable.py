"""Names with control characters are shown escaped, one visible line each, in every message."""

from __future__ import annotations

import os

import pytest

from tasks.core.issues import InputIssue
from tasks.core.problems import UsageProblem
from tasks.core.text import printable
from tasks.operations.quarantine import summary_text

FORGED = "x.xlsx\nrealisasi_2022_09.xlsx: dimuat (38)"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("realisasi_2022_03.xlsx", "realisasi_2022_03.xlsx"),
        ("Laporan Désa (Ü).xlsx", "Laporan Désa (Ü).xlsx"),  # letters of any script stay
        (FORGED, "x.xlsx\\nrealisasi_2022_09.xlsx: dimuat (38)"),
        ("a\rb\tc", "a\\rb\\tc"),
        ("\x1b[2J\x1b[31mmerah", "\\x1b[2J\\x1b[31mmerah"),  # ANSI: clear screen, colour
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("c1\x85\x9b", "c1\\x85\\x9b"),  # C1 controls (NEL, CSI)
        ("gpj.\u202exlsx", "gpj.\\u202exlsx"),  # right-to-left override
        ("\u2066a\u2069\u200f\u061c", "\\u2066a\\u2069\\u200f\\u061c"),  # isolates, marks
        ("baris\u2028baru\u2029", "baris\\u2028baru\\u2029"),  # line / paragraph separators
        (os.fsdecode(b"bukan-utf8-\xff.xlsx"), "bukan-utf8-\\udcff.xlsx"),  # undecodable bytes
    ],
)
def test_printable_escapes_what_would_change_the_output(text: str, shown: str):
    assert printable(text) == shown
    assert "\n" not in printable(text) and "\x1b" not in printable(text)
    printable(text).encode("utf-8")  # even a name that is not valid UTF-8 can be printed


def test_issue_messages_escape_file_sheet_and_cell_text():
    issue = InputIssue(FORGED, "cell.not_number", "Real\nisasi", 4, "C", {"value": "1\r\n2: dimuat"})
    for lang in ("id", "en"):
        text = issue.describe(lang)
        assert "\n" not in text and "\r" not in text
    assert issue.describe() == (
        "x.xlsx\\nrealisasi_2022_09.xlsx: dimuat (38), sheet 'Real\\nisasi', sel C4: "
        "Isi sel bukan angka: '1\\r\\n2: dimuat' [cell.not_number]"
    )
    assert issue.file == FORGED  # the stored name is the real one


def test_quarantine_summary_escapes_the_name():
    text = summary_text(
        FORGED, [InputIssue(FORGED, "file.not_workbook", params={"detail": "x"})], annotated=None
    )
    lines = text.splitlines()
    assert lines[0] == "Berkas: x.xlsx\\nrealisasi_2022_09.xlsx: dimuat (38)"
    assert not any(line.startswith("realisasi_2022_09.xlsx") for line in lines)


def test_command_messages_escape_paths():
    problem = UsageProblem("input.not_found", paths="a\x1b[2Jb.xlsx")
    assert problem.message() == "Tidak ditemukan: a\\x1b[2Jb.xlsx"
