"""Which sheet holds the table, and which kind of workbook a file is (monthly realization or
yearly indicators), read from the content.
"""

from __future__ import annotations

import re
from pathlib import Path

from tasks.extract.book import Book, open_book
from tasks.extract.fields import (
    HEADER_SEARCH_ROWS,
    INDICATOR_FIELDS,
    REALIZATION_FIELDS,
    REALIZATION_ONE_OF,
    REALIZATION_REQUIRED,
    RENSTRA_FIELDS,
)
from tasks.extract.grid import Matcher, alias_matcher, find_header, requirement
from tasks.extract.limits import WorkbookLimits


def find_realization_sheet(book: Book) -> str:
    """The visible sheet named like ``Realisasi``/``LRA``, else the first visible sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "realisasi" in name.lower() or "lra" in name.lower():
            return name
    return book.visible[0]


def find_indicator_sheet(book: Book) -> str:
    """The visible sheet named like ``Indikator``, else the first visible sheet."""
    if not book.visible:
        raise book.fail("sheet.not_found")
    for name in book.visible:
        if "indikator" in name.lower():
            return name
    return book.visible[0]


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


def detect_kind(path: str | Path, *, limits: WorkbookLimits | None = None) -> str:
    """``"realization"`` or ``"indicator"`` from the workbook's sheets and table headers."""
    book = open_book(path, limits)
    if any("indikator" in name.lower() for name in book.visible):
        return "indicator"
    ordered = sorted(book.visible, key=lambda n: not ("realisasi" in n.lower() or "lra" in n.lower()))
    indicator_match = indicator_matcher(None)
    partial: list[tuple[int, str]] = []
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
        if sheet not in keep:
            book.release(sheet)
    if partial:
        # a table that lacks a required column: read it as its kind so the steward is told which column
        return max(partial)[1]
    raise book.fail("file.kind_unknown")
