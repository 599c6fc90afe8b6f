"""The year-end report as a Word document (python-docx): the tables ready to paste into the LKjIP.

Each table has its caption (``Tabel 3. 6`` and its title lines, as the document prints them), a
heading of one or two rows with merged cells where the document has them, heading rows repeated on
every page, program rows bold, and every value in its Indonesian print form (``22.500.227.865``,
``83,79``, ``-`` for zero). The generated narrative sentences and the charts sit where chapter III
has them. Text from the data is written with its control characters shown as Excel writes them
(``_x001B_``): Word's XML cannot hold them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from copy import deepcopy
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row

from tasks.core.text import visible_text
from tasks.report.render.charts import CHART_TITLES
from tasks.report.render.narrative import Narrative
from tasks.report.render.printed import PrintedTable
from tasks.report.tables import TABLES

_HEADER_FILL = "D9E1F2"
_RIGHT_KINDS = frozenset({"amount", "number"})
_CENTER_KINDS = frozenset({"no", "label"})


def _shade(cell, fill: str) -> None:
    """Fill a table cell with a colour."""
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _repeat_as_header(row) -> None:
    """Mark a table row to repeat at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _write_cell(cell, text: str, *, bold: bool = False, align=None, size: float = 8, indent: int = 0) -> None:
    """Put text in a cell with the table font.

    A fresh cell gets copies of a paragraph format and a run made once per process for each look
    (the same XML python-docx writes, at a fraction of its cost per cell); text Word holds in other
    elements than ``w:t`` (tab, line breaks) and a cell already written take python-docx's own path.
    """
    text = visible_text(text)
    paragraph = cell._tc.p_lst[0]
    if len(paragraph) or not text or _BREAKS.search(text):
        _write_cell_slowly(cell, text, bold=bold, align=align, size=size, indent=indent)
        return
    properties, run = _cell_template(bold, align, size, indent)
    paragraph.append(deepcopy(properties))
    run = deepcopy(run)
    run[-1].text = text
    if text.strip() != text:
        run[-1].set(qn("xml:space"), "preserve")
    paragraph.append(run)


#: Characters python-docx writes as elements of their own rather than inside ``w:t``.
_BREAKS = re.compile(r"[\t\n\r]")


@functools.cache
def _cell_template(bold: bool, align, size: float, indent: int) -> tuple:
    """The ``w:pPr`` and ``w:r`` python-docx writes for a cell of this look (text ``x``)."""
    cell = _Cell(parse_xml(f"<w:tc {nsdecls('w')}><w:p/></w:tc>"), None)
    _write_cell_slowly(cell, "x", bold=bold, align=align, size=size, indent=indent)
    paragraph = cell._tc.p_lst[0]
    return paragraph.pPr, paragraph.r_lst[0]


def _write_cell_slowly(
    cell, text: str, *, bold: bool = False, align=None, size: float = 8, indent: int = 0
) -> None:
    """Put text in a cell through python-docx's objects."""
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.left_indent = Cm(0.25 * indent)
    paragraph.paragraph_format.space_after = Pt(0)


def add_caption(doc, printed: PrintedTable) -> None:
    """The caption above a table: ``Tabel 3. 6`` and its title lines, bold and centred."""
    for i, line in enumerate(printed.titles):
        paragraph = doc.add_paragraph(style="Caption")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(visible_text(line))
        run.bold = True
        run.italic = False
        run.font.size = Pt(11 if i == 0 else 10)
        run.font.color.rgb = RGBColor(0, 0, 0)
        paragraph.paragraph_format.space_after = Pt(0)


def _cell_at(table: Table, row: int, col: int) -> _Cell:
    """``table.cell(row, col)`` found from its row alone (python-docx walks every cell of the table)."""
    return _Row(table._tbl.tr_lst[row], table).cells[col]


def add_table(doc, printed: PrintedTable) -> Table:
    """The table itself: merged heading cells, numbering row, sections, bold program rows."""
    numbering_rows = 1 if printed.numbering else 0
    head_rows = printed.header_rows + numbering_rows
    body = printed.rows
    table = doc.add_table(rows=head_rows + len(body), cols=printed.ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for head in printed.header:
        cell = _cell_at(table, head.row, head.col)
        if head.rowspan > 1 or head.colspan > 1:
            cell = cell.merge(_cell_at(table, head.row + head.rowspan - 1, head.col + head.colspan - 1))
        _write_cell(cell, head.text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if printed.numbering:
        for col in range(printed.ncols):
            _write_cell(
                _cell_at(table, printed.header_rows, col),
                str(col + 1),
                align=WD_ALIGN_PARAGRAPH.CENTER,
                size=7,
            )
    for r in range(head_rows):
        _repeat_as_header(table.rows[r])
        for cell in table.rows[r].cells:
            _shade(cell, _HEADER_FILL)
    rows = list(table.rows)  # once: python-docx lists every row for each row asked for
    for i, row in enumerate(body):
        cells = rows[head_rows + i].cells
        if row.section is not None:
            merged = cells[0].merge(cells[-1]) if printed.ncols > 1 else cells[0]
            _write_cell(merged, row.section, bold=True)
            continue
        for col, (text, kind) in enumerate(zip(row.cells, row.kinds, strict=True)):
            align = (
                WD_ALIGN_PARAGRAPH.RIGHT
                if kind in _RIGHT_KINDS
                else WD_ALIGN_PARAGRAPH.CENTER
                if kind in _CENTER_KINDS
                else None
            )
            indent = row.indent if kind == "text" and col == 1 else 0
            _write_cell(cells[col], text, bold=row.bold, align=align, indent=indent)
    return table


def _landscape(doc) -> None:
    """A4 landscape pages with narrow margins (the tables are wide)."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))


def write_docx_report(
    printed: list[PrintedTable],
    narrative: Narrative,
    charts: Mapping[str, Path],
    path: Path,
    *,
    opd_name: str,
    year: int,
    note: str = "",
) -> Path:
    """Write the tables, captions, narrative and charts as one .docx (``note`` under the title)."""
    doc = Document()
    _landscape(doc)
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    doc.core_properties.title = f"LKjIP {year}"
    doc.core_properties.subject = visible_text(f"{opd_name} {year}")
    doc.core_properties.author = "sakip"
    doc.add_heading(f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}", level=0)
    doc.add_paragraph(visible_text(opd_name))
    if note:
        doc.add_paragraph().add_run(note).bold = True
    heading = None
    for table in printed:
        known = TABLES.get(table.table_id)
        chapter = known.chapter if known is not None else "Lampiran"
        if chapter != heading:
            doc.add_heading(chapter, level=1)
            heading = chapter
        for key in known.narrative_before if known is not None else ():
            for paragraph in narrative.sections.get(key, []):
                doc.add_paragraph(visible_text(paragraph))
        add_caption(doc, table)
        add_table(doc, table)
        doc.add_paragraph("Sumber Data : sakip (data gudang)").runs[0].font.size = Pt(8)
        for key in known.narrative_after if known is not None else ():
            for paragraph in narrative.sections.get(key, []):
                doc.add_paragraph(visible_text(paragraph))
        for chart_id in known.charts_after_docx if known is not None else ():
            if chart_id in charts:
                doc.add_picture(str(charts[chart_id]), width=Cm(22))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption = doc.add_paragraph(f"Grafik: {CHART_TITLES[chart_id]}", style="Caption")
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
