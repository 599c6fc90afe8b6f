"""Writer of a year on one sheet, the months side by side (INPUTS.md §1b), from a year's months.

One sheet: a header block (government, title, OPD, year) as in the monthly sample, then ``NO``,
``KODE REKENING``, ``URAIAN``, the budget columns, twelve month groups (the month's plan, *DKKB*, its
realization and its physical progress, *fisik*) and a ``JUMLAH`` column. The rows are the year's
hierarchy (every row any month has, the last month's budget); the months after the last one given
are written empty, as an office's sheet is before they are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd
import xlsxwriter

from tasks.core.calendar import BULAN
from tasks.core.staging import RealizationWorkbook

_MONEY_FORMAT = "#,##0"
_PERCENT_FORMAT = "0.00"
#: the header block's rows; the month row and the sub-heading row follow it
_MONTH_ROW = 6


#: a table row across months: its code, its sub kegiatan (an account code recurs under several) and
#: which occurrence of the two it is
RowKey = tuple[str, str, int]


def _keyed(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` indexed by ``RowKey``."""
    occurrence = lines.groupby(["kode", "sub_kegiatan_kode"], sort=False).cumcount()
    return lines.set_index(pd.MultiIndex.from_arrays([lines["kode"], lines["sub_kegiatan_kode"], occurrence]))


def _row_union(months: Sequence[pd.DataFrame]) -> list[RowKey]:
    """Every table row any month has, in the last month's order (a row only earlier months have after
    the row it follows there); the total row last."""
    order: list[RowKey] = list(months[-1].index)
    known = set(order)
    for lines in reversed(months[:-1]):
        previous = None
        for key in lines.index:
            if key not in known:
                order.insert(order.index(previous) + 1 if previous in known else len(order), key)
                known.add(key)
            previous = key
    return [key for key in order if key[0]] + [key for key in order if not key[0]]


def _value(number: object) -> float | None:
    """A number to write, None for a missing one (NaN)."""
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return None
    return float(number)


def write_month_columns(
    months: Sequence[RealizationWorkbook],
    path: Path,
    *,
    merged_headings: bool = True,
    realization: Literal["month", "to_date"] = "month",
    plan: Literal["month", "to_date"] | None = "month",
    fisik: bool = True,
    budget_columns: Sequence[str] = ("ANGGARAN",),
    month_names: Callable[[int], str] | None = None,
    jumlah_column: bool = True,
    sumber_dana: bool = False,
) -> Path:
    """Write ``months`` (one year's, oldest first) as one sheet with the months side by side.

    ``realization``/``plan``: each month's own figure or the figure to date (``plan=None``: no plan
    column); ``budget_columns``: their headings, the first holding the original budget (*murni*) when
    there are two or more, the others the budget in force; ``sumber_dana``: a ``SUMBER DANA`` column
    after the name; ``month_names``: the heading of a month
    number (default ``JANUARI`` …); ``merged_headings``: a month's name merged over its columns and the
    fixed headings over both header rows, else the name repeated over each column.
    """
    months = sorted(months, key=lambda wb: wb.month)
    name_of = month_names or (lambda month: BULAN[month - 1].upper())
    last = months[-1]
    by_month = {wb.month: _keyed(wb.lines) for wb in months}
    keys = _row_union([by_month[wb.month] for wb in months])
    sub_headings = [
        *(["DKKB" if plan == "month" else "Anggaran Kas s.d."] if plan else []),
        "Realisasi" if realization == "month" else "Realisasi s.d.",
        *(["Fisik (%)"] if fisik else []),
    ]
    texts = ["NO", "KODE REKENING", "URAIAN", *(["SUMBER DANA"] if sumber_dana else [])]
    fixed = [*texts, *budget_columns]

    workbook = xlsxwriter.Workbook(str(path))
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format(
        {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    )
    text = workbook.add_format({"border": 1, "valign": "top"})
    money = workbook.add_format({"border": 1, "valign": "top", "num_format": _MONEY_FORMAT})
    percent = workbook.add_format({"border": 1, "valign": "top", "num_format": _PERCENT_FORMAT})
    ws = workbook.add_worksheet("DKKB dan Realisasi")
    ws.write(0, 0, last.government or "PEMERINTAH KOTA SEMARANG", bold)
    ws.write(1, 0, f"DKKB DAN REALISASI ANGGARAN TAHUN {last.year}", bold)
    ws.write(2, 0, f"SKPD : {last.opd_code} {last.opd_name}".strip())
    ws.write(3, 0, f"Tahun Anggaran : {last.year}")

    top, sub = _MONTH_ROW, _MONTH_ROW + 1
    for col, heading in enumerate(fixed):
        _heading(ws, top, col, top if not merged_headings else sub, col, heading, head)
    width = len(sub_headings)
    first_month_col = len(fixed)
    for month in range(1, 13):
        start = first_month_col + (month - 1) * width
        if merged_headings:
            _heading(ws, top, start, top, start + width - 1, name_of(month), head)
        else:
            for col in range(start, start + width):
                ws.write(top, col, name_of(month), head)
        for offset, heading in enumerate(sub_headings):
            ws.write(sub, start + offset, heading, head)
    jumlah_col = first_month_col + 12 * width
    if jumlah_column:
        _heading(ws, top, jumlah_col, sub if merged_headings else top, jumlah_col, "JUMLAH", head)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 50)

    row = sub + 1
    for number, key in enumerate(keys, start=1):
        source = next(
            by_month[wb.month].loc[key] for wb in reversed(months) if key in by_month[wb.month].index
        )
        code = key[0]
        if code:
            ws.write_number(row, 0, number, text)
            ws.write_string(row, 1, code, text)
            ws.write_string(row, 2, str(source["uraian"]), text)
        else:
            ws.write_string(row, 1, "JUMLAH", text)
        if sumber_dana and code:
            ws.write_string(row, 3, str(source["sumber_dana"]), text)
        budget = _value(source["anggaran_rp"])
        budgets = [budget] if len(budget_columns) == 1 else [_value(source["anggaran_murni_rp"])]
        budgets += [budget] * (len(budget_columns) - len(budgets))
        for offset, amount in enumerate(budgets):
            _number(ws, row, len(texts) + offset, amount, money)
        for month in range(1, 13):
            start = first_month_col + (month - 1) * width
            values = _month_values(by_month, month, key, realization, plan, fisik)
            for offset, (value, is_percent) in enumerate(values):
                _number(ws, row, start + offset, value, percent if is_percent else money)
        if jumlah_column:
            _number(ws, row, jumlah_col, _realization_of(by_month, last.month, key, "to_date"), money)
        row += 1
    workbook.close()
    return path


def _heading(ws, r0: int, c0: int, r1: int, c1: int, value: str, style) -> None:
    """A heading over a range of cells (merged), or in one cell."""
    if (r0, c0) == (r1, c1):
        ws.write(r0, c0, value, style)
    else:
        ws.merge_range(r0, c0, r1, c1, value, style)


def _number(ws, row: int, col: int, value: float | None, style) -> None:
    """An amount or percentage, blank when missing."""
    if value is None:
        ws.write_blank(row, col, None, style)
    else:
        ws.write_number(row, col, value, style)


def _realization_of(by_month: dict[int, pd.DataFrame], month: int, key: RowKey, kind: str) -> float | None:
    """A row's realization in ``month``: the month's own, or to date (derived from the other when only
    one is given)."""
    lines = by_month.get(month)
    if lines is None or key not in lines.index:
        return None
    to_date = _value(lines.at[key, "realisasi_sd_bulan_ini_rp"])
    own = _value(lines.at[key, "realisasi_bulan_ini_rp"])
    if kind == "to_date":
        if to_date is None and own is not None:
            before = _realization_of(by_month, month - 1, key, "to_date") or 0.0
            to_date = before + own
        return to_date
    if own is None and to_date is not None:
        own = to_date - (_realization_of(by_month, month - 1, key, "to_date") or 0.0)
    return own


def _month_values(
    by_month: dict[int, pd.DataFrame],
    month: int,
    key: RowKey,
    realization: str,
    plan: str | None,
    fisik: bool,
) -> list[tuple[float | None, bool]]:
    """The cells of one row in one month's group: (value or None, is a percentage)."""
    lines = by_month.get(month)
    present = lines is not None and key in lines.index
    values: list[tuple[float | None, bool]] = []
    if plan:
        kas = _value(lines.at[key, "anggaran_kas_sd_bulan_ini_rp"]) if present else None
        if plan == "month" and kas is not None:
            earlier = by_month.get(month - 1)
            before = (
                _value(earlier.at[key, "anggaran_kas_sd_bulan_ini_rp"])
                if earlier is not None and key in earlier.index
                else None
            )
            kas -= before or 0.0
        values.append((kas, False))
    values.append((_realization_of(by_month, month, key, realization) if present else None, False))
    if fisik:
        values.append((_value(lines.at[key, "fisik_pct"]) if present else None, True))
    return values
