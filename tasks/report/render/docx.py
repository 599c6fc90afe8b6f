"""The year-end report as a Word document (python-docx) that an office can sign.

Without a template the document is the built-in one: A4 portrait, Arial 12 pt (Liberation Sans on a
Debian machine) at 1.5 lines, justified, black bold headings (a BAB's centred), language id-ID; a
cover (the title, the year, the agency with its government) without a page number, the front matter
(the Ikhtisar Eksekutif, the Daftar Isi, Daftar Tabel and Daftar Gambar) numbered i, ii, … at the
bottom centre, and the body from BAB I numbered again from 1. With the office's template
(:mod:`tasks.report.render.template`) its styles, page setup, headers, footers and own pages are
kept and the report goes where its ``{{ LKJIP }}`` paragraph stands.

The document follows the report's chapters (:mod:`tasks.report.render.document`): BAB headings are
Heading 1 (each on a new page), sections A./B. Heading 2, subsections 1./2. Heading 3, so the table
of contents has its levels. Every page is portrait: a table too wide at 10 pt is set smaller (down
to 7 pt), then split by columns with its identifying columns repeated ("Tabel 3. 6 (lanjutan)");
only a table of more than 12 columns gets a landscape section, which the heading and text right
before it join. A heading, a caption and the line before a table are kept with what follows them.
Header rows repeat on every page and no row splits across pages.

Captions are Word captions: ``Tabel 3. `` followed by a ``SEQ Tabel`` field (``SEQ Gambar`` for the
charts, numbered per chapter as ``Gambar 3. 1``), so that Word and LibreOffice build the Daftar
Tabel / Daftar Gambar (the PDF is printed with the lists updated: :mod:`tasks.report.render.pdf`).
Every table has its ``Sumber Data : <source>`` line; charts are scaled to the text width and height
of their page. Values are in their Indonesian print form (``22.500.227.865``, ``83,79``, ``-`` for
zero). Text from the data is written with its control characters shown as Excel writes them
(``_x001B_``): Word's XML cannot hold them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tasks.core.government import government_title
from tasks.core.outline import OfficeTexts
from tasks.core.scales import ReportScales
from tasks.core.text import visible_text
from tasks.report.render.document import Block, report_blocks
from tasks.report.render.narrative import Narrative
from tasks.report.render.page import PAGE, PageSetup, page_of
from tasks.report.render.printed import PrintedTable
from tasks.report.render.template import body_length, ensure_styles, open_template, place_report
from tasks.report.render.word_tables import CellLook, add_table, fit_table, table_style, text_style

#: The built-in document's font and size (pt), and its language.
FONT = "Arial"
FONT_PT = 12
LANGUAGE = "id-ID"
#: Heading sizes (pt) of the built-in document, by level.
_HEADING_PT = {1: 14, 2: 12, 3: 12}
#: What the lists show until Word or LibreOffice fills them (Word offers to on opening; the PDF is
#: printed with them filled).
LIST_PLACEHOLDER = "Daftar ini disusun otomatis saat dokumen dibuka di Microsoft Word atau dicetak ke PDF."

#: Room kept under a chart for its caption (cm).
_CAPTION_ROOM_CM = 2.0


def _field(paragraph, instruction: str, result: str) -> None:
    """A Word field (``SEQ Tabel \\r 6``, ``TOC ...``, ``PAGE``) with its shown result, at the end of
    ``paragraph`` (python-docx has no API for fields: their ``w:fldChar`` and ``w:instrText``
    elements go into runs it adds)."""
    element = paragraph._p

    def run_with(child) -> None:
        paragraph.add_run()
        element[-1].append(child)  # the run just added

    def char(kind: str):
        mark = OxmlElement("w:fldChar")
        mark.set(qn("w:fldCharType"), kind)
        return mark

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(char("begin"))
    run_with(instr)
    run_with(char("separate"))
    paragraph.add_run(result)
    run_with(char("end"))


_NUMBERED = re.compile(r"^(?P<word>\S+)\s+(?P<chapter>\d+)\.\s*(?P<number>\d+)$")


def add_caption(doc, printed: PrintedTable, style=None, continued: bool = False) -> None:
    """The caption above a table: ``Tabel 3. `` + a SEQ field, then the title lines, one paragraph
    (``style``: the document's "Caption" style, when the caller has looked it up). A later part of a
    table split by columns (``continued``) is captioned ``Tabel 3. 6 (lanjutan)``, without a field:
    the lists name the table once."""
    paragraph = doc.add_paragraph(style=style if style is not None else "Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = True
    fmt.space_before, fmt.space_after = Pt(6), Pt(4)
    titles = [visible_text(line) for line in printed.titles]
    first = titles[0] if titles else ""
    match = _NUMBERED.match(first)
    if continued:
        paragraph.add_run(f"{first} (lanjutan)" if first else "(lanjutan)")
        return
    if match:
        paragraph.add_run(first[: match.start("number")])
        _field(paragraph, f"SEQ {match['word']} \\r {match['number']} \\* ARABIC", match["number"])
    elif first:
        paragraph.add_run(first)
    for line in titles[1:]:
        paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(line).font.size = Pt(10)


def _child(parent, tag: str, *, first: bool = False):
    """``parent``'s element ``tag`` (``w:rPr``), made (at the end, or ``first``) when it has none."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def _set_font(rpr_parent, name: str) -> None:
    """``w:rFonts`` of a style's or the defaults' run properties set to ``name`` for every script,
    the theme's fonts (Word's Calibri, Calibri Light) taken off."""
    fonts = _child(_child(rpr_parent, "w:rPr"), "w:rFonts", first=True)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), name)


def _set_language(rpr_parent, language: str) -> None:
    """``w:lang`` of a style's or the defaults' run properties: the text's language for spelling
    and hyphenation (Latin script)."""
    _child(_child(rpr_parent, "w:rPr"), "w:lang").set(qn("w:val"), language)


def _defaults(doc):
    """The styles part's ``w:rPrDefault`` (the run defaults every style starts from)."""
    return _child(_child(doc.styles.element, "w:docDefaults", first=True), "w:rPrDefault", first=True)


def set_language(doc, language: str = LANGUAGE) -> None:
    """The document's language: the run defaults', Normal's and the core properties'."""
    _set_language(_defaults(doc), language)
    _set_language(doc.styles["Normal"].element, language)
    doc.core_properties.language = language


def builtin_styles(doc) -> None:
    """The built-in document's look: Arial 12 pt at 1.5 lines for the body, black bold headings
    (Heading 1 centred), black bold captions; the table's cells keep their own (``Isi Tabel``)."""
    defaults = _defaults(doc)
    _set_font(defaults, FONT)
    rpr = _child(defaults, "w:rPr")
    for name in ("w:sz", "w:szCs"):
        _child(rpr, name).set(qn("w:val"), str(FONT_PT * 2))
    normal = doc.styles["Normal"]
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(6)
    for level, size in _HEADING_PT.items():
        style = doc.styles[f"Heading {level}"]
        _set_font(style.element, FONT)
        font = style.font
        font.bold, font.italic, font.size, font.color.rgb = True, False, Pt(size), RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.keep_with_next = True
        fmt.space_before, fmt.space_after = Pt(18 if level == 1 else 12), Pt(6)
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if level == 1 else WD_ALIGN_PARAGRAPH.LEFT
    caption = doc.styles["Caption"]
    _set_font(caption.element, FONT)
    font = caption.font
    font.bold, font.italic, font.size, font.color.rgb = True, False, Pt(11), RGBColor(0, 0, 0)
    caption.paragraph_format.line_spacing = 1.0


def _insert_in_sect_pr(sect_pr, element) -> None:
    """Put an element into section properties at its place in the schema (before ``w:cols`` and
    what follows it), replacing one of the same name."""
    old = sect_pr.find(element.tag)
    if old is not None:
        sect_pr.remove(old)
    later = (
        "cols",
        "formProt",
        "vAlign",
        "noEndnote",
        "titlePg",
        "textDirection",
        "bidi",
        "rtlGutter",
        "docGrid",
    )
    for name in later:
        follower = sect_pr.find(qn(f"w:{name}"))
        if follower is not None:
            follower.addprevious(element)
            return
    sect_pr.append(element)


def _page_numbers(doc, fmt: str | None, start: int | None) -> None:
    """The page numbering of the document's last section (``lowerRoman``/``decimal``; ``start``
    None: numbering goes on from the section before)."""
    sect_pr = doc.element.body.sectPr
    numbering = OxmlElement("w:pgNumType")
    if fmt:
        numbering.set(qn("w:fmt"), fmt)
    if start is not None:
        numbering.set(qn("w:start"), str(start))
    _insert_in_sect_pr(sect_pr, numbering)


def _page_number_footer(section) -> None:
    """A footer of its own with the page number at the bottom centre."""
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", "1")


def _page(section, landscape: bool, page: PageSetup | None = PAGE) -> None:
    """A section's page portrait or landscape: A4 with the usual margins (``page``), or, for a
    template's section (``page`` None), its own size and margins turned."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if page is None:
        short, long = sorted((section.page_width, section.page_height))
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        return
    long_side, short_side = Cm(page.height), Cm(page.width)
    size = (long_side, short_side) if landscape else (short_side, long_side)
    section.page_width, section.page_height = size
    section.top_margin, section.bottom_margin = Cm(page.top), Cm(page.bottom)
    section.left_margin, section.right_margin = Cm(page.left), Cm(page.right)


def png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels of a PNG file (read from its header by Pillow)."""
    from PIL import Image

    with Image.open(path) as image:
        return image.size


class _Writer:
    """Writes blocks into the document; the caller says which go on a landscape page."""

    def __init__(self, doc, charts: Mapping[str, Path], page: PageSetup, *, own_page: bool) -> None:
        self.doc = doc
        self.charts = charts
        self.page = page
        #: the built-in document sets its pages; a template's keep their size and margins
        self.own_page = own_page
        self.landscape = False
        #: nothing written yet on the current section's first page (a BAB needs no page break there)
        self.fresh = True
        self.styles: dict[str, object] = {}
        self.table_style = None
        self.text_style = None
        #: whether the List Bullet style draws its bullets (a template's added one does not)
        self.bullets = doc.styles["List Bullet"].element.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None

    def style(self, name: str):
        """A style of the document, looked up once by name."""
        if name not in self.styles:
            self.styles[name] = self.doc.styles[name]
        return self.styles[name]

    def section(self, *, landscape: bool = False) -> None:
        """A new section on a new page, numbered on from the one before."""
        self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(self.doc.sections[-1], landscape, self.page if self.own_page else None)
        self.landscape = landscape
        self.fresh = True

    def orientation(self, landscape: bool) -> None:
        """The pages from here portrait or landscape: a new section, numbered on (or the current one
        turned, when nothing is written in it yet)."""
        if landscape == self.landscape:
            return
        if self.fresh:
            _page(self.doc.sections[-1], landscape, self.page if self.own_page else None)
            self.landscape = landscape
            return
        self.section(landscape=landscape)
        if self.own_page:
            _page_numbers(self.doc, "decimal", None)

    def add(self, block: Block, keep_with_next: bool = False) -> None:
        """One block; ``keep_with_next``: kept on the page of the block after it (a table's)."""
        getattr(self, block.kind)(block)
        if keep_with_next and block.kind in ("paragraph", "formula", "items"):
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self.fresh = False

    def heading(self, block: Block) -> None:
        # what doc.add_heading writes
        paragraph = self.doc.add_paragraph(visible_text(block.text), self.style(f"Heading {block.level}"))
        paragraph.paragraph_format.keep_with_next = True
        if block.level == 1 and not self.fresh:
            paragraph.paragraph_format.page_break_before = True

    def paragraph(self, block: Block) -> None:
        self.doc.add_paragraph(visible_text(block.text)).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def formula(self, block: Block) -> None:
        self.doc.add_paragraph(visible_text(block.text)).alignment = WD_ALIGN_PARAGRAPH.CENTER

    def items(self, block: Block) -> None:
        for item in block.items:
            text = visible_text(item)
            self.doc.add_paragraph(text if self.bullets else f"\u2022 {text}", self.style("List Bullet"))

    def table(self, block: Block) -> None:
        assert block.table is not None
        if self.table_style is None:
            self.table_style = table_style(self.doc)
            self.text_style = text_style(self.doc)
        parts = fit_table(block.table, self.page)
        for part in parts:
            add_caption(self.doc, part.printed, self.style("Caption"), continued=part.continued)
            look = CellLook(self.text_style, part.size, part.numbers)
            table = add_table(self.doc, part.printed, part.widths, self.table_style, look)
            if part is parts[-1]:  # Word keeps the last row with the source line under it
                for cell in table.rows[-1].cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
            else:
                self.doc.add_paragraph().paragraph_format.space_after = Pt(6)
        source = self.doc.add_paragraph()
        run = source.add_run(f"Sumber Data : {visible_text(block.source)}")
        run.font.size = Pt(8)
        source.paragraph_format.space_after = Pt(10)

    def signature(self, block: Block) -> None:
        """The signature block: its lines in the right half of the page, kept together."""
        for i, line in enumerate(block.items):
            paragraph = self.doc.add_paragraph(visible_text(line))
            fmt = paragraph.paragraph_format
            fmt.left_indent = Cm(self.page.text_width() / 2)
            fmt.space_after = Pt(0)
            fmt.line_spacing = 1.0
            fmt.keep_with_next = i < len(block.items) - 1
            fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT

    def chart(self, block: Block) -> None:
        path = self.charts[block.chart_id]
        pixels_wide, pixels_high = png_size(path)
        width = min(
            self.page.text_width(), (self.page.text_height() - _CAPTION_ROOM_CM) * pixels_wide / pixels_high
        )
        self.doc.add_picture(str(path), width=Cm(width))
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.paragraph_format.line_spacing = 1.0
        caption = self.doc.add_paragraph(style=self.style("Caption"))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        chapter, number = block.number.split(". ")
        caption.add_run(f"Gambar {chapter}. ")
        _field(caption, f"SEQ Gambar \\r {number} \\* ARABIC", number)
        caption.add_run(f" {visible_text(block.text)}")

    def lists(self, blocks: list[Block]) -> None:
        """Daftar Isi, Daftar Tabel and Daftar Gambar (those two when the report has tables, charts),
        each on a page of its own: fields Word fills (it offers to on opening) and LibreOffice fills
        when printing the PDF."""
        kinds = {block.kind for block in blocks}
        for title, instruction, needs in (
            ("DAFTAR ISI", 'TOC \\o "1-3" \\h \\z \\u', "heading"),
            ("DAFTAR TABEL", 'TOC \\h \\z \\c "Tabel"', "table"),
            ("DAFTAR GAMBAR", 'TOC \\h \\z \\c "Gambar"', "chart"),
        ):
            if needs not in kinds:
                continue
            heading = self.doc.add_paragraph()
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            heading.paragraph_format.keep_with_next = True
            heading.paragraph_format.page_break_before = not self.fresh
            heading.paragraph_format.space_after = Pt(12)
            run = heading.add_run(title)
            run.bold, run.font.size = True, Pt(14)
            _field(self.doc.add_paragraph(), instruction, LIST_PLACEHOLDER)
            self.fresh = False
        settings = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def _cover(doc, *, opd_name: str, year: int, government: str, note: str) -> None:
    """The cover page: the report's title, the year, the agency and its government, centred."""

    def line(text: str, size: int, *, before: float = 0, bold: bool = True) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(before)
        run = paragraph.add_run(visible_text(text))
        run.bold, run.font.size = bold, Pt(size)

    line("LAPORAN KINERJA INSTANSI PEMERINTAH", 18, before=120)
    line("(LKjIP)", 18)
    line(f"TAHUN {year}", 16, before=24)
    line(opd_name.upper(), 16, before=200)
    region = government_title(government)
    if region:
        line(region.upper(), 16)
    if note:
        line(note, 11, before=24, bold=False)


def _landscape_runs(blocks: list[Block], page: PageSetup) -> set[int]:
    """The blocks printed on a landscape page: a table of more columns than the portrait page takes
    (:func:`fit_table`), with the heading(s) and up to two paragraphs right before it."""
    wide: set[int] = set()
    for i, block in enumerate(blocks):
        if block.kind != "table" or block.table is None:
            continue
        if not any(part.landscape for part in fit_table(block.table, page)):
            continue
        j = i
        while j > 0 and blocks[j - 1].kind == "paragraph" and i - j < 2:
            j -= 1
        while j > 0 and blocks[j - 1].kind == "heading":
            j -= 1
        wide.update(range(j, i + 1))
    return wide


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
    texts: OfficeTexts | None = None,
    government: str = "",
    template: Path | None = None,
) -> Path:
    """Write the report as one .docx (``note`` on the cover; ``source`` under every table, by
    default the OPD's name), in the built-in document or in the office's ``template``
    (:mod:`tasks.report.render.template`)."""
    blocks = report_blocks(
        printed,
        narrative,
        charts,
        opd_name=opd_name,
        year=year,
        source=source or opd_name,
        scales=scales,
        texts=texts,
        government=government,
    )
    front = [b for b in blocks if b.place == "IKHTISAR"]
    body = [b for b in blocks if b.place != "IKHTISAR"]
    if template is not None:
        doc = open_template(template)
        ensure_styles(doc)
        start = body_length(doc)
        page = page_of(doc.sections[-1])
        writer = _Writer(doc, charts, page, own_page=False)
        writer.fresh = False
    else:
        doc = Document()
        builtin_styles(doc)
        page = PAGE
        writer = _Writer(doc, charts, page, own_page=True)
        _page(doc.sections[0], False, page)
        _cover(doc, opd_name=opd_name, year=year, government=government, note=note)
        writer.section()  # the front matter: i, ii, ...
        _page_number_footer(doc.sections[-1])
        _page_numbers(doc, "lowerRoman", 1)
    set_language(doc)
    doc.core_properties.title = f"LKjIP {year}"
    doc.core_properties.subject = visible_text(f"{opd_name} {year}")
    doc.core_properties.author = "sakip"
    if template is not None and note:
        doc.add_paragraph().add_run(visible_text(note)).bold = True
    for i, block in enumerate(front):
        writer.add(block, keep_with_next=i + 1 < len(front) and front[i + 1].kind == "table")
    writer.lists(blocks)
    if template is None:
        writer.section()  # the body from BAB I: 1, 2, ...
        _page_numbers(doc, "decimal", 1)
    else:
        writer.fresh = False
    wide = _landscape_runs(body, page)
    for i, block in enumerate(body):
        writer.orientation(i in wide)
        writer.add(block, keep_with_next=i + 1 < len(body) and body[i + 1].kind == "table")
    if template is not None:
        writer.orientation(False)  # the template's pages after the report in its own orientation
        place_report(doc, start)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
