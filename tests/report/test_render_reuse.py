"""The year-end writers reuse what they may and give the files a fresh start gives.

Charts are drawn on figures kept for the next OPD of the same process (their axes and ticks cost more
to make than to draw), given each OPD's data with ``set_data`` and saved with ``savefig``: a chart is
the same file whatever was drawn before it. Word tables are python-docx's own, saved by
``Document.save``: they read back whole.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from lxml import etree

from tasks.core.scales import ReportScales
from tasks.report.render import charts
from tasks.report.render.printed import HeaderCell, PrintedRow, PrintedTable
from tasks.report.render.word_tables import _twips, add_table
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
    """As a new process starts: no figure kept."""
    charts._PANEL_FIGURES.clear()
    charts._BAR_FIGURES.clear()


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


@pytest.mark.parametrize("chart", ["opd", "programs"])
def test_a_kept_panel_is_given_new_data_and_draws_what_a_fresh_figure_draws(
    tmp_path: Path, chart: str
) -> None:
    """OPDs of many sizes drawn one after the other: the kept figure's lines and area are the same
    artists, given each OPD's data (``set_data``), and every file is the one a new process draws."""
    forget_figures()

    def draw(data: pd.DataFrame, path: Path) -> bytes:
        if chart == "opd":
            return charts.chart_cumulative_opd(data, path, "Dinas A", 2024).read_bytes()
        return charts.chart_cumulative_programs(data, path).read_bytes()

    artists = None
    drawn = []
    for number, scale in enumerate([4e8, 7.3e8, 1.9e9, 9e10, 3.1e11, 5.5e7]):
        drawn.append(draw(monthly(3, scale), tmp_path / f"{number}.png"))
        ((_fig, axes),) = charts._PANEL_FIGURES.values()
        ax = axes.flat[0]
        now = [*ax.lines, *ax.collections]
        assert len(ax.lines) == 3 and len(ax.collections) == 1  # RAK, realization, budget; the area
        assert artists is None or all(a is b for a, b in zip(now, artists, strict=True))
        artists = now
    for number, scale in enumerate([4e8, 7.3e8, 1.9e9, 9e10, 3.1e11, 5.5e7]):
        forget_figures()
        assert draw(monthly(3, scale), tmp_path / f"fresh{number}.png") == drawn[number], scale


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


def test_a_word_table_saved_by_python_docx_reads_back_whole(tmp_path: Path) -> None:
    """Every text (hostile ones escaped, tabs and line breaks kept), the merged heading and section
    cells, the widths, the looks of each kind of cell, and the rows' flags, after ``Document.save``."""
    printed = printed_table()
    widths = [1.5, 9.0, 5.0]
    doc = Document()
    add_table(doc, printed, widths)
    path = tmp_path / "uji.docx"
    doc.save(str(path))
    read = Document(str(path)).tables[0]
    assert len(read.rows) == printed.header_rows + 1 + len(printed.rows)
    head = [[cell.text for cell in row.cells] for row in read.rows[:3]]
    assert head == [["No", "Uraian", "Realisasi"], ["No", "Uraian", "Rp"], ["1", "2", "3"]]
    body = [[cell.text for cell in row.cells] for row in read.rows[3:]]
    assert body[0] == ["1", SCRIPT, "1.000"]
    assert body[1] == [f"SASARAN {TEXTS[1]}"] * 3  # one cell across the row
    assert body[2] == ["2", f"  spasi di depan _x001B_ {ESCAPE}", TEXTS[5]]  # spaces kept, ESC shown
    assert body[3] == ["3", "baris\npertama\tkolom", ""]
    first = read.rows[3].cells
    assert all(run.bold for cell in first for run in cell.paragraphs[0].runs)
    assert first[2].paragraphs[0].alignment is None  # an amount: the table style's right alignment
    assert read.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert first[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT  # text says its own
    assert first[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert read.rows[5].cells[1].paragraphs[0].paragraph_format.left_indent.cm == pytest.approx(0.5, abs=0.01)
    assert read.style.name == "Tabel LKjIP" and read.style.font.size == Pt(8)  # the cells' size
    assert read.rows[5].cells[1].paragraphs[0].runs[0].font.size is None
    grid = [column.width for column in read.columns]
    assert grid == [Twips(t) for t in _twips(widths)]
    assert read.rows[3].cells[1].width == Twips(_twips(widths)[1])
    assert read.rows[4].cells[0].width == Twips(sum(_twips(widths)))  # the merged section cell
    for number, tr in enumerate(doc.element.body.iter(qn("w:tr"))):
        flags = tr.find(qn("w:trPr"))
        assert flags.find(qn("w:cantSplit")) is not None
        assert (flags.find(qn("w:tblHeader")) is not None) == (number < 3)
    layout = doc.element.body.find(f"{qn('w:tbl')}/{qn('w:tblPr')}/{qn('w:tblLayout')}")
    assert layout.get(qn("w:type")) == "fixed"


@pytest.mark.parametrize("numbering", [True, False])
def test_every_heading_cell_is_shaded_once(numbering: bool) -> None:
    printed = dataclasses.replace(printed_table(), numbering=numbering)
    doc = Document()
    add_table(doc, printed, [1.5, 9.0, 5.0])
    trs = list(doc.element.body.iter(qn("w:tr")))
    head = trs[: printed.header_rows + (1 if numbering else 0)]
    shading = [
        len(tc.findall(f"{qn('w:tcPr')}/{qn('w:shd')}")) for tr in head for tc in tr.findall(qn("w:tc"))
    ]
    assert shading and set(shading) == {1}
    body = trs[len(head) :]
    assert not [shd for tr in body for shd in tr.iter(qn("w:shd"))]


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


def test_a_chart_is_a_png_of_its_figure_at_the_print_density(tmp_path: Path) -> None:
    """A chart's file, read back by Pillow: the figure's pixels as drawn, at the charts' 150 dpi (the
    density written for Word), opaque RGB, no time or version that would make the same chart
    another file."""
    import numpy as np
    from PIL import Image

    forget_figures()
    path = charts.chart_cumulative_opd(monthly(3, 4e8), tmp_path / "opd.png", "Dinas A", 2024)
    ((fig, _),) = charts._PANEL_FIGURES.values()
    width, height = fig.get_size_inches()
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (round(width * charts.DPI), round(height * charts.DPI))
        assert image.info["dpi"] == pytest.approx((charts.DPI, charts.DPI), abs=0.05)
        assert "Software" not in image.info
        assert image.mode == "RGB" and image.getpixel((0, 0)) == (255, 255, 255)  # drawn on white
        assert np.array_equal(np.asarray(image), np.asarray(fig.canvas.buffer_rgba())[:, :, :3])


def test_a_word_report_saved_by_python_docx_opens_with_its_tables_and_charts(tmp_path: Path) -> None:
    from tasks.report.render.docx import write_docx_report
    from tasks.report.render.narrative import Narrative

    forget_figures()
    chart = charts.chart_cumulative_opd(monthly(3, 4e8), tmp_path / "opd.png", "Dinas A", 2024)
    printed = dataclasses.replace(printed_table(), table_id="tabel_3_6", titles=("Tabel 3. 6", "Uji"))
    path = write_docx_report(
        [printed],
        Narrative({"anggaran": [f"Anggaran {SCRIPT}."]}),
        {"realisasi_kumulatif": chart},
        tmp_path / "lkjip.docx",
        opd_name=f"Dinas {SCRIPT}",
        year=2024,
    )
    doc = Document(str(path))
    assert len(doc.tables) == 1 and doc.tables[0].rows[3].cells[1].text == TEXTS[0]
    assert len(doc.inline_shapes) == 1
    texts = [p.text for p in doc.paragraphs]
    assert f"Anggaran {SCRIPT}." in texts and f"DINAS {SCRIPT.upper()}" in texts  # the cover
    assert any(text.startswith("Gambar 3. 1") for text in texts)


# --------------------------------------------------------------------------------------------------
# The workbook's native charts


def test_the_workbook_has_native_charts_of_its_tables_rows(tmp_path: Path) -> None:
    """Tabel 3.6's sheet holds an Excel bar chart whose bars are its program rows: the series refers to
    their Uraian and Serapan cells (a union where other budget lines lie between), read back by
    openpyxl; Tabel 3.5's sheet one of the measured indicators. No picture is embedded."""
    import openpyxl

    from tasks.report.render.xlsx import write_xlsx_report

    lines = pd.DataFrame(
        {
            "kode": ["2.17", "2.17.01", "2.17.01.1", "2.17.02", "2.17.03"],
            "level": ["urusan", "program", "kegiatan", "program", "program"],
            "uraian": ["URUSAN", f"Program {SCRIPT}", "Kegiatan", "Program B", "Program C"],
            "anggaran": [100.0, 50.0, 50.0, 30.0, 20.0],
            "realisasi": [80.0, 40.0, 40.0, 30.0, 10.0],
            "serapan": [80.0, 80.0, 80.0, 100.0, 50.0],
        }
    )
    indicators = tabel_3_5(3, 60.0).assign(capaian=[60.0, float("nan"), 82.0])
    path = write_xlsx_report(
        {"tabel_3_5": indicators, "tabel_3_6": lines},
        tmp_path / "lkjip.xlsx",
        title="T",
        opd_name="O",
        year=2024,
    )
    book = openpyxl.load_workbook(path)
    for sheet, label, value, expected in [
        (
            "Tabel 3.6",
            "uraian",
            "serapan",
            [(f"Program {SCRIPT}", 80.0), ("Program B", 100.0), ("Program C", 50.0)],
        ),
        ("Tabel 3.5", "indikator", "capaian", [("Indikator 0", 60.0), ("Indikator 2", 82.0)]),
    ]:
        ws = book[sheet]
        assert not ws._images
        (chart,) = ws._charts
        (series,) = chart.series
        assert chart.tagname == "barChart" and chart.barDir == "bar"
        categories = series.cat.strRef.f if series.cat.strRef is not None else series.cat.numRef.f
        bars = zip(referred(ws, categories), referred(ws, series.val.numRef.f), strict=True)
        assert list(bars) == expected, (label, value)


def referred(ws, formula: str) -> list:
    """The values of the cells a chart series' formula refers to, in order (a union in parentheses)."""
    values = []
    for ref in formula.strip("()").split(","):
        name, cells = ref.rsplit("!", 1)
        assert name.strip("'") == ws.title
        block = ws[cells.replace("$", "")]
        values += [row[0].value for row in block] if isinstance(block, tuple) else [block.value]
    return values


def api_table(doc, printed: PrintedTable, widths: list[float]) -> None:
    """The reference: every body cell written through python-docx's objects (the row's cells, their
    widths, a merge for a section, ``write_cell``), as the Word tables were built before their rows
    were copies of a pattern row."""
    from tasks.report.render.word_tables import _KIND_ALIGNMENT, _row_flags, table_with_head, write_cell

    twips = _twips(widths)
    table, tbl = table_with_head(doc, printed, twips, len(printed.rows))
    widths = [Twips(width) for width in twips]
    head_rows = printed.header_rows + (1 if printed.numbering else 0)
    rows = list(table.rows)
    trs = tbl.findall(qn("w:tr"))
    for row, tr, printed_row in zip(rows[head_rows:], trs[head_rows:], printed.rows, strict=True):
        _row_flags(tr, "w:cantSplit")
        cells = row.cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        if printed_row.section is not None:
            merged = cells[0].merge(cells[-1]) if len(cells) > 1 else cells[0]
            write_cell(merged, printed_row.section, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
            continue
        texts = zip(cells, printed_row.cells, printed_row.kinds, strict=True)
        for col, (cell, text, kind) in enumerate(texts):
            indent = printed_row.indent if kind == "text" and col == 1 else 0
            align = _KIND_ALIGNMENT.get(kind, WD_ALIGN_PARAGRAPH.LEFT)
            write_cell(cell, text, bold=printed_row.bold, align=align, indent=indent)


def wide_table() -> PrintedTable:
    """Many rows of every kind in five columns: bold and plain, indents 0 to 3, sections, empty cells,
    hostile, spaced and broken texts, every cell kind."""
    kinds = ("no", "text", "amount", "number", "label")
    rows = []
    for i in range(40):
        if i % 9 == 4:
            rows.append(PrintedRow(cells=("",) * 5, kinds=kinds, section=f"PROGRAM {i} {TEXTS[i % 6]}"))
            continue
        text = TEXTS[i % len(TEXTS)]
        cells = (str(i), f"{text} {i}" if i % 2 else text, f"{i}.000", "" if i % 4 else "12,50", "v")
        rows.append(PrintedRow(cells=cells, kinds=kinds, bold=i % 3 == 0, indent=i % 4))
    header = tuple(HeaderCell(f"Kolom {c}", 0, c) for c in range(5))
    return PrintedTable("lebar", ("Tabel Lebar",), header, 1, True, 5, tuple(rows), (1, 4, 2, 2, 1))


@pytest.mark.parametrize(
    ("printed", "widths"),
    [
        (printed_table(), [1.5, 9.0, 5.0]),
        (dataclasses.replace(printed_table(), numbering=False), [1.5, 9.0, 5.0]),
        (dataclasses.replace(printed_table(), rows=()), [1.5, 9.0, 5.0]),
        (wide_table(), [1.0, 6.0, 3.0, 2.5, 1.5]),
    ],
)
def test_a_word_table_is_what_python_docx_writes_cell_by_cell(printed, widths) -> None:
    """Body rows copied from pattern rows give the table python-docx's objects give cell by cell:
    the same XML, element for element (texts, escaping, merges, shading, widths, flags, looks), and
    the same texts, widths and spans read back through python-docx."""
    copied, reference = Document(), Document()
    add_table(copied, printed, widths)
    api_table(reference, printed, widths)
    [ours], [theirs] = (doc.element.body.findall(qn("w:tbl")) for doc in (copied, reference))
    assert etree.tostring(ours) == etree.tostring(theirs)

    def cells(doc) -> list:
        return [
            [(cell.text, cell.width, cell.grid_span, cell.paragraphs[0].alignment) for cell in row.cells]
            for row in doc.tables[0].rows
        ]

    assert cells(copied) == cells(reference)
