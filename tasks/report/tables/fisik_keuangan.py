"""Physical progress beside financial progress at the year's end, per program / kegiatan / sub kegiatan:
the realization's share of the budget (keuangan) and the reported physical progress (fisik, the
sub kegiatan's own; above them weighted by the budget of the sub kegiatan that report one).
"""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
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


def table_fisik_keuangan(budget: pd.DataFrame) -> pd.DataFrame:
    """The budget lines with keuangan % (serapan) and fisik %; of several OPDs' lines, those of the OPDs
    reporting fisik somewhere."""
    by = opd_columns(budget)
    table = budget[[*by, "kode", "level", "uraian"]].assign(
        anggaran=budget["anggaran_rp"], realisasi=budget["realisasi_sd_bulan_ini_rp"], fisik=budget["fisik"]
    )
    table.insert(
        len(table.columns) - 1, "keuangan", metrics.serapan_pct(table["realisasi"], table["anggaran"])
    )
    if by:
        reported = table["fisik"].notna().groupby([table[c] for c in by]).transform("any")
        table = table[reported]
    return table.reset_index(drop=True)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the budget lines; None when no month is loaded or no line reports fisik."""
    if inputs.budget is None or "fisik" not in inputs.budget.columns or inputs.budget["fisik"].isna().all():
        return None
    return table_fisik_keuangan(inputs.budget)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """Keuangan and fisik side by side under one heading."""
    progress = ("Realisasi (%)", "Progress (%)")
    return Layout(
        titles=[
            ("Realisasi Fisik dan Keuangan", "Physical and Financial Progress"),
            ctx.opd_budget_year,
        ],
        cols=[
            KODE,
            URAIAN,
            ANGGARAN,
            REALISASI_RP,
            Col("keuangan", ("Keuangan", "Financial"), "number", 10, progress),
            Col("fisik", ("Fisik", "Physical"), "number", 10, progress),
        ],
        hierarchy=True,
    )


TABLE = LkjipTable(
    "tabel_fisik_keuangan",
    "Fisik dan Keuangan",
    compute,
    layout,
    None,
    place="LAMPIRAN",
)
