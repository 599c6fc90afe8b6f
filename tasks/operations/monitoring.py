"""Monthly monitoring: where spending lags the plan (anggaran kas / RAK), with an early warning.

Per program, kegiatan and sub kegiatan of one OPD-month:

- realisasi % = realization to date / anggaran × 100 (the cumulative serapan);
- RAK % = anggaran kas to date / anggaran × 100: the month's own ``Anggaran Kas s.d. Bulan Ini``
  column, or, for a month whose workbook had none, the plan to date of the OPD-year's anggaran kas
  workbook (decided when the table is made, so the plan may come before or after the realization);
- deviasi (points) = realisasi % − RAK %, and relative to the plan = deviasi / RAK % × 100;
- fisik: the sub kegiatan's physical progress; for kegiatan and programs the budget-weighted mean;
- early-warning category of the cumulative serapan in the month's quarter (configurable bands).

The lagging items come first: most negative deviasi first, within each level.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from tasks.core import metrics
from tasks.core.calendar import BULAN, quarter_of
from tasks.core.formatting import format_percent, format_rupiah
from tasks.core.formatting import percent_text as _pct
from tasks.core.scales import ReportScales
from tasks.core.text import html_text, markdown_text, visible_text
from tasks.report.inputs import roll_up
from warehouse.queries import cash_plan_to_date, month_rows, source_month_rows

MONITORING_COLUMNS = [
    "kode",
    "level",
    "uraian",
    "anggaran",
    "realisasi_bulan_ini",
    "realisasi_sd_bulan_ini",
    "anggaran_kas_sd_bulan_ini",
    "realisasi_pct",
    "rak_pct",
    "deviasi_poin",
    "deviasi_relatif_pct",
    "fisik_pct",
    "kategori",
]
LEVEL_TITLES = {"program": "Program", "kegiatan": "Kegiatan", "sub_kegiatan": "Sub Kegiatan"}
_ROMAN = ("I", "II", "III", "IV")

#: (column, heading, kind) of the printed monitoring table.
PRINTED_COLUMNS: list[tuple[str, str, str]] = [
    ("kode", "Kode", "code"),
    ("uraian", "Uraian", "text"),
    ("anggaran", "Anggaran (Rp)", "amount"),
    ("realisasi_bulan_ini", "Realisasi Bulan Ini (Rp)", "amount"),
    ("realisasi_sd_bulan_ini", "Realisasi s.d. Bulan Ini (Rp)", "amount"),
    ("anggaran_kas_sd_bulan_ini", "Anggaran Kas s.d. Bulan Ini (Rp)", "amount"),
    ("realisasi_pct", "Realisasi (%)", "number"),
    ("rak_pct", "RAK (%)", "number"),
    ("deviasi_poin", "Deviasi (poin)", "number"),
    ("deviasi_relatif_pct", "Deviasi thd RAK (%)", "number"),
    ("fisik_pct", "Fisik (%)", "number"),
    ("kategori", "Peringatan Dini", "label"),
]


def monitoring_table(
    engine: Engine, opd_code: str, year: int, month: int, config: ReportScales
) -> pd.DataFrame:
    """Every program, kegiatan and sub kegiatan of the OPD-month with deviasi and early warning."""
    subs = with_cash_plan(engine, month_rows(engine, opd_code, year, month), opd_code, year, month)
    if subs.empty:
        return pd.DataFrame(columns=MONITORING_COLUMNS)
    subs["_fisik_x_anggaran"] = subs["fisik_pct"].astype("float64") * subs["anggaran"]
    subs["_anggaran_fisik"] = subs["anggaran"].where(subs["fisik_pct"].notna(), 0)
    values = [
        "anggaran",
        "realisasi_bulan_ini",
        "realisasi_sd_bulan_ini",
        "anggaran_kas_sd_bulan_ini",
        "_fisik_x_anggaran",
        "_anggaran_fisik",
    ]
    table = roll_up(engine, subs, values)
    measured = monitoring_measures(table, month, config)
    sources = source_absorption(engine, opd_code, year, month)
    if not sources.empty:  # the split by funding source travels with the table to its markdown
        measured.attrs[SOURCES_ATTR] = sources
    return measured


#: Where :func:`monitoring_table` keeps the month's absorption per funding source (``DataFrame.attrs``).
SOURCES_ATTR = "sumber_dana"
SOURCE_ABSORPTION_COLUMNS = [
    "sumber_dana",
    "anggaran",
    "realisasi_sd_bulan_ini",
    "anggaran_kas_sd_bulan_ini",
    "serapan_pct",
    "rak_pct",
    "deviasi_poin",
]


def source_absorption(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """The month's absorption per funding source (sumber dana): budget, realization to date, serapan %,
    plan to date, RAK % and deviasi; empty when the month's workbook had no funding-source sections."""
    rows = source_month_rows(engine, opd_code, year, month)
    if rows.empty:
        return pd.DataFrame(columns=SOURCE_ABSORPTION_COLUMNS)
    rows = rows.rename(
        columns={
            "anggaran_rp": "anggaran",
            "realisasi_sd_bulan_ini_rp": "realisasi_sd_bulan_ini",
            "anggaran_kas_sd_bulan_ini_rp": "anggaran_kas_sd_bulan_ini",
        }
    )
    values = ["anggaran", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    table = rows.groupby("sumber_dana", as_index=False, sort=True)[values].sum(min_count=1)
    table["serapan_pct"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["serapan_pct"] - table["rak_pct"]
    return table[SOURCE_ABSORPTION_COLUMNS]


def with_cash_plan(engine: Engine, subs: pd.DataFrame, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """The month's sub kegiatan rows, the plan to date taken from the loaded anggaran kas workbook
    where the month's own workbook gave none (``anggaran_kas_sd_bulan_ini`` NULL)."""
    if subs.empty or not subs["anggaran_kas_sd_bulan_ini"].isna().any():
        return subs
    plan = cash_plan_to_date(engine, opd_code, year, month)
    if plan.empty:
        return subs
    subs = subs.copy()
    subs["anggaran_kas_sd_bulan_ini"] = (
        subs["anggaran_kas_sd_bulan_ini"].astype("float64").fillna(subs["kode"].map(plan))
    )
    return subs


def monitoring_measures(table: pd.DataFrame, month: int, config: ReportScales) -> pd.DataFrame:
    """Percentages, deviasi, weighted fisik and early-warning category of rolled-up rows."""
    table = table.copy()
    table["realisasi_pct"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["realisasi_pct"] - table["rak_pct"]
    table["deviasi_relatif_pct"] = metrics.serapan_pct(table["deviasi_poin"], table["rak_pct"])
    if "_fisik_x_anggaran" in table:
        weight = table["_anggaran_fisik"].astype("float64").where(table["_anggaran_fisik"] != 0)
        table["fisik_pct"] = table["_fisik_x_anggaran"] / weight
    else:
        table["fisik_pct"] = np.nan
    table["kategori"] = [config.warning_category(v, month) for v in table["realisasi_pct"]]
    return table[MONITORING_COLUMNS].reset_index(drop=True)


def lagging_first(table: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows of one level, most negative deviasi first (ties: larger budget first)."""
    rows = table[table["level"] == level]
    return rows.sort_values(
        ["deviasi_poin", "anggaran"], ascending=[True, False], na_position="last"
    ).reset_index(drop=True)


def opd_total(table: pd.DataFrame) -> pd.Series | None:
    """The OPD total row (the urusan subtotals summed)."""
    top = table[table["level"] == "urusan"]
    if top.empty:
        return None
    return top.iloc[0] if len(top) == 1 else None


def period_label(year: int, month: int) -> str:
    """``Juni 2022 (TW II)``."""
    return f"{BULAN[month - 1]} {year} (TW {_ROMAN[quarter_of(month) - 1]})"


def monitoring_summary(table: pd.DataFrame, year: int, month: int) -> list[str]:
    """Short Indonesian sentences: the OPD's position and the most lagging programs."""
    lines = []
    total = opd_total(table)
    if total is not None:
        lines.append(
            f"Realisasi s.d. {BULAN[month - 1]} {year} sebesar "
            f"Rp {format_rupiah(total['realisasi_sd_bulan_ini'])} "
            f"({_pct(total['realisasi_pct'])}) terhadap rencana anggaran kas {_pct(total['rak_pct'])}; "
            f"deviasi {_pct(total['deviasi_poin'], unit=' poin')}, kategori {total['kategori']}."
        )
    programs = lagging_first(table, "program")
    behind = programs[programs["deviasi_poin"] < 0]
    if not behind.empty:
        names = [
            f"{r.kode} ({_pct(r.deviasi_poin, unit=' poin')})" for r in behind.head(3).itertuples(index=False)
        ]
        lines.append(f"{len(behind)} program tertinggal dari rencana; terbesar: {', '.join(names)}.")
    return lines


def monitoring_markdown(
    table: pd.DataFrame, opd_code: str, year: int, month: int, sources: pd.DataFrame | None = None
) -> str:
    """The program rows, lagging first, as a markdown table for a Prefect artifact; then, when the
    month has rows per funding source (``sources``, or those :func:`monitoring_table` attached), the
    absorption per sumber dana."""
    lines = [
        f"### Monitoring realisasi {markdown_text(opd_code)} s.d. {period_label(year, month)}",
        "",
        *(markdown_text(line) for line in monitoring_summary(table, year, month)),
        "",
        "| Kode | Uraian | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Realisasi % | RAK % "
        "| Deviasi (poin) | Fisik % | Peringatan dini |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in lagging_first(table, "program").itertuples(index=False):
        lines.append(
            f"| {markdown_text(row.kode)} | {markdown_text(row.uraian)} | {format_rupiah(row.anggaran)} "
            f"| {format_rupiah(row.realisasi_sd_bulan_ini)} | {format_percent(row.realisasi_pct)} "
            f"| {format_percent(row.rak_pct)} | {format_percent(row.deviasi_poin)} "
            f"| {format_percent(row.fisik_pct)} | {markdown_text(row.kategori)} |"
        )
    sources = table.attrs.get(SOURCES_ATTR) if sources is None else sources
    if sources is not None and not sources.empty:
        lines += [
            "",
            "#### Serapan per sumber dana",
            "",
            "| Sumber dana | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Serapan % | RAK % "
            "| Deviasi (poin) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in sources.itertuples(index=False):
            lines.append(
                f"| {markdown_text(row.sumber_dana)} | {format_rupiah(row.anggaran)} "
                f"| {format_rupiah(row.realisasi_sd_bulan_ini)} | {format_percent(row.serapan_pct)} "
                f"| {format_percent(row.rak_pct)} | {format_percent(row.deviasi_poin)} |"
            )
    return "\n".join(lines)


def write_monitoring_xlsx(
    table: pd.DataFrame, path: Path, *, opd_name: str, year: int, month: int, config: ReportScales
) -> Path:
    """One sheet per level (program, kegiatan, sub kegiatan), lagging first, print-ready."""
    import xlsxwriter  # the writers' modules: imported by what writes, not by the ingest's summaries

    from tasks.report.render.xlsx import AMOUNT_FORMAT, PERCENT_FORMAT, XLSX_TEXT_OPTIONS

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), XLSX_TEXT_OPTIONS)
    try:
        wb.set_properties(
            {"title": f"Monitoring realisasi {period_label(year, month)}", "author": visible_text(opd_name)}
        )
        base = {"font_name": "Arial", "font_size": 9, "border": 1, "valign": "top"}
        head = wb.add_format(
            {**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"}
        )
        title = wb.add_format({"font_name": "Arial", "bold": True, "font_size": 12})
        note = wb.add_format({"font_name": "Arial", "font_size": 9})
        kinds = {
            "amount": wb.add_format({**base, "num_format": AMOUNT_FORMAT}),
            "number": wb.add_format({**base, "num_format": PERCENT_FORMAT}),
            "code": wb.add_format(base),
            "text": wb.add_format({**base, "text_wrap": True}),
        }
        labels = {
            label: wb.add_format({**base, "align": "center", "bg_color": config.color(label)})
            for label in config.warning_labels
        }
        widths = {"code": 17, "text": 46, "amount": 17, "number": 11, "label": 15}
        for level, name in LEVEL_TITLES.items():
            rows = lagging_first(table, level)
            ws = wb.add_worksheet(name)
            ws.write_string(
                0, 0, visible_text(f"Monitoring Realisasi Anggaran per {name} — {opd_name}"), title
            )
            ws.write_string(
                1, 0, f"s.d. {period_label(year, month)}; diurutkan dari deviasi terbesar (tertinggal)", note
            )
            for c, (_key, heading, kind) in enumerate(PRINTED_COLUMNS):
                ws.set_column(c, c, widths[kind])
                ws.write(3, c, heading, head)
            for r, record in enumerate(rows.to_dict("records"), start=4):
                for c, (key, _heading, kind) in enumerate(PRINTED_COLUMNS):
                    value = record[key]
                    if kind == "label":
                        ws.write_string(r, c, visible_text(value or ""), labels.get(value, kinds["code"]))
                    elif kind in ("amount", "number"):
                        if value is None or (isinstance(value, float) and not math.isfinite(value)):
                            ws.write_blank(r, c, None, kinds[kind])
                        else:
                            ws.write_number(r, c, float(value), kinds[kind])
                    else:
                        ws.write_string(r, c, visible_text(value), kinds[kind])
            ws.freeze_panes(4, 2)
            ws.repeat_rows(3)
            ws.autofilter(3, 0, 3 + len(rows), len(PRINTED_COLUMNS) - 1)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
    finally:
        wb.close()
    return path


def write_monitoring_html(
    table: pd.DataFrame, path: Path, *, opd_name: str, year: int, month: int, config: ReportScales
) -> Path:
    """One self-contained html page with the three levels, lagging first."""
    from tasks.report.render.html import page_html

    body = [f"<p>{html_text(line)}</p>" for line in monitoring_summary(table, year, month)]
    for level, name in LEVEL_TITLES.items():
        rows = lagging_first(table, level)
        body.append(f"<h2>{html_text(name)}</h2>")
        parts = [f'<div class="scroll"><table id="monitoring_{level}"><thead><tr>']
        parts += [f'<th scope="col">{html_text(heading)}</th>' for _k, heading, _kind in PRINTED_COLUMNS]
        parts.append("</tr></thead><tbody>")
        for record in rows.to_dict("records"):
            cells = []
            for key, _heading, kind in PRINTED_COLUMNS:
                value = record[key]
                if kind == "amount":
                    text = html_text(format_rupiah(value))
                elif kind == "number":
                    text = html_text(format_percent(value))
                elif kind == "label":
                    badge = config.color(value)
                    text = f'<span class="badge" style="background:{badge}">{html_text(value)}</span>'
                else:
                    text = html_text(value)
                cells.append(f'<td class="{kind}">{text}</td>')
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table></div>")
        body.append("".join(parts))
    text = page_html(f"Monitoring Realisasi Anggaran s.d. {period_label(year, month)}", opd_name, body)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_monitoring_report(
    engine: Engine, opd_code: str, opd_name: str, year: int, month: int, out_dir: Path, config: ReportScales
) -> list[Path]:
    """``monitoring_<year>_<MM>.xlsx`` and ``.html`` under ``out_dir``; returns the paths."""
    table = monitoring_table(engine, opd_code, year, month, config)
    if table.empty:
        return []
    stem = Path(out_dir) / f"monitoring_{year}_{month:02d}"
    kwargs = {"opd_name": opd_name, "year": year, "month": month, "config": config}
    return [
        write_monitoring_xlsx(table, stem.with_suffix(".xlsx"), **kwargs),
        write_monitoring_html(table, stem.with_suffix(".html"), **kwargs),
    ]


def monthly_absorption(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """Per program for one month: budget, realization to date, serapan, plan to date and deviasi."""
    subs = with_cash_plan(engine, month_rows(engine, opd_code, year, month), opd_code, year, month)
    values = ["anggaran", "realisasi_bulan_ini", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    table = roll_up(engine, subs, values)
    table = table[table["level"].isin(["urusan", "program"])].reset_index(drop=True)
    table["serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["serapan"] - table["rak_pct"]
    return table
