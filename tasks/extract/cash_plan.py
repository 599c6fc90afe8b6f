"""Reading an anggaran kas workbook (RAK / DKKB): an OPD's planned disbursement per sub kegiatan and
month for one year, with the same cell-level messages as the monthly reader.

The table has ``Kode``, ``Uraian``, optionally ``Anggaran`` / ``Pagu``, then the twelve months
(any month word of :data:`tasks.extract.fields.MONTHS`, alone, after a plan word such as ``RAK Jan``,
or under a merged ``Anggaran Kas`` / ``RAK`` / ``DKKB`` / ``Rencana Penarikan Dana`` heading) and
optionally ``Jumlah``; the header block gives OPD and year as in the monthly workbook.

A plan written per quarter (``RAK TW I`` … ``TW IV``) is refused with a message asking for the months:
the monitoring compares each month's realization with the plan to the end of that month, which a
quarter's total cannot give. A blank month is a plan of zero.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tasks.core.issues import InputError, InputIssue
from tasks.core.staging import CASH_PLAN_COLUMNS, CashPlanWorkbook
from tasks.extract.book import Book, open_book
from tasks.extract.cells import column_letter
from tasks.extract.fields import CASH_PLAN_AMOUNTS, CASH_PLAN_FIELDS, CASH_PLAN_REQUIRED, COLUMN_TITLES
from tasks.extract.grid import (
    Grid,
    Header,
    cleaned_cells,
    find_header,
    number_column,
    skip_number_row,
    sorted_issues,
    xml_issues,
)
from tasks.extract.header_block import header_cell_refs, read_meta, resolve_number, resolve_opd
from tasks.extract.kind import CASH_PLAN_COMPLETE, CASH_PLAN_MATCH, cash_plan_sheets, is_quarterly_plan
from tasks.extract.limits import WorkbookLimits
from tasks.extract.realization import table_rows


def read_cash_plan(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    limits: WorkbookLimits | None = None,
) -> CashPlanWorkbook:
    """Extract an anggaran kas workbook into a ``CashPlanWorkbook`` (``opd``, ``year``: the run's)."""
    book = open_book(path, limits)
    grid, header = _plan_table(book)
    issues: list[InputIssue] = []
    meta = read_meta(grid, header.row, with_month=False)
    issues.extend(meta.issues)
    opd_code, opd_name = resolve_opd(grid, meta, opd, issues)
    the_year = resolve_number(grid, meta.year, None if year is None else int(year), "Tahun anggaran", issues)

    fields = {name: col for name, col in header.fields.items() if name in CASH_PLAN_FIELDS}
    mapped_cols = sorted(fields.values())
    amount_cols = [fields[name] for name in CASH_PLAN_AMOUNTS if name in fields]
    table = table_rows(
        grid, header.data_start, fields["kode"], fields["uraian"], mapped_cols, amount_cols, issues
    )
    rows = table.rows
    cell_issues: list[InputIssue] = []
    amounts = {
        name: number_column(grid, rows, fields.get(name), False, cell_issues) for name in CASH_PLAN_AMOUNTS
    }
    kept = [table.expanded[p] for p in table.keep]
    lines = pd.DataFrame(
        {
            "row": [r + 1 for r in rows],
            "kode": [c.full_code for c in kept],
            "level": [c.level for c in kept],
            "uraian": [table.names[p] for p in table.keep],
            "sub_kegiatan_kode": [c.sub_kegiatan_code for c in kept],
            **amounts,
        }
    ).astype(CASH_PLAN_COLUMNS)
    cell_issues.extend(xml_issues(grid, range(header.data_start, table.last_row + 1), mapped_cols))
    issues.extend(sorted_issues(cell_issues))
    if issues:
        raise InputError(issues)
    return CashPlanWorkbook(
        path=book.path,
        sheet=grid.sheet,
        opd_code=opd_code,
        opd_name=opd_name,
        year=the_year,
        lines=lines[list(CASH_PLAN_COLUMNS)],
        columns={name: column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])},
        sha256=book.sha256,
        header_cells=header_cell_refs(meta),
        government=meta.government.value if meta.government else "",
        warnings=cleaned_cells(grid),
    )


def _plan_table(book: Book) -> tuple[Grid, Header]:
    """The sheet holding the plan and its table header; an InputError naming what is missing."""
    sheets = cash_plan_sheets(book)
    if not sheets:
        raise book.fail("sheet.not_found")
    best: tuple[Grid, Header] | None = None
    for sheet in sheets:
        grid = book.grid(sheet)
        found, partial = find_header(grid, CASH_PLAN_MATCH, CASH_PLAN_COMPLETE)
        if found is not None:
            skip_number_row(grid, found)
            return grid, found
        if is_quarterly_plan(partial):
            raise InputError([grid.issue("cash_plan.quarterly", partial.row)])
        if partial is not None and (best is None or len(partial.fields) > len(best[1].fields)):
            best = (grid, partial)
    if best is None:
        grid = book.grid(sheets[0])
        titles = ", ".join(COLUMN_TITLES[name] for name in ("kode", "uraian")) + ", Januari … Desember"
        raise InputError([grid.issue("header.not_found", required=titles)])
    grid, partial = best
    raise InputError(
        [
            grid.issue("header.missing_column", partial.row, column=COLUMN_TITLES[name])
            for name in CASH_PLAN_REQUIRED
            if name not in partial.fields
        ]
    )
