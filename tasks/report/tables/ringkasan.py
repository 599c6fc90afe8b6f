"""The summary of chapter IV (Penutup): per level (tujuan, sasaran, program) how many statements and
indicators there are, how many reach their target and in which category; and the year's budget,
realization, serapan and SILPA.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from tasks.core import metrics
from tasks.report.inputs import category
from tasks.report.model import (
    ANGGARAN,
    REALISASI_RP,
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    opd_columns,
)

#: The levels the summary counts, in document order, with their printed name.
LEVELS: dict[str, str] = {"tujuan": "Tujuan", "sasaran": "Sasaran", "program": "Program"}
COLUMNS = ["jenis", "uraian", "jumlah", "jumlah_indikator", "mencapai_target", "kategori"]


def table_ringkasan_kinerja(indicators: pd.DataFrame, scale: tuple[tuple[float, str], ...]) -> pd.DataFrame:
    """Per level: statements (tujuan, sasaran by number; programs by name), indicators, how many reach
    the target (capaian ≥ 100) and the count per category (``"10 Sangat Tinggi, 1 Tinggi"``)."""
    order = {label: i for i, (_, label) in enumerate(scale)}
    rows = []
    for jenis, name in LEVELS.items():
        own = indicators[indicators["jenis"] == jenis]
        if own.empty:
            continue
        if jenis == "program":
            named = own["uraian"].fillna("").str.strip()
            statements = named.where(named != "", own["kode_program"].fillna("")).nunique()
        else:
            statements = own["no"].nunique()
        counts = Counter(k for k in category(own["capaian"], scale) if isinstance(k, str) and k)
        ranked = sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order)))
        rows.append(
            {
                "jenis": jenis,
                "uraian": name,
                "jumlah": int(statements),
                "jumlah_indikator": len(own),
                "mencapai_target": int((own["capaian"] >= 100).sum()),
                "kategori": ", ".join(f"{n} {label}" for label, n in ranked),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def compute_kinerja(inputs: TableInputs) -> pd.DataFrame | None:
    """The indicator summary; None without an indicator workbook."""
    if inputs.indicators is None:
        return None
    table = table_ringkasan_kinerja(inputs.indicators, inputs.capaian_scale)
    return None if table.empty else table


def layout_kinerja(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout of the indicator summary."""
    return Layout(
        titles=[
            ("Ringkasan Capaian Indikator Kinerja", "Summary of the Performance Indicators"),
            ctx.opd_year,
        ],
        cols=[
            Col("uraian", ("Tingkat", "Level"), "label", 14),
            Col("jumlah", ("Jumlah", "Count"), "no", 10),
            Col("jumlah_indikator", ("Jumlah Indikator", "Indicators"), "no", 12),
            Col("mencapai_target", ("Mencapai Target", "Reaching the Target"), "no", 12),
            Col("kategori", ("Kategori Capaian", "Achievement Categories"), "text", 36),
        ],
    )


def table_ringkasan_anggaran(budget: pd.DataFrame) -> pd.DataFrame:
    """The year's budget, realization, serapan and SILPA (per OPD when the lines carry one)."""
    by = opd_columns(budget)
    top = budget[budget["level"] == "urusan"]
    top = top.assign(anggaran=top["anggaran_rp"], realisasi=top["realisasi_sd_bulan_ini_rp"])
    if by:
        totals = top.groupby(by, as_index=False, sort=False)[["anggaran", "realisasi"]].sum()
    else:
        totals = pd.DataFrame([{"anggaran": top["anggaran"].sum(), "realisasi": top["realisasi"].sum()}])
    totals["serapan"] = metrics.serapan_pct(totals["realisasi"], totals["anggaran"])
    totals["silpa"] = metrics.silpa_rp(totals["realisasi"], totals["anggaran"])
    totals["persen_silpa"] = metrics.silpa_pct(totals["realisasi"], totals["anggaran"])
    return totals[[*by, "anggaran", "realisasi", "serapan", "silpa", "persen_silpa"]]


def compute_anggaran(inputs: TableInputs) -> pd.DataFrame | None:
    """The budget summary; None when no month of the year is loaded."""
    return None if inputs.budget is None else table_ringkasan_anggaran(inputs.budget)


def layout_anggaran(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout of the budget summary."""
    return Layout(
        titles=[
            ("Ringkasan Realisasi Anggaran Belanja", "Summary of the Budget Realization"),
            ctx.opd_budget_year,
        ],
        cols=[
            ANGGARAN,
            REALISASI_RP,
            Col("serapan", ("Serapan (%)", "Absorption (%)"), "number", 11),
            Col("silpa", ("SiLPA (Rp)", "Remaining (Rp)"), "amount", 18),
            Col("persen_silpa", ("SiLPA (%)", "Remaining (%)"), "number", 11),
        ],
    )


KINERJA = LkjipTable(
    "tabel_ringkasan_kinerja",
    "Ringkasan Kinerja",
    compute_kinerja,
    layout_kinerja,
    None,
    place="IV.A",
    narrative_after=("kesimpulan_kinerja",),
    role="performance_summary",
)
ANGGARAN_TABLE = LkjipTable(
    "tabel_ringkasan_anggaran",
    "Ringkasan Anggaran",
    compute_anggaran,
    layout_anggaran,
    None,
    place="IV.A",
    narrative_after=("kesimpulan_anggaran",),
    role="budget_summary",
)
