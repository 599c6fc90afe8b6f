"""Extraction of realization and indicator workbooks, one test per INPUTS.md variant."""

from __future__ import annotations

import hashlib
import math
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tasks.core.issues import InputError
from tasks.core.staging import INDICATOR_COLUMNS, REALIZATION_COLUMNS, RENSTRA_COLUMNS
from tasks.extract.indicators import read_indicators
from tasks.extract.kind import detect_kind
from tasks.extract.realization import read_realization
from tests.fixtures.workbooks import (
    INDICATOR_HEADER,
    Sheet,
    header_block,
    indicator_block,
    realization_sheet,
    write_xlsx,
    write_xlsx_cached,
)

FULL_CODES = [
    "2.17",
    "2.17.01",
    "2.17.01.2.01",
    "2.17.01.2.01.01",
    "5.1.02.01.01.0024",
    "2.17.01.2.01.02",
    "",
]
LEVELS = ["urusan", "program", "kegiatan", "sub_kegiatan", "rekening", "sub_kegiatan", "total"]


def rules(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str, str]]:
    """(rule, sheet, cell) of every issue of a raised InputError; every message must format fully."""
    for issue in error.value.issues:
        for lang in ("id", "en"):
            assert "{" not in issue.describe(lang), issue.describe(lang)
    return [(issue.rule, issue.sheet, issue.cell) for issue in error.value.issues]


# ------------------------------------------------------------------------------------------------
# realization: the standard layout


def test_realization_standard_layout(tmp_path: Path) -> None:
    """Header block at row 1 (``Key : value``), short codes, account row, total row: exact values."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet())
    workbook = read_realization(path)
    assert (workbook.opd_code, workbook.opd_name) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi dan Usaha Mikro",
    )
    assert (workbook.year, workbook.month, workbook.sheet) == (2022, 3, "Realisasi")
    assert workbook.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    lines = workbook.lines
    assert list(lines.columns) == list(REALIZATION_COLUMNS)
    assert {c: str(t) for c, t in lines.dtypes.items()} == REALIZATION_COLUMNS
    assert lines["kode"].tolist() == FULL_CODES
    assert lines["level"].tolist() == LEVELS
    assert lines["row"].tolist() == [7, 8, 9, 10, 11, 12, 14]
    assert lines["sub_kegiatan_kode"].tolist() == [
        "",
        "",
        "",
        "2.17.01.2.01.01",
        "2.17.01.2.01.01",
        "2.17.01.2.01.02",
        "",
    ]
    assert lines["anggaran_rp"].tolist() == [1e6, 1e6, 1e6, 4e5, 4e5, 6e5, 1e6]
    assert lines["realisasi_sd_bulan_ini_rp"].tolist() == [6e5, 6e5, 6e5, 1e5, 1e5, 5e5, 6e5]
    assert lines["realisasi_bulan_ini_rp"].tolist() == [6e4, 6e4, 6e4, 1e4, 1e4, 5e4, 6e4]
    assert lines["fisik_pct"].iloc[3] == 25.0
    assert lines["fisik_pct"].iloc[5] == pytest.approx(76.64)
    assert math.isnan(lines["fisik_pct"].iloc[0])
    assert lines["anggaran_murni_rp"].isna().all()
    assert lines["anggaran_kas_sd_bulan_ini_rp"].isna().all()
    assert lines["sumber_dana"].tolist() == ["", "", "", "PAD", "PAD", "DAU", ""]
    assert lines["uraian"].iloc[-1] == "JUMLAH"
    assert workbook.columns == {
        "kode": "A",
        "uraian": "B",
        "anggaran_rp": "C",
        "realisasi_bulan_ini_rp": "D",
        "realisasi_sd_bulan_ini_rp": "E",
        "fisik_pct": "F",
        "sumber_dana": "G",
    }


def test_header_block_at_row_10_next_cell_and_periode(tmp_path: Path) -> None:
    """Header block lower down, values in the next non-empty cell, month from ``Periode`` text."""
    block = header_block(style="next", period="1 Januari s.d. 31 Maret 2022")
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block, offset=9))
    workbook = read_realization(path)
    assert (workbook.opd_code, workbook.opd_name) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi dan Usaha Mikro",
    )
    assert (workbook.year, workbook.month) == (2022, 3)
    assert workbook.lines["row"].iloc[0] == 16
    assert workbook.lines["kode"].tolist() == FULL_CODES


@pytest.mark.parametrize(
    ("key", "value", "month"),
    [("Bulan", "MARET", 3), ("Bulan", "desember", 12), ("Periode", "Maret 2022", 3), ("Bulan", 7, 7)],
)
def test_month_forms(tmp_path: Path, key: str, value: object, month: int) -> None:
    """Month names in any case, ``Periode Maret 2022``, a month number."""
    block = [["SKPD", "2.17.0.00.0.00.01.0000"], ["Tahun Anggaran", "2022"], [key, value]]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block))
    workbook = read_realization(path)
    assert workbook.month == month
    assert (workbook.opd_code, workbook.opd_name, workbook.year) == ("2.17.0.00.0.00.01.0000", "", 2022)


def test_opd_code_and_name_in_separate_cells(tmp_path: Path) -> None:
    """``SKPD`` | ``:`` | code | name."""
    block = [
        ["SKPD", ":", "2.17.0.00.0.00.01.0000", "Dinas Koperasi"],
        ["Tahun Anggaran : 2022"],
        ["Bulan : Mei"],
    ]
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block)))
    assert (workbook.opd_code, workbook.opd_name, workbook.month) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi",
        5,
    )


def test_opd_name_only(tmp_path: Path) -> None:
    """Only a name after ``Perangkat Daerah``: opd_code is ""."""
    block = [
        ["Perangkat Daerah : Dinas Koperasi dan Usaha Mikro"],
        ["Tahun Anggaran 2022"],
        ["Bulan", "April"],
    ]
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block)))
    assert (workbook.opd_code, workbook.opd_name, workbook.year, workbook.month) == (
        "",
        "Dinas Koperasi dan Usaha Mikro",
        2022,
        4,
    )


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("PEMERINTAH KOTA SEMARANG", "PEMERINTAH KOTA SEMARANG"),
        ("  Pemerintah   Kabupaten Kepulauan Seribu ", "Pemerintah Kabupaten Kepulauan Seribu"),
        ("PEMERINTAH DAERAH PROVINSI JAWA TENGAH", "PEMERINTAH DAERAH PROVINSI JAWA TENGAH"),
        ("PEMERINTAH KABUPATEN", ""),  # no name after the kind: not a government's line
        ("URUSAN PEMERINTAHAN BIDANG KOPERASI", ""),
    ],
)
def test_government_line_of_the_header_block(tmp_path: Path, line: str, kept: str) -> None:
    """``PEMERINTAH KOTA|KABUPATEN|PROVINSI <name>`` above the block is read whole; others are ignored."""
    block = [
        [line],
        ["SKPD : 2.17.0.00.0.00.01.0000 Dinas Koperasi"],
        ["Tahun Anggaran : 2022"],
        ["Bulan : Mei"],
    ]
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block)))
    assert workbook.government == kept
    assert (workbook.opd_code, workbook.opd_name, workbook.year, workbook.month) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi",
        2022,
        5,
    )


def test_no_government_line_gives_none(tmp_path: Path) -> None:
    """A header block without the government's line reads as before, with no government and no issue."""
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet()))
    assert workbook.government == ""
    assert "government" not in workbook.header_cells


def test_unknown_month_name(tmp_path: Path) -> None:
    """A Bulan value that names no month is reported at its cell."""
    block = [["SKPD : 2.17.0.00.0.00.01.0000"], ["Tahun Anggaran : 2022"], ["Bulan", ":", "Maretz"]]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=block))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [("header.month_unknown", "Realisasi", "C3")]
    assert error.value.issues[0].params["value"] == "Maretz"


def test_meta_missing_everywhere(tmp_path: Path) -> None:
    """No header block and no arguments: OPD, year and month are all reported."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=[]))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert [i.rule for i in error.value.issues] == ["header.meta_missing"] * 3
    assert [i.params["what"] for i in error.value.issues] == ["OPD", "Tahun anggaran", "Bulan"]


def test_meta_from_arguments(tmp_path: Path) -> None:
    """Arguments supply what the file lacks."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=[]))
    workbook = read_realization(path, opd="2.17.0.00.0.00.01.0000", year=2022, month="maret")
    assert (workbook.opd_code, workbook.opd_name, workbook.year, workbook.month) == (
        "2.17.0.00.0.00.01.0000",
        "",
        2022,
        3,
    )


def test_meta_arguments_agree(tmp_path: Path) -> None:
    """Arguments equal to the file (name compared case-insensitively) are accepted."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet())
    workbook = read_realization(path, opd="DINAS KOPERASI DAN USAHA MIKRO", year=2022, month=3)
    assert (workbook.opd_code, workbook.year, workbook.month) == ("2.17.0.00.0.00.01.0000", 2022, 3)


def test_meta_arguments_conflict(tmp_path: Path) -> None:
    """Arguments that disagree with the header block are reported at the file's cells."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=header_block(style="next")))
    with pytest.raises(InputError) as error:
        read_realization(path, opd="2.17.0.00.0.00.02.0000", year=2021, month=4)
    assert rules(error) == [
        ("header.meta_conflict", "Realisasi", "C2"),
        ("header.meta_conflict", "Realisasi", "C3"),
        ("header.meta_conflict", "Realisasi", "C4"),
    ]
    assert error.value.issues[1].params == {"what": "Tahun anggaran", "in_file": 2022, "given": 2021}


# ------------------------------------------------------------------------------------------------
# realization: header variants


def test_two_row_merged_header(tmp_path: Path) -> None:
    """``Realisasi`` merged over ``Bulan Ini`` and ``s.d. Bulan Ini``; other titles merged over both rows."""
    rows = header_block()
    rows.append(["Kode", "Uraian", "Anggaran (Rp)", "Realisasi", None, "Sumber Dana"])
    rows.append([None, None, None, "Bulan Ini", "s.d. Bulan Ini", None])
    rows.append(["2.17.01", "Program", 500, 20, 100, "PAD"])
    rows.append(["2.17.01.2.01", "Kegiatan", 500, 20, 100, "PAD"])
    merges = ["A6:A7", "B6:B7", "C6:C7", "D6:E6", "F6:F7"]
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", Sheet("LRA", rows, merges=merges)))
    assert workbook.columns == {
        "kode": "A",
        "uraian": "B",
        "anggaran_rp": "C",
        "realisasi_bulan_ini_rp": "D",
        "realisasi_sd_bulan_ini_rp": "E",
        "sumber_dana": "F",
    }
    assert workbook.lines["row"].tolist() == [8, 9]
    assert workbook.lines["realisasi_bulan_ini_rp"].tolist() == [20.0, 20.0]
    assert workbook.lines["realisasi_sd_bulan_ini_rp"].tolist() == [100.0, 100.0]


def test_columns_in_other_order_with_aliases_and_extras(tmp_path: Path) -> None:
    """Alias names, line breaks, ``(Rp)``, any order, extra columns ignored, a column-number row skipped."""
    header = [
        "No",
        "Program/Kegiatan/\nSub Kegiatan",
        "KODE REKENING",
        "Pagu  Anggaran\n(Rp)",
        "Anggaran Murni",
        "RAK s.d. Bulan Ini",
        "Realisasi Kumulatif",
        "Realisasi Fisik",
        "Keterangan",
    ]
    body = [
        [1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, "Program Penunjang", "2.17.01", "1.500.000", "2.000.000", "900.000", "750.000", None, "ok"],
        [2, "Perencanaan", "2.17.01.2.01", 1_500_000, 2_000_000, 900_000, 750_000, None, None],
        [3, "Penyusunan Dokumen", "2.17.01.2.01.0001", 1_500_000, 2_000_000, 900_000, 750_000, "50,5", None],
    ]
    workbook = read_realization(
        write_xlsx(tmp_path / "lra.xlsx", realization_sheet(header=header, body=body))
    )
    assert workbook.columns == {
        "uraian": "B",
        "kode": "C",
        "anggaran_rp": "D",
        "anggaran_murni_rp": "E",
        "anggaran_kas_sd_bulan_ini_rp": "F",
        "realisasi_sd_bulan_ini_rp": "G",
        "fisik_pct": "H",
    }
    lines = workbook.lines
    assert lines["kode"].tolist() == ["2.17.01", "2.17.01.2.01", "2.17.01.2.01.0001"]
    assert lines["row"].tolist() == [8, 9, 10]
    assert lines["anggaran_rp"].tolist() == [1.5e6] * 3
    assert lines["anggaran_murni_rp"].tolist() == [2e6] * 3
    assert lines["anggaran_kas_sd_bulan_ini_rp"].tolist() == [9e5] * 3
    assert lines["realisasi_sd_bulan_ini_rp"].tolist() == [7.5e5] * 3
    assert lines["realisasi_bulan_ini_rp"].isna().all()
    assert lines["fisik_pct"].iloc[2] == 50.5
    assert lines["uraian"].tolist() == ["Program Penunjang", "Perencanaan", "Penyusunan Dokumen"]


def test_full_codes_with_two_and_four_digit_sub_kegiatan(tmp_path: Path) -> None:
    """Full codes written out, old 2-digit and new 4-digit sub kegiatan suffixes, accounts under each."""
    body = [
        ["2.17.01", "P", 30, 3, 3, None, None],
        ["2.17.01.2.01", "K", 30, 3, 3, None, None],
        ["2.17.01.2.01.01", "S old", 10, 1, 1, None, None],
        ["5.1.02.01.01.0024", "ATK", 10, 1, 1, None, None],
        ["2.17.01.2.01.0002", "S new", 20, 2, 2, None, None],
        ["5.1.02.01.01.0026", "Cetak", 20, 2, 2, None, None],
        ["TOTAL", None, 30, 3, 3, None, None],
    ]
    lines = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))).lines
    assert lines["kode"].tolist() == [
        "2.17.01",
        "2.17.01.2.01",
        "2.17.01.2.01.01",
        "5.1.02.01.01.0024",
        "2.17.01.2.01.0002",
        "5.1.02.01.01.0026",
        "",
    ]
    assert lines["sub_kegiatan_kode"].tolist() == [
        "",
        "",
        "2.17.01.2.01.01",
        "2.17.01.2.01.01",
        "2.17.01.2.01.0002",
        "2.17.01.2.01.0002",
        "",
    ]
    assert lines["level"].iloc[-1] == "total"


def test_codes_typed_as_numbers(tmp_path: Path) -> None:
    """Numeric code cells read as displayed: 2.17, 2.1 as 0.00, 1 as 00, General 1 after 0001."""
    body = [
        [2.17, "Urusan", 10, 1, 1, None, None],
        ["2.17.01", "Program", 10, 1, 1, None, None],
        [2.1, "Kegiatan", 10, 1, 1, None, None],
        [1, "Sub 01", 4, 1, 1, None, None],
        ["2.11", "Kegiatan", 6, 0, 0, None, None],
        ["0001", "Sub 0001", 3, 0, 0, None, None],
        [2, "Sub 0002", 3, 0, 0, None, None],
    ]
    sheet = realization_sheet(body=body)
    sheet.formats = {"A9": "0.00", "A10": "00"}
    lines = read_realization(write_xlsx(tmp_path / "lra.xlsx", sheet)).lines
    assert lines["kode"].tolist() == [
        "2.17",
        "2.17.01",
        "2.17.01.2.10",
        "2.17.01.2.10.01",
        "2.17.01.2.11",
        "2.17.01.2.11.0001",
        "2.17.01.2.11.0002",
    ]


def test_indonesian_number_text(tmp_path: Path) -> None:
    """Amount text ``1.234.567,89``, ``Rp 1.234.567,-``, ``Rp. 1.234.567``, ``-`` and empty; percent text."""
    body = [
        ["2.17.01", "P", "1.234.567,89", "Rp 1.234.567,-", "Rp. 1.234.567", "76,64%", None],
        ["2.17.01.2.01", "K", "1.234", "-", None, "76.64", None],
        ["2.17.01.2.01.01", "S", 10.5, "", "0", "-", None],
    ]
    lines = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))).lines
    assert lines["anggaran_rp"].tolist() == [1_234_567.89, 1_234.0, 10.5]
    assert lines["realisasi_bulan_ini_rp"].tolist() == [1_234_567.0, 0.0, 0.0]
    assert lines["realisasi_sd_bulan_ini_rp"].tolist() == [1_234_567.0, 0.0, 0.0]
    assert lines["fisik_pct"].iloc[:2].tolist() == [pytest.approx(76.64), pytest.approx(76.64)]
    assert math.isnan(lines["fisik_pct"].iloc[2])


def test_cells_not_numbers_all_reported(tmp_path: Path) -> None:
    """Every non-number cell of the file is reported, with its exact cell, in one error."""
    body = [
        ["2.17.01", "P", "satu juta", 1, 1, None, None],
        ["2.17.01.2.01", "K", 10, "1.23.456", 1, "tinggi", None],
    ]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [
        ("cell.not_number", "Realisasi", "C7"),
        ("cell.not_number", "Realisasi", "D8"),
        ("cell.not_number", "Realisasi", "F8"),
    ]
    assert [i.params["value"] for i in error.value.issues] == ["satu juta", "1.23.456", "tinggi"]
    assert all(i.file == "lra.xlsx" for i in error.value.issues)


def test_formula_with_cached_value_counts(tmp_path: Path) -> None:
    """A formula cell counts by its cached value (file written by xlsxwriter with a stored result)."""
    sheet = realization_sheet(
        body=[["2.17.01", "P", 100, 5, None, None, None], ["2.17.01.2.01", "K", 100, 5, 7]]
    )
    path = write_xlsx_cached(tmp_path / "lra.xlsx", sheet, formulas={"Realisasi!E7": ("=E8", 7)})
    with zipfile.ZipFile(path) as archive:
        assert b"<f>E8</f><v>7</v>" in archive.read("xl/worksheets/sheet1.xml")
    lines = read_realization(path).lines
    assert lines["realisasi_sd_bulan_ini_rp"].tolist() == [7.0, 7.0]


def test_formula_without_cached_value_is_an_error(tmp_path: Path) -> None:
    """An openpyxl-written formula has no cached value: ``cell.formula_no_value`` at that cell, not zero."""
    body = [["2.17.01", "P", "=C8", 5, 5, None, None], ["2.17.01.2.01", "K", 100, 5, 5, None, None]]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [("cell.formula_no_value", "Realisasi", "C7")]


def test_formula_with_error_value(tmp_path: Path) -> None:
    """A cached error value (#DIV/0!) is not a number (calamine alone would show an empty cell)."""
    sheet = realization_sheet(body=[["2.17.01", "P", 100, 5, 5], ["2.17.01.2.01", "K", 100, 5, 5]])
    path = write_xlsx_cached(tmp_path / "lra.xlsx", sheet, formulas={"Realisasi!D8": ("=1/0", "#DIV/0!")})
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [("cell.not_number", "Realisasi", "D8")]
    assert error.value.issues[0].params["value"] == "#DIV/0!"


def test_codes_malformed_orphan_missing(tmp_path: Path) -> None:
    """Unreadable codes are reported at the code cell; a code-less row without amounts is skipped."""
    body = [
        ["01", "orphan sub kegiatan", 1, 1, 1],
        ["2.17.01", "P", 1, 1, 1],
        ["2.17.1", "malformed", 1, 1, 1],
        [None, "amounts without code", 1, 1, 1],
        [None, "a wrapped line of text"],
    ]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [
        ("code.orphan", "Realisasi", "A7"),
        ("code.malformed", "Realisasi", "A9"),
        ("code.missing", "Realisasi", "A10"),
    ]


def test_footer_after_total_ignored(tmp_path: Path) -> None:
    """Signature lines under the total row are not table rows."""
    body = [
        ["2.17.01", "P", 1, 1, 1],
        [None, "Jumlah", 1, 1, 1],
        [],
        [None, "Semarang, 31 Maret 2022", None, "Kepala Dinas"],
        [None, "NIP. 19700101 199001 1 001", 2022],
    ]
    lines = read_realization(write_xlsx(tmp_path / "lra.xlsx", realization_sheet(body=body))).lines
    assert lines["level"].tolist() == ["program", "total"]


# ------------------------------------------------------------------------------------------------
# realization: sheet choice


def test_sheet_named_lra_preferred_over_first(tmp_path: Path) -> None:
    """A sheet named like ``LRA`` wins over the first visible sheet."""
    cover = Sheet(
        "Cover", [["Laporan"], ["Kode", "Uraian", "Anggaran", "Realisasi Bulan Ini"], ["2.17", "x", 1, 1]]
    )
    path = write_xlsx(tmp_path / "lra.xlsx", cover, realization_sheet("Data LRA Maret"))
    workbook = read_realization(path)
    assert workbook.sheet == "Data LRA Maret"
    assert workbook.lines["kode"].tolist() == FULL_CODES


def test_sheet_named_realisasi_any_case(tmp_path: Path) -> None:
    """``REALISASI`` (any case) is preferred too."""
    path = write_xlsx(tmp_path / "lra.xlsx", Sheet("Sheet1", [["x"]]), realization_sheet("REALISASI BELANJA"))
    assert read_realization(path).sheet == "REALISASI BELANJA"


def test_hidden_first_sheet_skipped(tmp_path: Path) -> None:
    """A hidden first sheet (even one named LRA) is not read."""
    hidden = realization_sheet("LRA lama", body=[["2.17.01", "old", 1, 1, 1]])
    hidden.hidden = True
    path = write_xlsx(tmp_path / "lra.xlsx", hidden, realization_sheet("Sheet1"))
    workbook = read_realization(path)
    assert workbook.sheet == "Sheet1"
    assert workbook.lines["kode"].tolist() == FULL_CODES


# ------------------------------------------------------------------------------------------------
# realization: header problems


def test_missing_required_column(tmp_path: Path) -> None:
    """A header without ``Anggaran`` names the missing column at the header row."""
    header = ["Kode", "Uraian", "Realisasi Bulan Ini", "Realisasi s.d. Bulan Ini"]
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(header=header, body=[["2.17.01", "P", 1, 1]]))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert [(i.rule, i.row, i.params["column"]) for i in error.value.issues] == [
        ("header.missing_column", 6, "Anggaran")
    ]


def test_missing_realization_columns(tmp_path: Path) -> None:
    """Neither realization column: ``amount.missing_realization``."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(header=["Kode", "Uraian", "Pagu"], body=[]))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert [(i.rule, i.row) for i in error.value.issues] == [("amount.missing_realization", 6)]


def test_header_not_found(tmp_path: Path) -> None:
    """No table header at all."""
    path = write_xlsx(tmp_path / "lra.xlsx", Sheet("Realisasi", [["Catatan"], ["apa saja"]]))
    with pytest.raises(InputError) as error:
        read_realization(path)
    assert rules(error) == [("header.not_found", "Realisasi", "")]


# ------------------------------------------------------------------------------------------------
# not workbooks


def _truncated(tmp_path: Path) -> bytes:
    """The first half of a real xlsx."""
    data = write_xlsx(tmp_path / "whole.xlsx", realization_sheet()).read_bytes()
    return data[: len(data) // 2]


def _plain_zip(tmp_path: Path) -> bytes:
    """A zip archive that is not a workbook."""
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return path.read_bytes()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("name", "content", "detail"),
    [
        ("text.xlsx", lambda tmp: b"Kode;Uraian;Anggaran\n2.17;x;1\n", "bukan arsip zip"),
        ("truncated.xlsx", _truncated, "rusak atau terpotong"),
        ("plain.xlsx", _plain_zip, "bukan workbook Excel"),
        ("old.xls", lambda tmp: OLE + "Workbook".encode("utf-16-le"), ".xls"),
        ("locked.xlsx", lambda tmp: OLE + "EncryptionInfo".encode("utf-16-le"), "kata sandi"),
        ("empty.xlsx", lambda tmp: b"", "kosong"),
    ],
)
def test_not_a_workbook(tmp_path: Path, name: str, content: Callable[[Path], bytes], detail: str) -> None:
    """Text renamed .xlsx, truncated zip, plain zip, .xls, encrypted, empty: ``file.not_workbook``."""
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    for reader in (read_realization, read_indicators, detect_kind):
        with pytest.raises(InputError) as error:
            reader(path)
        assert rules(error) == [("file.not_workbook", "", "")]
        assert error.value.issues[0].file == name
        assert detail in str(error.value.issues[0].params["detail"])


def test_missing_file_is_not_a_workbook(tmp_path: Path) -> None:
    """A path that does not exist is reported, not a traceback."""
    with pytest.raises(InputError) as error:
        read_realization(tmp_path / "nope.xlsx")
    assert rules(error) == [("file.not_workbook", "", "")]


# ------------------------------------------------------------------------------------------------
# kind detection


def test_detect_kind(tmp_path: Path) -> None:
    """Realization by its header, indicator by sheet name or by its header, else ``file.kind_unknown``."""
    realization = write_xlsx(tmp_path / "r.xlsx", realization_sheet("Sheet1"))
    named = write_xlsx(tmp_path / "i.xlsx", Sheet("Data", [["x"]]), Sheet("Indikator Kinerja", [["x"]]))
    by_header = write_xlsx(
        tmp_path / "h.xlsx",
        Sheet("Sheet1", [*indicator_block(), INDICATOR_HEADER, ["Sasaran", 1, "S", "I", "%"]]),
    )
    other = write_xlsx(tmp_path / "o.xlsx", Sheet("Sheet1", [["Daftar hadir"], ["Nama", "Tanda tangan"]]))
    assert detect_kind(realization) == "realization"
    assert detect_kind(named) == "indicator"
    assert detect_kind(by_header) == "indicator"
    with pytest.raises(InputError) as error:
        detect_kind(other)
    assert rules(error) == [("file.kind_unknown", "", "")]


# ------------------------------------------------------------------------------------------------
# indicators


def test_indicators_with_year_realisasi(tmp_path: Path) -> None:
    """Jenis/No/Uraian carried down, Arah default and Turun, Kode Program split, Rumus Capaian column."""
    header = [
        *INDICATOR_HEADER,
        "Realisasi 2021",
        "Target Akhir Renstra",
        "Kode Program",
        "Rumus Capaian",
        "Ket",
    ]
    rows = [
        *indicator_block(),
        header,
        ["Tujuan", "1.", "Meningkatkan kapasitas koperasi", "Persentase Koperasi yang Berkualitas", "%", None,
         "53", "65,42", None, 57, None, None, None],
        ["Sasaran", 1, "Meningkatnya kualitas koperasi", "Persentase koperasi Aktif", "%", "Positif",
         76, "76,64", "70,1", 78, "2.17.02; 2.17.03, 04", None, "x"],
        [None, None, None, "Angka kemiskinan", "%", "Turun", "5,5", "5,1", None, None, "2.17.05", "Selisih"],
        ["Sasaran", 2, "Meningkatnya kinerja", "Nilai AKIP", "nilai", None, "77,20", 79.71, None, None,
         "2.17.01"],
        [],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        ["Semarang, 31 Desember 2022"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows))
    workbook = read_indicators(path)
    assert (workbook.opd_code, workbook.opd_name, workbook.year, workbook.sheet) == (
        "",
        "Dinas Koperasi dan Usaha Mikro",
        2022,
        "Indikator",
    )
    frame = workbook.indicators
    assert list(frame.columns) == list(INDICATOR_COLUMNS)
    assert {c: str(t) for c, t in frame.dtypes.items()} == INDICATOR_COLUMNS
    assert frame["row"].tolist() == [6, 7, 8, 9]
    assert frame["jenis"].tolist() == ["tujuan", "sasaran", "sasaran", "sasaran"]
    assert frame["no"].tolist() == ["1", "1", "1", "2"]
    assert frame["uraian"].tolist() == [
        "Meningkatkan kapasitas koperasi",
        "Meningkatnya kualitas koperasi",
        "Meningkatnya kualitas koperasi",
        "Meningkatnya kinerja",
    ]
    assert frame["arah"].tolist() == ["positif", "positif", "negatif", "positif"]
    assert frame["rumus_capaian"].tolist() == ["standar", "standar", "selisih", "standar"]
    assert frame["target"].tolist() == [53.0, 76.0, 5.5, 77.2]
    assert frame["realisasi"].tolist() == [65.42, 76.64, 5.1, 79.71]
    assert frame["realisasi_tahun_lalu"].iloc[1] == 70.1
    assert frame["target_akhir_renstra"].iloc[:2].tolist() == [57.0, 78.0]
    assert frame[["tw1", "tw2", "tw3", "tw4"]].isna().all().all()
    assert frame["kode_program"].tolist() == ["", "2.17.02;2.17.03;2.17.04", "2.17.05", "2.17.01"]
    assert frame["satuan"].tolist() == ["%", "%", "%", "nilai"]
    assert workbook.columns["realisasi_tahun_lalu"] == "I"
    assert workbook.renstra.empty
    assert list(workbook.renstra.columns) == list(RENSTRA_COLUMNS)


def test_indicator_texts_are_optional_columns(tmp_path: Path) -> None:
    """Definisi Operasional, Formula, Penanggung Jawab, Sumber Data, Analisis Penyebab and Solusi are
    read where the workbook has them (under their alternative titles too), "" where it has not."""
    header = [
        *INDICATOR_HEADER,
        "Uraian / Definisi Operasional",
        "Formula Penghitungan",
        "Penanggung Jawab",
        "Analisis Keberhasilan / Kegagalan Kinerja",
        "Solusi",
    ]
    rows = [
        *indicator_block(),
        header,
        ["Sasaran", 1, "Meningkatnya kualitas koperasi", "Persentase koperasi Aktif", "%", None, 76,
         "76,64", "Koperasi yang RAT", "aktif / seluruh × 100%", "Kepala Dinas", "+Pelatihan", None],
        ["Sasaran", 2, "Meningkatnya kinerja", "Nilai AKIP", "nilai", None, "77,20", 79.71],
    ]  # fmt: skip
    frame = read_indicators(write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows))).indicators
    assert frame["definisi_operasional"].tolist() == ["Koperasi yang RAT", ""]
    assert frame["formula"].tolist() == ["aktif / seluruh × 100%", ""]
    assert frame["penanggung_jawab"].tolist() == ["Kepala Dinas", ""]
    assert frame["analisis_penyebab"].tolist() == ["+Pelatihan", ""]  # text as written, escaped on output
    assert frame["solusi"].tolist() == ["", ""]
    assert frame["sumber_data"].tolist() == ["", ""]  # no such column: empty, not an error


def test_indicators_with_quarters_two_row_header_and_renstra(tmp_path: Path) -> None:
    """``Realisasi`` merged over TW I..TW IV; OPD code from the block; a Renstra sheet in long form."""
    rows = [
        ["SKPD : 2.17.0.00.0.00.01.0000 Dinas Koperasi"],
        ["Tahun : 2022"],
        [],
        [
            "Jenis",
            "No",
            "Uraian",
            "Indikator Kinerja",
            "Target",
            "Realisasi",
            None,
            None,
            None,
            "Kode Program",
        ],
        [None, None, None, None, None, "TW I", "TW II", "TW III", "TW IV", None],
        ["Program", 1, "Program Pengawasan", "Koperasi diperiksa", 40, 10, 20, "30", "41", "03"],
    ]
    merges = ["A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:E5", "F4:I4", "J4:J5"]
    renstra = [
        ["RENSTRA 2021-2026"],
        [
            "Jenis",
            "No",
            "Tujuan/Sasaran",
            "Indikator",
            "Data Awal",
            "Target 2022",
            "Target 2023",
            "Target 2024",
        ],
        ["Tujuan", 1, "Meningkatkan koperasi", "Persentase Koperasi", "50,70", 53, "54", 55],
        ["Sasaran", 2, "Wirausaha", "Pertumbuhan wirausaha", "NA", 30, 35, 40],
    ]
    path = write_xlsx(
        tmp_path / "ind.xlsx", Sheet("INDIKATOR", rows, merges=merges), Sheet("Renstra", renstra)
    )
    workbook = read_indicators(path)
    assert (workbook.opd_code, workbook.opd_name, workbook.year) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi",
        2022,
    )
    frame = workbook.indicators
    assert frame["row"].tolist() == [6]
    assert frame[["tw1", "tw2", "tw3", "tw4"]].iloc[0].tolist() == [10.0, 20.0, 30.0, 41.0]
    assert math.isnan(frame["realisasi"].iloc[0])
    assert frame["kode_program"].tolist() == ["2.17.03"]
    assert (frame["jenis"].iloc[0], frame["indikator"].iloc[0]) == ("program", "Koperasi diperiksa")
    assert workbook.columns["tw4"] == "I"
    long = workbook.renstra
    assert list(long.columns) == list(RENSTRA_COLUMNS)
    assert {c: str(t) for c, t in long.dtypes.items()} == RENSTRA_COLUMNS
    assert long["tahun"].tolist() == [2022, 2023, 2024, 2022, 2023, 2024]
    assert long["target"].tolist() == [53.0, 54.0, 55.0, 30.0, 35.0, 40.0]
    assert long["jenis"].tolist() == ["tujuan"] * 3 + ["sasaran"] * 3
    assert long["no"].tolist() == ["1"] * 3 + ["2"] * 3
    assert long["data_awal"].iloc[0] == 50.7
    assert long["data_awal"].iloc[3:].isna().all()
    assert workbook.columns["renstra.target_2024"] == "H"


def test_indicator_problems_collected(tmp_path: Path) -> None:
    """A year conflict and a non-number target are reported together."""
    rows = [*indicator_block(), INDICATOR_HEADER, ["Sasaran", 1, "S", "I", "%", None, "tinggi", 5]]
    path = write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows))
    with pytest.raises(InputError) as error:
        read_indicators(path, year=2023)
    assert rules(error) == [
        ("header.meta_conflict", "Indikator", "B3"),
        ("cell.not_number", "Indikator", "G6"),
    ]


def test_indicator_missing_columns(tmp_path: Path) -> None:
    """Missing Target and realization columns are both named."""
    rows = [*indicator_block(), ["Jenis", "No", "Uraian", "Indikator"], ["Sasaran", 1, "S", "I"]]
    path = write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows))
    with pytest.raises(InputError) as error:
        read_indicators(path)
    assert [(i.rule, i.params["column"]) for i in error.value.issues] == [
        ("header.missing_column", "Target"),
        ("header.missing_column", "Realisasi / TW I … TW IV"),
    ]


# ------------------------------------------------------------------------------------------------
# smaller variants


def test_units_line_under_header_and_month_in_title(tmp_path: Path) -> None:
    """A ``(Rp)`` line under the header is part of it; the month may come from the title line."""
    rows = [
        ["LAPORAN REALISASI ANGGARAN BULAN JUNI 2022"],
        ["SKPD/Unit Kerja : 2.17.0.00.0.00.01.0000 - Dinas Koperasi"],
        ["Tahun Anggaran", 2022],
        ["Kode", "Uraian", "Anggaran", "Realisasi s.d. Bulan Ini"],
        [None, None, "(Rp)", "(Rp)"],
        ["2.17.01", "Program", "1.000", "500"],
    ]
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsx", Sheet("Sheet1", rows)))
    assert (workbook.opd_code, workbook.opd_name, workbook.year, workbook.month) == (
        "2.17.0.00.0.00.01.0000",
        "Dinas Koperasi",
        2022,
        6,
    )
    assert workbook.lines[["row", "kode", "anggaran_rp", "realisasi_sd_bulan_ini_rp"]].values.tolist() == [
        [6, "2.17.01", 1000.0, 500.0]
    ]


def test_indicator_year_columns(tmp_path: Path) -> None:
    """``Target 2022`` / ``Realisasi 2022`` are this year's, ``Realisasi 2021`` last year's."""
    header = ["Jenis", "No", "Indikator", "Realisasi 2021", "Target 2022", "Realisasi 2022"]
    rows = [*indicator_block(), header, ["Sasaran", 1, "Nilai AKIP", "77,5", "77,20", "79,71"]]
    workbook = read_indicators(write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows)))
    frame = workbook.indicators
    assert frame[["realisasi_tahun_lalu", "target", "realisasi"]].values.tolist() == [[77.5, 77.2, 79.71]]
    assert frame["uraian"].tolist() == [""]
    assert {k: workbook.columns[k] for k in ("realisasi_tahun_lalu", "target", "realisasi")} == {
        "realisasi_tahun_lalu": "D",
        "target": "E",
        "realisasi": "F",
    }


def test_indicator_realisasi_of_other_year_only(tmp_path: Path) -> None:
    """Only a ``Realisasi 2020`` column in a 2022 workbook: the realization column is missing."""
    header = ["Jenis", "No", "Indikator", "Target", "Realisasi 2020"]
    rows = [*indicator_block(), header, ["Sasaran", 1, "Nilai AKIP", 77, 79]]
    with pytest.raises(InputError) as error:
        read_indicators(write_xlsx(tmp_path / "ind.xlsx", Sheet("Indikator", rows)))
    assert [(i.rule, i.row, i.params["column"]) for i in error.value.issues] == [
        ("header.missing_column", 5, "Realisasi / TW I … TW IV")
    ]


def test_xlsm_accepted(tmp_path: Path) -> None:
    """A macro-enabled name (.xlsm) is read like .xlsx."""
    workbook = read_realization(write_xlsx(tmp_path / "lra.xlsm", realization_sheet()))
    assert workbook.lines["kode"].tolist() == FULL_CODES


@pytest.mark.parametrize("month", [13, "Maretz"])
def test_unknown_month_argument(tmp_path: Path, month: object) -> None:
    """A month argument that is no month is an issue, not a traceback."""
    path = write_xlsx(tmp_path / "lra.xlsx", realization_sheet(block=[]))
    with pytest.raises(InputError) as error:
        read_realization(path, opd="Dinas", year=2022, month=month)  # type: ignore[arg-type]
    assert [(i.rule, i.params["value"]) for i in error.value.issues] == [("header.month_unknown", str(month))]
