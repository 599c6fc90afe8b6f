"""Quarantine a rejected workbook: a copy of it untouched, an annotated copy and a short summary.

The data steward finds, under ``<quarantine root>/<year>/<MM>/`` (``<year>/tahunan/`` for yearly
indicator workbooks, ``tanpa-periode/`` when the period is unknown):

* the file, byte for byte as it was sent (``realisasi_2022_03.xlsx``): a copy, the sender's own file
  staying where it was, unless the caller owns the file (the inbox of scheduled runs) and moves it;
* an annotated copy (``realisasi_2022_03.annotated.xlsx``) whose offending cells are filled red
  (errors) or yellow (warnings) and carry a comment with the message and the rule, plus a
  ``Catatan Validasi`` sheet listing every problem; an .xls or .ods file cannot be marked in its own
  format, so its annotated copy is an .xlsx built from the cell values calamine reads (values and
  merged cells, not the formatting), and its notes sheet and summary say so;
* a UTF-8 text summary (``realisasi_2022_03.txt``).

A name already taken by an earlier rejection gets a suffix (``realisasi_2022_03 (2).xlsx``) and the
copy and summary follow it. Messages are in Bahasa Indonesia by default, English with ``lang="en"``.

Each of the three files is written under a temporary name and renamed into place, and a failure
(a full disk) removes what was already placed: a file is quarantined whole or not at all, and a moved
file leaves its folder only once everything is in place.
"""

from __future__ import annotations

import errno
import logging
import textwrap
import warnings
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.core.calendar import format_moment, now_utc
from tasks.core.files import copy_atomically, placed_atomically
from tasks.core.issues import InputError, InputIssue
from tasks.core.text import printable, visible_text
from tasks.extract import limits as workbook_limits
from tasks.extract.book import annotation_limit_issue, open_book
from tasks.extract.limits import WorkbookLimits

if TYPE_CHECKING:  # openpyxl is imported when a rejected workbook is annotated, not by every run
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

logger = logging.getLogger(__name__)

#: Folder for files whose year is unknown, and the month folder of yearly (indicator) workbooks.
NO_PERIOD_DIR = "tanpa-periode"
YEARLY_DIR = "tahunan"
#: Suffixes openpyxl can open and save again; ``.xlsm`` keeps its macros (``keep_vba``).
ANNOTATABLE_SUFFIXES = (".xlsx", ".xlsm")
#: Suffixes whose annotated copy is a new .xlsx built from the values calamine reads.
LEGACY_SUFFIXES = (".xls", ".ods")
COMMENT_AUTHOR = "sakip"

#: Excel's "Bad" and "Neutral" cell styles: light fill with a dark font of the same hue.
ERROR_FILL_COLOR = "FFC7CE"
ERROR_FONT_COLOR = "9C0006"
WARNING_FILL_COLOR = "FFEB9C"
WARNING_FONT_COLOR = "9C5700"
HEADER_FILL_COLOR = "D9D9D9"
#: The fills as openpyxl objects (``ERROR_FILL``, ...), made when first asked for
_FILL_COLORS = {
    "ERROR_FILL": ERROR_FILL_COLOR,
    "WARNING_FILL": WARNING_FILL_COLOR,
    "HEADER_FILL": HEADER_FILL_COLOR,
}


def _fill(color: str) -> PatternFill:
    """A solid fill of one colour."""
    from openpyxl.styles import PatternFill

    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def __getattr__(name: str) -> Any:
    """``ERROR_FILL``, ``WARNING_FILL`` and ``HEADER_FILL`` (openpyxl is imported on first use)."""
    if name in _FILL_COLORS:
        return _fill(_FILL_COLORS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MAX_ROW = 1_048_576
_MAX_COLUMN = 16_384

_TEXT: dict[str, dict[str, str]] = {
    "id": {
        "notes_sheet": "Catatan Validasi",
        "no": "No",
        "sheet": "Sheet",
        "cell": "Sel",
        "rule": "Aturan",
        "severity": "Tingkat",
        "message": "Pesan",
        "error": "galat",
        "warning": "peringatan",
        "row": "baris",
        "file": "Berkas",
        "time": "Waktu",
        "source_kept": "Berkas asli (tetap di tempatnya; yang ada di sini salinannya)",
        "source_moved": "Berkas asli (dipindahkan ke sini dari {folder})",
        "errors": "Galat",
        "warnings": "Peringatan",
        "annotated": "Salinan beranotasi",
        "not_annotated": "tidak dapat dibuat (berkas tidak dapat dibuka sebagai workbook Excel)",
        "not_annotated_because": "tidak dibuat ({reason})",
        "issues": "Daftar masalah",
        "none": "(tidak ada rincian)",
        "todo_copy": "Lihat salinan beranotasi {name}: ",
        "todo_red": "perbaiki sel yang ditandai merah",
        "todo_and_yellow": " dan periksa sel yang ditandai kuning",
        "todo_yellow": "periksa sel yang ditandai kuning",
        "todo_list": "Perbaiki masalah yang tercantum di atas",
        "todo_end": " pada berkas asli, lalu kirim ulang berkas tersebut.",
        "original_comment": "Komentar asli",
        "saved_as_xlsx": "Salinan bertanda disimpan sebagai .xlsx karena format asli {suffix} tidak "
        "dapat ditandai; salinan ini hanya memuat nilai sel, tanpa format dan rumus",
    },
    "en": {
        "notes_sheet": "Validation notes",
        "no": "No",
        "sheet": "Sheet",
        "cell": "Cell",
        "rule": "Rule",
        "severity": "Severity",
        "message": "Message",
        "error": "error",
        "warning": "warning",
        "row": "row",
        "file": "File",
        "time": "Time",
        "source_kept": "Original file (left where it is; this folder holds a copy)",
        "source_moved": "Original file (moved here from {folder})",
        "errors": "Errors",
        "warnings": "Warnings",
        "annotated": "Annotated copy",
        "not_annotated": "not created (the file cannot be opened as an Excel workbook)",
        "not_annotated_because": "not created ({reason})",
        "issues": "Problems",
        "none": "(no details)",
        "todo_copy": "See the annotated copy {name}: ",
        "todo_red": "fix the cells marked red",
        "todo_and_yellow": " and check the cells marked yellow",
        "todo_yellow": "check the cells marked yellow",
        "todo_list": "Fix the problems listed above",
        "todo_end": " in the original file, then send the file again.",
        "original_comment": "Original comment",
        "saved_as_xlsx": "The annotated copy is saved as .xlsx because the original {suffix} format "
        "cannot be marked; it holds the cell values only, without formatting and formulas",
    },
}


#: Errors of the machine, not of the file: they stop the quarantine instead of skipping the copy.
_ENVIRONMENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}
)


@dataclass(frozen=True)
class QuarantinedFile:
    """Where a rejected file and the steward's material about it ended up."""

    original: Path  # the untouched copy of the file (the file itself when it was moved)
    annotated: Path | None  # annotated copy; None when the file cannot be opened as a workbook
    summary: Path  # short text summary


def quarantine_file(
    path: Path,
    issues: Sequence[InputIssue],
    quarantine_root: Path,
    *,
    year: int | None,
    month: int | None,
    lang: str = "id",
    sha256: str = "",
    keep_original: bool = True,
    limits: WorkbookLimits | None = None,
) -> QuarantinedFile:
    """Copy (or, ``keep_original=False``, move) ``path`` to quarantine with annotated copy and summary.

    A workbook beyond ``limits`` gets no annotated copy (loading it whole would exhaust memory); the
    summary says why.
    """
    path = Path(path)
    folder = quarantine_folder(quarantine_root, year=year, month=month)
    folder.mkdir(parents=True, exist_ok=True)
    original, annotated, summary = _free_names(folder, path.name)
    placed: list[Path] = []
    try:
        copy_atomically(path, original)
        placed.append(original)

        annotated_path: Path | None = None
        skipped = ""
        if path.suffix.lower() in ANNOTATABLE_SUFFIXES + LEGACY_SUFFIXES:
            try:
                with placed_atomically(annotated) as partial:
                    annotate_workbook(original, partial, issues, lang=lang, limits=limits)
                placed.append(annotated)
                annotated_path = annotated
            except InputError as error:  # beyond the limits: not loaded at all
                skipped = "; ".join(issue.message(lang) for issue in error.issues)
                reason = "; ".join(issue.message("en") for issue in error.issues)  # logs are in English
                logger.warning("not annotating %s: %s", printable(original), printable(reason))
            except OSError as exc:
                if exc.errno in _ENVIRONMENT_ERRNOS:
                    raise
                logger.warning("cannot annotate %s: %s", printable(original), printable(exc))
            except Exception as exc:  # not a workbook, corrupt, encrypted: the summary still goes out
                logger.warning("cannot annotate %s: %s", printable(original), printable(exc))

        source = path.resolve() if keep_original else None
        text = summary_text(
            original.name,
            issues,
            annotated=annotated_path,
            lang=lang,
            sha256=sha256,
            source=source,
            moved_from=None if keep_original else path.resolve().parent,
            not_annotated=skipped,
            converted_from=path.suffix.lower() if path.suffix.lower() in LEGACY_SUFFIXES else "",
        )
        with placed_atomically(summary) as partial:
            partial.write_text(text, encoding="utf-8")
        placed.append(summary)
    except BaseException:
        for done in placed:
            done.unlink(missing_ok=True)
        raise
    if not keep_original:
        path.unlink()
    return QuarantinedFile(original=original, annotated=annotated_path, summary=summary)


def quarantine_folder(quarantine_root: Path, *, year: int | None, month: int | None) -> Path:
    """The period folder: ``<year>/<MM>``, ``<year>/tahunan`` (no month) or ``tanpa-periode`` (no year)."""
    root = Path(quarantine_root)
    if year is None:
        return root / NO_PERIOD_DIR
    if month is None:
        return root / str(year) / YEARLY_DIR
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return root / str(year) / f"{month:02d}"


def _free_names(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """Original, annotated and summary paths in ``folder`` that no earlier rejection has taken."""
    source = Path(name)
    stem, suffix = source.stem, source.suffix
    number = 1
    while True:
        base = stem if number == 1 else f"{stem} ({number})"
        original = folder / f"{base}{suffix}"
        annotated = folder / f"{base}.annotated{'.xlsx' if suffix.lower() in LEGACY_SUFFIXES else suffix}"
        # a text file sent in would otherwise share its name with its own summary
        summary = folder / (f"{base}{suffix}.txt" if suffix.lower() == ".txt" else f"{base}.txt")
        if not (original.exists() or annotated.exists() or summary.exists()):
            return original, annotated, summary
        number += 1


def _text(lang: str) -> dict[str, str]:
    """The fixed wording in ``lang`` (Bahasa Indonesia unless ``"en"``, as in :class:`InputIssue`)."""
    return _TEXT["en" if lang == "en" else "id"]


def _is_warning(issue: InputIssue) -> bool:
    """Whether the issue is a warning (anything else counts as an error)."""
    return issue.severity == "warning"


def _location(issue: InputIssue, lang: str) -> str:
    """``D12``, ``baris 12`` / ``row 12`` or "" for the notes table."""
    if issue.cell:
        return issue.cell
    if issue.row:
        return f"{_text(lang)['row']} {issue.row}"
    return ""


def _find_sheet(workbook: Workbook, name: str) -> Worksheet | None:
    """The worksheet titled ``name`` (exactly, else ignoring case and outer spaces), or None."""
    from openpyxl.worksheet.worksheet import Worksheet

    if not name:
        return None
    worksheets = [ws for ws in workbook.worksheets if isinstance(ws, Worksheet)]
    for ws in worksheets:
        if ws.title == name:
            return ws
    wanted = name.strip().casefold()
    for ws in worksheets:
        if ws.title.strip().casefold() == wanted:
            return ws
    return None


def _target(ws: Worksheet, issue: InputIssue) -> tuple[int, int] | None:
    """(row, column) of the cell to mark: the issue's cell, column A for a row-only issue, merged anchors."""
    if not issue.row or not 1 <= issue.row <= _MAX_ROW:
        return None
    if issue.column:
        from openpyxl.utils.cell import column_index_from_string

        try:
            column = column_index_from_string(issue.column.strip().upper())
        except ValueError:
            return None
        if not 1 <= column <= _MAX_COLUMN:
            return None
    else:
        column = 1
    row = issue.row
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, column


def _comment(text: str, original: Comment | None, lang: str) -> Comment:
    """A comment by ``sakip`` sized to its text, keeping any comment the cell already had below it."""
    from openpyxl.comments import Comment

    text = visible_text(text)
    if original is not None and original.text:
        text = f"{text}\n\n{_text(lang)['original_comment']}:\n{original.text}"
    lines = [wrapped for line in text.splitlines() for wrapped in (textwrap.wrap(line, 60) or [""])]
    longest = max((len(line) for line in lines), default=20)
    width = min(max(longest * 6 + 24, 160), 420)
    height = min(len(lines) * 14 + 24, 600)
    return Comment(text, COMMENT_AUTHOR, width=width, height=height)


def annotate_workbook(
    source: Path,
    target: Path,
    issues: Sequence[InputIssue],
    *,
    lang: str = "id",
    limits: WorkbookLimits | None = None,
) -> Path:
    """Save a copy of ``source`` with offending cells marked and commented and a validation-notes sheet.

    Raises ``InputError`` (``file.too_large`` / ``sheet.too_large``) without loading the workbook when
    it is beyond ``limits``. An .xls or .ods ``source`` (:data:`LEGACY_SUFFIXES`) becomes an .xlsx
    ``target`` built from its cell values, and its notes sheet says so.
    """
    import openpyxl
    from openpyxl.utils.cell import get_column_letter, quote_sheetname

    words = _text(lang)
    converted = source.suffix.lower() in LEGACY_SUFFIXES
    if converted:
        workbook = _workbook_from_values(source, limits)
    else:
        too_large = annotation_limit_issue(source, limits)
        if too_large is not None:
            raise InputError([too_large])
        keep_vba = source.suffix.lower() == ".xlsm"
        with warnings.catch_warnings():  # openpyxl warns about extensions it drops; the original stays intact
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(source, keep_vba=keep_vba, rich_text=True)

    marked: dict[tuple[str, int, int], list[InputIssue]] = {}
    links: dict[int, str] = {}  # issue number -> internal link to the marked cell
    for number, issue in enumerate(issues, start=1):
        ws = _find_sheet(workbook, issue.sheet)
        spot = _target(ws, issue) if ws is not None else None
        if ws is None or spot is None:
            continue
        marked.setdefault((ws.title, *spot), []).append(issue)
        links[number] = f"{quote_sheetname(ws.title)}!{get_column_letter(spot[1])}{spot[0]}"

    for (title, row, column), cell_issues in marked.items():
        cell = workbook[title].cell(row=row, column=column)
        warning_only = all(_is_warning(issue) for issue in cell_issues)
        cell.fill = _fill(WARNING_FILL_COLOR if warning_only else ERROR_FILL_COLOR)
        font = copy(cell.font)
        font.color = WARNING_FONT_COLOR if warning_only else ERROR_FONT_COLOR
        cell.font = font
        text = "\n".join(
            f"{words['warning' if _is_warning(issue) else 'error'].capitalize()}: "
            f"{issue.message(lang)} [{issue.rule}]"
            for issue in cell_issues
        )
        cell.comment = _comment(text, cell.comment, lang)

    _add_notes_sheet(workbook, issues, links, lang)
    if converted:
        notes = workbook[words["notes_sheet"]]
        notes.cell(row=notes.max_row + 2, column=1, value=_saved_as_xlsx(source, lang)).data_type = "s"
    if workbook.vba_archive is not None:
        # With keep_vba openpyxl merges new comment shapes into the sheet's old VML part, whose name can
        # clash with a freshly numbered one; commented sheets get a fresh VML part instead.
        commented = {title for title, _, _ in marked}
        for ws in workbook.worksheets:
            if ws.legacy_drawing is not None and (
                ws.title in commented or any(cell.comment for row in ws.iter_rows() for cell in row)
            ):
                ws.legacy_drawing = None
    workbook.save(target)
    return target


def _saved_as_xlsx(source: Path, lang: str) -> str:
    """The note that the annotated copy of an .xls/.ods is an .xlsx of its values."""
    return _text(lang)["saved_as_xlsx"].format(suffix=source.suffix.lower())


def _workbook_from_values(source: Path, limits: WorkbookLimits | None) -> Workbook:
    """A new openpyxl workbook holding the cell values (and merged cells) calamine reads from ``source``.

    Every sheet is read through the same limits as for loading; all of them together may hold at most
    ``max_annotated_cells`` cells. Text stays text (never a formula).
    """
    import openpyxl

    limits = limits or WorkbookLimits()
    try:
        book = open_book(source, limits)
    except InputError as error:
        if any(issue.rule != "file.not_workbook" for issue in error.issues):
            raise  # beyond the limits: the summary says why
        raise ValueError(error.issues[0].message("en")) from error  # no workbook: nothing to annotate
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    cells = 0
    for meta in book.calamine.sheets_metadata:
        grid = book.grid(meta.name)
        cells += sum(map(len, grid.rows))
        if cells > limits.max_annotated_cells:
            raise InputError([workbook_limits.too_many_cells_to_annotate(book.file, cells, limits)])
        ws = workbook.create_sheet(meta.name[:31])
        if meta.name not in book.visible:
            ws.sheet_state = "hidden"
        for row in grid.rows:
            ws.append([None if value == "" else value for value in row])
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        for (r0, c0), (r1, c1) in grid.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        book.release(meta.name)
    return workbook


def _add_notes_sheet(
    workbook: Workbook, issues: Sequence[InputIssue], links: dict[int, str], lang: str
) -> None:
    """Insert the notes sheet first, make it the one that opens, and list every issue in it."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    words = _text(lang)
    for ws in workbook.worksheets:
        ws.sheet_view.tabSelected = False
    notes = workbook.create_sheet(words["notes_sheet"], 0)
    workbook.active = 0
    notes.sheet_view.tabSelected = True

    header = [words[key] for key in ("no", "sheet", "cell", "rule", "severity", "message")]
    notes.append(header)
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _fill(HEADER_FILL_COLOR)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, issue in enumerate(issues, start=1):
        warning = _is_warning(issue)
        notes.append(
            [
                number,
                visible_text(issue.sheet),
                _location(issue, lang),
                issue.rule,
                words["warning" if warning else "error"],
                visible_text(issue.message(lang)),
            ]
        )
        row = notes.max_row
        for cell in notes[row]:
            cell.alignment = wrap
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text from the file stays text: never a formula
        severity = notes.cell(row=row, column=5)
        severity.fill = _fill(WARNING_FILL_COLOR if warning else ERROR_FILL_COLOR)
        severity.font = Font(color=WARNING_FONT_COLOR if warning else ERROR_FONT_COLOR)
        if number in links:
            location = notes.cell(row=row, column=3)
            location.hyperlink = Hyperlink(ref=location.coordinate, location=links[number])
            location.font = Font(color="0563C1", underline="single")

    longest_sheet = max((len(issue.sheet) for issue in issues), default=0)
    longest_rule = max((len(issue.rule) for issue in issues), default=0)
    widths = {"A": 5, "B": min(max(12, longest_sheet + 2), 40), "C": 10, "D": max(14, longest_rule + 2)}
    widths |= {"E": 12, "F": 90}
    for letter, width in widths.items():
        notes.column_dimensions[letter].width = width
    notes.freeze_panes = "A2"
    if issues:
        notes.auto_filter.ref = f"A1:F{notes.max_row}"


def summary_text(
    file_name: str,
    issues: Sequence[InputIssue],
    *,
    annotated: Path | None,
    lang: str = "id",
    sha256: str = "",
    now: datetime | None = None,
    source: Path | None = None,
    moved_from: Path | None = None,
    not_annotated: str = "",
    converted_from: str = "",
) -> str:
    """The steward's text summary: file, its original, checksum, time, counts, issues, what to do next.

    ``not_annotated`` says why no annotated copy was made, when that is known; ``converted_from`` is the
    suffix (``.xls``/``.ods``) of an original whose annotated copy is an .xlsx.
    """
    words = _text(lang)
    errors = sum(not _is_warning(issue) for issue in issues)
    warning_count = len(issues) - errors
    lines = [f"{words['file']}: {printable(file_name)}"]
    if source is not None:
        lines.append(f"{words['source_kept']}: {printable(source)}")
    elif moved_from is not None:
        lines.append(f"{words['source_moved'].format(folder=printable(moved_from))}: {printable(file_name)}")
    if sha256:
        lines.append(f"SHA-256: {sha256}")
    lines += [
        f"{words['time']}: {format_moment(now or now_utc())}",
        f"{words['errors']}: {errors}",
        f"{words['warnings']}: {warning_count}",
        f"{words['annotated']}: {_annotated_line(annotated, not_annotated, words)}",
    ]
    if annotated is not None and converted_from:
        lines.append(words["saved_as_xlsx"].format(suffix=converted_from))
    lines += [
        "",
        f"{words['issues']}:",
    ]
    for number, issue in enumerate(issues, start=1):
        severity = words["warning" if _is_warning(issue) else "error"]
        lines.append(f"{number}. [{severity}] {visible_text(issue.describe(lang))}")
    if not issues:
        lines.append(words["none"])

    if annotated is None:
        todo = words["todo_list"]
    elif errors:
        todo = words["todo_copy"].format(name=printable(annotated.name)) + words["todo_red"]
        if warning_count:
            todo += words["todo_and_yellow"]
    else:
        todo = words["todo_copy"].format(name=printable(annotated.name)) + words["todo_yellow"]
    lines += ["", todo + words["todo_end"]]
    return "\n".join(lines) + "\n"


def _annotated_line(annotated: Path | None, reason: str, words: dict[str, str]) -> str:
    """The name of the annotated copy, or why there is none."""
    if annotated is not None:
        return printable(annotated.name)
    return words["not_annotated_because"].format(reason=reason) if reason else words["not_annotated"]
