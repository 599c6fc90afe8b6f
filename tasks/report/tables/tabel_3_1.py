"""Table 3.1: capaian of the sasaran (IKU / PK) indicators, with their category."""

from __future__ import annotations

import pandas as pd

from tasks.report.checks import Check, TableSpec, pct_rule
from tasks.report.inputs import category
from tasks.report.model import (
    INDICATOR,
    NO,
    SASARAN,
    SATUAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    sasaran_table,
    text_column,
)


def table_3_1(indicators: pd.DataFrame, scale: tuple[tuple[float, str], ...]) -> pd.DataFrame:
    """Table 3.1: achievement of the sasaran (PK / IKU) indicators."""
    return sasaran_table(
        indicators,
        lambda sasaran: {
            "realisasi": sasaran["realisasi"],
            "capaian": sasaran["capaian"],
            "kategori": category(sasaran["capaian"], scale),
            "definisi_operasional": definition(sasaran),
        },
    )


def definition(indicators: pd.DataFrame) -> pd.Series:
    """What the document prints as the "Definisi Operasional" of an indicator: its formula (how the
    value is measured), else its operational definition ("" when the workbook gives neither)."""
    formula = text_column(indicators, "formula")
    return formula.where(formula.str.strip() != "", text_column(indicators, "definisi_operasional"))


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_3_1(inputs.indicators, inputs.capaian_scale)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    return Layout(
        titles=[
            ("Tabel 3. 1", "Table 3.1"),
            (
                "Capaian Indikator Kinerja Utama dan Perjanjian Kinerja",
                "Achievement of the Key Performance Indicators and the Performance Agreement",
            ),
            ctx.opd_year,
        ],
        cols=[
            NO,
            SASARAN,
            INDICATOR,
            SATUAN,
            Col("target", ("Target", "Target"), "number", 11, unit="satuan"),
            Col("realisasi", ("Realisasi", "Realization"), "number", 11, unit="satuan"),
            Col("capaian", ("Capaian %", "Achievement %"), "number", 11),
            Col("kategori", ("Kategori", "Category"), "label", 14),
            Col(
                "definisi_operasional",
                ("Definisi Operasional", "Operational Definition"),
                "text",
                30,
            ),
        ],
        numbering=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by number; capaian at the printed rounding, kategori on the configured scale."""
    return TableSpec(
        "tabel_3_1*.csv",
        "tabel_3_1",
        "Tabel 3.1",
        (("no", "no"),),
        (
            Check("sasaran", "sasaran", "name"),
            Check("indikator", "indikator", "name"),
            Check("satuan", "satuan", "label"),
            Check("target", "target", "value"),
            Check("realisasi", "realisasi", "value"),
            Check("capaian_tercetak", "capaian", "pct", pct_rule("capaian = realisasi / target × 100")),
            Check("kategori_tercetak", "kategori", "label", "kategori pada skala capaian (konfigurasi)"),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_1",
    "Tabel 3.1",
    compute,
    layout,
    reconcile,
    place="III.B",
    narrative_before=("pengantar_capaian",),
    narrative_after=("capaian",),
    role="pk_capaian",
)
