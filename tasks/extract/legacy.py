"""Legacy workbook formats read by calamine alone: OpenDocument (.ods) and Excel 97-2003 (.xls).

Their sheets are checked against the same limits as an .xlsx's before their cells are read:

- an .ods is a zip archive (checked like an .xlsx's) whose ``content.xml`` gives each table's used
  range; rows and cells may be repeated (``number-rows-repeated``, ``number-columns-repeated``), and a
  repeated cell holding a value reaches as far as its last repetition, so one small element can
  stand for a far cell. :func:`ods_used_ranges` counts them without expanding anything, and
  :func:`check_ranges` refuses the file before calamine, which reads every table on opening, does;
- an .xls holds at most 65,536 rows by 256 columns per sheet (BIFF8), so calamine's range of a sheet
  is bounded by the format; :func:`check_loaded_range` checks it before its cells become Python
  objects.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.etree import ElementTree

from tasks.core.issues import InputError
from tasks.extract.limits import UsedRange, WorkbookLimits, range_issue, too_many_cells_read

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


def is_ods(archive: zipfile.ZipFile) -> bool:
    """True when the zip archive is an OpenDocument spreadsheet (its ``mimetype`` part says so)."""
    try:
        return archive.read("mimetype").strip() == ODS_MIMETYPE
    except KeyError:
        return False


def _repeat(element: ElementTree.Element, attribute: str) -> int:
    """The element's repetition count (1 when absent or not a positive number)."""
    try:
        return max(1, int(element.get(f"{_TABLE}{attribute}", "1")))
    except ValueError:
        return 1


def ods_used_ranges(archive: zipfile.ZipFile) -> dict[str, UsedRange]:
    """Each table's used range (1-based extent, cell elements expanded by their repetitions).

    A cell counts when it holds a value (``office:value-type``) or content (a paragraph); the archive
    has already been checked against the size limits, so ``content.xml`` is parsed incrementally.
    """
    ranges: dict[str, UsedRange] = {}
    name, row, column = "", 0, 0
    rows = columns = cells = 0
    last_row_cell = last_column_cell = (0, 0)
    row_repeat = 1
    parents: list[ElementTree.Element] = []
    source = io.BytesIO(archive.read("content.xml"))
    for event, element in ElementTree.iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            parents.append(element)
            if tag == f"{_TABLE}table":
                name, row, rows, columns, cells = element.get(f"{_TABLE}name", ""), 0, 0, 0, 0
                last_row_cell = last_column_cell = (0, 0)
            elif tag == f"{_TABLE}table-row":
                column, row_repeat = 0, _repeat(element, "number-rows-repeated")
            continue
        parents.pop()
        if tag in _CELLS:
            repeat = _repeat(element, "number-columns-repeated")
            cells += repeat * row_repeat
            if element.get(f"{_OFFICE}value-type") is not None or len(element):
                last_row = row + row_repeat - 1
                if last_row + 1 > rows:
                    rows, last_row_cell = last_row + 1, (last_row, column)
                if column + repeat > columns:
                    columns, last_column_cell = column + repeat, (row, column + repeat - 1)
            column += repeat
        elif tag == f"{_TABLE}table-row":
            row += row_repeat
        elif tag == f"{_TABLE}table":
            ranges[name] = UsedRange(rows, columns, cells, last_row_cell, last_column_cell)
        if parents and tag in (*_CELLS, f"{_TABLE}table-row"):
            parents[-1].clear()  # keep memory flat: a row's cells, a table's rows are read
    return ranges


def check_ranges(ranges: dict[str, UsedRange], limits: WorkbookLimits, *, file: str) -> None:
    """Raise when a table, or all of them together, reach beyond the limits.

    calamine reads every table of an .ods when it opens the file, hidden ones too: all of them are
    checked before it is opened.
    """
    total = 0
    for sheet, found in ranges.items():
        issue = range_issue(found, limits, file=file, sheet=sheet)
        if issue is not None:
            raise InputError([issue])
        total += found.rows * found.columns
        if total > limits.max_cells:
            raise too_many_cells_read(file, sheet, limits)


def check_loaded_range(handle: Any, limits: WorkbookLimits, *, file: str, sheet: str) -> None:
    """Raise ``sheet.too_large`` when a sheet calamine has loaded reaches beyond the limits.

    Checked before the cells become Python objects (``to_python``), which cost far more than
    calamine's own range.
    """
    rows, columns = handle.total_height, handle.total_width
    last = (max(rows - 1, 0), max(columns - 1, 0))
    issue = range_issue(UsedRange(rows, columns, rows * columns, last, last), limits, file=file, sheet=sheet)
    if issue is not None:
        raise InputError([issue])


def not_a_workbook(data: bytes) -> tuple[str, str]:
    """Why bytes that are neither a zip archive nor an OLE2 file are no workbook (Indonesian, English).

    Some applications export an HTML table or plain text under an .xls name.
    """
    head = data[:512].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head")):
        return (  # what to do with it is the message's own last words
            "isinya halaman web (HTML/XML) yang diberi nama workbook",
            "the content is a web page (HTML/XML) named as a workbook",
        )
    return (
        "isi berkas bukan workbook .xlsx, .xls, atau .ods (bukan arsip zip maupun berkas Excel 97-2003)",
        "the content is not an .xlsx, .xls or .ods workbook "
        "(neither a zip archive nor an Excel 97-2003 file)",
    )
