"""The city-level consolidated absorption report: every OPD's serapan for one month, lowest first.

OPD names come from the files: the CSV neutralises formula triggers in its text cells, the workbook
writes them as strings, the markdown escapes them (:mod:`tasks.core.text`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from tasks.core import metrics
from tasks.core.calendar import BULAN
from tasks.core.formatting import format_percent, format_rupiah
from tasks.core.text import markdown_text, visible_text
from warehouse.queries import month_totals_by_opd

HEADINGS = {
    "kode_opd": "Kode OPD",
    "nama_opd": "Perangkat Daerah",
    "anggaran": "Anggaran (Rp)",
    "realisasi_bulan_ini": "Realisasi Bulan Ini (Rp)",
    "realisasi_sd_bulan_ini": "Realisasi s.d. Bulan Ini (Rp)",
    "anggaran_kas_sd_bulan_ini": "Anggaran Kas s.d. Bulan Ini (Rp)",
    "serapan": "Serapan (%)",
    "rak_pct": "RAK (%)",
    "deviasi_poin": "Deviasi (poin)",
}


def write_consolidated(table: pd.DataFrame, out_dir: Path, year: int, month: int) -> list[Path]:
    """``konsolidasi_serapan_<year>_<MM>.csv`` (plain numbers) and ``.xlsx`` (formatted) in ``out_dir``."""
    # the report's writers: imported by what writes, not by the ingest's summaries
    from tasks.report.render.csv import csv_safe
    from tasks.report.render.xlsx import XLSX_TEXT_OPTIONS

    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"konsolidasi_serapan_{year}_{month:02d}"
    csv_path = stem.with_suffix(".csv")
    csv_safe(table).to_csv(csv_path, index=False, lineterminator="\n")
    xlsx_path = stem.with_suffix(".xlsx")
    printed = table.assign(
        **{c: table[c].map(visible_text, na_action="ignore") for c in ("kode_opd", "nama_opd") if c in table}
    )
    with pd.ExcelWriter(
        xlsx_path, engine="xlsxwriter", engine_kwargs={"options": XLSX_TEXT_OPTIONS}
    ) as writer:
        printed.rename(columns=HEADINGS).to_excel(writer, sheet_name="Konsolidasi", index=False, startrow=2)
        book, sheet = writer.book, writer.sheets["Konsolidasi"]
        sheet.write(
            0,
            0,
            f"Konsolidasi Serapan Anggaran Perangkat Daerah s.d. {BULAN[month - 1]} {year}",
            book.add_format({"bold": True, "font_size": 12}),
        )
        amount = book.add_format({"num_format": '[$-421]#,##0;-#,##0;"-"'})
        percent = book.add_format({"num_format": '[$-421]#,##0.00;-#,##0.00;"-"'})
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 5, 20, amount)
        sheet.set_column(6, 8, 12, percent)
        sheet.freeze_panes(3, 2)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(2)
    return [csv_path, xlsx_path]


def consolidated_markdown(table: pd.DataFrame, year: int, month: int) -> str:
    """The consolidated absorption as a markdown table (for the Prefect artifact)."""
    lines = [
        f"### Konsolidasi serapan anggaran s.d. {BULAN[month - 1]} {year}",
        "",
        "| Kode OPD | Perangkat Daerah | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Serapan % "
        "| Deviasi (poin) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {markdown_text(row.kode_opd)} | {markdown_text(row.nama_opd)} | "
            f"{format_rupiah(row.anggaran)} | {format_rupiah(row.realisasi_sd_bulan_ini)} | "
            f"{format_percent(row.serapan)} | {format_percent(row.deviasi_poin)} |"
        )
    return "\n".join(lines)


def consolidated_absorption(engine: Engine, year: int, month: int) -> pd.DataFrame:
    """City-level absorption of one month: per OPD budget, realization and plan to date, serapan, deviasi.

    Sorted with the lowest serapan first; a last row ``JUMLAH`` totals every OPD.
    """
    table = month_totals_by_opd(engine, year, month)
    amounts = ["anggaran", "realisasi_bulan_ini", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    if not table.empty:
        total = pd.DataFrame([{"kode_opd": "", "nama_opd": "JUMLAH", **table[amounts].sum().to_dict()}])
        table["_serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
        table = table.sort_values(["_serapan", "kode_opd"]).drop(columns="_serapan")
        table = pd.concat([table, total], ignore_index=True)
    table["serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["serapan"] - table["rak_pct"]
    return table.reset_index(drop=True)
