"""The anggaran kas plan in the warehouse: loaded per OPD-year, replaced by its next version, and
used by the monitoring's deviasi for a realization month whose workbook had no RAK column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from sakip.layouts.cash_plan import write_cash_plan
from tasks.core.scales import ReportScales
from tasks.extract.cash_plan import read_cash_plan
from tasks.extract.limits import WorkbookLimits
from tasks.extract.reading import read_file
from tasks.extract.realization import read_realization
from tasks.load.cash_plan import load_cash_plan
from tasks.load.realization import load_realization
from tasks.operations.intake import load_workbooks, quarantine_rejected, validate_batch
from tasks.operations.monitoring import monitoring_table
from tests.extract.test_cash_plan import SUB_01, SUB_02, plan_body, plan_sheet
from tests.fixtures.workbooks import REALIZATION_BODY, REALIZATION_HEADER, Sheet, header_block, write_xlsx
from warehouse.db import open_warehouse
from warehouse.models import FactCashPlan, LoadBatch
from warehouse.queries import cash_plan_to_date

OPD = "2.17.0.00.0.00.01.0000"
SUB_01_CODE = "2.17.01.2.01.01"
SUB_02_CODE = "2.17.01.2.01.02"
#: The plan to the end of March of each row of the realization table (REALIZATION_BODY's rows), as
#: the plan of tests.extract.test_cash_plan gives it.
RAK_MARCH = [450_000, 450_000, 450_000, 300_000, 300_000, 150_000, None, 450_000]
#: The measures of the monitoring that depend on the plan.
PLAN_MEASURES = [
    "kode",
    "level",
    "anggaran_kas_sd_bulan_ini",
    "rak_pct",
    "deviasi_poin",
    "deviasi_relatif_pct",
]


def realization_file(tmp_path: Path, *, with_rak: bool) -> Path:
    """March of the small realization table, with its ``Anggaran Kas s.d. Bulan Ini`` column or without."""
    header = [*REALIZATION_HEADER, "Anggaran Kas s.d. Bulan Ini"] if with_rak else list(REALIZATION_HEADER)
    body = [[*row, rak] for row, rak in zip(REALIZATION_BODY, RAK_MARCH, strict=True)] if with_rak else None
    rows = [*header_block(), header, *(body or [list(row) for row in REALIZATION_BODY])]
    name = "realisasi_maret_rak.xlsx" if with_rak else "realisasi_maret.xlsx"
    return write_xlsx(tmp_path / name, Sheet("Realisasi", rows))


def plan_file(tmp_path: Path, name: str = "rak_2022.xlsx", body=None) -> Path:
    """The anggaran kas workbook of the small table (merged ``ANGGARAN KAS`` heading)."""
    return write_xlsx(tmp_path / name, plan_sheet(body=body))


def moved_plan_body():
    """The plan with sub kegiatan 01's April moved to January (and its parents with it)."""
    body = plan_body()
    for row in body[:4] + body[5:]:
        row[3] += 100_000
        row[6] -= 100_000
    return body


def plan_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(FactCashPlan)).scalar_one()


def batches(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(LoadBatch.file_name, LoadBatch.kind, LoadBatch.status).order_by(LoadBatch.id)
        ).all()
    return [tuple(row) for row in rows]


def test_a_plan_loads_once_and_a_new_version_replaces_it(warehouse: Engine, tmp_path: Path):
    path = plan_file(tmp_path)
    first = read_cash_plan(path)
    loaded = load_cash_plan(warehouse, first, "steward")
    assert (loaded.kind, loaded.status, loaded.rows) == ("anggaran_kas", "loaded", 2)
    assert plan_rows(warehouse) == 24  # two sub kegiatan, twelve months
    to_april = cash_plan_to_date(warehouse, OPD, 2022, 4)
    assert to_april.to_dict() == {SUB_01_CODE: sum(SUB_01[:4]), SUB_02_CODE: sum(SUB_02[:4])}

    again = load_cash_plan(warehouse, read_cash_plan(path), "steward")
    assert (again.status, again.batch_id) == ("unchanged", loaded.batch_id)

    second = read_cash_plan(plan_file(tmp_path, "rak_2022_perubahan.xlsx", moved_plan_body()))
    replaced = load_cash_plan(warehouse, second, "steward")
    assert replaced.status == "loaded" and replaced.batch_id != loaded.batch_id
    assert plan_rows(warehouse) == 24
    assert cash_plan_to_date(warehouse, OPD, 2022, 1)[SUB_01_CODE] == 200_000
    assert cash_plan_to_date(warehouse, OPD, 2022, 4)[SUB_01_CODE] == 400_000
    assert batches(warehouse) == [
        ("rak_2022.xlsx", "anggaran_kas", "replaced"),
        ("rak_2022_perubahan.xlsx", "anggaran_kas", "loaded"),
    ]
    assert cash_plan_to_date(warehouse, OPD, 2023, 4).empty


@pytest.mark.parametrize("plan_first", [True, False], ids=["plan-first", "plan-after"])
def test_deviasi_without_a_rak_column_equals_deviasi_with_it_once_the_plan_is_loaded(
    warehouse: Engine, tmp_path: Path, plan_first: bool
):
    reference = open_warehouse(f"sqlite:///{tmp_path / 'reference.db'}")
    try:
        load_realization(reference, read_realization(realization_file(tmp_path, with_rak=True)))
        expected = monitoring_table(reference, OPD, 2022, 3, ReportScales())[PLAN_MEASURES]
    finally:
        reference.dispose()
    assert expected["anggaran_kas_sd_bulan_ini"].notna().all()

    plan = read_cash_plan(plan_file(tmp_path))
    march = read_realization(realization_file(tmp_path, with_rak=False))
    assert march.lines["anggaran_kas_sd_bulan_ini_rp"].isna().all()
    if plan_first:
        load_cash_plan(warehouse, plan)
    load_realization(warehouse, march)
    if not plan_first:
        without = monitoring_table(warehouse, OPD, 2022, 3, ReportScales())[PLAN_MEASURES]
        assert not without["rak_pct"].equals(expected["rak_pct"])  # no plan yet: no RAK %
        load_cash_plan(warehouse, plan)
    found = monitoring_table(warehouse, OPD, 2022, 3, ReportScales())[PLAN_MEASURES]
    pd.testing.assert_frame_equal(found, expected, check_dtype=False)


def test_a_month_with_its_own_rak_column_keeps_it(warehouse: Engine, tmp_path: Path):
    load_cash_plan(warehouse, read_cash_plan(plan_file(tmp_path, "rak.xlsx", moved_plan_body())))
    load_realization(warehouse, read_realization(realization_file(tmp_path, with_rak=True)))
    table = monitoring_table(warehouse, OPD, 2022, 3, ReportScales()).set_index("kode")
    # the file's 300.000, not the moved plan's 400.000 to the end of March
    assert table.loc[SUB_01_CODE, "anggaran_kas_sd_bulan_ini"] == 300_000
    assert cash_plan_to_date(warehouse, OPD, 2022, 3)[SUB_01_CODE] == 400_000


def _intake(engine: Engine, paths: list[Path], workdir: Path):
    staged = [s for path in paths for s in read_file(path)]
    checked, runs = validate_batch(staged, engine, workdir)
    return checked, runs, load_workbooks(engine, checked, "steward")


def test_a_plan_through_the_intake_is_refused_whole_or_loaded(warehouse: Engine, tmp_path: Path):
    bad_body = plan_body()
    bad_body[5][5] = 1  # the JUMLAH row's March
    bad = plan_file(tmp_path, "rak_salah.xlsx", bad_body)
    _, runs, (outcome,) = _intake(warehouse, [bad], tmp_path / "work")
    assert [(run.suite, run.success) for run in runs] == [("anggaran_kas", False)]
    assert (outcome.kind, outcome.status) == ("anggaran_kas", "rejected")
    assert [(i.rule, i.sheet, i.cell) for i in outcome.issues] == [("amount.subtotal_mismatch", "RAK", "F12")]
    assert plan_rows(warehouse) == 0
    assert batches(warehouse) == [("rak_salah.xlsx", "anggaran_kas", "rejected")]
    placed = quarantine_rejected(outcome, tmp_path / "quarantine", WorkbookLimits())
    assert placed.quarantined.parent == tmp_path / "quarantine" / "2022" / "tahunan"
    assert placed.annotated.is_file()
    assert bad.is_file()  # the sender's file stays where it is

    good = plan_file(tmp_path, "rak.xlsx")
    _, _, outcomes = _intake(warehouse, [good, realization_file(tmp_path, with_rak=False)], tmp_path / "work")
    assert [(o.kind, o.status, o.year) for o in outcomes] == [
        ("anggaran_kas", "loaded", 2022),
        ("realization", "loaded", 2022),
    ]
    assert plan_rows(warehouse) == 24
    table = monitoring_table(warehouse, OPD, 2022, 3, ReportScales()).set_index("kode")
    assert table.loc[SUB_01_CODE, "anggaran_kas_sd_bulan_ini"] == 300_000


def test_two_plans_of_one_opd_year_in_a_batch_refuse_the_second(warehouse: Engine, tmp_path: Path):
    first, second = plan_file(tmp_path, "rak_a.xlsx"), plan_file(tmp_path, "rak_b.xlsx", moved_plan_body())
    _, _, outcomes = _intake(warehouse, [first, second], tmp_path / "work")
    assert [o.status for o in outcomes] == ["loaded", "rejected"]
    (issue,) = outcomes[1].issues
    assert (issue.rule, issue.cell) == ("cash_plan.duplicate_year", "A3")
    assert "rak_a.xlsx" in issue.message() and "2022" in issue.message()


def test_the_sample_s_plan_written_as_an_anggaran_kas_workbook_gives_back_its_rak(
    warehouse: Engine, tmp_path: Path, sample_2022
):
    months = [read_realization(path) for path in sample_2022.realization]
    path = write_cash_plan(months, tmp_path / "rak_2022.xlsx", merged_heading=False)
    _, runs, (outcome,) = _intake(warehouse, [path], tmp_path / "work")
    assert outcome.status == "loaded", outcome.issues
    assert runs[0].success
    opd_code = months[0].opd_code
    for wb in months:
        subs = wb.lines[wb.lines["level"] == "sub_kegiatan"].set_index("kode")["anggaran_kas_sd_bulan_ini_rp"]
        planned = cash_plan_to_date(warehouse, opd_code, 2022, wb.month)
        pd.testing.assert_series_equal(
            planned.sort_index(),
            subs.sort_index().astype("float64"),
            check_names=False,
            check_index_type=False,
        )
