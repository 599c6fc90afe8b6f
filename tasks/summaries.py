"""Short human-readable summaries (markdown) of a run, for Prefect artifacts and the console."""

from __future__ import annotations

import pandas as pd

from tasks.export import format_percent, format_rupiah

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def absorption_markdown(summary: pd.DataFrame, opd_code: str, year: int, month: int) -> str:
    """Per-program absorption of one OPD-month as a markdown table (in Bahasa Indonesia)."""
    lines = [
        f"### Serapan anggaran {opd_code} s.d. {BULAN[month - 1]} {year}",
        "",
        "| Kode | Uraian | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Serapan % | RAK % "
        "| Deviasi (poin) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary.itertuples(index=False):
        lines.append(
            f"| {row.kode} | {row.uraian} | {format_rupiah(row.anggaran)} | "
            f"{format_rupiah(row.realisasi_sd_bulan_ini)} | {format_percent(row.serapan)} | "
            f"{format_percent(row.rak_pct)} | {format_percent(row.deviasi_poin)} |"
        )
    return "\n".join(lines)
