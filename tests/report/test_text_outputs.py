"""Each writer on its own, fed text a received file can carry: it prints the text, it never runs it.

The whole pipeline with the same payloads is ``tests/test_hostile_text.py``; these tests pin each
writer (charts, Word, html, xlsx, CSV, markdown, the annotated copy) without a warehouse.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import matplotlib.pyplot as plt
import openpyxl
import pandas as pd
import pytest
from docx import Document

from tasks.core.issues import InputIssue
from tasks.operations.artifacts import absorption_markdown
from tasks.operations.consolidation import consolidated_markdown, write_consolidated
from tasks.operations.monitoring import monitoring_markdown, monitoring_measures, write_monitoring_xlsx
from tasks.operations.quarantine import annotate_workbook
from tasks.report.render import charts
from tasks.report.render.csv import write_csv_tables
from tasks.report.render.docx import write_docx_report
from tasks.report.render.html import write_html_report
from tasks.report.render.narrative import Narrative
from tasks.report.render.printed import printed_tables
from tasks.report.render.xlsx import write_xlsx_report
from tasks.settings import ReportScales
from tests.fixtures.hostile import DOLLAR, ESCAPE, HYPERLINK, IMG, JS_LINK, MATH, MINUS_FORMULA, PIPE, SCRIPT

ESC = ESCAPE.replace("_x001B_", "\x1b")  # the text as the reader returns it
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def tabel_3_6(names: list[str]) -> pd.DataFrame:
    """An urusan and one program per name, with amounts."""
    rows = [("2.17", "urusan", "URUSAN", 3000.0, 1500.0)]
    rows += [(f"2.17.0{i + 1}", "program", name, 1000.0, 500.0 - i) for i, name in enumerate(names)]
    frame = pd.DataFrame(rows, columns=["kode", "level", "uraian", "anggaran", "realisasi"])
    frame["serapan"] = frame["realisasi"] / frame["anggaran"] * 100
    return frame


def tabel_3_5(names: list[str]) -> pd.DataFrame:
    """One sasaran indicator per name."""
    return pd.DataFrame(
        {
            "jenis": ["sasaran"] * len(names),
            "no": list(range(1, len(names) + 1)),
            "indikator": names,
            "target": [10.0] * len(names),
            "realisasi": [9.0] * len(names),
            "capaian": [90.0] * len(names),
            "kategori": ["Tinggi"] * len(names),
            "realisasi_tahun_lalu": [None] * len(names),
        }
    )


NAMES = [MATH, DOLLAR, ESC, SCRIPT]


# --------------------------------------------------------------------------------------------------
# charts


def test_charts_print_math_text_and_control_characters_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[plt.Figure] = []
    save = charts._save

    def keep(fig, path, **options):
        fig.canvas.draw()
        drawn.append(fig)
        return save(fig, path, **options)

    monkeypatch.setattr(charts, "_save", keep)
    config = ReportScales()
    charts.chart_serapan_program(tabel_3_6(NAMES), tmp_path / "serapan.png", config)
    charts.chart_capaian(tabel_3_5(NAMES), tmp_path / "capaian.png", config)
    monthly = pd.DataFrame(
        {
            "bulan": [1, 2, 1, 2],
            "level": ["urusan", "urusan", "program", "program"],
            "kode": ["2.17", "2.17", "2.17.01", "2.17.01"],
            "uraian": ["URUSAN", "URUSAN", MATH, MATH],
            "anggaran_rp": [1000.0] * 4,
            "anggaran_kas_sd_bulan_ini_rp": [100.0, 200.0, 100.0, 200.0],
            "realisasi_sd_bulan_ini_rp": [50.0, 150.0, 50.0, 150.0],
        }
    )
    charts.chart_cumulative_opd(monthly, tmp_path / "opd.png", f"Dinas {MATH}", 2022)
    charts.chart_cumulative_programs(monthly, tmp_path / "programs.png")
    assert all(p.stat().st_size > 1000 for p in tmp_path.glob("*.png"))
    texts = [t for fig in drawn for t in fig.findobj(plt.Text) if t.get_text()]
    shown = " ".join(t.get_text() for t in texts)
    assert r"$\frac{1}$" in shown and "Biaya $ 100" in shown and "_x001B_" in shown
    assert "\x1b" not in shown
    assert not any(t.get_parse_math() for t in texts if "$" in t.get_text())


# --------------------------------------------------------------------------------------------------
# Word and html


def printed(names: list[str], opd: str):
    """The printed tables 3.5 and 3.6 of these names."""
    return printed_tables(
        {"tabel_3_5": tabel_3_5(names), "tabel_3_6": tabel_3_6(names)}, opd_name=opd, year=2022
    )


def test_word_document_takes_control_characters(tmp_path: Path) -> None:
    narrative = Narrative({"anggaran": [f"Program {ESC} menyerap 50 %"]})
    path = write_docx_report(
        printed(NAMES, f"Dinas {ESC}"), narrative, {}, tmp_path / "r.docx", opd_name=f"Dinas {ESC}", year=2022
    )
    document = Document(str(path))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )
    assert text.count("_x001B_") >= 4 and "\x1b" not in text
    assert MATH in text and SCRIPT in text
    assert "_x001B_" in document.core_properties.subject


def test_html_report_escapes_markup_and_shows_control_characters(tmp_path: Path) -> None:
    narrative = Narrative({"anggaran": [f"Program {IMG} menyerap"]})
    path = write_html_report(
        printed(NAMES, SCRIPT), narrative, {}, tmp_path / "r.html", opd_name=SCRIPT, year=2022
    )
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "_x001B_" in page and "\x1b" not in page


def test_a_hostile_government_line_is_printed_as_text_in_every_title(tmp_path: Path) -> None:
    """The government's line (untrusted, title-cased into the titles) is escaped in html, literal in
    the Word document, a string (never a formula) in the workbook."""
    line = f"PEMERINTAH KOTA {SCRIPT} {IMG} {HYPERLINK}"
    tables = {"tabel_3_5": tabel_3_5(NAMES[:1]), "tabel_3_6": tabel_3_6(NAMES[:1])}
    printed = printed_tables(tables, opd_name="Dinas Uji", year=2022, government=line)
    t36 = next(t for t in printed if t.table_id == "tabel_3_6")
    shown = t36.titles[-1]
    assert shown.startswith("Dinas Uji Kota <Script>Alert('Uraian')</Script> <Img Src=X Onerror=")
    assert shown.endswith(" Tahun Anggaran 2022")
    page = write_html_report(printed, Narrative({}), {}, tmp_path / "r.html", opd_name="Dinas Uji", year=2022)
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "Dinas Uji Kota &lt;Script&gt;Alert(&#x27;Uraian&#x27;)&lt;/Script&gt;" in text
    docx = write_docx_report(printed, Narrative({}), {}, tmp_path / "r.docx", opd_name="Dinas Uji", year=2022)
    assert any(shown in p.text for p in Document(str(docx)).paragraphs)
    path = write_xlsx_report(
        tables, tmp_path / "r.xlsx", title="LKjIP 2022", opd_name="Dinas Uji", year=2022, government=line
    )
    assert formulas_and_links(path) == []
    cell = openpyxl.load_workbook(path)["Tabel 3.6"]["A3"]
    assert (cell.value, cell.data_type) == (shown, "s")


# --------------------------------------------------------------------------------------------------
# spreadsheets


def formulas_and_links(path: Path) -> list[str]:
    """Every formula cell and hyperlinked cell of a workbook."""
    found = []
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            found += [f"{sheet.title}!{c.coordinate}" for c in row if c.data_type == "f"]
            found += [f"link {c.coordinate}" for c in row if c.hyperlink is not None]
    return found


def test_report_workbook_writes_formula_text_as_strings(tmp_path: Path) -> None:
    names = [HYPERLINK, "http://evil.example/klik", MINUS_FORMULA, ESC]
    path = write_xlsx_report(
        {"tabel_3_6": tabel_3_6(names), "tabel_3_5": tabel_3_5(names)},
        tmp_path / "lkjip.xlsx",
        title="LKjIP 2022",
        opd_name=HYPERLINK,
        year=2022,
    )
    assert formulas_and_links(path) == []
    book = openpyxl.load_workbook(path)
    sheet = book["Tabel 3.6"]
    assert sheet["A3"].value == f"{HYPERLINK} Tahun Anggaran 2022" and sheet["A3"].data_type == "s"
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert HYPERLINK in values and "http://evil.example/klik" in values and MINUS_FORMULA in values
    assert "Belanja _x001B_ dengan ESC" in values  # shown, not a hidden control character
    assert book.properties.creator == HYPERLINK


def test_csv_tables_neutralise_text_cells_only(tmp_path: Path) -> None:
    frame = tabel_3_6([HYPERLINK, "@SUM(A1)", "+1+1", MINUS_FORMULA, "\tTab", "Biasa"])
    frame.loc[1, "realisasi"] = -250.0  # a negative amount stays a number
    frame["serapan"] = frame["realisasi"] / frame["anggaran"] * 100
    [path] = write_csv_tables({"tabel_3_6": frame}, tmp_path)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["uraian"] for row in rows[1:]] == [
        "'" + HYPERLINK,
        "'@SUM(A1)",
        "'+1+1",
        "'" + MINUS_FORMULA,
        "'\tTab",
        "Biasa",
    ]
    assert rows[1]["realisasi"] == "-250" and rows[1]["serapan"] == "-25.0"


def test_monitoring_and_consolidation_workbooks_hold_no_formula(tmp_path: Path) -> None:
    rows = tabel_3_6([HYPERLINK, "=1+1"]).rename(columns={"realisasi": "realisasi_sd_bulan_ini"})
    rows["realisasi_bulan_ini"] = 10.0
    rows["anggaran_kas_sd_bulan_ini"] = 600.0
    table = monitoring_measures(rows.drop(columns="serapan"), 3, ReportScales())
    monitoring = write_monitoring_xlsx(
        table, tmp_path / "m.xlsx", opd_name=HYPERLINK, year=2022, month=3, config=ReportScales()
    )
    consolidated = pd.DataFrame(
        {
            "kode_opd": ["1.01.0.00.0.00.01.0000", ""],
            "nama_opd": [HYPERLINK, "JUMLAH"],
            "anggaran": [100.0, 100.0],
            "realisasi_bulan_ini": [1.0, 1.0],
            "realisasi_sd_bulan_ini": [5.0, 5.0],
            "anggaran_kas_sd_bulan_ini": [10.0, 10.0],
            "serapan": [5.0, 5.0],
            "rak_pct": [10.0, 10.0],
            "deviasi_poin": [-5.0, -5.0],
        }
    )
    csv_path, xlsx_path = write_consolidated(consolidated, tmp_path / "k", 2022, 3)
    assert formulas_and_links(monitoring) == [] and formulas_and_links(xlsx_path) == []
    assert openpyxl.load_workbook(monitoring)["Program"]["A1"].value.endswith(HYPERLINK)
    assert openpyxl.load_workbook(xlsx_path).active["B4"].value == HYPERLINK
    text = csv_path.read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in text and ",-5.0\n" in text


def test_annotated_copy_notes_are_text(tmp_path: Path) -> None:
    source = tmp_path / "f.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "=1+1"  # a sheet name that reads like a formula
    book.active["A1"] = HYPERLINK
    book.active["A1"].data_type = "s"
    book.save(source)
    issue = InputIssue(
        file="f.xlsx",
        rule="cell.not_number",
        sheet="=1+1",
        row=1,
        column="A",
        params={"value": f"{HYPERLINK}{ESC}"},
    )
    target = annotate_workbook(source, tmp_path / "f.annotated.xlsx", [issue])
    copy = openpyxl.load_workbook(target)
    assert formulas_and_links(target) == ["link C2"]  # the notes' internal link to the cell only
    notes = copy.worksheets[0]
    assert (notes["B2"].value, notes["B2"].data_type) == ("=1+1", "s")
    assert "\\x1b" in notes["F2"].value and "\x1b" not in notes["F2"].value  # messages escape it
    assert copy["=1+1"]["A1"].value == HYPERLINK and copy["=1+1"]["A1"].data_type == "s"
    assert "\\x1b" in copy["=1+1"]["A1"].comment.text and "\x1b" not in copy["=1+1"]["A1"].comment.text


# --------------------------------------------------------------------------------------------------
# markdown


def test_markdown_tables_keep_their_columns_and_carry_no_markup() -> None:
    summary = pd.DataFrame(
        {
            "kode": ["2.17.01", "2.17.02", "2.17.03"],
            "uraian": [PIPE, SCRIPT, JS_LINK],
            "anggaran": [1.0] * 3,
            "realisasi_sd_bulan_ini": [0.5] * 3,
            "serapan": [50.0] * 3,
            "rak_pct": [60.0] * 3,
            "deviasi_poin": [-10.0] * 3,
        }
    )
    rows = summary.assign(level="program", realisasi_bulan_ini=0.1, anggaran_kas_sd_bulan_ini=0.6)
    monitoring = monitoring_measures(
        rows.rename(columns={}).drop(columns=["serapan", "rak_pct", "deviasi_poin"]), 3, ReportScales()
    )
    consolidated = summary.rename(columns={"kode": "kode_opd", "uraian": "nama_opd"})
    for text in (
        absorption_markdown(summary, "2.17.0.00.0.00.01.0000", 2022, 3),
        monitoring_markdown(monitoring, "2.17.0.00.0.00.01.0000", 2022, 3),
        consolidated_markdown(consolidated, 2022, 3),
    ):
        table = [line for line in text.splitlines() if line.startswith("|")]
        assert len({len(_UNESCAPED_PIPE.findall(line)) for line in table}) == 1, text
        assert "<" not in text and "](" not in text.replace("\\](", "")
        assert "&lt;script&gt;" in text and "Belanja \\| Modal \\| Tiga" in text


# --------------------------------------------------------------------------------------------------
# Data Docs


def test_data_docs_page_escapes_values_and_file_names(tmp_path: Path) -> None:
    """The page shows the failing value and the file name as text; the issues keep the raw value."""
    from dataclasses import replace

    from tasks.validate.batch import validate_indicator_workbooks
    from tasks.validate.context import Validator
    from tests.fixtures.staged import indicator_workbook

    workbook = indicator_workbook(
        [
            {
                "jenis": "sasaran",
                "no": "1",
                "indikator": JS_LINK,
                "target": 10.0,
                "realisasi": 9.0,
                "arah": SCRIPT,
            },
            {"jenis": IMG, "no": "2", "indikator": "Nilai", "target": 10.0, "realisasi": 9.0},
        ]
    )
    workbook = replace(workbook, path=Path("<svg onload=alert(1)>.xlsx"))
    result = validate_indicator_workbooks(Validator(tmp_path), [workbook])
    issues = result.issues[workbook.path.name]
    assert {(i.rule, i.params["value"]) for i in issues} >= {
        ("indicator.direction_unknown", SCRIPT),
        ("indicator.jenis_unknown", IMG),
    }
    page = (tmp_path / "data-docs" / result.runs[0].data_docs_url.split("/data-docs/", 1)[1]).read_text()
    for live in (SCRIPT, IMG, "<svg onload"):
        assert live not in page
    assert "&lt;svg onload=alert(1)&gt;.xlsx" in page and "&lt;script&gt;alert(" in page
