"""The forms of the Lampiran, from the indicator workbook and the budget: the Formulir Perjanjian
Kinerja (its sasaran with their indicators and targets, then its programs with their budget) and the
Formulir Penetapan Indikator Kinerja Utama (IKU), each signed by the head of the OPD.

The programs are those the budget funds in the year, with their budget after the change (the
Perjanjian Kinerja Perubahan the published LKjIP attaches), and a JUMLAH row.
"""

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


def table_pk_sasaran(indicators: pd.DataFrame) -> pd.DataFrame:
    """The sasaran of the Perjanjian Kinerja with their indicators and this year's targets."""
    return sasaran_table(indicators)


def table_pk_program(budget: pd.DataFrame) -> pd.DataFrame:
    """The programs of the year with their budget, numbered, and their total (JUMLAH)."""
    programs = budget[budget["level"] == "program"].drop_duplicates("kode")
    table = pd.DataFrame(
        {
            "no": [str(i) for i in range(1, len(programs) + 1)],
            "kode": programs["kode"].astype(str).tolist(),
            "uraian": programs["uraian"].astype(str).tolist(),
            "anggaran": programs["anggaran_rp"].astype(float).tolist(),
        }
    )
    total = pd.DataFrame(
        {"no": [""], "kode": [""], "uraian": ["JUMLAH"], "anggaran": [float(table["anggaran"].sum())]}
    )
    return pd.concat([table, total], ignore_index=True)


def compute_sasaran(inputs: TableInputs) -> pd.DataFrame | None:
    """The form's sasaran from the indicator workbook; None without one, or without sasaran."""
    if inputs.indicators is None:
        return None
    table = table_pk_sasaran(inputs.indicators)
    return None if table.empty else table


def compute_program(inputs: TableInputs) -> pd.DataFrame | None:
    """The form's programs, for an OPD with an indicator workbook and budget lines (else None)."""
    if inputs.indicators is None or inputs.budget is None:
        return None
    table = table_pk_program(inputs.budget)
    return None if len(table) <= 1 else table


def _sasaran_form(first_title: tuple[str, str], target: tuple[str, str], ctx: LayoutContext) -> Layout:
    """A signed form of sasaran: its heading line, the OPD and the year, then the sasaran with their
    indicators and targets (the target column headed ``target``)."""
    return Layout(
        titles=[
            first_title,
            (f"Organisasi Perangkat Daerah : {ctx.opd_named}", f"Agency: {ctx.opd_named}"),
            (f"Tahun Anggaran : {ctx.year}", f"Fiscal Year: {ctx.year}"),
        ],
        cols=[
            NO,
            Col("sasaran", ("Sasaran", "Objective"), "text", 44),
            Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 40),
            SATUAN,
            Col("target", target, "number", 14, unit="satuan"),
        ],
        numbering=True,
    )


def layout_sasaran(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The form's heading lines and its sasaran columns, as the signed form prints them."""
    return _sasaran_form(
        (
            "Formulir Perjanjian Kinerja Tingkat Organisasi Perangkat Daerah (OPD)",
            "Performance Agreement Form of the Regional Agency",
        ),
        ("Target", "Target"),
        ctx,
    )


def layout_program(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The programs of the form with their budget."""
    return Layout(
        titles=[
            ("Program dan Anggaran Perjanjian Kinerja", "Programs and Budget of the Agreement"),
            (f"{ctx.opd_named} Tahun Anggaran {ctx.year}", f"{ctx.opd_named}, Fiscal Year {ctx.year}"),
        ],
        cols=[
            NO,
            Col("uraian", ("Program", "Program"), "text", 70),
            Col("anggaran", ("Anggaran (Rp)", "Budget (Rp)"), "amount", 24),
        ],
        bold_total=True,
    )


def layout_iku(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The Penetapan IKU form: the sasaran indicators with this year's targets."""
    return _sasaran_form(
        (
            f"Formulir Penetapan Indikator Kinerja Utama (IKU) Tahun {ctx.year}",
            f"Key Performance Indicators Form {ctx.year}",
        ),
        (f"Target Tahun {ctx.year}", f"Target {ctx.year}"),
        ctx,
    )


PK_SASARAN = LkjipTable(
    "tabel_pk_sasaran",
    "PK Sasaran",
    compute_sasaran,
    layout_sasaran,
    None,
    place="LAMPIRAN",
    role="pk_form",
)
PK_PROGRAM = LkjipTable(
    "tabel_pk_program",
    "PK Program",
    compute_program,
    layout_program,
    None,
    place="LAMPIRAN",
    role="pk_programs",
    signed=True,
)
IKU = LkjipTable(
    "tabel_penetapan_iku",
    "Penetapan IKU",
    compute_sasaran,
    layout_iku,
    None,
    place="LAMPIRAN",
    signed=True,
)
