"""Table 3.2: this year's realization against the Renstra end target (tingkat kemajuan)."""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.report.checks import Check, TableSpec, pct_rule, year_column
from tasks.report.model import (
    INDICATOR,
    NO,
    SASARAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
)


def table_3_2(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 3.2: this year's realization against the Renstra end target (tingkat kemajuan)."""
    sasaran = indicators[indicators["jenis"] == "sasaran"]
    progress = [
        metrics.tingkat_kemajuan_pct(r, t, a)
        for r, t, a in zip(
            sasaran["realisasi"], sasaran["target_akhir_renstra"], sasaran["arah"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "no": sasaran["no"],
            "sasaran": sasaran["uraian"],
            "indikator": sasaran["indikator"],
            "realisasi": sasaran["realisasi"],
            "target_akhir_renstra": sasaran["target_akhir_renstra"],
            "tingkat_kemajuan": progress,
            "satuan": sasaran["satuan"],
        }
    ).reset_index(drop=True)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_3_2(inputs.indicators)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel 3. 2", "Table 3.2"),
            (
                "Perbandingan Realisasi Kinerja dengan Target Akhir Renstra" + ctx.end_text[0],
                "Performance Realization against the Strategic Plan End Target" + ctx.end_text[1],
            ),
            ctx.opd_year,
        ],
        cols=[
            NO,
            SASARAN,
            INDICATOR,
            Col(
                "realisasi",
                (f"Realisasi Tahun {ctx.year}", f"Realization {ctx.year}"),
                "number",
                13,
                unit="satuan",
            ),
            Col(
                "target_akhir_renstra",
                ("Target Akhir Renstra" + ctx.end_text[0], "Strategic Plan End Target" + ctx.end_text[1]),
                "number",
                14,
                unit="satuan",
            ),
            Col("tingkat_kemajuan", ("Tingkat Kemajuan (%)", "Progress (%)"), "number", 12),
        ],
        numbering=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by number; the year's realization and the Renstra end target (year-named columns)."""
    return TableSpec(
        "tabel_3_2*.csv",
        "tabel_3_2",
        "Tabel 3.2",
        (("no", "no"),),
        (
            Check("sasaran", "sasaran", "name"),
            Check("indikator", "indikator", "name"),
            Check(
                year_column(r"realisasi_\d{4}", published_columns, f"realisasi_{year}"), "realisasi", "value"
            ),
            Check(
                year_column(r"target_akhir_renstra(_\d{4})?", published_columns, "target_akhir_renstra"),
                "target_akhir_renstra",
                "value",
            ),
            Check(
                "tingkat_kemajuan_tercetak",
                "tingkat_kemajuan",
                "pct",
                pct_rule("tingkat kemajuan = realisasi / target akhir Renstra × 100"),
            ),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_2",
    "Tabel 3.2",
    compute,
    layout,
    reconcile,
    place="III.B",
    narrative_after=("kemajuan",),
    role="renstra_progress",
)
