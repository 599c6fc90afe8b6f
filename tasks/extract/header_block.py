"""The header block above the table: OPD, year and month, read from key cells (``SKPD``,
``Tahun Anggaran``, ``Bulan`` / ``Periode``) or a title line, and checked against the run's; and the
government's line (``PEMERINTAH KOTA SEMARANG``) when the block has one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.core.agencies import same_agency_name
from tasks.core.government import government_line
from tasks.core.issues import InputIssue
from tasks.extract.cells import cell_text, column_letter, is_empty
from tasks.extract.fields import META_SEARCH_ROWS, MONTHS
from tasks.extract.grid import Grid, grid_row

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
    #: the government's line (``PEMERINTAH KOTA SEMARANG``), when the block has one
    government: _Found | None = None
    issues: list[InputIssue] = field(default_factory=list)


def _value_after_key(
    rows: Sequence[Sequence[object]], row: int, col: int, rest: str
) -> tuple[object, int] | None:
    """The value of a ``Key : value`` cell, or of the next non-empty cell of the row; with its column."""
    rest = rest.strip().lstrip(":").strip()
    if rest:
        return rest, col
    line = grid_row(rows, row)
    for next_col in range(col + 1, len(line)):
        value = line[next_col]
        if is_empty(value) or (isinstance(value, str) and value.strip() in (":", "=")):
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


def read_meta(grid: Grid, stop_row: int, *, with_month: bool) -> _Meta:
    """Read OPD, year, month and the government's line from the header block above ``stop_row``."""
    meta = _Meta()
    period_year: _Found | None = None
    rows = grid.rows
    for r in range(min(stop_row, META_SEARCH_ROWS, len(rows))):
        for c, value in enumerate(rows[r]):
            if not isinstance(value, str) or not value.strip():
                continue
            text = value.strip()
            if meta.government is None and (line := government_line(text)):
                meta.government = _Found(line, r, c)
                continue
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
    text = cell_text(value)
    match = _OPD_CODE.match(text)
    if not match:
        meta.opd_name = _Found(text, r, col)
        return
    meta.opd_code = _Found(match.group(1), r, col)
    name = match.group(2).strip(" -–:")
    if not name:
        following = _value_after_key(rows, r, col, "")
        if following and isinstance(following[0], str) and not _is_key(following[0]):
            name, col = cell_text(following[0]), following[1]
    if name:
        meta.opd_name = _Found(name, r, col)


def _month_cell(grid: Grid, meta: _Meta, r: int, value: object, col: int, *, last: bool) -> _Found | None:
    """Month from a Bulan/Periode value; records ``header.month_unknown`` when it names no month."""
    if isinstance(value, dt.date):
        return _Found(value.month, r, col)
    if isinstance(value, int | float) and not isinstance(value, bool) and value in range(1, 13):
        return _Found(int(value), r, col)
    month = month_from_text(cell_text(value), last=last)
    if month is None:
        meta.issues.append(grid.issue("header.month_unknown", r, col, value=cell_text(value)))
        return None
    return _Found(month, r, col)


def resolve_opd(grid: Grid, meta: _Meta, given: str | None, issues: list[InputIssue]) -> tuple[str, str]:
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
    if meta.opd_name and not same_agency_name(name, given):
        issues.append(_conflict(grid, meta.opd_name, "OPD", name, given))
    return code, name or given


def header_cell_refs(meta: _Meta) -> dict[str, str]:
    """Addresses of the header-block cells the OPD, year and month were read from (``{"year": "B4"}``);
    ``opd_code`` only when the OPD was given by its code."""
    found = {
        "opd": meta.opd_code or meta.opd_name,
        "opd_code": meta.opd_code,
        "year": meta.year,
        "month": meta.month,
        "government": meta.government,
    }
    return {key: f"{column_letter(f.col)}{f.row + 1}" for key, f in found.items() if f is not None}


def _conflict(grid: Grid, where: _Found, what: str, in_file: object, given: object) -> InputIssue:
    """A ``header.meta_conflict`` issue at the header-block cell ``where``."""
    return grid.issue("header.meta_conflict", where.row, where.col, what=what, in_file=in_file, given=given)


def resolve_number(
    grid: Grid, found: _Found | None, given: int | None, what: str, issues: list[InputIssue]
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


def given_month_number(month: int | str | None) -> int | None:
    """Month given on the command line as a number or an Indonesian name."""
    if month is None or month == "":
        return None
    text = str(month).strip()
    found = int(text) if text.isdigit() else month_from_text(text)
    if found is None or not 1 <= found <= 12:
        raise ValueError(f"unknown month: {month!r}")
    return found
