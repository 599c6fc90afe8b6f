"""Reading a monthly realization workbook into staged, typed rows.

Cell values come from python-calamine (fast). Two things calamine cannot tell are read from the sheet
XML inside the zip, and only when needed: a formula cell with no cached value or with a cached error
(calamine shows both as an empty cell; the XML is scanned only when it contains a formula or an error
cell), and the number format of a code cell that holds a number (to read ``01`` / ``2.10`` as
displayed). Every cell-level problem of a file is collected and raised as one ``InputError``.

Pure extraction: no business rules (subtotals, ranges) beyond what is needed to read types, codes and
the header; those belong to validation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tasks.core import codes
from tasks.core.issues import InputError, InputIssue
from tasks.core.numbers import parse_amount
from tasks.core.staging import (
    REALIZATION_COLUMNS,
    RealizationWorkbook,
)
from tasks.extract.book import Book, open_book
from tasks.extract.cells import cell_at, cell_text, column_letter, is_empty
from tasks.extract.fields import (
    REALIZATION_AMOUNTS,
    REALIZATION_ONE_OF,
    REALIZATION_PERCENTS,
    REALIZATION_REQUIRED,
    REALIZATION_TEXTS,
)
from tasks.extract.grid import (
    Grid,
    cleaned_cells,
    column_values,
    is_number_type,
    number_column,
    require_header,
    sorted_issues,
    xml_issues,
)
from tasks.extract.header_block import (
    given_month_number,
    header_cell_refs,
    read_meta,
    resolve_number,
    resolve_opd,
)
from tasks.extract.kind import REALIZATION_MATCH, find_realization_sheet
from tasks.extract.limits import WorkbookLimits
from tasks.extract.sources import find_source_blocks, source_lines


def _filled_rows(grid: Grid, start: int, cols: Sequence[int]) -> list[int]:
    """0-based rows from ``start`` down with a non-empty cell (see ``is_empty``) in one of ``cols``."""
    rows = grid.rows
    if not all(0 <= c < grid.min_width() for c in cols):
        return [r for r in range(start, len(rows)) if any(not is_empty(cell_at(rows, r, c)) for c in cols)]
    filled = []
    for r in range(max(start, 0), len(rows)):
        line = rows[r]
        for c in cols:
            value = line[c]
            if value is not None and not (isinstance(value, str) and not value.strip()):
                filled.append(r)
                break
    return filled


def _texts(values: Iterable[object]) -> list[str]:
    """``cell_text`` of each value (the common text cell handled inline)."""
    return [" ".join(value.split()) if type(value) is str else cell_text(value) for value in values]


def _code_texts(grid: Grid, data_rows: Sequence[int], col: int) -> list[str]:
    """Code cells as displayed: text as written, numbers by their number format (see codes.code_text)."""
    values = column_values(grid, data_rows, col)
    if not any(is_number_type(kind) for kind in set(map(type, values))):
        # no number to format, so the sub kegiatan width is not needed: codes.code_text of each cell
        return [value.strip() if type(value) is str else codes.code_text(value) for value in values]
    styles = grid.xml_cells(styles_for_column=col).styles
    formats = grid.book.number_formats()
    texts = []
    width = 2
    for r, value in zip(data_rows, values, strict=True):
        if type(value) is str:
            text = value.strip()  # codes.code_text of a text cell
        elif isinstance(value, float | int) and not isinstance(value, bool):
            style = styles.get((r, col), 0)
            number_format = formats[style] if style < len(formats) else "General"
            text = codes.code_text(value, number_format, sub_kegiatan_width=width)
        else:
            text = codes.code_text(value)
        sub_width = _sub_width(text)
        if sub_width:
            width = sub_width
        texts.append(text)
    return texts


#: a short sub kegiatan code (``01`` / ``0001``) or a full one (``codes.level_of`` gives sub_kegiatan)
_SUB_CODE = re.compile(r"\d{2}|\d{4}|" + codes.CODE_PATTERNS["sub_kegiatan"].strip("^$"))


@functools.lru_cache(maxsize=65536)
def _sub_width(code: str) -> int:
    """``codes.sub_kegiatan_width`` of a short or full sub kegiatan code, 0 for any other code (cached)."""
    clean = codes.clean_code(code)
    if _SUB_CODE.fullmatch(clean) is None:
        return 0
    return len(clean.rpartition(".")[2])  # the whole short code, or the last segment of a full one


@dataclass
class TableRows:
    """The rows of a realization table: worksheet rows kept (0-based), their expanded codes and names.

    ``last_row`` is the last row of the table (the total row or the last coded row), so cell checks
    stop there; ``names`` holds the name of every candidate row, ``keep`` the positions kept.
    """

    candidates: list[int]
    code_texts: list[str]
    names: list[str]
    expanded: list[codes.CodeRow]
    keep: list[int]
    last_row: int

    @property
    def rows(self) -> list[int]:
        """0-based worksheet rows of the kept table rows."""
        return [self.candidates[p] for p in self.keep]


def table_rows(
    grid: Grid,
    data_start: int,
    code_col: int,
    name_col: int,
    scan_cols: Sequence[int],
    amount_cols: Sequence[int],
    issues: list[InputIssue],
) -> TableRows:
    """The rows below ``data_start`` filled in ``scan_cols``, codes expanded, bad codes as issues.

    A row without a code is passed over, unless it holds an amount in ``amount_cols`` before the total
    row (``code.missing``); rows after the total row count only when they have a code.
    """
    # the code column first: it is filled in nearly every table row, so most rows need one look
    candidate_rows = _filled_rows(grid, data_start, [code_col, *scan_cols])
    code_texts = _code_texts(grid, candidate_rows, code_col)
    names = _texts(column_values(grid, candidate_rows, name_col))
    expanded = codes.expand_codes(code_texts, names)
    keep: list[int] = []
    seen_total = False
    last_row = data_start - 1
    for position, (r, code_row) in enumerate(zip(candidate_rows, expanded, strict=True)):
        if code_row.problem == "missing":
            if not seen_total and any(_has_amount(cell_at(grid.rows, r, c)) for c in amount_cols):
                issues.append(grid.issue("code.missing", r, code_col))
            continue
        if seen_total and not code_texts[position]:
            continue
        last_row = r
        if code_row.problem == "malformed":
            issues.append(
                grid.issue("code.malformed", r, code_col, value=code_texts[position], level="kode anggaran")
            )
            continue
        if code_row.problem == "orphan":
            issues.append(grid.issue("code.orphan", r, code_col, value=code_texts[position]))
            continue
        seen_total = seen_total or code_row.level == "total"
        keep.append(position)
    return TableRows(candidate_rows, code_texts, names, expanded, keep, last_row)


def lines_frame(
    grid: Grid, table: TableRows, fields: dict[str, int | None], issues: list[InputIssue]
) -> pd.DataFrame:
    """The staged lines (``REALIZATION_COLUMNS``) of ``table``, values read from the columns ``fields``
    names (a field missing or None: NaN / ""); cells that are not numbers become issues."""
    kept_rows = table.rows
    numbers = {}
    for name in (*REALIZATION_AMOUNTS, *REALIZATION_PERCENTS):
        numbers[name] = number_column(grid, kept_rows, fields.get(name), name in REALIZATION_PERCENTS, issues)
    kept = [table.expanded[p] for p in table.keep]
    columns: dict[str, object] = {
        "row": [r + 1 for r in kept_rows],
        "kode": [c.full_code for c in kept],
        "level": [c.level for c in kept],
        "uraian": [table.names[p] for p in table.keep],
        "sub_kegiatan_kode": [c.sub_kegiatan_code for c in kept],
        **numbers,
        **{name: _texts(column_values(grid, kept_rows, fields.get(name))) for name in REALIZATION_TEXTS},
    }
    return _typed_frame(columns, REALIZATION_COLUMNS)


def read_realization(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    month: int | str | None = None,
    limits: WorkbookLimits | None = None,
) -> RealizationWorkbook:
    """Extract a monthly budget-realization workbook into a ``RealizationWorkbook``."""
    book = open_book(path, limits)
    return read_realization_sheet(book, find_realization_sheet(book), opd=opd, year=year, month=month)


def read_realization_sheet(
    book: Book,
    sheet: str,
    *,
    opd: str | None = None,
    year: int | None = None,
    month: int | str | None = None,
    part: str = "",
) -> RealizationWorkbook:
    """Extract one sheet holding one month's realization table (``part``: see ``RealizationWorkbook``)."""
    grid = book.grid(sheet)
    header, issues = require_header(
        grid,
        REALIZATION_MATCH,
        REALIZATION_REQUIRED,
        REALIZATION_ONE_OF,
        "amount.missing_realization",
        "Realisasi Bulan Ini / Realisasi s.d. Bulan Ini",
    )
    meta = read_meta(grid, header.row, with_month=True)
    issues.extend(meta.issues)
    opd_code, opd_name = resolve_opd(grid, meta, opd, issues)
    the_year = resolve_number(grid, meta.year, None if year is None else int(year), "Tahun anggaran", issues)
    try:
        given_month = given_month_number(month)
    except ValueError:
        issues.append(grid.issue("header.month_unknown", value=str(month)))
        given_month = None
    if meta.month is None and given_month is None and any(i.rule == "header.month_unknown" for i in issues):
        the_month = 0
    else:
        the_month = resolve_number(grid, meta.month, given_month, "Bulan", issues)

    fields = header.fields
    mapped_cols = sorted(fields.values())
    amount_cols = [fields[n] for n in REALIZATION_AMOUNTS if n in fields]
    table = table_rows(
        grid, header.data_start, fields["kode"], fields["uraian"], mapped_cols, amount_cols, issues
    )
    sections = find_source_blocks(
        grid, table, header.data_start, fields["kode"], fields["uraian"], amount_cols, issues
    )
    if sections is not None:
        table = sections.table
    cell_issues: list[InputIssue] = []
    lines = lines_frame(grid, table, dict(fields), cell_issues)
    sources = None
    if sections is not None and not cell_issues:  # blocks are checked on readable amounts only
        lines, sources = source_lines(grid, sections, lines, dict(fields), cell_issues)
    cell_issues.extend(xml_issues(grid, range(header.data_start, table.last_row + 1), mapped_cols))
    issues.extend(sorted_issues(cell_issues))
    if issues:
        raise InputError(issues)
    return RealizationWorkbook(
        warnings=cleaned_cells(grid),
        path=book.path,
        sheet=grid.sheet,
        opd_code=opd_code,
        opd_name=opd_name,
        year=the_year,
        month=the_month,
        lines=lines,
        columns={name: column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])},
        sha256=book.sha256,
        header_cells=header_cell_refs(meta),
        government=meta.government.value if meta.government else "",
        part=part,
        sources=sources,
    )


def _typed_frame(columns: dict[str, object], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame of ``dtypes``' columns in their order, each column built once with its dtype.

    Gives the same frame as ``pd.DataFrame(columns)[list(dtypes)].astype(dtypes)`` with a fresh
    RangeIndex, without an ``astype`` per column.
    """
    arrays: dict[str, object] = {}
    for name, dtype_name in dtypes.items():
        dtype = _dtype(dtype_name)
        if isinstance(dtype, np.dtype):
            arrays[name] = np.asarray(columns[name], dtype=dtype)
        else:
            arrays[name] = pd.array(columns[name], dtype=dtype)
    return pd.DataFrame(arrays)


@functools.cache
def _dtype(name: str) -> np.dtype | pd.api.extensions.ExtensionDtype:
    """The pandas dtype named ``name`` (cached: resolving a name by string is slow)."""
    return pd.api.types.pandas_dtype(name)


def _has_amount(value: object) -> bool:
    """True for a cell holding a non-zero amount or text that is not an amount (``-``, 0, empty are not)."""
    try:
        return parse_amount(value) != 0
    except ValueError:
        return True
