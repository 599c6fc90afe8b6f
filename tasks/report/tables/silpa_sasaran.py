"""The remaining budget (SILPA) grouped by sasaran (chapter III.D): per sasaran, the programs that fund
it (the indicator workbook's Kode Program), their budget, realization, serapan and SILPA, and the
reasons the office gives for what its programs left unspent (``keterangan_silpa`` of the program rows,
one line per program: ``<program>: <reason>``, the reason alone for a sasaran of one program).
"""

from __future__ import annotations

import pandas as pd

from tasks.core import metrics
from tasks.report.model import (
    ANGGARAN,
    NO,
    REALISASI_RP,
    SASARAN,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    text_column,
)

COLUMNS = [
    "no",
    "sasaran",
    "program",
    "anggaran",
    "realisasi",
    "serapan",
    "silpa",
    "persen_silpa",
    "keterangan",
]


def program_codes(text: str) -> list[str]:
    """The program codes of an indicator's ``kode_program`` (";" or "," between them)."""
    return [code.strip() for code in str(text).replace(",", ";").split(";") if code.strip()]


def table_silpa_sasaran(indicators: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Per sasaran with programs: the programs' names, budget, realization, serapan and SILPA."""
    programs = budget[budget["level"] == "program"].drop_duplicates("kode").set_index("kode")
    reasons = program_reasons(indicators)
    rows = []
    for _, row in indicators[indicators["jenis"] == "sasaran"].iterrows():
        codes = [code for code in program_codes(row["kode_program"]) if code in programs.index]
        if not codes:
            continue
        funded = programs.loc[codes]
        anggaran = float(funded["anggaran_rp"].sum())
        realisasi = float(funded["realisasi_sd_bulan_ini_rp"].sum())
        given = [(str(funded.loc[code, "uraian"]), reasons[code]) for code in codes if reasons.get(code)]
        if len(codes) == 1:
            keterangan = "\n".join(reason for _, reason in given)
        else:
            keterangan = "\n".join(f"{name}: {reason}" for name, reason in given)
        rows.append(
            {
                "no": row["no"],
                "sasaran": row["uraian"],
                "program": "; ".join(str(name) for name in funded["uraian"]),
                "anggaran": anggaran,
                "realisasi": realisasi,
                "serapan": metrics.serapan_pct(realisasi, anggaran),
                "silpa": metrics.silpa_rp(realisasi, anggaran),
                "persen_silpa": metrics.silpa_pct(realisasi, anggaran),
                "keterangan": keterangan,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def program_reasons(indicators: pd.DataFrame) -> dict[str, str]:
    """Per program code: the office's reasons for its remaining budget (``keterangan_silpa`` of the
    program rows naming it in ``kode_program``; several rows' reasons joined, each once)."""
    rows = indicators[indicators["jenis"] == "program"]
    texts = text_column(rows, "keterangan_silpa")
    reasons: dict[str, list[str]] = {}
    for codes, text in zip(rows["kode_program"], texts, strict=True):
        text = " ".join(str(text).split())
        if not text:
            continue
        for code in program_codes(codes):
            if text not in reasons.setdefault(code, []):
                reasons[code].append(text)
    return {code: " ".join(texts) for code, texts in reasons.items()}


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the indicators and the budget lines; None without either or without programs."""
    if inputs.indicators is None or inputs.budget is None:
        return None
    table = table_silpa_sasaran(inputs.indicators, inputs.budget)
    return None if table.empty else table


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: the sasaran, its programs, the amounts and shares."""
    return Layout(
        titles=[
            ("Sisa Anggaran per Sasaran", "Remaining Budget per Objective"),
            ctx.opd_budget_year,
        ],
        cols=[
            NO,
            SASARAN,
            Col("program", ("Program", "Programs"), "text", 40),
            ANGGARAN,
            REALISASI_RP,
            Col("serapan", ("Serapan (%)", "Absorption (%)"), "number", 10),
            Col("silpa", ("SILPA (Rp)", "Remaining (Rp)"), "amount", 18),
            Col("persen_silpa", ("SILPA (%)", "Remaining (%)"), "number", 10),
        ],
        numbering=True,
    )


TABLE = LkjipTable(
    "tabel_silpa_sasaran",
    "SILPA per Sasaran",
    compute,
    layout,
    None,
    place="LAMPIRAN",
    role="sasaran_silpa",
)
