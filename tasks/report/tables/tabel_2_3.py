"""Table 2.3: the sasaran indicators of the Perjanjian Kinerja with this year's target."""

from __future__ import annotations

import pandas as pd

from tasks.report.model import (
    NO,
    SATUAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    sasaran_table,
)


def table_2_3(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 2.3: the sasaran indicators of the Perjanjian Kinerja with this year's target."""
    return sasaran_table(indicators)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_2_3(inputs.indicators)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel 2. 3", "Table 2.3"),
            (
                "Sasaran Strategis beserta Indikator Kinerja pada",
                "Strategic Objectives and Indicators in the",
            ),
            (
                f"Perjanjian Kinerja {ctx.opd_named} Tahun {ctx.year}",
                f"Performance Agreement of {ctx.opd_named}, {ctx.year}",
            ),
        ],
        cols=[
            NO,
            Col("sasaran", ("Sasaran Strategis", "Strategic Objective"), "text", 42),
            Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 42),
            SATUAN,
            Col("target", (f"Target Tahun {ctx.year}", f"Target {ctx.year}"), "number", 14, unit="satuan"),
        ],
    )


TABLE = LkjipTable(
    "tabel_2_3",
    "Tabel 2.3",
    compute,
    layout,
    None,
    place="II.B",
)
