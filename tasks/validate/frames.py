"""The staged frames Great Expectations validates: every workbook of a batch stacked, each row
carrying its ``file`` and worksheet ``row``, with the previous (and next) month a rule compares with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.core import metrics
from tasks.core.columns import CASH_PLAN_MONTHS
from tasks.core.hierarchy import node_keys, parent_codes
from tasks.core.metrics import QUARTERS, quarterly_year_value, year_value_aggregation
from tasks.core.staging import CashPlanWorkbook, IndicatorWorkbook, RealizationWorkbook, file_labels
from tasks.core.subtotals import RUPIAH_TOLERANCE

PreviousLookup = Callable[[str, int, int], pd.DataFrame | None]
Labels = Mapping[tuple[Path, str], str]


def labels_of(
    workbooks: Iterable[RealizationWorkbook | IndicatorWorkbook | CashPlanWorkbook], labels: Labels | None
) -> Labels:
    """The given labels, or the workbooks' own (their names, paths where two names clash)."""
    return labels if labels is not None else file_labels(wb.key for wb in workbooks)


def realization_frame(
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    corrections: Iterable[str] = (),
    labels: Labels | None = None,
    following: PreviousLookup | None = None,
) -> pd.DataFrame:
    """All realization workbooks of a batch stacked, with tree keys, last month's and next month's figures.

    ``previous(opd_code, year, month)`` gives the sub kegiatan rows (``kode``, ``realisasi_sd_bulan_ini_rp``,
    ``anggaran_rp``) of the month before, or None when that month is unknown; January starts from zero.
    ``following`` gives the rows (``kode``, ``realisasi_bulan_ini_rp``, ``realisasi_sd_bulan_ini_rp``) of
    the month after, where one is already loaded (``next_*`` columns; NaN otherwise).
    ``effective_realisasi_sd_bulan_ini_rp`` is the realization to date as it will be loaded: the file's,
    or, for a file giving only the month column, last month's to date plus this month.
    Each row's ``file`` is its file's label (unique in the batch); ``corrections`` are labels too.
    """
    if not workbooks:
        return pd.DataFrame()
    corrected = set(corrections)
    labels = labels_of(workbooks, labels)
    names = [labels[wb.key] for wb in workbooks]
    sizes = [len(wb.lines) for wb in workbooks]
    frame = pd.concat([wb.lines for wb in workbooks], ignore_index=True)
    frame["file"] = np.repeat(names, sizes)
    frame["opd_code"] = np.repeat([wb.opd_code for wb in workbooks], sizes)
    frame["year"] = np.repeat([wb.year for wb in workbooks], sizes)
    frame["month"] = np.repeat([wb.month for wb in workbooks], sizes)
    frame["is_correction"] = np.repeat([name in corrected for name in names], sizes)
    frame["node_key"] = node_keys(frame)
    frame["parent_key"] = parent_codes(frame).where(frame["level"] != "total", None)
    befores = {
        name: before
        for wb, name in zip(workbooks, names, strict=True)
        if (before := _previous_month(wb, previous)) is not None
    }
    subs = (frame["level"] == "sub_kegiatan").to_numpy()
    _attach_month(
        frame,
        subs,
        befores,
        {"realisasi_sd_bulan_ini_rp": "prev_realisasi_sd_bulan_ini_rp", "anggaran_rp": "prev_anggaran_rp"},
    )
    frame.loc[subs & (frame["month"] == 1), "prev_realisasi_sd_bulan_ini_rp"] = 0.0
    # as the load derives it: a code missing from a known previous month starts from zero
    previous_known = np.repeat(
        [wb.month <= 1 or name in befores for wb, name in zip(workbooks, names, strict=True)], sizes
    )
    before = frame["prev_realisasi_sd_bulan_ini_rp"].fillna(0.0).where(previous_known & subs)
    frame["effective_realisasi_sd_bulan_ini_rp"] = frame["realisasi_sd_bulan_ini_rp"].where(
        frame["realisasi_sd_bulan_ini_rp"].notna(), before + frame["realisasi_bulan_ini_rp"]
    )
    afters = {
        name: after
        for wb, name in zip(workbooks, names, strict=True)
        if following is not None
        and wb.month < 12
        and (after := following(wb.opd_code, wb.year, wb.month + 1)) is not None
    }
    _attach_month(
        frame,
        subs,
        afters,
        {
            "realisasi_bulan_ini_rp": "next_realisasi_bulan_ini_rp",
            "realisasi_sd_bulan_ini_rp": "next_realisasi_sd_bulan_ini_rp",
        },
    )
    # the amendment month: last month's budget became this month's Anggaran Murni
    murni = frame["anggaran_murni_rp"]
    frame["amendment"] = (
        murni.notna()
        & ((frame["prev_anggaran_rp"] - murni).abs() <= RUPIAH_TOLERANCE)
        & ((frame["anggaran_rp"] - murni).abs() > RUPIAH_TOLERANCE)
    )
    return frame


def _attach_month(
    frame: pd.DataFrame, subs: np.ndarray, months: dict[str, pd.DataFrame], columns: dict[str, str]
) -> None:
    """Put another month's sub kegiatan figures (per file label: its rows by ``kode``) on the frame's
    sub kegiatan rows, as the ``columns`` named (source -> new column; NaN where unknown)."""
    for name in columns.values():
        frame[name] = math.nan
    if not months:
        return
    known = (
        pd.concat([rows.assign(file=name) for name, rows in months.items()], ignore_index=True)
        .drop_duplicates(["file", "kode"])
        .set_index(["file", "kode"])
    )
    wanted = pd.MultiIndex.from_arrays([frame.loc[subs, "file"], frame.loc[subs, "kode"]])
    for source, name in columns.items():
        frame.loc[subs, name] = known[source].reindex(wanted).to_numpy()


def _previous_month(wb: RealizationWorkbook, previous: PreviousLookup) -> pd.DataFrame | None:
    """The sub kegiatan rows of the month before ``wb`` (None in January or when unknown)."""
    if wb.month <= 1:
        return None
    return previous(wb.opd_code, wb.year, wb.month - 1)


def batch_previous_lookup(
    workbooks: Sequence[RealizationWorkbook], fallback: PreviousLookup
) -> PreviousLookup:
    """Last month's rows from the batch itself when it holds that month, else from ``fallback``.

    A month of the batch giving only the month column gets its realization to date as the load will
    derive it (the month before's to date plus this month), so the month after is checked against it.
    """
    by_period = {(wb.opd_code, wb.year, wb.month): wb for wb in workbooks}
    found: dict[tuple[str, int, int], pd.DataFrame | None] = {}

    def lookup(opd_code: str, year: int, month: int) -> pd.DataFrame | None:
        key = (opd_code, year, month)
        wb = by_period.get(key)
        if wb is None:
            return fallback(opd_code, year, month)
        if key not in found:
            subs = wb.lines[wb.lines["level"] == "sub_kegiatan"]
            rows = subs[["kode", "realisasi_sd_bulan_ini_rp", "anggaran_rp"]]
            if rows["realisasi_sd_bulan_ini_rp"].isna().any():
                before = lookup(opd_code, year, month - 1) if month > 1 else rows.iloc[:0]
                to_date = math.nan
                if before is not None:
                    earlier = before.drop_duplicates("kode").set_index("kode")["realisasi_sd_bulan_ini_rp"]
                    earlier = earlier.reindex(subs["kode"]).fillna(0.0).to_numpy()
                    to_date = earlier + subs["realisasi_bulan_ini_rp"].to_numpy()
                rows = rows.assign(realisasi_sd_bulan_ini_rp=to_date)
            found[key] = rows
        return found[key]

    return lookup


def indicator_frame(workbooks: Sequence[IndicatorWorkbook], labels: Labels | None = None) -> pd.DataFrame:
    """All indicator workbooks of a batch stacked, with the quarter aggregation and capaian."""
    labels = labels_of(workbooks, labels)
    frames = []
    for wb in workbooks:
        frame = wb.indicators.assign(file=labels[wb.key], opd_code=wb.opd_code, year=wb.year)
        frame["aggregation"] = year_value_aggregation(frame)
        implied = quarterly_year_value(frame, QUARTERS, "aggregation")
        year_value = frame["realisasi"].where(frame["realisasi"].notna(), implied)
        known_rule = frame["rumus_capaian"].where(
            frame["rumus_capaian"].isin(["standar", "selisih"]), "standar"
        )
        known_arah = frame["arah"].where(frame["arah"].isin(["positif", "negatif"]), "positif")
        frame["capaian"] = metrics.capaian_series(frame["target"], year_value, known_arah, known_rule)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def cash_plan_frame(workbooks: Sequence[CashPlanWorkbook], labels: Labels | None = None) -> pd.DataFrame:
    """All anggaran kas workbooks of a batch stacked, with tree keys and each row's year's plan
    (``rencana_setahun_rp``, the sum of its twelve months)."""
    labels = labels_of(workbooks, labels)
    frame = pd.concat(
        [
            wb.lines.assign(file=labels[wb.key], opd_code=wb.opd_code, year=wb.year, expected_year=wb.year)
            for wb in workbooks
        ],
        ignore_index=True,
    )
    frame["node_key"] = node_keys(frame)
    frame["parent_key"] = parent_codes(frame).where(frame["level"] != "total", None)
    frame["rencana_setahun_rp"] = frame[list(CASH_PLAN_MONTHS)].fillna(0.0).sum(axis=1)
    return frame
