"""The Word document's tables, through python-docx: heading rows merged, shaded and repeated on every
page, body rows that never split, column widths in the workbook's proportions within the text width.

Tables, rows, cells, merges, runs and paragraph formats are python-docx's own; what it has no
property for (a cell's shading, a row repeated as the heading or kept whole, the table's width and
cell margins) is written as the XML Word reads, with ``docx.oxml.OxmlElement`` and ``qn``, on the
table's element found in the document body. The heading rows are written cell by cell through
python-docx; a body row is a copy (``copy.deepcopy``) of a pattern row python-docx made, its texts
in copies of the run python-docx writes: a table of a few thousand cells in a fifth of the time,
the same XML (tested against python-docx's cell-by-cell API). Used by
:mod:`tasks.report.render.docx`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, replace

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, Twips
from docx.table import Table

from tasks.core.text import visible_text
from tasks.report.render.page import PAGE, PageSetup
from tasks.report.render.printed import PrintedTable

_HEADER_FILL = "D9E1F2"
#: How a body cell of each kind is aligned (text: as the paragraph style says).
#: Amounts and numbers, most of a table's cells, take the table style's (right); a cell of another
#: kind says its own.
_KIND_ALIGNMENT = {
    "amount": None,
    "number": None,
    "no": WD_ALIGN_PARAGRAPH.CENTER,
    "label": WD_ALIGN_PARAGRAPH.CENTER,
}

#: Table text size (pt), the width of one character of it and the cell's side margins (cm).
_TABLE_PT = 8
_CHAR_CM = 0.17
_CELL_MARGIN_CM = 0.08
#: The narrowest a text column is made (cm), so that words do not break letter by letter.
_MIN_TEXT_CM = 1.6
#: The sizes a document table's text is tried at (pt), largest first: 10 or 9 pt where the table fits
#: the text width, smaller for a wide one, never below the last.
TABLE_SIZES: tuple[float, ...] = (10.0, 9.0, 8.0, 7.0)
#: A table of more columns than this is printed on a landscape page of its own; a narrower one that
#: does not fit the portrait width is split by columns.
LANDSCAPE_COLUMNS = 12
#: Where a heading's text may break besides its spaces: after a slash (a zero-width space there).
_HEADING_BREAK = re.compile(r"/(?=\S)")


def _flag(properties, name: str) -> None:
    """Append ``<name w:val="true"/>`` to a properties element (``w:trPr``)."""
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _shade(tc, fill: str) -> None:
    """Fill a table cell (its ``w:tc`` element) with a colour: ``w:shd`` closes its properties."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.find(qn("w:tcPr")).append(shading)


def _row_flags(tr, *names: str) -> None:
    """Row properties (``w:tblHeader``: repeat at the top of every page; ``w:cantSplit``: never split
    across pages) on a ``w:tr`` element: its ``w:trPr``, the row's first child."""
    properties = tr.find(qn("w:trPr"))
    if properties is None:
        properties = OxmlElement("w:trPr")
        tr.insert(0, properties)
    for name in ("w:cantSplit", "w:tblHeader"):  # the schema's order
        if name in names:
            _flag(properties, name)


#: Characters python-docx writes as elements of their own rather than inside ``w:t``.
WORD_BREAKS = re.compile(r"[\t\n\r]")

#: The tables' own style: Word's "Table Grid" (borders, single lines, no space after a paragraph)
#: with the tables' text size and right alignment, so that an amount's cell needs neither of its own.
TABLE_STYLE = "Tabel LKjIP"


def table_style(doc):
    """The document's :data:`TABLE_STYLE`, added the first time it is asked for.

    A table style's text size reaches the cells' paragraphs because the paragraph style they have,
    Normal, sets none (the body's 11 pt is the document's default): Word and LibreOffice apply table
    style, then paragraph style, then the run's own."""
    styles = doc.styles
    if TABLE_STYLE in [style.name for style in styles if style.type == WD_STYLE_TYPE.TABLE]:
        return styles[TABLE_STYLE]
    style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    grid = [s for s in styles if s.type == WD_STYLE_TYPE.TABLE and s.name == "Table Grid"]
    if grid:
        style.base_style = grid[0]
    style.font.size = Pt(_TABLE_PT)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT  # amounts and numbers
    if not grid:  # a template without Word's "Table Grid": its single lines on the style itself
        _grid_borders(style.element)
    return style


def _grid_borders(style_element) -> None:
    """Single lines around and between the cells (``w:tblBorders``), in the style's ``w:tblPr``."""
    properties = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        for name, value in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "auto")):
            line.set(qn(f"w:{name}"), value)
        borders.append(line)
    properties.append(borders)
    style_element.append(properties)


#: The paragraph style of the document tables' cells.
TEXT_STYLE = "Isi Tabel"


def text_style(doc):
    """The document's :data:`TEXT_STYLE`, added the first time it is asked for: Normal's font, single
    lines, no space around or indent, right aligned (amounts and numbers; other cells say their own),
    whatever the body's paragraphs have (a template's 1.5 lines, its justified text)."""
    styles = doc.styles
    if TEXT_STYLE in [style.name for style in styles if style.type == WD_STYLE_TYPE.PARAGRAPH]:
        return styles[TEXT_STYLE]
    style = styles.add_style(TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    fmt.first_line_indent, fmt.left_indent, fmt.right_indent = Cm(0), Cm(0), Cm(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt.keep_with_next = False
    return style


def write_cell(
    cell, text: str, *, bold: bool = False, align=None, size: float | None = None, indent: int = 0
) -> None:
    """Put text (control characters shown) in a cell's paragraph: the table style's font and spacing,
    bold, aligned, indented or another size where asked. An empty text leaves the cell as it is."""
    if not text:
        return
    paragraph = cell.paragraphs[0]
    shown = visible_text(text)
    if WORD_BREAKS.search(shown):  # tabs and line breaks: python-docx writes their own elements
        run = paragraph.add_run(shown)
    else:  # one text element in a new run, what add_run writes without looking for one to replace
        run = paragraph.add_run()
        run.add_text(shown)
    if bold:
        run.bold = True
    if size is not None:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.left_indent = Cm(0.25 * indent)


def column_needs(printed: PrintedTable, size: float = _TABLE_PT) -> list[float]:
    """The width (cm) each column needs at ``size`` pt: a value column its longest value, a text
    column its longest word (never broken inside a word), a heading its longest bold word (a heading
    may break after a slash)."""
    n = printed.ncols
    char = _CHAR_CM * size / _TABLE_PT
    pad = 2 * _CELL_MARGIN_CM + 0.05
    need = [_MIN_TEXT_CM] * n
    for col in range(n):
        kinds = {row.kinds[col] for row in printed.rows if row.section is None}
        texts = [row.cells[col] for row in printed.rows if row.section is None]
        headings = [h.text for h in printed.header if h.col == col and h.colspan == 1]
        words = [w for t in texts if kinds & {"text", "label"} for w in t.split()]
        # heading words are bold: a fifth wider than the body's characters
        bold = [len(w) * 1.2 for t in headings for w in _HEADING_BREAK.sub("/ ", t).split()]
        longest_word = max([len(w) for w in words] + bold + [0])
        if kinds and kinds <= {"amount", "number", "code", "no"}:
            longest = max((len(t) for t in texts), default=0)
            need[col] = max(longest, longest_word, 3) * char + pad
        else:
            need[col] = max(longest_word * char + pad, _MIN_TEXT_CM if "text" in kinds else 0.8)
    return need


def column_widths(
    printed: PrintedTable, page: PageSetup = PAGE, size: float = _TABLE_PT, landscape: bool | None = None
) -> tuple[list[float], bool]:
    """Column widths (cm) and whether the table is on a landscape page.

    The workbook's proportions (``PrintedTable.widths``) share the text width; a column whose values
    (amounts, numbers, codes, labels) need more room at ``size`` pt gets it from the text columns.
    Unless told (``landscape``), a table whose columns cannot all get the room they need in portrait
    goes landscape.
    """
    n = printed.ncols
    shares = list(printed.widths) if len(printed.widths) == n else [1.0] * n
    need = column_needs(printed, size)
    if landscape is None:
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


@dataclass(frozen=True)
class TablePart:
    """A table as the document prints it: whole, or one of its parts when split by columns."""

    printed: PrintedTable
    #: column widths (cm)
    widths: list[float]
    #: the text size (pt)
    size: float
    landscape: bool
    #: a part after the first (its caption says "lanjutan")
    continued: bool = False
    #: the numbers its numbering row prints (the table's own columns', kept in every part)
    numbers: tuple[int, ...] = ()


def identifying_columns(printed: PrintedTable) -> list[int]:
    """The columns every part of a split table repeats: the leading No / Kode columns and the first
    text column after them (Uraian, Indikator)."""
    kinds = [{row.kinds[c] for row in printed.rows if row.section is None} for c in range(printed.ncols)]
    keep: list[int] = []
    for col in range(printed.ncols):
        if kinds[col] and kinds[col] <= {"no", "code"}:
            keep.append(col)
            continue
        if "text" in kinds[col] or not kinds[col]:
            keep.append(col)
        break
    return keep if len(keep) < printed.ncols else keep[:1]


def column_slice(printed: PrintedTable, cols: list[int]) -> PrintedTable:
    """The table with only ``cols`` (in that order): heading cells cut to the columns kept, the rows'
    cells and kinds, the workbook's widths."""
    index = {c: i for i, c in enumerate(cols)}
    header = []
    for head in printed.header:
        inside = [c for c in range(head.col, head.col + head.colspan) if c in index]
        if inside:
            header.append(replace(head, col=index[inside[0]], colspan=len(inside)))
    rows = tuple(
        replace(row, cells=tuple(row.cells[c] for c in cols), kinds=tuple(row.kinds[c] for c in cols))
        if len(row.cells) == printed.ncols and len(row.kinds) == printed.ncols
        else row  # a section row: its label across whatever columns there are
        for row in printed.rows
    )
    widths = tuple(printed.widths[c] for c in cols) if len(printed.widths) == printed.ncols else ()
    return replace(printed, header=tuple(header), ncols=len(cols), rows=rows, widths=widths)


def fit_table(printed: PrintedTable, page: PageSetup = PAGE) -> list[TablePart]:
    """How the document prints a table: on a portrait page at the largest of :data:`TABLE_SIZES` its
    columns fit at; too wide even at the smallest, split by columns into parts that fit, each with
    the identifying columns (:func:`identifying_columns`); a table of more than
    :data:`LANDSCAPE_COLUMNS` columns on a landscape page, at the size that fits there (split too
    when none does)."""
    landscape = printed.ncols > LANDSCAPE_COLUMNS
    width = page.text_width(landscape)
    numbers = tuple(range(1, printed.ncols + 1))
    for size in TABLE_SIZES:
        if sum(column_needs(printed, size)) <= width + 1e-9:
            widths, _ = column_widths(printed, page, size, landscape)
            return [TablePart(printed, widths, size, landscape, numbers=numbers)]
    size = TABLE_SIZES[-1]
    need = column_needs(printed, size)
    keep = identifying_columns(printed)
    if sum(need[c] for c in keep) > width / 2:
        widths, _ = column_widths(printed, page, size, landscape)
        return [TablePart(printed, widths, size, landscape, numbers=numbers)]
    room = width - sum(need[c] for c in keep)
    groups: list[list[int]] = [[]]
    for col in (c for c in range(printed.ncols) if c not in keep):
        if groups[-1] and sum(need[c] for c in groups[-1]) + need[col] > room:
            groups.append([])
        groups[-1].append(col)
    parts = []
    for i, group in enumerate(groups):
        cols = keep + group
        part = column_slice(printed, cols)
        widths, _ = column_widths(part, page, size, landscape)
        parts.append(TablePart(part, widths, size, landscape, i > 0, tuple(c + 1 for c in cols)))
    return parts


def _twips(widths: list[float]) -> list[int]:
    """Column widths (cm) in twips, rounded down: their sum never exceeds the text width."""
    return [int(w / 2.54 * 1440) for w in widths]


def _fixed_width(tbl, twips: list[int]) -> None:
    """The table's width and cell margins on its ``w:tblPr`` (python-docx sets neither): the sum of
    the columns, narrow side margins."""
    properties = tbl.find(qn("w:tblPr"))
    width = properties.find(qn("w:tblW"))
    width.set(qn("w:w"), str(sum(twips)))
    width.set(qn("w:type"), "dxa")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(_CELL_MARGIN_CM / 2.54 * 1440)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = properties.find(qn("w:tblLook"))
    if look is not None:  # the schema's order: margins before the look
        look.addprevious(margins)
    else:
        properties.append(margins)


@dataclass(frozen=True)
class CellLook:
    """How a document table's cells look beyond the table style: their paragraph style (the
    document's :func:`text_style`), their text size (pt) and the numbers of the numbering row."""

    paragraph_style: object = None
    size: float | None = None
    numbers: tuple[int, ...] = ()


def table_with_head(
    doc, printed: PrintedTable, twips: list[int], body_rows: int, style=None, look: CellLook | None = None
) -> tuple:
    """A new table at the end of the document, python-docx's ``Table`` and its element: the style,
    centred, fixed column widths (``twips``), its heading rows written and ``body_rows`` empty rows
    after them (``look``: the cells' paragraph style and size, for a document's table)."""
    head_rows = printed.header_rows + (1 if printed.numbering else 0)
    table = doc.add_table(rows=head_rows + body_rows, cols=printed.ncols)
    tbl = doc.element.body.sectPr.getprevious()  # its element: the body's last block
    table.style = style if style is not None else table_style(doc)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: the columns keep their widths
    for column, width in zip(table.columns, twips, strict=True):
        column.width = Twips(width)
    _fixed_width(tbl, twips)
    widths = [Twips(width) for width in twips]
    if look is not None and look.paragraph_style is not None:
        # what ``paragraph.style = ...`` writes, on every cell's (still empty) paragraph at once
        for p in tbl.iter(_P):
            properties = OxmlElement("w:pPr")
            style_id = OxmlElement("w:pStyle")
            style_id.set(qn("w:val"), look.paragraph_style.style_id)
            properties.append(style_id)
            p.insert(0, properties)
    _write_head(list(table.rows)[:head_rows], tbl.findall(qn("w:tr"))[:head_rows], printed, widths, look)
    return table, tbl


def add_table(
    doc, printed: PrintedTable, widths: list[float] | None = None, style=None, look: CellLook | None = None
) -> Table:
    """The table itself at the end of the document: merged heading cells, numbering row, sections,
    bold program rows (``style``: the document's :func:`table_style`, looked up once by a caller
    writing many tables; by default looked up here).

    The heading rows, one body row and one section row are made with python-docx's API (widths,
    merges, flags); every body row is a copy of one of those two (``copy.deepcopy`` of its element)
    given its texts, a run of the same elements python-docx's ``add_run``, ``bold``, alignment and
    indent write. A text with tabs or line breaks is written through python-docx's cell itself.
    ``look``: the cells' paragraph style, text size and numbering of a document's table (by default
    the table style's alone).
    """
    twips = _twips(widths if widths is not None else column_widths(printed)[0])
    table, tbl = table_with_head(doc, printed, twips, 1, style, look)  # one body row: the pattern
    size = look.size if look is not None else None
    widths = [Twips(width) for width in twips]
    head_rows = printed.header_rows + (1 if printed.numbering else 0)
    rows = list(table.rows)
    trs = tbl.findall(qn("w:tr"))
    body = trs[head_rows]
    for cell, width in zip(rows[head_rows].cells, widths, strict=True):  # before a merge
        cell.width = width
    _row_flags(body, "w:cantSplit")
    section = _section_pattern(table, tbl, body)
    tbl.remove(body)
    patterns: dict[tuple, tuple] = {}  # (bold, alignment, indent): the elements a cell's text gets
    later = []  # texts with tabs or line breaks: (row, column, what write_cell is given)
    for number, printed_row in enumerate(printed.rows, start=head_rows):
        tr = copy.deepcopy(section if printed_row.section is not None else body)
        tbl.append(tr)
        tcs = tr.findall(qn("w:tc"))
        if printed_row.section is not None:
            cells = [(printed_row.section, True, WD_ALIGN_PARAGRAPH.LEFT, 0)]
        else:
            cells = [
                (
                    text,
                    printed_row.bold,
                    _KIND_ALIGNMENT.get(kind, WD_ALIGN_PARAGRAPH.LEFT),
                    printed_row.indent if kind == "text" and col == 1 else 0,
                )
                for col, (text, kind) in enumerate(zip(printed_row.cells, printed_row.kinds, strict=True))
            ]
        for col, (tc, (text, bold, align, indent)) in enumerate(zip(tcs, cells, strict=True)):
            if not text:
                continue
            shown = visible_text(text)
            if WORD_BREAKS.search(shown):
                later.append((number, col, text, bold, align, indent))
            else:
                key = (bold, align, indent)
                if key not in patterns:
                    patterns[key] = _pattern(bold, align, indent, size)
                _fill(tc, shown, patterns[key])
    for number, col, text, bold, align, indent in later:
        write_cell(table.rows[number].cells[col], text, bold=bold, align=align, indent=indent, size=size)
    return table


def _section_pattern(table: Table, tbl, body):
    """A section row's element: the body row's pattern with its cells merged into one by python-docx
    (its width the sum of the columns'), taken out of the table again."""
    tr = copy.deepcopy(body)
    tbl.append(tr)
    cells = table.rows[len(table.rows) - 1].cells
    if len(cells) > 1:
        cells[0].merge(cells[-1])
    tbl.remove(tr)
    return tr


#: A paragraph's alignment as Word writes it (``w:jc``), what python-docx's ``alignment`` sets.
_JC = {
    WD_ALIGN_PARAGRAPH.LEFT: "left",
    WD_ALIGN_PARAGRAPH.CENTER: "center",
    WD_ALIGN_PARAGRAPH.RIGHT: "right",
}


def _pattern(bold: bool, align, indent: int, size: float | None = None) -> tuple:
    """A cell paragraph's properties (``w:pPr``, or None) and its run (``w:r`` with an empty ``w:t``):
    the elements python-docx writes for ``add_run`` and ``add_text``, ``bold``, ``font.size``,
    ``alignment`` and ``left_indent``, in the schema's order (indent before alignment; a run's
    properties first, bold before size)."""
    properties = None
    if align is not None or indent:
        properties = OxmlElement("w:pPr")
        if indent:
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(Cm(0.25 * indent).twips))
            properties.append(ind)
        if align is not None:
            jc = OxmlElement("w:jc")
            jc.set(qn("w:val"), _JC[align])
            properties.append(jc)
    run = OxmlElement("w:r")
    if bold or size is not None:
        run_properties = OxmlElement("w:rPr")
        if bold:
            run_properties.append(OxmlElement("w:b"))
        if size is not None:
            for name in ("w:sz", "w:szCs"):
                half_points = OxmlElement(name)
                half_points.set(qn("w:val"), str(round(size * 2)))
                run_properties.append(half_points)
        run.append(run_properties)
    run.append(OxmlElement("w:t"))
    return properties, run


_P = qn("w:p")
_PPR = qn("w:pPr")
_PRESERVE = qn("xml:space")


def _fill(tc, shown: str, pattern: tuple) -> None:
    """A cell's (``w:tc``) paragraph given its text, no tab or line break in it: copies of a
    :func:`_pattern`. The text goes in as a text node, which lxml escapes."""
    properties, run = pattern
    p = tc.find(_P)
    if properties is not None:
        own = p.find(_PPR)
        if own is None:
            p.append(copy.deepcopy(properties))
        else:  # the cell's paragraph style is there: indent and alignment after it
            own.extend(copy.deepcopy(properties))
    run = copy.deepcopy(run)
    t = run[-1]
    t.text = shown
    if len(shown.strip()) < len(shown):  # what python-docx's add_t does
        t.set(_PRESERVE, "preserve")
    p.append(run)


def _write_head(
    rows: list, trs: list, printed: PrintedTable, widths: list, look: CellLook | None = None
) -> None:
    """The heading rows: merged as the workbook merges them, shaded, repeated on every page (in a
    document's table, at its size, a heading free to break after a slash, its own numbers)."""
    size = look.size if look is not None else None
    numbers = look.numbers if look is not None and look.numbers else ()
    cells = [row.cells for row in rows]
    for row_cells in cells:
        for cell, width in zip(row_cells, widths, strict=True):
            cell.width = width
    for head in printed.header:
        cell = cells[head.row][head.col]
        if head.rowspan > 1 or head.colspan > 1:
            cell = cell.merge(cells[head.row + head.rowspan - 1][head.col + head.colspan - 1])
        text = _HEADING_BREAK.sub("/\u200b", head.text) if size is not None else head.text
        write_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
    if printed.numbering:
        for col, cell in enumerate(cells[printed.header_rows]):
            number = numbers[col] if col < len(numbers) else col + 1
            write_cell(cell, str(number), align=WD_ALIGN_PARAGRAPH.CENTER, size=7)
    for tr in trs:
        _row_flags(tr, "w:cantSplit", "w:tblHeader")
        for tc in tr.findall(qn("w:tc")):  # a merged cell's continuation takes the fill of its first
            _shade(tc, _HEADER_FILL)
