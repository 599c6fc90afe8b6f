"""Hostile text through the whole pipeline: every output shows it, none runs it.

The 2022 sample (months 1-3 and the indicator workbook) with markup, markdown, formula, math-text and
control-character payloads in every text field (``tests/hostile.py``: OPD name, uraian, sumber dana,
indicator texts; month 1 is named ``<svg onload=alert(1)>.xlsx``) is ingested by the pipeline's own
steps (read, validate, load); then the year-end report is written in every format, and the monthly
monitoring, the city consolidation and a reconciliation against a published table; the Prefect
artifacts are built by the functions the flow publishes, and a rejected indicator workbook (payloads
in its Arah and Jenis, its name an ``<svg>``) gets its Data Docs page and its quarantine. Each output
is then read back:

- html (report, monitoring, Data Docs): no payload left as live markup;
- markdown: no raw html, no link, every table row with its own number of columns;
- xlsx (report, monitoring, consolidation, annotated copy): no formula cell, no link, the payloads as
  strings;
- CSV (report, consolidation, reconciliation): no cell a spreadsheet would run (a leading ``'``),
  numeric columns plain numbers;
- docx: it opens; charts: written.

The control character (ESC, Excel's ``_x001B_``) is removed when the workbook is read, with a
``cell.control_characters`` warning naming the cell: no output holds it (the renderers' own handling
of control characters is tested in ``tests/test_text_outputs.py``).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from docx import Document

from sakip.cli import main
from sakip.sample import OPD_KODE
from tasks.core.text import FORMULA_TRIGGERS
from tasks.extract.reading import read_workbooks
from tasks.operations.artifacts import absorption_markdown, validation_table
from tasks.operations.consolidation import consolidated_absorption, consolidated_markdown, write_consolidated
from tasks.operations.intake import (
    FileOutcome,
    load_workbooks,
    quarantine_rejected,
    record_validation_runs,
    validate_batch,
)
from tasks.operations.monitoring import (
    monitoring_markdown,
    monitoring_table,
    monthly_absorption,
    write_monitoring_report,
)
from tasks.report.build import build_all_tables
from tasks.report.writer import ALL_FORMATS, write_reports
from tasks.settings import Settings, load_settings
from tasks.validate.context import SuiteRun
from tests.fixtures.hostile import (
    AT_FORMULA,
    ESCAPE,
    GOVERNMENT_TITLE,
    HYPERLINK,
    IMG,
    JS_LINK,
    MATH,
    PIPE,
    SCRIPT,
    hostile_sample,
)
from warehouse.db import open_warehouse
from warehouse.queries import report_scope

#: The ESC payload as the reader leaves it: the control character removed, spacing made single.
STRIPPED = " ".join(ESCAPE.replace("_x001B_", "").split())  # spaces collapse as in any uraian

YEAR, MONTH = 2022, 3
REJECTED_NAME = "<svg onload=alert(2)>.xlsx"
#: Payload texts that are live markup wherever they stand unescaped in html.
HTML_PAYLOADS = (SCRIPT, IMG, "<svg onload=alert(1)>", "<svg onload=alert(2)>")


@dataclass
class Pipeline:
    """Where the pipeline wrote everything, and what it returned."""

    settings: Settings
    outcomes: list[FileOutcome]
    rejected: FileOutcome
    runs: list[SuiteRun]
    report_dir: Path
    reconciliation: Path
    monitoring: list[Path]
    consolidation: list[Path]
    markdown: dict[str, str]


@pytest.fixture(scope="module")
def pipeline(sample_2022, tmp_path_factory) -> Pipeline:
    """Ingest the hostile sample, then write every output from it, as the commands and flows do."""
    root = tmp_path_factory.mktemp("hostile-text")
    files = hostile_sample(sample_2022, root / "inbox", months=(1, 2, MONTH))
    settings = load_settings(root / "work")
    engine = open_warehouse(settings.url)

    def ingest(paths: list[Path]) -> tuple[list[FileOutcome], list[SuiteRun]]:
        staged = read_workbooks(paths, year=YEAR, limits=settings.workbook_limits)
        checked, runs = validate_batch(
            staged, engine, settings.workdir, **settings.validation_options(), year=YEAR
        )
        record_validation_runs(engine, runs)
        outcomes = load_workbooks(engine, checked)
        return [
            quarantine_rejected(o, settings.quarantine_dir, settings.workbook_limits, "id", None)
            for o in outcomes
        ], runs

    outcomes, runs = ingest([*files.realization, files.indicators])
    # a rejected indicator workbook: payloads where validation reports the values (Arah, Jenis)
    bad = root / "bad" / REJECTED_NAME
    bad.parent.mkdir()
    book = openpyxl.load_workbook(files.indicators)
    sheet = book["Indikator"]
    header = next(row for row in sheet.iter_rows(min_row=1, max_row=10) if row[0].value == "Jenis")
    columns = {cell.value: cell.column_letter for cell in header}
    sheet[f"{columns['Arah']}{header[0].row + 1}"] = SCRIPT + ESCAPE  # ESC: a terminal escape
    sheet[f"{columns['Jenis']}{header[0].row + 2}"] = IMG
    book.save(bad)
    rejected_outcomes, rejected_runs = ingest([bad])

    config = settings.scales
    report_base = root / "reports"
    tables = build_all_tables(engine, YEAR, settings.capaian_scale, settings.efficiency_threshold_pct)
    write_reports(engine, tables, report_base, YEAR, ALL_FORMATS, settings.scales)
    # a published Table 3.6 whose program names differ from the data: ``sakip reconcile`` lists them
    report_dir = report_base / str(YEAR) / OPD_KODE
    published = pd.read_csv(report_dir / "tabel_3_6.csv", dtype={"kode": str})
    published["uraian"] = [f"{HYPERLINK} dicetak {n}" for n in range(len(published))]
    published["persen_tercetak"] = published.pop("serapan").round(2)
    (root / "published").mkdir()
    published.to_csv(root / "published" / "tabel_3_6_anggaran_realisasi.csv", index=False)
    reconciliation = report_dir / f"rekonsiliasi_{YEAR}.csv"
    argv = ["reconcile", "--year", str(YEAR), "--published", str(root / "published")]
    assert main([*argv, "--out", str(reconciliation), "--workdir", str(settings.workdir)]) == 0
    opd_name = report_scope(engine, OPD_KODE, YEAR).opd_name
    monitoring = write_monitoring_report(
        engine, OPD_KODE, opd_name, YEAR, MONTH, report_base / str(YEAR) / OPD_KODE, config
    )
    table = consolidated_absorption(engine, YEAR, MONTH)
    consolidation = write_consolidated(table, report_base / str(YEAR), YEAR, MONTH)
    all_runs = runs + rejected_runs
    markdown = {
        "serapan": absorption_markdown(
            monthly_absorption(engine, OPD_KODE, YEAR, MONTH), OPD_KODE, YEAR, MONTH
        ),
        "monitoring": monitoring_markdown(
            monitoring_table(engine, OPD_KODE, YEAR, MONTH, config), OPD_KODE, YEAR, MONTH
        ),
        "konsolidasi": consolidated_markdown(table, YEAR, MONTH),
    }
    artifact_rows = validation_table(all_runs, outcomes + rejected_outcomes)
    markdown["validasi"] = json.dumps(artifact_rows, ensure_ascii=False)
    return Pipeline(
        settings=settings,
        outcomes=outcomes,
        rejected=rejected_outcomes[0],
        runs=all_runs,
        report_dir=report_dir,
        reconciliation=reconciliation,
        monitoring=monitoring,
        consolidation=consolidation,
        markdown=markdown,
    )


def test_the_hostile_sample_loads_and_the_hostile_rejection_is_rejected(pipeline: Pipeline) -> None:
    assert [(o.path.name, o.status) for o in pipeline.outcomes] == [
        ("<svg onload=alert(1)>.xlsx", "loaded"),
        ("realisasi_2022_02.xlsx", "loaded"),
        ("realisasi_2022_03.xlsx", "loaded"),
        ("indikator_2022.xlsx", "loaded"),
    ]
    assert pipeline.rejected.status == "rejected"
    rules = {issue.rule for issue in pipeline.rejected.issues}
    assert {"indicator.direction_unknown", "indicator.jenis_unknown"} <= rules


# --------------------------------------------------------------------------------------------------
# html


def html_pages(pipeline: Pipeline) -> dict[str, str]:
    """Every html page written: the report, the monitoring and the Data Docs."""
    pages = {p.name: p.read_text(encoding="utf-8") for p in pipeline.report_dir.glob("*.html")}
    docs = pipeline.settings.workdir / "data-docs"
    pages |= {str(p.relative_to(docs)): p.read_text(encoding="utf-8") for p in docs.rglob("*.html")}
    return pages


def test_html_shows_payloads_escaped_and_runs_none(pipeline: Pipeline) -> None:
    pages = html_pages(pipeline)
    assert {"lkjip_2022.html", f"monitoring_{YEAR}_{MONTH:02d}.html"} <= set(pages)
    rejected_page = next(url for url in (r.data_docs_url for r in pipeline.runs if r.file == REJECTED_NAME))
    assert any(rejected_page.endswith(name) for name in pages)
    for name, text in pages.items():
        for payload in HTML_PAYLOADS:
            assert payload not in text, f"{payload} live in {name}"
        assert "javascript:alert" not in text.replace("(javascript:alert", ""), name
    for name in ("lkjip_2022.html", f"monitoring_{YEAR}_{MONTH:02d}.html"):
        assert "<script" not in pages[name].lower()  # our own pages carry no script at all
        assert "&lt;script&gt;alert(&#x27;uraian&#x27;)&lt;/script&gt;" in pages[name]
        assert STRIPPED in pages[name] and "\x1b" not in pages[name]  # ESC removed when read
    docs_page = next(text for name, text in pages.items() if rejected_page.endswith(name))
    assert "&lt;svg onload=alert(2)&gt;.xlsx" in docs_page  # the file name, shown
    assert "&lt;script&gt;alert(" in docs_page  # the failing value, shown


# --------------------------------------------------------------------------------------------------
# markdown (Prefect artifacts)

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def test_markdown_artifacts_show_payloads_literally(pipeline: Pipeline) -> None:
    for name in ("serapan", "monitoring", "konsolidasi"):
        text = pipeline.markdown[name]
        assert "<" not in text, name
        assert "](" not in text.replace("\\](", ""), name  # no link
        rows = [line for line in text.splitlines() if line.startswith("|")]
        columns = {len(_UNESCAPED_PIPE.findall(line)) for line in rows}
        assert len(columns) == 1, f"{name}: a cell split the table: {columns}"
    programs = pipeline.markdown["serapan"] + pipeline.markdown["monitoring"]
    assert "&lt;script&gt;" in programs and "\\[klik\\](javascript:alert(1))" in programs
    assert "Belanja \\| Modal \\| Tiga" in programs
    assert "=HYPERLINK(" in pipeline.markdown["konsolidasi"]  # a name, in text


def test_validation_table_artifact_cells_are_markdown_safe(pipeline: Pipeline) -> None:
    rows = json.loads(pipeline.markdown["validasi"])
    names = [row["berkas"] for row in rows]
    assert "&lt;svg onload=alert(2)&gt;.xlsx" in names
    assert all("<" not in json.dumps(row, ensure_ascii=False) for row in rows)


# --------------------------------------------------------------------------------------------------
# spreadsheets


def workbooks(pipeline: Pipeline) -> list[Path]:
    """Every xlsx written: report, monitoring, consolidation, and the annotated copy of the rejection."""
    found = [
        *pipeline.report_dir.glob("*.xlsx"),
        *(p for p in pipeline.consolidation if p.suffix == ".xlsx"),
    ]
    assert pipeline.rejected.annotated is not None
    return [*found, pipeline.rejected.annotated]


def test_no_workbook_holds_a_formula_or_a_link(pipeline: Pipeline) -> None:
    paths = workbooks(pipeline)
    assert {p.name for p in paths} >= {
        "lkjip_2022.xlsx",
        f"monitoring_{YEAR}_{MONTH:02d}.xlsx",
        f"konsolidasi_serapan_{YEAR}_{MONTH:02d}.xlsx",
    }
    for path in paths:
        book = openpyxl.load_workbook(path)
        texts = []
        notes = book.worksheets[0] if path == pipeline.rejected.annotated else None
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    where = f"{path.name} {sheet.title}!{cell.coordinate}: {cell.value}"
                    assert cell.data_type != "f", where
                    # the only links: the notes sheet's own, to the cells it lists
                    assert cell.hyperlink is None or (sheet is notes and cell.hyperlink.location), where
                    if isinstance(cell.value, str):
                        texts.append(cell.value)
        assert any(text.startswith(HYPERLINK) or HYPERLINK in text for text in texts), path.name


def test_report_titles_name_the_opd_as_text(pipeline: Pipeline) -> None:
    """The seven titled sheets of the report carry the OPD name (a HYPERLINK formula) as a string."""
    book = openpyxl.load_workbook(pipeline.report_dir / "lkjip_2022.xlsx")
    titled = [
        sheet.title
        for sheet in book.worksheets
        if any(
            isinstance(c.value, str) and HYPERLINK in c.value and c.data_type == "s"
            for row in sheet.iter_rows(max_row=3)
            for c in row
        )
    ]
    assert len(titled) >= 7, titled
    # the government's line, title-cased into the titles: a string in the workbook, escaped in html
    named = f"{HYPERLINK} {GOVERNMENT_TITLE} Tahun Anggaran 2022"
    assert [c.value for row in book["Tabel 3.6"].iter_rows(max_row=3) for c in row if c.value == named]
    page = (pipeline.report_dir / "lkjip_2022.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page.lower()  # the page's own images are the charts
    assert "Kota &lt;Img Src=X Onerror=&quot;Alert(1)&quot;&gt; Semarang Tahun Anggaran 2022" in page
    stripped_cells = [
        c.value
        for row in book["Tabel 3.6"].iter_rows()
        for c in row
        if isinstance(c.value, str) and STRIPPED in c.value
    ]
    assert stripped_cells, "the uraian should appear without its control character"


def csv_files(pipeline: Pipeline) -> list[Path]:
    """The report's tables, the consolidation and the reconciliation as CSV."""
    return [
        *pipeline.report_dir.glob("tabel_*.csv"),
        *(p for p in pipeline.consolidation if p.suffix == ".csv"),
        pipeline.reconciliation,
    ]


def test_csv_text_cells_are_neutralised_and_numbers_stay_numbers(pipeline: Pipeline) -> None:
    neutralised = 0
    negatives = 0
    for path in csv_files(pipeline):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
                        neutralised += 1
                    elif cell.startswith("-"):
                        float(cell)  # a number, or the test fails
                        negatives += 1
                    else:
                        assert not cell.startswith(FORMULA_TRIGGERS), f"{path.name}: {cell!r}"
    assert neutralised >= 10
    table = pd.read_csv(pipeline.report_dir / "tabel_3_6.csv")
    assert pd.api.types.is_numeric_dtype(table["anggaran"]) and pd.api.types.is_numeric_dtype(
        table["serapan"]
    )
    texts = set(table["uraian"])
    assert any(text.startswith("'" + HYPERLINK) for text in texts)
    assert any(text.startswith("'" + AT_FORMULA) for text in texts)
    findings = pd.read_csv(pipeline.reconciliation, dtype=str, keep_default_na=False)
    assert (findings["kolom"] == "uraian").sum() >= 8  # every program's printed name differs
    assert findings["tercetak"].str.startswith("'" + HYPERLINK + " dicetak").any()
    consolidation = pd.read_csv(next(p for p in pipeline.consolidation if p.suffix == ".csv"))
    assert negatives >= 1 and (consolidation["deviasi_poin"] < 0).all()  # behind the plan: negative
    assert consolidation["nama_opd"].tolist() == ["'" + HYPERLINK, "JUMLAH"]


# --------------------------------------------------------------------------------------------------
# Word, charts, quarantine


def test_word_document_opens_and_shows_text_literally(pipeline: Pipeline) -> None:
    document = Document(str(pipeline.report_dir / "lkjip_2022.docx"))
    text = "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for row in t.rows for c in row.cells]
    )
    assert STRIPPED in text and "\x1b" not in text
    for payload in (SCRIPT, MATH, JS_LINK, PIPE, HYPERLINK):
        assert payload in text, payload


def test_charts_are_written(pipeline: Pipeline) -> None:
    charts = sorted(p.name for p in pipeline.report_dir.glob("grafik_*.png"))
    assert charts == [
        "grafik_capaian_indikator.png",
        "grafik_realisasi_kumulatif.png",
        "grafik_realisasi_kumulatif_program.png",
        "grafik_serapan_program.png",
    ]
    assert all((pipeline.report_dir / name).stat().st_size > 5_000 for name in charts)


def test_quarantine_material_of_the_rejection(pipeline: Pipeline) -> None:
    rejected = pipeline.rejected
    assert rejected.quarantined is not None and rejected.annotated is not None
    summary = rejected.quarantined.with_suffix(".txt").read_text(encoding="utf-8")
    assert "[indicator.direction_unknown]" in summary and REJECTED_NAME in summary
    assert "\x1b" not in summary  # no terminal escape in the steward's text
    notes = openpyxl.load_workbook(rejected.annotated).worksheets[0]
    messages = [row[5].value for row in notes.iter_rows(min_row=2) if row[5].value]
    assert any(SCRIPT in message for message in messages)
    assert all(row[5].data_type == "s" for row in notes.iter_rows(min_row=2) if row[5].value)


def test_control_characters_removed_when_read_are_reported(pipeline: Pipeline) -> None:
    warned = [
        issue
        for outcome in pipeline.outcomes
        for issue in outcome.issues
        if issue.rule == "cell.control_characters"
    ]
    assert warned and all(issue.severity == "warning" and issue.cell for issue in warned)
    assert all(o.status == "loaded" for o in pipeline.outcomes if o.kind == "realization")
