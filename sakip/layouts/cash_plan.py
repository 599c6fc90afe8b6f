"""The anggaran kas workbook (RAK / DKKB) of INPUTS.md §1b: a year's plan per sub kegiatan and month.

Written from a year's monthly ``RealizationWorkbook``s: the plan of a month is the month's
``Anggaran Kas s.d. Bulan Ini`` less the month before's, on every row (program, kegiatan, sub
kegiatan, accounts and the total, so the subtotals hold as they do in the monthly files); the budget
and the rows are the last month's. A month not among those given stays blank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter

from tasks.core.calendar import BULAN
from tasks.core.hierarchy import node_keys
from tasks.core.staging import RealizationWorkbook

_MONEY_FORMAT = "#,##0"


def write_cash_plan(
    months: Sequence[RealizationWorkbook],
    path: Path,
    *,
    merged_heading: bool = True,
    month_names: Sequence[str] | None = None,
) -> Path:
    """Write the anggaran kas workbook of ``months`` (one OPD's year) to ``path``; returns the path.

    ``merged_heading``: ``ANGGARAN KAS`` merged over the twelve month headings (a two-row header),
    else one header row; ``month_names``: the twelve headings of the months (default ``Januari`` …).
    """
    if not months:
        raise ValueError("an anggaran kas workbook needs at least one month")
    names = list(month_names) if month_names is not None else list(BULAN)
    if len(names) != 12:
        raise ValueError(f"twelve month names are needed, got {len(names)}")
    ordered = sorted(months, key=lambda wb: wb.month)
    last = ordered[-1]
    lines = last.lines
    to_date = _plan_to_date(ordered, node_keys(lines))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        bold = workbook.add_format({"bold": True})
        head = workbook.add_format(
            {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        text = workbook.add_format({"border": 1, "valign": "top"})
        money = workbook.add_format({"border": 1, "valign": "top", "num_format": _MONEY_FORMAT})
        ws = workbook.add_worksheet("RAK")
        ws.set_column(0, 0, 20)
        ws.set_column(1, 1, 50)
        ws.set_column(2, 15, 15)
        top = 0
        if last.government:
            ws.write_string(top, 0, last.government, bold)
            top += 1
        ws.write_string(top, 0, "RENCANA ANGGARAN KAS (RAK) BELANJA PER SUB KEGIATAN", bold)
        ws.write_string(top + 1, 0, f"SKPD : {last.opd_code} {last.opd_name}".strip())
        ws.write_string(top + 2, 0, f"Tahun Anggaran : {last.year}")
        header = top + 4
        first_data = _write_header(ws, header, names, merged_heading, head)
        for offset, position in enumerate(range(len(lines))):
            row = first_data + offset
            if lines["level"].iloc[position] == "total":
                ws.write_blank(row, 0, None, text)
                ws.write_string(row, 1, "JUMLAH", text)
            else:
                ws.write_string(row, 0, str(lines["kode"].iloc[position]), text)
                ws.write_string(row, 1, str(lines["uraian"].iloc[position]), text)
            _write_amount(ws, row, 2, lines["anggaran_rp"].iloc[position], money)
            plan = [to_date[m][position] - (to_date[m - 1][position] if m else 0.0) for m in range(12)]
            for m, value in enumerate(plan):
                _write_amount(ws, row, 3 + m, value, money)
            known = [v for v in plan if not math.isnan(v)]
            _write_amount(ws, row, 15, sum(known) if known else math.nan, money)
    finally:
        workbook.close()
    return path


def _plan_to_date(months: Sequence[RealizationWorkbook], keys: pd.Series) -> list[list[float]]:
    """Per month (January first), each row's plan to date by its node key (NaN for a month not given;
    a row the month lacks has a plan of 0 then)."""
    by_month = {wb.month: wb for wb in months}
    plans: list[list[float]] = []
    for month in range(1, 13):
        wb = by_month.get(month)
        if wb is None:
            plans.append([math.nan] * len(keys))
            continue
        values = pd.Series(wb.lines["anggaran_kas_sd_bulan_ini_rp"].to_numpy(), index=node_keys(wb.lines))
        values = values[~values.index.duplicated()]
        plans.append(values.reindex(keys.to_numpy()).fillna(0.0).tolist())
    return plans


def _write_header(ws, row: int, names: list[str], merged: bool, head) -> int:
    """The table header at ``row``: two rows with ``ANGGARAN KAS`` merged over the months, or one row;
    returns the first data row."""
    if not merged:
        for col, title in enumerate(["KODE", "URAIAN", "ANGGARAN", *names, "JUMLAH"]):
            ws.write_string(row, col, title, head)
        return row + 1
    for col, title in ((0, "KODE"), (1, "URAIAN"), (2, "ANGGARAN"), (15, "JUMLAH")):
        ws.merge_range(row, col, row + 1, col, title, head)
    ws.merge_range(row, 3, row, 14, "ANGGARAN KAS", head)
    for m, name in enumerate(names):
        ws.write_string(row + 1, 3 + m, name, head)
    return row + 2


def _write_amount(ws, row: int, col: int, value: float, style) -> None:
    """An amount, blank when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, style)
    else:
        ws.write_number(row, col, float(value), style)
