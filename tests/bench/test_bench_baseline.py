"""The benchmark baseline (bench/baseline.py) writes what the real loader writes, and rejects bad files."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, text

from bench.baseline import run_baseline
from tasks.extract.reading import read_workbook
from tasks.load.realization import load_realization
from tests.fixtures.paths import POSTGRES_SERVER_URL
from tests.fixtures.warehouse_tables import FACTS, TABLES
from warehouse.db import open_warehouse

SUB_KEGIATAN_PER_MONTH = 38


@pytest.fixture
def months(sample_2022, tmp_path: Path) -> list[Path]:
    """Months 1-3 of the 2022 sample, copied into the test's folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    return [Path(shutil.copy(path, folder)) for path in sample_2022.realization[:3]]


@pytest.fixture
def postgres_urls():
    """A factory of URLs on fresh PostgreSQL schemas, all dropped afterwards."""
    admin = create_engine(POSTGRES_SERVER_URL)
    schemas: list[str] = []

    def new_url() -> str:
        schema = f"sakip_bl_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        return f"{POSTGRES_SERVER_URL}?options=-csearch_path%3D{schema}"

    yield new_url
    with admin.begin() as conn:
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _table(engine: Engine, query: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(query), conn)


def _pipeline(paths: list[Path], url: str) -> Engine:
    """The real reader and loader, file by file, into a fresh warehouse."""
    engine = open_warehouse(url)
    for path in paths:
        staged = read_workbook(path)
        assert not staged.issues, staged.issues
        load_realization(engine, staged.workbook)
    return engine


def _check_same_as_pipeline(paths: list[Path], baseline_url: str, pipeline_url: str, method: str) -> None:
    baseline = open_warehouse(baseline_url)
    pipeline = _pipeline(paths, pipeline_url)
    try:
        result = run_baseline(paths, baseline_url, insert_method=method)
        assert (result.files, result.loaded, result.rejected) == (3, 3, 0)
        assert result.rows == 3 * 74  # 73 budget rows and the JUMLAH row per month
        assert min(result.read, result.validate, result.load) > 0
        assert result.fact_rows == 3 * SUB_KEGIATAN_PER_MONTH
        facts = _table(baseline, FACTS)
        assert len(facts) == 3 * SUB_KEGIATAN_PER_MONTH
        expected = _table(pipeline, FACTS)
        # per sub kegiatan and month, every amount is what the real loader writes
        keyed = ["code", "month"]
        pd.testing.assert_frame_equal(facts.set_index(keyed), expected.set_index(keyed), check_exact=True)
        march = facts[facts["month"] == 3].set_index("code")["realisasi_sd_bulan_ini_rp"]
        assert march.equals(expected[expected["month"] == 3].set_index("code")["realisasi_sd_bulan_ini_rp"])
        assert march.sum() > 0
        # and so is everything else a load writes
        for name, query in TABLES.items():
            pd.testing.assert_frame_equal(_table(baseline, query), _table(pipeline, query), obj=name)
    finally:
        baseline.dispose()
        pipeline.dispose()


@pytest.mark.parametrize("method", ["driver", "executemany"])
def test_sqlite_baseline_writes_what_the_loader_writes(months, tmp_path: Path, method: str):
    _check_same_as_pipeline(
        months, f"sqlite:///{tmp_path / 'baseline.db'}", f"sqlite:///{tmp_path / 'pipeline.db'}", method
    )


@pytest.mark.postgres
@pytest.mark.parametrize("method", ["copy", "executemany"])
def test_postgres_baseline_writes_what_the_loader_writes(months, postgres_urls, method: str):
    _check_same_as_pipeline(months, postgres_urls(), postgres_urls(), method)


def test_a_file_with_a_wrong_subtotal_is_rejected_and_not_loaded(months, tmp_path: Path):
    faulty = tmp_path / "in" / "realisasi_2022_03_other_opd.xlsx"
    book = openpyxl.load_workbook(months[2])
    sheet = book.worksheets[0]
    sheet["A3"] = "SKPD : 2.17.0.00.0.00.02.0000 Dinas Lain"  # another OPD: no duplicate period
    assert sheet["A11"].value == "2.17.01.2.01"  # a kegiatan
    sheet["D11"] = sheet["D11"].value + 1  # its anggaran no longer equals the sum of its sub kegiatan
    book.save(faulty)
    url = f"sqlite:///{tmp_path / 'baseline.db'}"
    engine = open_warehouse(url)
    try:
        result = run_baseline([*months, faulty], url)
        assert (result.files, result.loaded, result.rejected) == (4, 3, 1)
        assert result.issues == {faulty.name: ["amount.subtotal_mismatch"]}
        batches = _table(engine, "SELECT file_name, status, rows FROM load_batch ORDER BY id")
        assert batches.set_index("file_name").loc[faulty.name].tolist() == ["rejected", 0]
        assert (batches["status"] == "loaded").sum() == 3
        assert _table(engine, "SELECT code FROM opd")["code"].tolist() == ["2.17.0.00.0.00.01.0000"]
        assert len(_table(engine, "SELECT id FROM fact_realization")) == 3 * SUB_KEGIATAN_PER_MONTH
    finally:
        engine.dispose()


def _month_figure_off(source: Path, target: Path) -> Path:
    """A copy whose first sub kegiatan spent 5 more this month (its parents and the total too: sums hold)."""
    book = openpyxl.load_workbook(source)
    sheet = book.worksheets[0]
    assert sheet["A12"].value == "2.17.01.2.01.01" and sheet["A82"].value == "JUMLAH"
    for cell in ("F9", "F10", "F11", "F12", "F82"):
        sheet[cell] = sheet[cell].value + 5
    book.save(target)
    return target


def test_month_rules_use_the_previous_month_in_the_batch(months, tmp_path: Path):
    """February's realization this month must be its to-date minus January's (when January passed)."""
    broken = _month_figure_off(months[1], tmp_path / "in" / "realisasi_2022_02_broken.xlsx")
    url = f"sqlite:///{tmp_path / 'baseline.db'}"
    open_warehouse(url).dispose()
    result = run_baseline([months[0], broken, months[2]], url)
    # February fails; March then has no previous month to compare with (as in the pipeline) and loads
    assert result.issues == {broken.name: ["period.month_inconsistent"]}
    assert (result.loaded, result.rejected) == (2, 1)


def test_month_rules_use_the_previous_month_in_the_warehouse(months, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'baseline.db'}"
    open_warehouse(url).dispose()
    assert run_baseline(months[:2], url).loaded == 2
    broken = _month_figure_off(months[2], tmp_path / "in" / "realisasi_2022_03_broken.xlsx")
    result = run_baseline([broken], url)
    assert result.issues == {broken.name: ["period.month_inconsistent"]}
    assert run_baseline([months[2]], url).loaded == 1  # the right March goes in after February
