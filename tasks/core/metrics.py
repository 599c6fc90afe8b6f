"""The formulas of SAKIP / LKjIP, as plain functions on scalars and pandas objects.

- *serapan* (budget absorption) = realisasi / anggaran × 100;
- *SILPA* (remaining budget) = anggaran − realisasi, and its share of anggaran;
- *capaian* (achievement of an indicator against its target), for positive indicators
  realisasi / target × 100; for negative ones (lower is better) the standard
  (2 × target − realisasi) / target × 100, or, per indicator, the variant printed in some LKjIP
  (target − realisasi) / target × 100 (``rumus_capaian = "selisih"``);
- *kategori* of a capaian on a configurable scale (default Permendagri 86/2017);
- *tingkat kemajuan*: this year's realisasi against the Renstra end target;
- the efficiency comparison of capaian kinerja against serapan (LKjIP Table 3.4).

Full precision everywhere: rounding happens only when a value is printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

Number = float | int
#: Permendagri 86/2017 scale as printed in the LKjIP: (exclusive lower bound, category), highest first.
PERMENDAGRI_86_2017_SCALE: tuple[tuple[float, str], ...] = (
    (90.0, "Sangat Tinggi"),
    (75.0, "Tinggi"),
    (65.0, "Sedang"),
    (50.0, "Rendah"),
    (float("-inf"), "Sangat Rendah"),
)
QUARTERS = ["tw1", "tw2", "tw3", "tw4"]
#: Units whose quarterly values are levels (the year value is the last quarter), not counts to add up.
LEVEL_UNITS = {"%", "persen", "nilai", "indeks", "skor"}


def _ratio_pct(numerator, denominator):
    """numerator / denominator × 100, NaN where the denominator is zero or missing."""
    if isinstance(numerator, pd.Series | np.ndarray) or isinstance(denominator, pd.Series | np.ndarray):
        num = pd.Series(numerator, dtype="float64") if not isinstance(numerator, pd.Series) else numerator
        den = (
            pd.Series(denominator, dtype="float64") if not isinstance(denominator, pd.Series) else denominator
        )
        den = den.astype("float64").where(den != 0)
        return num.astype("float64") / den * 100.0
    if denominator is None or denominator == 0 or _isnan(denominator) or _isnan(numerator):
        return math.nan
    return float(numerator) / float(denominator) * 100.0


def _isnan(value) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def serapan_pct(realisasi, anggaran):
    """Budget absorption (serapan) in percent: realisasi / anggaran × 100."""
    return _ratio_pct(realisasi, anggaran)


def silpa_rp(realisasi, anggaran):
    """Remaining budget (SILPA) in rupiah: anggaran − realisasi."""
    return anggaran - realisasi


def silpa_pct(realisasi, anggaran):
    """Remaining budget as a percentage of the budget."""
    return _ratio_pct(anggaran - realisasi, anggaran)


def capaian_pct(target: Number, realisasi: Number, arah: str = "positif", rumus: str = "standar") -> float:
    """Achievement of an indicator against its target, in percent.

    ``arah`` is ``positif`` (higher is better) or ``negatif``; for negative indicators ``rumus``
    ``standar`` gives (2T − R)/T × 100 (100 on target) and ``selisih`` gives (T − R)/T × 100.
    """
    if _isnan(target) or _isnan(realisasi) or target == 0:
        return math.nan
    t, r = float(target), float(realisasi)
    if arah == "positif":
        return r / t * 100.0
    if arah != "negatif":
        raise ValueError(f"unknown indicator direction: {arah!r}")
    if rumus == "selisih":
        return (t - r) / t * 100.0
    if rumus != "standar":
        raise ValueError(f"unknown capaian formula: {rumus!r}")
    return (2.0 * t - r) / t * 100.0


def capaian_series(target: pd.Series, realisasi: pd.Series, arah: pd.Series, rumus: pd.Series) -> pd.Series:
    """Vectorized :func:`capaian_pct` over aligned series."""
    t = target.astype("float64").where(target != 0)
    r = realisasi.astype("float64")
    positive = r / t * 100.0
    negative_standard = (2.0 * t - r) / t * 100.0
    negative_difference = (t - r) / t * 100.0
    negative = negative_difference.where(rumus == "selisih", negative_standard)
    return positive.where(arah != "negatif", negative)


def kategori(capaian: float, scale: Sequence[tuple[float, str]] = PERMENDAGRI_86_2017_SCALE) -> str:
    """Category of a capaian on a scale of (exclusive lower bound, label), highest bound first."""
    if _isnan(capaian):
        return ""
    for lower_bound, label in scale:
        if capaian > lower_bound:
            return label
    return scale[-1][1]


def tingkat_kemajuan_pct(realisasi: Number, target_akhir: Number, arah: str = "positif") -> float:
    """Progress towards the Renstra end target: realisasi / end target × 100 (positive indicators).

    For a negative indicator the achievement formula is applied against the end target instead.
    """
    if arah == "negatif":
        return capaian_pct(target_akhir, realisasi, arah)
    return _ratio_pct(realisasi, target_akhir)


def efficiency_index(capaian_kinerja_pct: float, serapan: float) -> float:
    """Central-government efficiency form E = (1 − serapan / capaian) × 100."""
    if _isnan(capaian_kinerja_pct) or _isnan(serapan) or capaian_kinerja_pct == 0:
        return math.nan
    return (1.0 - serapan / capaian_kinerja_pct) * 100.0


def efficiency_label(capaian_kinerja_pct: float, serapan: float, threshold_pct: float = 100.0) -> str:
    """``Efisiensi`` when capaian kinerja ≥ threshold while serapan < threshold (the LKjIP 2022 rule)."""
    if _isnan(capaian_kinerja_pct) or _isnan(serapan):
        return ""
    if capaian_kinerja_pct >= threshold_pct and serapan < threshold_pct:
        return "Efisiensi"
    return "Tidak Efisiensi"


def quarterly_year_value(frame: pd.DataFrame, quarters: list[str], aggregation: str) -> pd.Series:
    """The year value implied by the quarters: their sum, or the last one reported."""
    values = frame[quarters].astype("float64")
    total = values.sum(axis=1, min_count=1)
    last = values.ffill(axis=1).iloc[:, -1]
    return total.where(frame[aggregation] == "sum", last)


def year_value_aggregation(frame: pd.DataFrame) -> pd.Series:
    """How quarters make a year value: ``last`` for levels (%, scores, negative indicators), else ``sum``."""
    is_level = frame["satuan"].str.strip().str.lower().isin(LEVEL_UNITS) | (frame["arah"] == "negatif")
    return pd.Series("sum", index=frame.index, dtype="str").where(~is_level, "last")
