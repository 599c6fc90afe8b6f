"""Table 3.6: budget (perubahan) and realization per program / kegiatan / sub kegiatan, with serapan."""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.report.checks import BUDGET_LINE_CHECKS, BUDGET_LINE_KEYS, Check, TableSpec, pct_rule
from tasks.report.model import (
    ANGGARAN,
    KODE,
    REALISASI_RP,
    URAIAN,
    ChartSpec,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    opd_columns,
)


def table_3_6(budget: pd.DataFrame) -> pd.DataFrame:
    """Table 3.6 from the rolled-up budget lines: serapan added."""
    table = budget.assign(anggaran=budget["anggaran_rp"], realisasi=budget["realisasi_sd_bulan_ini_rp"])
    table["serapan"] = metrics.serapan_pct(table["realisasi"], table["anggaran"])
    return table[[*opd_columns(budget), "kode", "level", "uraian", "anggaran", "realisasi", "serapan"]]


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the budget lines; None when no month of the year is loaded."""
    return None if inputs.budget is None else table_3_6(inputs.budget)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel 3. 6", "Table 3.6"),
            ("Anggaran dan Realisasi Anggaran", "Budget and Budget Realization"),
            ctx.opd_budget_year,
        ],
        cols=[KODE, URAIAN, ANGGARAN, REALISASI_RP, Col("serapan", ("%", "%"), "number", 9)],
        hierarchy=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by code; amounts exactly, serapan at the printed rounding."""
    return TableSpec(
        "tabel_3_6*.csv",
        "tabel_3_6",
        "Tabel 3.6",
        BUDGET_LINE_KEYS,
        (
            *BUDGET_LINE_CHECKS,
            Check("persen_tercetak", "serapan", "pct", pct_rule("serapan = realisasi / anggaran × 100")),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_6",
    "Tabel 3.6",
    compute,
    layout,
    reconcile,
    place="III.D.2",
    narrative_before=("alokasi", "sumber_dana", "anggaran"),
    charts_after=("serapan_program", "realisasi_kumulatif", "realisasi_kumulatif_program"),
    role="program_budget",
    charts_from=(
        ChartSpec("serapan_program", "uraian", "serapan", lambda row: row.get("level") == "program"),
    ),
)
