"""Table 3.7: remaining budget (SILPA) and its share, per program / kegiatan / sub kegiatan."""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.report.checks import BUDGET_LINE_CHECKS, BUDGET_LINE_KEYS, Check, TableSpec, pct_rule
from tasks.report.model import (
    ANGGARAN,
    KODE,
    REALISASI_RP,
    URAIAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    opd_columns,
)


def table_3_7(budget: pd.DataFrame) -> pd.DataFrame:
    """Table 3.7 from the rolled-up budget lines: SILPA and its share added."""
    table = budget[[*opd_columns(budget), "kode", "level", "uraian"]].assign(
        anggaran=budget["anggaran_rp"], realisasi=budget["realisasi_sd_bulan_ini_rp"]
    )
    table["silpa"] = metrics.silpa_rp(table["realisasi"], table["anggaran"])
    table["persen_silpa"] = metrics.silpa_pct(table["realisasi"], table["anggaran"])
    return table


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the budget lines; None when no month of the year is loaded."""
    return None if inputs.budget is None else table_3_7(inputs.budget)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel 3. 7", "Table 3.7"),
            ("Rincian Sisa Anggaran", "Remaining Budget (SILPA)"),
            ctx.opd_budget_year,
        ],
        cols=[
            KODE,
            URAIAN,
            ANGGARAN,
            REALISASI_RP,
            Col("silpa", ("SILPA (Rp)", "SILPA (Rp)"), "amount", 17),
            Col("persen_silpa", ("%", "%"), "number", 9),
        ],
        hierarchy=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by code; amounts and SILPA exactly, its share at the printed rounding."""
    return TableSpec(
        "tabel_3_7*.csv",
        "tabel_3_7",
        "Tabel 3.7",
        BUDGET_LINE_KEYS,
        (
            *BUDGET_LINE_CHECKS,
            Check("silpa_tercetak", "silpa", "amount", "SILPA = anggaran − realisasi, sama persis"),
            Check(
                "persen_tercetak",
                "persen_silpa",
                "pct",
                pct_rule("% SILPA = (anggaran − realisasi) / anggaran × 100"),
            ),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_7",
    "Tabel 3.7",
    compute,
    layout,
    reconcile,
    place="III.D.3",
    narrative_before=("sisa_anggaran",),
    role="program_silpa",
)
