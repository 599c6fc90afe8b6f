"""A year in one workbook, a sheet per month (INPUTS.md §1b), read as the months it holds.

**Recognition** is by the names of the visible sheets: a realization workbook is a sheet-per-month
workbook when two or more of them are named as a month. A month sheet's name is, in any case and with
any punctuation or spacing between its words (``JAN``, ``Januari``, ``MEI 2023``, ``Sept``, ``Okt``,
``Nop``, ``Des``, ``LRA_Maret``, ``Realisasi Bulan Juni``, ``Jan-23``):

- exactly one month word of :data:`tasks.extract.fields.MONTHS`;
- at most one number: a four-digit year (then checked against the workbook's year: rule
  ``sheet.year_conflict``), or any other number (``01 Januari``, ``Jan-23``), which is ignored;
- optionally words saying what the sheet holds (:data:`NAME_WORDS`: ``Realisasi``, ``LRA``, ``Bulan``,
  ``Laporan``, ``Tahun``/``TA``, ``s.d.`` ...).

Any other visible sheet is passed over with a ``sheet.passed_over`` warning: a summary (its name has a
word of :data:`SUMMARY_WORDS`, ``REKAP``, ``Rekapitulasi``; its cells are never read), a cover or any
sheet without a realization table, or a sheet whose table is not read because its name names no month
(``Januari Lama``). A month sheet holding nothing is passed over the same way (a workbook prepared for
the whole year, sent in October). The warnings go to the oldest month returned, so the steward is
told once per file. Hidden sheets are ignored, as in a monthly workbook.

**Each month** is read from its sheet by ``read_realization_sheet`` with ``part`` the sheet's name. The
month is the header block's when it names one, else the sheet name's; when both name a month and they
differ, the month is refused (``sheet.month_conflict``, at the header cell, naming both). OPD and year
missing on a sheet are taken from the first sheet (in workbook order) whose header block gives them;
a sheet naming another OPD or year than that sheet is refused (``sheet.meta_conflict``). The run's OPD
and year keep their meaning: each sheet is checked against them (``header.meta_conflict``) and they
fill in what no sheet gives. The run's month does not filter a year workbook (every month it holds is
read; its sheets say which months they are). A month that cannot be read is a ``PartError`` (its
month the sheet name's) beside the months that can; the months come oldest first.

**Whole-file errors** (``InputError``, nothing loads): more than twelve month sheets
(``sheet.too_many_months``), two sheets naming the same month (``sheet.month_duplicate``, naming
both), found from the sheet names before any sheet is read; and no month at all to read (every month
sheet empty: ``sheet.not_found``). A workbook with very many sheets is refused earlier still, on
opening (``file.too_many_sheets``); a sheet beyond the workbook limits is refused as the limits say
(a month sheet as its month's ``PartError``, any other sheet with the whole file).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from tasks.core.calendar import BULAN
from tasks.core.issues import InputError, InputIssue
from tasks.core.staging import MonthRead, PartError
from tasks.extract.book import Book
from tasks.extract.cells import column_letter, is_empty
from tasks.extract.fields import MONTHS, REALIZATION_ONE_OF, REALIZATION_REQUIRED
from tasks.extract.grid import Grid, find_header, requirement
from tasks.extract.header_block import read_meta
from tasks.extract.kind import REALIZATION_MATCH
from tasks.extract.realization import read_realization_sheet

#: Words a month sheet's name may have besides its month and year (what the sheet holds).
NAME_WORDS: frozenset[str] = frozenset(
    {
        "realisasi",
        "lra",
        "bulan",
        "bln",
        "laporan",
        "lap",
        "tahun",
        "ta",
        "anggaran",
        "belanja",
        "s",
        "d",
        "sd",
    }
)  # s, d, sd: ``s.d.`` (sampai dengan: to date)
#: Words that make a sheet a summary of the year (``REKAP``, ``Rekapitulasi``, ``Rekap Jan-Des``).
SUMMARY_WORDS: tuple[str, ...] = ("rekap", "ringkasan", "summary", "resume", "gabungan", "total", "jumlah")
#: A sheet holding a year: at least this many sheets named as months.
MIN_MONTH_SHEETS = 2

_WORD = re.compile(r"[^\W\d_]+|\d+")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_COMPLETE = requirement(REALIZATION_REQUIRED, REALIZATION_ONE_OF)

#: Why a sheet is passed over: (Indonesian, English), the ``kind`` of a ``sheet.passed_over`` warning.
PASSED_OVER: dict[str, tuple[str, str]] = {
    "summary": ("rekapitulasi, bukan data satu bulan", "summary, not one month's data"),
    "cover": ("sampul atau lembar tanpa tabel realisasi", "cover or sheet without a realization table"),
    "not_month": (
        "nama sheet tidak menyebut bulan, tabelnya tidak dibaca",
        "the sheet's name names no month, its table is not read",
    ),
    "empty": ("sheet bulan ini kosong", "this month sheet is empty"),
}


@dataclass(frozen=True)
class SheetName:
    """What a month sheet's name says: its month and, when written, its year."""

    month: int
    year: int | None = None


def sheet_month(name: str) -> SheetName | None:
    """The month (and year) a sheet's name gives, or None when it is not named as one month."""
    month: int | None = None
    year: int | None = None
    numbers = 0
    for word in _WORD.findall(name.casefold()):
        if word.isdigit():
            numbers += 1
            if numbers > 1:
                return None
            if _YEAR.fullmatch(word):
                year = int(word)
        elif word in MONTHS:
            if month is not None:
                return None
            month = MONTHS[word]
        elif word not in NAME_WORDS:
            return None
    return None if month is None else SheetName(month, year)


def month_sheet_names(book: Book) -> dict[str, SheetName]:
    """The visible sheets named as a month, in workbook order, with what their names say."""
    return {sheet: found for sheet in book.visible if (found := sheet_month(sheet)) is not None}


def is_month_sheet_workbook(book: Book) -> bool:
    """True when two or more visible sheets are named as months (a year, a sheet per month)."""
    count = 0
    for sheet in book.visible:
        if sheet_month(sheet) is not None:
            count += 1
            if count >= MIN_MONTH_SHEETS:
                return True
    return False


def is_summary_name(name: str) -> bool:
    """True for a sheet named as a summary of the year (``REKAP``, ``Rekapitulasi``)."""
    return any(word.startswith(SUMMARY_WORDS) for word in _WORD.findall(name.casefold()))


def _passed_over(book: Book, sheet: str, kind: str) -> InputIssue:
    """The ``sheet.passed_over`` warning for ``sheet``."""
    text, text_en = PASSED_OVER[kind]
    return book.issue(
        "sheet.passed_over", sheet=sheet, severity="warning", params={"kind": text, "kind_en": text_en}
    )


def _check_names(book: Book, named: dict[str, SheetName]) -> None:
    """Refuse the workbook when its month sheets cannot be told apart (too many, a month twice)."""
    if len(named) > 12:
        sheets = ", ".join(f"'{sheet}'" for sheet in named)
        raise book.fail("sheet.too_many_months", params={"count": len(named), "sheets": sheets})
    seen: dict[int, str] = {}
    for sheet, found in named.items():
        if found.month in seen:
            raise book.fail(
                "sheet.month_duplicate",
                sheet=sheet,
                params={"month": BULAN[found.month - 1], "first": seen[found.month], "second": sheet},
            )
        seen[found.month] = sheet


def _is_blank(grid: Grid) -> bool:
    """True when no cell of the sheet holds anything."""
    return all(is_empty(value) for row in grid.rows for value in row)


@dataclass
class _Sheet:
    """A month sheet before it is read: its grid's header block (None without a table header)."""

    name: str
    month: SheetName
    meta: object | None = None  # what ``read_meta`` found above the table header
    error: InputError | None = None


@dataclass(frozen=True)
class _First:
    """The first sheet whose header block gives a value (OPD or year), and the value as written."""

    sheet: str
    value: object
    shown: str
    found: object  # the header-block value (``read_meta``'s), with its cell


def _run_conflicts(book: Book, first: _First | None, given: object, what: str) -> list[InputIssue]:
    """The run's OPD or year against the first sheet's, for a sheet without its own: the run's conflict
    with the workbook's header block (``header.meta_conflict``), at the first sheet's cell."""
    if first is None or given is None:
        return []
    if what == "OPD":
        text = str(given).strip()
        same = _same_opd((text, "") if re.fullmatch(r"\d+(?:\.\d+)+", text) else ("", text), first.value)
    else:
        same = int(given) == first.value
    if same:
        return []
    found = first.found
    params = {"what": what, "in_file": first.shown, "given": given}
    return [
        book.issue(
            "header.meta_conflict",
            sheet=first.sheet,
            row=found.row + 1,
            column=column_letter(found.col),
            params=params,
        )
    ]


def _opd_of(meta) -> tuple[str, str]:
    """(code, name) of the OPD a header block gives ("" for what it lacks)."""
    code = meta.opd_code.value if meta.opd_code else ""
    name = meta.opd_name.value if meta.opd_name else ""
    return code, name


def _same_opd(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """OPDs compared by code when both have one, else by name (case and spacing ignored)."""
    if a[0] and b[0]:
        return a[0] == b[0]
    if a[1] and b[1]:
        return " ".join(a[1].casefold().split()) == " ".join(b[1].casefold().split())
    return True


def _header_blocks(book: Book, named: dict[str, SheetName], warnings: list[InputIssue]) -> list[_Sheet]:
    """Each month sheet's header block (its grid stays cached for reading); empty sheets passed over."""
    sheets = []
    for name, found in named.items():
        sheet = _Sheet(name, found)
        try:
            grid = book.grid(name)
        except InputError as error:
            sheet.error = error
            sheets.append(sheet)
            continue
        if _is_blank(grid):
            warnings.append(_passed_over(book, name, "empty"))
            book.release(name)
            continue
        header, _ = find_header(grid, REALIZATION_MATCH, _COMPLETE)
        if header is not None:
            sheet.meta = read_meta(grid, header.row, with_month=True)
        sheets.append(sheet)
    return sheets


def _others(book: Book, named: dict[str, SheetName]) -> list[InputIssue]:
    """The warnings of the visible sheets that are not month sheets: summary, cover, unnamed table."""
    warnings = []
    for sheet in book.visible:
        if sheet in named:
            continue
        if is_summary_name(sheet):
            warnings.append(_passed_over(book, sheet, "summary"))
            continue
        header, _ = find_header(book.grid(sheet), REALIZATION_MATCH, _COMPLETE)
        book.release(sheet)
        warnings.append(_passed_over(book, sheet, "cover" if header is None else "not_month"))
    return warnings


def _cell(found) -> str:
    """The address of a header-block value (``B4``)."""
    return f"{column_letter(found.col)}{found.row + 1}"


def _conflicts(
    book: Book,
    sheet: _Sheet,
    *,
    first_opd: _First | None,
    first_year: _First | None,
    opd: str | None,
    year: int | None,
) -> list[InputIssue]:
    """What a month sheet's name and header block say against each other and against the first sheet."""
    meta = sheet.meta
    issues = []

    def at(rule: str, found, **params: object) -> InputIssue:
        """An issue at a header-block cell of this sheet."""
        return book.issue(
            rule, sheet=sheet.name, row=found.row + 1, column=column_letter(found.col), params=params
        )

    if meta.month is not None and meta.month.value != sheet.month.month:
        issues.append(
            at(
                "sheet.month_conflict",
                meta.month,
                sheet=sheet.name,
                sheet_month=BULAN[sheet.month.month - 1],
                header_month=BULAN[meta.month.value - 1],
                cell=_cell(meta.month),
            )
        )
    code, name = _opd_of(meta)
    other_opd = (
        first_opd is not None
        and first_opd.sheet != sheet.name
        and not _same_opd((code, name), first_opd.value)
    )
    if opd is None and other_opd:
        shown = " ".join(part for part in (code, name) if part)
        issues.append(
            at(
                "sheet.meta_conflict",
                meta.opd_code or meta.opd_name,
                what="OPD",
                in_sheet=shown,
                first_sheet=first_opd.sheet,
                in_first=first_opd.shown,
            )
        )
    other_year = first_year is not None and first_year.sheet != sheet.name and meta.year is not None
    if year is None and other_year and meta.year.value != first_year.value:
        issues.append(
            at(
                "sheet.meta_conflict",
                meta.year,
                what="Tahun anggaran",
                what_en="Budget year",
                in_sheet=meta.year.value,
                first_sheet=first_year.sheet,
                in_first=first_year.shown,
            )
        )
    the_year = year or (meta.year.value if meta.year else None) or (first_year and first_year.value)
    if sheet.month.year is not None and the_year and sheet.month.year != the_year:
        params = {"sheet": sheet.name, "sheet_year": sheet.month.year, "year": the_year}
        if meta.year:
            issues.append(at("sheet.year_conflict", meta.year, **params))
        else:
            issues.append(book.issue("sheet.year_conflict", sheet=sheet.name, params=params))
    return issues


def read_month_sheets(book: Book, *, opd: str | None = None, year: int | None = None) -> list[MonthRead]:
    """The months of a sheet-per-month workbook, oldest first: ``RealizationWorkbook`` or ``PartError``."""
    named = month_sheet_names(book)
    _check_names(book, named)
    warnings = _others(book, named)
    sheets = _header_blocks(book, named, warnings)
    warnings.sort(key=lambda issue: book.visible.index(issue.sheet))  # in the workbook's order
    first_opd = first_year = None
    for sheet in sheets:
        if sheet.meta is None:
            continue
        code, name = _opd_of(sheet.meta)
        if first_opd is None and (code or name):
            shown = " ".join(part for part in (code, name) if part)
            first_opd = _First(sheet.name, (code, name), shown, sheet.meta.opd_code or sheet.meta.opd_name)
        if first_year is None and sheet.meta.year:
            year_found = sheet.meta.year
            first_year = _First(sheet.name, year_found.value, str(year_found.value), year_found)
    months: list[MonthRead] = []
    for sheet in sheets:
        read = _read_month(book, sheet, first_opd=first_opd, first_year=first_year, opd=opd, year=year)
        months.append(read)
        book.release(sheet.name)
    if not months:
        raise InputError([book.issue("sheet.not_found"), *warnings])
    months.sort(key=lambda read: read.month or 0)
    if warnings:
        months[0] = _with_warnings(months[0], warnings)
    return months


def _read_month(
    book: Book,
    sheet: _Sheet,
    *,
    first_opd: _First | None,
    first_year: _First | None,
    opd: str | None,
    year: int | None,
) -> MonthRead:
    """One month sheet read, or its ``PartError``."""
    month = sheet.month.month
    if sheet.error is not None:
        return PartError(sheet.name, month, sheet.error)
    given_opd, given_year = opd, year
    if sheet.meta is not None:
        issues = _conflicts(book, sheet, first_opd=first_opd, first_year=first_year, opd=opd, year=year)
        code, name = _opd_of(sheet.meta)
        if not (code or name):
            issues.extend(_run_conflicts(book, first_opd, opd, "OPD"))
        if not sheet.meta.year:
            issues.extend(_run_conflicts(book, first_year, year, "Tahun anggaran"))
        if issues:
            return PartError(sheet.name, month, InputError(issues))
        if given_opd is None and not (code or name) and first_opd is not None:
            given_opd = first_opd.value[0] or first_opd.value[1]
        if given_year is None and not sheet.meta.year:
            given_year = first_year.value if first_year is not None else sheet.month.year
    try:
        read = read_realization_sheet(
            book, sheet.name, opd=given_opd, year=given_year, month=month, part=sheet.name
        )
    except InputError as error:
        return PartError(sheet.name, month, error)
    if (
        first_opd is not None
        and (not read.opd_code or not read.opd_name)
        and _same_opd((read.opd_code, read.opd_name), first_opd.value)
    ):
        code, name = first_opd.value
        read = dataclasses.replace(read, opd_code=read.opd_code or code, opd_name=read.opd_name or name)
    return read


def _with_warnings(read: MonthRead, warnings: list[InputIssue]) -> MonthRead:
    """A month with the workbook's warnings added to its own."""
    if isinstance(read, PartError):
        return PartError(read.part, read.month, InputError([*warnings, *read.error.issues]))
    return dataclasses.replace(read, warnings=[*warnings, *read.warnings])
