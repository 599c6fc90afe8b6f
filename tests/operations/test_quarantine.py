"""Quarantine of rejected workbooks: the copy (or move), the folder layout, the annotated copy, the summary,
and a quarantine that is whole or absent when the disk fills up."""

from __future__ import annotations

import errno
import hashlib
import re
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from tasks.core.files import file_sha256
from tasks.core.issues import InputIssue
from tasks.operations.quarantine import (
    ERROR_FILL,
    WARNING_FILL,
    QuarantinedFile,
    quarantine_file,
    quarantine_folder,
    summary_text,
)

NAME = "realisasi_2022_03.xlsx"
DATA_SHEET = "Realisasi"
INFO_SHEET = "Info"


def make_workbook(path: Path, *, rows: int = 12, vba: bool = False) -> Path:
    """Two sheets: a data sheet with a merged title over A1:F1 and a small info sheet with a comment."""
    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    data["A1"] = "LAPORAN REALISASI ANGGARAN"
    data.merge_cells("A1:F1")
    data.append(["Kode", "Uraian", "Anggaran", "Realisasi", "Sisa", "Fisik"])
    for index in range(rows):
        row = index + 3
        data.append([f"5.1.02.{index:02d}", f"Belanja {index}", 1000 + index, 900, f"=C{row}-D{row}", 50])
    info = workbook.create_sheet(INFO_SHEET)
    info["A1"] = "Tahun"
    info["B1"] = 2022
    info["B1"].comment = Comment("diisi oleh OPD", "opd")
    workbook.save(path)
    return path


def sha(path: Path) -> str:
    """Hex SHA-256 of a file (checked against the module's own helper)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_sha256(path) == digest
    return digest


def issues_for(file: str) -> list[InputIssue]:
    """Errors at cells, two on one cell, a warning, row-only, no location, a missing sheet, a merged cell."""
    return [
        InputIssue(file, "cell.not_number", DATA_SHEET, 4, "C", {"value": "seribu"}),
        InputIssue(
            file, "amount.realization_over_budget", DATA_SHEET, 5, "D", {"value": 2000, "expected": 1003}
        ),
        InputIssue(file, "amount.negative", DATA_SHEET, 5, "D", {"value": -1}),
        InputIssue(file, "period.budget_changed", DATA_SHEET, 6, "C", {"value": 5, "expected": 4}, "warning"),
        InputIssue(file, "code.missing", DATA_SHEET, 7),
        InputIssue(file, "amount.missing_realization"),
        InputIssue(file, "code.duplicate", "Lampiran", 3, "A", {"value": "1.01", "other_row": 2}),
        InputIssue(file, "header.month_unknown", DATA_SHEET, 1, "C", {"value": "Maret?"}),
        InputIssue(file, "period.opd_unknown", INFO_SHEET, 1, "B", {"value": "Dinas X"}, "warning"),
    ]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder standing for the incoming files."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The quarantine root (not created: quarantine_file creates what it needs)."""
    return tmp_path / "karantina"


def test_original_stays_and_an_untouched_copy_is_quarantined(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    before, digest = source.read_bytes(), sha(source)

    result = quarantine_file(source, issues_for(NAME), root, year=2022, month=3, sha256=digest)

    assert isinstance(result, QuarantinedFile)
    assert source.read_bytes() == before  # the sender's file is left where it was, as it was
    assert sorted(p.name for p in inbox.iterdir()) == [NAME]
    assert result.original == root / "2022" / "03" / NAME
    assert result.original.read_bytes() == before
    assert sha(result.original) == digest
    summary = result.summary.read_text(encoding="utf-8")
    assert f"Berkas asli (tetap di tempatnya; yang ada di sini salinannya): {source.resolve()}" in summary
    assert sorted(p.name for p in result.original.parent.iterdir()) == sorted(
        [NAME, result.annotated.name, result.summary.name]
    )  # no temporary file left


def test_owner_of_the_file_moves_it_untouched(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    before, digest = source.read_bytes(), sha(source)

    result = quarantine_file(
        source, issues_for(NAME), root, year=2022, month=3, sha256=digest, keep_original=False
    )

    assert not source.exists()
    assert result.original == root / "2022" / "03" / NAME
    assert result.original.read_bytes() == before
    assert sha(result.original) == digest
    assert result.annotated == root / "2022" / "03" / "realisasi_2022_03.annotated.xlsx"
    assert result.summary == root / "2022" / "03" / "realisasi_2022_03.txt"
    assert result.annotated.exists() and result.summary.exists()


@pytest.mark.parametrize(
    ("year", "month", "parts"),
    [(2022, 3, ("2022", "03")), (2022, 12, ("2022", "12")), (2022, None, ("2022", "tahunan")),
     (None, None, ("tanpa-periode",)), (None, 5, ("tanpa-periode",))],
)  # fmt: skip
def test_folder_layout(
    inbox: Path, root: Path, year: int | None, month: int | None, parts: tuple[str, ...]
) -> None:
    source = make_workbook(inbox / NAME)
    result = quarantine_file(source, [], root, year=year, month=month)
    assert result.original.parent == root.joinpath(*parts)
    assert result.annotated is not None and result.annotated.parent == result.original.parent
    assert result.summary.parent == result.original.parent


def test_bad_month_is_refused_before_moving(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    with pytest.raises(ValueError, match="month"):
        quarantine_file(source, [], root, year=2022, month=13)
    assert source.exists()
    assert quarantine_folder(root, year=2022, month=1) == root / "2022" / "01"


def test_annotated_cells_are_filled_and_commented(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    result = quarantine_file(source, issues_for(NAME), root, year=2022, month=3)
    assert result.annotated is not None
    workbook = openpyxl.load_workbook(result.annotated)
    data = workbook[DATA_SHEET]

    c4 = data["C4"]
    assert c4.fill.fgColor.rgb.endswith(ERROR_FILL.fgColor.rgb[-6:])
    assert c4.font.color.rgb.endswith("9C0006")
    assert c4.comment is not None and c4.comment.author == "sakip"
    assert "Isi sel bukan angka: 'seribu'" in c4.comment.text
    assert "[cell.not_number]" in c4.comment.text

    # two issues on one cell -> one comment listing both, with the expected value
    d5 = data["D5"].comment.text
    assert "[amount.realization_over_budget]" in d5 and "[amount.negative]" in d5
    assert "melebihi anggaran (1003)" in d5
    assert len(d5.splitlines()) == 2

    # a warning -> yellow
    c6 = data["C6"]
    assert c6.fill.fgColor.rgb.endswith(WARNING_FILL.fgColor.rgb[-6:])
    assert c6.font.color.rgb.endswith("9C5700")
    assert "[period.budget_changed]" in c6.comment.text

    # row without column -> column A of that row
    assert data["A7"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "[code.missing]" in data["A7"].comment.text

    # C1 lies inside the merged title A1:F1 -> marked on its anchor A1
    assert "A1:F1" in {str(merged) for merged in data.merged_cells.ranges}
    assert "[header.month_unknown]" in data["A1"].comment.text
    assert data["A1"].fill.fgColor.rgb.endswith("FFC7CE")

    # other cells untouched, formulas kept
    assert data["C5"].fill.fill_type is None and data["C5"].comment is None
    assert data["E4"].value == "=C4-D4"

    # the second sheet: the warning comment keeps the cell's own comment
    b1 = workbook[INFO_SHEET]["B1"]
    assert b1.fill.fgColor.rgb.endswith("FFEB9C")
    assert "[period.opd_unknown]" in b1.comment.text and "diisi oleh OPD" in b1.comment.text

    # the missing sheet is not created
    assert "Lampiran" not in workbook.sheetnames


def test_notes_sheet_lists_every_issue(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    issues = issues_for(NAME)
    result = quarantine_file(source, issues, root, year=2022, month=3)
    workbook = openpyxl.load_workbook(result.annotated)

    assert workbook.sheetnames[0] == "Catatan Validasi"
    assert workbook.sheetnames[1:] == [DATA_SHEET, INFO_SHEET]
    notes = workbook["Catatan Validasi"]
    rows = list(notes.iter_rows(values_only=True))
    assert rows[0] == ("No", "Sheet", "Sel", "Aturan", "Tingkat", "Pesan")
    assert all(cell.font.bold for cell in notes[1])
    assert len(rows) == 1 + len(issues)
    assert [row[0] for row in rows[1:]] == list(range(1, len(issues) + 1))
    assert rows[1] == (1, DATA_SHEET, "C4", "cell.not_number", "galat", "Isi sel bukan angka: 'seribu'")
    assert rows[4][2:5] == ("C6", "period.budget_changed", "peringatan")
    assert rows[5][1:4] == (DATA_SHEET, "baris 7", "code.missing")
    assert rows[6][1:4] == (None, None, "amount.missing_realization")
    assert rows[7][1:4] == ("Lampiran", "A3", "code.duplicate")  # only here: the sheet does not exist
    assert notes.column_dimensions["F"].width >= 60
    assert notes["C2"].hyperlink.location == "'Realisasi'!C4"
    assert notes["C8"].hyperlink is None


def test_english_annotation(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    result = quarantine_file(source, issues_for(NAME), root, year=2022, month=3, lang="en")
    workbook = openpyxl.load_workbook(result.annotated)
    notes = workbook["Validation notes"]
    rows = list(notes.iter_rows(values_only=True))
    assert rows[0] == ("No", "Sheet", "Cell", "Rule", "Severity", "Message")
    assert rows[1][4] == "error" and rows[4][4] == "warning"
    assert rows[5][2] == "row 7"
    comment = workbook[DATA_SHEET]["C4"].comment.text
    assert "Cell is not a number: 'seribu' [cell.not_number]" in comment


def test_summary_in_indonesian(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    digest = sha(source)
    issues = issues_for(NAME)
    result = quarantine_file(source, issues, root, year=2022, month=3, sha256=digest)
    text = result.summary.read_text(encoding="utf-8")
    lines = text.splitlines()

    assert lines[0] == f"Berkas: {NAME}"
    assert f"SHA-256: {digest}" in lines
    assert re.search(r"^Waktu: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07:00$", text, re.M)  # Jakarta
    assert "Galat: 7" in lines and "Peringatan: 2" in lines
    assert "Salinan beranotasi: realisasi_2022_03.annotated.xlsx" in lines
    for number, issue in enumerate(issues, start=1):
        assert any(line.startswith(f"{number}. ") and line.endswith(issue.describe("id")) for line in lines)
    assert f"1. [galat] {issues[0].describe()}" in lines
    assert f"4. [peringatan] {issues[3].describe()}" in lines
    assert lines[-1] == (
        "Lihat salinan beranotasi realisasi_2022_03.annotated.xlsx: perbaiki sel yang ditandai merah "
        "dan periksa sel yang ditandai kuning pada berkas asli, lalu kirim ulang berkas tersebut."
    )


def test_summary_in_english(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    issues = issues_for(NAME)
    result = quarantine_file(source, issues, root, year=2022, month=3, lang="en")
    text = result.summary.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == f"File: {NAME}"
    assert not any(line.startswith("SHA-256") for line in lines)  # none given
    assert "Errors: 7" in lines and "Warnings: 2" in lines
    assert f"1. [error] {issues[0].describe('en')}" in lines
    assert "sel " not in text and "Berkas" not in text
    assert lines[-1] == (
        "See the annotated copy realisasi_2022_03.annotated.xlsx: fix the cells marked red "
        "and check the cells marked yellow in the original file, then send the file again."
    )


def test_summary_wording_without_errors_or_copy() -> None:
    warning = InputIssue(
        NAME, "period.budget_changed", DATA_SHEET, 6, "C", {"value": 5, "expected": 4}, "warning"
    )
    text = summary_text(NAME, [warning], annotated=Path("x.annotated.xlsx"))
    assert "Galat: 0" in text and "Peringatan: 1" in text
    assert text.splitlines()[-1] == (
        "Lihat salinan beranotasi x.annotated.xlsx: periksa sel yang ditandai kuning pada berkas asli, "
        "lalu kirim ulang berkas tersebut."
    )
    error = InputIssue(NAME, "cell.not_number", DATA_SHEET, 4, "C", {"value": "x"})
    text = summary_text(NAME, [error], annotated=Path("x.annotated.xlsx"), lang="en")
    assert text.splitlines()[-1] == (
        "See the annotated copy x.annotated.xlsx: fix the cells marked red in the original file, "
        "then send the file again."
    )
    text = summary_text(NAME, [], annotated=None, lang="en")
    assert "(no details)" in text
    assert (
        text.splitlines()[-1]
        == "Fix the problems listed above in the original file, then send the file again."
    )


def test_second_rejection_of_the_same_name_gets_a_suffix(inbox: Path, root: Path) -> None:
    first = quarantine_file(make_workbook(inbox / NAME), issues_for(NAME), root, year=2022, month=3)
    second_source = make_workbook(inbox / NAME, rows=3)
    second_bytes = second_source.read_bytes()
    second = quarantine_file(second_source, issues_for(NAME), root, year=2022, month=3)
    third = quarantine_file(make_workbook(inbox / NAME), [], root, year=2022, month=3)

    folder = root / "2022" / "03"
    assert first.original == folder / NAME
    assert second.original == folder / "realisasi_2022_03 (2).xlsx"
    assert second.annotated == folder / "realisasi_2022_03 (2).annotated.xlsx"
    assert second.summary == folder / "realisasi_2022_03 (2).txt"
    assert third.original == folder / "realisasi_2022_03 (3).xlsx"
    assert second.original.read_bytes() == second_bytes
    assert first.original.read_bytes() != second_bytes  # the first one was not overwritten
    assert "Berkas: realisasi_2022_03 (2).xlsx" in second.summary.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("realisasi_2022_03.xlsx", b"ini bukan workbook\n"),
        ("realisasi_2022_03.xlsx", b"PK\x03\x04 truncated zip"),
        ("realisasi_2022_03.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        ("realisasi_2022_03.csv", b"kode;uraian\n"),
        ("catatan.txt", b"hanya teks\n"),
    ],
)
def test_unreadable_file_gets_a_summary_only(inbox: Path, root: Path, name: str, content: bytes) -> None:
    source = inbox / name
    source.write_bytes(content)
    issue = InputIssue(name, "file.not_workbook", params={"detail": "bukan zip"})

    result = quarantine_file(source, [issue], root, year=None, month=None)

    assert result.annotated is None
    assert source.read_bytes() == content
    assert result.original.read_bytes() == content
    assert sorted(path.name for path in result.original.parent.iterdir()) == sorted(
        [result.original.name, result.summary.name]
    )
    text = result.summary.read_text(encoding="utf-8")
    assert "Salinan beranotasi: tidak dapat dibuat" in text
    assert "[file.not_workbook]" in text
    assert text.splitlines()[-1].startswith("Perbaiki masalah yang tercantum di atas")


def test_text_file_does_not_collide_with_its_summary(inbox: Path, root: Path) -> None:
    source = inbox / "catatan.txt"
    source.write_bytes(b"hanya teks\n")
    result = quarantine_file(source, [], root, year=None, month=None)
    assert result.original.name == "catatan.txt"
    assert result.summary.name == "catatan.txt.txt"
    assert result.original.read_bytes() == b"hanya teks\n"


def test_xlsm_keeps_its_suffix(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / "realisasi.xlsx")
    macro = source.rename(inbox / "realisasi.xlsm")  # openpyxl opens it; no real macros needed
    issue = InputIssue(macro.name, "cell.not_number", DATA_SHEET, 4, "C", {"value": "x"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Duplicate name: 'xl/drawings/commentsDrawing1.vml'"
        result = quarantine_file(macro, [issue], root, year=2022, month=3)
    assert result.annotated == root / "2022" / "03" / "realisasi.annotated.xlsm"
    workbook = openpyxl.load_workbook(result.annotated, keep_vba=True)
    assert "[cell.not_number]" in workbook[DATA_SHEET]["C4"].comment.text
    assert workbook[INFO_SHEET]["B1"].comment.text == "diisi oleh OPD"
    with zipfile.ZipFile(result.annotated) as archive:
        names = archive.namelist()
    assert len(names) == len(set(names))


def test_odd_locations_do_not_crash(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME)
    issues = [
        InputIssue(NAME, "cell.not_number", DATA_SHEET, 3, "1X", {"value": "x"}),  # bad column letter
        InputIssue(NAME, "cell.not_number", DATA_SHEET, 0, "C", {"value": "x"}),  # no row
        InputIssue(NAME, "cell.not_number", DATA_SHEET, None, "C", {"value": "x"}),  # column only
        InputIssue(NAME, "cell.not_number", "", 4, "C", {"value": "x"}),  # no sheet
        InputIssue(NAME, "no.such.rule", " realisasi ", 4, "b"),  # sheet name case/spaces, lower letter
    ]
    result = quarantine_file(source, issues, root, year=2022, month=3)
    workbook = openpyxl.load_workbook(result.annotated)
    data = workbook[DATA_SHEET]
    assert data["C3"].comment is None and data["C4"].comment is None
    assert "[no.such.rule]" in data["B4"].comment.text
    assert workbook["Catatan Validasi"].max_row == 1 + len(issues)


def test_twenty_issues_on_a_hundred_rows_are_all_marked(inbox: Path, root: Path) -> None:
    source = make_workbook(inbox / NAME, rows=100)
    issues = [
        InputIssue(NAME, "cell.not_number", DATA_SHEET, 3 + index * 5, "CD"[index % 2], {"value": index})
        for index in range(20)
    ]
    result = quarantine_file(source, issues, root, year=2022, month=3)
    assert result.annotated is not None
    sheet = openpyxl.load_workbook(result.annotated)[DATA_SHEET]
    assert all(sheet[f"{'CD'[i % 2]}{3 + i * 5}"].comment is not None for i in range(20))


def _disk_full(target: Path) -> OSError:
    """The error a write gets when the disk is full."""
    return OSError(errno.ENOSPC, "No space left on device", str(target))


def _copy_half_then_fill_the_disk(source, target, *args, **kwargs):
    """A copy that writes half the bytes, then finds the disk full."""
    data = Path(source).read_bytes()
    Path(target).write_bytes(data[: len(data) // 2])
    raise _disk_full(Path(target))


def test_a_full_disk_while_copying_leaves_nothing_half_written(inbox: Path, root: Path, monkeypatch) -> None:
    source = make_workbook(inbox / NAME)
    before = source.read_bytes()
    monkeypatch.setattr("tasks.core.files.shutil.copyfile", _copy_half_then_fill_the_disk)

    with pytest.raises(OSError) as raised:
        quarantine_file(source, issues_for(NAME), root, year=2022, month=3)

    assert raised.value.errno == errno.ENOSPC
    assert list((root / "2022" / "03").iterdir()) == []  # no partial copy, no summary
    assert source.read_bytes() == before


@pytest.mark.parametrize("keep_original", [True, False])
def test_a_full_disk_at_the_summary_takes_back_the_copies(
    inbox: Path, root: Path, monkeypatch, keep_original: bool
) -> None:
    source = make_workbook(inbox / NAME)
    before = source.read_bytes()
    real_write_text = Path.write_text

    def write_text(self: Path, text: str, *args, **kwargs):
        if ".part-" in self.name and self.name.endswith(".txt"):
            real_write_text(self, text[:10], *args, **kwargs)
            raise _disk_full(self)
        return real_write_text(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(OSError, match="No space left"):
        quarantine_file(source, issues_for(NAME), root, year=2022, month=3, keep_original=keep_original)

    assert list((root / "2022" / "03").iterdir()) == []  # the copy and annotated copy taken back
    assert source.read_bytes() == before  # even a file that was to be moved is still in its folder


def test_a_full_disk_while_annotating_is_not_taken_for_a_bad_workbook(
    inbox: Path, root: Path, monkeypatch
) -> None:
    source = make_workbook(inbox / NAME)

    def annotate_half(original, target, issues, *, lang="id", limits=None):
        Path(target).write_bytes(b"PK\x03\x04")
        raise _disk_full(Path(target))

    monkeypatch.setattr("tasks.operations.quarantine.annotate_workbook", annotate_half)
    with pytest.raises(OSError, match="No space left"):
        quarantine_file(source, issues_for(NAME), root, year=2022, month=3)
    assert list((root / "2022" / "03").iterdir()) == []
    assert source.exists()
