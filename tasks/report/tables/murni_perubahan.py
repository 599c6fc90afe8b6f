"""The murni-perubahan table: per program, the original budget (murni, as in the Perjanjian Kinerja),
the revised budget and the change. Computed from the warehouse by the report writer (it needs every
month of the year), not from the year's inputs.
"""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.report.checks import Check, TableSpec
from tasks.report.inputs import sort_key
from tasks.report.model import (
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
)


def table_murni_perubahan(change: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Per program: original budget (murni, as in the Perjanjian Kinerja), revised budget and the change.

    From the per-program budget change (see :func:`tasks.report.extras.program_budget_change`) and the
    programs' names. Empty when no original budget is known. A last row ``JUMLAH`` holds the totals.
    """
    columns = ["kode", "uraian", "anggaran_murni", "anggaran_perubahan", "perubahan", "perubahan_pct"]
    if change.empty or change["anggaran_murni_rp"].isna().all():
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(
        {
            "kode": change["program"],
            "uraian": change["program"].map(names).fillna(""),
            "anggaran_murni": change["anggaran_murni_rp"],
            "anggaran_perubahan": change["anggaran_perubahan_rp"],
            "perubahan": change["perubahan_rp"],
        }
    )
    table = table.assign(_order=table["kode"].map(sort_key)).sort_values("_order").drop(columns="_order")
    total = {
        "kode": "",
        "uraian": "JUMLAH",
        "anggaran_murni": table["anggaran_murni"].sum(),
        "anggaran_perubahan": table["anggaran_perubahan"].sum(),
        "perubahan": table["perubahan"].sum(),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["perubahan_pct"] = metrics.serapan_pct(table["perubahan"], table["anggaran_murni"])
    return table[columns]


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel Anggaran Murni dan Perubahan", "Original and Revised Budget"),
            ("per Program", "by Program"),
            ctx.opd_budget_year,
        ],
        cols=[
            Col("kode", ("Kode", "Code"), "code", 12),
            Col("uraian", ("Program", "Program"), "text", 50),
            Col(
                "anggaran_murni",
                ("Murni (Perjanjian Kinerja)", "Original"),
                "amount",
                18,
                ("ANGGARAN (Rp)", "BUDGET (Rp)"),
            ),
            Col(
                "anggaran_perubahan",
                ("Perubahan", "Revised"),
                "amount",
                18,
                ("ANGGARAN (Rp)", "BUDGET (Rp)"),
            ),
            Col("perubahan", ("Selisih (Rp)", "Change (Rp)"), "amount", 18),
            Col("perubahan_pct", ("Selisih (%)", "Change (%)"), "number", 10),
        ],
        bold_total=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """The murni budget per program as printed in the Perjanjian Kinerja's appendix."""
    return TableSpec(
        "perjanjian_kinerja*.csv",
        "tabel_murni_perubahan",
        "Lampiran Perjanjian Kinerja (anggaran murni)",
        (("program_kode", "kode"),),
        (
            Check("program", "uraian", "name"),
            Check("anggaran_pk", "anggaran_murni", "amount"),
        ),
    )


TABLE = LkjipTable(
    "tabel_murni_perubahan",
    "Anggaran Murni-Perubahan",
    None,
    layout,
    reconcile,
    place="LAMPIRAN",
    narrative_after=("murni",),
    role="budget_change",
)
