"""A sheet's values as a grid, and finding the table header in it (names matched loosely, headers
spanning two merged rows).
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from tasks.core.issues import InputError, InputIssue
from tasks.core.numbers import parse_number_values
from tasks.extract.cells import cell_at, cell_text, column_letter, is_empty, normalize_label
from tasks.extract.fields import COLUMN_TITLES, HEADER_SEARCH_ROWS
from tasks.extract.sheet_xml import XmlCells, scan_sheet_xml

if TYPE_CHECKING:  # the book makes its grids; a grid only names its book's type
    from tasks.extract.book import Book


@dataclass
class Grid:
    """A sheet's values from A1 (0-based rows/cols) with its merged ranges.

    The book is held by a weak reference: the book keeps its grids, and a grid that kept its book would
    make a reference cycle that only the garbage collector frees (with the whole sheet's rows in it).
    """

    book_ref: weakref.ref[Book]
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    _xml: XmlCells | None = None
    _min_width: int | None = None
    #: (row, col) of the text cells control characters were removed from (see tasks.core.text)
    cleaned: list[tuple[int, int]] = field(default_factory=list)

    @property
    def book(self) -> Book:
        """The workbook of this sheet (alive while its reader runs: the reader holds it)."""
        book = self.book_ref()
        if book is None:
            raise RuntimeError(f"workbook of sheet {self.sheet!r} is closed")
        return book

    def issue(
        self, rule: str, row: int | None = None, col: int | None = None, **params: object
    ) -> InputIssue:
        """An InputIssue on this sheet at 0-based (row, col)."""
        return self.book.issue(
            rule,
            sheet=self.sheet,
            row=None if row is None else row + 1,
            column="" if col is None else column_letter(col),
            params=dict(params),
        )

    def min_width(self) -> int:
        """Length of the shortest row: the columns left of it are in every row (calamine gives equal rows)."""
        if self._min_width is None:
            self._min_width = min(map(len, self.rows), default=0)
        return self._min_width

    def xml_cells(self, styles_for_column: int | None = None) -> XmlCells:
        """Scan of the sheet XML (cached; styles only when asked for a column)."""
        if self._xml is None or (styles_for_column is not None and not self._xml.styles):
            self._xml = scan_sheet_xml(self.book.sheet_xml(self.sheet), styles_for_column=styles_for_column)
        return self._xml


@dataclass
class Header:
    """A table header: first header row, first data row, and the field -> column index map."""

    row: int
    data_start: int
    labels: list[str]
    fields: dict[str, int] = field(default_factory=dict)


Matcher = Callable[[str], "str | None"]


def alias_matcher(spec: dict[str, tuple[str, ...]], extra: Matcher | None = None) -> Matcher:
    """A function label -> field for a spec of accepted names (plus an optional pattern matcher)."""
    aliases = {normalize_label(name): name_field for name_field, names in spec.items() for name in names}

    def match(label: str) -> str | None:
        """Field named by ``label``, or None."""
        found = aliases.get(label)
        if found is None and extra is not None:
            found = extra(label)
        return found

    return match


def _merged_lookup(grid: Grid, row_range: range) -> dict[tuple[int, int], tuple[object, int]]:
    """(row, col) -> (top-left value, merge id) for merged cells touching ``row_range``."""
    lookup: dict[tuple[int, int], tuple[object, int]] = {}
    for merge_id, ((r0, c0), (r1, c1)) in enumerate(grid.merged):
        if r1 < row_range.start or r0 >= row_range.stop:
            continue
        value = cell_at(grid.rows, r0, c0)
        for r in range(max(r0, row_range.start), min(r1, row_range.stop - 1) + 1):
            for c in range(c0, c1 + 1):
                lookup[(r, c)] = (value, merge_id)
    return lookup


def _labels(grid: Grid, row: int, two_rows: bool) -> list[str]:
    """Normalised column labels of a one-row or two-row header starting at ``row``."""
    width = max(len(grid.rows[row]) if row < len(grid.rows) else 0, len(grid_row(grid.rows, row + 1)))
    if not two_rows:
        return [normalize_label(cell_text(cell_at(grid.rows, row, c))) for c in range(width)]
    merges = _merged_lookup(grid, range(row, row + 2))
    labels = []
    last_group = ""
    for c in range(width):
        top, top_id = merges.get((row, c), (cell_at(grid.rows, row, c), -1))
        bottom, bottom_id = merges.get((row + 1, c), (cell_at(grid.rows, row + 1, c), -2))
        if top_id == bottom_id:
            bottom = None  # one cell merged over both rows
        top_text, bottom_text = cell_text(top), cell_text(bottom)
        if top_text and bottom_text:
            last_group = top_text
        elif not top_text and bottom_text and last_group and c > 0:
            top_text = last_group  # group title written once over unmerged sub-columns
        else:
            last_group = ""
        labels.append(normalize_label(f"{top_text} {bottom_text}".strip()))
    return labels


def grid_row(rows: Sequence[Sequence[object]], index: int) -> Sequence[object]:
    """Row at ``index`` or an empty row."""
    return rows[index] if 0 <= index < len(rows) else ()


def assign_fields(labels: list[str], match: Matcher) -> dict[str, int]:
    """Field -> first column index whose label matches it."""
    fields: dict[str, int] = {}
    for col, label in enumerate(labels):
        name = match(label) if label else None
        if name and name not in fields:
            fields[name] = col
    return fields


def requirement(required: Sequence[str], one_of: Sequence[str]) -> Callable[[dict[str, int]], bool]:
    """Predicate: all ``required`` fields and at least one of ``one_of`` (when given) are present."""

    def complete(fields: dict[str, int]) -> bool:
        """True when ``fields`` satisfy the requirement."""
        return all(f in fields for f in required) and (not one_of or any(f in fields for f in one_of))

    return complete


def find_header(
    grid: Grid, match: Matcher, complete: Callable[[dict[str, int]], bool]
) -> tuple[Header | None, Header | None]:
    """(complete header, best partial header) found by column names in the first rows of the grid."""
    best: Header | None = None
    best_score = 1
    for row in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
        if not any(not is_empty(v) for v in grid.rows[row]):
            continue
        single = _labels(grid, row, two_rows=False)
        single_fields = assign_fields(single, match)
        if len(single_fields) < 2 and not any(match(label) for label in single if label):
            continue
        double = _labels(grid, row, two_rows=True)
        double_fields = assign_fields(double, match)
        if len(double_fields) > len(single_fields) or (
            len(double_fields) == len(single_fields) and _is_title_row(grid_row(grid.rows, row + 1))
        ):
            header = Header(row, row + 2, double, double_fields)
        else:
            header = Header(row, row + 1, single, single_fields)
        if complete(header.fields):
            return header, header
        if len(header.fields) > best_score:
            best, best_score = header, len(header.fields)
    return None, best


def _is_title_row(values: Sequence[object]) -> bool:
    """True for a non-empty row of digit-free text only (a header's second line such as ``(Rp)``)."""
    texts = [v for v in values if not is_empty(v)]
    return bool(texts) and all(isinstance(v, str) and not re.search(r"\d", v) for v in texts)


def skip_number_row(grid: Grid, header: Header) -> None:
    """Skip a row of column numbers (1, 2, 3 …) printed right under the header."""
    values = [v for v in grid_row(grid.rows, header.data_start) if not is_empty(v)]
    numbers = []
    for value in values:
        text = cell_text(value).strip("()")
        if not text.isdigit():
            return
        numbers.append(int(text))
    if len(numbers) >= 3 and numbers == sorted(set(numbers)) and numbers[0] <= 2:
        header.data_start += 1


def require_header(
    grid: Grid,
    match: Matcher,
    required: Sequence[str],
    one_of: Sequence[str],
    one_of_rule: str,
    one_of_title: str,
) -> tuple[Header, list[InputIssue]]:
    """The table header, or an InputError naming the missing columns / header."""
    header, best = find_header(grid, match, requirement(required, one_of))
    if header is not None:
        skip_number_row(grid, header)
        return header, []
    if best is None:
        titles = [COLUMN_TITLES.get(f, f) for f in required] + [one_of_title]
        raise InputError([grid.issue("header.not_found", required=", ".join(titles))])
    issues = [
        grid.issue("header.missing_column", best.row, column=COLUMN_TITLES.get(f, f))
        for f in required
        if f not in best.fields
    ]
    if not any(f in best.fields for f in one_of):
        if one_of_rule == "header.missing_column":
            issues.append(grid.issue(one_of_rule, best.row, column=one_of_title))
        else:
            issues.append(grid.issue(one_of_rule, best.row))
    raise InputError(issues)


def is_number_type(kind: type) -> bool:
    """True for the type of a number cell (int or float, bool excluded)."""
    return issubclass(kind, float | int) and not issubclass(kind, bool)


def number_column(
    grid: Grid, data_rows: Sequence[int], col: int | None, percent: bool, issues: list[InputIssue]
) -> np.ndarray:
    """Parse one numeric column (float64); bad cells become ``cell.not_number`` issues (and NaN)."""
    if col is None:
        return np.full(len(data_rows), math.nan)
    raw = column_values(grid, data_rows, col)
    values, bad = parse_number_values(raw, percent=percent)
    for position in np.flatnonzero(bad):
        issues.append(grid.issue("cell.not_number", data_rows[position], col, value=cell_text(raw[position])))
    return values


def xml_issues(grid: Grid, rows: Iterable[int], cols: Iterable[int]) -> list[InputIssue]:
    """Uncached formulas and error values inside the table area (rows x mapped columns)."""
    xml = grid.xml_cells()
    if not xml.no_value and not xml.errors:
        return []
    row_set, col_set = set(rows), set(cols)
    issues = []
    for r, c in sorted(xml.no_value):
        if r in row_set and c in col_set:
            issues.append(grid.issue("cell.formula_no_value", r, c))
    for (r, c), error in sorted(xml.errors.items()):
        if r in row_set and c in col_set:
            issues.append(grid.issue("cell.not_number", r, c, value=error))
    return issues


def sorted_issues(issues: list[InputIssue]) -> list[InputIssue]:
    """Cell issues in worksheet order (row, then column)."""
    return sorted(issues, key=lambda i: (i.row or 0, len(i.column), i.column, i.rule))


def cleaned_cells(*grids: Grid) -> list[InputIssue]:
    """A warning for each cell of ``grids`` that control characters were removed from."""
    return [
        replace(grid.issue("cell.control_characters", row, col), severity="warning")
        for grid in grids
        for row, col in grid.cleaned
    ]


def column_values(grid: Grid, rows: Sequence[int], col: int | None) -> list[object]:
    """Values of column ``col`` at the given 0-based rows (None when the column is absent)."""
    if col is None:
        return [None] * len(rows)
    grid_rows = grid.rows
    if 0 <= col < grid.min_width() and min(rows, default=0) >= 0:
        try:
            return [grid_rows[r][col] for r in rows]
        except IndexError:  # a row below the grid
            pass
    return [cell_at(grid_rows, r, col) for r in rows]
