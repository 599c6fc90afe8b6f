"""The year-end report written by one process, by worker processes and on a Dask cluster is the same.

Two OPDs of 2022 (the sample's and a copy of its June workbook under another code) are written in
every format: serially, in two worker processes (``write_reports(workers=2)``), and by the annual flow
on a local Dask cluster of two worker processes (``SAKIP_DASK_ADDRESS``). CSV files and charts are
compared byte for byte, the workbooks cell by cell, the Word documents part by part (their zip
entries carry the time they were written) and the html pages as text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from tasks.extract.reading import read_workbook
from tasks.operations.intake import load_workbook
from tasks.report.build import build_all_tables
from tasks.report.writer import ALL_FORMATS, write_reports
from tasks.settings import Settings
from warehouse.db import open_warehouse

SECOND_OPD = "2.17.0.00.0.00.02.0000"


@pytest.fixture(scope="module")
def two_opds(sample_2022, tmp_path_factory) -> Path:
    """A warehouse with the 2022 sample and a second OPD; its work folder."""
    workdir = tmp_path_factory.mktemp("parallel-work")
    engine = open_warehouse(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    second = workdir / "realisasi_opd2_2022_06.xlsx"
    book = openpyxl.load_workbook(sample_2022.realization[5])
    book.active["A3"] = f"SKPD : {SECOND_OPD} Dinas Kedua"
    book.save(second)
    for path in [*sample_2022.realization, sample_2022.indicators, second]:
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    return workdir


@pytest.fixture(scope="module")
def serial(two_opds) -> Path:
    """Every format of both OPDs written in this process."""
    return _write(two_opds, two_opds / "serial", workers=1)


def _write(workdir: Path, out: Path, *, workers: int) -> Path:
    engine = open_warehouse(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    settings = Settings()
    tables = build_all_tables(engine, 2022, settings.capaian_scale, settings.efficiency_threshold_pct)
    written = write_reports(engine, tables, out, 2022, ALL_FORMATS, settings.scales, workers=workers)
    assert written and all(path.is_file() for path in written)
    return out


def assert_same_report(one: Path, other: Path) -> None:
    """The same files under both folders, with the same content."""
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    assert {f.parent.name for f in files} == {"2.17.0.00.0.00.01.0000", SECOND_OPD}
    assert any(f.suffix == ".docx" for f in files) and any(f.suffix == ".png" for f in files)
    for name in files:
        a, b = one / name, other / name
        if name.suffix == ".xlsx":
            assert _cells(a) == _cells(b), name
        elif name.suffix == ".docx":
            assert _parts(a) == _parts(b), name
        else:  # csv, png, html
            assert a.read_bytes() == b.read_bytes(), name


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_worker_processes_write_what_one_process_writes(two_opds, serial):
    from tasks.report.writer import ALL_FORMATS, start_worker_server

    start_worker_server(ALL_FORMATS)  # as sakip report does before its flow: the pool forks from it
    parallel = _write(two_opds, two_opds / "parallel", workers=2)

    assert_same_report(serial, parallel)


@pytest.mark.prefect
def test_annual_flow_on_a_dask_cluster_writes_what_it_writes_here(
    prefect_server, two_opds, serial, monkeypatch
):
    from distributed import LocalCluster

    from flows.annual import annual_flow

    monkeypatch.setenv("SAKIP_DATABASE_URL", f"sqlite:///{(two_opds / 'sakip.db').resolve()}")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("SAKIP_DASK_ADDRESS", cluster.scheduler_address)
        written = annual_flow(year=2022, workdir=str(two_opds), out_dir=str(two_opds / "dask"))
        workers_seen = len(cluster.scheduler_info["workers"])
        ran = {key.split("-")[0] for key in cluster.scheduler.tasks} | set(cluster.scheduler.task_prefixes)

    assert workers_seen == 2
    assert any("write_reports" in name for name in ran), ran  # the reports were written on the cluster
    assert len(written) == len({Path(p) for p in written})
    assert_same_report(serial, two_opds / "dask")
