"""Loading into the warehouse, on SQLite and on the local PostgreSQL: one transaction, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tasks.core.issues import InputError
from tasks.core.staging import StagedFile
from tasks.load.indicators import load_indicators
from tasks.load.realization import load_realization
from tasks.operations.intake import load_workbook
from tasks.report.inputs import indicator_rows
from tests.fixtures.staged import NAN, OPD, indicator_workbook, realization_lines, realization_workbook
from warehouse.models import (
    FactBudget,
    FactIndicatorRealization,
    FactIndicatorTarget,
    FactRealization,
    FactRealizationAccount,
    Indicator,
    LoadBatch,
    Period,
)

SUBS = {
    "2.17.01.2.01.01": (1000.0, 100.0, 100.0),
    "2.17.01.2.01.02": (500.0, 0.0, 0.0),
    "2.17.02.2.01.01": (2000.0, 250.5, 250.5),
}


def counts(engine) -> dict[str, int]:
    """Row counts of the tables a load touches."""
    with engine.connect() as conn:
        return {
            model.__tablename__: conn.scalar(select(func.count()).select_from(model))
            for model in (FactRealization, FactBudget, LoadBatch, Indicator, FactIndicatorTarget)
        }


def test_load_one_month(warehouse):
    result = load_realization(warehouse, realization_workbook(realization_lines(SUBS)))
    assert (result.status, result.rows) == ("loaded", 3)
    with warehouse.connect() as conn:
        total = conn.scalar(select(func.sum(FactRealization.realisasi_sd_bulan_ini_rp)))
        budget = conn.scalar(select(func.sum(FactBudget.anggaran_perubahan_rp)))
    assert total == pytest.approx(350.5)
    assert budget == 3500.0


def test_same_file_twice_changes_nothing(warehouse):
    workbook = realization_workbook(realization_lines(SUBS))
    load_realization(warehouse, workbook)
    before = counts(warehouse)
    again = load_realization(warehouse, workbook)
    assert again.status == "unchanged"
    assert counts(warehouse) == before


def test_new_version_of_a_month_replaces_it_whole(warehouse):
    load_realization(warehouse, realization_workbook(realization_lines(SUBS)))
    fixed = dict(SUBS, **{"2.17.01.2.01.02": (500.0, 40.0, 40.0)})
    load_realization(warehouse, realization_workbook(realization_lines(fixed)))
    with warehouse.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(FactRealization))
        total = conn.scalar(select(func.sum(FactRealization.realisasi_sd_bulan_ini_rp)))
        statuses = sorted(conn.scalars(select(LoadBatch.status)).all())
    assert rows == 3
    assert total == pytest.approx(390.5)
    assert statuses == ["loaded", "replaced"]


def test_month_realization_derived_from_previous_cumulative(warehouse):
    load_realization(warehouse, realization_workbook(realization_lines(SUBS), month=1))
    february = {code: (a, NAN, sd + 10.0) for code, (a, _, sd) in SUBS.items()}
    lines = realization_lines({code: (a, 0.0, sd) for code, (a, _, sd) in february.items()})
    lines["realisasi_bulan_ini_rp"] = NAN
    load_realization(warehouse, realization_workbook(lines, month=2))
    with warehouse.connect() as conn:
        months = conn.scalars(
            select(FactRealization.realisasi_bulan_ini_rp).where(FactRealization.period_id == 2)
        ).all()
    assert sorted(months) == [10.0, 10.0, 10.0]


def test_cumulative_only_file_without_previous_month_is_refused(warehouse):
    lines = realization_lines(SUBS)
    lines["realisasi_bulan_ini_rp"] = NAN
    before = counts(warehouse)
    with pytest.raises(InputError) as error:
        load_realization(warehouse, realization_workbook(lines, month=3))
    assert error.value.issues[0].rule == "period.previous_missing"
    assert counts(warehouse) == before


def test_failure_inside_the_transaction_leaves_no_trace(warehouse, monkeypatch):
    load_realization(warehouse, realization_workbook(realization_lines(SUBS), month=1))
    before = counts(warehouse)

    def crash(*_args, **_kwargs):
        raise RuntimeError("crash after the facts were inserted")

    monkeypatch.setattr("tasks.load.realization.refresh_budget", crash)
    corrected = realization_lines(dict(SUBS, **{"2.17.01.2.01.02": (500.0, 5.0, 5.0)}))
    with pytest.raises(RuntimeError):
        load_realization(warehouse, realization_workbook(corrected, month=1))
    assert counts(warehouse) == before
    with warehouse.connect() as conn:
        assert conn.scalar(select(func.sum(FactRealization.realisasi_sd_bulan_ini_rp))) == pytest.approx(
            350.5
        )


def test_rejected_file_records_a_batch_and_no_data(warehouse):
    from tasks.core.issues import InputIssue

    workbook = realization_workbook(realization_lines(SUBS))
    issue = InputIssue(
        file=workbook.path.name,
        sheet="Realisasi",
        row=12,
        column="G",
        rule="amount.realization_over_budget",
        params={"value": "2", "expected": "1"},
    )
    outcome = load_workbook(
        warehouse, StagedFile(path=workbook.path, kind="realization", workbook=workbook, issues=(issue,))
    )
    assert outcome.status == "rejected"
    with warehouse.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(FactRealization)) == 0
        batch = conn.execute(select(LoadBatch.status, LoadBatch.message)).one()
    assert batch.status == "rejected"
    assert "G12" in batch.message


def test_budget_murni_and_perubahan(warehouse):
    january = realization_lines(SUBS)
    load_realization(warehouse, realization_workbook(january, month=1))
    october_subs = dict(SUBS, **{"2.17.02.2.01.01": (2600.0, 0.0, 250.5)})
    october = realization_lines(october_subs)
    load_realization(warehouse, realization_workbook(october, month=10))
    with warehouse.connect() as conn:
        rows = conn.execute(
            select(FactBudget.anggaran_murni_rp, FactBudget.anggaran_perubahan_rp, FactBudget.as_of_month)
        ).all()
    assert sorted(rows) == [(500.0, 500.0, 10), (1000.0, 1000.0, 10), (2000.0, 2600.0, 10)]


def test_indicators_load_and_reload(warehouse):
    rows = [
        {
            "jenis": "sasaran",
            "no": "1",
            "uraian": "Sasaran satu",
            "indikator": "Persentase A",
            "target": 76.0,
            "realisasi": 76.64,
            "realisasi_tahun_lalu": 70.0,
        },
        {
            "jenis": "program",
            "no": "1",
            "indikator": "Jumlah B",
            "satuan": "unit",
            "target": 10.0,
            "tw1": 2.0,
            "tw2": 3.0,
            "tw3": 1.0,
            "tw4": 4.0,
        },
        {
            "jenis": "program",
            "no": "2",
            "indikator": "Persentase C",
            "target": 50.0,
            "tw1": 10.0,
            "tw2": 30.0,
            "tw3": 45.0,
        },
    ]
    load_indicators(warehouse, indicator_workbook(rows))
    with warehouse.connect() as conn:
        year_values = dict(
            conn.execute(
                select(Indicator.indikator, FactIndicatorRealization.realisasi)
                .join(FactIndicatorRealization, FactIndicatorRealization.indicator_id == Indicator.id)
                .where(FactIndicatorRealization.triwulan == 0, FactIndicatorRealization.tahun == 2022)
            ).all()
        )
    # counts add up over quarters; percentages take the last quarter reported
    assert year_values == {"Persentase A": 76.64, "Jumlah B": 10.0, "Persentase C": 45.0}
    before = counts(warehouse)
    rows[0]["realisasi"] = 77.0
    load_indicators(warehouse, indicator_workbook(rows))
    after = counts(warehouse)
    assert after["load_batch"] == before["load_batch"] + 1
    assert after["indicator"] == 2 * before["indicator"] == 6  # the first version is kept
    current = indicator_rows(warehouse, OPD, 2022)
    assert len(current) == 3
    assert current.loc[current["indikator"] == "Persentase A", "realisasi"].tolist() == [77.0]


def test_new_months_load_together_exactly_as_one_by_one(warehouse, tmp_path):
    from tasks.load.bulk import load_new_months
    from warehouse.db import open_warehouse

    months = [
        realization_workbook(realization_lines(SUBS), month=m, opd=f"2.17.0.00.0.00.{n:02d}.0000")
        for m in (1,)
        for n in range(1, 6)
    ]
    results, later = load_new_months(warehouse, months)
    assert later == [] and [r.status for r in results] == ["loaded"] * 5
    single = open_warehouse(f"sqlite:///{tmp_path / 'single.db'}")
    for workbook in months:
        load_realization(single, workbook)
    query = (
        "SELECT o.code, b.code, f.anggaran_rp, f.realisasi_sd_bulan_ini_rp, f.fisik_pct "
        "FROM fact_realization f JOIN opd o ON o.id = f.opd_id "
        "JOIN budget_item b ON b.id = f.budget_item_id ORDER BY 1, 2"
    )
    budget = (
        "SELECT o.code, b.code, anggaran_murni_rp, anggaran_perubahan_rp, as_of_month FROM fact_budget f "
        "JOIN opd o ON o.id = f.opd_id JOIN budget_item b ON b.id = f.budget_item_id ORDER BY 1, 2"
    )
    for sql in (query, budget):
        with warehouse.connect() as a, single.connect() as b:
            assert a.execute(text(sql)).all() == b.execute(text(sql)).all()
    again, later = load_new_months(warehouse, months)
    assert again == [] and len(later) == 5  # already loaded: left to the one-by-one path (unchanged)


def test_a_failing_bulk_load_leaves_nothing_and_files_load_one_by_one(warehouse, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from tasks.load.bulk import load_new_months
    from tasks.operations.intake import load_workbooks

    months = [
        StagedFile(
            path=Path(f"r{n}.xlsx"),
            kind="realization",
            workbook=realization_workbook(
                realization_lines(SUBS), month=2, name=f"r{n}.xlsx", opd=f"2.17.0.00.0.00.{n:02d}.0000"
            ),
        )
        for n in range(1, 4)
    ]

    def crash(*_args, **_kwargs):
        raise RuntimeError("crash inside the bulk transaction")

    monkeypatch.setattr("tasks.load.bulk.refresh_budgets", crash)
    with pytest.raises(RuntimeError):
        load_new_months(warehouse, [m.workbook for m in months])
    assert counts(warehouse)["fact_realization"] == 0 and counts(warehouse)["load_batch"] == 0
    monkeypatch.undo()

    def refuse(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr("tasks.operations.intake.load_new_months", refuse)
    outcomes = load_workbooks(warehouse, months)
    assert [o.status for o in outcomes] == ["loaded"] * 3
    assert counts(warehouse)["fact_realization"] == 9


def test_bulk_load_of_the_sample_months_writes_what_one_by_one_loads_write(warehouse, sample_2022, tmp_path):
    """Account rows, budgets and batches of the bulk path equal the one-file-per-transaction path."""
    from tasks.extract.reading import read_workbook
    from tasks.load.bulk import load_new_months
    from tests.fixtures.warehouse_tables import TABLES
    from warehouse.db import open_warehouse

    workbooks = [read_workbook(path).workbook for path in sample_2022.realization[:3]]
    assert any((wb.lines["level"] == "rekening").any() for wb in workbooks)
    results, later = load_new_months(warehouse, workbooks, loaded_by="uji")
    assert later == [] and [r.status for r in results] == ["loaded"] * 3
    single = open_warehouse(f"sqlite:///{tmp_path / 'single.db'}")
    for workbook in workbooks:
        load_realization(single, workbook, loaded_by="uji")
    for name, sql in TABLES.items():
        with warehouse.connect() as a, single.connect() as b:
            bulk, one_by_one = a.execute(text(sql)).all(), b.execute(text(sql)).all()
        assert bulk == one_by_one, name
        assert bulk, name


def test_budget_murni_is_the_latest_original_budget_column_given(warehouse):
    """Murni: the Anggaran Murni column of the latest month that has one, else the earliest budget."""
    january = realization_lines(SUBS)
    load_realization(warehouse, realization_workbook(january, month=1))
    amended = dict(SUBS, **{"2.17.02.2.01.01": (2600.0, 0.0, 250.5)})
    september = realization_lines(amended)
    september.loc[september["kode"] == "2.17.02.2.01.01", "anggaran_murni_rp"] = 1900.0
    load_realization(warehouse, realization_workbook(september, month=9))
    load_realization(warehouse, realization_workbook(realization_lines(amended), month=10))
    with warehouse.connect() as conn:
        rows = conn.execute(
            select(FactBudget.anggaran_murni_rp, FactBudget.anggaran_perubahan_rp, FactBudget.as_of_month)
        ).all()
    assert sorted(rows) == [(500.0, 500.0, 10), (1000.0, 1000.0, 10), (1900.0, 2600.0, 10)]


@pytest.mark.parametrize("per_query", [5000, 2])
def test_inserting_codes_another_writer_inserted_meanwhile_keeps_both(warehouse, monkeypatch, per_query):
    """Many rows at once (unnest on PostgreSQL), skipping the ones already there; ids asked by value
    or, for more codes than one query takes, by reading the code table."""
    monkeypatch.setattr("tasks.load.writes.PER_QUERY", per_query)
    from tasks.load.writes import _ids_by_code, _insert_ignoring_existing
    from warehouse.models import BudgetItem

    def item(code: str) -> dict[str, object]:
        return {"code": code, "level": "program", "name": f"Program {code}", "parent_code": "2.17"}

    with warehouse.begin() as conn:
        _insert_ignoring_existing(conn, BudgetItem, [item("2.17.01"), item("2.17.02")], ["code"])
        _insert_ignoring_existing(
            conn, BudgetItem, [item("2.17.02"), item("2.17.03"), item("2.17.04")], ["code"]
        )
        known = _ids_by_code(conn, BudgetItem, ["2.17.01", "2.17.02", "2.17.03", "2.17.04", "2.17.09"])
        names = conn.execute(select(BudgetItem.name).order_by(BudgetItem.code)).scalars().all()
    assert sorted(known) == ["2.17.01", "2.17.02", "2.17.03", "2.17.04"]
    assert names == ["Program 2.17.01", "Program 2.17.02", "Program 2.17.03", "Program 2.17.04"]


def test_the_latest_government_line_is_kept_per_opd(warehouse):
    """Each load with a government's line replaces the OPD's; a file without one changes nothing."""
    from dataclasses import replace

    from tasks.load.bulk import load_new_months
    from warehouse.queries import opd_headings

    lines = realization_lines(SUBS)
    load_realization(warehouse, realization_workbook(lines, month=1))
    assert opd_headings(warehouse, [OPD])[OPD][1] == ""
    load_realization(warehouse, replace(realization_workbook(lines, month=2), government="PEMERINTAH KOTA A"))
    load_indicators(
        warehouse, indicator_workbook([{"jenis": "tujuan", "no": "1", "indikator": "X", "target": 1.0}])
    )
    assert opd_headings(warehouse, [OPD])[OPD][1] == "PEMERINTAH KOTA A"
    load_realization(warehouse, replace(realization_workbook(lines, month=3), government="PEMERINTAH KOTA B"))
    assert opd_headings(warehouse, [OPD])[OPD][1] == "PEMERINTAH KOTA B"
    # several months at once: the latest month's line, whatever the order of the files
    months = [
        replace(realization_workbook(lines, month=m), government=line)
        for m, line in ((5, "PEMERINTAH KOTA E"), (4, "PEMERINTAH KOTA D"), (6, ""))
    ]
    results, _later = load_new_months(warehouse, months)
    assert [r.status for r in results] == ["loaded"] * 3
    assert opd_headings(warehouse, [OPD])[OPD][1] == "PEMERINTAH KOTA E"


def _accounts(engine, month: int) -> list[tuple]:
    """The month's expenditure-account rows: item, account, realization this month and to date."""
    query = (
        select(
            FactRealizationAccount.budget_item_id,
            FactRealizationAccount.kode_rekening,
            FactRealizationAccount.realisasi_bulan_ini_rp,
            FactRealizationAccount.realisasi_sd_bulan_ini_rp,
        )
        .join(Period, Period.id == FactRealizationAccount.period_id)
        .where(Period.month == month)
        .order_by(FactRealizationAccount.budget_item_id, FactRealizationAccount.kode_rekening)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


@pytest.mark.parametrize("given", ["realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"])
def test_account_rows_of_a_month_giving_one_realization_column_are_derived_from_the_month_before(
    given, sample_2022, tmp_path
):
    """A month giving only one realization column has its accounts' other column derived from their
    rows of the month before, as its sub kegiatan rows are: the same rows as the file giving both."""
    from tasks.extract.reading import read_workbook
    from warehouse.db import open_warehouse

    february, march = (read_workbook(p).workbook for p in sample_2022.realization[1:3])
    assert (march.lines["level"] == "rekening").any()  # the sample has account rows to derive
    both = open_warehouse(f"sqlite:///{tmp_path / 'both.db'}")
    one = open_warehouse(f"sqlite:///{tmp_path / 'one.db'}")
    for engine in (both, one):
        load_realization(engine, february)
    load_realization(both, march)
    other = "realisasi_sd_bulan_ini_rp" if given == "realisasi_bulan_ini_rp" else "realisasi_bulan_ini_rp"
    march.lines[other] = NAN
    load_realization(one, march)
    assert _accounts(one, 3) == _accounts(both, 3)
    assert any(row[3] for row in _accounts(one, 3))  # realization to date is not lost as zero
