"""The Word document in the office's template, and tables too wide for a portrait page, printed to
PDF by LibreOffice (the PDF ``sakip report --format pdf`` writes) and read back with pdfplumber.

The template is made here with python-docx as an office would make it in Word: a header with the
Pemda's name, its own cover and Kata Pengantar, the ``{{ LKJIP }}`` placeholder and a closing page,
in Liberation Serif (the office's Bookman Old Style on this machine). Each document is printed once
for the module.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

from tasks.report.render.docx import write_docx_report
from tasks.report.render.narrative import Narrative
from tasks.report.render.page import PAGE
from tasks.report.render.pdf import convert_to_pdf
from tasks.report.render.printed import HeaderCell, PrintedRow, PrintedTable, printed_tables
from tasks.report.render.template import TemplateError, open_template
from tasks.report.render.word_tables import fit_table

HEADER = "PEMERINTAH KOTA CONTOH"
COVER = "SAMPUL LAPORAN KANTOR CONTOH"
FOREWORD = "KATA PENGANTAR KANTOR CONTOH"
CLOSING = "HALAMAN PENUTUP TEMPLAT"
SERIF = "Liberation Serif"


def budget() -> pd.DataFrame:
    """Table 3.6's rows of a small agency."""
    return pd.DataFrame(
        {
            "kode": ["2.17", "2.17.01", "2.17.01.2.01", "2.17.01.2.01.01"],
            "level": ["urusan", "program", "kegiatan", "sub_kegiatan"],
            "uraian": ["URUSAN KOPERASI", "Program Penunjang", "Perencanaan", "Penyusunan Dokumen"],
            "anggaran": [1_000_000.0, 1_000_000.0, 1_000_000.0, 1_000_000.0],
            "realisasi": [800_000.0, 800_000.0, 800_000.0, 800_000.0],
            "serapan": [80.0, 80.0, 80.0, 80.0],
        }
    )


def make_template(path: Path, *, placeholder: str = "{{ LKJIP }}") -> Path:
    """An office's template: header, cover, Kata Pengantar, the placeholder, a closing page."""
    doc = Document()
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        doc.styles[name].font.name = SERIF
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        for theme in [a for a in fonts.attrib if a.endswith("Theme")]:  # Word's theme font off
            del fonts.attrib[theme]
    doc.styles["Normal"].font.size = Pt(12)
    doc.sections[0].header.paragraphs[0].text = HEADER
    doc.add_paragraph(COVER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph(FOREWORD)
    doc.add_paragraph("Segala puji kami panjatkan ke hadirat Tuhan Yang Maha Esa.")
    if placeholder:
        doc.add_paragraph(placeholder)
    doc.add_paragraph(CLOSING)
    doc.save(str(path))
    return path


def write(path: Path, template: Path | None, printed: list[PrintedTable]) -> Path:
    return write_docx_report(
        printed,
        Narrative({"anggaran": ["Anggaran dinas terserap 80%."]}),
        {},
        path,
        opd_name="Dinas Contoh",
        year=2023,
        government="PEMERINTAH KOTA CONTOH",
        template=template,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("template")


@pytest.fixture(scope="module")
def in_template(folder) -> dict[str, Path]:
    """The report written into the template, and printed."""
    printed = printed_tables({"tabel_3_6": budget()}, opd_name="Dinas Contoh", year=2023)
    template = make_template(folder / "templat.docx")
    docx = write(folder / "lkjip_2023.docx", template, printed)
    (pdf,) = convert_to_pdf([(docx, folder / "lkjip_2023.pdf")])
    return {"docx": docx, "pdf": pdf}


def _lines(pdf: pdfplumber.PDF) -> list[tuple[int, str]]:
    return [
        (n, line) for n, page in enumerate(pdf.pages) for line in (page.extract_text() or "").splitlines()
    ]


def test_the_report_goes_where_the_template_says(in_template):
    with pdfplumber.open(in_template["pdf"]) as pdf:
        lines = _lines(pdf)
        texts = [line for _, line in lines]
        # the template's header on every page, its cover first, the report at the placeholder
        assert all(HEADER in (page.extract_text() or "") for page in pdf.pages)
        assert texts.index(COVER) < texts.index(FOREWORD) < texts.index("DAFTAR ISI")
        assert texts.index("DAFTAR ISI") < texts.index("BAB III AKUNTABILITAS KINERJA TAHUN 2023")
        assert texts.index("BAB III AKUNTABILITAS KINERJA TAHUN 2023") < texts.index(CLOSING)
        assert not any("LKJIP }}" in line or "{{" in line for line in texts)
        assert not any("disusun otomatis" in line or "F9" in line for line in texts)
        # the template's font in the text and the tables
        body = [c for page in pdf.pages for c in page.chars if c["top"] > PAGE.top * 72 / 2.54]
        fonts = {c["fontname"].split("+")[-1] for c in body}
        # (the III.A bullets in LibreOffice's symbol font)
        assert fonts and all(font.startswith("LiberationSerif") or font == "OpenSymbol" for font in fonts), (
            fonts
        )
    doc = Document(str(in_template["docx"]))
    assert doc.styles["Normal"].font.name == SERIF
    assert doc.sections[0].header.paragraphs[0].text == HEADER
    assert not any("LKJIP" in p.text for p in doc.paragraphs)
    assert doc.core_properties.language == "id-ID"


def test_without_a_placeholder_the_report_follows_the_template(folder):
    template = make_template(folder / "tanpa.docx", placeholder="")
    printed = printed_tables({"tabel_3_6": budget()}, opd_name="Dinas Contoh", year=2023)
    doc = Document(str(write(folder / "tanpa_lkjip.docx", template, printed)))
    texts = [p.text for p in doc.paragraphs]
    assert (
        texts.index(CLOSING)
        < texts.index("DAFTAR ISI")
        < texts.index("BAB III AKUNTABILITAS KINERJA TAHUN 2023")
    )


def test_a_template_that_is_no_docx_is_refused(tmp_path: Path):
    (tmp_path / "rusak.docx").write_bytes(b"bukan zip")
    with pytest.raises(TemplateError, match="bukan dokumen Word"):
        open_template(tmp_path / "rusak.docx")
    with pytest.raises(TemplateError, match=r"simpan sebagai \.docx"):
        open_template(make_template(tmp_path / "templat.docx").rename(tmp_path / "templat.dotx"))


def wide(columns: int) -> PrintedTable:
    """A table of ``columns`` columns: No, Uraian, then amounts too long to fit the page together."""
    kinds = ("no", "text") + ("amount",) * (columns - 2)
    rows = tuple(
        PrintedRow(cells=(str(i), f"Program {i}") + ("22.500.227.865",) * (columns - 2), kinds=kinds)
        for i in range(1, 4)
    )
    amounts = [HeaderCell(f"Anggaran {c}", 0, c) for c in range(2, columns)]
    header = (HeaderCell("No", 0, 0), HeaderCell("Uraian", 0, 1), *amounts)
    return PrintedTable("tabel_3_6", ("Tabel 3. 6", "Anggaran Lebar"), header, 1, True, columns, rows)


@pytest.fixture(scope="module")
def too_wide(folder) -> dict[str, Path]:
    """A report with a 10-column table (split by columns) and a 14-column one (landscape): the only
    tables of BAB III, so the report numbers them Tabel 3. 1 and Tabel 3. 2 in print order."""
    ten = wide(10)
    fourteen = dataclasses.replace(wide(14), table_id="tabel_3_7", titles=("Tabel 3. 7", "Sangat Lebar"))
    docx = write(folder / "lebar.docx", None, [ten, fourteen])
    (pdf,) = convert_to_pdf([(docx, folder / "lebar.pdf")])
    return {"docx": docx, "pdf": pdf}


def test_a_table_too_wide_is_split_by_columns_with_its_identifying_columns(too_wide):
    parts = fit_table(wide(10))
    assert len(parts) >= 2 and all(part.size == 7 and not part.landscape for part in parts)
    assert all(sum(part.widths) <= PAGE.text_width() + 1e-6 for part in parts)
    assert [part.continued for part in parts] == [False] + [True] * (len(parts) - 1)
    shown = [part.numbers for part in parts]
    assert all(numbers[:2] == (1, 2) for numbers in shown)  # No and Uraian in every part
    assert sorted({n for numbers in shown for n in numbers}) == list(range(1, 11))
    doc = Document(str(too_wide["docx"]))
    captions = [p.text.split("\n")[0] for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[: len(parts)] == ["Tabel 3. 1"] + ["Tabel 3. 1 (lanjutan)"] * (len(parts) - 1)
    with pdfplumber.open(too_wide["pdf"]) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert text.count("Tabel 3. 1 (lanjutan)") == len(parts) - 1
        for page in pdf.pages:
            words = page.extract_words()
            assert max(w["x1"] for w in words) <= page.width - PAGE.right * 72 / 2.54 + 2


def test_only_a_table_of_more_than_12_columns_gets_a_landscape_page_with_its_heading(too_wide):
    doc = Document(str(too_wide["docx"]))
    orientations = [section.orientation for section in doc.sections]
    assert orientations.count(1) == 1  # one landscape section, the 14 columns'
    with pdfplumber.open(too_wide["pdf"]) as pdf:
        landscape = [page for page in pdf.pages if page.width > page.height]
        assert landscape
        first = landscape[0].extract_text() or ""
        assert "Tabel 3. 2" in first and first.index("Tabel 3. 2") < first.index("Anggaran 13")
        # the text before it went with it: no portrait page is left holding only a heading
        for page in pdf.pages:
            lines = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
            assert len(lines) > 2, lines
    settings = doc.sections[-1]._sectPr.find(qn("w:pgNumType"))
    assert settings is not None and settings.get(qn("w:start")) is None  # numbering goes on


def test_pdf_pages_of_the_wide_report_are_numbered(too_wide):
    with pdfplumber.open(too_wide["pdf"]) as pdf:
        numbers = []
        for page in pdf.pages[1:]:
            bottom = [
                w["text"] for w in page.extract_words() if w["top"] > page.height - PAGE.bottom * 72 / 2.54
            ]
            numbers.append(" ".join(bottom))
        assert all(numbers), numbers


def test_conversion_of_several_documents_in_one_start(folder, in_template, too_wide):
    pairs = [(in_template["docx"], folder / "a.pdf"), (too_wide["docx"], folder / "b.pdf")]
    assert convert_to_pdf(pairs) == [folder / "a.pdf", folder / "b.pdf"]
    assert all(path.read_bytes().startswith(b"%PDF") for _, path in pairs)
