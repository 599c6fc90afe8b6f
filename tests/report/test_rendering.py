"""The 2022 report as a person sees it: the Word document printed by LibreOffice, the html page in Chromium.

One report (docx, html and the PDF ``sakip report --format pdf`` writes: LibreOffice, Debian's
``libreoffice-writer`` and ``python3-uno``, headless, its lists updated) is written for the module
from the 2022 sample and the PDF read back with pdfplumber, page by page as a Kasubbag Perencanaan
reads it before signing; Chromium (Debian's, through Playwright) opens the html at a desktop and a
phone width. The README's picture of a printed page is written by ``make docs-pictures``
(``page_picture.py``).
"""

from __future__ import annotations

import html
import io
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from matplotlib import image as mpimg
from playwright.sync_api import Page, sync_playwright

from tasks.core.scales import ReportScales
from tasks.report.build import build_all_tables
from tasks.report.model import HEADINGS
from tasks.report.render.docx import write_docx_report
from tasks.report.render.html import write_html_report
from tasks.report.render.narrative import Narrative
from tasks.report.render.page import PAGE
from tasks.report.render.printed import printed_tables
from tasks.report.writer import write_reports
from tasks.settings import parse_report_config
from warehouse.db import open_warehouse

OPD = "2.17.0.00.0.00.01.0000"
OPD_NAME = "Dinas Koperasi dan Usaha Mikro"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
#: points per centimetre in the PDF
PT = 72 / 2.54
#: what the text may overshoot a margin by (pt): a glyph's side bearing
TOLERANCE = 2.0


@pytest.fixture(scope="module")
def written(sample_2022, tmp_path_factory) -> dict[str, Path]:
    """The sample loaded into a fresh warehouse and its 2022 report written as docx and html."""
    from tasks.extract.reading import read_workbook
    from tasks.operations.intake import discover_workbooks, load_workbook

    work = tmp_path_factory.mktemp("rendering")
    engine = open_warehouse(f"sqlite:///{work / 'sakip.db'}")
    for path in discover_workbooks([sample_2022.indicators.parent]):
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    scales = ReportScales()
    tables = build_all_tables(engine, 2022, scales.capaian_scale, 100.0)
    write_reports(engine, tables, work / "reports", 2022, ("docx", "html", "pdf"), scales)
    engine.dispose()
    out = work / "reports" / "2022" / OPD
    return {
        "docx": out / "lkjip_2022.docx",
        "html": out / "lkjip_2022.html",
        "pdf": out / "lkjip_2022.pdf",
        "work": work,
    }


@pytest.fixture(scope="module")
def pdf(written) -> Iterator[pdfplumber.PDF]:
    """The PDF the report wrote (LibreOffice, headless, a profile of its own, the lists updated)."""
    with pdfplumber.open(written["pdf"]) as document:
        yield document


def _page_lines(page) -> list[str]:
    return (page.extract_text() or "").splitlines()


# ------------------------------------------------------------------------------------- the docx


def _body_order(doc) -> list[tuple[str, object]]:
    """Headings (level, text), table captions and chart captions of the docx, in order."""
    order: list[tuple[str, object]] = []
    for child in doc.element.body.iterchildren():
        if child.tag != qn("w:p"):
            continue
        paragraph = Paragraph(child, doc)
        style = paragraph.style.name if paragraph.style is not None else ""
        if style.startswith("Heading "):
            order.append(("heading", (int(style.split()[1]), paragraph.text)))
        elif style == "Caption":
            order.append(("caption", paragraph.text.split("\n")[0]))
    return order


def test_headings_follow_the_document_chapters(written):
    doc = Document(str(written["docx"]))
    headings = [value for kind, value in _body_order(doc) if kind == "heading"]
    expected = [
        (1, "IKHTISAR EKSEKUTIF"),
        (1, "BAB I PENDAHULUAN"),
        (1, "BAB II PERENCANAAN KINERJA"),
        (2, "A. Perencanaan Strategis"),
        (2, "B. Perjanjian Kinerja Tahun 2022"),
        (1, "BAB III AKUNTABILITAS KINERJA TAHUN 2022"),
        (2, "A. Metode Pengukuran Capaian Kinerja"),
        (2, "B. Capaian Kinerja Organisasi"),
        (2, "C. Analisis Capaian Kinerja Tujuan dan Sasaran Tahun 2022"),
        (2, "D. Akuntabilitas Anggaran"),
        (3, "1. Target dan Realisasi Pendapatan"),
        (3, "2. Alokasi Anggaran dan Realisasi Belanja Tahun 2022"),
        (3, "3. Sisa Anggaran"),
        (1, "BAB IV PENUTUP"),
        (1, "LAMPIRAN"),
    ]
    # in this order, each once (the sections between them join them)
    assert [h for h in headings if h in expected] == expected
    assert len(set(headings)) == len(headings) and headings[0] == expected[0]
    assert {level for level, _ in headings} == {1, 2, 3}
    text = [p.text for p in doc.paragraphs]
    # III.A from the configured formulas and the capaian scale
    assert "Capaian = Realisasi / Target × 100" in text
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    first = bullets.index("x > 90 : Sangat Tinggi")
    assert bullets[first : first + 5] == [
        "x > 90 : Sangat Tinggi",
        "90 ≥ x > 75 : Tinggi",
        "75 ≥ x > 65 : Sedang",
        "65 ≥ x > 50 : Rendah",
        "x ≤ 50 : Sangat Rendah",
    ]


def test_captions_are_word_captions_with_seq_fields(written):
    doc = Document(str(written["docx"]))
    captions = [value for kind, value in _body_order(doc) if kind == "caption"]
    tables = [c for c in captions if re.fullmatch(r"Tabel \d+\. \d+", c)]
    figures = [c for c in captions if c.startswith("Gambar")]
    numbers = [tuple(int(n) for n in re.findall(r"\d+", c)) for c in tables]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)  # in document order, once
    assert {(2, 1), (2, 3), (3, 1), (3, 2), (3, 4), (3, 5), (3, 6), (3, 7)} <= set(numbers)
    assert [f.split(" ", 3)[:3] for f in figures] == [["Gambar", "3.", str(n)] for n in range(1, 5)]
    instructions = [t.text.strip() for t in doc.element.body.iter(qn("w:instrText"))]
    assert sum(i.startswith("SEQ Tabel") for i in instructions) == len(numbers)
    assert "SEQ Tabel \\r 6 \\* ARABIC" in instructions
    assert sum(i.startswith("SEQ Gambar") for i in instructions) == 4
    assert 'TOC \\h \\z \\c "Tabel"' in instructions and 'TOC \\h \\z \\c "Gambar"' in instructions
    for paragraph in doc.paragraphs:
        if paragraph.style.name == "Caption" and paragraph.text.startswith("Tabel"):
            assert paragraph.paragraph_format.keep_with_next, paragraph.text
    # the agency named in full, with its government
    # under every table (a table split by columns: under its last part)
    continued = sum(c.endswith(" (lanjutan)") for c in captions)
    assert [p.text for p in doc.paragraphs].count(f"Sumber Data : {OPD_NAME} Kota Semarang") == len(
        doc.tables
    ) - continued


def test_tables_fit_the_text_width_of_their_section(written):
    """Every table's grid is at most the text width of its section (portrait, or landscape when wide)."""
    doc = Document(str(written["docx"]))
    pending: list = []
    checked: list[tuple[int, int, bool]] = []

    def close(sect_pr) -> None:
        size, margins = sect_pr.find(qn("w:pgSz")), sect_pr.find(qn("w:pgMar"))
        width = int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) - int(margins.get(qn("w:right")))
        for tbl in pending:
            grid = sum(int(c.get(qn("w:w"))) for c in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol")))
            assert grid <= width, (grid, width)
            assert tbl.find(qn("w:tblPr")).find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            checked.append((grid, width, size.get(qn("w:orient")) == "landscape"))
        pending.clear()

    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            pending.append(child)
        elif child.tag == qn("w:p") and child.pPr is not None and child.pPr.find(qn("w:sectPr")) is not None:
            close(child.pPr.find(qn("w:sectPr")))
        elif child.tag == qn("w:sectPr"):
            close(child)
    assert len(checked) == len(doc.tables)
    portrait_width = PAGE.text_width() / 2.54 * 1440
    # no table of the sample has more than 12 columns: every one is on a portrait page
    assert all(width == pytest.approx(portrait_width, abs=2) and not wide for _, width, wide in checked)
    assert all(section.orientation == 0 for section in doc.sections)
    assert doc.sections[0].page_width.cm == pytest.approx(21.0, abs=0.01)
    for table in doc.tables:
        rows = table._tbl.tr_lst
        assert all(tr.trPr is not None and tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None


def test_table_columns_keep_the_workbook_proportions(written):
    """Table 3.6: Uraian is the widest column, as in the workbook, and '%' the narrowest."""
    doc = Document(str(written["docx"]))
    t36 = next(
        t for t in doc.tables if t.rows[0].cells[1].text.startswith("Program/") and len(t.columns) == 5
    )
    assert t36.rows[0].cells[1].text == "Program/\u200bKegiatan/\u200bSub Kegiatan"  # may break after "/"
    widths = [int(c.get(qn("w:w"))) for c in t36._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert widths[1] == max(widths) and widths[1] > 2 * widths[2]
    assert widths[4] == min(widths)


def test_charts_fit_their_page(written):
    doc = Document(str(written["docx"]))
    assert len(doc.inline_shapes) == 4
    for shape in doc.inline_shapes:
        assert shape.width.cm <= PAGE.text_width() + 0.01
        assert shape.height.cm <= PAGE.text_height() + 0.01


def test_source_and_scale_come_from_the_configuration(tmp_path: Path):
    """``[report] source`` is the line under every table, the configured scale the III.A list."""
    config = parse_report_config(
        tomllib.loads(
            '[[capaian.scale]]\nabove = 100\nlabel = "Melampaui"\n[[capaian.scale]]\nabove = 85\n'
            'label = "Baik"\n[[capaian.scale]]\nlabel = "Kurang"\n[report]\nsource = "Bappeda Kota Contoh"\n'
        )
    )
    budget = pd.DataFrame(
        {
            "kode": ["2.17", "2.17.01"],
            "level": ["urusan", "program"],
            "uraian": ["URUSAN", "Program A"],
            "anggaran": [100.0, 100.0],
            "realisasi": [80.0, 80.0],
            "serapan": [80.0, 80.0],
        }
    )
    printed = printed_tables({"tabel_3_6": budget}, opd_name="Dinas Contoh", year=2023)
    narrative = Narrative({"anggaran": ["Anggaran."]})
    kwargs = {"opd_name": "Dinas Contoh", "year": 2023, "source": config.data_source, "scales": config}
    docx = Document(str(write_docx_report(printed, narrative, {}, tmp_path / "r.docx", **kwargs)))
    page = write_html_report(printed, narrative, {}, tmp_path / "r.html", **kwargs).read_text("utf-8")
    items = ["x > 100 : Melampaui", "100 ≥ x > 85 : Baik", "x ≤ 85 : Kurang"]
    assert [p.text for p in docx.paragraphs if p.style.name == "List Bullet"] == items
    assert all(f"<li>{html.escape(item)}</li>" in page for item in items)
    assert "Sumber Data : Bappeda Kota Contoh" in [p.text for p in docx.paragraphs]
    assert '<p class="source">Sumber Data : Bappeda Kota Contoh</p>' in page
    headings = [(p.style.name, p.text) for p in docx.paragraphs if p.style.name.startswith("Heading ")]
    assert headings[0] == ("Heading 1", "BAB III AKUNTABILITAS KINERJA TAHUN 2023")
    assert ("Heading 3", "2. Alokasi Anggaran dan Realisasi Belanja Tahun 2023") in headings
    assert "<h2>BAB III AKUNTABILITAS KINERJA TAHUN 2023</h2>" in page


# ----------------------------------------------------------------------------------- the printed pdf


def test_printed_page_count(pdf):
    assert 12 <= len(pdf.pages) <= 40, len(pdf.pages)


def _footer(page) -> str:
    """What the page prints in its bottom margin (its page number), centred on the page."""
    words = [w for w in page.extract_words() if w["top"] > page.height - PAGE.bottom * PT]
    for word in words:
        assert abs((word["x0"] + word["x1"]) / 2 - page.width / 2) < 15, word
    return " ".join(w["text"] for w in words)


def _content(page) -> list[str]:
    """The page's lines above its bottom margin."""
    top = page.height - PAGE.bottom * PT
    cropped = page.within_bbox((0, 0, page.width, top))
    return [line for line in (cropped.extract_text() or "").splitlines() if line.strip()]


def _roman(number: int) -> str:
    return ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"][number - 1]


def test_pages_are_portrait_and_numbered_roman_then_from_1_at_bab(pdf):
    """The cover has no number; the front matter i, ii, ...; the body from its first chapter 1, 2, ...
    at the bottom centre of every page."""
    pages = pdf.pages
    assert all(page.width < page.height for page in pages)
    assert _footer(pages[0]) == ""
    assert "LAPORAN KINERJA INSTANSI PEMERINTAH" in _content(pages[0])
    assert "DINAS KOPERASI DAN USAHA MIKRO" in _content(pages[0]) and "KOTA SEMARANG" in _content(pages[0])
    first_body = next(i for i, page in enumerate(pages) if _content(page)[0].startswith("BAB "))
    assert first_body >= 4  # cover, Daftar Isi, Daftar Tabel, Daftar Gambar
    assert [_footer(p) for p in pages[1:first_body]] == [_roman(n) for n in range(1, first_body)]
    assert [_footer(p) for p in pages[first_body:]] == [str(n) for n in range(1, len(pages) - first_body + 1)]


def _headings(written) -> set[str]:
    doc = Document(str(written["docx"]))
    return {p.text for p in doc.paragraphs if p.style.name.startswith("Heading ")}


def test_no_page_ends_with_a_heading_or_holds_only_headings(pdf, written):
    headings = _headings(written)
    assert len(headings) >= 10
    for number, page in enumerate(pdf.pages, 1):
        lines = _content(page)
        assert lines, number
        assert not all(line in headings for line in lines), (number, lines)
        assert lines[-1] not in headings, (number, lines[-1])


def test_the_lists_are_filled_with_the_pages_of_their_entries(pdf, written):
    """No field placeholder is printed; the Daftar Isi and Daftar Tabel give each entry the number
    printed on the page where its heading or caption stands."""
    text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "F9" not in text and "disusun otomatis" not in text
    where: dict[str, str] = {}  # a heading or table caption -> the number printed on its page
    for page in pdf.pages:
        number = _footer(page)
        for line in _content(page):
            where.setdefault(line.strip(), number)
    lists = {title: i for i, page in enumerate(pdf.pages[:6]) for title in _content(page)[:1]}
    assert {"DAFTAR ISI", "DAFTAR TABEL", "DAFTAR GAMBAR"} <= set(lists)
    contents = " ".join(_content(pdf.pages[lists["DAFTAR ISI"]])[1:])
    entries = re.findall(r"((?:BAB [IV]+|LAMPIRAN)[^.]*?)\.{4,}\s*(\d+)", contents)
    assert len(entries) >= 3, contents
    for heading, number in entries:
        assert where[heading.strip()] == number, (heading, number)
    tables = " ".join(_content(pdf.pages[lists["DAFTAR TABEL"]])[1:])
    captions = re.findall(r"(Tabel \d+\. \d+) .*?\.{4,}\s*(\d+)", tables)
    assert len(captions) >= 8, tables
    for caption, number in captions:
        assert where[caption] == number, (caption, number)
    figures = re.findall(
        r"(Gambar \d+\. \d+) .*?\.{4,}\s*(\d+)", " ".join(_content(pdf.pages[lists["DAFTAR GAMBAR"]]))
    )
    assert len(figures) == 4


def test_every_body_table_has_its_caption_above_it(written):
    """In the Word document each table follows its caption (its own, or its "lanjutan"), kept with it."""
    doc = Document(str(written["docx"]))
    before = None
    in_appendix = False
    numbered = 0
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            assert before is not None and before.style.name == "Caption" and before.text.strip(), before
            assert before.paragraph_format.keep_with_next
            if not in_appendix:  # the body's tables are numbered per chapter: "Tabel 3. 6"
                caption = before.text.split("\n")[0]
                assert re.fullmatch(r"Tabel [1-4]\. \d+( \(lanjutan\))?", caption), caption
                numbered += 1
        before = Paragraph(child, doc) if child.tag == qn("w:p") else None
        if before is not None and before.style.name == "Heading 1" and before.text == "LAMPIRAN":
            in_appendix = True
    assert in_appendix and numbered >= 12


def test_the_offices_texts_print_right_under_their_headings(pdf, sample_2022):
    """The Narasi sheet of the sample's indicator workbook: each text printed under the heading its
    Bagian names, before anything sakip writes there."""
    from tasks.extract.reading import read_workbook

    texts = read_workbook(sample_2022.indicators).workbook.texts
    pages = pdf.pages
    first_body = next(i for i, page in enumerate(pages) if _content(page)[0].startswith("BAB "))
    body = " ".join(" ".join(_content(page)) for page in pages[first_body:])
    placed = 0
    for key, paragraphs in texts.sections.items():
        if key not in HEADINGS:
            continue
        heading = HEADINGS[key].text(2022)
        at = body.index(heading)
        opening = " ".join(paragraphs[0].split()[:6])
        assert body.index(opening, at) - (at + len(heading)) <= 1, (key, body[at : at + 200])
        placed += 1
    assert placed >= 6, sorted(texts.sections)


def test_the_document_is_in_indonesian_in_the_office_font(pdf, written):
    doc = Document(str(written["docx"]))
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == "id-ID"
    assert doc.core_properties.language == "id-ID"
    heading = doc.styles["Heading 1"]
    assert heading.font.color.rgb == (0, 0, 0) and heading.font.bold
    fonts = {char["fontname"].split("+")[-1] for page in pdf.pages[4:8] for char in page.chars}
    # Arial is printed in Liberation Sans; the bullets of III.A in LibreOffice's symbol font
    assert fonts and all(font.startswith("LiberationSans") or font == "OpenSymbol" for font in fonts), fonts
    sizes = [round(char["size"]) for char in pdf.pages[6].chars]
    assert max(set(sizes), key=sizes.count) in (9, 10, 12)  # body text and 9-10 pt tables


def test_no_text_beyond_the_margins(pdf):
    """Nothing printed in the right (or left) margin: no table is cut at the edge of the text."""
    for number, page in enumerate(pdf.pages, 1):
        right = page.width - PAGE.right * PT + TOLERANCE
        left = PAGE.left * PT - TOLERANCE
        words = page.extract_words()
        assert words, number
        assert max(w["x1"] for w in words) <= right, number
        assert min(w["x0"] for w in words) >= left, number


def test_every_caption_is_on_the_page_of_its_table(pdf, written):
    """A table caption's page shows the table's first heading under it; a chart caption its picture."""
    doc = Document(str(written["docx"]))
    first_heading: dict[str, str] = {}  # numbered caption -> the first heading cell of its table
    caption = None
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, doc)
            if paragraph.style is not None and paragraph.style.name == "Caption":
                caption = paragraph.text.split("\n")[0]
        elif child.tag == qn("w:tbl") and caption is not None:
            if re.fullmatch(r"Tabel \d+\. \d+", caption):
                first_heading[caption] = Table(child, doc).rows[0].cells[0].text.replace("\u200b", "")
            caption = None
    assert len(first_heading) >= 8
    found: set[str] = set()
    for page in pdf.pages:
        lines = _page_lines(page)
        for i, line in enumerate(lines):
            if line.strip() in first_heading:
                caption = line.strip()
                # a heading cell over two lines shares its lines with its neighbours: word by word
                below = " ".join(lines[i + 1 :])
                assert all(word in below for word in first_heading[caption].split()), (caption, below[:200])
                found.add(caption)
            if line.startswith("Gambar 3. ") and "...." not in line:  # not the Daftar Gambar's
                caption_top = next(w["top"] for w in page.extract_words() if w["text"] == "Gambar")
                assert any(image["bottom"] <= caption_top + 1 for image in page.images), line
                found.add(line.split(" ", 3)[2])
    assert set(first_heading) <= found
    assert {"1", "2", "3", "4"} <= found


# ---------------------------------------------------------------------------------- the html page


def _order_html(page: Page) -> list[tuple[str, object]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('h2, h3, h4, table caption, figcaption')].map(e =>
            e.tagName === 'CAPTION' || e.tagName === 'FIGCAPTION'
              ? ['caption', e.childNodes[0].textContent.trim()]
              : ['heading', [Number(e.tagName[1]) - 1, e.textContent.trim()]])"""
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium, never a downloaded browser."""
    assert Path(CHROMIUM).is_file(), "chromium is missing: `make test` installs it"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, written, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(written["html"].as_uri())
    page.wait_for_load_state("load")
    return page


def _not_blank(png: bytes) -> None:
    pixels = mpimg.imread(io.BytesIO(png), format="png")
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(rgb, axis=0)) > 50
    assert (rgb < 245).any(axis=1).mean() > 0.05


def test_html_has_the_structure_of_the_docx(browser, written):
    page = _open(browser, written, 1280)
    html_order = [(kind, tuple(value) if kind == "heading" else value) for kind, value in _order_html(page)]
    # the page never splits a table by columns: the docx's continued parts are not on it
    docx_order = [
        (kind, value)
        for kind, value in _body_order(Document(str(written["docx"])))
        if not (kind == "caption" and value.endswith(" (lanjutan)"))
    ]
    figures = [(k, v) for k, v in html_order if k == "caption" and v.startswith("Gambar")]
    html_order = [
        (k, v.split(" ", 3)[:3] if k == "caption" and v.startswith("Gambar") else v) for k, v in html_order
    ]
    docx_order = [
        (k, v.split(" ", 3)[:3] if k == "caption" and v.startswith("Gambar") else v) for k, v in docx_order
    ]
    assert html_order == docx_order
    assert len(figures) == 4
    page.context.close()


def test_html_renders_tables_and_charts_at_desktop_width(browser, written):
    page = _open(browser, written, 1280)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    sizes = page.evaluate(
        "[...document.querySelectorAll('table')].map(t => [t.getBoundingClientRect().width, t.rows.length])"
    )
    doc = Document(str(written["docx"]))
    continued = [v for k, v in _body_order(doc) if k == "caption" and v.endswith(" (lanjutan)")]
    assert len(sizes) == len(doc.tables) - len(continued)  # the page keeps a split table whole
    assert all(width > 300 and rows >= 2 for width, rows in sizes), sizes  # a heading row and a row at least
    images = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth, i.clientWidth])")
    assert len(images) == 4 and all(done and natural > 500 and shown > 300 for done, natural, shown in images)
    _not_blank(page.locator("figure").first.screenshot())
    _not_blank(page.locator("table#tabel_3_6").screenshot())
    page.context.close()


def test_html_is_readable_on_a_phone(browser, written):
    page = _open(browser, written, 390)
    # the page never scrolls sideways; a wide table scrolls inside its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    boxes = page.evaluate(
        """[...document.querySelectorAll('.scroll')].map(b =>
            [b.getBoundingClientRect().right, b.scrollWidth > b.clientWidth])"""
    )
    assert all(right <= 390 for right, _ in boxes)
    assert any(scrolls for _, scrolls in boxes)
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('td')).fontSize)")
    assert font >= 10
    images = page.evaluate("[...document.images].map(i => i.getBoundingClientRect().right)")
    assert all(right <= 390 for right in images)
    page.context.close()


def test_html_prints_on_a4_with_table_headings_repeated(browser, written):
    page = _open(browser, written, 1280)
    page.emulate_media(media="print")
    styles = page.evaluate(
        """[getComputedStyle(document.querySelector('thead')).display,
            getComputedStyle(document.querySelector('tbody tr')).breakInside,
            getComputedStyle(document.querySelector('h2')).breakBefore,
            getComputedStyle(document.querySelector('.scroll')).overflowX]"""
    )
    assert styles == ["table-header-group", "avoid", "page", "visible"]
    printed = page.pdf(format="A4", prefer_css_page_size=True)
    with pdfplumber.open(io.BytesIO(printed)) as document:
        assert len(document.pages) >= 8
        for number, sheet in enumerate(document.pages, 1):
            words = sheet.extract_words()
            if words:
                assert max(w["x1"] for w in words) <= sheet.width - 2.5 * PT + TOLERANCE, number
    page.context.close()
