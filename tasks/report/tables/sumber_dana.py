"""The use of the transfer funds per sub kegiatan (chapter III.D.2): each funding source other than
the region's own revenue (PAD), the sub kegiatan it pays for, its budget, realization and serapan.
"""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.core.text import loose_text
from tasks.report.model import (
    ANGGARAN,
    KODE,
    REALISASI_RP,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    opd_columns,
)

#: Funding sources that are the region's own revenue (compared loosely): the detail leaves them out.
OWN_REVENUE: frozenset[str] = frozenset({"pad", "pendapatan asli daerah", "apbd", "apbd kota", "apbd kab"})

COLUMNS = ["jenis", "kode", "uraian", "anggaran", "realisasi", "serapan"]


def is_own_revenue(source: str) -> bool:
    """A funding source naming the region's own revenue (PAD), or none at all."""
    text = loose_text(source)
    return not text or text in OWN_REVENUE or text.startswith("pad ")


def table_sumber_dana(funding: pd.DataFrame) -> pd.DataFrame:
    """Per transfer source (``jenis``: its name as written), its sub kegiatan with budget, realization
    and serapan, sources and sub kegiatan in code order (per OPD, keeping its column, when the rows of
    several OPDs are given together)."""
    by = opd_columns(funding)
    chosen = funding[~funding["sumber_dana"].map(is_own_revenue)]
    if chosen.empty:
        return pd.DataFrame(columns=[*by, *COLUMNS])
    table = chosen.groupby([*by, "sumber_dana", "kode"], as_index=False, sort=True).agg(
        uraian=("uraian", "first"),
        anggaran=("anggaran_rp", "sum"),
        realisasi=("realisasi_sd_bulan_ini_rp", "sum"),
    )
    table = table.rename(columns={"sumber_dana": "jenis"})
    table["serapan"] = metrics.serapan_pct(table["realisasi"], table["anggaran"])
    return table[[*by, *COLUMNS]].reset_index(drop=True)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the funding sources of the budget lines; None when they are unknown or all PAD."""
    if inputs.funding is None:
        return None
    table = table_sumber_dana(inputs.funding)
    return None if table.empty else table


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """Sub kegiatan under a line naming their funding source."""
    return Layout(
        titles=[
            ("Penggunaan Dana Transfer per Sub Kegiatan", "Use of Transfer Funds per Sub-activity"),
            ctx.opd_budget_year,
        ],
        cols=[
            KODE,
            Col("uraian", ("Sub Kegiatan", "Sub-activity"), "text", 58),
            ANGGARAN,
            REALISASI_RP,
            Col("serapan", ("Serapan (%)", "Absorption (%)"), "number", 11),
        ],
        sections=True,
    )


TABLE = LkjipTable(
    "tabel_sumber_dana",
    "Sumber Dana",
    compute,
    layout,
    None,
    place="LAMPIRAN",
    role="funding_sources",
)
