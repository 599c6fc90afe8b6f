"""A year on one sheet, the months side by side: written from the 2022 sample's monthly files and read
back as the same months, in every heading style, spelling and column choice offices use.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter as letter
from sqlalchemy import text

from sakip.layouts.month_columns import write_month_columns
from tasks.core.calendar import BULAN
from tasks.core.issues import InputError
from tasks.core.staging import PartError, RealizationWorkbook
from tasks.extract.book import open_book
from tasks.extract.kind import find_realization_sheet
from tasks.extract.layouts import read_realization_months
from tasks.extract.month_columns import find_month_row
from tasks.extract.reading import read_file, read_workbook
from tasks.operations.intake import load_workbooks, validate_batch
from tests.fixtures.libreoffice import convert
from tests.fixtures.workbooks import Sheet, write_xlsx
from warehouse.db import open_warehouse

SHEET = "DKKB dan Realisasi"
#: the header rows the writer uses (1-based): month names, then sub-headings; data from row 9
MONTH_ROW, SUB_ROW = 7, 8
#: months the tests write: January to July, so August to December are empty on the sheet
GIVEN = 7
SPELLINGS = ("JAN", "Februari", "MARET", "Apr", "Mei", "JUNI", "Jul", "Agt", "Sept", "Okt", "Nop", "Des")


@pytest.fixture(scope="module")
def monthly(sample_2022) -> list[RealizationWorkbook]:
    """The sample's twelve monthly workbooks, read."""
    return [read_workbook(path).workbook for path in sample_2022.realization]


def months_of(reads: list) -> list[RealizationWorkbook]:
    """The months read, failing on any month that could not be."""
    failed = [read for read in reads if isinstance(read, PartError)]
    assert not failed, [str(read.error) for read in failed]
    return reads


def assert_same_month(
    got: RealizationWorkbook,
    expected: RealizationWorkbook,
    last: RealizationWorkbook,
    *,
    realization: str,
    plan: str | None,
    fisik: bool = True,
    murni: bool = False,
) -> None:
    """``got`` holds ``expected``'s lines: its rows and names, the last month's budget, the month's
    realization in the column given, its plan to date and its physical progress, to the rupiah."""
    assert got.month == expected.month
    assert (got.year, got.opd_code, got.opd_name) == (expected.year, expected.opd_code, expected.opd_name)
    g, e = got.lines, expected.lines
    for name in ("kode", "level", "uraian", "sub_kegiatan_kode"):
        assert list(g[name]) == list(e[name]), name
    assert list(last.lines["kode"]) == list(g["kode"])  # the sample's months share their rows
    np.testing.assert_array_equal(g["anggaran_rp"], last.lines["anggaran_rp"])
    if murni:
        np.testing.assert_array_equal(g["anggaran_murni_rp"], last.lines["anggaran_murni_rp"])
    else:
        assert g["anggaran_murni_rp"].isna().all()
    given, derived = (
        ("realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp")
        if realization == "month"
        else ("realisasi_sd_bulan_ini_rp", "realisasi_bulan_ini_rp")
    )
    np.testing.assert_array_equal(g[given], e[given])
    assert g[derived].isna().all()
    if plan is None:
        assert g["anggaran_kas_sd_bulan_ini_rp"].isna().all()
    else:
        np.testing.assert_array_equal(g["anggaran_kas_sd_bulan_ini_rp"], e["anggaran_kas_sd_bulan_ini_rp"])
    if fisik:
        np.testing.assert_array_equal(g["fisik_pct"], e["fisik_pct"])
    else:
        assert g["fisik_pct"].isna().all()


@pytest.mark.parametrize(
    ("options", "parts"),
    [
        pytest.param({}, [name.upper() for name in BULAN], id="merged-month-realization-month-plan"),
        pytest.param(
            {
                "merged_headings": False,
                "realization": "to_date",
                "plan": "to_date",
                "budget_columns": ("ANGGARAN MURNI", "ANGGARAN PERUBAHAN"),
                "month_names": lambda month: SPELLINGS[month - 1],
            },
            list(SPELLINGS),
            id="repeated-to-date-short-names-two-budgets",
        ),
        pytest.param(
            {
                "plan": None,
                "fisik": False,
                "jumlah_column": False,
                "budget_columns": ("ANGGARAN MURNI", "ANGGARAN PAPBD"),
                "month_names": lambda month: f"{BULAN[month - 1]} 2022",
            },
            [f"{name} 2022" for name in BULAN],
            id="merged-no-plan-no-fisik-named-with-year",
        ),
        pytest.param(
            {"merged_headings": False, "plan": "month", "realization": "to_date"},
            [name.upper() for name in BULAN],
            id="repeated-month-plan-to-date-realization",
        ),
    ],
)
def test_months_read_back_as_the_monthly_files(monthly, tmp_path, options, parts) -> None:
    """Every month written reads back as its monthly file; the months after the last written do not."""
    given = monthly[:GIVEN]
    path = write_month_columns(given, tmp_path / "dkkb_2022.xlsx", **options)
    reads = months_of(read_realization_months(path))
    assert [read.month for read in reads] == list(range(1, GIVEN + 1))
    assert [read.part for read in reads] == parts[:GIVEN]
    assert {read.sheet for read in reads} == {SHEET}
    for got, expected in zip(reads, given, strict=True):
        assert_same_month(
            got,
            expected,
            given[-1],
            realization=options.get("realization", "month"),
            plan=options.get("plan", "month"),
            fisik=options.get("fisik", True),
            murni=len(options.get("budget_columns", ())) > 1,
        )


def test_plan_per_month_is_cumulated(monthly, tmp_path) -> None:
    """A per-month DKKB on the sheet is the month's share; read back it is the plan to date."""
    path = write_month_columns(monthly[:3], tmp_path / "dkkb.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book[SHEET]
    # the first sub kegiatan row: its March DKKB cell holds March's share only
    row = next(r for r in range(SUB_ROW + 1, ws.max_row + 1) if ws[f"B{r}"].value == "2.17.01.2.01.01")
    march_plan = ws.cell(row=row, column=4 + 2 * 3 + 1).value
    lines = [m.lines.set_index("kode").loc["2.17.01.2.01.01"] for m in monthly[:3]]
    assert march_plan == lines[2]["anggaran_kas_sd_bulan_ini_rp"] - lines[1]["anggaran_kas_sd_bulan_ini_rp"]
    march = months_of(read_realization_months(path))[2]
    assert (
        march.lines.set_index("kode").at["2.17.01.2.01.01", "anggaran_kas_sd_bulan_ini_rp"]
        == (lines[2]["anggaran_kas_sd_bulan_ini_rp"])
    )


def _edit(path: Path, change) -> Path:
    """``path`` changed by ``change(worksheet)`` and saved in place (openpyxl keeps merged ranges)."""
    book = openpyxl.load_workbook(path)
    change(book[SHEET])
    book.save(path)
    return path


def _cell(ws, code: str, month: int, offset: int) -> str:
    """Address of the cell ``offset`` (0 plan, 1 realization, 2 fisik) of ``month`` in ``code``'s row."""
    row = next(r for r in range(SUB_ROW + 1, ws.max_row + 1) if ws[f"B{r}"].value == code)
    return ws.cell(row=row, column=5 + (month - 1) * 3 + offset).coordinate


def test_bad_cell_refuses_its_month_only(monthly, tmp_path) -> None:
    """A text that is no amount in May's realization: May is refused at that cell, the others read."""
    path = write_month_columns(monthly[:GIVEN], tmp_path / "dkkb.xlsx")
    found = {}

    def typo(ws) -> None:
        found["cell"] = _cell(ws, "2.17.01.2.01.02", 5, 1)
        ws[found["cell"]] = "1.5OO.000"

    _edit(path, typo)
    reads = read_realization_months(path)
    assert [read.month for read in reads] == list(range(1, GIVEN + 1))
    (failed,) = [read for read in reads if isinstance(read, PartError)]
    assert (failed.part, failed.month) == ("MEI", 5)
    (issue,) = failed.error.issues
    assert (issue.rule, issue.sheet, issue.cell) == ("cell.not_number", SHEET, found["cell"])
    assert issue.params["value"] == "1.5OO.000"
    for got in reads:
        if isinstance(got, RealizationWorkbook):
            expected = monthly[got.month - 1]
            assert_same_month(got, expected, monthly[GIVEN - 1], realization="month", plan="month")


def test_read_file_stages_each_month_with_its_part(monthly, tmp_path) -> None:
    """Through ``read_file``: one staged realization file per month reported, each with its part."""
    path = write_month_columns(monthly[:4], tmp_path / "dkkb.xlsx", month_names=lambda m: BULAN[m - 1])

    def typo(ws) -> None:
        ws[_cell(ws, "2.17.01.2.01.03", 3, 1)] = "dua juta"

    staged = read_file(_edit(path, typo))
    assert [s.part for s in staged] == ["Januari", "Februari", "Maret", "April"]
    assert {s.kind for s in staged} == {"realization"}
    assert [bool(s.errors) for s in staged] == [False, False, True, False]
    assert staged[2].workbook is None
    assert [s.workbook.month for s in staged if s.workbook] == [1, 2, 4]
    assert staged[3].name == "dkkb.xlsx [April]"


def test_month_before_a_reported_one_is_a_month_with_nothing_spent(monthly, tmp_path) -> None:
    """January left empty while February is reported: January reads as zero realization."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def clear(ws) -> None:
        for r in range(SUB_ROW + 1, ws.max_row + 1):
            ws.cell(row=r, column=6).value = None

    reads = months_of(read_realization_months(_edit(path, clear)))
    assert [read.month for read in reads] == [1, 2]
    assert (reads[0].lines["realisasi_bulan_ini_rp"] == 0).all()
    np.testing.assert_array_equal(
        reads[1].lines["realisasi_bulan_ini_rp"], monthly[1].lines["realisasi_bulan_ini_rp"]
    )


def _refused(path: Path) -> list:
    """The issues of a file refused as a whole."""
    with pytest.raises(InputError) as caught:
        read_realization_months(path)
    return caught.value.issues


def test_month_heading_over_no_columns_refuses_the_file(monthly, tmp_path) -> None:
    """March's name with no sub-heading under it: the file is refused at March's heading cell."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def no_sub_headings(ws) -> None:
        for col in range(11, 14):  # March's DKKB, Realisasi, Fisik (K:M)
            ws.cell(row=SUB_ROW, column=col).value = None

    (issue,) = _refused(_edit(path, no_sub_headings))
    assert (issue.rule, issue.sheet, issue.cell) == ("month_columns.month_no_columns", SHEET, "K7")
    assert issue.params["month"] == "MARET"


def test_month_group_without_realization_refuses_the_file(monthly, tmp_path) -> None:
    """April's group with a plan and fisik but no realization column: refused at April's heading."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def no_realization(ws) -> None:
        ws.cell(row=SUB_ROW, column=15).value = None  # April's Realisasi (O8)

    (issue,) = _refused(_edit(path, no_realization))
    assert (issue.rule, issue.cell, issue.params["month"]) == ("month_columns.no_realization", "N7", "APRIL")


def test_same_month_twice_refuses_the_file(monthly, tmp_path) -> None:
    """February's heading reading ``Jan``: January twice, refused at the second heading."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def twice(ws) -> None:
        ws["H7"] = "Jan"

    (issue,) = _refused(_edit(path, twice))
    assert (issue.rule, issue.cell, issue.params["other"]) == ("month_columns.month_twice", "H7", "E7")


def test_sub_heading_not_told_refuses_the_file(monthly, tmp_path) -> None:
    """A sub-heading that is no plan, realization or fisik: refused at that cell, naming the month."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def unknown(ws) -> None:
        ws["I8"] = "Volume"

    (issue,) = _refused(_edit(path, unknown))
    assert (issue.rule, issue.cell) == ("month_columns.sub_heading_unknown", "I8")
    assert issue.params == {"value": "Volume", "month": "FEBRUARI"}
    assert "Volume" in issue.describe() and "FEBRUARI" in issue.describe()


def test_legacy_formats_read_the_same(monthly, tmp_path) -> None:
    """The .ods and .xls LibreOffice writes from the .xlsx read as the same months.

    LibreOffice keeps the merged headings in both; calamine reports them for the .xls but not for the
    .ods, where a month's name stands in the first of its columns over blank cells: read alike.
    """
    source = write_month_columns(
        monthly[:3], tmp_path / "dkkb.xlsx", budget_columns=("ANGGARAN MURNI", "PAGU")
    )
    (ods,) = convert([source], "ods", tmp_path)
    (xls,) = convert([source], "xls", tmp_path)
    with zipfile.ZipFile(ods) as archive:
        assert b'table:number-columns-spanned="3"' in archive.read("content.xml")
    assert open_book(ods).grid(SHEET).merged == []
    assert open_book(xls).grid(SHEET).merged
    expected = months_of(read_realization_months(source))
    assert expected[0].lines["anggaran_murni_rp"].notna().all()
    for legacy in (ods, xls):
        got = months_of(read_realization_months(legacy))
        assert [g.part for g in got] == ["JANUARI", "FEBRUARI", "MARET"]
        for g, e in zip(got, expected, strict=True):
            pd.testing.assert_frame_equal(g.lines, e.lines)


def test_monthly_workbook_is_not_taken_for_months_side_by_side(sample_2022, tmp_path) -> None:
    """A monthly workbook has no month row, and looking for one costs a small part of reading it
    (the quickest of several timings of each, so a busy machine does not decide)."""
    reads = []
    for copy in range(3):  # a new file each time: an opened workbook is kept
        path = shutil.copyfile(sample_2022.realization[4], tmp_path / f"realisasi_2022_05_{copy}.xlsx")
        start = time.perf_counter()
        (read,) = read_realization_months(path)
        reads.append(time.perf_counter() - start)
        assert read.part == "" and read.month == 5
    book = open_book(path)
    grid = book.grid(find_realization_sheet(book))
    assert find_month_row(grid) is None
    checks = []
    for _ in range(20):
        start = time.perf_counter()
        find_month_row(grid)
        checks.append(time.perf_counter() - start)
    assert min(checks) < min(reads) / 10


def _rfk_sheet() -> Sheet:
    """A Laporan RFK as an office keeps it: a three-row header (month dates merged over Keuangan and
    Fisik, each over Rencana and Realisasi), budgets before and after an efficiency cut, a row of
    column numbers, January to March reported, April empty, and a title naming March."""
    months = [dt.date(2023, month, 1) for month in range(1, 5)]
    top = ["NO", "KODE REKENING", "URAIAN", "ANGGARAN", None]
    middle = [None, None, None, "MURNI", "SETELAH EFISIENSI"]
    bottom = [None] * 5
    for month in months:
        top += [month, None, None, None]
        middle += ["Keuangan", None, "Fisik", None]
        bottom += ["Rencana", "Realisasi", "Rencana", "Realisasi"]
    top.append("JUMLAH")
    middle.append(None)
    bottom.append(None)
    numbers = list(range(1, len(top) + 1))

    def row(no, code, name, murni, budget, months_given):
        cells = [no, code, name, murni, budget]
        for plan, real, fisik in months_given:
            cells += [plan, real, None, fisik]
        cells += [None] * (4 * (4 - len(months_given)))
        return [*cells, None]

    sub_1 = [(100, 90, 10), (100, 110, 20), (100, None, 30)]
    sub_2 = [(50, 40, 5), (50, 60, 15), (50, 50, 25)]
    both = [(200, 130, None), (200, 170, None), (200, 50, None)]
    half = [(150, 130, None), (150, 170, None), (150, 50, None)]
    rows = [
        ["PEMERINTAH KOTA SEMARANG"],
        ["LAPORAN REALISASI FISIK DAN KEUANGAN S.D. BULAN MARET 2023"],
        ["SKPD : 2.17.0.00.0.00.01.0000 Dinas Koperasi dan Usaha Mikro"],
        ["Tahun Anggaran : 2023"],
        ["Bulan : Maret"],
        [],
        top,
        middle,
        bottom,
        numbers,
        row(1, "2.17.01", "PROGRAM PENUNJANG", 1500, 1300, both),
        row(2, "2.17.01.2.01", "Perencanaan", 1500, 1300, half),
        row(3, "2.17.01.2.01.01", "Penyusunan Dokumen", 1000, 800, sub_1),
        row(4, "2.17.01.2.01.02", "Evaluasi Kinerja", 500, 500, sub_2),
        row(None, "JUMLAH", None, 1500, 1300, both),
    ]
    merges = ["A7:A9", "B7:B9", "C7:C9", "D7:E7", "D8:D9", "E8:E9", f"{letter(6 + 16)}7:{letter(6 + 16)}9"]
    for index in range(4):
        first = 6 + 4 * index
        merges += [f"{letter(first)}7:{letter(first + 3)}7", f"{letter(first)}8:{letter(first + 1)}8"]
        merges.append(f"{letter(first + 2)}8:{letter(first + 3)}8")
    return Sheet("RFK", rows, merges)


def test_rfk_with_three_header_rows_and_month_dates(tmp_path) -> None:
    """The RFK's months read from their dates and sub-headings; the per-month plan cumulated, the
    budget after the cut in force, the one before it the original; the title's month ignored."""
    path = write_xlsx(tmp_path / "rfk_2023.xlsx", _rfk_sheet())
    reads = months_of(read_realization_months(path))
    assert [(read.part, read.month, read.year) for read in reads] == [
        ("Januari", 1, 2023),
        ("Februari", 2, 2023),
        ("Maret", 3, 2023),
    ]
    march = reads[2]
    assert march.opd_code == "2.17.0.00.0.00.01.0000" and march.sheet == "RFK"
    assert march.header_cells["month"] == "N7"
    assert march.columns["realisasi_bulan_ini_rp"] == "O" and march.columns["fisik_pct"] == "Q"
    lines = march.lines.set_index("kode")
    subs = ["2.17.01.2.01.01", "2.17.01.2.01.02"]
    assert list(march.lines["level"]) == ["program", "kegiatan", "sub_kegiatan", "sub_kegiatan", "total"]
    assert list(lines.loc[subs, "anggaran_rp"]) == [800, 500]
    assert list(lines.loc[subs, "anggaran_murni_rp"]) == [1000, 500]
    assert list(lines.loc[subs, "anggaran_kas_sd_bulan_ini_rp"]) == [300, 150]
    assert list(lines.loc[subs, "realisasi_bulan_ini_rp"]) == [0, 50]
    assert lines.loc[subs, "realisasi_sd_bulan_ini_rp"].isna().all()
    assert list(lines.loc[subs, "fisik_pct"]) == [30, 25]
    january = reads[0].lines.set_index("kode")
    assert list(january.loc[subs, "anggaran_kas_sd_bulan_ini_rp"]) == [100, 50]


def test_nothing_reported_refuses_the_file(tmp_path) -> None:
    """A sheet of month groups whose realization columns are all empty: refused, saying so."""
    sheet = _rfk_sheet()
    for line in sheet.rows[10:]:
        for index in range(4):
            line[6 + 4 * index] = None  # each month's Keuangan Realisasi (G, K, O, S)
    (issue,) = _refused(write_xlsx(tmp_path / "rfk_kosong.xlsx", sheet))
    assert (issue.rule, issue.row) == ("month_columns.nothing_reported", 11)


def test_months_load_as_the_monthly_files(monthly, sample_2022, tmp_path) -> None:
    """Validated and loaded, the months of one sheet (realization of the month: the load derives the
    to-date figure month after month) give the warehouse the facts the monthly files give."""
    facts = text(
        "SELECT b.code, p.month, f.anggaran_rp, f.anggaran_kas_sd_bulan_ini_rp, f.realisasi_bulan_ini_rp,"
        " f.realisasi_sd_bulan_ini_rp, f.fisik_pct FROM fact_realization f"
        " JOIN budget_item b ON b.id = f.budget_item_id JOIN period p ON p.id = f.period_id ORDER BY 1, 2"
    )

    def load(files: list[Path], name: str) -> list[tuple]:
        folder = tmp_path / name
        folder.mkdir()
        engine = open_warehouse(f"sqlite:///{folder / 'sakip.db'}")
        staged = [s for path in files for s in read_file(path)]
        checked, _ = validate_batch(staged, engine, folder / "gx")
        outcomes = load_workbooks(engine, checked)
        assert [o.status for o in outcomes] == ["loaded"] * 3, [s.issues for s in checked]
        with engine.connect() as conn:
            rows = [tuple(row) for row in conn.execute(facts)]
        engine.dispose()
        return rows

    sheet = write_month_columns(monthly[:3], tmp_path / "dkkb_2022.xlsx")
    expected = load(sample_2022.realization[:3], "monthly")
    assert len(expected) > 3 * 30
    assert load([sheet], "sheet") == expected


def test_bad_budget_cell_refuses_the_file(monthly, tmp_path) -> None:
    """A budget cell every month shares that is no amount: the whole file is refused at that cell."""
    path = write_month_columns(monthly[:2], tmp_path / "dkkb.xlsx")

    def typo(ws) -> None:
        ws["D12"] = "sejuta"

    (issue,) = _refused(_edit(path, typo))
    assert (issue.rule, issue.sheet, issue.cell) == ("cell.not_number", SHEET, "D12")
