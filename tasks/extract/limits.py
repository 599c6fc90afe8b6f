"""Limits on what a workbook can make a reader allocate, checked before anything is allocated.

An .xlsx file is a zip archive of XML parts. Two kinds of small files exhaust a reader's memory:

- a **far cell**: one value in ``XFD1048576`` makes python-calamine allocate the whole grid from A1
  (17 billion cells, 550 GB: the process aborts); openpyxl loads every cell element of every sheet;
- a **zip bomb**: a part that inflates to gigabytes (the shared strings, a sheet).

:func:`check_archive` bounds the inflated size of every part and of the whole archive without trusting
the sizes the archive declares: a deflated part can never inflate to more than 1032 times its
compressed size, so only a part whose bound exceeds the limit is inflated, in chunks, counting.
:func:`check_used_range` bounds a sheet's used range from its XML before the reader builds the grid:
a cheap scan proves the common case (every cell carries a short reference such as ``H82``), anything
else is parsed exactly, the way calamine positions cells (references, or the running row and column
of cells without one).
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from tasks.core.issues import InputError, InputIssue

MB = 1 << 20
#: Deflate codes at most 258 bytes in 2 bits (RFC 1951): no deflated byte inflates to more than this.
DEFLATE_MAX_RATIO = 1032
#: Parts an archive may hold (an .xlsx of a few sheets has a dozen or two).
MAX_PARTS = 10_000
#: Compressed bytes fed to the inflater at a time, and the most it may return at once.
_CHUNK = 1 << 16
_INFLATE_STEP = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_REF = re.compile(r"([A-Za-z]*)(\d*)")
#: A cell element with a namespace prefix (``<x:c ...>``): calamine reads it by its local name.
_PREFIXED_CELL = re.compile(rb":c[\s/>]")


@dataclass(frozen=True)
class WorkbookLimits:
    """How large a workbook may be before it is opened: far above any real SIPD export.

    A province's workbook is a few thousand rows by about twenty columns, a few MB of XML once
    unzipped. A file beyond these limits is rejected before anything allocates its cells.
    """

    #: rows and columns of a sheet's used range (from A1 to the farthest cell holding a value)
    max_rows: int = 100_000
    max_columns: int = 256
    #: cells of a sheet's used range (rows × columns): what the reader allocates for the sheet
    max_cells: int = 5_000_000
    #: inflated size of one part of the zip archive (a sheet, the shared strings), and of all parts
    max_part_mb: int = 128
    max_workbook_mb: int = 256
    #: sheets of a workbook, hidden ones included (a year workbook has a sheet per month, a summary and
    #: a cover: about 15); a workbook with more is refused from its list of sheets, before any is read
    max_sheets: int = 40
    #: cells of all sheets together that the annotated copy of a rejected file may load (openpyxl
    #: needs about 0.45 KB and 25 µs per cell); a larger file is quarantined without annotation
    max_annotated_cells: int = 1_000_000


@dataclass(frozen=True)
class UsedRange:
    """How far a sheet's cells holding a value reach (1-based), and how many cell elements it has."""

    rows: int = 0
    columns: int = 0
    cells: int = 0  # cell elements, with a value or not (openpyxl loads each one)
    last_row_cell: tuple[int, int] = (0, 0)  # (row, column) of a cell on the last row
    last_column_cell: tuple[int, int] = (0, 0)  # (row, column) of a cell in the last column


# --------------------------------------------------------------------------------------------------
# numbers for messages


def _count(value: int, lang: str) -> str:
    """A whole number with thousands separators (``1.048.576``; ``1,048,576`` in English)."""
    text = f"{value:,}"
    return text if lang == "en" else text.replace(",", ".")


def column_name(column: int) -> str:
    """Worksheet column letters of a 1-based column number (1 -> A, 16384 -> XFD)."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


# --------------------------------------------------------------------------------------------------
# the zip archive


def _too_large(file: str, detail: str, detail_en: str) -> InputError:
    """The ``file.too_large`` error of ``file``."""
    params = {"detail": detail, "detail_en": detail_en}
    return InputError([InputIssue(file=file, rule="file.too_large", params=params)])


def _bad_archive(file: str, detail: str, detail_en: str) -> InputError:
    """The ``file.not_workbook`` error of ``file`` for an archive no spreadsheet program writes."""
    params = {"detail": detail, "detail_en": detail_en}
    return InputError([InputIssue(file=file, rule="file.not_workbook", params=params)])


def _part_too_large(file: str, name: str, limit_mb: int) -> InputError:
    """A part that inflates beyond ``limit_mb``."""
    return _too_large(
        file,
        f"bagian '{name}' berisi lebih dari {_count(limit_mb, 'id')} MB setelah diekstrak "
        f"(batas {_count(limit_mb, 'id')} MB per bagian)",
        f"part '{name}' holds more than {_count(limit_mb, 'en')} MB once inflated "
        f"(limit {_count(limit_mb, 'en')} MB per part)",
    )


def _archive_too_large(file: str, limit_mb: int) -> InputError:
    """An archive whose parts together inflate beyond ``limit_mb``."""
    return _too_large(
        file,
        f"isi arsip lebih dari {_count(limit_mb, 'id')} MB setelah diekstrak "
        f"(batas {_count(limit_mb, 'id')} MB)",
        f"the archive holds more than {_count(limit_mb, 'en')} MB once inflated "
        f"(limit {_count(limit_mb, 'en')} MB)",
    )


def file_too_large(file: str, limit_mb: int) -> InputError:
    """A file (not an archive: an .xls) larger than ``limit_mb``."""
    return _too_large(
        file,
        f"berkas lebih dari {_count(limit_mb, 'id')} MB (batas {_count(limit_mb, 'id')} MB)",
        f"the file is larger than {_count(limit_mb, 'en')} MB (limit {_count(limit_mb, 'en')} MB)",
    )


def check_sheet_count(count: int, limits: WorkbookLimits, *, file: str) -> None:
    """Raise ``file.too_many_sheets`` when a workbook lists more than ``max_sheets`` sheets."""
    if count > limits.max_sheets:
        params = {
            "count": _count(count, "id"),
            "count_en": _count(count, "en"),
            "max_sheets": _count(limits.max_sheets, "id"),
            "max_sheets_en": _count(limits.max_sheets, "en"),
        }
        raise InputError([InputIssue(file=file, rule="file.too_many_sheets", params=params)])


def too_many_cells_read(file: str, sheet: str, limits: WorkbookLimits) -> InputError:
    """The sheets read from one workbook already hold more than ``max_cells`` cells: refuse the next."""
    params = {
        "detail": f"sheet-sheet yang dibaca berisi lebih dari {_count(limits.max_cells, 'id')} sel",
        "detail_en": f"the sheets read hold more than {_count(limits.max_cells, 'en')} cells",
    }
    return InputError([InputIssue(file=file, rule="file.too_large", sheet=sheet, params=params)])


def too_many_cells_to_annotate(file: str, cells: int, limits: WorkbookLimits) -> InputIssue:
    """A workbook with more cell elements than an annotated copy may load."""
    params = {
        "detail": f"berkas berisi {_count(cells, 'id')} sel, lebih dari "
        f"{_count(limits.max_annotated_cells, 'id')} sel yang dapat dimuat untuk salinan beranotasi",
        "detail_en": f"the file holds {_count(cells, 'en')} cells, more than the "
        f"{_count(limits.max_annotated_cells, 'en')} an annotated copy may load",
    }
    return InputIssue(file=file, rule="file.too_large", params=params)


def inflated_size(data: bytes, info: zipfile.ZipInfo, limit: int) -> int:
    """Bytes the part really inflates to, counted chunk by chunk; stops once past ``limit``.

    Reads the compressed bytes where the part's local header says they start (as every reader does)
    and never trusts the size the archive declares. A stored part is its compressed size.
    """
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise zipfile.BadZipFile(f"truncated local header of {info.filename!r}")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"bad local header of {info.filename!r}")
    begin = start + _LOCAL_HEADER.size + name_length + extra_length
    compressed = memoryview(data)[begin : begin + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        return len(compressed)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total = 0
    for offset in range(0, len(compressed), _CHUNK):
        pending = bytes(compressed[offset : offset + _CHUNK])
        while pending and not inflater.eof:
            total += len(inflater.decompress(pending, _INFLATE_STEP))
            if total > limit:
                return total
            pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    while not inflater.eof and total <= limit:  # output still buffered in the inflater
        chunk = inflater.decompress(b"", _INFLATE_STEP)
        if not chunk:
            break
        total += len(chunk)
    return total


def check_archive(archive: zipfile.ZipFile, data: bytes, file: str, limits: WorkbookLimits) -> None:
    """Raise ``file.too_large`` when a part, or all of them, would inflate beyond the limits.

    Parts of an .xlsx are stored or deflated (ECMA-376 part 2); another compression method is
    ``file.not_workbook``. The declared sizes only reject early: a part whose compressed size cannot
    inflate beyond the limit is not inflated at all; any other part is inflated here and counted.
    """
    part_limit = limits.max_part_mb * MB
    total_limit = limits.max_workbook_mb * MB
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise _too_large(
            file,
            f"arsip berisi {_count(len(infos), 'id')} bagian (batas {_count(MAX_PARTS, 'id')})",
            f"the archive holds {_count(len(infos), 'en')} parts (limit {_count(MAX_PARTS, 'en')})",
        )
    bounds: list[int] = []
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _bad_archive(
                file,
                f"bagian '{info.filename}' dikompresi dengan metode {info.compress_type}, "
                "yang tidak dipakai format .xlsx",
                f"part '{info.filename}' uses compression method {info.compress_type}, "
                "which the .xlsx format does not use",
            )
        if info.file_size > part_limit:
            raise _part_too_large(file, info.filename, limits.max_part_mb)
        compressed = min(info.compress_size, len(data))
        ratio = 1 if info.compress_type == zipfile.ZIP_STORED else DEFLATE_MAX_RATIO
        bounds.append(compressed * ratio)
    if sum(info.file_size for info in infos) > total_limit:
        raise _archive_too_large(file, limits.max_workbook_mb)
    if sum(bounds) <= total_limit and max(bounds, default=0) <= part_limit:
        return  # not even a bomb could exceed the limits: nothing to inflate
    total, remaining = 0, sum(bounds)
    for info, bound in zip(infos, bounds, strict=True):
        if bound <= part_limit and total + remaining <= total_limit:
            size = bound  # even if this and every later part reached its bound, the limits would hold
        else:
            try:
                size = inflated_size(data, info, part_limit)
            except (zipfile.BadZipFile, zlib.error) as exc:
                raise _bad_archive(
                    file,
                    f"arsip zip rusak atau terpotong ({exc})",
                    f"damaged or truncated zip archive ({exc})",
                ) from exc
            if size > part_limit:
                raise _part_too_large(file, info.filename, limits.max_part_mb)
        total += size
        remaining -= bound
        if total > total_limit:
            raise _archive_too_large(file, limits.max_workbook_mb)


# --------------------------------------------------------------------------------------------------
# a sheet's used range


@functools.lru_cache(maxsize=16)
def _quick_pattern(max_rows: int, max_columns: int, max_cells: int) -> re.Pattern[bytes] | None:
    """A pattern matching any cell start tag that is NOT ``<c r="X99999" name="value" ...>``.

    ``X`` is one column letter and the row has at most ``d`` digits, chosen so that every such cell
    lies within the limits. A sheet where the pattern finds nothing is within the limits; the pattern
    is None when the limits are too small for this shape (then every sheet is parsed exactly).
    """
    letters = min(26, max_columns)
    digits = 0
    while 10 ** (digits + 1) - 1 <= max_rows and (10 ** (digits + 1) - 1) * letters <= max_cells:
        digits += 1
    if digits == 0:
        return None
    last = chr(ord("A") + letters - 1)
    column = f"[A-{last}a-{last.lower()}]".encode()
    # the whole start tag is matched, its other attributes by the names a cell has (ECMA-376 CT_Cell),
    # so that a second ``r`` (calamine keeps the last one) cannot hide behind the first; ``<col``,
    # ``<cfRule`` ... are other elements
    return re.compile(
        rb'<c(?!(?: r="' + column + rb"\d{1," + str(digits).encode() + rb'}"'
        rb'(?: (?:s|t|cm|vm|ph)="[^"]*+")*+/?>)|[^\s/>])'
    )


def _utf8_declared(xml: bytes) -> bool:
    """True when the XML is UTF-8 (or ASCII) text, so that byte patterns see its markup.

    No byte-order mark but UTF-8's, no NUL among the first bytes (UTF-16 without a mark), and an
    XML declaration, if any, that ends soon and names UTF-8 or ASCII.
    """
    head = xml[:1024].removeprefix(b"\xef\xbb\xbf")
    if not head.startswith(b"<") or b"\x00" in head[:4]:
        return False
    if not head.startswith(b"<?xml"):
        return True
    end = head.find(b"?>")
    if end < 0:
        return False
    declared = re.search(rb"encoding\s*=\s*[\"']([A-Za-z0-9._-]+)", head[:end])
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def within_quick_bound(xml: bytes, limits: WorkbookLimits) -> bool:
    """True when a cheap scan proves the sheet's used range is within the limits.

    Every cell start tag must read ``<c r="H82" ...>`` with a short reference (as Excel, openpyxl
    and xlsxwriter write them) and no cell may carry a namespace prefix; False means "parse exactly".
    """
    pattern = _quick_pattern(limits.max_rows, limits.max_columns, limits.max_cells)
    if pattern is None or not _utf8_declared(xml):
        return False
    return _PREFIXED_CELL.search(xml) is None and pattern.search(xml) is None


def _local(tag: str) -> str:
    """The local name of an ElementTree tag or attribute (``{namespace}c`` -> ``c``)."""
    return tag.rpartition("}")[2]


def _position(ref: str | None) -> tuple[int, int] | None:
    """0-based (row, column) of a cell reference as calamine reads it; None when it reads none."""
    if ref is None:
        return None
    match = _REF.fullmatch(ref)
    if match is None or not match.group(2) or int(match.group(2)) == 0:
        return None
    column = 0
    for char in match.group(1).upper():
        column = column * 26 + ord(char) - 64
    return int(match.group(2)) - 1, max(column - 1, 0)


def used_range(xml: bytes) -> UsedRange:
    """The exact used range of a sheet's XML, cells placed the way calamine places them.

    A cell counts when it has a child element (a value, an inline string, a formula): calamine skips
    empty ``<c r="..."/>`` cells, so formatting far below the table does not count. A cell without a
    reference follows the previous cell of its row; a row without ``r`` follows the previous row.
    """
    rows = columns = cells = 0
    last_row_cell = last_column_cell = (0, 0)
    row, column = 0, 0
    open_elements: list[ElementTree.Element] = []
    cell_starts: list[tuple[tuple[int, int], int]] = []  # open cells: position, elements seen so far
    seen = 0  # elements started so far
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            seen += 1
            open_elements.append(element)
            if name == "row":
                ref = element.get("r")
                found = _position(f"A{ref}") if ref else None
                if found is not None:
                    row = found[0]
                column = 0
            elif name == "c":
                position = _position(element.get("r"))
                if position is not None:
                    column = position[1]
                cell_starts.append((position or (row, column), seen))
            continue
        open_elements.pop()
        if name == "c" and cell_starts:
            here, started = cell_starts.pop()
            cells += 1
            column += 1
            if seen > started:  # a child element: a value, an inline string or a formula
                if here[0] + 1 > rows:
                    rows, last_row_cell = here[0] + 1, here
                if here[1] + 1 > columns:
                    columns, last_column_cell = here[1] + 1, here
        elif name == "row":
            row += 1
            column = 0
        if open_elements:  # everything before this element is read: keep memory flat
            open_elements[-1].clear()
    return UsedRange(rows, columns, cells, last_row_cell, last_column_cell)


def range_issue(found: UsedRange, limits: WorkbookLimits, *, file: str, sheet: str) -> InputIssue | None:
    """The ``sheet.too_large`` issue when ``found`` is beyond the limits, located at the farthest cell."""
    if found.rows > limits.max_rows:
        cell = found.last_row_cell
    elif found.columns > limits.max_columns or found.rows * found.columns > limits.max_cells:
        cell = found.last_column_cell
    else:
        return None
    params: dict[str, object] = {"cell": f"{column_name(cell[1] + 1)}{cell[0] + 1}"}
    for name, value in (
        ("rows", found.rows),
        ("columns", found.columns),
        ("max_rows", limits.max_rows),
        ("max_columns", limits.max_columns),
        ("max_cells", limits.max_cells),
    ):
        params[name], params[f"{name}_en"] = _count(value, "id"), _count(value, "en")
    return InputIssue(
        file=file,
        rule="sheet.too_large",
        sheet=sheet,
        row=cell[0] + 1,
        column=column_name(cell[1] + 1),
        params=params,
    )


def check_used_range(xml: bytes, limits: WorkbookLimits, *, file: str, sheet: str) -> None:
    """Raise ``sheet.too_large`` when the sheet's used range is beyond the limits (before any grid).

    A sheet whose XML cannot be parsed exactly and does not pass the cheap scan is refused as
    ``file.not_workbook``: its used range cannot be known before a reader allocates it.
    """
    if within_quick_bound(xml, limits):
        return
    try:
        found = used_range(xml)
    except ElementTree.ParseError as exc:
        raise InputError(
            [
                InputIssue(
                    file=file,
                    rule="file.not_workbook",
                    sheet=sheet,
                    params={"detail": f"XML sheet rusak ({exc})", "detail_en": f"damaged sheet XML ({exc})"},
                )
            ]
        ) from exc
    issue = range_issue(found, limits, file=file, sheet=sheet)
    if issue is not None:
        raise InputError([issue])
