"""Which sheet holds the table, and which kind of workbook a file is (monthly realization, yearly
indicators or the year's anggaran kas plan), read from the content.
"""

from __future__ import annotations

import re
from pathlib import Path

from tasks.core.columns import CASH_PLAN
from tasks.extract.book import Book, open_book
from tasks.extract.cells import normalize_label
from tasks.extract.fields import (
    CASH_PLAN_FIELDS,
    CASH_PLAN_GROUPS,
    CASH_PLAN_QUARTERS,
    CASH_PLAN_REQUIRED,
    HEADER_SEARCH_ROWS,
    INDICATOR_FIELDS,
    MONTHS,
    REALIZATION_FIELDS,
    REALIZATION_ONE_OF,
    REALIZATION_REQUIRED,
    RENSTRA_FIELDS,
)
from tasks.extract.grid import Grid, Header, Matcher, alias_matcher, find_header, grid_row, requirement
from tasks.extract.limits import WorkbookLimits


def find_realization_sheet(book: Book) -> str:
    """The visible sheet named like ``Realisasi``/``LRA``, else the first visible sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "realisasi" in name.lower() or "lra" in name.lower():
            return name
    return book.visible[0]


#: Words in the names of an indicator workbook's other sheets (Renstra targets, the office's texts).
INDICATOR_SIDE_SHEETS = ("renstra", "narasi")


def find_indicator_sheet(book: Book) -> str:
    """The visible sheet named like ``Indikator``, else the first visible sheet that is neither the
    Renstra nor the Narasi sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "indikator" in name.lower():
            return name
    others = [n for n in book.visible if not any(word in n.lower() for word in INDICATOR_SIDE_SHEETS)]
    return (others or book.visible)[0]


REALIZATION_MATCH = alias_matcher(REALIZATION_FIELDS)


def indicator_matcher(year: int | None) -> Matcher:
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

    return alias_matcher(INDICATOR_FIELDS, by_year)


def renstra_matcher(label: str) -> str | None:
    """Matcher for Renstra columns: the fields plus ``Target <year>`` -> ``target_<year>``."""
    match = re.fullmatch(r"target (?:tahun )?(\d{4})", label)
    if match:
        return f"target_{match.group(1)}"
    if re.fullmatch(r"(?:data|kondisi) awal(?: (?:tahun )?\(?\d{4}\)?)?", label):
        return "data_awal"
    return _RENSTRA_ALIASES(label)


_RENSTRA_ALIASES = alias_matcher(RENSTRA_FIELDS)


#: Words in the name of a sheet holding an anggaran kas table (``RAK``, ``Anggaran Kas 2024``, ``DKKB``).
CASH_PLAN_SHEET_WORDS = ("anggaran kas", "rak", "dkkb", "rencana", "rpd")

_PLAN_GROUPS = "|".join(sorted(map(re.escape, CASH_PLAN_GROUPS), key=len, reverse=True))
#: a month's plan heading: the month word, after a plan word and/or ``bulan``, with the year or not
_PLAN_MONTH = re.compile(rf"(?:(?:{_PLAN_GROUPS}) )?(?:bulan )?([a-z]+)(?: \d{{4}})?")
#: the row's total under the plan's heading (``Anggaran Kas Jumlah``)
_PLAN_TOTAL = re.compile(rf"(?:{_PLAN_GROUPS}) (?:jumlah|total)(?: \d{{4}})?")
#: a quarter's plan heading (``RAK TW I``, ``Anggaran Kas Triwulan 2``): quarters only under a plan word
_PLAN_QUARTERS = {
    normalize_label(f"{group} {heading}"): name
    for name, headings in CASH_PLAN_QUARTERS.items()
    for heading in headings
    if not heading.lower().startswith("realisasi")
    for group in CASH_PLAN_GROUPS
}


def _plan_field(label: str) -> str | None:
    """``rencana_MM_rp`` of a month's plan heading, ``jumlah_rp`` of the plan's total, ``twN`` of a
    quarter's plan heading, or None."""
    if match := _PLAN_MONTH.fullmatch(label):
        month = MONTHS.get(match.group(1))
        if month is not None:
            return f"rencana_{month:02d}_rp"
    if _PLAN_TOTAL.fullmatch(label):
        return "jumlah_rp"
    return _PLAN_QUARTERS.get(label)


CASH_PLAN_MATCH = alias_matcher(CASH_PLAN_FIELDS, _plan_field)
#: the header of a whole plan: code, name and the twelve months
CASH_PLAN_COMPLETE = requirement(CASH_PLAN_REQUIRED, ())


def cash_plan_sheets(book: Book) -> list[str]:
    """The visible sheets, those named like an anggaran kas sheet (``RAK``, ``DKKB``) first."""
    return sorted(book.visible, key=lambda n: not any(word in n.lower() for word in CASH_PLAN_SHEET_WORDS))


def is_quarterly_plan(header: Header | None) -> bool:
    """True for a plan header with quarters (``RAK TW I`` …) and no month."""
    return (
        header is not None
        and any(f.startswith("tw") for f in header.fields)
        and not any(f.startswith("rencana_") for f in header.fields)
    )


def _has_realization(grid: Grid, header: Header) -> bool:
    """True when a header names a realization column, or says ``Realisasi`` in either of its rows
    (the months side by side of a year workbook, each over its plan and realization): a plan has none."""
    if any(REALIZATION_MATCH(label) in REALIZATION_ONE_OF for label in header.labels if label):
        return True
    return any(
        isinstance(value, str) and "realisasi" in value.lower()
        for row in (header.row, header.row + 1)
        for value in grid_row(grid.rows, row)
    )


def _cash_plan_kind(grid: Grid, partial: list[tuple[int, str]]) -> bool:
    """True when the sheet holds a whole anggaran kas table (no realization column); a table short of
    months, or written per quarter, is noted in ``partial`` to be read as a plan and told why not."""
    found, best = find_header(grid, CASH_PLAN_MATCH, CASH_PLAN_COMPLETE)
    if found is not None:
        return not _has_realization(grid, found)
    if best is None or _has_realization(grid, best):
        return False
    months = sum(f.startswith("rencana_") for f in best.fields)
    if months >= 6 or is_quarterly_plan(best):
        partial.append((len(best.fields), CASH_PLAN))
    return False


def detect_kind(path: str | Path, *, limits: WorkbookLimits | None = None) -> str:
    """``"realization"``, ``"indicator"`` or ``"anggaran_kas"`` from the workbook's sheets and table headers.

    A sheet with code and name columns, the twelve months of a plan and no realization column is an
    anggaran kas workbook when no sheet of the workbook holds either other table (a year workbook's
    summary sheet, ``REKAP``, may look like a plan beside its month sheets).
    """
    book = open_book(path, limits)
    if any("indikator" in name.lower() for name in book.visible):
        return "indicator"
    ordered = sorted(book.visible, key=lambda n: not ("realisasi" in n.lower() or "lra" in n.lower()))
    indicator_match = indicator_matcher(None)
    partial: list[tuple[int, str]] = []
    cash_plan = False
    # the grids of the sheets a reader will take stay; the others are not held all at once
    keep = {find_realization_sheet(book), find_indicator_sheet(book)} if book.visible else set()
    for sheet in ordered:
        grid = book.grid(sheet, nrows=HEADER_SEARCH_ROWS)
        found, best = find_header(
            grid, REALIZATION_MATCH, requirement(REALIZATION_REQUIRED, REALIZATION_ONE_OF)
        )
        if found:
            return "realization"
        if best is not None and len(best.fields) >= 3:
            partial.append((len(best.fields), "realization"))
        found, best = find_header(grid, indicator_match, requirement(("jenis", "indikator", "target"), ()))
        if found:
            return "indicator"
        if best is not None and "indikator" in best.fields and len(best.fields) >= 3:
            partial.append((len(best.fields), "indicator"))
        cash_plan = cash_plan or _cash_plan_kind(grid, partial)
        if sheet not in keep:
            book.release(sheet)
    if cash_plan:
        return CASH_PLAN
    if partial:
        # a table that lacks a required column: read it as its kind so the steward is told which column
        return max(partial)[1]
    raise book.fail("file.kind_unknown")
