"""The Word document's tables (python-docx): heading rows merged, shaded and repeated on every page,
body rows that never split, column widths in the workbook's proportions within the text width.

A table's head is made once per process for each heading and widths and copied for the next table
of its kind; its body rows are written as the XML python-docx writes for them and parsed at once.
Both give the XML python-docx's own objects give (tested). Used by :mod:`tasks.report.render.docx`.
"""

from __future__ import annotations

import functools
import re
from copy import deepcopy
from xml.sax.saxutils import escape as xml_escape

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt
from docx.table import Table, _Cell, _Row
from lxml import etree

from tasks.core.caches import keep_bounded
from tasks.core.text import visible_text
from tasks.report.render.page import PAGE, PageSetup
from tasks.report.render.printed import PrintedTable

_HEADER_FILL = "D9E1F2"
_RIGHT_KINDS = frozenset({"amount", "number"})
_CENTER_KINDS = frozenset({"no", "label"})


#: Table text size (pt), the width of one character of it and the cell's side margins (cm).
_TABLE_PT = 8
_CHAR_CM = 0.17
_CELL_MARGIN_CM = 0.08
#: The narrowest a text column is made (cm), so that words do not break letter by letter.
_MIN_TEXT_CM = 1.6


def _shade(cell, fill: str) -> None:
    """Fill a table cell with a colour."""
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def _row_flag(tr, name: str) -> None:
    """Set a row property (``w:tblHeader``: repeat at the top of every page; ``w:cantSplit``) on a
    ``w:tr`` element."""
    properties = tr.get_or_add_trPr()
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _write_cell(
    cell, text: str, *, bold: bool = False, align=None, size: float = _TABLE_PT, indent: int = 0
) -> None:
    """Put text in a cell with the table font.

    A fresh cell gets copies of a paragraph format and a run made once per process for each look
    (the same XML python-docx writes, at a fraction of its cost per cell); text Word holds in other
    elements than ``w:t`` (tab, line breaks) and a cell already written take python-docx's own path.
    """
    text = visible_text(text)
    paragraph = cell._tc.p_lst[0]
    if len(paragraph) or not text or WORD_BREAKS.search(text):
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
WORD_BREAKS = re.compile(r"[\t\n\r]")


@functools.cache
def _cell_template(bold: bool, align, size: float, indent: int) -> tuple:
    """The ``w:pPr`` and ``w:r`` python-docx writes for a cell of this look (text ``x``)."""
    cell = _Cell(parse_xml(f"<w:tc {nsdecls('w')}><w:p/></w:tc>"), None)
    _write_cell_slowly(cell, "x", bold=bold, align=align, size=size, indent=indent)
    paragraph = cell._tc.p_lst[0]
    return paragraph.pPr, paragraph.r_lst[0]


def _write_cell_slowly(
    cell, text: str, *, bold: bool = False, align=None, size: float = _TABLE_PT, indent: int = 0
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
    paragraph.paragraph_format.space_before = Pt(0)


def column_widths(printed: PrintedTable, page: PageSetup = PAGE) -> tuple[list[float], bool]:
    """Column widths (cm) and whether the table needs a landscape page.

    The workbook's proportions (``PrintedTable.widths``) share the text width; a column whose values
    (amounts, numbers, codes, labels) need more room gets it from the text columns. A table whose
    columns cannot all get the room they need in portrait goes landscape.
    """
    n = printed.ncols
    shares = list(printed.widths) if len(printed.widths) == n else [1.0] * n
    pad = 2 * _CELL_MARGIN_CM + 0.05
    need = [_MIN_TEXT_CM] * n
    for col in range(n):
        kinds = {row.kinds[col] for row in printed.rows if row.section is None}
        texts = [row.cells[col] for row in printed.rows if row.section is None]
        headings = [h.text for h in printed.header if h.col == col and h.colspan == 1]
        words = [w for t in texts if kinds & {"text", "label"} for w in t.split()]
        # heading words are bold: a fifth wider than the body's characters
        bold = [len(w) * 1.2 for t in headings for w in t.split()]
        longest_word = max([len(w) for w in words] + bold + [0])
        if kinds and kinds <= {"amount", "number", "code", "no"}:
            longest = max((len(t) for t in texts), default=0)
            need[col] = max(longest, longest_word, 3) * _CHAR_CM + pad
        else:
            need[col] = max(longest_word * _CHAR_CM + pad, _MIN_TEXT_CM if "text" in kinds else 0.8)
    landscape = sum(need) > page.text_width()
    total = page.text_width(landscape)
    widths = [s / sum(shares) * total for s in shares]
    for _ in range(n):
        short = [i for i in range(n) if widths[i] < need[i] - 1e-9]
        if not short:
            break
        missing = sum(need[i] - widths[i] for i in short)
        for i in short:
            widths[i] = need[i]
        slack = {i: widths[i] - need[i] for i in range(n) if i not in short and widths[i] > need[i]}
        if not slack:
            break
        available = sum(slack.values())
        for i, room in slack.items():
            widths[i] -= min(room, missing) * room / available if available else 0
    scale = min(1.0, total / sum(widths))
    return [w * scale for w in widths], landscape


def _twips(widths: list[float]) -> list[int]:
    """Column widths (cm) in twips, rounded down: their sum never exceeds the text width."""
    return [int(w / 2.54 * 1440) for w in widths]


def _set_widths(table: Table, twips: list[int], rows: list) -> None:
    """Fixed layout: the grid, the table width and the width of every cell of ``rows`` (merged cells
    their span)."""
    tbl = table._tbl
    properties = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar"):
        for old in properties.findall(qn(tag)):
            properties.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(_CELL_MARGIN_CM / 2.54 * 1440)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.append(width)
    properties.append(layout)
    properties.append(margins)
    for grid_col, value in zip(tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        grid_col.set(qn("w:w"), str(value))
    for tr in rows:
        col = 0
        for tc in tr.tc_lst:
            span = tc.grid_span
            tc.width = Emu(sum(twips[col : col + span]) * 635)
            col += span


def _cell_at(table: Table, row: int, col: int) -> _Cell:
    """``table.cell(row, col)`` found from its row alone (python-docx walks every cell of the table)."""
    return _Row(table._tbl.tr_lst[row], table).cells[col]


def add_table(
    doc, printed: PrintedTable, widths: list[float] | None = None, style_id: str | None = None
) -> Table:
    """The table itself: merged heading cells, numbering row, sections, bold program rows.

    ``style_id``: the id of the document's "Table Grid" style, looked up once by a caller writing
    many tables (python-docx, given a style by name, searches all the document's styles).
    """
    twips = _twips(widths if widths is not None else column_widths(printed)[0])
    key = (printed.header, printed.header_rows, printed.numbering, printed.ncols, tuple(twips), style_id)
    made = _TABLE_HEADS.get(key) if style_id else None
    if made is None:
        table = _new_table_head(doc, printed, twips, style_id)
        if style_id:
            keep_bounded(_TABLE_HEADS, key, deepcopy(table._tbl), _KEPT_TABLE_HEADS)
    else:  # the same heading, widths and style as a table made before: a copy of it
        doc.element.body.sectPr.addprevious(deepcopy(made))
        table = doc.tables[-1]
    _append_body(table, printed, twips)
    return table


#: Tables' heads (properties, grid and heading rows, before any body row) made in this process, by
#: what they are made of: a table of the same heading and widths (every OPD's Tabel 3.6) is a copy.
_TABLE_HEADS: dict[tuple, object] = {}
_KEPT_TABLE_HEADS = 64


def _new_table_head(doc, printed: PrintedTable, twips: list[int], style_id: str | None) -> Table:
    """A new table at the end of the document with its heading rows: merged, shaded, repeated on
    every page, the columns of ``twips``."""
    numbering_rows = 1 if printed.numbering else 0
    head_rows = printed.header_rows + numbering_rows
    table = doc.add_table(rows=head_rows, cols=printed.ncols)
    if style_id:
        table._tbl.tblStyle_val = style_id  # what ``table.style =`` writes
    else:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
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
    head = list(table._tbl.tr_lst)
    shaded: dict[int, object] = {}  # the elements themselves kept: their ids stay theirs
    for tr in head:
        _row_flag(tr, "w:tblHeader")
        for cell in _Row(tr, table).cells:  # a merged cell is shaded once, where its text is
            if id(cell._tc) not in shaded:
                shaded[id(cell._tc)] = cell._tc
                _shade(cell, _HEADER_FILL)
        _row_flag(tr, "w:cantSplit")
    _set_widths(table, twips, head)
    return table


def _append_body(table: Table, printed: PrintedTable, twips: list[int]) -> None:
    """The body rows, written as XML text and parsed at once: the XML python-docx writes for them
    (a row that cannot split, cells of the table's widths with the looks of :func:`_write_cell`,
    a section row one merged cell), without building each cell through python-docx's objects.

    A text holding a tab or a line break, which Word keeps in elements of their own, is written
    into its (empty) cell by :func:`_write_cell` after the rows are parsed.
    """
    if not printed.rows:
        return
    cell_starts = [f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{t}"/></w:tcPr>' for t in twips]
    later: list[tuple[int, int, str, dict]] = []
    rows: list[str] = []
    for i, row in enumerate(printed.rows):
        if row.section is not None:
            span = f'<w:gridSpan w:val="{printed.ncols}"/>' if printed.ncols > 1 else ""
            cell = _cell_xml(visible_text(row.section), _cell_look(True, None, _TABLE_PT, 0))
            rows.append(
                f'{_ROW_START}<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{sum(twips)}"/>{span}'
                f"</w:tcPr>{cell}</w:tc></w:tr>"
            )
            continue
        cells = [_ROW_START]
        for col, (text, kind) in enumerate(zip(row.cells, row.kinds, strict=True)):
            align = _KIND_ALIGNMENT.get(kind)
            indent = row.indent if kind == "text" and col == 1 else 0
            shown = visible_text(text)
            if WORD_BREAKS.search(shown):
                later.append((i, col, shown, {"bold": row.bold, "align": align, "indent": indent}))
                paragraph = "<w:p/>"
            else:
                paragraph = _cell_xml(shown, _cell_look(row.bold, align, _TABLE_PT, indent))
            cells += (cell_starts[col], paragraph, "</w:tc>")
        cells.append("</w:tr>")
        rows.append("".join(cells))
    body = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    tbl = table._tbl
    trs = list(body)
    for tr in trs:
        tbl.append(tr)
    for i, col, text, look in later:
        tc = trs[i].tc_lst[col]
        _write_cell_slowly(_Cell(tc, table), text, size=_TABLE_PT, **look)


_ROW_START = '<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>'
#: How a body cell of each kind is aligned (text: as the paragraph style says).
_KIND_ALIGNMENT = {
    **{kind: WD_ALIGN_PARAGRAPH.RIGHT for kind in _RIGHT_KINDS},
    **{kind: WD_ALIGN_PARAGRAPH.CENTER for kind in _CENTER_KINDS},
}


def _cell_xml(text: str, look: tuple[str, str, str]) -> str:
    """A cell's paragraph as XML text: its look's paragraph format and run around the escaped text."""
    properties, run_start, run_end = look
    if not text:
        return f"<w:p>{properties}{run_start}{run_end}</w:p>"
    space = ' xml:space="preserve"' if text.strip() != text else ""
    return f"<w:p>{properties}{run_start}<w:t{space}>{xml_escape(text)}</w:t>{run_end}</w:p>"


@functools.cache
def _cell_look(bold: bool, align, size: float, indent: int) -> tuple[str, str, str]:
    """The XML text of a cell look's paragraph format and of its run before and after the text."""
    properties, run = _cell_template(bold, align, size, indent)
    run_xml = _without_namespaces(etree.tostring(run, encoding=str))
    text_at = run_xml.index("<w:t>")
    return (
        _without_namespaces(etree.tostring(properties, encoding=str)),
        run_xml[:text_at],
        run_xml[run_xml.index("</w:t>") + len("</w:t>") :],
    )


def _without_namespaces(xml: str) -> str:
    """An element's XML text without its namespace declarations (the document declares them)."""
    return _NAMESPACE_DECLARATION.sub("", xml)


_NAMESPACE_DECLARATION = re.compile(r' xmlns:\w+="[^"]*"')
