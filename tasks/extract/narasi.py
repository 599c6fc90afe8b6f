"""Reading the indicator workbook's optional sheet ``Narasi``: the texts the office writes itself for
its report, each under the part of the report its ``Bagian`` names (:mod:`tasks.core.outline`).

A row names a heading key (``I.A``, ``III.D.3``, ``IKHTISAR`` …) or a table number (``3.4``) in
``Bagian`` and gives the text in ``Teks``, paragraphs separated by empty lines. Rows naming the same
part join in sheet order; empty rows are skipped. A key naming no part of the report, a text without
a key, a key without a text and a text beyond :data:`MAX_TEXT_CHARACTERS` are refused at their cell:
the workbook is then refused as a whole.
"""

from __future__ import annotations

from tasks.core import columns as spec
from tasks.core.issues import InputIssue
from tasks.core.outline import SECTION_KEYS, TABLE_KEYS, OfficeTexts, narasi_key, split_paragraphs
from tasks.extract.book import Book
from tasks.extract.cells import cell_at, cell_text, column_letter
from tasks.extract.grid import Grid, alias_matcher, find_header, requirement

#: The longest text one ``Teks`` cell may hold (characters): a few pages of a report.
MAX_TEXT_CHARACTERS = 20_000
#: The longest text the whole sheet may hold (characters): the texts of every part of a report.
MAX_SHEET_CHARACTERS = 200_000

NARASI_MATCH = alias_matcher(spec.headings(spec.NARASI))
_NARASI_REQUIRED = spec.names(spec.NARASI, required="yes")

#: The keys a ``Bagian`` cell may name, as a steward reads them in a message.
ALLOWED_KEYS = f"{', '.join(SECTION_KEYS)}; {TABLE_KEYS[0]} … {TABLE_KEYS[-1]}"


def narasi_sheet(book: Book) -> str | None:
    """The visible sheet named like ``Narasi``, if any."""
    return next((name for name in book.visible if "narasi" in name.lower()), None)


def read_narasi(book: Book, issues: list[InputIssue]) -> tuple[OfficeTexts, dict[str, str]]:
    """The office's texts of the sheet ``Narasi`` (empty when the workbook has none) and the column
    letter of each of its fields (``narasi.bagian``, ``narasi.teks``); problems go to ``issues``."""
    sheet = narasi_sheet(book)
    if sheet is None:
        return OfficeTexts(), {}
    grid = book.grid(sheet)
    header, _best = find_header(grid, NARASI_MATCH, requirement(_NARASI_REQUIRED, ()))
    if header is None:
        titles = ", ".join(spec.column(spec.NARASI, name).label for name in _NARASI_REQUIRED)
        issues.append(grid.issue("header.not_found", required=titles))
        return OfficeTexts(), {}
    key_col, text_col = header.fields["bagian"], header.fields["teks"]
    sections: dict[str, list[str]] = {}
    total = 0
    for row in range(header.data_start, len(grid.rows)):
        raw_key = cell_text(cell_at(grid.rows, row, key_col))
        text = _cell_paragraph_text(cell_at(grid.rows, row, text_col))
        if not raw_key and not text.strip():
            continue
        key = narasi_key(raw_key)
        problem = _row_problem(grid, (row, key_col, text_col), raw_key, key, text, total)
        if problem is not None:
            issues.append(problem)
            continue
        if key is None:  # never: a row without a known key is a problem above
            continue
        total += len(text)
        sections.setdefault(key, []).extend(split_paragraphs(text))
    found = {f"narasi.{name}": column_letter(col) for name, col in sorted(header.fields.items())}
    return OfficeTexts({key: tuple(paragraphs) for key, paragraphs in sections.items()}), found


def _row_problem(
    grid: Grid, cells: tuple[int, int, int], raw_key: str, key: str | None, text: str, total: int
) -> InputIssue | None:
    """Why a row of the sheet cannot be taken (at its cell), or None; ``cells`` is the row and the
    columns of its key and text (0-based), ``total`` the characters of the texts taken above it."""
    row, key_col, text_col = cells
    if not raw_key:
        return grid.issue("narasi.key_missing", row, key_col)
    if key is None:
        return grid.issue("narasi.key_unknown", row, key_col, value=raw_key, allowed=ALLOWED_KEYS)
    if not text.strip():
        return grid.issue("narasi.text_missing", row, text_col, value=raw_key)
    if len(text) > MAX_TEXT_CHARACTERS:
        return grid.issue("narasi.text_too_long", row, text_col, length=len(text), limit=MAX_TEXT_CHARACTERS)
    if total + len(text) > MAX_SHEET_CHARACTERS:
        return grid.issue("narasi.sheet_too_long", row, text_col, limit=MAX_SHEET_CHARACTERS)
    return None


def _cell_paragraph_text(value: object) -> str:
    """A ``Teks`` cell as written: its line breaks kept (they separate paragraphs), a number as text."""
    if isinstance(value, str):
        return value
    return cell_text(value)
