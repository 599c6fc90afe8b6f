"""Table 3.5: capaian of the tujuan, sasaran and program indicators, with the realization of earlier
years ("NA" printed where there is none).
"""

from __future__ import annotations

import re

import pandas as pd

from tasks.core.formatting import is_missing, is_number
from tasks.report.checks import Check, TableSpec, pct_rule
from tasks.report.inputs import category
from tasks.report.model import (
    NO,
    ChartSpec,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
)

#: A realization of an earlier year (``realisasi_2020``), as the indicators and the table carry it.
EARLIER = re.compile(r"realisasi_(\d{4})")


def earlier_years(frame: pd.DataFrame) -> list[str]:
    """The ``realisasi_<year>`` columns of the years before last year, oldest first."""
    return sorted(c for c in frame.columns if EARLIER.fullmatch(str(c)))


def table_3_5(indicators: pd.DataFrame, scale: tuple[tuple[float, str], ...]) -> pd.DataFrame:
    """Table 3.5: achievement of tujuan, sasaran and program indicators, with the realization of the
    years before (last year's, and the earlier years' the warehouse holds)."""
    chosen = indicators[indicators["jenis"].isin(["tujuan", "sasaran", "program"])]
    table = pd.DataFrame(
        {
            "jenis": chosen["jenis"],
            "no": chosen["no"],
            "indikator": chosen["indikator"],
            "target": chosen["target"],
            "realisasi": chosen["realisasi"],
            "capaian": chosen["capaian"],
            "kategori": category(chosen["capaian"], scale),
            **{column: chosen[column] for column in earlier_years(chosen)},
            "realisasi_tahun_lalu": chosen["realisasi_tahun_lalu"],
            "satuan": chosen["satuan"],
        }
    )
    return table.reset_index(drop=True)


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The realizations of earlier years printed "NA" where there is none, as the document does."""
    columns = [*earlier_years(df), "realisasi_tahun_lalu"]
    return df.assign(**{c: df[c].astype("object").where(df[c].notna(), "NA") for c in columns if c in df})


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_3_5(inputs.indicators, inputs.capaian_scale)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    group = (f"Capaian Kinerja Tahun {ctx.year}", f"Performance Achievement {ctx.year}")
    return Layout(
        titles=[
            ("Tabel 3. 5", "Table 3.5"),
            ("Capaian Kinerja Tujuan dan Sasaran", "Achievement of Goals and Objectives"),
            ctx.opd_year,
        ],
        cols=[
            NO,
            Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 50),
            Col("target", ("Target", "Target"), "number", 11, group, unit="satuan"),
            Col("realisasi", ("Realisasi", "Realization"), "number", 11, group, unit="satuan"),
            Col("capaian", ("%", "%"), "number", 10, group),
            Col("kategori", ("Tingkat Capaian", "Achievement Level"), "label", 14, group),
            *(
                Col(
                    column,
                    (f"Realisasi Tahun {column[10:]}", f"Realization {column[10:]}"),
                    "number",
                    11,
                    unit="satuan",
                )
                for column in earlier_years(df)
            ),
            Col(
                "realisasi_tahun_lalu",
                (f"Realisasi Tahun {ctx.year - 1}", f"Realization {ctx.year - 1}"),
                "number",
                13,
                unit="satuan",
            ),
        ],
        numbering=True,
        sections=True,
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by jenis and number; last year's realization in the ``realisasi_<year - 1>`` column."""
    return TableSpec(
        "tabel_3_5*.csv",
        "tabel_3_5",
        "Tabel 3.5",
        (("jenis", "jenis"), ("no", "no")),
        (
            Check("indikator", "indikator", "name"),
            Check("target", "target", "value"),
            Check("realisasi", "realisasi", "value"),
            Check("capaian_tercetak", "capaian", "pct", pct_rule("capaian = realisasi / target × 100")),
            Check("kategori_tercetak", "kategori", "label", "kategori pada skala capaian (konfigurasi)"),
            Check(f"realisasi_{year - 1}", "realisasi_tahun_lalu", "value"),
        ),
    )


TABLE = LkjipTable(
    "tabel_3_5",
    "Tabel 3.5",
    compute,
    layout,
    reconcile,
    prepare,
    place="III.C",
    narrative_before=("pengantar_tujuan_sasaran",),
    narrative_after=("tujuan_sasaran", "analisis"),
    charts_after=("capaian_indikator",),
    role="indicator_capaian",
    charts_from=(
        ChartSpec(
            "capaian_indikator",
            "indikator",
            "capaian",
            lambda row: is_number(row.get("capaian")) and not is_missing(row.get("capaian")),
        ),
    ),
)
