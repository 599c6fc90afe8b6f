"""A table as the document prints it: its layout (from its table module), body rows with section
labels and budget-level styles, and every value in its Indonesian text form, for the workbook, the
Word document and the html page alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tasks.core.formatting import format_percent, format_rupiah, is_missing, is_number, value_with_unit
from tasks.core.government import government_title
from tasks.report.model import Layout, LayoutContext, Text, plain_layout
from tasks.report.tables import TABLES, ordered_ids
from tasks.report.tables import renstra_end_year as renstra_end_year_of

LANGS = ("id", "en")
TOTAL_FILL = "#F2F2F2"
_LEVEL_INDENT = {"urusan": 0, "program": 1, "kegiatan": 2, "sub_kegiatan": 3}
_BOLD_LEVELS = frozenset({"urusan", "program"})


def layout_for(
    table_id: str, df: pd.DataFrame, opd: str, year: int, end_year: int | None, government: str = ""
) -> Layout:
    """The printed layout of a table (from its module); an unknown id gets a plain one from its columns.

    ``government`` is the government's line of the OPD's workbooks (``PEMERINTAH KOTA SEMARANG``): the
    titles name the OPD with it (``... Kota Semarang Tahun 2022``); "" names the OPD alone.
    """
    ctx = LayoutContext(opd, year, end_year, government_title(government))
    table = TABLES.get(table_id)
    return table.layout(df, ctx) if table is not None else plain_layout(table_id, df, ctx)


def prepared(table_id: str, df: pd.DataFrame) -> pd.DataFrame:
    """The frame with the printed columns its table derives (``LkjipTable.prepare``)."""
    table = TABLES.get(table_id)
    return table.prepare(df) if table is not None and table.prepare is not None else df


_SECTION_LABELS: dict[str, Text] = {
    "tujuan": ("TUJUAN :", "GOALS:"),
    "sasaran": ("SASARAN :", "OBJECTIVES:"),
    "program": ("PROGRAM :", "PROGRAMS:"),
    "kegiatan": ("KEGIATAN :", "ACTIVITIES:"),
}


@dataclass(frozen=True)
class BodyRow:
    """A printed body row: either values by frame column, or a section label."""

    values: dict[str, Any]
    section: str | None = None


def body_rows(df: pd.DataFrame, layout: Layout, lang_ix: int) -> Iterator[BodyRow]:
    """Rows to print, with section label rows for table 3.5."""
    columns = {c: df[c].tolist() for c in df.columns}
    records = [{c: values[i] for c, values in columns.items()} for i in range(len(df))]
    if not layout.sections:
        yield from (BodyRow(r) for r in records)
        return
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        jenis = record.get("jenis")
        groups.setdefault("" if is_missing(jenis) else str(jenis).strip().lower(), []).append(record)
    order = [j for j in _SECTION_LABELS if j in groups] + [j for j in groups if j not in _SECTION_LABELS]
    for jenis in order:
        if jenis:
            fallback = f"{jenis.upper()} :"
            yield BodyRow({}, _SECTION_LABELS.get(jenis, (fallback, fallback))[lang_ix])
        yield from (BodyRow(r) for r in groups[jenis])


def row_style(layout: Layout, values: Mapping[str, Any]) -> tuple[bool, bool, int, str | None]:
    """Bold, italic, indent and fill of a body row (by budget level in 3.6 / 3.7)."""
    if not layout.hierarchy:
        return False, False, 0, None
    raw = values.get("level")
    level = "" if is_missing(raw) else str(raw).strip().lower()
    indent = _LEVEL_INDENT.get(level, 4 if level else 0)
    return level in _BOLD_LEVELS, False, indent, TOTAL_FILL if level == "urusan" else None


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
    #: the columns' widths as the workbook sets them (their proportions size the Word table)
    widths: tuple[float, ...] = ()


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
    government: str = "",
) -> PrintedTable:
    """The table as the workbook prints it (same titles, headings, sections, styles) in text form."""
    lang_ix = LANGS.index(lang)
    if renstra_end_year is None:  # the table's own, when it declares one
        renstra_end_year = renstra_end_year_of({table_id: df})
    layout = layout_for(table_id, df, opd_name, year, renstra_end_year, government)
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
    for row in body_rows(prepared(table_id, df), layout, lang_ix):
        if row.section is not None:
            rows.append(PrintedRow((), (), bold=True, section=row.section))
            continue
        bold, _italic, indent, _fill = row_style(layout, row.values)
        if layout.bold_total and row.values.get("uraian") == "JUMLAH":
            bold = True
        level = row.values.get("level")
        rows.append(
            PrintedRow(
                tuple(
                    value_with_unit(row.values.get(c.key), row.values.get(c.unit))
                    if c.unit
                    else format_cell(c.kind, row.values.get(c.key))
                    for c in cols
                ),
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
        widths=tuple(float(c.width) for c in cols),
    )


def printed_tables(
    tables: Mapping[str, pd.DataFrame],
    *,
    opd_name: str,
    year: int,
    lang: str = "id",
    government: str = "",
) -> list[PrintedTable]:
    """Every table in document order, in printed form (``government``: see :func:`layout_for`)."""
    end_year = renstra_end_year_of(tables)
    return [
        printed_table(
            tid,
            tables[tid],
            opd_name=opd_name,
            year=year,
            lang=lang,
            renstra_end_year=end_year,
            government=government,
        )
        for tid in ordered_ids(tables)
    ]
