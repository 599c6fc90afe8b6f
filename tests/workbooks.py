"""Build small xlsx fixtures for extraction tests (openpyxl, or xlsxwriter for cached formula values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter
from xlsxwriter.utility import xl_cell_to_rowcol

Rows = list[list[object]]


@dataclass
class Sheet:
    """One worksheet: rows from A1 (None = empty cell), merged ranges, visibility, number formats."""

    name: str
    rows: Rows
    merges: list[str] = field(default_factory=list)
    hidden: bool = False
    formats: dict[str, str] = field(default_factory=dict)  # cell -> number format, e.g. {"A9": "00"}
    start_row: int = 1  # worksheet row of rows[0]


def write_xlsx(path: Path, *sheets: Sheet) -> Path:
    """Write the sheets with openpyxl (formulas written as ``=...`` get no cached value)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        for r, row in enumerate(spec.rows, start=spec.start_row):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    sheet.cell(row=r, column=c, value=value)
        for cell, number_format in spec.formats.items():
            sheet[cell].number_format = number_format
        for merge in spec.merges:
            sheet.merge_cells(merge)
        if spec.hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def write_xlsx_cached(path: Path, *sheets: Sheet, formulas: dict[str, tuple[str, object]]) -> Path:
    """Write the sheets with xlsxwriter; ``formulas`` maps ``Sheet!D12`` to (formula, cached value)."""
    workbook = xlsxwriter.Workbook(str(path))
    for spec in sheets:
        sheet = workbook.add_worksheet(spec.name)
        for r, row in enumerate(spec.rows, start=spec.start_row - 1):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        for key, (formula, value) in formulas.items():
            name, _, cell = key.partition("!")
            if name == spec.name:
                row, col = xl_cell_to_rowcol(cell)
                sheet.write_formula(row, col, formula, None, value)
        if spec.hidden:
            sheet.hide()
    workbook.close()
    return path


def header_block(
    *,
    opd: str = "2.17.0.00.0.00.01.0000 Dinas Koperasi dan Usaha Mikro",
    year: object = 2022,
    month: object = "Maret",
    style: str = "colon",
    period: str | None = None,
) -> Rows:
    """Header-block rows: ``Key : value`` in one cell (style ``colon``) or the value in the next cells."""
    rows: Rows = [["LAPORAN REALISASI ANGGARAN"]]
    items: list[tuple[str, object]] = [("SKPD", opd), ("Tahun Anggaran", year)]
    if period is not None:
        items.append(("Periode", period))
    elif month is not None:
        items.append(("Bulan", month))
    for key, value in items:
        if style == "colon":
            rows.append([f"{key} : {value}"])
        else:
            rows.append([key, ":", value])
    rows.append([])
    return rows


REALIZATION_HEADER = [
    "Kode",
    "Uraian",
    "Anggaran",
    "Realisasi Bulan Ini",
    "Realisasi s.d. Bulan Ini",
    "Fisik (%)",
    "Sumber Dana",
]

#: a small table with short codes, an account row under a sub kegiatan and a total row
REALIZATION_BODY: Rows = [
    ["2.17", "URUSAN KOPERASI, USAHA KECIL DAN MENENGAH", 1_000_000, 60_000, 600_000, None, None],
    ["2.17.01", "Program Penunjang Urusan", 1_000_000, 60_000, 600_000, None, None],
    ["2.01", "Perencanaan, Penganggaran, dan Evaluasi", 1_000_000, 60_000, 600_000, None, None],
    ["01", "Penyusunan Dokumen Perencanaan", 400_000, 10_000, 100_000, 25, "PAD"],
    ["5.1.02.01.01.0024", "Belanja Alat Tulis Kantor", 400_000, 10_000, 100_000, None, "PAD"],
    ["02", "Koordinasi Penyusunan RKA", 600_000, 50_000, 500_000, "76,64%", "DAU"],
    [None, None, None, None, None, None, None],
    [None, "JUMLAH", 1_000_000, 60_000, 600_000, None, None],
]


def realization_sheet(
    name: str = "Realisasi",
    *,
    block: Rows | None = None,
    header: list[object] | None = None,
    body: Rows | None = None,
    offset: int = 0,
) -> Sheet:
    """A realization sheet: ``offset`` empty rows, the header block, the table header and body."""
    rows: Rows = [[] for _ in range(offset)]
    rows += header_block() if block is None else block
    rows.append(list(REALIZATION_HEADER if header is None else header))
    rows += [list(row) for row in (REALIZATION_BODY if body is None else body)]
    return Sheet(name, rows)


def column_of(header: list[object], title: str) -> str:
    """Worksheet column letter of ``title`` in a header row."""
    return get_column_letter(header.index(title) + 1)


INDICATOR_HEADER = ["Jenis", "No", "Tujuan/Sasaran", "Indikator", "Satuan", "Arah", "Target", "Realisasi"]


def indicator_block(opd: str = "Dinas Koperasi dan Usaha Mikro", year: object = 2022) -> Rows:
    """Header block of an indicator workbook (OPD name only, ``Tahun``)."""
    return [["PENGUKURAN KINERJA"], ["Perangkat Daerah", opd], ["Tahun", year], []]
