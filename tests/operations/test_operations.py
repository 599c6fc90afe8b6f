"""Operations: corrections with revision history, reports as of a date, concurrent loads, the inbox."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from tasks.load.realization import load_realization
from tasks.operations.inbox import archive_file, loose_workbooks, previous_month
from tasks.report.build import build_tables
from tasks.settings import load_settings
from tests.fixtures.paths import REPO
from tests.fixtures.staged import OPD, realization_lines, realization_workbook
from warehouse.models import FactRealization, FactRealizationHistory, LoadBatch, Revision
from warehouse.queries import list_revisions

SUBS = {
    "2.17.01.2.01.01": (1000.0, 100.0, 100.0),
    "2.17.01.2.01.02": (500.0, 0.0, 0.0),
    "2.17.02.2.01.01": (2000.0, 250.0, 250.0),
}
FIXED = dict(SUBS, **{"2.17.01.2.01.02": (500.0, 40.0, 40.0)})


def count(engine, model, *where) -> int:
    """Rows of a table (matching ``where``)."""
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where))


def test_correction_keeps_the_old_version_and_a_row_level_diff(warehouse):
    first = load_realization(
        warehouse, realization_workbook(realization_lines(SUBS), month=3, name="maret.xlsx"), loaded_by="ani"
    )
    second = load_realization(
        warehouse,
        realization_workbook(realization_lines(FIXED), month=3, name="maret_koreksi.xlsx"),
        loaded_by="budi",
    )
    revisions = list_revisions(warehouse)
    assert revisions[
        ["opd_code", "year", "month", "old_file", "new_file", "changed_by", "changed_rows"]
    ].values.tolist() == [[OPD, 2022, 3, "maret.xlsx", "maret_koreksi.xlsx", "budi", 1]]
    lines = list_revisions(warehouse, detail=True)
    assert sorted(
        zip(lines["kode"], lines["field"], lines["old_value"], lines["new_value"], strict=True)
    ) == [
        ("2.17.01.2.01.02", "realisasi_bulan_ini_rp", 0.0, 40.0),
        ("2.17.01.2.01.02", "realisasi_sd_bulan_ini_rp", 0.0, 40.0),
    ]
    assert count(warehouse, FactRealizationHistory, FactRealizationHistory.batch_id == first.batch_id) == 3
    assert count(warehouse, FactRealization, FactRealization.batch_id == second.batch_id) == 3
    with warehouse.connect() as conn:
        statuses = dict(conn.execute(select(LoadBatch.file_name, LoadBatch.status)).all())
        superseded = conn.scalar(select(LoadBatch.superseded_at).where(LoadBatch.id == first.batch_id))
    assert statuses == {"maret.xlsx": "replaced", "maret_koreksi.xlsx": "loaded"}
    assert superseded is not None


def test_report_as_of_a_date_shows_the_version_then_in_force(warehouse, clock):
    from tasks.settings import Settings

    before_anything = clock.moment
    clock.advance(minutes=1)
    load_realization(warehouse, realization_workbook(realization_lines(SUBS), month=3))
    between = clock.advance(minutes=1)
    clock.advance(minutes=1)
    load_realization(warehouse, realization_workbook(realization_lines(FIXED), month=3))

    def total_realization(as_of):
        tables = build_tables(
            warehouse, OPD, 2022, Settings().capaian_scale, Settings().efficiency_threshold_pct, as_of=as_of
        )
        table = tables.get("tabel_3_6")
        return None if table is None else float(table.loc[table["level"] == "urusan", "realisasi"].iloc[0])

    assert total_realization(None) == 390.0
    assert total_realization(between) == 350.0
    assert total_realization(before_anything) is None


def test_two_concurrent_loads_of_one_month_leave_one_consistent_version(warehouse):
    versions = [
        realization_workbook(realization_lines(SUBS), month=4, name="a.xlsx"),
        realization_workbook(realization_lines(FIXED), month=4, name="b.xlsx"),
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def load(workbook):
        try:
            start.wait()
            load_realization(warehouse, workbook)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=load, args=(wb,)) for wb in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with warehouse.connect() as conn:
        current = conn.execute(
            select(LoadBatch.id, LoadBatch.file_name).where(LoadBatch.status == "loaded")
        ).all()
        facts = pd.read_sql(select(FactRealization), conn)
    assert len(current) == 1
    assert set(facts["batch_id"]) == {current[0].id}
    expected = 350.0 if current[0].file_name == "a.xlsx" else 390.0
    assert len(facts) == 3 and facts["realisasi_sd_bulan_ini_rp"].sum() == expected
    assert count(warehouse, LoadBatch, LoadBatch.status == "replaced") == 1
    assert count(warehouse, Revision) == 1


def test_the_database_refuses_two_current_versions_of_a_month(warehouse):
    load_realization(warehouse, realization_workbook(realization_lines(SUBS), month=5))
    duplicate = {
        "file_name": "x.xlsx",
        "sha256": "0" * 64,
        "kind": "realization",
        "opd_code": OPD,
        "year": 2022,
        "month": 5,
        "rows": 0,
        "loaded_at": datetime.now(UTC),
        "status": "loaded",
        "message": "",
    }
    with pytest.raises(IntegrityError), warehouse.begin() as conn:
        conn.execute(insert(LoadBatch).values(**duplicate))


def test_previous_month_in_jakarta():
    assert previous_month(datetime(2022, 4, 5, 6, 0, tzinfo=UTC)) == (2022, 3)
    assert previous_month(datetime(2023, 1, 5, 6, 0, tzinfo=UTC)) == (2022, 12)
    # 31 January 20:00 UTC is already 1 February in Jakarta
    assert previous_month(datetime(2023, 1, 31, 20, 0, tzinfo=UTC)) == (2023, 1)


def test_archive_names_files_by_their_sha256(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(b"first")
    (inbox / "~$a.xlsx").write_bytes(b"lock file")
    assert [p.name for p in loose_workbooks(inbox)] == ["a.xlsx"]
    archived = archive_file(inbox / "a.xlsx", tmp_path / "archive", 2022, 3)
    assert archived.parent == tmp_path / "archive" / "2022" / "03"
    assert archived.name.startswith("a.") and archived.read_bytes() == b"first"
    sums = (archived.parent / "SHA256SUMS").read_text(encoding="utf-8")
    assert archived.name in sums and sums.split()[0] == __import__("hashlib").sha256(b"first").hexdigest()


def test_deployments_file_names_real_flows_with_the_schedule():
    import importlib

    import yaml

    spec = yaml.safe_load((REPO / "deployments" / "prefect.yaml").read_text())
    deployments = {d["name"]: d for d in spec["deployments"]}
    assert set(deployments) == {"inbox-bulanan", "tahunan"}
    monthly = deployments["inbox-bulanan"]
    assert monthly["schedules"][0]["cron"] == "0 6 5 * *"
    assert monthly["schedules"][0]["timezone"] == "Asia/Jakarta"
    assert {d["work_pool"]["name"] for d in deployments.values()} == {"sakip"}
    flows = set()
    for deployment in deployments.values():
        path, name = deployment["entrypoint"].split(":")
        flows.add(getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name).name)
    assert flows == {"sakip-inbox", "sakip-annual"}


@pytest.mark.prefect
@pytest.mark.postgres
def test_forty_opds_in_one_monthly_run_on_postgresql(
    prefect_server, sample_2022, tmp_path, monkeypatch, postgres_schema_url
):
    import openpyxl

    from flows.inbox import inbox_flow
    from tasks.operations.consolidation import consolidated_absorption
    from warehouse.db import engine_for

    inbox = tmp_path / "inbox"
    folder = inbox / "2022" / "01"
    folder.mkdir(parents=True)
    template = openpyxl.load_workbook(sample_2022.realization[0])
    codes = [f"2.17.0.00.0.00.{n:02d}.0000" for n in range(1, 41)]
    for n, code in enumerate(codes, start=1):
        template.active["A3"] = f"SKPD : {code} Dinas Uji {n}"
        template.save(folder / f"realisasi_{n:02d}_2022_01.xlsx")
    (inbox / "catatan.xlsx").write_text("not a workbook")  # a stray file in the inbox root: no period at all
    monkeypatch.setenv("SAKIP_DATABASE_URL", postgres_schema_url)
    workdir = tmp_path / "work"

    counts = inbox_flow(inbox=str(inbox), year=2022, month=1, workdir=str(workdir))

    assert counts == {"loaded": 40, "unchanged": 0, "rejected": 1}
    engine = engine_for(load_settings(workdir).url)
    assert engine.dialect.name == "postgresql"
    table = consolidated_absorption(engine, 2022, 1)
    assert sorted(table["kode_opd"].tolist()[:-1]) == codes
    assert table["nama_opd"].iloc[-1] == "JUMLAH"
    assert table["anggaran"].iloc[-1] == pytest.approx(40 * table["anggaran"].iloc[0])
    assert count(engine, FactRealization) == 40 * 38
    archived = list((workdir / "archive" / "2022" / "01").glob("*.xlsx"))
    assert len(archived) == 40 and not any(folder.iterdir())
    assert (workdir / "quarantine" / "tanpa-periode" / "catatan.xlsx").is_file()
    # running the same month again is safe: nothing left to take, nothing changes
    assert inbox_flow(inbox=str(inbox), year=2022, month=1, workdir=str(workdir)) == {
        "loaded": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    assert count(engine, FactRealization) == 40 * 38


def test_as_of_dates_are_read_in_jakarta_time():
    from tasks.core.calendar import parse_moment as parse_as_of

    assert parse_as_of("2023-02-17") == datetime(2023, 2, 17, 16, 59, 59, 999999, tzinfo=UTC)
    assert parse_as_of("2023-02-17T08:00") == datetime(2023, 2, 17, 1, 0, tzinfo=UTC)
    assert parse_as_of("2023-02-17T08:00+00:00") == datetime(2023, 2, 17, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_as_of("17/02/2023")


def test_only_transient_database_errors_are_retried():
    from types import SimpleNamespace

    from sqlalchemy.exc import IntegrityError, OperationalError

    from flows.ingest import transient_database_error

    def state(error):
        return SimpleNamespace(result=lambda raise_on_failure=False: error)

    deadlock = OperationalError("INSERT", {}, Exception("deadlock detected"))
    assert transient_database_error(None, None, state(deadlock))
    assert not transient_database_error(
        None, None, state(IntegrityError("INSERT", {}, Exception("duplicate")))
    )
    assert not transient_database_error(None, None, state(ValueError("bad data")))


def test_parallel_files_default_to_the_cores_and_sqlite_loads_with_one_writer(monkeypatch):
    from tasks.operations.intake import load_shares
    from tasks.settings import load_settings

    monkeypatch.delenv("SAKIP_WORKERS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert load_settings().workers == 2
    monkeypatch.setenv("SAKIP_WORKERS", "6")
    assert load_settings().workers == 6
    assert load_shares("sqlite:///sakip.db", 6) == 1
    assert load_shares("postgresql+psycopg://localhost/sakip", 6) == 6
