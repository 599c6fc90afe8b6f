"""The year-end writers' shortcuts give the files the plain way gives.

Charts are drawn on figures kept for the next OPD of the same process (their axes and ticks cost more
to make than to draw); Word tables' body rows are written as XML text and parsed at once. Neither may
change a file: a chart is the same whatever was drawn before it, a table row is the XML python-docx
writes through its own objects.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu
from lxml import etree

from tasks.core.text import visible_text
from tasks.report.render import charts
from tasks.report.render.printed import HeaderCell, PrintedRow, PrintedTable
from tasks.report.render.word_tables import _twips, _write_cell_slowly, add_table
from tasks.settings import ReportScales
from tests.fixtures.hostile import DOLLAR, ESCAPE, SCRIPT


def monthly(programs: int, scale: float, months: int = 12) -> pd.DataFrame:
    """Cumulative RAK and realization of an urusan and ``programs`` programs by month."""
    rows = []
    for level, code, name, size in [("urusan", "2.17", "URUSAN", programs)] + [
        ("program", f"2.17.0{p + 1}", f"Program {p + 1} {DOLLAR}", 1) for p in range(programs)
    ]:
        for month in range(1, months + 1):
            rak = scale * size * month / months
            rows.append((month, level, code, name, scale * size, rak, rak * (0.5 + 0.04 * month)))
    columns = [
        "bulan",
        "level",
        "kode",
        "uraian",
        "anggaran_rp",
        "anggaran_kas_sd_bulan_ini_rp",
        "realisasi_sd_bulan_ini_rp",
    ]
    return pd.DataFrame(rows, columns=columns)


def tabel_3_6(programs: int, low: float) -> pd.DataFrame:
    """An urusan and its programs, serapan from ``low`` up."""
    rows = [("2.17", "urusan", "URUSAN", 100.0)]
    rows += [(f"2.17.0{p + 1}", "program", f"Program {p + 1}", low + 9 * p) for p in range(programs)]
    return pd.DataFrame(rows, columns=["kode", "level", "uraian", "serapan"])


def tabel_3_5(indicators: int, base: float) -> pd.DataFrame:
    """Sasaran indicators with capaian from ``base`` up."""
    return pd.DataFrame(
        {
            "jenis": ["sasaran"] * indicators,
            "no": list(range(1, indicators + 1)),
            "indikator": [f"Indikator {i}" for i in range(indicators)],
            "capaian": [base + 11 * i for i in range(indicators)],
            "kategori": ["Tinggi" if i % 2 else "Sedang" for i in range(indicators)],
        }
    )


def draw_every_chart(case: dict, folder: Path) -> dict[str, bytes]:
    """The four charts of one OPD's data, as PNG bytes."""
    config = ReportScales()
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "opd": charts.chart_cumulative_opd(case["monthly"], folder / "opd.png", case["name"], 2024),
        "programs": charts.chart_cumulative_programs(case["monthly"], folder / "programs.png"),
        "serapan": charts.chart_serapan_program(case["t36"], folder / "serapan.png", config),
        "capaian": charts.chart_capaian(case["t35"], folder / "capaian.png", config),
    }
    return {chart: path.read_bytes() for chart, path in paths.items()}


def forget_figures() -> None:
    """As a new process starts: no figure kept, no text measured or rasterized."""
    from tasks.report.render import glyphs

    charts._PANEL_FIGURES.clear()
    charts._BAR_FIGURES.clear()
    charts._BACKGROUNDS.clear()
    glyphs._TEXTS.clear()
    glyphs._SIZES.clear()
    glyphs._HEIGHTS.clear()


def test_a_chart_is_the_same_file_whatever_was_drawn_before_it(tmp_path: Path) -> None:
    # small: 3 programs in juta, high serapan; large: 4 programs (the same 2 x 2 grid, one panel
    # more) in miliar, 7 months, one program under the threshold; the same number of bars
    small = {
        "monthly": monthly(3, 4e8),
        "t36": tabel_3_6(3, 80.0),
        "t35": tabel_3_5(3, 60.0),
        "name": "Dinas A",
    }
    large = {
        "monthly": monthly(4, 9e10, months=7),
        "t36": tabel_3_6(3, 20.0),
        "t35": tabel_3_5(3, 95.0),
        "name": f"Dinas {SCRIPT}",
    }
    forget_figures()
    small_fresh = draw_every_chart(small, tmp_path / "a")
    large_after_small = draw_every_chart(large, tmp_path / "b")
    small_again = draw_every_chart(small, tmp_path / "c")
    forget_figures()
    large_fresh = draw_every_chart(large, tmp_path / "d")
    assert charts._PANEL_FIGURES and charts._BAR_FIGURES  # the figures were kept, then drawn again
    for chart in small_fresh:
        assert small_again[chart] == small_fresh[chart], chart
        assert large_after_small[chart] == large_fresh[chart], chart
        assert small_fresh[chart] != large_fresh[chart], chart  # what was drawn before is gone


def test_the_unchanging_part_of_a_panel_chart_is_drawn_once_and_the_rest_over_it(tmp_path: Path) -> None:
    """Two OPDs with the same panels and months: the second is drawn over the first's axes, month
    names and legend, and both files are the ones a new process draws."""
    forget_figures()
    first = charts.chart_cumulative_programs(monthly(3, 4e8), tmp_path / "a.png").read_bytes()
    figure_draws = []
    fig, _ = next(iter(charts._PANEL_FIGURES.values()))
    fig.canvas.mpl_connect("draw_event", figure_draws.append)  # a whole drawing of the figure
    second = charts.chart_cumulative_programs(monthly(3, 9e10), tmp_path / "b.png").read_bytes()
    again = charts.chart_cumulative_programs(monthly(3, 4e8), tmp_path / "c.png").read_bytes()
    assert figure_draws == [] and len(charts._BACKGROUNDS) == 1
    forget_figures()
    second_fresh = charts.chart_cumulative_programs(monthly(3, 9e10), tmp_path / "d.png").read_bytes()
    assert again == first and second == second_fresh and second != first


@pytest.mark.parametrize("chart", ["opd", "programs"])
def test_a_panel_chart_drawn_over_its_kept_part_is_the_plain_drawing(tmp_path: Path, chart: str) -> None:
    """OPDs of many sizes drawn one after the other on the kept figure, each over the pixels kept
    from the first: every file is what matplotlib draws of the whole figure at once (the amounts'
    limits reach the pixels through the spines' ends, which therefore are drawn each time)."""
    import io

    import numpy as np
    from PIL import Image

    forget_figures()
    for number, scale in enumerate([4e8, 7.3e8, 1.9e9, 9e10, 3.1e11, 5.5e7]):
        data = monthly(3, scale)
        if chart == "opd":
            path = charts.chart_cumulative_opd(data, tmp_path / f"{number}.png", f"Dinas {number}", 2024)
        else:
            path = charts.chart_cumulative_programs(data, tmp_path / f"{number}.png")
        fig = next(fig for (fig, _) in charts._PANEL_FIGURES.values() if fig.canvas.get_renderer())
        for artist in fig.findobj():
            artist.set_animated(False)
        fig.canvas.draw()
        plain = np.asarray(fig.canvas.buffer_rgba())
        with Image.open(io.BytesIO(path.read_bytes())) as written:
            assert np.array_equal(np.asarray(written), plain), scale
    assert len(charts._BACKGROUNDS) == 1  # one kept part, drawn over six times


def test_months_that_move_with_the_data_are_drawn_where_they_fall(tmp_path: Path) -> None:
    """A program without any value in January starts its lines in February: the axis's months move,
    and the chart drawn after another OPD's is the one a new process draws."""
    gap = monthly(3, 4e8)
    january = gap["bulan"] == 1
    gap.loc[january, ["anggaran_kas_sd_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"]] = float("nan")
    forget_figures()
    charts.chart_cumulative_programs(monthly(3, 4e8), tmp_path / "full.png")
    after = charts.chart_cumulative_programs(gap, tmp_path / "gap.png").read_bytes()
    forget_figures()
    assert after == charts.chart_cumulative_programs(gap, tmp_path / "fresh.png").read_bytes()


def test_a_panel_left_over_by_an_opd_with_more_programs_is_not_shown(tmp_path: Path) -> None:
    forget_figures()
    charts.chart_cumulative_programs(monthly(4, 4e8), tmp_path / "four.png")
    three_after_four = charts.chart_cumulative_programs(monthly(3, 4e8), tmp_path / "three.png").read_bytes()
    forget_figures()
    three_fresh = charts.chart_cumulative_programs(monthly(3, 4e8), tmp_path / "fresh.png").read_bytes()
    assert three_after_four == three_fresh


# --------------------------------------------------------------------------------------------------
# Word tables


TEXTS = [
    SCRIPT,
    'Belanja & <Modal> ]]> "kutip"',
    f"  spasi di depan \x1b {ESCAPE}",
    "",
    "baris\npertama\tkolom",
    "Rp 1.234.567,89",
]


def printed_table() -> PrintedTable:
    """A table with every kind of body row: plain, bold, indented, section, hostile and broken text."""
    kinds = ("no", "text", "amount")
    rows = [
        PrintedRow(cells=("1", TEXTS[0], "1.000"), kinds=kinds, bold=True),
        PrintedRow(cells=("", "", ""), kinds=kinds, section=f"SASARAN {TEXTS[1]}"),
        PrintedRow(cells=("2", TEXTS[2], TEXTS[5]), kinds=kinds, indent=2),
        PrintedRow(cells=("3", TEXTS[4], TEXTS[3]), kinds=("no", "text", "number")),
        PrintedRow(cells=("4", TEXTS[1], "-"), kinds=("label", "text", "code"), indent=1),
    ]
    header = (
        HeaderCell("No", 0, 0, rowspan=2),
        HeaderCell("Uraian", 0, 1, rowspan=2),
        HeaderCell("Realisasi", 0, 2),
        HeaderCell("Rp", 1, 2),
    )
    return PrintedTable(
        table_id="uji",
        titles=("Tabel Uji",),
        header=header,
        header_rows=2,
        numbering=True,
        ncols=3,
        rows=tuple(rows),
        widths=(1.0, 5.0, 2.0),
    )


def rows_through_python_docx(printed: PrintedTable, widths: list[float]) -> list[bytes]:
    """The body rows as python-docx writes them through its table, cell and run objects."""
    doc = Document()
    table = doc.add_table(rows=len(printed.rows), cols=printed.ncols)
    twips = _twips(widths)
    for row, tr in zip(printed.rows, table._tbl.tr_lst, strict=True):
        cells = table.rows[printed.rows.index(row)].cells
        if row.section is not None:
            merged = cells[0].merge(cells[-1])
            _write_cell_slowly(merged, visible_text(row.section), bold=True)
        else:
            for col, (text, kind) in enumerate(zip(row.cells, row.kinds, strict=True)):
                align = {
                    "amount": WD_ALIGN_PARAGRAPH.RIGHT,
                    "number": WD_ALIGN_PARAGRAPH.RIGHT,
                    "no": WD_ALIGN_PARAGRAPH.CENTER,
                    "label": WD_ALIGN_PARAGRAPH.CENTER,
                }.get(kind)
                indent = row.indent if kind == "text" and col == 1 else 0
                shown = visible_text(text)
                _write_cell_slowly(cells[col], shown, bold=row.bold, align=align, indent=indent)
        flag = OxmlElement("w:cantSplit")
        flag.set(qn("w:val"), "true")
        tr.get_or_add_trPr().append(flag)
        col = 0
        for tc in tr.tc_lst:
            tc.width = Emu(sum(twips[col : col + tc.grid_span]) * 635)
            col += tc.grid_span
    return [etree.tostring(tr) for tr in table._tbl.tr_lst]


def test_word_body_rows_are_the_xml_python_docx_writes(tmp_path: Path) -> None:
    printed = printed_table()
    widths = [1.5, 9.0, 5.0]
    doc = Document()
    table = add_table(doc, printed, widths)
    written = [etree.tostring(tr) for tr in table._tbl.tr_lst][printed.header_rows + 1 :]
    assert written == rows_through_python_docx(printed, widths)
    path = tmp_path / "uji.docx"
    doc.save(str(path))
    read = Document(str(path)).tables[0]
    texts = [cell.text for row in read.rows[3:] for cell in row.cells]
    assert SCRIPT in texts and TEXTS[1] in texts and "baris\npertama\tkolom" in texts
    assert f"  spasi di depan _x001B_ {ESCAPE}" in texts  # leading spaces kept, ESC shown as escaped
    assert f"SASARAN {TEXTS[1]}" in texts


@pytest.mark.parametrize("numbering", [True, False])
def test_a_merged_heading_cell_is_shaded_once(numbering: bool) -> None:
    printed = dataclasses.replace(printed_table(), numbering=numbering)
    table = add_table(Document(), printed, [1.5, 9.0, 5.0])
    head = table._tbl.tr_lst[: printed.header_rows + (1 if numbering else 0)]
    shading = [len(tc.findall(f"{qn('w:tcPr')}/{qn('w:shd')}")) for tr in head for tc in tr.tc_lst]
    # the No and Uraian cells start merged down in row 1 and carry the fill; their continuation in
    # row 2 takes it from them; every other heading cell is filled once
    assert max(shading) == 1
    assert shading[:3] == [1, 1, 1] and sum(shading) == len(shading) - 2


def test_a_worker_keeps_a_bounded_number_of_figures(tmp_path: Path) -> None:
    """Bar charts of many heights (as a province's agencies have) keep at most a dozen figures, and a
    chart whose figure was let go is drawn the same on a new one."""
    forget_figures()
    config = ReportScales()
    first = charts.chart_serapan_program(tabel_3_6(1, 50.0), tmp_path / "1.png", config).read_bytes()
    for programs in range(2, 30):
        charts.chart_serapan_program(tabel_3_6(programs, 50.0), tmp_path / f"{programs}.png", config)
    assert len(charts._BAR_FIGURES) == charts._KEPT_FIGURES
    assert ("serapan", charts._height(max(2.5, 0.42 + 1.2))) not in charts._BAR_FIGURES
    again = charts.chart_serapan_program(tabel_3_6(1, 50.0), tmp_path / "again.png", config).read_bytes()
    assert again == first


# --------------------------------------------------------------------------------------------------
# PNG files


def test_chart_png_holds_the_drawn_pixels_and_the_print_density(tmp_path: Path) -> None:
    """A chart's file, read back by Pillow, is the canvas's pixels exactly, at the charts' 150 dpi."""
    import numpy as np
    from PIL import Image

    forget_figures()
    path = charts.chart_cumulative_opd(monthly(3, 4e8), tmp_path / "opd.png", "Dinas A", 2024)
    fig, _ = next(iter(charts._PANEL_FIGURES.values()))
    drawn = np.asarray(fig.canvas.buffer_rgba())
    assert (drawn[:, :, 3] == 255).all()  # opaque: the alpha channel written costs nothing in print
    with Image.open(path) as image:
        assert image.mode == "RGBA" and image.size == (drawn.shape[1], drawn.shape[0])
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # pixels per metre, rounded
        assert np.array_equal(np.asarray(image), drawn)


def test_png_refuses_pixels_it_cannot_write() -> None:
    import numpy as np

    from tasks.report.render.png import png_bytes

    with pytest.raises(ValueError, match="height x width x 3 or 4"):
        png_bytes(np.zeros((4, 4, 2), dtype=np.uint8), 150)
    with pytest.raises(ValueError, match="height x width x 3 or 4"):
        png_bytes(np.zeros((4, 4, 3), dtype=np.float64), 150)


def test_png_of_rgb_pixels_reads_back_the_same() -> None:
    import io

    import numpy as np
    from PIL import Image

    from tasks.report.render.png import png_bytes

    rgb = np.random.default_rng(7).integers(0, 256, size=(5, 9, 3), dtype=np.uint8)
    with Image.open(io.BytesIO(png_bytes(rgb, 96))) as image:
        assert image.mode == "RGB" and np.array_equal(np.asarray(image), rgb)


def test_a_word_document_saved_fast_holds_what_python_docx_saves(tmp_path: Path) -> None:
    """The same parts, byte for byte, as ``Document.save`` writes; the chart stored, the XML deflated."""
    import zipfile
    from datetime import datetime

    from docx.shared import Cm

    from tasks.report.render.docx import save_document

    forget_figures()
    chart = charts.chart_cumulative_opd(monthly(3, 4e8), tmp_path / "opd.png", "Dinas A", 2024)

    def document():
        doc = Document()
        doc.add_heading(f"LKjIP {SCRIPT}", level=1)
        add_table(doc, printed_table(), [1.5, 9.0, 5.0])
        doc.add_picture(str(chart), width=Cm(15))
        doc.core_properties.author = "sakip"
        doc.core_properties.created = doc.core_properties.modified = datetime(2024, 12, 31)
        return doc

    document().save(str(tmp_path / "plain.docx"))
    save_document(document(), tmp_path / "fast.docx")
    with zipfile.ZipFile(tmp_path / "plain.docx") as plain, zipfile.ZipFile(tmp_path / "fast.docx") as fast:
        assert fast.namelist() == plain.namelist()
        for name in plain.namelist():
            assert fast.read(name) == plain.read(name), name
        methods = {info.filename: info.compress_type for info in fast.infolist()}
    assert methods["word/media/image1.png"] == zipfile.ZIP_STORED
    assert methods["word/document.xml"] == methods["word/styles.xml"] == zipfile.ZIP_DEFLATED
    assert Document(str(tmp_path / "fast.docx")).tables[0].cell(3, 1).text == TEXTS[0]


@pytest.mark.parametrize("align", [WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER])
def test_narrative_paragraphs_are_the_xml_python_docx_writes(align) -> None:
    from tasks.report.render.docx import add_aligned_paragraph

    texts = [*TEXTS, " kiri", "kanan ", "Rp 22.500.227.865 (83,79 %)"]
    plain, fast = Document(), Document()
    for text in texts:
        shown = visible_text(text)
        plain.add_paragraph(shown).alignment = align
        add_aligned_paragraph(fast, shown, align)
    fast.add_section()  # the end of the document moves on: paragraphs go after the new section
    plain.add_section()
    add_aligned_paragraph(fast, "sesudah", align)
    plain.add_paragraph("sesudah").alignment = align
    assert etree.tostring(fast.element.body) == etree.tostring(plain.element.body)


def test_a_table_head_made_before_is_copied_as_it_was_made() -> None:
    """The second table of a heading and widths (every OPD's same table) starts from a copy of the
    first's head: the document's XML is the one made afresh, head and body."""
    from tasks.report.render import word_tables as word

    printed = printed_table()
    other = dataclasses.replace(printed, rows=printed.rows[:2])
    word._TABLE_HEADS.clear()
    fresh = Document()
    style = fresh.styles["Table Grid"].style_id
    add_table(fresh, printed, [1.5, 9.0, 5.0], style)
    word._TABLE_HEADS.clear()
    add_table(fresh, other, [1.5, 9.0, 5.0], style)
    assert len(word._TABLE_HEADS) == 1
    copied = Document()
    add_table(copied, printed, [1.5, 9.0, 5.0], style)  # from the kept head
    add_table(copied, other, [1.5, 9.0, 5.0], style)
    assert len(word._TABLE_HEADS) == 1
    assert etree.tostring(copied.element.body) == etree.tostring(fresh.element.body)
    assert [len(t.rows) for t in copied.tables] == [printed.header_rows + 1 + 5, printed.header_rows + 1 + 2]
    add_table(copied, printed, [2.0, 8.5, 5.0], style)  # other widths: another head
    assert len(word._TABLE_HEADS) == 2
