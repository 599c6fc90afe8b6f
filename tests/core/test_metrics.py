"""The formulas of DOMAIN.md, on known inputs and outputs."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tasks.core import metrics

SIX_TIER_SCALE = (
    (100.0, "Sangat Baik"),
    (90.0, "Baik"),
    (75.0, "Cukup"),
    (65.0, "Kurang"),
    (50.0, "Sangat Kurang"),
    (float("-inf"), "Buruk"),
)


def test_serapan_and_silpa_of_the_2022_total():
    assert metrics.serapan_pct(18_852_082_292, 22_500_227_865) == pytest.approx(83.786_184, abs=1e-6)
    assert metrics.silpa_rp(18_852_082_292, 22_500_227_865) == 3_648_145_573
    assert metrics.silpa_pct(18_852_082_292, 22_500_227_865) == pytest.approx(16.213_816, abs=1e-6)


def test_serapan_of_a_zero_budget_is_undefined_not_an_error():
    assert math.isnan(metrics.serapan_pct(0, 0))
    series = metrics.serapan_pct(pd.Series([5.0, 0.0]), pd.Series([10.0, 0.0]))
    assert series.iloc[0] == 50.0
    assert math.isnan(series.iloc[1])


def test_capaian_positive_indicator():
    assert metrics.capaian_pct(76, 76.64) == pytest.approx(100.842_105, abs=1e-6)


def test_capaian_negative_indicator_standard_formula_gives_100_on_target():
    assert metrics.capaian_pct(10, 10, "negatif") == 100.0
    assert metrics.capaian_pct(10, 8, "negatif") == pytest.approx(120.0)
    assert metrics.capaian_pct(10, 12, "negatif") == pytest.approx(80.0)


def test_capaian_negative_indicator_selisih_override_is_the_printed_variant():
    # The LKjIP prints (T - R) / T x 100, which gives 0 on target; kept as a per-indicator option.
    assert metrics.capaian_pct(10, 10, "negatif", "selisih") == 0.0
    assert metrics.capaian_pct(10, 8, "negatif", "selisih") == pytest.approx(20.0)


def test_capaian_series_matches_scalar_formula():
    frame = pd.DataFrame(
        {
            "target": [76.0, 10.0, 10.0, 0.0],
            "realisasi": [76.64, 8.0, 8.0, 1.0],
            "arah": ["positif", "negatif", "negatif", "positif"],
            "rumus": ["standar", "standar", "selisih", "standar"],
        }
    )
    result = metrics.capaian_series(frame["target"], frame["realisasi"], frame["arah"], frame["rumus"])
    assert result.iloc[0] == pytest.approx(metrics.capaian_pct(76, 76.64))
    assert result.iloc[1] == pytest.approx(120.0)
    assert result.iloc[2] == pytest.approx(20.0)
    assert math.isnan(result.iloc[3])


def test_unknown_direction_is_refused():
    with pytest.raises(ValueError):
        metrics.capaian_pct(10, 5, "sideways")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90.01, "Sangat Tinggi"),
        (90.0, "Tinggi"),
        (75.01, "Tinggi"),
        (75.0, "Sedang"),
        (65.0, "Rendah"),
        (50.01, "Rendah"),
        (50.0, "Sangat Rendah"),
        (0.0, "Sangat Rendah"),
        (382.67, "Sangat Tinggi"),
    ],
)
def test_permendagri_categories_at_their_boundaries(value, expected):
    assert metrics.kategori(value) == expected


def test_category_scale_is_configurable():
    assert metrics.kategori(100.84, SIX_TIER_SCALE) == "Sangat Baik"
    assert metrics.kategori(95.0, SIX_TIER_SCALE) == "Baik"
    assert metrics.kategori(10.0, SIX_TIER_SCALE) == "Buruk"
    assert metrics.kategori(math.nan) == ""


def test_tingkat_kemajuan_against_renstra_end_target():
    assert metrics.tingkat_kemajuan_pct(40.57, 50) == pytest.approx(81.14)
    assert metrics.tingkat_kemajuan_pct(79.71, 78) == pytest.approx(102.192_3, abs=1e-4)


def test_efficiency_label_and_index():
    assert metrics.efficiency_label(100.84, 81.40) == "Efisiensi"
    assert metrics.efficiency_label(95.0, 81.40) == "Tidak Efisiensi"
    assert metrics.efficiency_label(120.0, 100.0) == "Tidak Efisiensi"
    assert metrics.efficiency_label(95.0, 81.40, threshold_pct=90.0) == "Efisiensi"
    assert metrics.efficiency_index(100.0, 80.0) == pytest.approx(20.0)
