"""Opening a workbook: the bytes, the calamine handle, the zip archive and its sheet parts, checked
against the workbook limits before anything is read (see :mod:`tasks.extract.limits`).

The format is told by the content, not the file name: an .xlsx/.xlsm (a zip of SpreadsheetML parts),
an OpenDocument spreadsheet (.ods, a zip whose ``mimetype`` says so) or an Excel 97-2003 workbook
(.xls, an OLE2 compound file). The legacy formats are read by calamine alone: their sheets' used
ranges are checked against the limits before their cells are (:mod:`tasks.extract.legacy`), and they
have no sheet XML, so formulas without a cached value and number formats are not known for them.
"""

from __future__ import annotations

import functools
import io
import posixpath
import weakref
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from tasks.core.files import sha256_of
from tasks.core.issues import InputError, InputIssue
from tasks.core.text import strip_control_characters
from tasks.extract import legacy
from tasks.extract import limits as workbook_limits
from tasks.extract.grid import Grid
from tasks.extract.limits import WorkbookLimits

_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 49: "@"}
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Book:
    """An opened workbook: bytes, calamine handle, zip, and the sheet-name -> XML part map."""

    path: Path
    data: bytes
    calamine: Any
    archive: zipfile.ZipFile | None  # None for a legacy workbook (.xls/.ods), read by calamine alone
    parts: dict[str, str]
    visible: list[str]
    limits: WorkbookLimits = field(default_factory=WorkbookLimits)
    _styles: list[str] | None = None
    _grids: dict[str, Grid] = field(default_factory=dict)
    _xml: dict[str, bytes] = field(default_factory=dict)
    _cells_read: int = 0  # cells of the grids built so far (released ones included)
    #: a legacy workbook's used range per sheet, known before its cells are read (``.ods``)
    ranges: dict[str, workbook_limits.UsedRange] | None = None

    @property
    def legacy(self) -> bool:
        """True for an .xls or .ods workbook (no SpreadsheetML parts)."""
        return self.archive is None

    @property
    def file(self) -> str:
        """File name used in issues."""
        return self.path.name

    @property
    def sha256(self) -> str:
        """SHA-256 of the file bytes."""
        return sha256_of(self.data)

    def issue(self, rule: str, **kwargs: Any) -> InputIssue:
        """An InputIssue for this file."""
        return InputIssue(file=self.file, rule=rule, **kwargs)

    def fail(self, rule: str, **kwargs: Any) -> InputError:
        """An InputError with one issue for this file."""
        return InputError([self.issue(rule, **kwargs)])

    def grid(self, sheet: str, nrows: int | None = None) -> Grid:
        """Cell values of a sheet from A1, with merged ranges (a whole sheet serves any ``nrows``)."""
        del nrows  # the whole sheet is read once and serves every caller (header search and reading)
        if sheet in self._grids:
            return self._grids[sheet]
        self._check_before_reading(sheet)
        try:
            handle = self.calamine.get_sheet_by_name(sheet)
            if self.legacy:  # the used range as calamine found it, before its cells become Python objects
                legacy.check_loaded_range(handle, self.limits, file=self.file, sheet=sheet)
            rows = handle.to_python(skip_empty_area=False)
            merged = list(handle.merged_cell_ranges or [])
        except InputError:
            raise
        except Exception as exc:  # calamine raises several types for broken sheets
            raise self.fail(
                "file.not_workbook",
                sheet=sheet,
                params={"detail": f"sheet rusak: {exc}", "detail_en": f"damaged sheet: {exc}"},
            ) from exc
        width = max(map(len, rows), default=0)
        grid = Grid(
            weakref.ref(self),
            sheet,
            rows,
            _clipped(merged, len(rows), width),
            cleaned=strip_control_characters(rows),
        )
        self._cells_read += len(rows) * width
        self._grids[sheet] = grid
        return grid

    def release(self, sheet: str) -> None:
        """Drop the grid of a sheet no reader needs any more (kind detection looks at several)."""
        self._grids.pop(sheet, None)

    def _check_before_reading(self, sheet: str) -> None:
        """Refuse a sheet whose used range, or the cells read from this workbook, is beyond the limits."""
        if self._cells_read > self.limits.max_cells:
            raise workbook_limits.too_many_cells_read(self.file, sheet, self.limits)
        if self.legacy:
            found = (self.ranges or {}).get(sheet)
            issue = found and workbook_limits.range_issue(found, self.limits, file=self.file, sheet=sheet)
            if issue:
                raise InputError([issue])
            return
        xml = self.sheet_xml(sheet)
        if not xml:
            raise self.fail(
                "file.not_workbook",
                sheet=sheet,
                params={
                    "detail": "bagian XML sheet tidak ditemukan atau rusak",
                    "detail_en": "the sheet's XML part is missing or damaged",
                },
            )
        workbook_limits.check_used_range(xml, self.limits, file=self.file, sheet=sheet)

    def sheet_xml(self, sheet: str) -> bytes:
        """Raw XML of a worksheet part (b"" when it cannot be found); read once per sheet."""
        if sheet in self._xml:
            return self._xml[sheet]
        part = self.parts.get(sheet)
        if not part or self.archive is None:
            return b""
        try:
            xml = self.archive.read(part)
        except (KeyError, zipfile.BadZipFile, zlib.error, EOFError):
            return b""
        self._xml[sheet] = xml
        return xml

    def number_formats(self) -> list[str]:
        """Number format code of each cell style index (``cellXfs``), General when unknown."""
        if self._styles is None:
            self._styles = [] if self.archive is None else _read_styles(self.archive)
        return self._styles


def _not_workbook(path: Path, detail: str, detail_en: str) -> InputError:
    """The ``file.not_workbook`` error for ``path``, with the detail in Indonesian and English."""
    params = {"detail": detail, "detail_en": detail_en}
    return InputError([InputIssue(file=path.name, rule="file.not_workbook", params=params)])


def _clipped(
    merged: list[tuple[tuple[int, int], tuple[int, int]]], height: int, width: int
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges cut to the grid (a merge over ``A1:XFD1048576`` covers only the cells read)."""
    return [
        ((r0, c0), (min(r1, height - 1), min(c1, width - 1)))
        for (r0, c0), (r1, c1) in merged
        if r0 < height and c0 < width
    ]


def open_book(path: str | Path, limits: WorkbookLimits | None = None) -> Book:
    """Open a workbook (the last one opened is reused: kind detection and reading open the same file)."""
    path = Path(path)
    limits = limits or WorkbookLimits()
    try:
        stat = path.stat()
    except OSError:
        return _open_book_uncached(path, limits)
    return _open_book_cached(str(path), stat.st_mtime_ns, stat.st_size, limits)


@functools.lru_cache(maxsize=2)
def _open_book_cached(path: str, _mtime_ns: int, _size: int, limits: WorkbookLimits) -> Book:
    """:func:`_open_book_uncached`, keyed by the file's identity so a changed file is opened again."""
    return _open_book_uncached(Path(path), limits)


def _open_book_uncached(path: str | Path, limits: WorkbookLimits | None = None) -> Book:
    """Open a workbook, turning every kind of unreadable file into ``file.not_workbook``.

    The archive is checked against ``limits`` (see :mod:`tasks.extract.limits`) before any part of
    it is read, and every sheet's used range before its cells are (``Book.grid``).
    """
    path = Path(path)
    limits = limits or WorkbookLimits()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _not_workbook(
            path,
            f"berkas tidak dapat dibaca ({exc.strerror or exc})",
            f"cannot read the file ({exc.strerror or exc})",
        ) from exc
    if not data:
        raise _not_workbook(path, "berkas kosong (0 byte)", "empty file (0 bytes)")
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _not_workbook(
                path,
                "berkas dilindungi kata sandi (terenkripsi); simpan ulang tanpa kata sandi",
                "password-protected (encrypted) file; save it again without a password",
            )
        return _open_legacy(path, data, limits, ".xls", ranges=None)
    if not data.startswith(b"PK"):
        raise _not_workbook(path, *legacy.not_a_workbook(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook_limits.check_archive(archive, data, path.name, limits)
        if legacy.is_ods(archive):
            return _open_legacy(path, data, limits, ".ods", ranges=legacy.ods_used_ranges(archive))
        workbook_part = _workbook_part(archive)
        parts = _sheet_parts(archive, workbook_part)
        workbook_limits.check_sheet_count(len(parts), limits, file=path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise _not_workbook(
            path, f"arsip zip rusak atau terpotong ({exc})", f"damaged or truncated zip archive ({exc})"
        ) from exc
    if workbook_part.endswith(".bin"):
        raise _not_workbook(
            path,
            "format .xlsb tidak didukung; simpan ulang sebagai .xlsx",
            ".xlsb format is not supported; save it as .xlsx",
        )
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = _visible_sheets(workbook)
    except Exception as exc:  # calamine raises several exception types for broken files
        raise _not_workbook(path, f"workbook rusak ({exc})", f"damaged workbook ({exc})") from exc
    return Book(path, data, workbook, archive, parts, visible, limits)


def _open_legacy(
    path: Path,
    data: bytes,
    limits: WorkbookLimits,
    form: str,
    ranges: dict[str, workbook_limits.UsedRange] | None,
) -> Book:
    """An .xls or .ods workbook, opened by calamine (its size checked first: .xls is no archive)."""
    if len(data) > limits.max_workbook_mb * workbook_limits.MB:
        raise workbook_limits.file_too_large(path.name, limits.max_workbook_mb)
    if ranges is not None:  # an .ods: its tables are known before calamine reads every one of them
        workbook_limits.check_sheet_count(len(ranges), limits, file=path.name)
    legacy.check_ranges(ranges or {}, limits, file=path.name)  # calamine reads every table on opening
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        visible = _visible_sheets(workbook)
        sheets = len(workbook.sheets_metadata)
    except Exception as exc:  # calamine raises several exception types for broken files
        detail, detail_en = f"workbook {form} rusak ({exc})", f"damaged {form} workbook ({exc})"
        raise _not_workbook(path, detail, detail_en) from exc
    workbook_limits.check_sheet_count(sheets, limits, file=path.name)  # an .xls: sheets are read lazily
    return Book(path, data, workbook, None, {}, visible, limits, ranges=ranges)


def _visible_sheets(workbook: Any) -> list[str]:
    """Names of the visible worksheets (not chart sheets) of a calamine workbook."""
    return [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.visible == python_calamine.SheetVisibleEnum.Visible
        and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]


def _workbook_part(archive: zipfile.ZipFile) -> str:
    """Path of the workbook part inside the package (``xl/workbook.xml``)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        root = ElementTree.fromstring(archive.read("_rels/.rels"))
        for rel in root.iter(f"{_NS_PKG_REL}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    for candidate in ("xl/workbook.xml", "xl/workbook.bin"):
        if candidate in names:
            return candidate
    raise ValueError("tidak ada xl/workbook.xml; bukan workbook Excel")


def _sheet_parts(archive: zipfile.ZipFile, workbook_part: str) -> dict[str, str]:
    """Map sheet name -> worksheet XML part path (empty for .xlsb)."""
    if not workbook_part.endswith(".xml"):
        return {}
    folder, name = posixpath.split(workbook_part)
    targets: dict[str, str] = {}
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name in archive.namelist():
        for rel in ElementTree.fromstring(archive.read(rels_name)).iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            full = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            targets[rel.get("Id", "")] = full
    parts = {}
    for sheet in ElementTree.fromstring(archive.read(workbook_part)).iter(f"{_NS_MAIN}sheet"):
        parts[sheet.get("name", "")] = targets.get(sheet.get(f"{_NS_REL}id", ""), "")
    return parts


def annotation_limit_issue(path: str | Path, limits: WorkbookLimits | None = None) -> InputIssue | None:
    """Why a workbook must not be loaded whole for its annotated copy (openpyxl), or None.

    openpyxl loads every part and every cell element of every sheet, hidden ones too: the archive must
    be within the size limits, every sheet's used range too, and all sheets together may hold at most
    ``max_annotated_cells`` cell elements. A sheet part is any part holding ``sheetData``.
    """
    path = Path(path)
    limits = limits or WorkbookLimits()
    try:
        data = path.read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook_limits.check_archive(archive, data, path.name, limits)
        try:
            names = {part: sheet for sheet, part in _sheet_parts(archive, _workbook_part(archive)).items()}
        except (KeyError, ElementTree.ParseError, ValueError):
            names = {}
        cells = 0
        for info in archive.infolist():
            xml = archive.read(info)
            if b"sheetData" not in xml:
                continue
            sheet = names.get(info.filename, info.filename)
            found = workbook_limits.used_range(xml)
            issue = workbook_limits.range_issue(found, limits, file=path.name, sheet=sheet)
            if issue is not None:
                return issue
            cells += found.cells
        if cells > limits.max_annotated_cells:
            return workbook_limits.too_many_cells_to_annotate(path.name, cells, limits)
    except InputError as error:
        return error.issues[0]
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError):
        return None  # not a readable workbook: openpyxl fails on it quickly, as before
    return None


def _read_styles(archive: zipfile.ZipFile) -> list[str]:
    """Number format code per cell style index from ``xl/styles.xml``."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, zlib.error):
        return []
    custom = {
        int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "General")
        for fmt in root.iter(f"{_NS_MAIN}numFmt")
    }
    formats = []
    cell_xfs = root.find(f"{_NS_MAIN}cellXfs")
    for xf in cell_xfs if cell_xfs is not None else []:
        fmt_id = int(xf.get("numFmtId", "0"))
        formats.append(custom.get(fmt_id, _BUILTIN_FORMATS.get(fmt_id, "General")))
    return formats
