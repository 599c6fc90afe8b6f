"""The steward's messages: columns named as the workbook names them, and file-level refusals that say
what to do with the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from tasks.core.issues import MESSAGES
from tasks.extract.reading import read_workbook
from tasks.validate.results import FILE_LEVEL_RULES

#: Refusals of a whole file (no cell of the table to correct): each says what to do with the file.
FILE_RULES = {
    *FILE_LEVEL_RULES,
    "file.not_workbook",
    "file.too_large",
    "file.kind_unknown",
    "file.too_many_sheets",
    "sheet.not_found",
    "sheet.too_large",
    "header.not_found",
}


""" + open('/tmp/cells/label_test.py').read().rstrip() + """


def test_file_level_refusals_say_what_to_do_with_the_file():
    for rule in sorted(FILE_RULES):
        indonesian, english = MESSAGES[rule]
        assert "kirim" in indonesian or "simpan ulang" in indonesian, rule
        assert "send" in english or "save" in english, rule
        assert "perintah" not in indonesian and "command line" not in english, rule


def test_a_workbook_without_its_opd_line_is_told_to_write_it(sample_2022, tmp_path: Path):
    path = tmp_path / "realisasi_2022_06.xlsx"
    shutil.copy(sample_2022.realization[5], path)
    book = openpyxl.load_workbook(path)
    assert str(book["Realisasi"]["A3"].value).startswith("SKPD")
    book["Realisasi"]["A3"] = None
    book.save(path)
    (missing,) = [i for i in read_workbook(path).issues if i.rule == "header.meta_missing"]
    assert missing.message() == (
        "OPD tidak ditemukan di kepala laporan (baris-baris di atas tabel); tuliskan di sana, lalu "
        "kirim ulang berkas"
    )
    assert "command line" not in missing.message("en")
