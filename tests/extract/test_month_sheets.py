"""A year in one workbook, a sheet per month: written from the 2022 sample's monthly workbooks and read
back as the same months, whatever the sheets are named and wherever the header block stands.

A month that cannot be read (its header names another month, a text in an amount cell, another OPD or
year than the first sheet) is refused on its own beside the others; sheets that cannot be told apart
(a month twice, thirteen months) and a workbook of 200 sheets are refused whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sakip.layouts.month_sheets import (
    full_name,
    mixed_name,
    short_name,
    with_year,
    write_month_sheets,
)
from tasks.core.issues import InputError
from tasks.core.staging import PartError, RealizationWorkbook
from tasks.extract.book import open_book
from tasks.extract.layouts import read_realization_months
from tasks.extract.limits import WorkbookLimits
from tasks.extract.month_sheets import SheetName, sheet_month
from tasks.extract.reading import read_file, read_workbook
from tasks.settings import load_settings
from tests.fixtures.corpus import BULAN_INI, SUB_G, row_of_code
from tests.fixtures.libreoffice import convert

YEAR = 2022


@pytest.fixture(scope="module")
def monthly(sample_2022) -> list[RealizationWorkbook]:
    """The twelve monthly workbooks of the 2022 sample, as read."""
    return [read_workbook(path).workbook for path in sample_2022.realization]


def assert_same_lines(got: RealizationWorkbook, want: RealizationWorkbook, *, rows: bool = True) -> None:
    """The month's lines are the monthly file's (the worksheet row compared only when ``rows``)."""
    drop = [] if rows else ["row"]
    pd.testing.assert_frame_equal(got.lines.drop(columns=drop), want.lines.drop(columns=drop))


def months_read(path: Path, **run) -> list[RealizationWorkbook]:
    """Every month of the workbook, none refused."""
    found = read_realization_months(path, **run)
    refused = [read for read in found if isinstance(read, PartError)]
    assert not refused, [issue.describe() for read in refused for issue in read.error.issues]
    return found


def passed_over(read: RealizationWorkbook) -> list[tuple[str, str, str]]:
    """(sheet, severity, English message) of the sheets a month says were passed over."""
    return [
        (issue.sheet, issue.severity, issue.message("en"))
        for issue in read.warnings
        if issue.rule == "sheet.passed_over"
    ]


def edited(path: Path, dst: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """A copy of ``path`` changed by ``change`` (openpyxl)."""
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(dst)
    return dst


# --------------------------------------------------------------------------------------------------
# recognition


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("JAN", SheetName(1)),
        ("Januari", SheetName(1)),
        ("MEI 2023", SheetName(5, 2023)),
        ("Sept", SheetName(9)),
        ("Okt", SheetName(10)),
        ("Nop", SheetName(11)),
        ("Des", SheetName(12)),
        ("mrt", SheetName(3)),
        ("lra_nov", SheetName(11)),
        ("Realisasi Bulan Juni", SheetName(6)),
        ("LRA s.d. Agustus 2022", SheetName(8, 2022)),
        ("01 Januari", SheetName(1)),
        ("Jan-23", SheetName(1)),
        ("REKAP", None),
        ("Rekap Jan-Des", None),
        ("Januari Lama", None),
        ("Jan Feb", None),
        ("Sheet1", None),
        ("Cover", None),
        ("Maret 2022 2023", None),
    ],
)
def test_sheet_names_that_name_a_month(name: str, expected: SheetName | None) -> None:
    assert sheet_month(name) == expected


# --------------------------------------------------------------------------------------------------
# the months read back


SPELLINGS = {
    "Januari, header block on every sheet": {},
    "JAN 2022, header block on the first sheet only, a cover": {
        "sheet_names": with_year(short_name, YEAR),
        "header_on_every_sheet": False,
        "cover_sheet": True,
    },
    "Sept / Okt / Nop, the month in the header block too": {
        "sheet_names": mixed_name,
        "month_in_header": True,
    },
    "lra maret, no summary": {
        "sheet_names": lambda month: f"lra {full_name(month).lower()}",
        "summary_sheet": False,
    },
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_year_workbook_reads_as_the_monthly_files(monthly, tmp_path: Path, spelling: str) -> None:
    options = SPELLINGS[spelling]
    path = write_month_sheets(monthly, tmp_path / "realisasi_2022.xlsx", **options)
    names = options.get("sheet_names", full_name)
    every_sheet = options.get("header_on_every_sheet", True)

    found = months_read(path)

    assert [read.month for read in found] == list(range(1, 13))
    assert [read.part for read in found] == [names(month) for month in range(1, 13)]
    assert [read.sheet for read in found] == [read.part for read in found]
    for position, (read, want) in enumerate(zip(found, monthly, strict=True)):
        # without a header block, the table starts at A1: the same lines on other rows
        assert_same_lines(read, want, rows=every_sheet or position == 0)
        assert (read.opd_code, read.opd_name, read.year) == (want.opd_code, want.opd_name, YEAR)
        assert read.name == f"realisasi_2022.xlsx [{names(read.month)}]"
    expected = []
    if options.get("cover_sheet"):
        expected.append(("COVER", "warning", "Sheet passed over: cover or sheet without a realization table"))
    if options.get("summary_sheet", True):
        expected.append(("REKAP", "warning", "Sheet passed over: summary, not one month's data"))
    assert passed_over(found[0]) == expected  # told once per file: on the oldest month
    assert all(passed_over(read) == [] for read in found[1:])


@pytest.mark.parametrize("realization", ["month", "to_date"])
def test_monthly_or_to_date_realization_alone(monthly, tmp_path: Path, realization: str) -> None:
    path = write_month_sheets(monthly, tmp_path / "tahunan.xlsx", realization=realization)
    given, left_out = "realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"
    if realization == "to_date":
        given, left_out = left_out, given
    found = months_read(path)
    assert [read.month for read in found] == list(range(1, 13))
    for read, want in zip(found, monthly, strict=True):
        assert left_out not in read.columns and given in read.columns
        assert read.lines[left_out].isna().all()
        pd.testing.assert_frame_equal(
            read.lines.drop(columns=[left_out]), want.lines.drop(columns=[left_out])
        )


def test_a_year_sent_in_october_with_its_last_sheets_empty(monthly, tmp_path: Path) -> None:
    """Ten months, November and December prepared but empty, an old copy of January: ten months read."""
    written = write_month_sheets(monthly[:10], tmp_path / "okt.xlsx", summary_sheet=False)

    def prepare(book: openpyxl.Workbook) -> None:
        book.create_sheet("Nopember")
        book.create_sheet("Desember")
        book.copy_worksheet(book["Januari"]).title = "Januari Lama"

    path = edited(written, tmp_path / "realisasi_okt.xlsx", prepare)
    found = months_read(path)
    assert [read.month for read in found] == list(range(1, 11))
    for read, want in zip(found, monthly[:10], strict=True):
        assert_same_lines(read, want)
    assert passed_over(found[0]) == [
        ("Nopember", "warning", "Sheet passed over: this month sheet is empty"),
        ("Desember", "warning", "Sheet passed over: this month sheet is empty"),
        (
            "Januari Lama",
            "warning",
            "Sheet passed over: the sheet's name names no month, its table is not read",
        ),
    ]


def test_the_run_gives_opd_and_year_but_never_filters_the_months(monthly, tmp_path: Path) -> None:
    path = write_month_sheets(monthly, tmp_path / "tahun.xlsx", header_on_every_sheet=False)
    found = months_read(path, year=YEAR, month=3, opd=monthly[0].opd_code)
    assert [read.month for read in found] == list(range(1, 13))
    assert {(read.opd_code, read.opd_name) for read in found} == {(monthly[0].opd_code, monthly[0].opd_name)}

    refused = read_realization_months(path, year=2021)
    assert all(isinstance(read, PartError) for read in refused)
    # the months without a header block are the first sheet's: the run's year conflicts with its cell
    for read in refused:
        assert [(i.rule, i.sheet, i.cell) for i in read.error.issues if i.severity == "error"] == [
            ("header.meta_conflict", "Januari", "A4")
        ]
    assert "Tahun anggaran di berkas (2022) berbeda dengan yang diberikan lewat perintah (2021)" in (
        refused[5].error.issues[0].describe()
    )


def test_the_year_from_the_sheet_names_or_the_run(monthly, tmp_path: Path) -> None:
    """No sheet gives the year: ``MEI 2022`` does, else the run's year fills it in."""

    def no_year(book: openpyxl.Workbook) -> None:
        del book.worksheets[1]["A4"]  # the first month sheet's ``Tahun Anggaran``, after the summary

    for names, name in ((with_year(short_name, YEAR), "bernama.xlsx"), (short_name, "tanpa_tahun.xlsx")):
        written = write_month_sheets(
            monthly, tmp_path / "tulis.xlsx", sheet_names=names, header_on_every_sheet=False
        )
        path = edited(written, tmp_path / name, no_year)
        found = read_realization_months(path)
        if name == "bernama.xlsx":
            assert [(read.month, read.year) for read in found] == [(month, YEAR) for month in range(1, 13)]
            continue
        assert all(isinstance(read, PartError) for read in found)
        assert {i.rule for read in found for i in read.error.issues if i.severity == "error"} == {
            "header.meta_missing"
        }
        staged = read_file(path, year=YEAR)  # the run's year, where the workbook has none
        assert [(s.part, s.workbook.year, s.errors) for s in staged] == [
            (short_name(month), YEAR, ()) for month in range(1, 13)
        ]


# --------------------------------------------------------------------------------------------------
# a month refused on its own


def test_header_month_disagreeing_with_the_sheet_name_refuses_that_month(monthly, tmp_path: Path) -> None:
    written = write_month_sheets(monthly, tmp_path / "tulis.xlsx", month_in_header=True)

    def wrong_month(book: openpyxl.Workbook) -> None:
        book["Maret"]["A5"] = "Bulan : April"

    path = edited(written, tmp_path / "realisasi_2022.xlsx", wrong_month)
    found = read_realization_months(path)

    assert [read.month for read in found] == list(range(1, 13))
    refused = found[2]
    assert isinstance(refused, PartError) and (refused.part, refused.month) == ("Maret", 3)
    (issue,) = refused.error.issues
    assert (issue.rule, issue.file, issue.sheet, issue.cell) == (
        "sheet.month_conflict",
        path.name,
        "Maret",
        "A5",
    )
    assert issue.describe("en") == (
        "realisasi_2022.xlsx, sheet 'Maret', cell A5: The sheet's name 'Maret' says Maret, but the header "
        "block in cell A5 says April; correct one of them [sheet.month_conflict]"
    )
    for read, want in zip(found, monthly, strict=True):
        if read is not refused:
            assert_same_lines(read, want)


def test_a_text_in_an_amount_cell_refuses_that_month_at_its_cell(monthly, tmp_path: Path) -> None:
    written = write_month_sheets(monthly, tmp_path / "tulis.xlsx", sheet_names=short_name)
    cell = ""

    def typo(book: openpyxl.Workbook) -> None:
        nonlocal cell
        ws = book["JUN"]
        cell = f"{BULAN_INI}{row_of_code(ws, SUB_G)}"
        ws[cell] = "1.5OO.000"  # letters O for zeros

    path = edited(written, tmp_path / "realisasi_2022.xlsx", typo)
    found = read_realization_months(path)

    refused = [read for read in found if isinstance(read, PartError)]
    assert [(read.part, read.month) for read in refused] == [("JUN", 6)]
    assert [(i.rule, i.sheet, i.cell) for i in refused[0].error.issues] == [("cell.not_number", "JUN", cell)]
    assert [read.month for read in found if not isinstance(read, PartError)] == [
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        10,
        11,
        12,
    ]
    # the summary is still told of, on the oldest month
    assert passed_over(found[0]) == [("REKAP", "warning", "Sheet passed over: summary, not one month's data")]


def test_a_later_sheet_naming_another_year_or_opd_is_refused(monthly, tmp_path: Path) -> None:
    written = write_month_sheets(monthly, tmp_path / "tulis.xlsx")

    def other(book: openpyxl.Workbook) -> None:
        book["Mei"]["A4"] = "Tahun Anggaran : 2021"
        book["Agustus"]["A3"] = "SKPD : 1.02.0.00.0.00.01.0000 Dinas Kesehatan"

    path = edited(written, tmp_path / "realisasi_2022.xlsx", other)
    found = read_realization_months(path)

    refused = {read.part: read.error.issues for read in found if isinstance(read, PartError)}
    assert sorted(refused) == ["Agustus", "Mei"]
    assert [(i.rule, i.cell, i.params["in_sheet"], i.params["first_sheet"]) for i in refused["Mei"]] == [
        ("sheet.meta_conflict", "A4", 2021, "Januari")
    ]
    (opd,) = refused["Agustus"]
    assert (opd.rule, opd.cell) == ("sheet.meta_conflict", "A3")
    assert opd.describe("en").endswith(
        "OPD on this sheet (1.02.0.00.0.00.01.0000 Dinas Kesehatan) differs from sheet 'Januari' "
        f"({monthly[0].opd_code} {monthly[0].opd_name}); one workbook is for one OPD and one year "
        "[sheet.meta_conflict]"
    )
    assert len(found) == 12


def test_a_sheet_named_with_another_year_is_refused(monthly, tmp_path: Path) -> None:
    path = write_month_sheets(
        monthly,
        tmp_path / "realisasi.xlsx",
        sheet_names=lambda month: f"{short_name(month)} {2023 if month == 4 else YEAR}",
    )
    found = read_realization_months(path)
    refused = [read for read in found if isinstance(read, PartError)]
    assert [(read.part, read.month) for read in refused] == [("APR 2023", 4)]
    assert [(i.rule, i.cell, i.params["sheet_year"], i.params["year"]) for i in refused[0].error.issues] == [
        ("sheet.year_conflict", "A4", 2023, YEAR)
    ]


# --------------------------------------------------------------------------------------------------
# the whole file refused


def test_two_sheets_naming_the_same_month_refuse_the_file(monthly, tmp_path: Path) -> None:
    path = write_month_sheets(
        monthly[:3],
        tmp_path / "dobel.xlsx",
        sheet_names=lambda month: "JAN" if month == 2 else full_name(month),
    )
    with pytest.raises(InputError) as caught:
        read_realization_months(path)
    (issue,) = caught.value.issues
    assert (issue.rule, issue.sheet) == ("sheet.month_duplicate", "JAN")
    assert issue.describe("en") == (
        "dobel.xlsx, sheet 'JAN': Month Januari is named by two sheets: 'Januari' and 'JAN'; "
        "a month may have only one sheet [sheet.month_duplicate]"
    )


def test_thirteen_month_sheets_refuse_the_file(monthly, tmp_path: Path) -> None:
    written = write_month_sheets(monthly, tmp_path / "tulis.xlsx", summary_sheet=False)

    def thirteenth(book: openpyxl.Workbook) -> None:
        book.copy_worksheet(book["Desember"]).title = "DES 2022"

    path = edited(written, tmp_path / "tiga_belas.xlsx", thirteenth)
    with pytest.raises(InputError) as caught:
        read_realization_months(path)
    (issue,) = caught.value.issues
    assert issue.rule == "sheet.too_many_months"
    assert issue.message("en").startswith("The workbook holds 13 month sheets ('Januari', 'Februari'")
    # read as a batch file: one refused file, no month of it staged
    (staged,) = read_file(path)
    assert staged.workbook is None and [i.rule for i in staged.issues] == ["sheet.too_many_months"]


def test_a_workbook_of_200_sheets_is_refused_on_opening(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for n in range(200):
        book.create_sheet(f"{full_name(n % 12 + 1)} {n}")["A1"] = "Kode"
    path = tmp_path / "banyak.xlsx"
    book.save(path)

    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        open_book(path)  # refused from the list of sheets: no sheet is read
    (staged,) = read_file(path)
    elapsed = time.perf_counter() - started

    (issue,) = caught.value.issues
    assert issue.rule == "file.too_many_sheets"
    assert issue.describe("en") == (
        "banyak.xlsx: The workbook holds 200 sheets, beyond the limit of 40; "
        "save it again with only the sheets needed [file.too_many_sheets]"
    )
    assert [i.rule for i in staged.issues] == ["file.too_many_sheets"]
    assert elapsed < 5
    assert open_book(path, WorkbookLimits(max_sheets=200)).visible[0] == "Januari 0"


def test_the_sheet_limit_comes_from_the_settings(monthly, tmp_path: Path, monkeypatch) -> None:
    path = write_month_sheets(monthly, tmp_path / "realisasi.xlsx", cover_sheet=True)  # 14 sheets
    monkeypatch.setenv("SAKIP_MAX_SHEETS", "13")
    limits = load_settings().workbook_limits
    assert limits.max_sheets == 13
    (staged,) = read_file(path, limits=limits)
    assert [i.rule for i in staged.issues] == ["file.too_many_sheets"]
    assert len(read_file(path)) == 12


# --------------------------------------------------------------------------------------------------
# through the batch reader, and in the legacy formats


def test_read_file_stages_each_month_with_its_part(monthly, tmp_path: Path) -> None:
    path = write_month_sheets(
        monthly, tmp_path / "realisasi_2022.xlsx", sheet_names=with_year(short_name, YEAR)
    )
    staged = read_file(path)
    assert [s.part for s in staged] == [f"{short_name(month)} {YEAR}" for month in range(1, 13)]
    assert all(s.kind == "realization" and s.path == path for s in staged)
    assert [s.workbook.month for s in staged] == list(range(1, 13))
    assert [s.workbook.part for s in staged] == [s.part for s in staged]
    assert staged[4].name == "realisasi_2022.xlsx [MEI 2022]"
    assert len({s.key for s in staged}) == 12
    assert [(i.rule, i.sheet) for i in staged[0].issues] == [("sheet.passed_over", "REKAP")]
    assert all(s.issues == () and s.errors == () for s in staged[1:])


def test_xls_and_ods_read_the_same_months(monthly, tmp_path: Path) -> None:
    written = write_month_sheets(
        monthly,
        tmp_path / "realisasi_2022.xlsx",
        sheet_names=mixed_name,
        header_on_every_sheet=False,
        cover_sheet=True,
    )
    expected = months_read(written)
    out = tmp_path / "legacy"
    out.mkdir()
    (ods,) = convert([written], "ods", out)
    (xls,) = convert([written], "xls", out)
    for path in (ods, xls):
        found = months_read(path)
        assert [read.part for read in found] == [mixed_name(month) for month in range(1, 13)]
        for read, want in zip(found, expected, strict=True):
            assert_same_lines(read, want)
            assert (read.opd_code, read.opd_name, read.year, read.month) == (
                want.opd_code,
                want.opd_name,
                want.year,
                want.month,
            )
        assert [(sheet, kind) for sheet, kind, _ in passed_over(found[0])] == [
            ("COVER", "warning"),
            ("REKAP", "warning"),
        ]
        # the sheet limit holds for the legacy formats too (14 sheets: a cover, the summary, 12 months)
        with pytest.raises(InputError) as caught:
            open_book(path, WorkbookLimits(max_sheets=13))
        assert [i.rule for i in caught.value.issues] == ["file.too_many_sheets"]
