"""Table 2.1: tujuan and sasaran with their baseline and Renstra targets by year."""

from __future__ import annotations

import re

import pandas as pd

from tasks.report.checks import Check, TableSpec
from tasks.report.model import (
    NO,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
)


def table_2_1(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 2.1: tujuan and sasaran with their baseline and Renstra targets by year."""
    chosen = indicators[indicators["jenis"].isin(["tujuan", "sasaran"])]
    year_columns = sorted(c for c in chosen.columns if c.startswith("target_") and c[7:].isdigit())
    table = pd.DataFrame(
        {
            "no": chosen["no"],
            "jenis": chosen["jenis"],
            "uraian": chosen["uraian"],
            "indikator": chosen["indikator"],
            "data_awal": chosen["data_awal"],
        }
    )
    own_year = f"target_{int(chosen['year'].iloc[0])}" if not chosen.empty else ""
    for column in sorted({*year_columns, own_year} - {""}):
        table[column] = chosen[column] if column in chosen.columns else chosen["target"]
    return table.reset_index(drop=True)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_2_1(inputs.indicators)


def target_years(df: pd.DataFrame) -> list[str]:
    """Years of the ``target_<year>`` columns of table 2.1, in column order."""
    return [m.group(1) for c in df.columns if (m := re.fullmatch(r"target_(\d{4})", str(c)))]


def renstra_end_year(df: pd.DataFrame) -> int | None:
    """The last year of the Renstra targets of the table (None without targets)."""
    years = target_years(df)
    return int(years[-1]) if years else None


def renstra_start_year(df: pd.DataFrame, years: list[str]) -> int:
    """The first year of the Renstra period: the year of its baseline (``Data Awal``, the year before
    the first target) when the table has one, else the first target year."""
    first = int(years[0])
    has_baseline = "data_awal" in df.columns and df["data_awal"].notna().any()
    return first - 1 if has_baseline else first


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The printed columns the frame does not hold: tujuan and sasaran (and their indicators) apart."""
    out = df.copy()
    jenis = out.get("jenis", pd.Series("", index=out.index)).astype("object").fillna("").str.lower()
    is_goal = jenis.eq("tujuan")
    uraian = out.get("uraian", pd.Series(None, index=out.index, dtype="object")).astype("object")
    indikator = out.get("indikator", pd.Series(None, index=out.index, dtype="object")).astype("object")
    out["_tujuan"] = uraian.where(is_goal)
    out["_indikator_tujuan"] = indikator.where(is_goal)
    out["_sasaran"] = uraian.where(~is_goal)
    out["_indikator_sasaran"] = indikator.where(~is_goal)
    return out


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: titles, columns (widths, groups) as the document prints them."""
    years = target_years(df)
    span = (f" {renstra_start_year(df, years)}-{years[-1]}" if years else "",) * 2
    group = ("Target Kinerja pada Tahun", "Performance Target by Year")
    return Layout(
        titles=[
            ("Tabel 2. 1", "Table 2.1"),
            (f"Tujuan dan Sasaran {ctx.opd_named}", f"Goals and Objectives of {ctx.opd_named}"),
            (f"beserta Target Kinerja{span[0]}", f"with Performance Targets{span[1]}"),
        ],
        cols=[
            NO,
            Col("_tujuan", ("Tujuan", "Goal"), "text", 30),
            Col("_sasaran", ("Sasaran", "Objective"), "text", 30),
            Col("_indikator_tujuan", ("Indikator Tujuan", "Goal Indicator"), "text", 28),
            Col("_indikator_sasaran", ("Indikator Sasaran", "Objective Indicator"), "text", 28),
            Col("data_awal", ("Data Awal", "Baseline"), "number", 11),
            *[Col(f"target_{y}", (y, y), "number", 9, group) for y in years],
        ],
    )


def reconcile(year: int, published_columns: list[str]) -> TableSpec:
    """Rows by jenis and number; names loosely, baseline and Renstra targets at the printed rounding."""
    targets = [c for c in published_columns if re.fullmatch(r"target_\d{4}", c)]
    return TableSpec(
        "tabel_2_1*.csv",
        "tabel_2_1",
        "Tabel 2.1",
        (("jenis", "jenis"), ("no", "no")),
        (
            Check("uraian_tujuan_sasaran", "uraian", "name"),
            Check("indikator", "indikator", "name"),
            Check("data_awal", "data_awal", "value"),
            *(Check(c, c, "value") for c in targets),
        ),
    )


TABLE = LkjipTable(
    "tabel_2_1",
    "Tabel 2.1",
    compute,
    layout,
    reconcile,
    prepare=prepare,
    place="II.A.1",
    role="renstra_targets",
    end_year=renstra_end_year,
)
