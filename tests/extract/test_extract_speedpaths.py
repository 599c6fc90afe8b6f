"""The fast paths of extraction give the same results as the general paths they short-cut."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tasks.core import codes
from tasks.core.issues import InputError
from tasks.core.numbers import parse_amount, parse_number_series, parse_number_values, parse_percent
from tasks.core.staging import REALIZATION_COLUMNS
from tasks.extract.book import open_book
from tasks.extract.cells import cell_at, is_empty
from tasks.extract.grid import Grid
from tasks.extract.realization import _filled_rows, _sub_width, _typed_frame, column_values, read_realization
from tasks.extract.sheet_xml import _XML_NEEDS_SCAN, _may_need_scan, scan_sheet_xml
from tests.fixtures.workbooks import realization_sheet, write_xlsx

#: a text amount that forces the general (text-parsing) path of a column
TEXT_AMOUNT = "1.234.567,00"


def _same_floats(left: np.ndarray, right: np.ndarray) -> bool:
    """Equal float arrays, NaN equal to NaN."""
    return bool(np.array_equal(np.asarray(left), np.asarray(right), equal_nan=True))


# ------------------------------------------------------------------------------------------------
# numbers


NUMBERS_AND_BLANKS: list[object] = [1, 2.5, None, "", "   ", 0, -7, 1e15, 0.1, 2**53 + 1]


@pytest.mark.parametrize("percent", [False, True])
def test_number_list_fast_path_matches_cell_parser(percent: bool) -> None:
    """Numbers and blanks only (the fast path): each cell as ``parse_amount`` / ``parse_percent`` reads it."""
    values, bad = parse_number_values(NUMBERS_AND_BLANKS, percent=percent)
    parser = parse_percent if percent else parse_amount
    assert values.dtype == np.float64
    assert _same_floats(values, np.array([parser(v) for v in NUMBERS_AND_BLANKS], dtype=np.float64))
    assert not bad.any()


@pytest.mark.parametrize("percent", [False, True])
def test_number_list_fast_path_matches_general_path(percent: bool) -> None:
    """One text cell sends the whole column through the general path: the other cells read the same."""
    fast, _ = parse_number_values(NUMBERS_AND_BLANKS, percent=percent)
    general, bad = parse_number_values([*NUMBERS_AND_BLANKS, TEXT_AMOUNT], percent=percent)
    assert _same_floats(general[:-1], fast)
    assert general[-1] == 1_234_567.0
    assert not bad.any()


@pytest.mark.parametrize("percent", [False, True])
def test_number_list_matches_series_parser(percent: bool) -> None:
    """``parse_number_values`` gives what ``parse_number_series`` gives for the same cells, bad ones too."""
    cells: list[object] = [
        TEXT_AMOUNT,
        "",
        "-",
        None,
        " ",
        "Rp 1.000",
        "(1.000)",
        "76,64%",
        "NA",
        "abc",
        "1.23.456",
        True,
        dt.datetime(2022, 1, 5),
        np.float64(2.5),
        math.nan,
        3,
        4.5,
    ]
    values, bad = parse_number_values(cells, percent=percent)
    expected, expected_bad = parse_number_series(pd.Series(cells, dtype=object), percent=percent)
    assert _same_floats(values, expected.to_numpy())
    assert bad.tolist() == expected_bad.tolist()


def test_number_list_keeps_nan_cells_and_rejects_bools() -> None:
    """As the general path: a NaN number cell stays NaN (not the blank value), a bool is not a number."""
    values, bad = parse_number_values([math.nan, None], percent=False)
    assert math.isnan(values[0]) and values[1] == 0.0 and not bad.any()
    values, bad = parse_number_values([1.0, True], percent=False)
    assert values[0] == 1.0 and math.isnan(values[1])
    assert bad.tolist() == [False, True]


def test_number_list_empty() -> None:
    """No cells: empty float64 values and mask."""
    values, bad = parse_number_values([], percent=True)
    assert values.dtype == np.float64 and values.size == 0 and bad.size == 0


# ------------------------------------------------------------------------------------------------
# codes

TRICKY_CODES = [
    "",
    "01",
    "0001",
    "001",
    "1",
    "2.17",
    "2.17.",
    " 2.17 ",
    "2.17\n",
    "2.17.01",
    "2.17.01.2.01",
    "2.17.01.2.01.01",
    "2.17.01.2.01.0001",
    "2.17.01.2.01.001",
    "2.17.01.2.01.01.01",
    "5.1",
    "5.1.02.01.01.0024",
    "5.12",
    "5.01",
    "5.1.02.01.01.00245",
    "5.01.01.2.01.01",
    "x.y",
    "JUMLAH",
    "2.1",
    "2..17",
    "\u0661.\u0661\u0662",  # Arabic-Indic digits are digits for ``\\d``
]


def _level_by_each_pattern(code: str) -> str | None:
    """``level_of`` as the level patterns tried one by one (the definition the combined pattern follows)."""
    clean = codes.clean_code(code)
    return next((level for level, pattern in codes._PATTERNS.items() if pattern.match(clean)), None)


@pytest.mark.parametrize("code", TRICKY_CODES)
def test_level_of_matches_patterns_one_by_one(code: str) -> None:
    """The one combined level pattern classifies every code as the five patterns tried in order."""
    assert codes.level_of(code) == _level_by_each_pattern(code)


@pytest.mark.parametrize("code", TRICKY_CODES)
def test_sub_kegiatan_helpers_match_their_definition(code: str) -> None:
    """``_sub_width`` and ``sub_kegiatan_width`` as defined with ``level_of`` (short or full sub kegiatan)."""
    clean = codes.clean_code(code)
    is_sub = bool(re.fullmatch(r"\d{2}|\d{4}", clean)) or _level_by_each_pattern(clean) == "sub_kegiatan"
    width = len(clean) if re.fullmatch(r"\d{2}|\d{4}", clean) else len(clean.rsplit(".", 1)[-1])
    assert _sub_width(code) == (width if is_sub else 0)
    assert codes.sub_kegiatan_width(code) == (width if is_sub else 2)


def test_expand_codes_total_rows() -> None:
    """Total rows as ``is_total`` defines them: the cleaned code, or the uraian when the code is empty."""
    raw = ["2.17", " jumlah ", "", "", "Total Belanja", "TOTAL:", "jumlahnya", None]
    names = [None, None, "TOTAL", "x", None, None, None, " Jumlah Belanja "]
    rows = codes.expand_codes(raw, names)
    expected = []
    for code, name in zip(raw, names, strict=True):
        clean = codes.clean_code(code)
        expected.append(codes.is_total(clean) or (not clean and codes.is_total(name)))
    assert [row.level == "total" for row in rows] == expected == [
        False, True, True, False, False, True, False, True
    ]  # fmt: skip
    assert rows[4] == codes.CodeRow("TotalBelanja", "", "", "malformed")  # spaces go before the check


# ------------------------------------------------------------------------------------------------
# sheet XML and grid


@pytest.mark.parametrize(
    "xml",
    [
        b"",
        b'<row r="1"><c r="A1"><v>1</v></c></row>',
        b'<c r="A1"><f>SUM(B1:B2)</f></c>',
        b'<x:c r="A1"><x:f>1+1</x:f></x:c>',
        b'<c r="A1" t="e"><v>#DIV/0!</v></c>',
        b"<firstFooter>page</firstFooter>",
        b'<worksheet xmlns:f="urn:x"><c r="A1"><v>1</v></c></worksheet>',
        b"<fx/>",
    ],
)
def test_cheap_xml_check_agrees_with_the_pattern(xml: bytes) -> None:
    """The substring pre-check never skips a sheet that the formula/error pattern would scan."""
    assert _may_need_scan(xml) == bool(_XML_NEEDS_SCAN.search(xml))


def test_xml_scan_of_a_sheet_without_formulas_is_empty() -> None:
    """A sheet without formulas or error cells gives no findings (the scan is skipped)."""
    found = scan_sheet_xml(b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>')
    assert not found.no_value and not found.errors and not found.styles


def _ragged_grid(tmp_path: Path) -> tuple[Grid, object]:
    """A grid of a real workbook with its rows replaced by ragged rows (shorter and longer ones)."""
    book = open_book(write_xlsx(tmp_path / "lra.xlsx", realization_sheet()))
    grid = book.grid(book.visible[0])
    rows: list[list[object]] = [
        ["h", "x", "y"],
        ["2.17", "", None, 5],
        [],
        ["", "  ", None],
        [None, None, None, None, "x"],
        ["01"],
        [" ", "", 0.0],
    ]
    return Grid(grid.book_ref, grid.sheet, rows, []), book


def test_column_values_and_filled_rows_on_ragged_rows(tmp_path: Path) -> None:
    """Short rows and cells beyond the grid read as empty, as the cell-by-cell reading does."""
    grid, _book = _ragged_grid(tmp_path)
    for col in (None, 0, 1, 2, 3, 4, 9):
        for rows in ([1, 2, 3, 4, 5, 6], [0, 6, 20], [], [2]):
            expected = [None if col is None else cell_at(grid.rows, r, col) for r in rows]
            assert column_values(grid, rows, col) == expected
    for cols in ([0, 1, 2], [2], [4], [0, 1, 2, 3, 4, 9]):
        expected_rows = [
            r for r in range(1, len(grid.rows)) if any(not is_empty(cell_at(grid.rows, r, c)) for c in cols)
        ]
        assert _filled_rows(grid, 1, cols) == expected_rows


def test_typed_frame_matches_astype() -> None:
    """One typed construction gives the frame of building with objects and ``astype``, empty too."""
    for n in (0, 3):
        columns: dict[str, object] = {}
        for name, dtype in REALIZATION_COLUMNS.items():
            if dtype == "int64":
                columns[name] = list(range(1, n + 1))
            elif dtype == "float64":
                columns[name] = np.array([1.5, math.nan, 0.0][:n])
            else:
                columns[name] = ["a", "", "b c"][:n]
        reference = pd.DataFrame(columns)[list(REALIZATION_COLUMNS)].astype(REALIZATION_COLUMNS)
        pd.testing.assert_frame_equal(
            _typed_frame(columns, REALIZATION_COLUMNS), reference.reset_index(drop=True)
        )


# ------------------------------------------------------------------------------------------------
# read_realization end to end


BODY = [
    ["2.17", "Urusan", 1000, 60, 600, None, None],
    ["2.17.01", "Program", 1000, 60, 600, None, None],
    ["2.01", "Kegiatan", 1000, 60, 600, None, None],
    ["01", "Sub 01", 400, 10, 100, 25, "PAD"],
    ["5.1.02.01.01.0024", "Belanja", 400, None, 100, None, "PAD"],
    ["02", "Sub 02", 600, 50, 500, 76.5, " DAU  x "],
    [None, "JUMLAH", 1000, 60, 600, None, None],
]


def _read(tmp_path: Path, name: str, body: list[list[object]]) -> pd.DataFrame:
    """``lines`` of a realization workbook with ``body`` as its table."""
    return read_realization(write_xlsx(tmp_path / name, realization_sheet(body=body))).lines


def test_text_cells_read_as_the_numbers_they_write(tmp_path: Path) -> None:
    """Text amounts (``1.234.567,00``, ``-``, empty, spaces) give the frame of the same numbers typed."""
    numbers = _read(tmp_path, "numbers.xlsx", BODY)
    texts = [list(row) for row in BODY]
    texts[0][2] = "1.000,00"  # anggaran 1000
    texts[1][3] = "60"
    texts[3][4] = "Rp 100"
    texts[4][3] = "-"  # an empty amount and "-" are both 0
    texts[5][5] = "76,5%"
    texts[6][3] = " 60 "
    mixed = _read(tmp_path, "texts.xlsx", texts)
    pd.testing.assert_frame_equal(mixed, numbers)
    assert {c: str(t) for c, t in mixed.dtypes.items()} == REALIZATION_COLUMNS
    assert numbers["realisasi_bulan_ini_rp"].tolist() == [60.0, 60.0, 60.0, 10.0, 0.0, 50.0, 60.0]
    assert numbers["sumber_dana"].tolist() == ["", "", "", "PAD", "PAD", "DAU x", ""]


def test_big_text_amount(tmp_path: Path) -> None:
    """``1.234.567,00`` next to empty and ``-`` cells in the same column."""
    body = [list(row) for row in BODY]
    body[3][2], body[4][2], body[5][2] = TEXT_AMOUNT, "", "-"
    lines = _read(tmp_path, "lra.xlsx", body)
    assert lines["anggaran_rp"].tolist()[3:6] == [1_234_567.0, 0.0, 0.0]


def test_bad_cells_reported_in_order_with_fast_columns(tmp_path: Path) -> None:
    """Bad cells of a text column are reported at their cells, whatever path the other columns took."""
    body = [list(row) for row in BODY]
    body[2][4], body[5][2] = "enam ratus", "x"
    with pytest.raises(InputError) as error:
        _read(tmp_path, "lra.xlsx", body)
    found = [(i.rule, i.cell, i.params.get("value")) for i in error.value.issues]
    assert found == [("cell.not_number", "E9", "enam ratus"), ("cell.not_number", "C12", "x")]


def test_amount_on_a_row_without_code(tmp_path: Path) -> None:
    """A row without a code is an error only when it has an amount (text that is no number counts)."""
    body = [list(row) for row in BODY]
    body.insert(4, [None, "no code, no amount", "-", 0, "", None, None])
    body.insert(5, [None, "no code, text", None, None, "abc", None, None])
    with pytest.raises(InputError) as error:
        _read(tmp_path, "lra.xlsx", body)
    assert [(i.rule, i.cell) for i in error.value.issues] == [("code.missing", "A12")]


def test_grid_keeps_no_reference_cycle(tmp_path: Path) -> None:
    """A grid reaches its book while the book is alive, without keeping it alive itself."""
    book = open_book(write_xlsx(tmp_path / "lra.xlsx", realization_sheet()))
    grid = book.grid(book.visible[0])
    assert grid.book is book
    assert grid.issue("cell.not_number", 0, 0).file == "lra.xlsx"
