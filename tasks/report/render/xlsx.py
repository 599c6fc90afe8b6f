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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_range_abs
from xlsxwriter.worksheet import Worksheet

from tasks.core.formatting import is_missing, is_number
from tasks.core.text import visible_text
from tasks.report.model import ChartSpec, Layout
from tasks.report.render.printed import LANGS, body_rows, layout_for, prepared, row_style
from tasks.report.tables import SHEET_NAMES, TABLES, ordered_ids
from tasks.report.tables import renstra_end_year as renstra_end_year_of

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
#: xlsxwriter options for every workbook written from data: a text is a string cell, never a
#: formula (``=HYPERLINK(..)``), a link or a number.
XLSX_TEXT_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class _Formats:
    """Cache of xlsxwriter formats keyed by their properties."""

    def __init__(self, workbook: xlsxwriter.Workbook, amount: str, percent: str) -> None:
        """Remember the workbook and the two number formats."""
        self._wb = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._cells: dict[tuple, Format] = {}
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
        """The body format of a cell of this kind and row style (looked up once per kind and style:
        a workbook has thousands of cells and a few dozen formats)."""
        numeric = is_number(value)
        key = (kind, numeric, bold, italic, indent, fill)
        fmt = self._cells.get(key)
        if fmt is None:
            fmt = self._cells[key] = self._cell_format(kind, numeric, bold, italic, indent, fill)
        return fmt

    def _cell_format(
        self, kind: str, numeric: bool, bold: bool, italic: bool, indent: int, fill: str | None
    ) -> Format:
        """:meth:`cell`, worked out."""
        props: dict[str, Any] = {"border": 1, "valign": "top"}
        if bold:
            props["bold"] = True
        if italic:
            props["italic"] = True
        if fill:
            props["bg_color"] = fill
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


def _write_header(ws: Worksheet, layout: Layout, lang_ix: int, formats: _Formats, first_row: int) -> int:
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
    layout: Layout,
    df: pd.DataFrame,
    formats: _Formats,
    lang_ix: int,
    page_header: str,
    note: str = "",
    charts: tuple[ChartSpec, ...] = (),
) -> None:
    """Write one table to its own formatted, print-ready sheet (``note`` on the line under the titles),
    with the native charts of its rows (``charts``) under it."""
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
    bars: dict[str, list[int]] = {spec.chart_id: [] for spec in charts}  # the sheet rows of each chart
    for row in body_rows(df, layout, lang_ix):
        if row.section is not None:
            section = visible_text(row.section)
            if ncols > 1:
                ws.merge_range(body_row, 0, body_row, ncols - 1, section, section_fmt)
            else:
                ws.write_string(body_row, 0, section, section_fmt)
            body_row += 1
            continue
        bold, italic, indent, fill = row_style(layout, row.values)
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
        for spec in charts:
            if spec.rows(row.values):
                bars[spec.chart_id].append(body_row)
        body_row += 1
    keys = [col.key for col in layout.cols]
    for spec in charts:
        rows = bars[spec.chart_id]
        if rows and spec.label in keys and spec.value in keys:
            height = _BAR_PX * len(rows) + _CHART_ROOM_PX  # pixels; a row is 20 pixels high
            chart = _native_chart(wb, name, spec, rows, keys, lang_ix)
            chart.set_size({"width": round(sum(7 * col.width + 5 for col in layout.cols)), "height": height})
            ws.insert_chart(body_row + 1, 0, chart)  # under the table: its printed width stays the table's
            body_row += 2 + math.ceil(height / 20)

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ws.set_header(f"&L&8{_header_footer_text(visible_text(page_header))}")
    ws.set_footer("&R&8Halaman &P dari &N" if lang_ix == 0 else "&R&8Page &P of &N")
    ws.hide_gridlines(0)


#: A native chart's height (pixels) per bar and for its title and axis.
_BAR_PX = 20
_CHART_ROOM_PX = 110
#: The native charts' titles, by chart id (Bahasa Indonesia, English).
CHART_TITLES: dict[str, tuple[str, str]] = {
    "capaian_indikator": (
        "Capaian indikator kinerja terhadap target (%)",
        "Indicator achievement against target (%)",
    ),
    "serapan_program": ("Serapan anggaran per program (%)", "Budget absorption per program (%)"),
}


def _cells(sheet: str, rows: list[int], col: int) -> str:
    """A chart series' reference to the cells of ``rows`` in one column: ``='Tabel 3.6'!$B$8:$B$9``,
    or a union of such ranges in parentheses where the rows are not consecutive."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    ranges = [f"{quote_sheetname(sheet)}!{xl_range_abs(run[0], col, run[-1], col)}" for run in runs]
    return "=" + ranges[0] if len(ranges) == 1 else "=(" + ",".join(ranges) + ")"


def _native_chart(
    wb: xlsxwriter.Workbook, sheet: str, spec: ChartSpec, rows: list[int], keys: list[str], lang_ix: int
):
    """A native Excel bar chart of a sheet's rows: one bar per row, named by its ``spec.label`` cell and
    as long as its ``spec.value`` cell (what Excel users edit; Excel draws it)."""
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": CHART_TITLES.get(spec.chart_id, (spec.chart_id, spec.chart_id))[lang_ix],
            "categories": _cells(sheet, rows, keys.index(spec.label)),
            "values": _cells(sheet, rows, keys.index(spec.value)),
            "fill": {"color": "#1F5FA8"},
            "data_labels": {"value": True, "num_format": "#,##0.00"},
        }
    )
    chart.set_title({"name": CHART_TITLES.get(spec.chart_id, (spec.chart_id, spec.chart_id))[lang_ix]})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})  # the first row at the top, as in the table
    chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    return chart


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
    government: str = "",
) -> Path:
    """Write the tables as one formatted workbook, one print-ready sheet per table, and return its path.

    ``note`` (the moment of a report as of a date) is printed on every sheet under the titles;
    ``government`` (the government's line of the OPD's workbooks) names the OPD in the titles.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    lang_ix = LANGS.index(lang)
    if renstra_end_year is None:
        renstra_end_year = renstra_end_year_of(tables)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    amount = AMOUNT_FORMAT if lang == "id" else AMOUNT_FORMAT.removeprefix(LOCALE_ID)
    percent = PERCENT_FORMAT if lang == "id" else PERCENT_FORMAT.removeprefix(LOCALE_ID)

    # never constant_memory: it drops data written out of order
    # in memory: a report workbook is small, and its parts need not go through temporary files
    wb = xlsxwriter.Workbook(str(path), {**XLSX_TEXT_OPTIONS, "in_memory": True})
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
        for table_id in ordered_ids(tables):
            df = tables[table_id]
            layout = layout_for(table_id, df, opd_name, year, renstra_end_year, government)
            name = _unique_sheet_name(SHEET_NAMES.get(table_id, str(table_id)), used)
            known = TABLES.get(table_id)
            charts = known.charts_from if known is not None else ()
            _write_sheet(wb, name, layout, prepared(table_id, df), formats, lang_ix, title, note, charts)
        if not tables:
            wb.add_worksheet("Tabel")
    finally:
        wb.close()
    return path
