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

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from tasks.core.scales import ReportScales
from tasks.core.text import visible_text
from tasks.report.render.document import Block, report_blocks
from tasks.report.render.narrative import Narrative
from tasks.report.render.page import PAGE, PageSetup
from tasks.report.render.printed import PrintedTable
from tasks.report.render.word_tables import WORD_BREAKS, add_table, column_widths

#: Room kept under a chart for its caption (cm).
_CAPTION_ROOM_CM = 2.0


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
    if WORD_BREAKS.search(text):
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
