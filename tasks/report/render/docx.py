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

import re
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tasks.core.outline import OfficeTexts
from tasks.core.scales import ReportScales
from tasks.core.text import visible_text
from tasks.report.render.document import Block, report_blocks
from tasks.report.render.narrative import Narrative
from tasks.report.render.page import PAGE, PageSetup
from tasks.report.render.printed import PrintedTable
from tasks.report.render.word_tables import add_table, column_widths, table_style

#: Room kept under a chart for its caption (cm).
_CAPTION_ROOM_CM = 2.0


def _last_paragraph(doc):
    """The ``w:p`` element of the paragraph just added: the body's last block (python-docx adds every
    block before the body's closing section properties)."""
    return doc.element.body.sectPr.getprevious()


def _field(doc, paragraph, instruction: str, result: str) -> None:
    """A Word field (``SEQ Tabel \\r 6``, ``TOC ...``) with its shown result, at the end of
    ``paragraph``, the document's last (python-docx has no API for fields: their ``w:fldChar`` and
    ``w:instrText`` elements go into runs it adds)."""
    element = _last_paragraph(doc)

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


def add_caption(doc, printed: PrintedTable, style=None) -> None:
    """The caption above a table: ``Tabel 3. `` + a SEQ field, then the title lines, one paragraph
    (``style``: the document's "Caption" style, when the caller has looked it up)."""
    paragraph = doc.add_paragraph(style=style if style is not None else "Caption")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = True
    fmt.space_before, fmt.space_after = Pt(6), Pt(4)
    titles = [visible_text(line) for line in printed.titles]
    first = titles[0] if titles else ""
    match = _NUMBERED.match(first)
    if match:
        paragraph.add_run(first[: match.start("number")])
        _field(doc, paragraph, f"SEQ {match['word']} \\r {match['number']} \\* ARABIC", match["number"])
    elif first:
        paragraph.add_run(first)
    for line in titles[1:]:
        paragraph.add_run().add_break(WD_BREAK.LINE)
        paragraph.add_run(line).font.size = Pt(10)


def _page(section, landscape: bool, page: PageSetup = PAGE) -> None:
    """A4 portrait or landscape with the template's margins."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
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
    """Writes blocks into the document, opening a landscape section for a wide table and back."""

    def __init__(self, doc, charts: Mapping[str, Path]) -> None:
        self.doc = doc
        self.charts = charts
        self.landscape = False
        self.styles: dict[str, object] = {}
        self.table_style = None
        _page(doc.sections[0], False)

    def style(self, name: str):
        """A style of the document, looked up once by name."""
        if name not in self.styles:
            self.styles[name] = self.doc.styles[name]
        return self.styles[name]

    def orientation(self, landscape: bool) -> None:
        if landscape != self.landscape:
            _page(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape)
            self.landscape = landscape

    def heading(self, block: Block) -> None:
        self.orientation(False)
        # what doc.add_heading writes
        paragraph = self.doc.add_paragraph(visible_text(block.text), self.style(f"Heading {block.level}"))
        paragraph.paragraph_format.keep_with_next = True
        if block.level == 1:
            paragraph.paragraph_format.page_break_before = True

    def paragraph(self, block: Block) -> None:
        self.orientation(False)
        self.doc.add_paragraph(visible_text(block.text)).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    def formula(self, block: Block) -> None:
        self.orientation(False)
        self.doc.add_paragraph(visible_text(block.text)).alignment = WD_ALIGN_PARAGRAPH.CENTER

    def items(self, block: Block) -> None:
        self.orientation(False)
        for item in block.items:
            self.doc.add_paragraph(visible_text(item), self.style("List Bullet"))

    def table(self, block: Block) -> None:
        assert block.table is not None
        widths, landscape = column_widths(block.table)
        self.orientation(landscape)
        add_caption(self.doc, block.table, self.style("Caption"))
        if self.table_style is None:
            self.table_style = table_style(self.doc)
        add_table(self.doc, block.table, widths, self.table_style)
        source = self.doc.add_paragraph()
        run = source.add_run(f"Sumber Data : {visible_text(block.source)}")
        run.font.size = Pt(8)
        source.paragraph_format.space_after = Pt(10)

    def signature(self, block: Block) -> None:
        """The signature block: its lines in the right half of the page, kept together."""
        self.orientation(False)
        for i, line in enumerate(block.items):
            paragraph = self.doc.add_paragraph(visible_text(line))
            fmt = paragraph.paragraph_format
            fmt.left_indent = Cm(PAGE.text_width() / 2)
            fmt.space_after = Pt(0)
            fmt.keep_with_next = i < len(block.items) - 1

    def chart(self, block: Block) -> None:
        self.orientation(False)
        path = self.charts[block.chart_id]
        pixels_wide, pixels_high = png_size(path)
        width = min(PAGE.text_width(), (PAGE.text_height() - _CAPTION_ROOM_CM) * pixels_wide / pixels_high)
        self.doc.add_picture(str(path), width=Cm(width))
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        caption = self.doc.add_paragraph(style=self.style("Caption"))
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        chapter, number = block.number.split(". ")
        caption.add_run(f"Gambar {chapter}. ")
        _field(self.doc, caption, f"SEQ Gambar \\r {number} \\* ARABIC", number)
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
        _field(doc, doc.add_paragraph(), instruction, "Perbarui bidang (F9) untuk menyusun daftar ini.")
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
    texts: OfficeTexts | None = None,
    government: str = "",
) -> Path:
    """Write the report as one .docx (``note`` under the title; ``source`` under every table, by
    default the OPD's name)."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    # 11 pt is the document's default size: Normal sets none, so the tables' style sizes their cells
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
    for block in blocks:
        getattr(writer, block.kind)(block)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
