"""The benchmark workbook generator: readable, consistent, month to month coherent, and valid."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bench.generate import generate, opd_code, plan_agency
from tasks.core.hierarchy import node_keys, parent_codes
from tasks.extract.reading import read_workbook
from tasks.extract.realization import read_realization
from tasks.operations.intake import validate_batch
from tasks.settings import load_settings
from warehouse.db import open_warehouse

AMOUNTS = [
    "anggaran_rp",
    "anggaran_murni_rp",
    "anggaran_kas_sd_bulan_ini_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
]
AGENCIES, MONTHS, YEAR = 3, (1, 2), 2023


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    """3 agencies x 2 months, seed 7."""
    return generate(tmp_path_factory.mktemp("bench"), AGENCIES, MONTHS, year=YEAR, seed=7)


@pytest.fixture(scope="module")
def workbooks(generated):
    """The generated files read back, by (agency, month)."""
    return {
        (int(path.name.split("_")[1]), int(path.parent.name)): read_realization(path) for path in generated
    }


def test_paths_sorted_by_month_then_agency(generated):
    names = [(p.parent.parent.name, p.parent.name, p.name) for p in generated]
    assert names == [
        (str(YEAR), f"{m:02d}", f"realisasi_{n:04d}_{YEAR}_{m:02d}.xlsx")
        for m in MONTHS
        for n in range(1, AGENCIES + 1)
    ]
    assert all(p.is_file() for p in generated)


def test_header_block_and_row_counts(workbooks):
    codes = {}
    for (agency, month), wb in workbooks.items():
        assert (wb.year, wb.month) == (YEAR, month)
        assert wb.opd_name == f"Dinas Uji {agency}"
        assert re.fullmatch(r"\d+(\.\d+)+", wb.opd_code)
        codes.setdefault(agency, set()).add(wb.opd_code)
        assert 50 <= len(wb.lines) <= 600
        assert wb.lines["level"].iloc[-1] == "total"
    assert all(len(found) == 1 for found in codes.values())  # one code per agency, in every month
    assert len({next(iter(found)) for found in codes.values()}) == AGENCIES


def test_codes_unique_for_5000_agencies():
    codes = [opd_code(n)[0] for n in range(1, 5001)]
    assert len(set(codes)) == 5000
    assert all(re.fullmatch(r"\d+(\.\d+)+", code) for code in codes)


def test_structure_fixed_across_months_and_murni_equals_anggaran(workbooks):
    levels = set()
    for agency in range(1, AGENCIES + 1):
        jan, feb = workbooks[(agency, 1)].lines, workbooks[(agency, 2)].lines
        assert jan["kode"].tolist() == feb["kode"].tolist()
        assert jan["anggaran_rp"].tolist() == feb["anggaran_rp"].tolist()
        assert (jan["anggaran_murni_rp"] == jan["anggaran_rp"]).all()
        levels |= set(jan["level"])
    # seed 7: agency 1 has expenditure-account rows
    assert {"urusan", "program", "kegiatan", "sub_kegiatan", "rekening", "total"} <= levels


def test_subtotals_equal_sums_of_children(workbooks):
    for wb in workbooks.values():
        lines = wb.lines
        body = lines[lines["level"] != "total"]
        sums = body[AMOUNTS].groupby(parent_codes(body)).sum()
        keyed = body.set_index(node_keys(body))[AMOUNTS]
        parents = sums.drop(index="")
        pd.testing.assert_frame_equal(keyed.loc[parents.index], parents, check_names=False)
        total = lines.loc[lines["level"] == "total", AMOUNTS].iloc[0]
        assert total.tolist() == sums.loc[""].tolist()
        amounts = lines[AMOUNTS].to_numpy()
        assert (amounts >= 0).all() and (amounts == amounts.round()).all()
        assert (lines["realisasi_sd_bulan_ini_rp"] <= lines["anggaran_rp"]).all()
        assert (lines["anggaran_kas_sd_bulan_ini_rp"] <= lines["anggaran_rp"]).all()
        assert lines["fisik_pct"].dropna().between(0, 100).all()


def test_months_are_cumulative(workbooks):
    for agency in range(1, AGENCIES + 1):
        jan, feb = (workbooks[(agency, m)].lines for m in MONTHS)
        assert (jan["realisasi_bulan_ini_rp"] == jan["realisasi_sd_bulan_ini_rp"]).all()
        subs = jan["level"] == "sub_kegiatan"
        before, after = jan.loc[subs], feb.loc[subs]
        assert (after["realisasi_sd_bulan_ini_rp"] >= before["realisasi_sd_bulan_ini_rp"]).all()
        assert (
            after["realisasi_bulan_ini_rp"]
            == after["realisasi_sd_bulan_ini_rp"] - before["realisasi_sd_bulan_ini_rp"]
        ).all()


def test_same_seed_same_values(tmp_path, workbooks):
    (path,) = generate(tmp_path, 1, (2,), year=YEAR, seed=7)
    pd.testing.assert_frame_equal(read_realization(path).lines, workbooks[(1, 2)].lines)
    assert plan_agency(1, seed=8).kode != plan_agency(1, seed=7).kode


def test_validation_passes(generated, tmp_path):
    settings = load_settings(tmp_path / "work")
    engine = open_warehouse(settings.url)
    staged = [read_workbook(path) for path in generated]
    assert [s.issues for s in staged] == [()] * len(generated)
    checked, runs = validate_batch(staged, engine, settings.workdir, **settings.validation_options())
    engine.dispose()
    assert [s.issues for s in checked] == [()] * len(generated)
    assert sorted(run.month for run in runs if run.success) == [1, 1, 1, 2, 2, 2]
