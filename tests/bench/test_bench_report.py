"""The year-end report benchmark's check that two runs wrote the same report."""

from __future__ import annotations

import shutil
from pathlib import Path

import xlsxwriter
from docx import Document

from bench.report import same_reports


def _report(folder: Path, value: float, text: str) -> Path:
    opd = folder / "2024" / "1.01.0.00.0.00.01.0000"
    opd.mkdir(parents=True)
    (opd / "tabel_3_6.csv").write_text("kode,anggaran\n1.01,100\n", encoding="utf-8")
    book = xlsxwriter.Workbook(str(opd / "lkjip_2024.xlsx"))
    book.add_worksheet("Tabel 3.6").write_number(0, 0, value)
    book.close()
    doc = Document()
    doc.add_paragraph(text)
    doc.save(str(opd / "lkjip_2024.docx"))
    return folder


def test_reports_written_apart_are_the_same_despite_their_timestamps(tmp_path):
    one = _report(tmp_path / "one", 1.5, "Capaian 100 %")
    other = _report(tmp_path / "other", 1.5, "Capaian 100 %")

    assert same_reports(one, other)


def test_a_changed_cell_paragraph_or_file_is_a_different_report(tmp_path):
    one = _report(tmp_path / "one", 1.5, "Capaian 100 %")

    assert not same_reports(one, _report(tmp_path / "cell", 2.5, "Capaian 100 %"))
    assert not same_reports(one, _report(tmp_path / "text", 1.5, "Capaian 99 %"))
    missing = tmp_path / "missing"
    shutil.copytree(one, missing)
    next(missing.rglob("*.csv")).unlink()
    assert not same_reports(one, missing)


def test_runs_are_printed_as_run():
    from bench.report import _runs

    assert _runs([11.04, 9.5, 12.0]) == "11.0 9.5 12.0"
