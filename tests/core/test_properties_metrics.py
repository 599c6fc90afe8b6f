"""Properties of the SAKIP formulas (DOMAIN: serapan, SILPA, capaian for positive and negative indicators,
the Permendagri 86/2017 categories): bounds, monotonicity, and the vectorised forms agreeing with the
scalar ones."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tasks.core.metrics import (
    PERMENDAGRI_86_2017_SCALE,
    capaian_pct,
    capaian_series,
    kategori,
    serapan_pct,
    silpa_pct,
    silpa_rp,
)

#: Rupiah amounts: a budget line is positive, up to a province's year.
BUDGET = st.integers(min_value=1, max_value=10**13)
#: Indicator values (targets, realisations): positive, in any unit.
VALUE = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
CATEGORIES = [label for _, label in PERMENDAGRI_86_2017_SCALE]


@st.composite
def spent(draw: st.DrawFn) -> tuple[int, int]:
    """(realisasi, anggaran) with 0 ≤ realisasi ≤ anggaran."""
    anggaran = draw(BUDGET)
    return draw(st.integers(0, anggaran)), anggaran


@given(spent())
def test_serapan_is_realisasi_over_anggaran_bounded_by_0_and_100(pair: tuple[int, int]) -> None:
    realisasi, anggaran = pair
    serapan = serapan_pct(realisasi, anggaran)
    assert serapan == pytest.approx(realisasi / anggaran * 100, rel=1e-12)
    assert 0.0 <= serapan <= 100.0
    assert (serapan == 100.0) == (realisasi == anggaran)
    assert serapan + silpa_pct(realisasi, anggaran) == pytest.approx(100.0, abs=1e-9)
    assert silpa_rp(realisasi, anggaran) == anggaran - realisasi >= 0


@given(BUDGET, st.integers(0, 10**13), st.integers(0, 10**13))
def test_serapan_grows_with_realisasi(anggaran: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert serapan_pct(low, anggaran) <= serapan_pct(high, anggaran)


@given(st.integers(1, 10**13), BUDGET, BUDGET)
def test_serapan_falls_as_the_budget_grows(realisasi: int, a: int, b: int) -> None:
    small, large = sorted((a, b))
    assert serapan_pct(realisasi, large) <= serapan_pct(realisasi, small)


@given(st.integers(0, 10**13) | st.just(math.nan))
def test_serapan_of_no_budget_is_not_a_number(realisasi: float) -> None:
    assert math.isnan(serapan_pct(realisasi, 0))
    assert math.isnan(serapan_pct(realisasi, math.nan))
    assert math.isnan(serapan_pct(realisasi, None))


@given(st.lists(st.tuples(st.integers(0, 10**13), st.integers(0, 10**13)), max_size=20))
def test_serapan_of_a_column_is_the_serapan_of_each_line(pairs: list[tuple[int, int]]) -> None:
    realisasi = pd.Series([r for r, _ in pairs], dtype="float64")
    anggaran = pd.Series([a for _, a in pairs], dtype="float64")
    column = serapan_pct(realisasi, anggaran)
    for value, (r, a) in zip(column, pairs, strict=True):
        one = serapan_pct(r, a)
        assert (math.isnan(value) and math.isnan(one)) or value == pytest.approx(one, rel=1e-12)


@given(VALUE, VALUE)
def test_capaian_of_a_positive_indicator_is_realisasi_over_target(target: float, realisasi: float) -> None:
    capaian = capaian_pct(target, realisasi, "positif")
    assert capaian == pytest.approx(realisasi / target * 100, rel=1e-12)
    assert capaian > 0


@given(VALUE, st.sampled_from(["positif", "negatif"]))
def test_hitting_the_target_is_100_whatever_the_direction(target: float, arah: str) -> None:
    assert capaian_pct(target, target, arah) == pytest.approx(100.0, rel=1e-12)
    assert capaian_pct(target, target, "negatif", "selisih") == 0.0  # the seed's variant: 0 on target


@given(VALUE, VALUE, VALUE)
def test_higher_is_better_for_positive_and_worse_for_negative_indicators(
    target: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert capaian_pct(target, low, "positif") <= capaian_pct(target, high, "positif")
    assert capaian_pct(target, low, "negatif") >= capaian_pct(target, high, "negatif")
    assert capaian_pct(target, low, "negatif", "selisih") >= capaian_pct(target, high, "negatif", "selisih")
    if low < target < high:  # beating the target is above 100 either way
        assert capaian_pct(target, high, "positif") > 100 > capaian_pct(target, low, "positif")
        assert capaian_pct(target, low, "negatif") > 100 > capaian_pct(target, high, "negatif")


@given(VALUE, VALUE)
def test_negative_capaian_mirrors_the_positive_one_around_100(target: float, realisasi: float) -> None:
    """(2T − R)/T + R/T = 2: as far below 100 as the positive formula is above it; ``selisih`` 100 lower."""
    positive = capaian_pct(target, realisasi, "positif")
    standard = capaian_pct(target, realisasi, "negatif")
    rounding = 1e-12 * (abs(positive) + 200)  # what float subtraction may lose at that magnitude
    assert positive + standard == pytest.approx(200.0, abs=rounding)
    assert standard - capaian_pct(target, realisasi, "negatif", "selisih") == pytest.approx(
        100.0, abs=rounding
    )


@given(VALUE | st.just(0.0) | st.just(math.nan), VALUE | st.just(math.nan))
def test_capaian_without_a_target_or_a_realisasi_is_not_a_number(target: float, realisasi: float) -> None:
    assume(target == 0 or math.isnan(target) or math.isnan(realisasi))
    for arah in ("positif", "negatif"):
        assert math.isnan(capaian_pct(target, realisasi, arah))


@given(
    st.lists(
        st.tuples(
            VALUE | st.just(0.0),
            VALUE,
            st.sampled_from(["positif", "negatif"]),
            st.sampled_from(["standar", "selisih"]),
        ),
        max_size=20,
    )
)
def test_capaian_of_a_column_is_the_capaian_of_each_indicator(rows: list[tuple]) -> None:
    frame = pd.DataFrame(rows, columns=["target", "realisasi", "arah", "rumus"], dtype=object)
    column = capaian_series(
        frame["target"].astype("float64"), frame["realisasi"].astype("float64"), frame["arah"], frame["rumus"]
    )
    for value, (target, realisasi, arah, rumus) in zip(column, rows, strict=True):
        one = capaian_pct(target, realisasi, arah, rumus)
        assert (math.isnan(value) and math.isnan(one)) or value == pytest.approx(one, rel=1e-12, abs=1e-9)


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
def test_a_higher_capaian_never_gets_a_lower_category(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert CATEGORIES.index(kategori(high)) <= CATEGORIES.index(kategori(low))


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_categories_follow_the_permendagri_86_2017_bounds(x: float) -> None:
    """x > 90 Sangat Tinggi; 75 < x ≤ 90 Tinggi; 65 < x ≤ 75 Sedang; 50 < x ≤ 65 Rendah; else Sangat
    Rendah."""
    expected = (
        "Sangat Tinggi"
        if x > 90
        else "Tinggi"
        if x > 75
        else "Sedang"
        if x > 65
        else "Rendah"
        if x > 50
        else "Sangat Rendah"
    )
    assert kategori(x) == expected
