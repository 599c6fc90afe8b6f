"""Reading a yearly indicator workbook (sheet ``Indikator``, optional ``Renstra`` and ``Narasi``) into
staged, typed rows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tasks.core import codes
from tasks.core import columns as spec
from tasks.core.issues import InputError, InputIssue
from tasks.core.staging import (
    INDICATOR_COLUMNS,
    RENSTRA_COLUMNS,
    IndicatorWorkbook,
)
from tasks.extract.book import Book, open_book
from tasks.extract.cells import cell_at, cell_text, column_letter, is_empty
from tasks.extract.fields import (
    COLUMN_TITLES,
    INDICATOR_NUMBERS,
    INDICATOR_ONE_OF,
    INDICATOR_REQUIRED,
)
from tasks.extract.grid import (
    Grid,
    Header,
    assign_fields,
    cleaned_cells,
    find_header,
    number_column,
    require_header,
    skip_number_row,
    sorted_issues,
    xml_issues,
)
from tasks.extract.header_block import header_cell_refs, read_meta, resolve_number, resolve_opd
from tasks.extract.kind import find_indicator_sheet, indicator_matcher, renstra_matcher
from tasks.extract.limits import WorkbookLimits
from tasks.extract.narasi import narasi_sheet, read_narasi

#: Text columns taken as written (the others are normalised or carried down by the reader below).
_PLAIN_TEXTS = tuple(
    name
    for name in spec.names(spec.INDICATOR, types=("text",))
    if name not in ("jenis", "no", "uraian", "indikator", "arah", "rumus_capaian")
)


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

    def update(self, grid: Grid, fields: dict[str, int], row: int) -> None:
        """Take the row's own values where given; a new jenis or number starts a new group."""
        jenis = _field_text(grid, fields, row, "jenis")
        number = _number_text(cell_at(grid.rows, row, fields["no"])) if "no" in fields else ""
        uraian = _field_text(grid, fields, row, "uraian")
        if jenis and _jenis(jenis) != self.jenis:
            self.jenis, self.no, self.uraian = _jenis(jenis), "", ""
        if number and number != self.no:
            self.no, self.uraian = number, ""
        if uraian:
            self.uraian = uraian


def _field_text(grid: Grid, fields: dict[str, int], row: int, name: str) -> str:
    """Text of field ``name`` at 0-based ``row`` ("" when the column is absent)."""
    return cell_text(cell_at(grid.rows, row, fields[name])) if name in fields else ""


def _number_text(value: object) -> str:
    """The ``No`` column as written, without a trailing dot (1.0 -> "1", "2." -> "2")."""
    return cell_text(value).rstrip(".").strip()


def read_indicators(
    path: str | Path,
    *,
    opd: str | None = None,
    year: int | None = None,
    limits: WorkbookLimits | None = None,
) -> IndicatorWorkbook:
    """Extract a yearly indicator workbook (``Indikator`` sheet, optional ``Renstra`` and ``Narasi``
    sheets); any problem of any sheet refuses the workbook as a whole."""
    book = open_book(path, limits)
    grid = book.grid(find_indicator_sheet(book))
    header, issues = require_header(
        grid,
        indicator_matcher(None),
        INDICATOR_REQUIRED,
        INDICATOR_ONE_OF,
        "header.missing_column",
        COLUMN_TITLES["realisasi"],
    )
    meta = read_meta(grid, header.row, with_month=False)
    issues.extend(meta.issues)
    opd_code, opd_name = resolve_opd(grid, meta, opd, issues)
    the_year = resolve_number(grid, meta.year, None if year is None else int(year), "Tahun", issues)
    header.fields = assign_fields(header.labels, indicator_matcher(the_year or None))
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
    cell_issues.extend(xml_issues(grid, range(header.data_start, last_row + 1), fields.values()))
    renstra, renstra_columns = _read_renstra(book, cell_issues)
    texts, narasi_columns = read_narasi(book, cell_issues)
    issues.extend(sorted_issues(cell_issues))
    if issues:
        raise InputError(issues)
    columns = {name: column_letter(col) for name, col in sorted(fields.items(), key=lambda kv: kv[1])}
    columns.update(renstra_columns)
    columns.update(narasi_columns)
    other_sheets = [name for name in (_renstra_sheet(book), narasi_sheet(book)) if name]
    return IndicatorWorkbook(
        warnings=cleaned_cells(grid, *(book.grid(name) for name in other_sheets)),
        path=book.path,
        sheet=grid.sheet,
        opd_code=opd_code,
        opd_name=opd_name,
        year=the_year,
        indicators=indicators,
        renstra=renstra,
        columns=columns,
        sha256=book.sha256,
        header_cells=header_cell_refs(meta),
        government=meta.government.value if meta.government else "",
        texts=texts,
    )


def _indicator_rows(
    grid: Grid, header: Header, urusan: str, issues: list[InputIssue]
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
        has_number = any(not is_empty(cell_at(grid.rows, r, fields[n])) for n in numeric)
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
                "arah": _arah(get("arah")),
                "rumus_capaian": get("rumus_capaian").lower() or "standar",
                "kode_program": ";".join(programs),
                **{name: get(name) for name in _PLAIN_TEXTS},
            }
        )
    frame = pd.DataFrame(records, columns=[c for c in INDICATOR_COLUMNS if c not in INDICATOR_NUMBERS])
    for name in INDICATOR_NUMBERS:
        frame[name] = number_column(grid, rows_used, fields.get(name), True, issues)
    frame = frame[list(INDICATOR_COLUMNS)].astype(INDICATOR_COLUMNS)
    return frame.reset_index(drop=True), last_row


def _read_renstra(book: Book, issues: list[InputIssue]) -> tuple[pd.DataFrame, dict[str, str]]:
    """Long-form Renstra targets from a visible sheet named like ``Renstra`` (empty frame when absent)."""
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in RENSTRA_COLUMNS.items()})
    sheet = _renstra_sheet(book)
    if sheet is None:
        return empty, {}
    grid = book.grid(sheet)
    header, _best = find_header(grid, renstra_matcher, _renstra_complete)
    if header is None:
        issues.append(grid.issue("header.not_found", required="Indikator, Target <tahun>"))
        return empty, {}
    skip_number_row(grid, header)
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
    data_awal = number_column(grid, rows_used, fields.get("data_awal"), True, issues)
    targets = {year: number_column(grid, rows_used, col, True, issues) for year, col in years}
    issues.extend(
        xml_issues(grid, range(header.data_start, (rows_used[-1] + 1) if rows_used else 0), fields.values())
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


def _renstra_sheet(book: Book) -> str | None:
    """The visible sheet named like ``Renstra``, if any."""
    return next((name for name in book.visible if "renstra" in name.lower()), None)


def _renstra_complete(fields: dict[str, int]) -> bool:
    """A Renstra header has ``Indikator`` and at least one ``Target <year>`` column."""
    return "indikator" in fields and any(f.startswith("target_") for f in fields)
