"""Table 3.4: per sasaran, capaian kinerja against the serapan of the programs that fund it."""

from __future__ import annotations

import math

import pandas as pd

from tasks.core import metrics
from tasks.report.checks import Check, TableSpec, pct_rule
from tasks.report.model import (
    NO,
    SASARAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
)


def table_3_4(
    indicators: pd.DataFrame, budget: pd.DataFrame, efficiency_threshold_pct: float
) -> pd.DataFrame:
    """Table 3.4: per sasaran, capaian kinerja against the serapan of the programs that fund it."""
    programs = budget[budget["level"] == "program"].set_index("kode")
    rows = []
    for _, row in indicators[indicators["jenis"] == "sasaran"].iterrows():
        codes = [code.strip() for code in row["kode_program"].replace(",", ";").split(";") if code.strip()]
        funded = programs.reindex(codes)
        anggaran = float(funded["anggaran_rp"].sum()) if codes else math.nan
        realisasi = float(funded["realisasi_sd_bulan_ini_rp"].sum()) if codes else math.nan
        serapan = metrics.serapan_pct(realisasi, anggaran)
        rows.append(
            {
                "no": row["no"],
                "sasaran": row["uraian"],
                "target": row["target"],
                "realisasi": row["realisasi"],
                "capaian_kinerja": row["capaian"],
                "anggaran": anggaran,
                "realisasi_anggaran": realisasi,
                "serapan": serapan,
                "efisiensi": metrics.efficiency_label(row["capaian"], serapan, efficiency_threshold_pct),
                "satuan": row["satuan"],
            }
        )
    columns = [
        "no",
        "sasaran",
        "target",
        "realisasi",
        "capaian_kinerja",
        "anggaran",
        "realisasi_anggaran",
        "serapan",
        "efisiensi",
        "satuan",
    ]
    return pd.DataFrame(rows, columns=columns)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the indicators and the budget lines; None without either."""
    if inputs.indicators is None or inputs.budget is None:
        return None
    return table_3_4(inputs.indicators, inputs.budget, inputs.efficiency_threshold_pct)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    ik = ("INDIKATOR KINERJA", "PERFORMANCE INDICATOR")
    budget = ("ANGGARAN", "BUDGET")
    return Layout(
        titles=[
            ("Tabel 3. 4", "Table 3.4"),
            ("Tingkat Efisiensi Penggunaan Anggaran", "Efficiency of Budget Use"),
            ctx.opd_year,
        ],
        cols=[
            NO,
            SASARAN,
            Col("target", ("Target", "Target"), "number", 10, ik, unit="satuan"),
            Col("realisasi", ("Realisasi", "Realization"), "number", 10, ik, unit="satuan"),
            Col("capaian_kinerja", ("% Capaian", "% Achievement"), "number", 10, ik),
            Col("anggaran", ("Anggaran", "Budget"), "amount", 17, budget),
            Col("realisasi_anggaran", ("Realisasi", "Realization"), "amount", 17, budget),
            Col("serapan", ("% Capaian", "% Absorption"), "number", 10, budget),
            Col("efisiensi", ("Tingkat Efisiensi", "Efficiency"), "number", 22),
        ],
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by number; the ``keterangan`` column reconciled as the efficiency label."""
    return TableSpec(
        "tabel_3_4*.csv",
        "tabel_3_4",
        "Tabel 3.4",
        (("no", "no"),),
        (
            Check("sasaran", "sasaran", "name"),
            Check("target", "target", "value"),
            Check("realisasi", "realisasi", "value"),
            Check(
                "capaian_kinerja_tercetak",
                "capaian_kinerja",
                "pct",
                pct_rule("capaian = realisasi / target × 100"),
            ),
            Check("anggaran", "anggaran", "amount"),
            Check("realisasi_anggaran", "realisasi_anggaran", "amount"),
            Check(
                "serapan_tercetak",
                "serapan",
                "pct",
                pct_rule("serapan = realisasi anggaran / anggaran × 100 (program pendukung)"),
            ),
            Check(
                "keterangan_tercetak",
                "efisiensi",
                "label",
                "label efisiensi: Efisiensi bila capaian ≥ ambang dan serapan < ambang",
            ),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_4",
    "Tabel 3.4",
    compute,
    layout,
    reconcile,
    place="III.B",
    narrative_before=("pengantar_efisiensi",),
    narrative_after=("efisiensi",),
    role="efficiency",
)
