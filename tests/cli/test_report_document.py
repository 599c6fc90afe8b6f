"""``sakip report``'s document options: the office's template (``--template``,
``SAKIP_REPORT_TEMPLATE``) and the PDF (``--format pdf``), refused before any flow runs when they
cannot be used: one message saying what to do, exit 2, nothing written.

The report these options write is tested in print in ``tests/report`` (``test_rendering.py``,
``test_word_template.py``); here only the command line's checks and its choice of formats.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from docx import Document

from sakip.cli import EXIT_USAGE, main
from tasks.report.render import pdf
from tasks.report.writer import ALL_FORMATS, REPORT_FORMATS, parse_formats


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def no_libreoffice(monkeypatch, tmp_path: Path):
    """A machine without LibreOffice: nothing named soffice on the PATH."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("SAKIP_SOFFICE", raising=False)
    pdf._find.cache_clear()
    yield
    pdf._find.cache_clear()


def test_all_is_every_format_but_the_pdf():
    assert parse_formats("all") == ALL_FORMATS == parse_formats(None)
    assert "pdf" in REPORT_FORMATS and "pdf" not in ALL_FORMATS
    assert parse_formats("all,pdf") == REPORT_FORMATS
    assert parse_formats("PDF, docx") == ("docx", "pdf")


def test_a_pdf_without_libreoffice_is_refused_with_what_to_install(no_libreoffice, tmp_path: Path):
    out = tmp_path / "laporan"
    status, stdout, stderr = run(
        "report",
        "--year",
        "2022",
        "--format",
        "docx,pdf",
        "--out",
        str(out),
        "--workdir",
        str(tmp_path / "w"),
    )
    assert status == EXIT_USAGE and stdout == ""
    assert stderr.count("\n") == 1
    assert (
        "PDF memerlukan LibreOffice Writer" in stderr
        and "apt-get install libreoffice-writer python3-uno" in stderr
    )
    assert "SAKIP_SOFFICE" in stderr
    assert not out.exists()


def test_a_soffice_setting_naming_no_program_is_refused(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SAKIP_SOFFICE", str(tmp_path / "tidak-ada" / "soffice"))
    pdf._find.cache_clear()
    try:
        status, _, stderr = run(
            "report", "--year", "2022", "--format", "pdf", "--workdir", str(tmp_path / "w")
        )
    finally:
        pdf._find.cache_clear()
    assert status == EXIT_USAGE and "bukan program yang dapat dijalankan" in stderr


def test_without_pdf_libreoffice_is_not_needed(no_libreoffice, tmp_path: Path):
    """The default formats run on a machine without LibreOffice: the report goes on to its data
    (none here: exit 1 for no data, not 2 for LibreOffice)."""
    status, _, stderr = run("report", "--year", "2022", "--workdir", str(tmp_path / "w"))
    assert status != EXIT_USAGE and "LibreOffice" not in stderr


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("rusak.docx", b"PK\x03\x04 bukan dokumen", "bukan dokumen Word .docx yang dapat dibaca"),
        ("teks.docx", b"templat", "bukan dokumen Word .docx yang dapat dibaca"),
        ("templat.dotx", None, "simpan sebagai .docx"),
        ("hilang.docx", "missing", "berkas tidak ditemukan"),
    ],
)
def test_a_template_that_cannot_be_used_is_refused(tmp_path: Path, name: str, content, says: str):
    path = tmp_path / name
    if content is None:
        Document().save(str(path))
    elif content != "missing":
        path.write_bytes(content)
    status, stdout, stderr = run(
        "report",
        "--year",
        "2022",
        "--format",
        "docx",
        "--template",
        str(path),
        "--workdir",
        str(tmp_path / "w"),
    )
    assert status == EXIT_USAGE and stdout == ""
    assert (
        stderr.startswith("Templat laporan tidak dapat dipakai: ") and str(path) in stderr and says in stderr
    )


def test_the_template_setting_is_checked_and_the_option_wins(monkeypatch, tmp_path: Path):
    broken = tmp_path / "rusak.docx"
    broken.write_bytes(b"rusak")
    monkeypatch.setenv("SAKIP_REPORT_TEMPLATE", str(broken))
    status, _, stderr = run("report", "--year", "2022", "--format", "docx", "--workdir", str(tmp_path / "w"))
    assert status == EXIT_USAGE and str(broken) in stderr
    good = tmp_path / "templat.docx"
    Document().save(str(good))
    status, _, stderr = run(
        "report",
        "--year",
        "2022",
        "--format",
        "docx",
        "--template",
        str(good),
        "--workdir",
        str(tmp_path / "w"),
    )
    assert status != EXIT_USAGE and "Templat" not in stderr  # on to the data: none for 2022 here
