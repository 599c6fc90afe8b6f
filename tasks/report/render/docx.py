"""The year-end report as a Word document (python-docx) that fits the office's LKjIP template.

The document follows the report's chapters (:mod:`tasks.report.render.document`): BAB headings are
Heading 1 (each on a new page), sections A./B. Heading 2, subsections 1./2. Heading 3, so Word's
table of contents has its levels. Pages are portrait A4 with the template's margins; a table too
wide for the portrait text width gets a landscape section of its own. Column widths keep the
proportions the workbook uses, widened where the values need it, and the table never exceeds the
text width. Header rows repeat on every page and no row splits across pages.

Captions are Word captions: ``Tabel 3. `` followed by a ``SEQ Tabel`` field (``SEQ Gambar`` for the
charts, numbered per chapter as ``Gambar 3. 1``), so Word builds the Daftar Tabel / Daftar Gambar;
a table caption is kept with its table. Every table has its ``Sumber Data : <source>`` line; charts
are scaled to the text width and height of their page. Values are in their Indonesian print form
(``22.500.227.865``, ``83,79``, ``-`` for zero). Text from the data is written with its control
characters shown as Excel writes them (``_x001B_``): Word's XML cannot hold them.
"""

from __future__ import annotations

import functools
import re
import struct
from collections.abc import Mapping
from copy import deepcopy
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from lxml import etree

from tasks.core.scales import ReportScales
from tasks.core.text import visible_text
from tasks.report.render.document import Block, report_blocks
from tasks.report.render.narrative import Narrative
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
#: Room kept under a chart for its caption (cm).
_CAPTION_ROOM_CM = 2.0


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


def _field(paragraph, instruction: str, result: str) -> list:
    """A Word field (``SEQ Tabel \\r 6``, ``TOC ...``) with its shown result."""

    def char(kind: str):
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
        return run

    runs = [char("begin"), paragraph.add_run()]
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    runs[-1]._r.append(instr)
    runs += [char("separate"), paragraph.add_run(result), char("end")]
    return runs


_NUMBERED = re.compile(r"^(?P<word>\S+)\s+(?P<chapter>\d+)\.\s*(?P<number>\d+)$")


def add_caption(doc, printed: PrintedTable, style_id: str | None = None) -> None:
    """The caption above a table: ``Tabel 3. `` + a SEQ field, then the title lines, one paragraph
    (``style_id``: the id of the document's "Caption" style, when the caller has looked it up)."""
    paragraph = _styled_paragraph(doc, "", style_id) if style_id else doc.add_paragraph(style="Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = True
    fmt.space_before, fmt.space_after = Pt(6), Pt(4)
    titles = [visible_text(line) for line in printed.titles]
    first = titles[0] if titles else ""
    match = _NUMBERED.match(first)
    if match:
        paragraph.add_run(first[: match.start("number")])
        _field(paragraph, f"SEQ {match['word']} \\r {match['number']} \\* ARABIC", match["number"])
    elif first:
        paragraph.add_run(first)
    for line in titles[1:]:
        paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(line).font.size = Pt(10)


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
    many tables (see :func:`_styled_paragraph`).
    """
    twips = _twips(widths if widths is not None else column_widths(printed)[0])
    key = (printed.header, printed.header_rows, printed.numbering, printed.ncols, tuple(twips), style_id)
    made = _TABLE_HEADS.get(key) if style_id else None
    if made is None:
        table = _new_table_head(doc, printed, twips, style_id)
        if style_id:
            _remember_head(key, deepcopy(table._tbl))
    else:  # the same heading, widths and style as a table made before: a copy of it
        doc.element.body.sectPr.addprevious(deepcopy(made))
        table = doc.tables[-1]
    _append_body(table, printed, twips)
    return table


#: Tables' heads (properties, grid and heading rows, before any body row) made in this process, by
#: what they are made of: a table of the same heading and widths (every OPD's Tabel 3.6) is a copy.
_TABLE_HEADS: dict[tuple, object] = {}
_KEPT_TABLE_HEADS = 64


def _remember_head(key: tuple, tbl) -> None:
    """Keep a table's head for the next table of its kind, the oldest going beyond the limit."""
    _TABLE_HEADS[key] = tbl
    while len(_TABLE_HEADS) > _KEPT_TABLE_HEADS:
        _TABLE_HEADS.pop(next(iter(_TABLE_HEADS)))


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
            if _BREAKS.search(shown):
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


def _page(section, landscape: bool, page: PageSetup = PAGE) -> None:
    """A4 portrait or landscape with the template's margins."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long_side, short_side = Cm(page.height), Cm(page.width)
    size = (long_side, short_side) if landscape else (short_side, long_side)
    section.page_width, section.page_height = size
    section.top_margin, section.bottom_margin = Cm(page.top), Cm(page.bottom)
    section.left_margin, section.right_margin = Cm(page.left), Cm(page.right)


def _styled_paragraph(doc, text: str, style_id: str):
    """``doc.add_paragraph(text, style)`` for a style that is not the default paragraph style, given
    by its id: python-docx, given a style, compares it with the default style by searching all the
    document's styles, for every paragraph."""
    paragraph = doc.add_paragraph(text)
    paragraph._p.style = style_id
    return paragraph


def add_aligned_paragraph(doc, text: str, align) -> None:
    """``doc.add_paragraph(text).alignment = align``: the same XML, copied from a paragraph python-docx
    made once per alignment (a report has a hundred paragraphs of narrative; python-docx finds where
    each goes, and its paragraph format, by searching the document's elements). A text holding a tab
    or a line break, which Word keeps in elements of their own, goes through python-docx."""
    if _BREAKS.search(text):
        doc.add_paragraph(text).alignment = align
        return
    paragraph = deepcopy(_aligned_paragraph(align, bool(text)))
    if text:
        run_text = paragraph[-1][-1]  # w:r/w:t
        run_text.text = text
        if text.strip() != text:
            run_text.set(qn("xml:space"), "preserve")
    doc.element.body.sectPr.addprevious(paragraph)  # the body's last element: the document's end


@functools.cache
def _aligned_paragraph(align, with_text: bool):
    """An aligned paragraph with a run holding one text (or none), as python-docx writes it."""
    from docx.text.paragraph import Paragraph

    element = OxmlElement("w:p")
    paragraph = Paragraph(element, None)
    if with_text:
        paragraph.add_run("-")
    paragraph.alignment = align
    return element


def png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels of a PNG file (its IHDR chunk)."""
    with open(path, "rb") as file:
        head = file.read(24)
    return struct.unpack(">II", head[16:24])


class _Writer:
    """Writes blocks into the document, opening a landscape section for a wide table and back."""

    def __init__(self, doc, charts: Mapping[str, Path]) -> None:
        self.doc = doc
        self.charts = charts
        self.landscape = False
        self.style_ids: dict[str, str] = {}
        _page(doc.sections[0], False)

    def style(self, name: str) -> str:
        """The id of a style of the document, looked up once by name."""
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def orientation(self, landscape: bool) -> None:
        if landscape != self.landscape:
            _page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape)
            self.landscape = landscape

    def heading(self, block: Block) -> None:
        self.orientation(False)
        # what doc.add_heading writes
        paragraph = _styled_paragraph(
            self.doc, visible_text(block.text), self.style(f"Heading {block.level}")
        )
        paragraph.paragraph_format.keep_with_next = True
        if block.level == 1:
            paragraph.paragraph_format.page_break_before = True

    def paragraph(self, block: Block) -> None:
        self.orientation(False)
        add_aligned_paragraph(self.doc, visible_text(block.text), WD_ALIGN_PARAGRAPH.JUSTIFY)

    def formula(self, block: Block) -> None:
        self.orientation(False)
        add_aligned_paragraph(self.doc, visible_text(block.text), WD_ALIGN_PARAGRAPH.CENTER)

    def items(self, block: Block) -> None:
        self.orientation(False)
        for item in block.items:
            _styled_paragraph(self.doc, visible_text(item), self.style("List Bullet"))

    def table(self, block: Block) -> None:
        assert block.table is not None
        widths, landscape = column_widths(block.table)
        self.orientation(landscape)
        add_caption(self.doc, block.table, self.style("Caption"))
        add_table(self.doc, block.table, widths, self.style("Table Grid"))
        source = self.doc.add_paragraph()
        run = source.add_run(f"Sumber Data : {visible_text(block.source)}")
        run.font.size = Pt(8)
        source.paragraph_format.space_after = Pt(10)

    def chart(self, block: Block) -> None:
        self.orientation(False)
        path = self.charts[block.chart_id]
        pixels_wide, pixels_high = png_size(path)
        width = min(PAGE.text_width(), (PAGE.text_height() - _CAPTION_ROOM_CM) * pixels_wide / pixels_high)
        self.doc.add_picture(str(path), width=Cm(width))
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        caption = _styled_paragraph(self.doc, "", self.style("Caption"))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        chapter, number = block.number.split(". ")
        caption.add_run(f"Gambar {chapter}. ")
        _field(caption, f"SEQ Gambar \\r {number} \\* ARABIC", number)
        caption.add_run(f" {visible_text(block.text)}")


def _lists(doc) -> None:
    """Daftar Isi, Daftar Tabel and Daftar Gambar as fields Word fills (it offers to on opening)."""
    for title, instruction in (
        ("DAFTAR ISI", 'TOC \\o "1-3" \\h \\z \\u'),
        ("DAFTAR TABEL", 'TOC \\h \\z \\c "Tabel"'),
        ("DAFTAR GAMBAR", 'TOC \\h \\z \\c "Gambar"'),
    ):
        heading = doc.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(title).bold = True
        _field(doc.add_paragraph(), instruction, "Perbarui bidang (F9) untuk menyusun daftar ini.")
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def write_docx_report(
    printed: list[PrintedTable],
    narrative: Narrative,
    charts: Mapping[str, Path],
    path: Path,
    *,
    opd_name: str,
    year: int,
    note: str = "",
    source: str = "",
    scales: ReportScales | None = None,
) -> Path:
    """Write the report as one .docx (``note`` under the title; ``source`` under every table, by
    default the OPD's name)."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    caption = doc.styles["Caption"].font
    caption.bold, caption.italic, caption.size, caption.color.rgb = True, False, Pt(11), RGBColor(0, 0, 0)
    doc.core_properties.title = f"LKjIP {year}"
    doc.core_properties.subject = visible_text(f"{opd_name} {year}")
    doc.core_properties.author = "sakip"
    writer = _Writer(doc, charts)
    doc.add_heading(f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}", level=0)
    doc.add_paragraph(visible_text(opd_name))
    if note:
        doc.add_paragraph().add_run(note).bold = True
    _lists(doc)
    blocks = report_blocks(
        printed, narrative, charts, opd_name=opd_name, year=year, source=source or opd_name, scales=scales
    )
    for block in blocks:
        getattr(writer, block.kind)(block)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_document(doc, path)
    return path


def save_document(doc, path: Path) -> None:
    """``doc.save(path)``: the same parts, zipped for speed (python-docx deflates every part at
    zlib's level 6): the charts, PNG files already compressed, are stored as they are, and the XML
    parts deflated at level 1 (the template's styles alone are 800 kB of XML every report carries),
    three times as fast; a benchmark agency's document is 230 kB instead of 190 kB. Word and
    LibreOffice read any of zip's methods."""
    from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile

    from docx.opc.pkgwriter import PackageWriter

    class Zipped:  # python-docx's physical package writer, with the method chosen per part
        def __init__(self, file: ZipFile) -> None:
            self.file = file

        def write(self, pack_uri, blob: bytes) -> None:
            if pack_uri.ext.lower() in _STORED_EXTENSIONS:
                self.file.writestr(pack_uri.membername, blob, compress_type=ZIP_STORED)
            else:
                self.file.writestr(pack_uri.membername, blob, compress_type=ZIP_DEFLATED, compresslevel=1)

    package = doc.part.package
    for part in package.parts:
        part.before_marshal()
    with ZipFile(path, "w") as file:
        writer = Zipped(file)
        # what PackageWriter.write does with the physical writer it makes
        PackageWriter._write_content_types_stream(writer, package.parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, package.parts)


#: Parts stored in the zip as they are: images in formats that are compressed already.
_STORED_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif"})
