"""Which layout a realization workbook has, and the months it holds.

A workbook holds one month (the monthly workbook of INPUTS.md §1) or a year's months: a sheet per
month, or the months side by side on one sheet. Each month becomes its own ``RealizationWorkbook``
(its ``part`` says which); a month that cannot be read is a :class:`PartError` beside the months that
can, so the good months of a year workbook load while a bad one is refused. A problem of the workbook
as a whole (no table, months that cannot be told apart) is an ``InputError``, as for a monthly file.
"""

from __future__ import annotations

from pathlib import Path

from tasks.core.staging import MonthRead, RealizationWorkbook, month_digest
from tasks.extract import month_sheets
from tasks.extract.book import open_book
from tasks.extract.kind import find_realization_sheet
from tasks.extract.limits import WorkbookLimits
from tasks.extract.month_columns import find_month_row, read_month_columns
from tasks.extract.realization import read_realization_sheet


def read_realization_months(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    month: int | str | None = None,
    limits: WorkbookLimits | None = None,
) -> list[MonthRead]:
    """The months a realization workbook holds, oldest first, whatever its layout.

    ``opd``, ``year`` and ``month`` are the run's (see ``read_realization``); a year workbook takes
    its months from its sheets or column groups, so a run's month only filters a monthly workbook.
    """
    book = open_book(path, limits)
    if month_sheets.is_month_sheet_workbook(book):
        return _fingerprinted(month_sheets.read_month_sheets(book, opd=opd, year=year))
    sheet = find_realization_sheet(book)
    if find_month_row(book.grid(sheet)) is not None:  # the months side by side on one sheet
        months = read_month_columns(book, sheet, opd=opd, year=year)
        if months is not None:
            return _fingerprinted(months)
    return [read_realization_sheet(book, sheet, opd=opd, year=year, month=month)]


def _fingerprinted(months: list[MonthRead]) -> list[MonthRead]:
    """The months of a year workbook, each with its own digest (``month_digest``) as its sha256."""
    for read in months:
        if isinstance(read, RealizationWorkbook):
            read.sha256 = month_digest(read)
    return months
