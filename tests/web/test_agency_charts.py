"""What the Kadis sees on an agency's page: the cumulative line chart, the serapan bars, the early-warning
badge and the last upload; the SVG they are drawn with, and the Indonesian numbers on them."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sakip.web.charts import (
    LineFrame,
    MonthPoint,
    ProgramBar,
    cumulative_chart,
    nice_ticks,
    serapan_bars,
)
from sakip.web.figures import deviasi_badge, points_text, program_bars, warning_level, year_points
from tasks.core.formatting import format_size, short_rupiah
from tasks.settings import ReportScales
from tests.fixtures.dashboard import load_months, load_sample_plan, record_upload
from tests.fixtures.web import AGENCY, WebSite, sign_in

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Program <script>alert(1)</script> & "kutip" \x07 </text><text>'


def parse(svg: str) -> ET.Element:
    """The chart as XML (fails on anything that is not well-formed)."""
    return ET.fromstring(svg)


def circles(root: ET.Element, series: str) -> list[tuple[float, float]]:
    """(cx, cy) of the points of one series of the line chart."""
    group = root.find(f"{SVG}g[@data-series='{series}']")
    assert group is not None, series
    return [(float(c.get("cx")), float(c.get("cy"))) for c in group.iter(f"{SVG}circle")]


def inline_svg(html: str, chart_id: str) -> ET.Element:
    """The inline ``<svg id=chart_id>`` of a page, parsed."""
    found = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert found, f"no chart {chart_id}"
    return parse(found.group(0))


def test_short_rupiah_and_sizes_are_written_the_indonesian_way():
    amounts = (1_200_000_000, 350_000_000, 12_345, 0, 9_960_000_000, 12_500_000_000, 5_000_000)
    assert [short_rupiah(v) for v in amounts] == ["1,2 M", "350 jt", "12,3 rb", "0", "10 M", "12,5 M", "5 jt"]
    assert short_rupiah(float("nan")) == ""
    assert [format_size(v) for v in (2 * 1024 * 1024, 512 * 1024, 900, 1536 * 1024 * 1024)] == [
        "2,0 MB",
        "512 KB",
        "900 bita",
        "1,5 GB",
    ]


def test_nice_ticks_reach_the_largest_value_in_round_steps():
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(1_515_538_123)[-1] == 2_000_000_000
    assert nice_ticks(0) == [0.0, 1.0]


def test_the_line_chart_puts_each_month_where_its_value_is():
    frame = LineFrame()
    plan = [MonthPoint(m, None, 100.0 * m) for m in range(1, 13)]
    points = [MonthPoint(1, 50.0, 100.0), MonthPoint(2, 150.0, 200.0), MonthPoint(4, 300.0, 400.0)]
    merged = {p.month: p for p in plan} | {p.month: p for p in points}
    root = parse(cumulative_chart(list(merged.values()), "Kumulatif 2022", frame=frame))

    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Kumulatif 2022"
    assert "s.d. April" in root.find(f"{SVG}desc").text
    top = nice_ticks(1200.0)[-1]
    expected = [(round(frame.x(m), 1), round(frame.y(v, top), 1)) for m, v in ((1, 50), (2, 150), (4, 300))]
    assert circles(root, "realisasi") == expected
    assert len(circles(root, "anggaran_kas")) == 12
    assert circles(root, "anggaran_kas")[-1] == (round(frame.x(12), 1), round(frame.y(1200, top), 1))
    path = root.find(f"{SVG}g[@data-series='realisasi']/{SVG}path").get("d")
    assert path.count("M") == 2  # March is missing: the line is lifted over it
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Jan" in labels and "Des" in labels and "Realisasi kumulatif" in labels
    assert "Anggaran kas kumulatif" in labels
    assert "1,3 rb" in labels and "1 rb" in labels  # the rupiah axis in Indonesian (1.250, 1.000)


def test_the_charts_escape_names_and_use_no_style():
    bars = [ProgramBar("2.17.01", HOSTILE, 45.5), ProgramBar("2.17.02", "Program biasa", None)]
    svg = serapan_bars(bars, f"Serapan {HOSTILE}")
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert "<script>" not in svg and "style=" not in svg and "<style" not in svg
    names = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and t.startswith('2.17.01 Program <script>alert(1)</script> & "kutip"') for t in names)
    groups = root.findall(f"{SVG}g[@class='bar']")
    assert [g.get("data-kode") for g in groups] == ["2.17.01", "2.17.02"]
    written = ["".join(g.itertext()) for g in groups]
    assert "45,50 %" in written[0] and "tanpa anggaran" in written[1]
    line = cumulative_chart([MonthPoint(1, 5.0, 6.0)], HOSTILE)
    assert "<script>" not in line and parse(line).find(f"{SVG}title").text.startswith("Program <script>")


def test_bars_are_as_long_as_their_serapan():
    bars = [ProgramBar("a", "A", 25.0), ProgramBar("b", "B", 100.0), ProgramBar("c", "C", 0.0)]
    root = parse(serapan_bars(bars, "Serapan"))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("class") == "value"]
    assert widths[1] == pytest.approx(4 * widths[0], rel=0.01)
    assert widths[2] == 1.0  # a hairline: the bar is there, its length zero


def test_badge_colour_follows_the_scales_category_and_says_it_in_words():
    scales = ReportScales()
    labels = scales.warning_labels
    assert [warning_level(label, labels) for label in labels] == [
        "hijau",
        "hijau",
        "kuning",
        "merah",
        "merah",
    ]
    low = deviasi_badge(49.0, 1000.0, 100.0, 2, scales)  # 4,9 % in TW I, plan 10 %
    assert low is not None and (low.level, low.kategori) == ("merah", "Sangat Rendah")
    assert low.words == "serapan 4,90 %, anggaran kas 10,00 %, deviasi -5,10 poin"
    high = deviasi_badge(300.0, 1000.0, None, 3, scales)
    assert high is not None and (high.level, high.kategori) == ("hijau", "Sangat Tinggi")
    assert high.words.endswith("anggaran kas belum ada")
    assert deviasi_badge(10.0, 0.0, 5.0, 3, scales) is None
    assert points_text(1.0) == "+1,00 poin" and points_text(0.0) == "0,00 poin"


def test_year_points_take_the_plan_workbook_where_a_month_has_no_plan_of_its_own():
    months = [
        {"month": 1, "realisasi": 10.0, "anggaran_kas": 12.0},
        {"month": 2, "realisasi": 20.0, "anggaran_kas": math.nan},
    ]
    points = year_points(months, {m: 5.0 for m in range(1, 13)})
    assert [(p.realisasi, p.anggaran_kas) for p in points[:3]] == [(10.0, 12.0), (20.0, 10.0), (None, 15.0)]
    assert points[-1].anggaran_kas == 60.0
    without_plan = year_points(months, {})
    assert [p.anggaran_kas for p in without_plan[:3]] == [12.0, None, None]
    ordered = program_bars(
        [
            {"kode": "b", "uraian": "B", "realisasi_pct": 30.0},
            {"kode": "a", "uraian": "A", "realisasi_pct": math.nan},
            {"kode": "c", "uraian": "C", "realisasi_pct": 10.0},
        ]
    )
    assert [b.kode for b in ordered] == ["c", "b", "a"]


def test_the_agency_page_draws_its_year_its_programs_its_warning_and_its_last_upload(
    site: WebSite, sample_2022, tmp_path: Path
):
    january, _ = load_months(site.engine, sample_2022.realization[:2])
    load_sample_plan(site.engine, sample_2022.realization, tmp_path / "rak_2022.xlsx")
    upload = record_upload(
        site.engine,
        [("laporan Januari (final).xlsx", "loaded", january.sha256), ("salah <b>.xlsx", "rejected", "")],
    )
    client = site.client()
    sign_in(client, "dinas")
    answer = client.get(f"/agencies/{AGENCY}")
    assert answer.status_code == 200
    html = answer.text
    assert "style=" not in html and "<style" not in html and "<script" not in html

    line = inline_svg(html, "grafik-kumulatif")
    assert len(circles(line, "realisasi")) == 2  # January and February loaded
    assert len(circles(line, "anggaran_kas")) == 12  # the plan workbook's year
    assert (
        "Realisasi kumulatif s.d. Februari Rp 1.283.296.548, anggaran kas s.d. bulan itu Rp 1.515.538.123"
        in line.find(f"{SVG}desc").text
    )

    bars = inline_svg(html, "grafik-serapan")
    assert len(bars.findall(f"{SVG}g[@class='bar']")) == 8  # the sample's eight programs
    shares = [float(g.find(f"{SVG}rect[@class='value']").get("width")) for g in bars.findall(f"{SVG}g")]
    assert shares == sorted(shares)  # lowest serapan first

    # February: 4,90 % spent, 5,79 % planned: below every band of TW I
    assert '<span class="badge level-merah">Sangat Rendah</span>' in html
    assert "serapan 4,90 %, anggaran kas 5,79 %, deviasi -0,89 poin" in html
    assert f'<a href="/uploads/{upload}">lihat hasil</a>' in html
    assert "selesai (1 dimuat, 1 ditolak)" in html
    assert "salah &lt;b&gt;.xlsx" in html  # the upload's files, by the names they were sent under
    loaded = html[html.index("<h2>Bulan yang dimuat</h2>") : html.index("<h2>Berkas ditolak</h2>")]
    assert "laporan Januari (final).xlsx" in loaded and "realisasi_2022_01.xlsx" not in loaded
    assert "realisasi_2022_02.xlsx" in loaded  # a month not sent through the web keeps its name
    assert "Februari" in html and "1.283.296.548" in html  # the chart's data table


def test_an_agency_with_nothing_loaded_sees_an_empty_chart_and_no_badge(site: WebSite):
    client = site.client()
    sign_in(client, "dinas")
    html = client.get(f"/agencies/{AGENCY}").text
    line = inline_svg(html, "grafik-kumulatif")
    assert line.find(f"{SVG}desc").text == "Belum ada realisasi yang dimuat."
    assert line.findall(f".//{SVG}circle") == []
    assert 'id="grafik-serapan"' not in html and "level-" not in html
    assert "belum ada bulan yang dimuat" in html and "belum ada pengiriman lewat aplikasi" in html
