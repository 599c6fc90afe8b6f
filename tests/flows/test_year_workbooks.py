"""A year kept in one workbook, in each layout an office keeps it, gives the warehouse and the LKjIP
tables that the same months give as twelve monthly files, to the rupiah.

The 2022 sample's monthly workbooks are read, written again as a year workbook (a sheet per month, the
months side by side, in .xlsx and, through LibreOffice, .xls and .ods), and both are taken in by the
steps of the ingest flow (read, Great Expectations validation, load) into warehouses of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from sakip.layouts.month_columns import write_month_columns
from sakip.layouts.month_sheets import write_month_sheets
from tasks.core.scales import ReportScales
from tasks.extract.limits import WorkbookLimits
from tasks.extract.reading import read_file, read_workbooks
from tasks.operations.intake import (
    FileOutcome,
    load_workbooks,
    quarantine_rejected_files,
    validate_batch,
)
from tasks.report.build import build_tables
from tasks.report.writer import write_report
from tasks.settings import Settings
from tests.fixtures.libreoffice import convert
from warehouse.db import open_warehouse
from warehouse.models import BudgetItem, FactRealization, LoadBatch, Opd, Period

OPD = "2.17.0.00.0.00.01.0000"
LAYOUTS: dict[str, Callable[..., Path]] = {
    "sheets": write_month_sheets,
    # a sheet of months side by side carries one budget per row: the original (murni) and the one in
    # force, as an office's RFK sheet does, and the funding source beside the name
    "columns": partial(
        write_month_columns,
        budget_columns=("ANGGARAN MURNI", "ANGGARAN PERUBAHAN"),
        sumber_dana=True,
        realization="to_date",
    ),
}


def ingest(paths: list[Path], workdir: Path, engine: Engine, **options) -> list[FileOutcome]:
    """The ingest flow's steps on ``paths``: read, validate (GX), load; the outcomes."""
    staged = read_workbooks(paths)
    checked, _ = validate_batch(staged, engine, workdir, **options)
    return load_workbooks(engine, checked, "test")


def facts(engine: Engine) -> pd.DataFrame:
    """Every sub kegiatan fact of the warehouse with its OPD, month and code, sorted."""
    query = (
        select(
            Opd.code.label("opd"),
            Period.month,
            BudgetItem.code.label("kode"),
            FactRealization.anggaran_rp,
            FactRealization.anggaran_murni_rp,
            FactRealization.anggaran_kas_sd_bulan_ini_rp,
            FactRealization.realisasi_bulan_ini_rp,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.fisik_pct,
        )
        .join(Opd, Opd.id == FactRealization.opd_id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
    )
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return frame.sort_values(["opd", "month", "kode"]).reset_index(drop=True)


def report_csv(engine: Engine, out: Path) -> dict[str, str]:
    """The LKjIP CSV tables of the sample's OPD for 2022: file name -> text."""
    tables = build_tables(
        engine, OPD, 2022, ReportScales().capaian_scale, Settings().efficiency_threshold_pct
    )
    written = write_report(tables, out, opd_name="Dinas", year=2022, formats=("csv",))
    return {path.name: path.read_text(encoding="utf-8") for path in written if path.suffix == ".csv"}


def months_of(sample) -> list:
    """The sample's twelve monthly workbooks, read."""
    return [staged.workbook for staged in read_workbooks(sample.realization)]


@pytest.fixture(scope="module")
def monthly(sample_2022, tmp_path_factory) -> dict[str, object]:
    """The twelve monthly files (and the indicators) taken in: facts and report tables."""
    work = tmp_path_factory.mktemp("monthly")
    engine = open_warehouse(f"sqlite:///{work / 'sakip.db'}")
    outcomes = ingest([*sample_2022.realization, sample_2022.indicators], work, engine)
    assert [o.status for o in outcomes] == ["loaded"] * 13
    return {"facts": facts(engine), "report": report_csv(engine, work / "report")}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_year_workbook_gives_the_warehouse_and_report_of_twelve_monthly_files(
    layout, monthly, sample_2022, tmp_path
):
    year_book = LAYOUTS[layout](months_of(sample_2022), tmp_path / f"realisasi_2022_{layout}.xlsx")
    engine = open_warehouse(f"sqlite:///{tmp_path / 'sakip.db'}")
    outcomes = ingest([year_book, sample_2022.indicators], tmp_path, engine)
    assert [o.status for o in outcomes] == ["loaded"] * 13
    assert [o.month for o in outcomes[:12]] == list(range(1, 13))
    assert all(o.part for o in outcomes[:12])  # each month named by its sheet or heading
    got, want = facts(engine), monthly["facts"]
    if layout == "columns":
        # one budget per row: every month is measured against the budget in force at the year's end
        # (the sample's budget changed in September), the rest of each month is the monthly file's
        final = want[want["month"] == 12].set_index("kode")["anggaran_rp"]
        assert (got["anggaran_rp"].to_numpy() == got["kode"].map(final).to_numpy()).all()
        assert (got["anggaran_rp"] != want["anggaran_rp"]).any()  # the months before the amendment
        got, want = got.drop(columns="anggaran_rp"), want.drop(columns="anggaran_rp")
    pd.testing.assert_frame_equal(got, want)
    assert report_csv(engine, tmp_path / "report") == monthly["report"]


@pytest.mark.parametrize("form", ["xls", "ods"])
def test_a_year_workbook_saved_by_libreoffice_reads_the_same(form, sample_2022, tmp_path):
    months = months_of(sample_2022)[:4]
    xlsx = write_month_sheets(months, tmp_path / "realisasi_2022.xlsx")
    (converted,) = convert([xlsx], form, xlsx.parent / form)
    expected = [s.workbook.lines for s in read_file(xlsx)]
    got = read_file(converted)
    assert [s.part for s in got] == [s.part for s in read_file(xlsx)]
    assert not any(s.errors for s in got)
    for lines, staged in zip(expected, got, strict=True):
        pd.testing.assert_frame_equal(staged.workbook.lines, lines)


def test_a_year_workbook_sent_again_with_a_month_more_loads_only_the_new_month(sample_2022, tmp_path):
    months = months_of(sample_2022)
    engine = open_warehouse(f"sqlite:///{tmp_path / 'sakip.db'}")
    (tmp_path / "first").mkdir()
    (tmp_path / "again").mkdir()
    first = write_month_sheets(months[:3], tmp_path / "first" / "realisasi_2022.xlsx")
    assert [o.status for o in ingest([first], tmp_path, engine)] == ["loaded"] * 3
    again = write_month_sheets(months[:4], tmp_path / "again" / "realisasi_2022.xlsx")
    assert [o.status for o in ingest([again], tmp_path, engine)] == ["unchanged"] * 3 + ["loaded"]
    with engine.connect() as conn:
        current = conn.execute(
            select(LoadBatch.month, LoadBatch.file_name).where(LoadBatch.status == "loaded")
        ).all()
    assert sorted(current) == [
        (m, f"realisasi_2022.xlsx [{s.part}]") for m, s in enumerate(read_file(again), 1)
    ]


def test_a_bad_month_is_refused_at_its_cell_and_the_other_months_load(sample_2022, tmp_path):
    import openpyxl

    months = months_of(sample_2022)[:4]
    path = write_month_sheets(months, tmp_path / "realisasi_2022.xlsx")
    staged = read_file(path)
    march = staged[2]
    book = openpyxl.load_workbook(path)
    sheet = book[march.part]
    row = int(months[2].lines["row"].iloc[3])  # a row of March's table
    column = next(c.column_letter for c in sheet[row] if isinstance(c.value, int | float) and c.value > 0)
    sheet[f"{column}{row}"] = "satu juta"
    book.save(path)
    engine = open_warehouse(f"sqlite:///{tmp_path / 'sakip.db'}")
    outcomes = ingest([path], tmp_path, engine)
    statuses = [o.status for o in outcomes]
    # March refused at its cell; April, whose realization to date stands without March, still loads
    # (the file gives both realization columns)
    assert statuses == ["loaded", "loaded", "rejected", "loaded"]
    (issue,) = [i for i in outcomes[2].issues if i.severity == "error"]
    assert (issue.sheet, issue.cell, issue.rule) == (
        march.part,
        f"{column}{row}",
        "cell.not_number",
    )
    handed = quarantine_rejected_files(outcomes, tmp_path / "quarantine", WorkbookLimits())
    assert handed[2].annotated is not None and handed[2].annotated.exists()
    assert path.exists()  # the sender's file stays where it is


def test_a_year_workbook_of_months_in_funding_source_sections_keeps_each_months_sources(
    sample_2022, tmp_path
):
    """A sheet per month, each month's table in funding-source blocks (a sub kegiatan split 60/40):
    every month reads as its sectioned monthly file does, its source rows included."""
    import openpyxl

    from sakip.layouts.sources import write_funding_sections

    months = months_of(sample_2022)[:3]
    subs = months[0].lines[months[0].lines["level"] == "sub_kegiatan"]
    split = {str(subs["kode"].iloc[1]): [("PAD", 0.6), ("DAU", 0.4)]}
    year_book = openpyxl.Workbook()
    year_book.remove(year_book.active)
    monthly = []
    for wb, name in zip(months, ("JAN", "FEB", "MAR"), strict=True):
        path = write_funding_sections(wb, tmp_path / f"{name}.xlsx", split=split)
        monthly.append(read_file(path))
        sheet = openpyxl.load_workbook(path).worksheets[0]
        copy = year_book.create_sheet(name)
        for row in sheet.iter_rows():
            for cell in row:
                copy.cell(cell.row, cell.column, cell.value)
        for merged in sheet.merged_cells.ranges:
            copy.merge_cells(str(merged))
    year_book.save(tmp_path / "realisasi_2022.xlsx")
    staged = read_file(tmp_path / "realisasi_2022.xlsx")
    assert [s.part for s in staged] == ["JAN", "FEB", "MAR"]
    for (alone,), month in zip(monthly, staged, strict=True):
        assert not month.errors and not alone.errors
        pd.testing.assert_frame_equal(month.workbook.lines, alone.workbook.lines)
        pd.testing.assert_frame_equal(month.workbook.sources, alone.workbook.sources)
        own = month.workbook.sources
        assert sorted(own.loc[own["sub_kegiatan_kode"] == subs["kode"].iloc[1], "sumber_dana"]) == [
            "DAU",
            "PAD",
        ]
