"""Which layout a realization workbook has, and the months it holds.

A workbook holds one month (the monthly workbook of INPUTS.md §1) or a year's months: a sheet per
month, or the months side by side on one sheet. Each month becomes its own ``RealizationWorkbook``
(its ``part`` says which); a month that cannot be read is a :class:`PartError` beside the months that
can, so the good months of a year workbook load while a bad one is refused. A problem of the workbook
as a whole (no table, months that cannot be told apart) is an ``InputError``, as for a monthly file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tasks.core.issues import InputError
from tasks.core.staging import RealizationWorkbook
from tasks.extract.book import open_book
from tasks.extract.kind import find_realization_sheet
from tasks.extract.limits import WorkbookLimits
from tasks.extract.month_columns import find_month_row, read_month_columns
from tasks.extract.realization import read_realization_sheet


@dataclass(frozen=True)
class PartError:
    """A month of a year workbook that cannot be read: which part, its month when known, and why."""

    part: str
    month: int | None
    error: InputError


MonthRead = RealizationWorkbook | PartError


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
    sheet = find_realization_sheet(book)
    if find_month_row(book.grid(sheet)) is not None:  # the months side by side on one sheet
        months = read_month_columns(book, sheet, opd=opd, year=year)
        if months is not None:
            return [read if isinstance(read, RealizationWorkbook) else PartError(*read) for read in months]
    return [read_realization_sheet(book, sheet, opd=opd, year=year, month=month)]
