"""A year in one workbook, a sheet per month (INPUTS.md §1b), written from a year's monthly workbooks.

Each month's sheet has the table of a monthly workbook (the columns of ``sakip.sample``'s, in the
column spec's order, under the same two-row header), with or without the header block above it; a
cover sheet and a summary sheet (``REKAP``) may stand beside the months, as offices send them. The
sheet names are a function of the month, so that any spelling is one argument: :func:`full_name`
(``Januari``), :func:`short_name` (``JAN``, ``MEI``, ``AGT``), :func:`mixed_name` (``Sept``, ``Okt``,
``Nop``), each with the year by :func:`with_year` (``MEI 2023``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Literal

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from sakip import sample
from tasks.core import columns
from tasks.core.calendar import BULAN
from tasks.core.staging import RealizationWorkbook

#: Which realization a month sheet gives: of the month, to date, or both (as a monthly workbook may).
Realization = Literal["month", "to_date", "both"]
#: The realization columns a month sheet leaves out for each choice.
_LEFT_OUT: dict[str, tuple[str, ...]] = {
    "month": ("realisasi_sd_bulan_ini_rp",),
    "to_date": ("realisasi_bulan_ini_rp",),
    "both": (),
}
_SHORT = ("JAN", "FEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGT", "SEP", "OKT", "NOP", "DES")
_MIXED = ("Jan", "Peb", "Mrt", "Apr", "Mei", "Juni", "Juli", "Agst", "Sept", "Okt", "Nop", "Des")
#: Rows of the header block above the table (government, title, OPD, year, month), then one blank row.
_BLOCK_ROWS = 6
_MONEY = "#,##0"
_PERCENT = "0.00"


def full_name(month: int) -> str:
    """The month's Indonesian name: ``Januari``."""
    return BULAN[month - 1]


def short_name(month: int) -> str:
    """The month's short name in capitals: ``JAN``, ``MEI``, ``AGT``, ``NOP``."""
    return _SHORT[month - 1]


def mixed_name(month: int) -> str:
    """The month's name as offices shorten it: ``Peb``, ``Mrt``, ``Juni``, ``Sept``, ``Okt``, ``Nop``."""
    return _MIXED[month - 1]


def with_year(names: Callable[[int], str], year: int) -> Callable[[int], str]:
    """Sheet names of ``names`` followed by the year: ``MEI 2023``."""
    return lambda month: f"{names(month)} {year}"


def write_month_sheets(
    months: Sequence[RealizationWorkbook],
    path: Path,
    *,
    sheet_names: Callable[[int], str] | None = None,
    header_on_every_sheet: bool = True,
    summary_sheet: bool = True,
    cover_sheet: bool = False,
    month_in_header: bool = False,
    realization: Realization = "both",
) -> Path:
    """Write ``months`` (one year of one OPD) as one workbook with a sheet per month; the path.

    The header block (OPD, year; the month when ``month_in_header``) stands above every month's table,
    or only above the first month's (``header_on_every_sheet=False``: the other tables start at A1).
    A cover sheet comes first, the summary (``REKAP``: each sub kegiatan's realization per month)
    before the months.
    """
    if not months:
        raise ValueError("no month to write")
    names = sheet_names or full_name
    ordered = sorted(months, key=lambda wb: wb.month)
    first = ordered[0]
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {
            "title": f"Realisasi Anggaran {first.year}",
            "author": "SIPD",
            "created": datetime(first.year, 12, 31),
        }
    )
    styles = _Styles(workbook)
    if cover_sheet:
        _write_cover(workbook.add_worksheet("COVER"), first, styles)
    if summary_sheet:
        _write_summary(workbook.add_worksheet("REKAP"), ordered, styles)
    layout = tuple(name for name in sample.REALIZATION_LAYOUT if name not in _LEFT_OUT[realization])
    for position, month in enumerate(ordered):
        ws = workbook.add_worksheet(names(month.month))
        with_block = header_on_every_sheet or position == 0
        _write_month(ws, month, layout, styles, with_block=with_block, month_in_header=month_in_header)
    workbook.close()
    return path


class _Styles:
    """The cell formats of a year workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.bold = workbook.add_format({"bold": True})
        self.head = workbook.add_format(
            {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        self.text = workbook.add_format({"border": 1, "valign": "top"})
        self.money = workbook.add_format({"border": 1, "valign": "top", "num_format": _MONEY})
        self.percent = workbook.add_format({"border": 1, "valign": "top", "num_format": _PERCENT})


def _header_block(ws: Worksheet, wb: RealizationWorkbook, styles: _Styles, *, month: bool) -> None:
    """The header block of a month sheet (rows 1-5): government, title, OPD, year, and the month."""
    if wb.government:
        ws.write_string(0, 0, wb.government, styles.bold)
    ws.write_string(1, 0, "LAPORAN REALISASI ANGGARAN BELANJA PER SUB KEGIATAN", styles.bold)
    opd = " ".join(part for part in (wb.opd_code, wb.opd_name) if part)
    ws.write_string(2, 0, f"SKPD : {opd}")
    ws.write_string(3, 0, f"Tahun Anggaran : {wb.year}")
    if month:
        ws.write_string(4, 0, f"Bulan : {full_name(wb.month)}")


def _write_month(
    ws: Worksheet,
    wb: RealizationWorkbook,
    layout: tuple[str, ...],
    styles: _Styles,
    *,
    with_block: bool,
    month_in_header: bool,
) -> None:
    """One month's sheet: the header block when asked, the two-row table header, the month's lines."""
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 60)
    ws.set_column(2, len(layout) - 1, 18)
    top = _BLOCK_ROWS if with_block else 0
    if with_block:
        _header_block(ws, wb, styles, month=month_in_header)
    sample.write_table_header(ws, top, layout, styles.head)
    kinds = {name: columns.column(columns.REALIZATION, name).type for name in layout}
    for row, values in enumerate(wb.lines.to_dict("records"), start=top + 2):
        if values["level"] == "total":
            values["kode"] = "JUMLAH"
        for col, name in enumerate(layout):
            _write_cell(ws, row, col, values.get(name), kinds[name], styles)


def _write_cell(ws: Worksheet, row: int, col: int, value: object, kind: str, styles: _Styles) -> None:
    """A cell of a line: codes and texts as text, amounts and percentages as numbers, blank for none."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(row, col, None, styles.text)
    elif kind in ("code", "text"):
        ws.write_string(row, col, str(value), styles.text)
    else:
        ws.write_number(row, col, float(value), styles.percent if kind == "percent" else styles.money)


def _write_cover(ws: Worksheet, wb: RealizationWorkbook, styles: _Styles) -> None:
    """A cover: the report's title, the OPD and the year, no table."""
    lines = (
        wb.government,
        "LAPORAN REALISASI ANGGARAN",
        wb.opd_name,
        f"TAHUN ANGGARAN {wb.year}",
    )
    for row, text in enumerate(line for line in lines if line):
        ws.write_string(row * 2 + 2, 1, text, styles.bold)


def _write_summary(ws: Worksheet, months: Sequence[RealizationWorkbook], styles: _Styles) -> None:
    """The summary of the year: each line of the last month with its realization in every month."""
    last = months[-1]
    ws.write_string(0, 0, f"REKAPITULASI REALISASI ANGGARAN TAHUN {last.year}", styles.bold)
    headings = ["Kode", "Uraian", "Anggaran", *(full_name(wb.month) for wb in months), "Jumlah"]
    for col, heading in enumerate(headings):
        ws.write_string(2, col, heading, styles.head)
    per_month = [_month_realization(wb) for wb in months]
    for row, line in enumerate(last.lines.to_dict("records"), start=3):
        ws.write_string(row, 0, "JUMLAH" if line["level"] == "total" else line["kode"], styles.text)
        ws.write_string(row, 1, line["uraian"], styles.text)
        _write_cell(ws, row, 2, line["anggaran_rp"], "amount", styles)
        spent = [realized.get((line["kode"], line["level"]), math.nan) for realized in per_month]
        for col, value in enumerate(spent, start=3):
            _write_cell(ws, row, col, value, "amount", styles)
        _write_cell(ws, row, 3 + len(spent), sum(v for v in spent if not math.isnan(v)), "amount", styles)


def _month_realization(wb: RealizationWorkbook) -> dict[tuple[str, str], float]:
    """Each line's realization in the month, keyed by its code and level."""
    lines = wb.lines
    spent = lines["realisasi_bulan_ini_rp"]
    return {
        (kode, level): float(value)
        for kode, level, value in zip(lines["kode"], lines["level"], spent, strict=True)
    }
