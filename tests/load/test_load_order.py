"""Loading is right whatever the order of the files, the months and the number of parallel shares.

Each batch goes through the plain functions the monthly flow calls (validate, split into shares, load
the shares side by side in threads), on SQLite and on the local PostgreSQL, with months of the agency
of ``tests/agency_year.py``: the warehouse must hold exactly the figures the test computed.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DataError

from tasks.operations.intake import load_workbooks, split_by_opd, validate_batch
from tasks.settings import load_settings
from tests.fixtures.agency_year import (
    BUDGET,
    SHAPES,
    YEAR,
    figures,
    month_file,
    preload,
    rules,
    spent,
    to_date,
)
from tests.fixtures.staged import ingest_batch, staged
from warehouse.db import open_warehouse
from warehouse.models import FactBudget, LoadBatch, Opd


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """Settings of a work folder whose GX project every test of the module shares."""
    return load_settings(str(tmp_path_factory.mktemp("work")))


#: what no second database adds to: on the production one
ON_POSTGRESQL = pytest.mark.parametrize(
    "warehouse", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture(scope="module")
def checked_year(settings, tmp_path_factory):
    """Six months' files, validated once (against an empty warehouse), in a shuffled order."""
    files = [staged(month_file(month, shape)) for month, shape in SHAPES.items()]
    random.Random(3).shuffle(files)
    empty = open_warehouse(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'sakip.db'}")
    checked, _ = validate_batch(files, empty, settings.workdir, **settings.validation_options())
    assert [f.issues for f in checked] == [()] * len(SHAPES)
    return checked


# --------------------------------------------------------------------------------------------------
# a year in any order, in any number of shares


@pytest.mark.parametrize(("workers", "seed"), [(2, 1), (8, 2)])
def test_a_year_with_single_column_months_loads_whole_in_any_order(warehouse, checked_year, workers, seed):
    """Months 3-6 give one realization column each; their previous month is in the same batch."""
    files = list(checked_year)
    random.Random(seed).shuffle(files)
    shares = split_by_opd(files, workers)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = [o for share in pool.map(lambda s: load_workbooks(warehouse, s), shares) for o in share]
    assert [(o.month, o.status, rules(o)) for o in outcomes if o.status != "loaded"] == []
    expected = {(m, code): (spent(code, m), to_date(code, m)) for m in SHAPES for code in BUDGET}
    assert figures(warehouse) == expected
    with warehouse.connect() as conn:
        budget = conn.execute(select(FactBudget.anggaran_perubahan_rp, FactBudget.as_of_month)).all()
    assert sorted(budget) == sorted((amount, 6) for amount in BUDGET.values())


@ON_POSTGRESQL
def test_months_arriving_newest_first_across_runs_load_whole(warehouse, settings):
    """Months 4-6 in one run (month 4 with no month 3 yet; 5 and 6 one column each), 3 in the next."""
    shapes = {3: "both", 4: "both", 5: "to_date", 6: "month"}
    preload(warehouse, (1, 2))
    later = ingest_batch(
        warehouse, [staged(month_file(m, shapes[m])) for m in (6, 5, 4)], settings, workers=8
    )
    assert {o.status for o in later} == {"loaded"}
    (earlier,) = ingest_batch(warehouse, [staged(month_file(3))], settings, workers=8)
    assert earlier.status == "loaded", rules(earlier)
    expected = {(m, code): (spent(code, m), to_date(code, m)) for m in SHAPES for code in BUDGET}
    assert figures(warehouse) == expected


def test_an_agency_goes_to_one_share_and_the_shares_stay_even():
    agencies = [f"2.17.0.00.0.00.{n:02d}.0000" for n in range(1, 8)]
    files = [staged(month_file(m, opd=opd, name=f"{opd}_{m}.xlsx")) for opd in agencies for m in (1, 2, 3)]
    files += [staged(month_file(1, opd="1.01.0.00.0.00.01.0000", name=f"big_{m}.xlsx")) for m in range(6)]
    shares = split_by_opd(files, 4)
    assert len(shares) == 4
    assert sorted(f.path.name for share in shares for f in share) == sorted(f.path.name for f in files)
    for share in shares:
        for opd in {f.workbook.opd_code for f in share}:
            assert all(f.workbook.opd_code != opd for other in shares if other is not share for f in other)
    assert sorted(len(share) for share in shares) == [6, 6, 6, 9]
    assert len(split_by_opd(files[:3], 8)) == 1  # one agency: one share, however many workers


def test_writers_of_one_agency_year_in_parallel_keep_one_budget(warehouse):
    """Each month in its own share at once (any split): the year's budget is rebuilt under its own lock."""
    for year in (YEAR, YEAR + 1):
        files = [staged(month_file(m, year=year)) for m in range(1, 13)]
        start = threading.Barrier(len(files))
        outcomes: list = []

        def load(file, start=start, outcomes=outcomes):
            start.wait()
            outcomes.extend(load_workbooks(warehouse, [file]))

        threads = [threading.Thread(target=load, args=(file,)) for file in files]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted((o.month, o.status) for o in outcomes) == [(m, "loaded") for m in range(1, 13)]
        with warehouse.connect() as conn:
            budget = conn.execute(
                select(FactBudget.anggaran_perubahan_rp, FactBudget.as_of_month).where(
                    FactBudget.year == year
                )
            ).all()
        assert sorted(budget) == sorted((amount, 12) for amount in BUDGET.values())


# --------------------------------------------------------------------------------------------------
# failures: one line in the log, one file rejected


def test_a_failed_bulk_load_logs_one_line_naming_the_files_and_the_constraint(warehouse, monkeypatch, caplog):
    def failing_bulk(engine, workbooks, loaded_by=None):
        """A real constraint violation inside the bulk transaction, with a long statement."""
        with engine.begin() as conn:
            rows = [{"code": "9.99", "name": "x" * 300}, {"code": "9.99", "name": "y" * 300}]
            conn.execute(insert(Opd), rows)
        raise AssertionError("the insert above must fail")

    monkeypatch.setattr("tasks.operations.intake.load_new_months", failing_bulk)
    files = [staged(month_file(m, name=f"realisasi_{m:02d}.xlsx")) for m in (1, 2)]
    with caplog.at_level(logging.WARNING, logger="tasks.operations.intake"):
        outcomes = load_workbooks(warehouse, files)
    assert [o.status for o in outcomes] == ["loaded", "loaded"]
    (record,) = [r for r in caplog.records if "bulk load" in r.getMessage()]
    line = record.getMessage()
    assert "\n" not in line and "INSERT" not in line and "xxxx" not in line, line
    assert "realisasi_01.xlsx" in line and "realisasi_02.xlsx" in line
    constraint = "uq_opd_code" if warehouse.dialect.name == "postgresql" else "opd.code"
    assert constraint in line and ("IntegrityError" in line or "UniqueViolation" in line), line
    assert len(line) < 300


def test_a_file_the_database_refuses_is_rejected_and_the_rest_loads(warehouse, monkeypatch):
    from tasks.operations import intake as ingest

    real = ingest.load_realization

    def refuse_march(engine, wb, loaded_by=None):
        if wb.month == 3:
            raise DataError("INSERT INTO fact_realization ...", {}, Exception("value too long for type"))
        return real(engine, wb, loaded_by)

    monkeypatch.setattr("tasks.operations.intake.load_realization", refuse_march)
    monkeypatch.setattr(
        "tasks.operations.intake.load_new_months",
        lambda engine, workbooks, loaded_by="": ([], list(workbooks)),
    )
    outcomes = load_workbooks(warehouse, [staged(month_file(m)) for m in (1, 2, 3, 4)])
    assert [o.status for o in outcomes] == ["loaded", "loaded", "rejected", "loaded"]
    (issue,) = outcomes[2].issues
    assert issue.rule == "load.database_refused" and "value too long" in issue.message()
    assert "INSERT" not in issue.message()
    with warehouse.connect() as conn:
        rejected = select(func.count()).select_from(LoadBatch).where(LoadBatch.status == "rejected")
        assert conn.scalar(rejected) == 1
