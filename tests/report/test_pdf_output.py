"""The PDF in the report's files: written with the others or not at all.

Several OPDs' PDFs are printed together after every report is staged (one LibreOffice start per
share), and nothing is moved in unless every one printed: the previous report stays whole.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import psutil
import pytest

from tasks.report.render.pdf import convert_to_pdf
from tasks.report.writer import StagedReport, commit_reports, stage_report
from tests.report.test_word_template import budget


def staged(folder: Path, name: str, formats=("pdf",)) -> StagedReport:
    return stage_report(
        {"tabel_3_6": budget()}, folder / name, opd_name=f"Dinas {name}", year=2023, formats=formats
    )


def test_the_pdfs_of_several_reports_print_together_and_move_in(tmp_path: Path):
    reports = [staged(tmp_path, "a"), staged(tmp_path, "b", ("docx", "pdf")), staged(tmp_path, "c")]
    assert all(not (r.out_dir / "lkjip_2023.pdf").exists() for r in reports)  # staged, not printed
    written = commit_reports(reports, processes=2)
    assert [p.name for p in written if p.suffix in (".pdf", ".docx")] == [
        "lkjip_2023.pdf",
        "lkjip_2023.docx",
        "lkjip_2023.pdf",
        "lkjip_2023.pdf",
    ]
    for name in "abc":
        pdf = tmp_path / name / "lkjip_2023.pdf"
        assert pdf.read_bytes().startswith(b"%PDF")
        assert [
            p.name for p in (tmp_path / name).iterdir() if p.name.startswith(".")
        ] == []  # no staging left
    assert not (tmp_path / "a" / "lkjip_2023.docx").exists()  # the PDF's document, not asked for


def test_a_pdf_that_does_not_print_leaves_the_previous_reports_whole(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "lkjip_2023.pdf").write_bytes(b"%PDF the previous report")
    good, broken = staged(tmp_path, "a"), staged(tmp_path, "b")
    docx, _ = broken.to_print[0]
    docx.unlink()  # LibreOffice has nothing to print
    with pytest.raises(RuntimeError, match="LibreOffice"):
        commit_reports([good, broken])
    assert (tmp_path / "a" / "lkjip_2023.pdf").read_bytes() == b"%PDF the previous report"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["lkjip_2023.pdf"]
    assert list((tmp_path / "b").iterdir()) == []


def test_a_print_that_fails_leaves_no_libreoffice_running_and_no_profile(tmp_path: Path, monkeypatch):
    """LibreOffice's ``soffice.bin`` outlives its launcher when a document fails: it must be ended."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # the profile's folder, this test's own
    report = staged(tmp_path, "a")
    docx, pdf = report.to_print[0]
    docx.unlink()
    with pytest.raises(RuntimeError, match="LibreOffice"):
        convert_to_pdf([(docx, pdf)])
    running = [
        p.info["cmdline"]
        for p in psutil.process_iter(["cmdline"])
        if any(str(temporary) in part for part in p.info["cmdline"] or [])
    ]
    assert running == []
    assert list(temporary.iterdir()) == []
