"""Self-contained html pages: the year-end report and the monthly monitoring, readable on a phone.

One file, no external resources: the css is inline and the charts are embedded as base64 PNG data
URIs. Wide tables scroll sideways inside their own box; the page itself never does. The year-end
report has the Word document's structure (:mod:`tasks.report.render.document`): the same headings
(BAB as ``h2``, sections as ``h3``, subsections as ``h4``), tables, charts and their order. Printed,
the page is A4 with the headings on the pages of what follows them, the table headings repeated
and rows kept whole. Every text is html-escaped (:func:`tasks.core.text.html_text`): a ``<script>``
in an uraian is shown, not run.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from pathlib import Path

from tasks.core.outline import OfficeTexts
from tasks.core.scales import ReportScales
from tasks.core.text import html_text
from tasks.report.render.charts import CHART_TITLES
from tasks.report.render.document import report_blocks
from tasks.report.render.narrative import Narrative
from tasks.report.render.printed import PrintedTable
from tasks.report.render.wording import agency_name

CSS = """
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0 auto; padding: 12px; max-width: 1200px;
       color: #1b1b1b; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.35em; margin: .4em 0; } h2 { font-size: 1.15em; margin-top: 1.6em;
     border-bottom: 2px solid #d9e1f2; } p { margin: .5em 0; }
figure { margin: 1em 0; } figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption, caption { font-weight: bold; text-align: center; padding: .3em; }
caption span { display: block; font-weight: normal; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: .6em 0 1.4em; }
table { border-collapse: collapse; font-size: .82em; min-width: 100%; }
th, td { border: 1px solid #9a9a9a; padding: 3px 6px; vertical-align: top; }
th { background: #d9e1f2; text-align: center; }
td.amount, td.number { text-align: right; white-space: nowrap; }
td.no, td.label { text-align: center; }
tr.bold td { font-weight: bold; } tr.section td { font-weight: bold; background: #f2f2f2; }
tr.urusan td { background: #f2f2f2; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 8px; white-space: nowrap; }
h3 { font-size: 1.05em; margin-top: 1.3em; } h4 { font-size: 1em; margin-top: 1.1em; }
p.source { font-size: .8em; margin: -1em 0 1.4em; } p.formula { text-align: center; font-style: italic; }
p.signature { margin: 2em 0 0 50%; }
@media (max-width: 600px) { body { font-size: 14px; padding: 8px; } table { font-size: .75em; } }
@page { size: A4; margin: 2.5cm 2.5cm 2.5cm 3cm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .scroll { overflow: visible; }
  table { min-width: 0; width: 100%; font-size: 7.5pt; page-break-inside: auto; }
  thead { display: table-header-group; } tr, figure, img { page-break-inside: avoid; break-inside: avoid; }
  caption, h2, h3, h4 { page-break-after: avoid; break-after: avoid; }
  h2 { page-break-before: always; break-before: page; }
  td.amount, td.number { white-space: normal; }
  .badge { background: none !important; padding: 0; }
}
"""


def _esc(text: object) -> str:
    """Html-escaped text, control characters shown (:func:`tasks.core.text.html_text`)."""
    return html_text(text)


def png_data_uri(path: Path) -> str:
    """A PNG file as a data URI."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def table_html(printed: PrintedTable, colors: Mapping[str, str] | None = None) -> str:
    """One printed table as an html table with its caption."""
    lines = [f'<div class="scroll"><table id="{_esc(printed.table_id)}">']
    titles = list(printed.titles)
    if titles:
        rest = "".join(f"<span>{_esc(t)}</span>" for t in titles[1:])
        lines.append(f"<caption>{_esc(titles[0])}{rest}</caption>")
    lines.append("<thead>")
    for r in range(printed.header_rows):
        cells = []
        for head in (h for h in printed.header if h.row == r):
            span = (f' rowspan="{head.rowspan}"' if head.rowspan > 1 else "") + (
                f' colspan="{head.colspan}"' if head.colspan > 1 else ""
            )
            cells.append(f'<th scope="col"{span}>{_esc(head.text)}</th>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    if printed.numbering:
        lines.append("<tr>" + "".join(f"<th>{i + 1}</th>" for i in range(printed.ncols)) + "</tr>")
    lines.append("</thead><tbody>")
    for row in printed.rows:
        if row.section is not None:
            lines.append(f'<tr class="section"><td colspan="{printed.ncols}">{_esc(row.section)}</td></tr>')
            continue
        classes = " ".join(c for c in ("bold" if row.bold else "", row.level) if c)
        cells = []
        for text, kind in zip(row.cells, row.kinds, strict=True):
            content = _esc(text)
            if kind == "label" and colors and text in colors:
                content = f'<span class="badge" style="background:{_esc(colors[text])}">{content}</span>'
            style = f' style="padding-left:{6 + 12 * row.indent}px"' if kind == "text" and row.indent else ""
            cells.append(f'<td class="{kind}"{style}>{content}</td>')
        lines.append(f'<tr class="{classes}">' + "".join(cells) + "</tr>")
    lines.append("</tbody></table></div>")
    return "\n".join(lines)


def figure_html(chart_id: str, path: Path, number: str = "", title: str = "") -> str:
    """A chart embedded as a figure, captioned ``Gambar 3. 1 <title>`` when numbered."""
    title = title or CHART_TITLES.get(chart_id, chart_id)
    caption = f"Gambar {number} {title}" if number else title
    return (
        f'<figure id="{_esc(chart_id)}"><img src="{png_data_uri(path)}" alt="{_esc(title)}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def page_html(title: str, subtitle: str, body: list[str], note: str = "") -> str:
    """A complete html document around the body parts (``note`` under the subtitle)."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="id"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{_esc(title)}</h1><p>{_esc(subtitle)}</p>",
            *([f'<p class="as-of"><strong>{_esc(note)}</strong></p>'] if note else []),
            *body,
            "</body></html>",
        ]
    )


def write_html_report(
    printed: list[PrintedTable],
    narrative: Narrative,
    charts: Mapping[str, Path],
    path: Path,
    *,
    opd_name: str,
    year: int,
    colors: Mapping[str, str] | None = None,
    note: str = "",
    source: str = "",
    scales: ReportScales | None = None,
    texts: OfficeTexts | None = None,
    government: str = "",
) -> Path:
    """Write the year-end report as one self-contained html page (``note`` under the title; ``source``
    under every table, by default the OPD's name)."""
    body: list[str] = []
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
        if block.kind == "heading":
            level = block.level + 1
            body.append(f"<h{level}>{_esc(block.text)}</h{level}>")
        elif block.kind == "paragraph":  # the lines an office typed one by one stay lines
            body.append("<p>" + "<br>".join(_esc(line) for line in block.text.split("\n")) + "</p>")
        elif block.kind == "formula":
            body.append(f'<p class="formula">{_esc(block.text)}</p>')
        elif block.kind == "items":
            body.append("<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in block.items) + "</ul>")
        elif block.kind == "table" and block.table is not None:
            body.append(table_html(block.table, colors))
            body.append(f'<p class="source">Sumber Data : {_esc(block.source)}</p>')
        elif block.kind == "chart":
            body.append(figure_html(block.chart_id, charts[block.chart_id], block.number, block.text))
        elif block.kind == "signature":
            lines = "<br>".join(_esc(line) for line in block.items)
            body.append(f'<p class="signature">{lines}</p>')
    title = f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}"
    text = page_html(title, agency_name(opd_name, government), body, note)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
