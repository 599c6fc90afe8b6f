"""Table 3.3: analysis of success or failure of the sasaran indicators: target, realisasi and capaian
from the warehouse, the cause and the solution as the indicator workbook writes them.
"""

from __future__ import annotations

import pandas as pd

from tasks.report.checks import Check, TableSpec, pct_rule
from tasks.report.model import (
    INDICATOR,
    NO,
    TERMS,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    sasaran_table,
    text_column,
)


def table_3_3(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 3.3: the sasaran indicators' capaian with the analysis (cause) and the solution."""
    texts = ("analisis_penyebab", "faktor_pendukung", "faktor_penghambat", "solusi")
    return sasaran_table(
        indicators,
        lambda sasaran: {
            "realisasi": sasaran["realisasi"],
            "capaian": sasaran["capaian"],
            **{name: text_column(sasaran, name) for name in texts},
        },
    )


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_3_3(inputs.indicators)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: the figures of Table 3.1, then the analysis, the supporting and hindering
    factors (only when the workbook gives any) and the solution."""
    factors = [
        Col(name, (TERMS[name], TERMS[name]), "text", 26)
        for name in ("faktor_pendukung", "faktor_penghambat")
        if name in df.columns and df[name].astype(str).str.strip().ne("").any()
    ]
    return Layout(
        titles=[
            ("Tabel 3. 3", "Table 3.3"),
            ("Analisis Keberhasilan / Kegagalan Kinerja", "Analysis of Performance Success / Failure"),
            ctx.opd_year,
        ],
        cols=[
            NO,
            Col("sasaran", ("Tujuan/Sasaran", "Goal/Objective"), "text", 24),
            Col(INDICATOR.key, INDICATOR.heading, "text", 22),
            Col("target", ("Target", "Target"), "number", 9, unit="satuan"),
            Col("realisasi", ("Realisasi", "Realization"), "number", 9, unit="satuan"),
            Col("capaian", ("Capaian", "Achievement"), "number", 9),
            Col(
                "analisis_penyebab",
                (f"{TERMS['analisis']} Keberhasilan / Kegagalan Kinerja", "Analysis of Success / Failure"),
                "text",
                40,
            ),
            *factors,
            Col("solusi", ("Solusi", "Solution"), "text", 30),
        ],
        numbering=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by number; the figures as Table 3.1 prints them, the texts loosely."""
    return TableSpec(
        "tabel_3_3*.csv",
        "tabel_3_3",
        "Tabel 3.3",
        (("no", "no"),),
        (
            Check("sasaran", "sasaran", "name"),
            Check("indikator", "indikator", "name"),
            Check("target", "target", "value"),
            Check("realisasi", "realisasi", "value"),
            Check("capaian_tercetak", "capaian", "pct", pct_rule("capaian = realisasi / target × 100")),
            Check("analisis_penyebab", "analisis_penyebab", "name"),
            Check("solusi", "solusi", "name"),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_3",
    "Tabel 3.3",
    compute,
    layout,
    reconcile,
    place="III.B",
    narrative_before=("pengantar_analisis",),
    role="analysis",
)
