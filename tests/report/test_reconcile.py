"""Reconciliation rules, cell by cell, without a warehouse; and last year's realization (Table 3.5)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from tasks.report.reconcile import reconcile, show, values_agree


def test_amounts_compare_exactly() -> None:
    assert values_agree("amount", "2181600", 2_181_600.0)
    assert not values_agree("amount", 4_101_392_957, 4_101_392_956)


def test_percentages_compare_at_the_printed_rounding() -> None:
    assert values_agree("pct", 98.26, 76.64 / 78 * 100)
    assert not values_agree("pct", 98.64, 76.64 / 78 * 100)
    assert values_agree("pct", 0.13, 0.125)  # half up, not banker's rounding
    assert values_agree("value", "77.20", 77.2)


def test_blanks_and_missing_values() -> None:
    assert not values_agree("pct", math.nan, 0.0)  # printed blank, the data has 0 %
    assert not values_agree("amount", None, 2_181_600)
    assert not values_agree("value", 5.0, math.nan)
    assert values_agree("value", math.nan, None)
    assert show("pct", math.nan) == "(kosong)"
    assert show("pct", 0.0) == "0,00"
    assert show("amount", 2181600) == "2.181.600"


def test_names_compare_loosely_but_not_words() -> None:
    assert values_agree(
        "name", "Program Pendidikan Dan Latihan Perkoperasian", "program pendidikan dan latihan perkoperasian"
    )
    assert values_agree("name", "Kabupaten/ Kota", "Kabupaten/Kota")
    assert values_agree("name", "Usaha Menengah. Usaha Kecil.", "Usaha Menengah, Usaha Kecil")
    assert not values_agree(
        "name", "Program Penilaian Kesehatan Ksp/Usk", "Program Penilaian Kesehatan KSP/USP"
    )
    assert not values_agree("label", "Tidak terserapnya anggaran karena ...", "Efisiensi")
    assert values_agree("label", "efisiensi", "Efisiensi")


def test_rows_on_one_side_only(tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "kode": ["2.17", "2.17.09"],
            "level": ["urusan", "program"],
            "uraian": ["U", "Program Baru"],
            "anggaran": [100, 5],
            "realisasi": [50, 1],
            "persen_tercetak": [50.0, 20.0],
        }
    ).to_csv(tmp_path / "tabel_3_6_x.csv", index=False)
    data = pd.DataFrame(
        {
            "kode": ["2.17", "2.17.01"],
            "level": ["urusan", "program"],
            "uraian": ["u", "P"],
            "anggaran": [100.0, 100.0],
            "realisasi": [50.0, 50.0],
            "serapan": [50.0, 50.0],
        }
    )
    findings = reconcile({"tabel_3_6": data}, tmp_path, 2022)
    assert findings[["baris", "jenis"]].values.tolist() == [
        ["2.17.09", "baris tidak ada di data"],
        ["2.17.01", "baris tidak tercetak"],
    ]


def test_last_year_realization_comes_from_the_warehouse(warehouse) -> None:
    from tasks.load.indicators import load_indicators
    from tasks.report.inputs import indicator_rows
    from tests.fixtures.staged import OPD, indicator_workbook

    def rows(year: int, realisasi: list[float], tahun_lalu: list[float]) -> list[dict[str, object]]:
        """Three program indicators; the third is renumbered in 2022 and the second renamed."""
        names = ["Persentase koperasi sehat", f"Indikator dua {year}", "Persentase UMKM naik kelas"]
        numbers = ["1", "2", "3" if year == 2021 else "7"]
        return [
            {
                "jenis": "program",
                "no": no,
                "indikator": name,
                "target": 10.0,
                "realisasi": value,
                "realisasi_tahun_lalu": last,
            }
            for no, name, value, last in zip(numbers, names, realisasi, tahun_lalu, strict=True)
        ]

    load_indicators(warehouse, indicator_workbook(rows(2022, [12.0, 13.0, 14.0], [1.0, math.nan, 3.0]), 2022))
    before = indicator_rows(warehouse, OPD, 2022).set_index("no")["realisasi_tahun_lalu"]
    assert before.loc["1"] == 1.0 and math.isnan(before.loc["2"]) and before.loc["7"] == 3.0

    load_indicators(warehouse, indicator_workbook(rows(2021, [32.54, 21.0, 9.5], [0.0, 0.0, 0.0]), 2021))
    after = indicator_rows(warehouse, OPD, 2022).set_index("no")["realisasi_tahun_lalu"]
    assert after.loc["1"] == 32.54  # same text: the warehouse value replaces the workbook's 1.0
    assert after.loc["2"] == 21.0  # renamed, same jenis and number
    assert after.loc["7"] == 9.5  # renumbered, same text
