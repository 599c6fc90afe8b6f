"""Write the LKjIP report tables: plain CSV for machines, one formatted xlsx for people.

CSV files keep full precision (``.`` decimal, no rounding, NaN as an empty field). The workbook keeps
every value NUMERIC and only formats it, the way the document prints it:

- amounts (rupiah) ``[$-421]#,##0;-#,##0;"-"`` and percentages / indicator values
  ``[$-421]#,##0.00;-#,##0.00;"-"`` (two decimals, zero printed as ``-``). Percent values are numbers
  such as 83.7867, not fractions, so they are not given Excel's ``%`` format.
- A number format cannot choose the decimal or thousands separator: Excel always takes them from the
  reader's Windows / macOS regional settings (or its own "use system separators" option), and the
  xlsx format has no workbook-wide locale. The ``[$-421]`` prefix tags the format with the Indonesian
  locale (LCID 0x0421, id-ID). Excel uses that tag only for date / currency names, so on a computer
  with Indonesian regional settings the cells read ``22.500.227.865`` and ``83,79`` and elsewhere
  ``22,500,227,865`` and ``83.79``. LibreOffice Calc turns the tag into the format's language, and
  its help says that language also fixes the decimal and thousands separators, so there the cells
  should read the Indonesian way on every computer (not checked here: no LibreOffice installed).
  With ``lang="en"`` the tag is left out and the numbers follow the reader's locale.
- xlsxwriter stores numbers with 16 significant digits (Excel computes with 15); the CSV files are
  the exact copy.

For text (narratives, PDFs) the ``format_*`` helpers print the Indonesian form with half-up rounding.

Text from the data (OPD names, uraian, indicators) never runs as a formula: the workbook writes it as
string cells (never formulas or links, whatever it starts with), and a CSV text cell starting with
``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'`` (the OWASP rule against CSV injection);
numeric columns stay plain numbers, negative ones included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tasks.core.formatting import format_percent, format_rupiah, is_missing, is_number
from tasks.core.text import csv_text_cell, visible_text

#: The LKjIP chapter II and III tables, in the order of the document.
CHAPTER_TABLE_IDS: tuple[str, ...] = (
    "tabel_2_1",
    "tabel_2_3",
    "tabel_3_1",
    "tabel_3_2",
    "tabel_3_4",
    "tabel_3_5",
    "tabel_3_6",
    "tabel_3_7",
)
#: Every table id a report may hold, in the order of its sheets.
TABLE_ORDER: tuple[str, ...] = (*CHAPTER_TABLE_IDS, "tabel_murni_perubahan")

#: Sheet name of each known table.
SHEET_NAMES: dict[str, str] = {
    tid: "Tabel " + tid.removeprefix("tabel_").replace("_", ".") for tid in TABLE_ORDER
} | {"tabel_murni_perubahan": "Anggaran Murni-Perubahan"}

#: Locale tag of the Indonesian number formats (LCID 0x0421 = id-ID).
LOCALE_ID = "[$-421]"
#: Whole rupiah with thousands grouping, ``-`` for zero.
AMOUNT_FORMAT = LOCALE_ID + '#,##0;-#,##0;"-"'
#: Percentages and indicator values: two decimals, ``-`` for zero.
PERCENT_FORMAT = LOCALE_ID + '#,##0.00;-#,##0.00;"-"'

#: Zero-based worksheet row of the first title line and of the first header row.
TITLE_ROW = 0
HEADER_ROW = 4

_FONT = {"font_name": "Arial", "font_size": 10}
_HEADER_FILL = "#D9E1F2"
_TOTAL_FILL = "#F2F2F2"
_LEVEL_INDENT = {"urusan": 0, "program": 1, "kegiatan": 2, "sub_kegiatan": 3}
_BOLD_LEVELS = frozenset({"urusan", "program"})
_LANGS = ("id", "en")
#: xlsxwriter options for every workbook written from data: a text is a string cell, never a
#: formula (``=HYPERLINK(..)``), a link or a number.
XLSX_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def _ordered_ids(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Known table ids in document order, then unknown ids in the order given."""
    known = [tid for tid in TABLE_ORDER if tid in tables]
    return known + [tid for tid in tables if tid not in SHEET_NAMES]


def _safe_file_stem(table_id: str) -> str:
    """A table id usable as a file name."""
    stem = re.sub(r"[^\w.-]+", "_", str(table_id)).strip("._")
    return stem or "tabel"


def write_csv_tables(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table to ``<table_id>.csv`` (UTF-8, unrounded, NaN empty) and return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for table_id in _ordered_ids(tables):
        path = out_dir / f"{_safe_file_stem(table_id)}.csv"
        csv_safe(_whole_numbers_as_integers(tables[table_id])).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n"
        )
        paths.append(path)
    return paths


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell neutralised for spreadsheets (:func:`csv_text_cell`).

    Only text columns change (object or string dtype); numbers stay numbers, missing values missing.
    """
    changed = {
        column: frame[column].map(csv_text_cell, na_action="ignore")
        for column in frame.columns
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column])
    }
    return frame.assign(**changed) if changed else frame


def _whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers written without ``.0`` (rupiah amounts, whole targets)."""
    converted = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            if (present == present.round()).all() and (present.abs() < 2**53).all():
                converted[column] = values.astype("Int64")
    return frame.assign(**converted) if converted else frame


# ---------------------------------------------------------------------------------------------
# Sheet layouts
# ---------------------------------------------------------------------------------------------

Text = tuple[str, str]  # (Bahasa Indonesia, English)


@dataclass(frozen=True)
class _Col:
    """One printed column: frame column, heading, kind of cell, width, optional group heading."""

    key: str
    heading: Text
    kind: str  # no | code | text | label | amount | number
    width: float
    group: Text | None = None


@dataclass(frozen=True)
class _Layout:
    """How one table is printed: title lines, columns and options."""

    titles: list[Text]
    cols: list[_Col]
    numbering: bool = False  # a row "1 2 3 ..." under the headings, as the document prints
    hierarchy: bool = False  # rows carry a budget level (3.6, 3.7)
    sections: bool = False  # rows grouped by jenis under "TUJUAN :" lines (3.5)


def _target_years(df: pd.DataFrame) -> list[str]:
    """Years of the ``target_<year>`` columns of table 2.1, in column order."""
    return [m.group(1) for c in df.columns if (m := re.fullmatch(r"target_(\d{4})", str(c)))]


def _layout(table_id: str, df: pd.DataFrame, opd: str, year: int, end_year: int | None) -> _Layout:
    """The printed layout of a table; unknown ids get a plain layout from the frame's columns."""
    opd_year = (f"{opd} Tahun {year}", f"{opd}, {year}")
    opd_budget_year = (f"{opd} Tahun Anggaran {year}", f"{opd}, Fiscal Year {year}")
    no = _Col("no", ("No", "No"), "no", 6)
    indicator = _Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 36)
    sasaran = _Col("sasaran", ("Sasaran", "Objective"), "text", 36)
    satuan = _Col("satuan", ("Satuan", "Unit"), "label", 10)
    kode = _Col("kode", ("Kode", "Code"), "code", 18)
    uraian = _Col("uraian", ("Program/Kegiatan/Sub Kegiatan", "Program/Activity/Sub-activity"), "text", 58)
    anggaran = _Col("anggaran", ("Anggaran (Rp)", "Budget (Rp)"), "amount", 18)
    realisasi_rp = _Col("realisasi", ("Realisasi (Rp)", "Realization (Rp)"), "amount", 18)
    end_text = (f" Tahun {end_year}", f" {end_year}") if end_year else ("", "")

    if table_id == "tabel_2_1":
        years = _target_years(df)
        span = (f" {years[0]}-{years[-1]}" if years else "",) * 2
        group = ("Target Kinerja pada Tahun", "Performance Target by Year")
        return _Layout(
            titles=[
                ("Tabel 2. 1", "Table 2.1"),
                (f"Tujuan dan Sasaran {opd}", f"Goals and Objectives of {opd}"),
                (f"beserta Target Kinerja{span[0]}", f"with Performance Targets{span[1]}"),
            ],
            cols=[
                no,
                _Col("_tujuan", ("Tujuan", "Goal"), "text", 30),
                _Col("_sasaran", ("Sasaran", "Objective"), "text", 30),
                _Col("_indikator_tujuan", ("Indikator Tujuan", "Goal Indicator"), "text", 28),
                _Col("_indikator_sasaran", ("Indikator Sasaran", "Objective Indicator"), "text", 28),
                _Col("data_awal", ("Data Awal", "Baseline"), "number", 11),
                *[_Col(f"target_{y}", (y, y), "number", 9, group) for y in years],
            ],
        )
    if table_id == "tabel_2_3":
        return _Layout(
            titles=[
                ("Tabel 2. 3", "Table 2.3"),
                (
                    "Sasaran Strategis beserta Indikator Kinerja pada",
                    "Strategic Objectives and Indicators in the",
                ),
                (f"Perjanjian Kinerja {opd} Tahun {year}", f"Performance Agreement of {opd}, {year}"),
            ],
            cols=[
                no,
                _Col("sasaran", ("Sasaran Strategis", "Strategic Objective"), "text", 42),
                _Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 42),
                satuan,
                _Col("target", (f"Target Tahun {year}", f"Target {year}"), "number", 14),
            ],
        )
    if table_id == "tabel_3_1":
        return _Layout(
            titles=[
                ("Tabel 3. 1", "Table 3.1"),
                (
                    "Capaian Indikator Kinerja Utama dan Perjanjian Kinerja",
                    "Achievement of the Key Performance Indicators and the Performance Agreement",
                ),
                opd_year,
            ],
            cols=[
                no,
                sasaran,
                indicator,
                satuan,
                _Col("target", ("Target", "Target"), "number", 11),
                _Col("realisasi", ("Realisasi", "Realization"), "number", 11),
                _Col("capaian", ("Capaian %", "Achievement %"), "number", 11),
                _Col("kategori", ("Kategori", "Category"), "label", 14),
            ],
            numbering=True,
        )
    if table_id == "tabel_3_2":
        return _Layout(
            titles=[
                ("Tabel 3. 2", "Table 3.2"),
                (
                    "Perbandingan Realisasi Kinerja dengan Target Akhir Renstra" + end_text[0],
                    "Performance Realization against the Strategic Plan End Target" + end_text[1],
                ),
                opd_year,
            ],
            cols=[
                no,
                sasaran,
                indicator,
                _Col("realisasi", (f"Realisasi Tahun {year}", f"Realization {year}"), "number", 13),
                _Col(
                    "target_akhir_renstra",
                    ("Target Akhir Renstra" + end_text[0], "Strategic Plan End Target" + end_text[1]),
                    "number",
                    14,
                ),
                _Col("tingkat_kemajuan", ("Tingkat Kemajuan (%)", "Progress (%)"), "number", 12),
            ],
            numbering=True,
        )
    if table_id == "tabel_3_4":
        ik = ("INDIKATOR KINERJA", "PERFORMANCE INDICATOR")
        budget = ("ANGGARAN", "BUDGET")
        return _Layout(
            titles=[
                ("Tabel 3. 4", "Table 3.4"),
                ("Tingkat Efisiensi Penggunaan Anggaran", "Efficiency of Budget Use"),
                opd_year,
            ],
            cols=[
                no,
                sasaran,
                _Col("target", ("Target", "Target"), "number", 10, ik),
                _Col("realisasi", ("Realisasi", "Realization"), "number", 10, ik),
                _Col("capaian_kinerja", ("% Capaian", "% Achievement"), "number", 10, ik),
                _Col("anggaran", ("Anggaran", "Budget"), "amount", 17, budget),
                _Col("realisasi_anggaran", ("Realisasi", "Realization"), "amount", 17, budget),
                _Col("serapan", ("% Capaian", "% Absorption"), "number", 10, budget),
                _Col("efisiensi", ("Tingkat Efisiensi", "Efficiency"), "number", 22),
            ],
        )
    if table_id == "tabel_3_5":
        group = (f"Capaian Kinerja Tahun {year}", f"Performance Achievement {year}")
        return _Layout(
            titles=[
                ("Tabel 3. 5", "Table 3.5"),
                ("Capaian Kinerja Tujuan dan Sasaran", "Achievement of Goals and Objectives"),
                opd_year,
            ],
            cols=[
                no,
                _Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 50),
                _Col("target", ("Target", "Target"), "number", 11, group),
                _Col("realisasi", ("Realisasi", "Realization"), "number", 11, group),
                _Col("capaian", ("%", "%"), "number", 10, group),
                _Col("kategori", ("Tingkat Capaian", "Achievement Level"), "label", 14, group),
                _Col(
                    "realisasi_tahun_lalu",
                    (f"Realisasi Tahun {year - 1}", f"Realization {year - 1}"),
                    "number",
                    13,
                ),
            ],
            numbering=True,
            sections=True,
        )
    if table_id == "tabel_3_6":
        return _Layout(
            titles=[
                ("Tabel 3. 6", "Table 3.6"),
                ("Anggaran dan Realisasi Anggaran", "Budget and Budget Realization"),
                opd_budget_year,
            ],
            cols=[kode, uraian, anggaran, realisasi_rp, _Col("serapan", ("%", "%"), "number", 9)],
            hierarchy=True,
        )
    if table_id == "tabel_3_7":
        return _Layout(
            titles=[
                ("Tabel 3. 7", "Table 3.7"),
                ("Rincian Sisa Anggaran", "Remaining Budget (SILPA)"),
                opd_budget_year,
            ],
            cols=[
                kode,
                uraian,
                anggaran,
                realisasi_rp,
                _Col("silpa", ("SILPA (Rp)", "SILPA (Rp)"), "amount", 17),
                _Col("persen_silpa", ("%", "%"), "number", 9),
            ],
            hierarchy=True,
        )
    if table_id == "tabel_murni_perubahan":
        return _Layout(
            titles=[
                ("Tabel Anggaran Murni dan Perubahan", "Original and Revised Budget"),
                ("per Program", "by Program"),
                opd_budget_year,
            ],
            cols=[
                _Col("kode", ("Kode", "Code"), "code", 12),
                _Col("uraian", ("Program", "Program"), "text", 50),
                _Col(
                    "anggaran_murni",
                    ("Murni (Perjanjian Kinerja)", "Original"),
                    "amount",
                    18,
                    ("ANGGARAN (Rp)", "BUDGET (Rp)"),
                ),
                _Col(
                    "anggaran_perubahan",
                    ("Perubahan", "Revised"),
                    "amount",
                    18,
                    ("ANGGARAN (Rp)", "BUDGET (Rp)"),
                ),
                _Col("perubahan", ("Selisih (Rp)", "Change (Rp)"), "amount", 18),
                _Col("perubahan_pct", ("Selisih (%)", "Change (%)"), "number", 10),
            ],
        )
    # Unknown table: the frame's own columns, numbers with two decimals.
    cols = [
        _Col(
            str(c),
            (str(c), str(c)),
            "number"
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            else "text",
            14 if pd.api.types.is_numeric_dtype(df[c]) else 30,
        )
        for c in df.columns
    ]
    return _Layout(titles=[(str(table_id), str(table_id)), opd_year], cols=cols)


def _prepare(table_id: str, df: pd.DataFrame) -> pd.DataFrame:
    """Derive the printed columns that the frame does not hold directly."""
    if table_id != "tabel_2_1":
        return df
    out = df.copy()
    jenis = out.get("jenis", pd.Series("", index=out.index)).astype("object").fillna("").str.lower()
    is_goal = jenis.eq("tujuan")
    uraian = out.get("uraian", pd.Series(None, index=out.index, dtype="object")).astype("object")
    indikator = out.get("indikator", pd.Series(None, index=out.index, dtype="object")).astype("object")
    out["_tujuan"] = uraian.where(is_goal)
    out["_indikator_tujuan"] = indikator.where(is_goal)
    out["_sasaran"] = uraian.where(~is_goal)
    out["_indikator_sasaran"] = indikator.where(~is_goal)
    return out


_SECTION_LABELS: dict[str, Text] = {
    "tujuan": ("TUJUAN :", "GOALS:"),
    "sasaran": ("SASARAN :", "OBJECTIVES:"),
    "program": ("PROGRAM :", "PROGRAMS:"),
    "kegiatan": ("KEGIATAN :", "ACTIVITIES:"),
}


@dataclass(frozen=True)
class _Row:
    """A printed body row: either values by frame column, or a section label."""

    values: dict[str, Any]
    section: str | None = None


def _body_rows(df: pd.DataFrame, layout: _Layout, lang_ix: int) -> Iterator[_Row]:
    """Rows to print, with section label rows for table 3.5."""
    columns = {c: df[c].tolist() for c in df.columns}
    records = [{c: values[i] for c, values in columns.items()} for i in range(len(df))]
    if not layout.sections:
        yield from (_Row(r) for r in records)
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        jenis = record.get("jenis")
        groups.setdefault("" if is_missing(jenis) else str(jenis).strip().lower(), []).append(record)
    order = [j for j in _SECTION_LABELS if j in groups] + [j for j in groups if j not in _SECTION_LABELS]
    for jenis in order:
        if jenis:
            fallback = f"{jenis.upper()} :"
            yield _Row({}, _SECTION_LABELS.get(jenis, (fallback, fallback))[lang_ix])
        yield from (_Row(r) for r in groups[jenis])


# ---------------------------------------------------------------------------------------------
# Workbook writing
# ---------------------------------------------------------------------------------------------


class _Formats:
    """Cache of xlsxwriter formats keyed by their properties."""

    def __init__(self, workbook: xlsxwriter.Workbook, amount: str, percent: str) -> None:
        """Remember the workbook and the two number formats."""
        self._wb = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self.amount = amount
        self.percent = percent

    def get(self, **props: Any) -> Format:
        """The format with these properties (on top of the default font)."""
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self._wb.add_format({**_FONT, **props})
            self._cache[key] = fmt
        return fmt

    def cell(
        self, kind: str, value: Any, *, bold: bool, italic: bool, indent: int, fill: str | None
    ) -> Format:
        """The body format of a cell of this kind and row style."""
        props: dict[str, Any] = {"border": 1, "valign": "top"}
        if bold:
            props["bold"] = True
        if italic:
            props["italic"] = True
        if fill:
            props["bg_color"] = fill
        numeric = is_number(value)
        if kind in ("amount", "number"):
            if numeric:
                props["num_format"] = self.amount if kind == "amount" else self.percent
            else:
                props.update(text_wrap=True, align="right" if kind == "amount" else "center")
        elif kind == "no":
            props["align"] = "center"
        elif kind == "label":
            props.update(text_wrap=True, align="center")
        elif kind == "code":
            props["align"] = "left"
        else:
            props.update(text_wrap=True, align="left")
            if indent:
                props["indent"] = indent
        return self.get(**props)


def _write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """Write one cell: numbers stay numbers, text stays text, missing values become a bordered blank."""
    if is_missing(value):
        ws.write_blank(row, col, None, fmt)
    elif is_number(value):
        number = float(value)
        if not math.isfinite(number):
            ws.write_blank(row, col, None, fmt)
        elif number.is_integer() and abs(number) < 2**53:
            ws.write_number(row, col, int(number), fmt)
        else:
            ws.write_number(row, col, number, fmt)
    else:
        ws.write_string(row, col, visible_text(value), fmt)


def _text_lines(text: str, width: float) -> int:
    """Rough number of wrapped lines of a text in a column of this width."""
    per_line = max(int(width * 1.1) - 1, 4)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _write_header(ws: Worksheet, layout: _Layout, lang_ix: int, formats: _Formats, first_row: int) -> int:
    """Write the heading rows (two when columns are grouped, plus numbering) and return the next row."""
    head = formats.get(
        bold=True, border=1, align="center", valign="vcenter", text_wrap=True, bg_color=_HEADER_FILL
    )
    cols = layout.cols
    grouped = any(c.group for c in cols)
    last_head_row = first_row + (1 if grouped else 0)
    lines = [1, 1]
    i = 0
    while i < len(cols):
        col = cols[i]
        if col.group is None:
            text = col.heading[lang_ix]
            if grouped:
                ws.merge_range(first_row, i, last_head_row, i, text, head)
                lines[0] = max(lines[0], math.ceil(_text_lines(text, col.width) / 2))
            else:
                ws.write_string(first_row, i, text, head)
                lines[0] = max(lines[0], _text_lines(text, col.width))
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == col.group:
            j += 1
        group_text = col.group[lang_ix]
        if j > i:
            ws.merge_range(first_row, i, first_row, j, group_text, head)
        else:
            ws.write_string(first_row, i, group_text, head)
        lines[0] = max(lines[0], _text_lines(group_text, sum(c.width for c in cols[i : j + 1])))
        for k in range(i, j + 1):
            ws.write_string(last_head_row, k, cols[k].heading[lang_ix], head)
            lines[1] = max(lines[1], _text_lines(cols[k].heading[lang_ix], cols[k].width))
        i = j + 1
    ws.set_row(first_row, 13.0 * lines[0] + 4)
    if grouped:
        ws.set_row(last_head_row, 13.0 * lines[1] + 4)
    next_row = last_head_row + 1
    if layout.numbering:
        numbering = formats.get(border=1, align="center", italic=True, font_size=8, bg_color=_HEADER_FILL)
        for k in range(len(cols)):
            ws.write_number(next_row, k, k + 1, numbering)
        next_row += 1
    return next_row


def _row_style(layout: _Layout, values: Mapping[str, Any]) -> tuple[bool, bool, int, str | None]:
    """Bold, italic, indent and fill of a body row (by budget level in 3.6 / 3.7)."""
    if not layout.hierarchy:
        return False, False, 0, None
    raw = values.get("level")
    level = "" if is_missing(raw) else str(raw).strip().lower()
    indent = _LEVEL_INDENT.get(level, 4 if level else 0)
    return level in _BOLD_LEVELS, False, indent, _TOTAL_FILL if level == "urusan" else None


def _unique_sheet_name(name: str, used: set[str]) -> str:
    """A valid, unused worksheet name (31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "Tabel"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _header_footer_text(text: str) -> str:
    """Escape ``&`` for an Excel page header and keep it within the 255-character limit."""
    return text.replace("&", "&&")[:200]


def _write_sheet(
    wb: xlsxwriter.Workbook,
    name: str,
    layout: _Layout,
    df: pd.DataFrame,
    formats: _Formats,
    lang_ix: int,
    page_header: str,
    note: str = "",
) -> None:
    """Write one table to its own formatted, print-ready sheet (``note`` on the line under the titles)."""
    ws = wb.add_worksheet(name)
    ncols = max(len(layout.cols), 1)
    for i, col in enumerate(layout.cols):
        ws.set_column(i, i, col.width)

    title_first = formats.get(bold=True, font_size=12, align="center", valign="vcenter")
    title_rest = formats.get(bold=True, font_size=11, align="center", valign="vcenter", text_wrap=True)
    for k, line in enumerate(layout.titles[: HEADER_ROW - 1]):
        fmt = title_first if k == 0 else title_rest
        text = visible_text(line[lang_ix])  # holds the OPD name: a string, never a formula
        if ncols > 1:
            ws.merge_range(TITLE_ROW + k, 0, TITLE_ROW + k, ncols - 1, text, fmt)
        else:
            ws.write_string(TITLE_ROW + k, 0, text, fmt)
    if note:
        note_fmt = formats.get(italic=True, font_size=10, align="center", valign="vcenter")
        if ncols > 1:
            ws.merge_range(HEADER_ROW - 1, 0, HEADER_ROW - 1, ncols - 1, note, note_fmt)
        else:
            ws.write_string(HEADER_ROW - 1, 0, note, note_fmt)

    body_row = _write_header(ws, layout, lang_ix, formats, HEADER_ROW)
    ws.freeze_panes(body_row, 0)
    ws.repeat_rows(HEADER_ROW, body_row - 1)

    section_fmt = formats.get(bold=True, border=1, align="left", valign="vcenter")
    for row in _body_rows(df, layout, lang_ix):
        if row.section is not None:
            section = visible_text(row.section)
            if ncols > 1:
                ws.merge_range(body_row, 0, body_row, ncols - 1, section, section_fmt)
            else:
                ws.write_string(body_row, 0, section, section_fmt)
            body_row += 1
            continue
        bold, italic, indent, fill = _row_style(layout, row.values)
        for i, col in enumerate(layout.cols):
            value = row.values.get(col.key)
            fmt = formats.cell(
                col.kind,
                value,
                bold=bold,
                italic=italic,
                indent=indent if col.key == "uraian" else 0,
                fill=fill,
            )
            _write_value(ws, body_row, i, value, fmt)
        body_row += 1

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_header(f"&L&8{_header_footer_text(visible_text(page_header))}")
    ws.set_footer("&R&8Halaman &P dari &N" if lang_ix == 0 else "&R&8Page &P of &N")
    ws.hide_gridlines(0)


def write_xlsx_report(
    tables: Mapping[str, pd.DataFrame],
    path: Path,
    *,
    title: str,
    opd_name: str,
    year: int,
    lang: str = "id",
    renstra_end_year: int | None = None,
    note: str = "",
) -> Path:
    """Write the tables as one formatted workbook, one print-ready sheet per table, and return its path.

    ``note`` (the moment of a report as of a date) is printed on every sheet under the titles.
    """
    if lang not in _LANGS:
        raise ValueError(f"lang must be one of {_LANGS}, got {lang!r}")
    lang_ix = _LANGS.index(lang)
    if renstra_end_year is None and "tabel_2_1" in tables:
        years = _target_years(tables["tabel_2_1"])
        renstra_end_year = int(years[-1]) if years else None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    amount = AMOUNT_FORMAT if lang == "id" else AMOUNT_FORMAT.removeprefix(LOCALE_ID)
    percent = PERCENT_FORMAT if lang == "id" else PERCENT_FORMAT.removeprefix(LOCALE_ID)

    # never constant_memory: it drops data written out of order
    wb = xlsxwriter.Workbook(str(path), XLSX_TEXT_OPTIONS)
    try:
        wb.set_properties(
            {
                "title": visible_text(title),
                "subject": visible_text(f"{opd_name} {year}"),
                "author": visible_text(opd_name),
                "company": visible_text(opd_name),
                "comments": "Dibuat oleh sakip" if lang == "id" else "Generated by sakip",
            }
        )
        formats = _Formats(wb, amount, percent)
        used: set[str] = set()
        for table_id in _ordered_ids(tables):
            df = tables[table_id]
            layout = _layout(table_id, df, opd_name, year, renstra_end_year)
            name = _unique_sheet_name(SHEET_NAMES.get(table_id, str(table_id)), used)
            _write_sheet(wb, name, layout, _prepare(table_id, df), formats, lang_ix, title, note)
        if not tables:
            wb.add_worksheet("Tabel")
    finally:
        wb.close()
    return path


# ---------------------------------------------------------------------------------------------
# Printed form of a table, for the docx and html renderers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderCell:
    """One heading cell: text, position and how many rows / columns it spans."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class PrintedRow:
    """One body row as printed: cell texts and their kinds, or a section label."""

    cells: tuple[str, ...]
    kinds: tuple[str, ...]
    bold: bool = False
    indent: int = 0
    section: str | None = None
    level: str = ""


@dataclass(frozen=True)
class PrintedTable:
    """A table laid out as the document prints it, every value already in its Indonesian text form."""

    table_id: str
    titles: tuple[str, ...]
    header: tuple[HeaderCell, ...]
    header_rows: int
    numbering: bool
    ncols: int
    rows: tuple[PrintedRow, ...]


def format_cell(kind: str, value: Any) -> str:
    """The printed text of a cell of this kind (amounts whole rupiah, numbers two decimals)."""
    if is_missing(value):
        return ""
    if kind == "amount" and is_number(value):
        return format_rupiah(value)
    if kind == "number" and is_number(value):
        return format_percent(value)
    if kind == "no" and is_number(value):
        return str(int(value)) if float(value).is_integer() else format_percent(value)
    return str(value)


def printed_table(
    table_id: str,
    df: pd.DataFrame,
    *,
    opd_name: str,
    year: int,
    lang: str = "id",
    renstra_end_year: int | None = None,
) -> PrintedTable:
    """The table as the workbook prints it (same titles, headings, sections, styles) in text form."""
    lang_ix = _LANGS.index(lang)
    if renstra_end_year is None and table_id == "tabel_2_1":
        years = _target_years(df)
        renstra_end_year = int(years[-1]) if years else None
    layout = _layout(table_id, df, opd_name, year, renstra_end_year)
    cols = layout.cols
    grouped = any(c.group for c in cols)
    header: list[HeaderCell] = []
    i = 0
    while i < len(cols):
        col = cols[i]
        if col.group is None:
            header.append(HeaderCell(col.heading[lang_ix], 0, i, rowspan=2 if grouped else 1))
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == col.group:
            j += 1
        header.append(HeaderCell(col.group[lang_ix], 0, i, colspan=j - i + 1))
        header += [HeaderCell(cols[k].heading[lang_ix], 1, k) for k in range(i, j + 1)]
        i = j + 1
    rows: list[PrintedRow] = []
    for row in _body_rows(_prepare(table_id, df), layout, lang_ix):
        if row.section is not None:
            rows.append(PrintedRow((), (), bold=True, section=row.section))
            continue
        bold, _italic, indent, _fill = _row_style(layout, row.values)
        if table_id == "tabel_murni_perubahan" and row.values.get("uraian") == "JUMLAH":
            bold = True
        level = row.values.get("level")
        rows.append(
            PrintedRow(
                tuple(format_cell(c.kind, row.values.get(c.key)) for c in cols),
                tuple(c.kind for c in cols),
                bold=bold,
                indent=indent,
                level="" if is_missing(level) else str(level),
            )
        )
    return PrintedTable(
        table_id=table_id,
        titles=tuple(t[lang_ix] for t in layout.titles),
        header=tuple(header),
        header_rows=2 if grouped else 1,
        numbering=layout.numbering,
        ncols=len(cols),
        rows=tuple(rows),
    )


def printed_tables(
    tables: Mapping[str, pd.DataFrame], *, opd_name: str, year: int, lang: str = "id"
) -> list[PrintedTable]:
    """Every table in document order, in printed form."""
    end_year = None
    if "tabel_2_1" in tables:
        years = _target_years(tables["tabel_2_1"])
        end_year = int(years[-1]) if years else None
    return [
        printed_table(tid, tables[tid], opd_name=opd_name, year=year, lang=lang, renstra_end_year=end_year)
        for tid in _ordered_ids(tables)
    ]
