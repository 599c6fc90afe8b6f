"""Months read from funding-source sections: stored per sub kegiatan and source with the month's
facts (single and bulk loads, SQLite and PostgreSQL), read by the III.D queries and the monitoring."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from sakip.layouts.sources import split_year, write_funding_sections
from sakip.sample import OPD_KODE
from tasks.core.scales import ReportScales
from tasks.extract.realization import read_realization
from tasks.load.bulk import load_new_months
from tasks.load.realization import load_realization, source_frame
from tasks.operations.monitoring import monitoring_markdown, monitoring_table, source_absorption
from tasks.report.tables.sumber_dana import table_sumber_dana
from tasks.settings import load_settings
from tests.fixtures.staged import ingest_batch, staged
from warehouse.db import open_warehouse
from warehouse.models import FactRealization, FactRealizationSource
from warehouse.queries import funding_rows, sumber_dana_totals

SPLIT_SUB = "2.17.01.2.01.01"
SPLIT = {SPLIT_SUB: [("PAD", 0.75), ("DAK FISIK", 0.25)]}
FACTS = (
    "SELECT o.code, p.month, b.code, f.anggaran_rp, f.realisasi_bulan_ini_rp, f.realisasi_sd_bulan_ini_rp, "
    "f.anggaran_kas_sd_bulan_ini_rp FROM fact_realization f JOIN opd o ON o.id = f.opd_id "
    "JOIN period p ON p.id = f.period_id JOIN budget_item b ON b.id = f.budget_item_id ORDER BY 1, 2, 3"
)
SOURCES = (
    "SELECT p.month, b.code, f.sumber_dana, f.anggaran_rp, f.anggaran_kas_sd_bulan_ini_rp, "
    "f.realisasi_bulan_ini_rp, f.realisasi_sd_bulan_ini_rp FROM fact_realization_source f "
    "JOIN period p ON p.id = f.period_id JOIN budget_item b ON b.id = f.budget_item_id ORDER BY 1, 2, 3"
)


@pytest.fixture
def months(sample_2022):
    """January to March of the 2022 sample as monthly workbooks."""
    return [read_realization(path) for path in sample_2022.realization[:3]]


@pytest.fixture
def sectioned(months, tmp_path):
    """The same months written in funding-source sections (a split sub kegiatan, a combined block)."""
    blocks = split_year(months, SPLIT)
    read = []
    for month, month_blocks in zip(months, blocks, strict=True):
        path = write_funding_sections(
            month,
            tmp_path / f"seksi_{month.month:02d}.xlsx",
            split=SPLIT,
            combined=[("PAD", "DAK FISIK")],
            blocks=month_blocks,
        )
        read.append(read_realization(path))
    return read


def _rows(engine, sql: str) -> list[tuple]:
    """The rows of a query, numbers as floats (PostgreSQL gives NUMERIC as Decimal to a text query)."""
    with engine.connect() as conn:
        rows = conn.execute(text(sql)).all()
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows]


def test_source_rows_stored_with_the_month_and_totals_as_the_unsplit_month(
    warehouse, months, sectioned, tmp_path
):
    for workbook in sectioned:
        assert load_realization(warehouse, workbook).status == "loaded"
    plain = open_warehouse(f"sqlite:///{tmp_path / 'plain.db'}")
    for workbook in months:
        load_realization(plain, workbook)
    # the sub kegiatan facts (and so every total) equal the unsplit months': the combined block counted once
    assert _rows(warehouse, FACTS) == _rows(plain, FACTS)
    with warehouse.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(FactRealizationSource))
        by_source = conn.scalar(select(func.sum(FactRealizationSource.anggaran_rp)))
        by_sub = conn.scalar(select(func.sum(FactRealization.anggaran_rp)))
    assert stored == sum(len(wb.sources) for wb in sectioned)
    assert float(by_source) == pytest.approx(float(by_sub), abs=0.01)
    split_rows = [row for row in _rows(warehouse, SOURCES) if row[0] == 3 and row[1] == SPLIT_SUB]
    assert [row[2] for row in split_rows] == ["DAK FISIK", "PAD"]
    whole = next(row for row in _rows(plain, FACTS) if row[1] == 3 and row[2] == SPLIT_SUB)
    assert split_rows[0][3] + split_rows[1][3] == pytest.approx(whole[3], abs=0.001)
    assert split_rows[1][3] == pytest.approx(whole[3] * 0.75, abs=1)
    plain.dispose()


def test_funding_rows_and_the_iii_d_table_split_by_source(warehouse, sectioned):
    for workbook in sectioned:
        load_realization(warehouse, workbook)
    funding = funding_rows(warehouse, 2022, OPD_KODE)
    split = funding[funding["kode"] == SPLIT_SUB].set_index("sumber_dana")
    assert sorted(split.index) == ["DAK FISIK", "PAD"]
    march = sectioned[2].sources
    expected = march[march["sub_kegiatan_kode"] == SPLIT_SUB].set_index("sumber_dana")
    for source in ("PAD", "DAK FISIK"):
        assert split.loc[source, "anggaran_rp"] == pytest.approx(expected.loc[source, "anggaran_rp"])
        assert split.loc[source, "realisasi_sd_bulan_ini_rp"] == pytest.approx(
            expected.loc[source, "realisasi_sd_bulan_ini_rp"]
        )
    table = table_sumber_dana(funding)
    dak = table[(table["jenis"] == "DAK FISIK") & (table["kode"] == SPLIT_SUB)]
    assert len(dak) == 1
    assert dak["anggaran"].iloc[0] == pytest.approx(expected.loc["DAK FISIK", "anggaran_rp"])
    totals = sumber_dana_totals(warehouse, OPD_KODE, 2022, 3)
    assert totals["DAK FISIK"] == pytest.approx(expected.loc["DAK FISIK", "anggaran_rp"])
    assert totals.sum() == pytest.approx(march["anggaran_rp"].sum(), abs=0.01)


def test_a_new_version_of_the_month_replaces_its_source_rows(warehouse, months, tmp_path):
    march = months[2]
    first = read_realization(write_funding_sections(march, tmp_path / "a.xlsx", split=SPLIT))
    other = {SPLIT_SUB: [("PAD", 0.5), ("DAU", 0.5)]}
    second = read_realization(write_funding_sections(march, tmp_path / "b.xlsx", split=other))
    load_realization(warehouse, first)
    assert load_realization(warehouse, second).status == "loaded"
    sources = {row[2] for row in _rows(warehouse, SOURCES) if row[1] == SPLIT_SUB}
    assert sources == {"PAD", "DAU"}
    assert len(_rows(warehouse, SOURCES)) == len(second.sources)


def test_bulk_load_stores_the_same_source_rows(warehouse, sectioned, tmp_path):
    results, later = load_new_months(warehouse, sectioned)
    assert later == [] and [r.status for r in results] == ["loaded"] * 3
    single = open_warehouse(f"sqlite:///{tmp_path / 'single.db'}")
    for workbook in sectioned:
        load_realization(single, workbook)
    assert _rows(warehouse, SOURCES) == _rows(single, SOURCES)
    assert _rows(warehouse, FACTS) == _rows(single, FACTS)
    single.dispose()


def test_a_source_row_s_missing_realization_is_derived_from_last_month():
    ids = {"A": 1, "B": 2}
    sources = pd.DataFrame(
        {
            "row": [1, 2, 3],
            "sub_kegiatan_kode": ["A", "A", "B"],
            "sumber_dana": ["PAD", "DAK", "PAD"],
            "anggaran_rp": [300.0, 100.0, 50.0],
            "anggaran_kas_sd_bulan_ini_rp": [math.nan] * 3,
            "realisasi_bulan_ini_rp": [math.nan] * 3,
            "realisasi_sd_bulan_ini_rp": [90.0, 30.0, 20.0],
        }
    )
    # A had a PAD row last month and no DAK row (a source new to it spent nothing before); B had no
    # source rows: its realization to date then is shared among its sources by budget
    previous = pd.DataFrame(
        {"budget_item_id": [1], "sumber_dana": ["PAD"], "realisasi_sd_bulan_ini_rp": [60.0]}
    )
    frame = source_frame(sources, ids, previous, {1: 60.0, 2: 8.0})
    assert frame["realisasi_bulan_ini_rp"].tolist() == [30.0, 30.0, 12.0]
    assert frame["budget_item_id"].tolist() == [1, 1, 2]


def test_monitoring_gives_the_month_s_absorption_per_source(warehouse, sectioned):
    for workbook in sectioned:
        load_realization(warehouse, workbook)
    march = sectioned[2].sources
    absorption = source_absorption(warehouse, OPD_KODE, 2022, 3).set_index("sumber_dana")
    budget = march.groupby("sumber_dana")["anggaran_rp"].sum()
    spent = march.groupby("sumber_dana")["realisasi_sd_bulan_ini_rp"].sum()
    assert sorted(absorption.index) == sorted(budget.index)
    assert absorption["anggaran"].to_dict() == pytest.approx(budget.to_dict())
    assert absorption.loc["DAK FISIK", "serapan_pct"] == pytest.approx(
        spent["DAK FISIK"] / budget["DAK FISIK"] * 100
    )
    table = monitoring_table(warehouse, OPD_KODE, 2022, 3, ReportScales())
    markdown = monitoring_markdown(table, OPD_KODE, 2022, 3)
    assert "Serapan per sumber dana" in markdown
    assert "| DAK FISIK |" in markdown


def test_a_month_without_sections_has_no_source_split(warehouse, months):
    load_realization(warehouse, months[2])
    assert source_absorption(warehouse, OPD_KODE, 2022, 3).empty
    table = monitoring_table(warehouse, OPD_KODE, 2022, 3, ReportScales())
    assert "sumber dana" not in monitoring_markdown(table, OPD_KODE, 2022, 3)


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """Settings of a work folder whose GX project the module's tests share."""
    return load_settings(str(tmp_path_factory.mktemp("work")))


def test_sectioned_months_pass_the_suite_and_load_through_the_batch(warehouse, sectioned, settings):
    outcomes = ingest_batch(warehouse, [staged(wb) for wb in sectioned], settings, workers=1)
    assert [(o.status, [i.rule for i in o.issues if i.severity == "error"]) for o in outcomes] == [
        ("loaded", [])
    ] * 3
    assert len(_rows(warehouse, SOURCES)) == sum(len(wb.sources) for wb in sectioned)


def test_the_funding_queries_of_an_empty_year(warehouse):
    assert list(funding_rows(warehouse, 2022)) == [
        "opd_code",
        "kode",
        "uraian",
        "sumber_dana",
        "anggaran_rp",
        "realisasi_sd_bulan_ini_rp",
    ]
    assert funding_rows(warehouse, 2022).empty
    assert sumber_dana_totals(warehouse, OPD_KODE, 2022, 3).empty
