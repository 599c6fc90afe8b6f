"""Extraction: read realization and indicator workbooks into staged, typed frames.

Cell values come from python-calamine (fast). Two things calamine cannot tell are read from the sheet
XML inside the zip, and only when needed: a formula cell with no cached value or with a cached error
(calamine shows both as an empty cell; the XML is scanned only when it contains a formula or an error
cell), and the number format of a code cell that holds a number (to read ``01`` / ``2.10`` as
displayed). Every cell-level problem of a file is collected and raised as one ``InputError``.

Pure extraction: no business rules (subtotals, ranges) beyond what is needed to read types, codes and
the header; those belong to validation.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import math
import posixpath
import re
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import python_calamine

from sakip.settings import WorkbookLimits
from tasks import workbook_limits
from tasks.core import codes
from tasks.core.issues import InputError, InputIssue
from tasks.core.numbers import parse_amount, parse_number_values
from tasks.core.staging import (
    INDICATOR_COLUMNS,
    REALIZATION_COLUMNS,
    RENSTRA_COLUMNS,
    IndicatorWorkbook,
    RealizationWorkbook,
)
from tasks.core.text import strip_control_characters

#: Rows searched for the table header (the header block is in the first 15 rows, the header below it).
HEADER_SEARCH_ROWS = 60
#: Rows above the table header searched for the header block (OPD, year, month).
META_SEARCH_ROWS = 30

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

#: field -> accepted column names, normalised by ``normalize_label``.
REALIZATION_FIELDS: dict[str, tuple[str, ...]] = {
    "kode": ("Kode", "Kode Rekening", "Kode Rek"),
    "uraian": ("Uraian", "Program/Kegiatan/Sub Kegiatan", "Nama"),
    "anggaran_rp": ("Anggaran", "Pagu", "Pagu Anggaran", "Anggaran Setelah Perubahan", "Anggaran Perubahan"),
    "anggaran_murni_rp": ("Anggaran Murni", "Anggaran Sebelum Perubahan"),
    "realisasi_bulan_ini_rp": ("Realisasi Bulan Ini",),
    "realisasi_sd_bulan_ini_rp": (
        "Realisasi s.d. Bulan Ini",
        "Realisasi sd Bulan Ini",
        "Realisasi Kumulatif",
    ),
    "anggaran_kas_sd_bulan_ini_rp": ("Anggaran Kas s.d. Bulan Ini", "RAK s.d. Bulan Ini"),
    "fisik_pct": ("Realisasi Fisik", "Fisik (%)", "Fisik %", "Realisasi Fisik %"),
    "sumber_dana": ("Sumber Dana",),
}
REALIZATION_REQUIRED = ("kode", "uraian", "anggaran_rp")
REALIZATION_ONE_OF = ("realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp")
REALIZATION_AMOUNTS = (
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
)

_TW = (("tw1", "I", "1"), ("tw2", "II", "2"), ("tw3", "III", "3"), ("tw4", "IV", "4"))
INDICATOR_FIELDS: dict[str, tuple[str, ...]] = {
    "jenis": ("Jenis",),
    "no": ("No", "Nomor"),
    "uraian": ("Uraian", "Tujuan/Sasaran", "Uraian Tujuan/Sasaran", "Tujuan", "Sasaran", "Sasaran Strategis"),
    "indikator": ("Indikator", "Indikator Kinerja", "Indikator Kinerja Utama"),
    "satuan": ("Satuan",),
    "arah": ("Arah",),
    "rumus_capaian": ("Rumus Capaian",),
    "target": ("Target",),
    "realisasi": ("Realisasi",),
    **{
        name: tuple(f"{prefix}{word} {num}" for prefix in ("", "Realisasi ") for word in ("TW", "Triwulan")
                    for num in (roman, digit))
        for name, roman, digit in _TW
    },
    "realisasi_tahun_lalu": ("Realisasi Tahun Lalu",),
    "target_akhir_renstra": ("Target Akhir Renstra",),
    "kode_program": ("Kode Program",),
}  # fmt: skip
INDICATOR_REQUIRED = ("jenis", "no", "indikator", "target")
INDICATOR_ONE_OF = ("realisasi", "tw1", "tw2", "tw3", "tw4")
INDICATOR_NUMBERS = (
    "target",
    "realisasi",
    "tw1",
    "tw2",
    "tw3",
    "tw4",
    "realisasi_tahun_lalu",
    "target_akhir_renstra",
)

RENSTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "jenis": INDICATOR_FIELDS["jenis"],
    "no": INDICATOR_FIELDS["no"],
    "uraian": INDICATOR_FIELDS["uraian"],
    "indikator": INDICATOR_FIELDS["indikator"],
    "data_awal": ("Data Awal", "Kondisi Awal", "Baseline"),
}

#: human names of fields, for ``header.missing_column`` messages
COLUMN_TITLES: dict[str, str] = {
    "kode": "Kode",
    "uraian": "Uraian",
    "anggaran_rp": "Anggaran",
    "jenis": "Jenis",
    "no": "No",
    "indikator": "Indikator",
    "target": "Target",
    "realisasi": "Realisasi / TW I … TW IV",
    "renstra_target": "Target <tahun>",
}

_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 49: "@"}
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------------------------------
# small helpers


def column_letter(index: int) -> str:
    """Worksheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letter: str) -> int:
    """0-based column index of a worksheet column letter (A -> 0)."""
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def normalize_label(value: object) -> str:
    """Column name for matching: lower case, single spaces, no dots, ``s/d``->``sd``, no trailing (Rp)/(%)."""
    if isinstance(value, str):
        return _normalize_text_label(value)
    return _normalize_text_label(str(value or ""))


@functools.lru_cache(maxsize=8192)
def _normalize_text_label(value: str) -> str:
    """:func:`normalize_label` of a text (cached: the same header texts recur in every file)."""
    text = value.lower().replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace(".", "").replace("s/d", "sd")
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*\(\s*", " (", text)
    text = re.sub(r"\s*\)", ")", text)
    text = re.sub(r"\s*(\(rp\)|\(%\)|\brp)$", "", text).strip(" :")
    return re.sub(r"\s+", " ", text)


def _is_empty(value: object) -> bool:
    """True for an empty cell (None, "" or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: object) -> str:
    """Cell value as display-like text: spaces collapsed, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _cell(rows: Sequence[Sequence[object]], row: int, col: int) -> object:
    """Value at 0-based (row, col) or None outside the grid."""
    if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
        return rows[row][col]
    return None


# --------------------------------------------------------------------------------------------------
# opening a workbook


@dataclass
class _Book:
    """An opened workbook: bytes, calamine handle, zip, and the sheet-name -> XML part map."""

    path: Path
    data: bytes
    calamine: Any
    archive: zipfile.ZipFile
    parts: dict[str, str]
    visible: list[str]
    limits: WorkbookLimits = field(default_factory=WorkbookLimits)
    _styles: list[str] | None = None
    _grids: dict[str, _Grid] = field(default_factory=dict)
    _xml: dict[str, bytes] = field(default_factory=dict)
    _cells_read: int = 0  # cells of the grids built so far (released ones included)

    @property
    def file(self) -> str:
        """File name used in issues."""
        return self.path.name

    @property
    def sha256(self) -> str:
        """SHA-256 of the file bytes."""
        return hashlib.sha256(self.data).hexdigest()

    def issue(self, rule: str, **kwargs: Any) -> InputIssue:
        """An InputIssue for this file."""
        return InputIssue(file=self.file, rule=rule, **kwargs)

    def fail(self, rule: str, **kwargs: Any) -> InputError:
        """An InputError with one issue for this file."""
        return InputError([self.issue(rule, **kwargs)])

    def grid(self, sheet: str, nrows: int | None = None) -> _Grid:
        """Cell values of a sheet from A1, with merged ranges (a whole sheet serves any ``nrows``)."""
        del nrows  # the whole sheet is read once and serves every caller (header search and reading)
        if sheet in self._grids:
            return self._grids[sheet]
        self._check_before_reading(sheet)
        try:
            handle = self.calamine.get_sheet_by_name(sheet)
            rows = handle.to_python(skip_empty_area=False)
            merged = list(handle.merged_cell_ranges or [])
        except Exception as exc:  # calamine raises several types for broken sheets
            raise self.fail(
                "file.not_workbook",
                sheet=sheet,
                params={"detail": f"sheet rusak: {exc}", "detail_en": f"damaged sheet: {exc}"},
            ) from exc
        width = max(map(len, rows), default=0)
        grid = _Grid(
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
        if not part:
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
            self._styles = _read_styles(self.archive)
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


def _open_book(path: str | Path, limits: WorkbookLimits | None = None) -> _Book:
    """Open a workbook (the last one opened is reused: kind detection and reading open the same file)."""
    path = Path(path)
    limits = limits or WorkbookLimits()
    try:
        stat = path.stat()
    except OSError:
        return _open_book_uncached(path, limits)
    return _open_book_cached(str(path), stat.st_mtime_ns, stat.st_size, limits)


@functools.lru_cache(maxsize=2)
def _open_book_cached(path: str, _mtime_ns: int, _size: int, limits: WorkbookLimits) -> _Book:
    """:func:`_open_book_uncached`, keyed by the file's identity so a changed file is opened again."""
    return _open_book_uncached(Path(path), limits)


def _open_book_uncached(path: str | Path, limits: WorkbookLimits | None = None) -> _Book:
    """Open a workbook, turning every kind of unreadable file into ``file.not_workbook``.

    The archive is checked against ``limits`` (see :mod:`tasks.workbook_limits`) before any part of
    it is read, and every sheet's used range before its cells are (``_Book.grid``).
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
        raise _not_workbook(
            path,
            "format Excel 97-2003 (.xls) tidak didukung; simpan ulang sebagai .xlsx",
            "Excel 97-2003 (.xls) format is not supported; save it again as .xlsx",
        )
    if not data.startswith(b"PK"):
        raise _not_workbook(
            path,
            "isi berkas bukan workbook .xlsx (bukan arsip zip)",
            "the content is not an .xlsx workbook (not a zip archive)",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook_limits.check_archive(archive, data, path.name, limits)
        workbook_part = _workbook_part(archive)
        parts = _sheet_parts(archive, workbook_part)
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
        visible = [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
    except Exception as exc:  # calamine raises several exception types for broken files
        raise _not_workbook(path, f"workbook rusak ({exc})", f"damaged workbook ({exc})") from exc
    return _Book(path, data, workbook, archive, parts, visible, limits)


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


# --------------------------------------------------------------------------------------------------
# sheet XML scan (formulas without cached values, error values, cell styles)

_XML_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*?)/?>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)",
    re.DOTALL,
)
_XML_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_XML_CELL_WITHOUT_REF = re.compile(rb"<(?:\w+:)?c(?:\s(?![^>]*\br=\"[A-Z])[^>]*)?/?>")
_XML_ATTR_R = re.compile(rb'\br="([A-Z]+)?(\d+)"')
_XML_ATTR_T = re.compile(rb'\bt="(\w+)"')
_XML_ATTR_S = re.compile(rb'\bs="(\d+)"')
_XML_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_XML_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_XML_NEEDS_SCAN = re.compile(rb'<(?:\w+:)?f\b|\bt="e"')


@dataclass
class _XmlCells:
    """What the sheet XML says that calamine does not: uncached formulas, error values, styles."""

    no_value: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, col)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    styles: dict[tuple[int, int], int] = field(default_factory=dict)


def scan_sheet_xml(xml: bytes, *, styles_for_column: int | None = None) -> _XmlCells:
    """Find formula cells without a cached value, cells with an error value, and styles of one column."""
    found = _XmlCells()
    if not xml or (styles_for_column is None and not _may_need_scan(xml)):
        return found
    if styles_for_column is None and not _XML_CELL_WITHOUT_REF.search(xml):
        # fast path: every cell carries its reference; look only at cells holding a formula or an error
        for match in _XML_CELL.finditer(xml):
            cell_attrs, content = match.groups()
            if content and (_XML_FORMULA.search(content) or b't="e"' in cell_attrs):
                ref = _XML_ATTR_R.search(cell_attrs)
                _classify(
                    found, int(ref.group(2)) - 1, column_index(ref.group(1).decode()), cell_attrs, content
                )
        return found
    row, col = -1, -1
    for match in _XML_TOKEN.finditer(xml):
        row_attrs, cell_attrs, content = match.groups()
        if row_attrs is not None:
            ref = _XML_ATTR_R.search(row_attrs)
            row = int(ref.group(2)) - 1 if ref else row + 1
            col = -1
            continue
        ref = _XML_ATTR_R.search(cell_attrs)
        if ref and ref.group(1):
            col = column_index(ref.group(1).decode())
            row = int(ref.group(2)) - 1
        else:
            col += 1
        if styles_for_column is not None and col == styles_for_column:
            style = _XML_ATTR_S.search(cell_attrs)
            found.styles[(row, col)] = int(style.group(1)) if style else 0
        if content:
            _classify(found, row, col, cell_attrs, content)
    return found


def _may_need_scan(xml: bytes) -> bool:
    """True when the sheet XML has a formula or an error cell (``_XML_NEEDS_SCAN`` matches).

    Plain substring tests first (fast): the pattern cannot match without ``<f``, ``:f`` (a prefixed
    ``<x:f``) or ``t="e"``, and most sheets have none of them.
    """
    if b"<f" not in xml and b":f" not in xml and b't="e"' not in xml:
        return False
    return _XML_NEEDS_SCAN.search(xml) is not None


def _classify(found: _XmlCells, row: int, col: int, cell_attrs: bytes, content: bytes) -> None:
    """Record a cell holding an error value, or a formula without a cached value."""
    kind = _XML_ATTR_T.search(cell_attrs)
    cell_type = kind.group(1) if kind else b"n"
    value = _XML_VALUE.search(content)
    if cell_type == b"e":
        found.errors[(row, col)] = value.group(1).decode() if value else "#ERROR"
    elif _XML_FORMULA.search(content) and not (value and value.group(1)) and cell_type not in (b"str", b"s"):
        found.no_value.add((row, col))


# --------------------------------------------------------------------------------------------------
# grid and header


@dataclass
class _Grid:
    """A sheet's values from A1 (0-based rows/cols) with its merged ranges.

    The book is held by a weak reference: the book keeps its grids, and a grid that kept its book would
    make a reference cycle that only the garbage collector frees (with the whole sheet's rows in it).
    """

    book_ref: weakref.ref[_Book]
    sheet: str
    rows: list[list[object]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    _xml: _XmlCells | None = None
    _min_width: int | None = None
    #: (row, col) of the text cells control characters were removed from (see tasks.cell_text)
    cleaned: list[tuple[int, int]] = field(default_factory=list)

    @property
    def book(self) -> _Book:
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

    def xml_cells(self, styles_for_column: int | None = None) -> _XmlCells:
        """Scan of the sheet XML (cached; styles only when asked for a column)."""
        if self._xml is None or (styles_for_column is not None and not self._xml.styles):
            self._xml = scan_sheet_xml(self.book.sheet_xml(self.sheet), styles_for_column=styles_for_column)
        return self._xml


@dataclass
class _Header:
    """A table header: first header row, first data row, and the field -> column index map."""

    row: int
    data_start: int
    labels: list[str]
    fields: dict[str, int] = field(default_factory=dict)


Matcher = Callable[[str], "str | None"]


def _alias_matcher(spec: dict[str, tuple[str, ...]], extra: Matcher | None = None) -> Matcher:
    """A function label -> field for a spec of accepted names (plus an optional pattern matcher)."""
    aliases = {normalize_label(name): name_field for name_field, names in spec.items() for name in names}

    def match(label: str) -> str | None:
        """Field named by ``label``, or None."""
        found = aliases.get(label)
        if found is None and extra is not None:
            found = extra(label)
        return found

    return match


def _merged_lookup(grid: _Grid, row_range: range) -> dict[tuple[int, int], tuple[object, int]]:
    """(row, col) -> (top-left value, merge id) for merged cells touching ``row_range``."""
    lookup: dict[tuple[int, int], tuple[object, int]] = {}
    for merge_id, ((r0, c0), (r1, c1)) in enumerate(grid.merged):
        if r1 < row_range.start or r0 >= row_range.stop:
            continue
        value = _cell(grid.rows, r0, c0)
        for r in range(max(r0, row_range.start), min(r1, row_range.stop - 1) + 1):
            for c in range(c0, c1 + 1):
                lookup[(r, c)] = (value, merge_id)
    return lookup


def _labels(grid: _Grid, row: int, two_rows: bool) -> list[str]:
    """Normalised column labels of a one-row or two-row header starting at ``row``."""
    width = max(len(grid.rows[row]) if row < len(grid.rows) else 0, len(_row(grid.rows, row + 1)))
    if not two_rows:
        return [normalize_label(_text(_cell(grid.rows, row, c))) for c in range(width)]
    merges = _merged_lookup(grid, range(row, row + 2))
    labels = []
    last_group = ""
    for c in range(width):
        top, top_id = merges.get((row, c), (_cell(grid.rows, row, c), -1))
        bottom, bottom_id = merges.get((row + 1, c), (_cell(grid.rows, row + 1, c), -2))
        if top_id == bottom_id:
            bottom = None  # one cell merged over both rows
        top_text, bottom_text = _text(top), _text(bottom)
        if top_text and bottom_text:
            last_group = top_text
        elif not top_text and bottom_text and last_group and c > 0:
            top_text = last_group  # group title written once over unmerged sub-columns
        else:
            last_group = ""
        labels.append(normalize_label(f"{top_text} {bottom_text}".strip()))
    return labels


def _row(rows: Sequence[Sequence[object]], index: int) -> Sequence[object]:
    """Row at ``index`` or an empty row."""
    return rows[index] if 0 <= index < len(rows) else ()


def _assign(labels: list[str], match: Matcher) -> dict[str, int]:
    """Field -> first column index whose label matches it."""
    fields: dict[str, int] = {}
    for col, label in enumerate(labels):
        name = match(label) if label else None
        if name and name not in fields:
            fields[name] = col
    return fields


def _requirement(required: Sequence[str], one_of: Sequence[str]) -> Callable[[dict[str, int]], bool]:
    """Predicate: all ``required`` fields and at least one of ``one_of`` (when given) are present."""

    def complete(fields: dict[str, int]) -> bool:
        """True when ``fields`` satisfy the requirement."""
        return all(f in fields for f in required) and (not one_of or any(f in fields for f in one_of))

    return complete


def _find_header(
    grid: _Grid, match: Matcher, complete: Callable[[dict[str, int]], bool]
) -> tuple[_Header | None, _Header | None]:
    """(complete header, best partial header) found by column names in the first rows of the grid."""
    best: _Header | None = None
    best_score = 1
    for row in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
        if not any(not _is_empty(v) for v in grid.rows[row]):
            continue
        single = _labels(grid, row, two_rows=False)
        single_fields = _assign(single, match)
        if len(single_fields) < 2 and not any(match(label) for label in single if label):
            continue
        double = _labels(grid, row, two_rows=True)
        double_fields = _assign(double, match)
        if len(double_fields) > len(single_fields) or (
            len(double_fields) == len(single_fields) and _is_title_row(_row(grid.rows, row + 1))
        ):
            header = _Header(row, row + 2, double, double_fields)
        else:
            header = _Header(row, row + 1, single, single_fields)
        if complete(header.fields):
            return header, header
        if len(header.fields) > best_score:
            best, best_score = header, len(header.fields)
    return None, best


def _is_title_row(values: Sequence[object]) -> bool:
    """True for a non-empty row of digit-free text only (a header's second line such as ``(Rp)``)."""
    texts = [v for v in values if not _is_empty(v)]
    return bool(texts) and all(isinstance(v, str) and not re.search(r"\d", v) for v in texts)


def _skip_number_row(grid: _Grid, header: _Header) -> None:
    """Skip a row of column numbers (1, 2, 3 …) printed right under the header."""
    values = [v for v in _row(grid.rows, header.data_start) if not _is_empty(v)]
    numbers = []
    for value in values:
        text = _text(value).strip("()")
        if not text.isdigit():
            return
        numbers.append(int(text))
    if len(numbers) >= 3 and numbers == sorted(set(numbers)) and numbers[0] <= 2:
        header.data_start += 1


def _require_header(
    grid: _Grid,
    match: Matcher,
    required: Sequence[str],
    one_of: Sequence[str],
    one_of_rule: str,
    one_of_title: str,
) -> tuple[_Header, list[InputIssue]]:
    """The table header, or an InputError naming the missing columns / header."""
    header, best = _find_header(grid, match, _requirement(required, one_of))
    if header is not None:
        _skip_number_row(grid, header)
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


# --------------------------------------------------------------------------------------------------
# header block: OPD, year, month

_OPD_KEY = re.compile(
    r"^(?:nama\s+)?(?:skpd|opd|perangkat\s+daerah)\b(?:\s*/[^:]*(?=:))?\.?\s*:?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_YEAR_KEY = re.compile(r"^tahun(?:\s+anggaran)?\b\.?\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_YEAR_ANYWHERE = re.compile(r"\btahun\s+anggaran\s*:?\s*((?:19|20)\d{2})\b", re.IGNORECASE)
_MONTH_KEY = re.compile(r"^bulan\b\.?\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_PERIOD_KEY = re.compile(r"^periode\b\.?\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_YEAR_VALUE = re.compile(r"\b((?:19|20)\d{2})\b")
_OPD_CODE = re.compile(r"^(\d+(?:\.\d+){2,})\s*[-–:]?\s*(.*)$", re.DOTALL)
_KEYS = (_OPD_KEY, _YEAR_KEY, _MONTH_KEY, _PERIOD_KEY)


@dataclass
class _Found:
    """A value read from the header block and the 0-based cell it came from."""

    value: Any
    row: int
    col: int


@dataclass
class _Meta:
    """What the header block says."""

    opd_code: _Found | None = None
    opd_name: _Found | None = None
    year: _Found | None = None
    month: _Found | None = None
    issues: list[InputIssue] = field(default_factory=list)


def _value_after_key(
    rows: Sequence[Sequence[object]], row: int, col: int, rest: str
) -> tuple[object, int] | None:
    """The value of a ``Key : value`` cell, or of the next non-empty cell of the row; with its column."""
    rest = rest.strip().lstrip(":").strip()
    if rest:
        return rest, col
    line = _row(rows, row)
    for next_col in range(col + 1, len(line)):
        value = line[next_col]
        if _is_empty(value) or (isinstance(value, str) and value.strip() in (":", "=")):
            continue
        if isinstance(value, str):
            value = value.strip().lstrip(":").strip()
        return value, next_col
    return None


def _is_key(value: object) -> bool:
    """True when a cell starts with a header-block key (SKPD, Tahun, Bulan, Periode)."""
    return isinstance(value, str) and any(key.match(value.strip()) for key in _KEYS)


def month_from_text(text: str, *, last: bool = False) -> int | None:
    """Month number of the first (or last) Indonesian/English month name in ``text``."""
    found = [MONTHS[word] for word in re.findall(r"[a-z]+", text.lower()) if word in MONTHS]
    if not found:
        return None
    return found[-1] if last else found[0]


def _year_of(value: object) -> int | None:
    """A 4-digit year from a cell value (number, date or text)."""
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2100 else None
    match = _YEAR_VALUE.search(str(value))
    return int(match.group(1)) if match else None


def _read_meta(grid: _Grid, stop_row: int, *, with_month: bool) -> _Meta:
    """Read OPD, year and month from the header block above ``stop_row``."""
    meta = _Meta()
    period_year: _Found | None = None
    rows = grid.rows
    for r in range(min(stop_row, META_SEARCH_ROWS, len(rows))):
        for c, value in enumerate(rows[r]):
            if not isinstance(value, str) or not value.strip():
                continue
            text = value.strip()
            if meta.opd_code is None and meta.opd_name is None and (m := _OPD_KEY.match(text)):
                found = _value_after_key(rows, r, c, m.group(1))
                if found:
                    _read_opd(meta, rows, r, *found)
                continue
            if meta.year is None and (m := _YEAR_KEY.match(text) or _YEAR_ANYWHERE.search(text)):
                found = _value_after_key(rows, r, c, m.group(1))
                year = _year_of(found[0]) if found else None
                if year and found:
                    meta.year = _Found(year, r, found[1])
                continue
            if not with_month or meta.month is not None:
                continue
            if m := _MONTH_KEY.match(text):
                found = _value_after_key(rows, r, c, m.group(1))
                if found:
                    meta.month = _month_cell(grid, meta, r, *found, last=False)
            elif m := _PERIOD_KEY.match(text):
                found = _value_after_key(rows, r, c, m.group(1))
                if found:
                    meta.month = _month_cell(grid, meta, r, *found, last=True)
                    year = _year_of(found[0])
                    if year:
                        period_year = _Found(year, r, found[1])
    if meta.year is None:
        meta.year = period_year
    if with_month and meta.month is None and not meta.issues:
        meta.month = _month_in_title(rows, min(stop_row, META_SEARCH_ROWS, len(rows)))
    return meta


_MONTH_IN_TITLE = re.compile(
    r"\b(?:bulan|s\.?\s?d\.?|sampai dengan)\s+(?:\d{1,2}\s+)?([a-z]+)\b", re.IGNORECASE
)


def _month_in_title(rows: Sequence[Sequence[object]], stop_row: int) -> _Found | None:
    """A month named in a title line (``... BULAN MARET 2022``, ``s.d. 31 Maret``), when no key gave one."""
    for r in range(stop_row):
        for c, value in enumerate(rows[r]):
            if isinstance(value, str):
                for word in _MONTH_IN_TITLE.findall(value):
                    if word.lower() in MONTHS:
                        return _Found(MONTHS[word.lower()], r, c)
    return None


def _read_opd(meta: _Meta, rows: Sequence[Sequence[object]], r: int, value: object, col: int) -> None:
    """Split an OPD value into code and name (the name may be in the next non-empty cell)."""
    text = _text(value)
    match = _OPD_CODE.match(text)
    if not match:
        meta.opd_name = _Found(text, r, col)
        return
    meta.opd_code = _Found(match.group(1), r, col)
    name = match.group(2).strip(" -–:")
    if not name:
        following = _value_after_key(rows, r, col, "")
        if following and isinstance(following[0], str) and not _is_key(following[0]):
            name, col = _text(following[0]), following[1]
    if name:
        meta.opd_name = _Found(name, r, col)


def _month_cell(grid: _Grid, meta: _Meta, r: int, value: object, col: int, *, last: bool) -> _Found | None:
    """Month from a Bulan/Periode value; records ``header.month_unknown`` when it names no month."""
    if isinstance(value, dt.date):
        return _Found(value.month, r, col)
    if isinstance(value, int | float) and not isinstance(value, bool) and value in range(1, 13):
        return _Found(int(value), r, col)
    month = month_from_text(_text(value), last=last)
    if month is None:
        meta.issues.append(grid.issue("header.month_unknown", r, col, value=_text(value)))
        return None
    return _Found(month, r, col)


def _same_opd_name(a: str, b: str) -> bool:
    """OPD names compared case- and space-insensitively."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _resolve_opd(grid: _Grid, meta: _Meta, given: str | None, issues: list[InputIssue]) -> tuple[str, str]:
    """(opd_code, opd_name) from the file and/or the command line; conflicts and absence are issues."""
    code = meta.opd_code.value if meta.opd_code else ""
    name = meta.opd_name.value if meta.opd_name else ""
    given = (given or "").strip()
    if not given:
        if not code and not name:
            issues.append(grid.issue("header.meta_missing", what="OPD"))
        return code, name
    given_is_code = bool(re.fullmatch(r"\d+(?:\.\d+)+", given))
    if given_is_code:
        if meta.opd_code and code != given:
            where = meta.opd_code
            issues.append(_conflict(grid, where, "OPD", code, given))
        return given, name
    if meta.opd_name and not _same_opd_name(name, given):
        issues.append(_conflict(grid, meta.opd_name, "OPD", name, given))
    return code, name or given


def _header_cells(meta: _Meta) -> dict[str, str]:
    """Addresses of the header-block cells the OPD, year and month were read from (``{"year": "B4"}``)."""
    found = {"opd": meta.opd_code or meta.opd_name, "year": meta.year, "month": meta.month}
    return {key: f"{column_letter(f.col)}{f.row + 1}" for key, f in found.items() if f is not None}


def _conflict(grid: _Grid, where: _Found, what: str, in_file: object, given: object) -> InputIssue:
    """A ``header.meta_conflict`` issue at the header-block cell ``where``."""
    return grid.issue("header.meta_conflict", where.row, where.col, what=what, in_file=in_file, given=given)


def _resolve_number(
    grid: _Grid, found: _Found | None, given: int | None, what: str, issues: list[InputIssue]
) -> int:
    """Year or month from the file and/or the command line; 0 (with an issue) when unknown."""
    if given is not None and found is not None and int(given) != int(found.value):
        issues.append(_conflict(grid, found, what, found.value, given))
    if given is not None:
        return int(given)
    if found is not None:
        return int(found.value)
    issues.append(grid.issue("header.meta_missing", what=what))
    return 0


def _given_month(month: int | str | None) -> int | None:
    """Month given on the command line as a number or an Indonesian name."""
    if month is None or month == "":
        return None
    text = str(month).strip()
    found = int(text) if text.isdigit() else month_from_text(text)
    if found is None or not 1 <= found <= 12:
        raise ValueError(f"unknown month: {month!r}")
    return found


# --------------------------------------------------------------------------------------------------
# sheet choice and kind detection


def _realization_sheet(book: _Book) -> str:
    """The visible sheet named like ``Realisasi``/``LRA``, else the first visible sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "realisasi" in name.lower() or "lra" in name.lower():
            return name
    return book.visible[0]


def _indicator_sheet(book: _Book) -> str:
    """The visible sheet named like ``Indikator``, else the first visible sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "indikator" in name.lower():
            return name
    return book.visible[0]


_REALIZATION_MATCH = _alias_matcher(REALIZATION_FIELDS)


def _indicator_matcher(year: int | None) -> Matcher:
    """Indicator column matcher; ``Realisasi <year-1>`` is last year's, ``Realisasi <year>`` this year's."""

    def by_year(label: str) -> str | None:
        """Field of a ``Realisasi <year>`` / ``Target <year>`` label, or None."""
        match = re.fullmatch(r"(realisasi|target) (?:tahun )?(\d{4})", label)
        if not match:
            return None
        name, written = match.group(1), int(match.group(2))
        if year is None or written == year:
            return name  # while searching the header the year is not known yet
        return "realisasi_tahun_lalu" if name == "realisasi" and written == year - 1 else None

    return _alias_matcher(INDICATOR_FIELDS, by_year)


def _renstra_matcher(label: str) -> str | None:
    """Matcher for Renstra columns: the fields plus ``Target <year>`` -> ``target_<year>``."""
    match = re.fullmatch(r"target (?:tahun )?(\d{4})", label)
    if match:
        return f"target_{match.group(1)}"
    if re.fullmatch(r"(?:data|kondisi) awal(?: (?:tahun )?\(?\d{4}\)?)?", label):
        return "data_awal"
    return _RENSTRA_ALIASES(label)


_RENSTRA_ALIASES = _alias_matcher(RENSTRA_FIELDS)


def detect_kind(path: str | Path, *, limits: WorkbookLimits | None = None) -> str:
    """``"realization"`` or ``"indicator"`` from the workbook's sheets and table headers."""
    book = _open_book(path, limits)
    if any("indikator" in name.lower() for name in book.visible):
        return "indicator"
    ordered = sorted(book.visible, key=lambda n: not ("realisasi" in n.lower() or "lra" in n.lower()))
    indicator_match = _indicator_matcher(None)
    partial: list[tuple[int, str]] = []
    # the grids of the sheets a reader will take stay; the others are not held all at once
    keep = {_realization_sheet(book), _indicator_sheet(book)} if book.visible else set()
    for sheet in ordered:
        grid = book.grid(sheet, nrows=HEADER_SEARCH_ROWS)
        found, best = _find_header(
            grid, _REALIZATION_MATCH, _requirement(REALIZATION_REQUIRED, REALIZATION_ONE_OF)
        )
        if found:
            return "realization"
        if best is not None and len(best.fields) >= 3:
            partial.append((len(best.fields), "realization"))
        found, best = _find_header(grid, indicator_match, _requirement(("jenis", "indikator", "target"), ()))
        if found:
            return "indicator"
        if best is not None and "indikator" in best.fields and len(best.fields) >= 3:
            partial.append((len(best.fields), "indicator"))
        if sheet not in keep:
            book.release(sheet)
    if partial:
        # a table that lacks a required column: read it as its kind so the steward is told which column
        return max(partial)[1]
    raise book.fail("file.kind_unknown")


# --------------------------------------------------------------------------------------------------
# realization


def _column_values(grid: _Grid, rows: Sequence[int], col: int | None) -> list[object]:
    """Values of column ``col`` at the given 0-based rows (None when the column is absent)."""
    if col is None:
        return [None] * len(rows)
    grid_rows = grid.rows
    if 0 <= col < grid.min_width() and min(rows, default=0) >= 0:
        try:
            return [grid_rows[r][col] for r in rows]
        except IndexError:  # a row below the grid
            pass
    return [_cell(grid_rows, r, col) for r in rows]


def _filled_rows(grid: _Grid, start: int, cols: Sequence[int]) -> list[int]:
    """0-based rows from ``start`` down with a non-empty cell (see ``_is_empty``) in one of ``cols``."""
    rows = grid.rows
    if not all(0 <= c < grid.min_width() for c in cols):
        return [r for r in range(start, len(rows)) if any(not _is_empty(_cell(rows, r, c)) for c in cols)]
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
    """``_text`` of each value (the common text cell handled inline)."""
    return [" ".join(value.split()) if type(value) is str else _text(value) for value in values]


def _code_texts(grid: _Grid, data_rows: Sequence[int], col: int) -> list[str]:
    """Code cells as displayed: text as written, numbers by their number format (see codes.code_text)."""
    values = _column_values(grid, data_rows, col)
    if not any(_is_number_type(kind) for kind in set(map(type, values))):
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
_SUB_CODE = re.compile(r"\d{2}|\d{4}|\d\.\d{2}\.\d{2}\.\d\.\d{2}\.(?:\d{2}|\d{4})")


def _is_number_type(kind: type) -> bool:
    """True for the type of a number cell (int or float, bool excluded)."""
    return issubclass(kind, float | int) and not issubclass(kind, bool)


@functools.lru_cache(maxsize=65536)
def _sub_width(code: str) -> int:
    """``codes.sub_kegiatan_width`` of a short or full sub kegiatan code, 0 for any other code (cached)."""
    clean = codes.clean_code(code)
    if _SUB_CODE.fullmatch(clean) is None:
        return 0
    return len(clean.rpartition(".")[2])  # the whole short code, or the last segment of a full one


def _number_column(
    grid: _Grid, data_rows: Sequence[int], col: int | None, percent: bool, issues: list[InputIssue]
) -> np.ndarray:
    """Parse one numeric column (float64); bad cells become ``cell.not_number`` issues (and NaN)."""
    if col is None:
        return np.full(len(data_rows), math.nan)
    raw = _column_values(grid, data_rows, col)
    values, bad = parse_number_values(raw, percent=percent)
    for position in np.flatnonzero(bad):
        issues.append(grid.issue("cell.not_number", data_rows[position], col, value=_text(raw[position])))
    return values


def _xml_issues(grid: _Grid, rows: Iterable[int], cols: Iterable[int]) -> list[InputIssue]:
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


def read_realization(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    month: int | str | None = None,
    limits: WorkbookLimits | None = None,
) -> RealizationWorkbook:
    """Extract a monthly budget-realization workbook into a ``RealizationWorkbook``."""
    book = _open_book(path, limits)
    grid = book.grid(_realization_sheet(book))
    header, issues = _require_header(
        grid,
        _REALIZATION_MATCH,
        REALIZATION_REQUIRED,
        REALIZATION_ONE_OF,
        "amount.missing_realization",
        "Realisasi Bulan Ini / Realisasi s.d. Bulan Ini",
    )
    meta = _read_meta(grid, header.row, with_month=True)
    issues.extend(meta.issues)
    opd_code, opd_name = _resolve_opd(grid, meta, opd, issues)
    the_year = _resolve_number(grid, meta.year, None if year is None else int(year), "Tahun anggaran", issues)
    try:
        given_month = _given_month(month)
    except ValueError:
        issues.append(grid.issue("header.month_unknown", value=str(month)))
        given_month = None
    if meta.month is None and given_month is None and any(i.rule == "header.month_unknown" for i in issues):
        the_month = 0
    else:
        the_month = _resolve_number(grid, meta.month, given_month, "Bulan", issues)

    fields = header.fields
    mapped_cols = sorted(fields.values())
    # the code column first: it is filled in nearly every table row, so most rows need one look
    candidate_rows = _filled_rows(grid, header.data_start, [fields["kode"], *mapped_cols])
    code_texts = _code_texts(grid, candidate_rows, fields["kode"])
    names = _texts(_column_values(grid, candidate_rows, fields["uraian"]))
    expanded = codes.expand_codes(code_texts, names)

    amount_cols = [fields[n] for n in REALIZATION_AMOUNTS if n in fields]
    keep: list[int] = []
    seen_total = False
    last_row = header.data_start - 1
    for position, (r, code_row) in enumerate(zip(candidate_rows, expanded, strict=True)):
        if code_row.problem == "missing":
            if not seen_total and any(_has_amount(_cell(grid.rows, r, c)) for c in amount_cols):
                issues.append(grid.issue("code.missing", r, fields["kode"]))
            continue
        if seen_total and not code_texts[position]:
            continue
        last_row = r
        if code_row.problem == "malformed":
            issues.append(
                grid.issue(
                    "code.malformed", r, fields["kode"], value=code_texts[position], level="kode anggaran"
                )
            )
            continue
        if code_row.problem == "orphan":
            issues.append(grid.issue("code.orphan", r, fields["kode"], value=code_texts[position]))
            continue
        seen_total = seen_total or code_row.level == "total"
        keep.append(position)

    kept_rows = [candidate_rows[p] for p in keep]
    cell_issues: list[InputIssue] = []
    frame_numbers = {}
    for name in (*REALIZATION_AMOUNTS, "fisik_pct"):
        frame_numbers[name] = _number_column(
            grid, kept_rows, fields.get(name), name == "fisik_pct", cell_issues
        )
    table_rows = range(header.data_start, last_row + 1)
    cell_issues.extend(_xml_issues(grid, table_rows, mapped_cols))
    issues.extend(_sorted_issues(cell_issues))
    if issues:
        raise InputError(issues)

    kept = [expanded[p] for p in keep]
    columns: dict[str, object] = {
        "row": [r + 1 for r in kept_rows],
        "kode": [c.full_code for c in kept],
        "level": [c.level for c in kept],
        "uraian": [names[p] for p in keep],
        "sub_kegiatan_kode": [c.sub_kegiatan_code for c in kept],
        **frame_numbers,
        "sumber_dana": _texts(_column_values(grid, kept_rows, fields.get("sumber_dana"))),
    }
    lines = _typed_frame(columns, REALIZATION_COLUMNS)
    return RealizationWorkbook(
        warnings=_cleaned_cells(grid),
        path=book.path,
        sheet=grid.sheet,
        opd_code=opd_code,
        opd_name=opd_name,
        year=the_year,
        month=the_month,
        lines=lines,
        columns={name: column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])},
        sha256=book.sha256,
        header_cells=_header_cells(meta),
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


def _sorted_issues(issues: list[InputIssue]) -> list[InputIssue]:
    """Cell issues in worksheet order (row, then column)."""
    return sorted(issues, key=lambda i: (i.row or 0, len(i.column), i.column, i.rule))


# --------------------------------------------------------------------------------------------------
# indicators


def _jenis(text: str) -> str:
    """Normalised indicator level: tujuan | sasaran | program | kegiatan, else the text in lower case."""
    lowered = text.lower().strip()
    if "sub kegiatan" in lowered or "subkegiatan" in lowered:
        return lowered
    for name in ("tujuan", "sasaran", "program", "kegiatan"):
        if name in lowered:
            return name
    return lowered


def _arah(text: str) -> str:
    """Normalised direction: positif (default) | negatif, else the text in lower case."""
    lowered = text.lower().strip()
    if lowered in ("", "positif", "naik", "+", "meningkat", "maksimal", "positive", "up"):
        return "positif"
    if lowered in ("negatif", "turun", "-", "menurun", "minimal", "negative", "down"):
        return "negatif"
    return lowered


@dataclass
class _CarryDown:
    """Jenis, No and Uraian carried down to rows that leave them blank (merged or written once)."""

    jenis: str = ""
    no: str = ""
    uraian: str = ""

    def update(self, grid: _Grid, fields: dict[str, int], row: int) -> None:
        """Take the row's own values where given; a new jenis or number starts a new group."""
        jenis = _field_text(grid, fields, row, "jenis")
        number = _number_text(_cell(grid.rows, row, fields["no"])) if "no" in fields else ""
        uraian = _field_text(grid, fields, row, "uraian")
        if jenis and _jenis(jenis) != self.jenis:
            self.jenis, self.no, self.uraian = _jenis(jenis), "", ""
        if number and number != self.no:
            self.no, self.uraian = number, ""
        if uraian:
            self.uraian = uraian


def _field_text(grid: _Grid, fields: dict[str, int], row: int, name: str) -> str:
    """Text of field ``name`` at 0-based ``row`` ("" when the column is absent)."""
    return _text(_cell(grid.rows, row, fields[name])) if name in fields else ""


def _number_text(value: object) -> str:
    """The ``No`` column as written, without a trailing dot (1.0 -> "1", "2." -> "2")."""
    return _text(value).rstrip(".").strip()


def read_indicators(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    limits: WorkbookLimits | None = None,
) -> IndicatorWorkbook:
    """Extract a yearly indicator workbook (``Indikator`` sheet, optional ``Renstra`` sheet)."""
    book = _open_book(path, limits)
    grid = book.grid(_indicator_sheet(book))
    header, issues = _require_header(
        grid,
        _indicator_matcher(None),
        INDICATOR_REQUIRED,
        INDICATOR_ONE_OF,
        "header.missing_column",
        COLUMN_TITLES["realisasi"],
    )
    meta = _read_meta(grid, header.row, with_month=False)
    issues.extend(meta.issues)
    opd_code, opd_name = _resolve_opd(grid, meta, opd, issues)
    the_year = _resolve_number(grid, meta.year, None if year is None else int(year), "Tahun", issues)
    header.fields = _assign(header.labels, _indicator_matcher(the_year or None))
    fields = header.fields
    missing = [f for f in INDICATOR_REQUIRED if f not in fields]
    if not any(f in fields for f in INDICATOR_ONE_OF):
        missing.append("realisasi")  # e.g. only ``Realisasi <other year>`` columns
    if missing:
        issues.extend(
            grid.issue("header.missing_column", header.row, column=COLUMN_TITLES[f]) for f in missing
        )
        raise InputError(issues)
    urusan = opd_code[:4] if re.match(r"^\d\.\d{2}(\.|$)", opd_code) else ""

    cell_issues: list[InputIssue] = []
    indicators, last_row = _indicator_rows(grid, header, urusan, cell_issues)
    cell_issues.extend(_xml_issues(grid, range(header.data_start, last_row + 1), fields.values()))
    renstra, renstra_columns = _read_renstra(book, cell_issues)
    issues.extend(_sorted_issues(cell_issues))
    if issues:
        raise InputError(issues)
    columns = {name: column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])}
    columns.update(renstra_columns)
    renstra_sheet = _renstra_sheet(book)
    return IndicatorWorkbook(
        warnings=_cleaned_cells(grid, *([book.grid(renstra_sheet)] if renstra_sheet else [])),
        path=book.path,
        sheet=grid.sheet,
        opd_code=opd_code,
        opd_name=opd_name,
        year=the_year,
        indicators=indicators,
        renstra=renstra,
        columns=columns,
        sha256=book.sha256,
        header_cells=_header_cells(meta),
    )


def _indicator_rows(
    grid: _Grid, header: _Header, urusan: str, issues: list[InputIssue]
) -> tuple[pd.DataFrame, int]:
    """Indicator rows (jenis/no/uraian carried down from the row above when blank) and the last row used."""
    fields = header.fields
    numeric = [n for n in INDICATOR_NUMBERS if n in fields]
    records: list[dict[str, object]] = []
    rows_used: list[int] = []
    carry = _CarryDown()
    last_row = header.data_start - 1
    for r in range(header.data_start, len(grid.rows)):
        get = functools.partial(_field_text, grid, fields, r)
        carry.update(grid, fields, r)
        indikator = get("indikator")
        has_number = any(not _is_empty(_cell(grid.rows, r, fields[n])) for n in numeric)
        if not indikator and not has_number:
            continue
        last_row = r
        rows_used.append(r)
        programs = codes.expand_program_codes(get("kode_program"), urusan)
        urusan = urusan or next((c[:4] for c in programs if codes.level_of(c) == "program"), "")
        records.append(
            {
                "row": r + 1,
                "jenis": carry.jenis,
                "no": carry.no,
                "uraian": carry.uraian,
                "indikator": indikator,
                "satuan": get("satuan"),
                "arah": _arah(get("arah")),
                "rumus_capaian": get("rumus_capaian").lower() or "standar",
                "kode_program": ";".join(programs),
            }
        )
    frame = pd.DataFrame(records, columns=[c for c in INDICATOR_COLUMNS if c not in INDICATOR_NUMBERS])
    for name in INDICATOR_NUMBERS:
        frame[name] = _number_column(grid, rows_used, fields.get(name), True, issues)
    frame = frame[list(INDICATOR_COLUMNS)].astype(INDICATOR_COLUMNS)
    return frame.reset_index(drop=True), last_row


def _read_renstra(book: _Book, issues: list[InputIssue]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Long-form Renstra targets from a visible sheet named like ``Renstra`` (empty frame when absent)."""
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in RENSTRA_COLUMNS.items()})
    sheet = _renstra_sheet(book)
    if sheet is None:
        return empty, {}
    grid = book.grid(sheet)
    header, _best = _find_header(grid, _renstra_matcher, _renstra_complete)
    if header is None:
        issues.append(grid.issue("header.not_found", required="Indikator, Target <tahun>"))
        return empty, {}
    _skip_number_row(grid, header)
    fields = header.fields
    years = sorted(
        (int(name.split("_")[1]), col) for name, col in fields.items() if name.startswith("target_")
    )
    records: list[dict[str, object]] = []
    rows_used: list[int] = []
    carry = _CarryDown()
    for r in range(header.data_start, len(grid.rows)):
        carry.update(grid, fields, r)
        indikator = _field_text(grid, fields, r, "indikator")
        if not indikator:
            continue
        rows_used.append(r)
        records.append({"jenis": carry.jenis, "no": carry.no, "uraian": carry.uraian, "indikator": indikator})
    data_awal = _number_column(grid, rows_used, fields.get("data_awal"), True, issues)
    targets = {year: _number_column(grid, rows_used, col, True, issues) for year, col in years}
    issues.extend(
        _xml_issues(grid, range(header.data_start, (rows_used[-1] + 1) if rows_used else 0), fields.values())
    )
    long_rows = [
        {**record, "data_awal": data_awal[i], "tahun": year, "target": targets[year][i]}
        for i, record in enumerate(records)
        for year, _ in years
    ]
    frame = pd.DataFrame(long_rows, columns=list(RENSTRA_COLUMNS)) if long_rows else empty
    columns = {
        f"renstra.{name}": column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])
    }
    return frame.astype(RENSTRA_COLUMNS).reset_index(drop=True), columns


def _renstra_sheet(book: _Book) -> str | None:
    """The visible sheet named like ``Renstra``, if any."""
    return next((name for name in book.visible if "renstra" in name.lower()), None)


def _cleaned_cells(*grids: _Grid) -> list[InputIssue]:
    """A warning for each cell of ``grids`` that control characters were removed from."""
    return [
        replace(grid.issue("cell.control_characters", row, col), severity="warning")
        for grid in grids
        for row, col in grid.cleaned
    ]


def _renstra_complete(fields: dict[str, int]) -> bool:
    """A Renstra header has ``Indikator`` and at least one ``Target <year>`` column."""
    return "indikator" in fields and any(f.startswith("target_") for f in fields)
