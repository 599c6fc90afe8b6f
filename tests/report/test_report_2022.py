"""Golden tests of the year-end report outputs, the monthly monitoring and the reconciliation (2022).

The sample is loaded straight into a fresh warehouse (its validation is the golden test's job in
``test_lkjip_2022.py``); then ``sakip report`` runs the annual flow ONCE with every format, and
``sakip monthly`` / ``sakip reconcile`` run on the same warehouse. The expected values are the
tables as printed (``tests/data/lkjip-2022``), read back from the xlsx (openpyxl), docx (python-docx)
and html (html.parser) files.
"""

from __future__ import annotations

import base64
import io
import itertools
from contextlib import redirect_stderr, redirect_stdout
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.text.paragraph import Paragraph
from matplotlib import image as mpimg

from sakip.cli import main
from tasks.core.formatting import format_percent, format_rupiah
from tests.fixtures.paths import REFERENCE_2022
from warehouse.db import open_warehouse

OPD = "2.17.0.00.0.00.01.0000"
pytestmark = pytest.mark.prefect
CHARTS = (
    "grafik_realisasi_kumulatif.png",
    "grafik_realisasi_kumulatif_program.png",
    "grafik_capaian_indikator.png",
    "grafik_serapan_program.png",
)
#: The document's misprints (see test_lkjip_2022.py): (table, row, column, printed, data).
MISPRINTS = [
    ("Tabel 3.2", "1", "tingkat_kemajuan_tercetak", "98,64", "98,26"),
    (
        "Tabel 3.4",
        "2",
        "keterangan_tercetak",
        "Tidak terserapnya anggaran karena pengajuan sertifikasi HAKI tidak lolos verifikasi",
        "Efisiensi",
    ),
    ("Tabel 3.6", "2.17.01.2.09.05", "persen_tercetak", "(kosong)", "0,00"),
    (
        "Tabel 3.6",
        "2.17.04",
        "uraian",
        "Program Penilaian Kesehatan Ksp/Usk Koperasi",
        "Program Penilaian Kesehatan KSP/USP Koperasi",
    ),
    ("Tabel 3.7", "2.17.01.2.09.05", "silpa_tercetak", "(kosong)", "2.181.600"),
    ("Tabel 3.7", "2.17.01.2.09.05", "persen_tercetak", "(kosong)", "100,00"),
]


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def reference(name: str) -> pd.DataFrame:
    """One reference table as printed."""
    return pd.read_csv(REFERENCE_2022 / name, dtype={"kode": str, "no": str, "program_kode": str})


@pytest.fixture(scope="module")
def report(prefect_server, sample_2022, tmp_path_factory) -> dict[str, object]:
    """Load the sample, then run ``sakip report`` (all formats), ``monthly`` and ``reconcile``."""
    from tasks.extract.reading import read_workbook
    from tasks.operations.intake import discover_workbooks, load_workbook

    workdir = tmp_path_factory.mktemp("report-work")
    engine = open_warehouse(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    for path in discover_workbooks([sample_2022.indicators.parent]):
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    report_run = run("report", "--year", "2022", "--workdir", str(workdir))
    monthly_run = run("monthly", "--year", "2022", "--month", "6", "--workdir", str(workdir))
    reconcile_run = run(
        "reconcile", "--year", "2022", "--published", str(REFERENCE_2022), "--workdir", str(workdir)
    )
    out = workdir / "reports" / "2022" / OPD
    return {
        "workdir": workdir,
        "engine": engine,
        "out": out,
        "report": report_run,
        "monthly": monthly_run,
        "reconcile": reconcile_run,
    }


# ------------------------------------------------------------------------------------------ files


def test_every_format_is_written(report):
    status, stdout, _ = report["report"]
    assert status == 0
    out: Path = report["out"]
    names = {Path(line).name for line in stdout.splitlines() if line.strip()}
    tables = {
        f"tabel_{n}.csv" for n in ("2_1", "2_2", "2_3", "3_1", "3_2", "3_3", "3_4", "3_5", "3_6", "3_7")
    }
    tables |= {
        f"tabel_{n}.csv"
        for n in ("sumber_dana", "silpa_sasaran", "fisik_keuangan", "ringkasan_kinerja", "ringkasan_anggaran")
    }
    tables |= {f"tabel_{n}.csv" for n in ("pk_sasaran", "pk_program", "penetapan_iku")}
    expected = tables | {"tabel_murni_perubahan.csv", "lkjip_2022.xlsx", "lkjip_2022.docx", "lkjip_2022.html"}
    assert expected | set(CHARTS) == names
    assert all((out / name).stat().st_size > 0 for name in names)


def test_murni_perubahan_table(report):
    table = pd.read_csv(
        report["out"] / "tabel_murni_perubahan.csv", dtype={"kode": str}, keep_default_na=False
    )
    annex = reference("perjanjian_kinerja_2022_anggaran_murni.csv")
    programs = table[table["uraian"] != "JUMLAH"]
    assert programs["kode"].tolist() == annex["program_kode"].tolist()
    assert programs["anggaran_murni"].tolist() == annex["anggaran_pk"].tolist()
    total = table[table["uraian"] == "JUMLAH"].iloc[0]
    assert (total["anggaran_murni"], total["anggaran_perubahan"]) == (26_163_067_000, 22_500_227_865)
    assert total["perubahan"] == 22_500_227_865 - 26_163_067_000
    row = table.set_index("kode").loc["2.17.05"]
    assert (row["anggaran_perubahan"], row["perubahan"]) == (1_334_864_790, 78_181_240)


# ------------------------------------------------------------------------------------------- xlsx


def test_xlsx_sheets_and_reference_values(report):
    wb = openpyxl.load_workbook(report["out"] / "lkjip_2022.xlsx")
    # then the summary of chapter IV and the forms of the Lampiran
    assert wb.sheetnames[-6:] == [
        "Anggaran Murni-Perubahan",
        "Ringkasan Kinerja",
        "Ringkasan Anggaran",
        "PK Sasaran",
        "PK Program",
        "Penetapan IKU",
    ]
    ws = wb["Tabel 3.6"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=6, values_only=True)}
    for want in reference("tabel_3_6_anggaran_realisasi.csv").itertuples(index=False):
        got = rows[want.kode]
        assert (got[2], got[3]) == (want.anggaran, want.realisasi), want.kode
        if not pd.isna(want.persen_tercetak):
            assert format_percent(got[4]) == format_percent(want.persen_tercetak), want.kode
    murni = wb["Anggaran Murni-Perubahan"]
    assert murni["A1"].value == "Tabel Anggaran Murni dan Perubahan"
    assert "C5:D5" in {str(r) for r in murni.merged_cells.ranges}  # ANGGARAN (Rp) over murni | perubahan
    values = next(r for r in murni.iter_rows(min_row=7, values_only=True) if r[1] == "JUMLAH")
    assert values[2:5] == (26_163_067_000, 22_500_227_865, -3_662_839_135)
    assert murni.cell(7, 3).number_format == '[$-421]#,##0;-#,##0;"-"'
    assert murni.page_setup.orientation == "landscape"


def test_titles_name_the_opd_with_its_government(report):
    """The workbooks' "PEMERINTAH KOTA SEMARANG" names the OPD in the titles, as the document's do."""
    budget_year = "Dinas Koperasi dan Usaha Mikro Kota Semarang Tahun Anggaran 2022"
    agreement = "Perjanjian Kinerja Dinas Koperasi dan Usaha Mikro Kota Semarang Tahun 2022"
    wb = openpyxl.load_workbook(report["out"] / "lkjip_2022.xlsx")
    titles = {
        sheet: [c for (c,) in wb[sheet].iter_rows(max_row=4, max_col=1, values_only=True) if c]
        for sheet in ("Tabel 2.3", "Tabel 3.1", "Tabel 3.6", "Tabel 3.7")
    }
    assert budget_year in titles["Tabel 3.6"] and budget_year in titles["Tabel 3.7"]
    assert agreement in titles["Tabel 2.3"]
    assert "Dinas Koperasi dan Usaha Mikro Kota Semarang Tahun 2022" in titles["Tabel 3.1"]
    captions = [p.text for p in Document(str(report["out"] / "lkjip_2022.docx")).paragraphs]
    t36 = next(text for text in captions if text.startswith("Tabel 3. 6"))
    assert budget_year in t36
    assert any(text.startswith("Tabel 2. 3") and agreement in text for text in captions)
    page = (report["out"] / "lkjip_2022.html").read_text(encoding="utf-8")
    assert budget_year in page and agreement in page


# ------------------------------------------------------------------------------------------- docx


def _docx_tables(path: Path) -> dict[str, object]:
    """The tables of the document keyed by the caption line just above each one."""
    doc = Document(str(path))
    body = doc.element.body
    tables: dict[str, object] = {}
    caption = None
    table_iter = iter(doc.tables)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, doc).text.split("\n")[0]  # the caption's first line: "Tabel 3. 6"
            if text.startswith("Tabel"):
                caption = text
        elif tag == "tbl":
            tables[caption or f"#{len(tables)}"] = next(table_iter)
            caption = None  # a table without a numbered caption is not the one before it
    return tables


def test_docx_tables_hold_reference_values(report):
    tables = _docx_tables(report["out"] / "lkjip_2022.docx")
    assert {"Tabel 2. 1", "Tabel 3. 1", "Tabel 3. 4", "Tabel 3. 6", "Tabel 3. 7"} <= set(tables)
    t36 = tables["Tabel 3. 6"]
    by_code = {row.cells[0].text: row for row in t36.rows[1:]}
    for want in reference("tabel_3_6_anggaran_realisasi.csv").itertuples(index=False):
        cells = by_code[want.kode].cells
        assert cells[2].text == format_rupiah(want.anggaran), want.kode
        assert cells[3].text == format_rupiah(want.realisasi), want.kode
        expected = "-" if pd.isna(want.persen_tercetak) else format_percent(want.persen_tercetak)
        assert cells[4].text == expected, want.kode  # the misprinted blank row reads "-" (0 %)
    assert by_code["2.17"].cells[2].text == "22.500.227.865"
    assert by_code["2.17"].cells[4].text == "83,79"
    program = by_code["2.17.01"].cells[1].paragraphs[0].runs[0]
    sub = by_code["2.17.01.2.01.01"].cells[1].paragraphs[0].runs[0]
    assert program.bold and not sub.bold
    t37 = tables["Tabel 3. 7"]
    total = next(row for row in t37.rows if row.cells[0].text == "2.17")
    assert [c.text for c in total.cells[2:]] == ["22.500.227.865", "18.852.082.292", "3.648.145.573", "16,21"]
    t31 = tables["Tabel 3. 1"]
    assert [row.cells[6].text for row in t31.rows[2:]] == ["100,84", "135,23", "103,25"]
    assert [row.cells[7].text for row in t31.rows[2:]] == ["Sangat Tinggi"] * 3
    # target and realisasi with their unit as the document prints them; the score without
    assert [(row.cells[4].text, row.cells[5].text) for row in t31.rows[2:]] == [
        ("76%", "76,64%"),
        ("30%", "40,57%"),
        ("77,20", "79,71"),
    ]
    assert [c.text for c in t31.rows[1].cells] == [str(i) for i in range(1, 10)]  # numbering row
    assert t31.rows[4].cells[8].text == "Berdasarkan hasil LKE dari Inspektorat"


def test_docx_two_row_headers_are_merged_and_repeat(report):
    t34 = _docx_tables(report["out"] / "lkjip_2022.docx")["Tabel 3. 4"]
    top, second = t34.rows[0].cells, t34.rows[1].cells
    assert top[2].text == "INDIKATOR KINERJA" and top[2]._tc is top[4]._tc  # merged across 3 columns
    assert top[5].text == "ANGGARAN" and top[5]._tc is top[7]._tc
    assert top[0]._tc is second[0]._tc  # "No" spans both heading rows
    assert [c.text for c in second[2:8]] == [
        "Target",
        "Realisasi",
        "% Capaian",
        "Anggaran",
        "Realisasi",
        "% Capaian",
    ]
    assert t34.rows[2].cells[5].text == "4.161.391.100"
    assert t34.rows[0]._tr.trPr.xml.count("tblHeader") == 1


def test_docx_narrative_and_charts(report):
    doc = Document(str(report["out"] / "lkjip_2022.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    # the sentences the document writes, with a verb and the units as it prints them ("83,79%")
    assert (
        "anggaran terealisasi sebesar Rp 18.852.082.292 (83,79%), sehingga terdapat sisa anggaran "
        "sebesar Rp 3.648.145.573 (16,21%)" in text
    )
    assert "sebesar Rp 22.500.227.865 yang bersumber dari PAD sebesar Rp 21.275.842.665" in text
    assert "Kedua indikator kinerja tujuan mencapai target dengan kategori Sangat Tinggi." in text
    assert "Seluruh sebelas indikator kinerja program mencapai target dengan kategori Sangat Tinggi." in text
    low = next(
        p for p in text.splitlines() if p.startswith("Empat program menyerap anggaran di bawah 80%, yaitu")
    )
    assert low.index("(70,56%)") < low.index("(71,55%)") < low.index("(76,97%)") < low.index("(79,44%)")
    assert (
        "c. Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota, dengan anggaran sebesar "
        "Rp 9.458.117.635" in text
    )
    assert "sisa anggaran sebesar Rp 835.539.421 (8,83%)" in text
    assert "Anggaran murni sesuai Perjanjian Kinerja sebesar Rp 26.163.067.000" in text
    assert (
        "Indikator Persentase koperasi Aktif dengan target 76% terealisasi 76,64%, atau berhasil mencapai "
        "100,84% dari target (kategori Sangat Tinggi)." in text
    )
    assert (
        "Indikator Nilai AKIP dengan target 77,20 terealisasi 79,71, atau berhasil mencapai 103,25%" in text
    )
    # closing sentences after Tables 3.2 and 3.4
    assert "target akhir Renstra antara 81,14% dan 102,19%" in text
    assert (
        "Ketiga sasaran mencapai targetnya dengan serapan anggaran di bawah 100%, sehingga penggunaan "
        "anggarannya dinilai efisien, yaitu Meningkatnya kualitas penyelenggaraan, kelembagaan dan "
        "kesehatan koperasi (serapan 81,40%)" in text
    )
    # the validation's note on capaian beyond 300 % stays out of the public text
    assert "melampaui 300%" not in text and "ditinjau kembali" not in text
    # III.D.2: the transfer funds per sub kegiatan, as the document lists them
    assert "Anggaran DAK Non Fisik sebesar Rp 404.200.000 digunakan pada dua sub kegiatan" in text
    assert (
        "Kapasitas dan Kompetensi SDM Koperasi sebesar Rp 268.940.000 dengan realisasi sebesar "
        "Rp 242.392.000 atau 90,13%." in text
    )
    assert "sebesar Rp 100.000.000 dengan realisasi sebesar Rp 84.193.302 atau 84,19%." in text
    # III.D: SILPA grouped by sasaran (the document's a., b., c.)
    assert (
        "Program Pengembangan UMKM, dengan total anggaran sebesar Rp 8.880.719.130 terealisasi sebesar "
        "Rp 6.842.116.685 (77,04%) dan sisa anggaran sebesar Rp 2.038.602.445 (22,96%)." in text
    )
    # chapter IV: the conclusions
    assert "3) Terdapat delapan program dengan sebelas indikator kinerja program; seluruhnya mencapai" in text
    assert (
        "Dari alokasi anggaran belanja sebesar Rp 22.500.227.865 terealisasi sebesar Rp 18.852.082.292 "
        "(83,79%), sehingga terdapat sisa anggaran sebesar Rp 3.648.145.573 (16,21%)." in text
    )
    assert "Sisa Lebih Pagu" not in text and "Analisa" not in text
    assert len(doc.inline_shapes) == len(CHARTS)
    assert doc.sections[0].orientation == 0  # portrait: wide tables have landscape sections of their own


# ------------------------------------------------------------------------------------------- html


class _TableReader(HTMLParser):
    """Collects the cell texts of every table by id, the images and the meta tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.meta: list[dict[str, str]] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attributes.get("src", ""))
        elif tag == "meta":
            self.meta.append({k: v or "" for k, v in attrs})

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None


def _read_html(path: Path) -> _TableReader:
    """Parse an html page."""
    reader = _TableReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def test_html_holds_the_same_numbers_and_is_self_contained(report):
    path = report["out"] / "lkjip_2022.html"
    page = _read_html(path)
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.meta
    assert "http://" not in path.read_text() and "https://" not in path.read_text()  # nothing external
    rows = {r[0]: r for r in page.tables["tabel_3_7"] if r}
    for want in reference("tabel_3_7_sisa_anggaran.csv").itertuples(index=False):
        got = rows[want.kode]
        assert got[2:4] == [format_rupiah(want.anggaran), format_rupiah(want.realisasi)], want.kode
        if not pd.isna(want.silpa_tercetak):
            assert got[4:6] == [format_rupiah(want.silpa_tercetak), format_percent(want.persen_tercetak)]
    t35 = page.tables["tabel_3_5"]
    assert ["TUJUAN :"] in t35 and ["PROGRAM :"] in t35
    assert [
        "4",
        "Persentase fasilitasi penerbitan ijin usaha Simpan Pinjam dan pembukaan Kantor Cabang, "
        "Cabang Pembantu dan Kantor Kas Koperasi Simpan Pinjam",
        "3%",
        "11,48%",
        "382,67",
        "Sangat Tinggi",
        "NA",  # no realization in 2021, printed as the document does
    ] in t35
    assert len(page.images) == len(CHARTS)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        _assert_not_blank(mpimg.imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png"))


# ----------------------------------------------------------------------------------------- charts


def _assert_not_blank(pixels: np.ndarray) -> None:
    """A chart image of sensible size with drawn content: many colours, a good share not white."""
    height, width = pixels.shape[:2]
    assert width >= 500 and height >= 250, (width, height)
    rgb = np.round(pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours = np.unique(rgb, axis=0)
    non_white = (rgb < 245).any(axis=1).mean()
    assert len(colours) > 50, len(colours)
    assert non_white > 0.05, non_white


@pytest.mark.parametrize("name", CHARTS)
def test_charts_exist_and_are_not_blank(report, name):
    _assert_not_blank(mpimg.imread(report["out"] / name))


def test_capaian_chart_uses_category_colours(report):
    pixels = mpimg.imread(report["out"] / "grafik_capaian_indikator.png")[..., :3]
    rgb = np.round(pixels * 255).astype(int).reshape(-1, 3)
    sangat_tinggi = np.array([0x1A, 0x98, 0x50])  # every 2022 indicator is Sangat Tinggi
    assert (np.abs(rgb - sangat_tinggi).sum(axis=1) < 6).mean() > 0.05


def test_serapan_chart_marks_programs_under_threshold(report):
    pixels = mpimg.imread(report["out"] / "grafik_serapan_program.png")[..., :3]
    rgb = np.round(pixels * 255).astype(int).reshape(-1, 3)
    low = (np.abs(rgb - np.array([0xD7, 0x30, 0x27])).sum(axis=1) < 6).mean()
    high = (np.abs(rgb - np.array([0x1A, 0x98, 0x50])).sum(axis=1) < 6).mean()
    assert low > 0.02 and high > 0.02  # 4 programs under 80 %, 4 above


# ---------------------------------------------------------------------------------- reconciliation


def test_reconciliation_lists_exactly_the_documents_misprints(report):
    status, stdout, _ = report["reconcile"]
    assert status == 0
    assert stdout.startswith("6 sel berbeda dari data:")
    path = report["out"] / "rekonsiliasi_2022.csv"
    findings = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(findings.columns) == ["tabel", "baris", "kolom", "tercetak", "data", "aturan", "jenis"]
    assert [tuple(r) for r in findings[["tabel", "baris", "kolom", "tercetak", "data"]].values] == MISPRINTS
    assert findings["jenis"].tolist() == [
        "beda nilai",
        "beda nilai",
        "kosong di laporan",
        "beda nilai",
        "kosong di laporan",
        "kosong di laporan",
    ]
    assert "half up" in findings["aturan"].iloc[0] and "longgar" in findings["aturan"].iloc[3]
    assert "2.181.600" in stdout


def test_reconciliation_finds_a_new_misprint(report, tmp_path):
    from tasks.report.reconcile import reconcile_warehouse
    from tasks.settings import load_settings

    for source in REFERENCE_2022.glob("*.csv"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    edited = pd.read_csv(tmp_path / "tabel_3_6_anggaran_realisasi.csv", dtype={"kode": str})
    edited.loc[edited["kode"] == "2.17.08", "realisasi"] = 4_101_392_957  # one rupiah off
    edited.loc[edited["kode"] == "2.17.05", "uraian"] = "PROGRAM  pendidikan, dan latihan / perkoperasian"
    edited.to_csv(tmp_path / "tabel_3_6_anggaran_realisasi.csv", index=False)
    analysis = pd.read_csv(tmp_path / "tabel_3_3_analisis_keberhasilan.csv", dtype={"no": str})
    analysis.loc[analysis["no"] == "3", "analisis_penyebab"] = "Peningkatan mutu pelayanan"  # another text
    analysis.to_csv(tmp_path / "tabel_3_3_analisis_keberhasilan.csv", index=False)
    settings = load_settings(report["workdir"])
    findings = reconcile_warehouse(
        report["engine"], OPD, 2022, tmp_path, settings.capaian_scale, settings.efficiency_threshold_pct
    )
    rows = [tuple(r) for r in findings[["tabel", "baris", "kolom", "tercetak", "data"]].values]
    assert ("Tabel 3.6", "2.17.08", "realisasi", "4.101.392.957", "4.101.392.956") in rows
    assert [r[:4] for r in rows if r[0] == "Tabel 3.3"] == [
        ("Tabel 3.3", "3", "analisis_penyebab", "Peningkatan mutu pelayanan")
    ]
    assert len(rows) == len(MISPRINTS) + 2  # spacing, case and punctuation of 2.17.05 are no misprint


# ------------------------------------------------------------------------------------ monitoring


def test_monthly_monitoring_lists_programs_by_deviasi(report):
    status, stdout, _ = report["monthly"]
    assert status == 0
    assert "deviasi -6,05 poin, kategori Sangat Rendah" in stdout
    wb = openpyxl.load_workbook(report["out"] / "monitoring_2022_06.xlsx")
    assert wb.sheetnames == ["Program", "Kegiatan", "Sub Kegiatan"]
    ws = wb["Program"]
    assert [c.value for c in ws[4]][:3] == ["Kode", "Uraian", "Anggaran (Rp)"]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True)]
    assert [r[0] for r in rows] == [
        "2.17.08",
        "2.17.04",
        "2.17.02",
        "2.17.03",
        "2.17.06",
        "2.17.07",
        "2.17.01",
        "2.17.05",
    ]
    deviasi = [r[8] for r in rows]
    assert deviasi == sorted(deviasi) and deviasi[0] == pytest.approx(-11.528106, abs=1e-6)
    # TW II bands: 38,47 % >= 33 is Sedang; every other program is under 26 %
    assert [r[11] for r in rows] == ["Sangat Rendah"] * 6 + ["Sedang", "Sangat Rendah"]
    first = rows[0]
    assert first[2:6] == (4_966_705_900, 0, 785_169_978, 1_357_737_085)
    assert first[6] == pytest.approx(15.808667, abs=1e-6) and first[7] == pytest.approx(27.336772, abs=1e-6)
    assert first[9] == pytest.approx(-11.528106 / 27.336772 * 100, rel=1e-6)
    assert first[10] == pytest.approx(34.57)  # fisik, budget-weighted
    subs = [r for r in wb["Sub Kegiatan"].iter_rows(min_row=5, values_only=True)]
    assert len(subs) == 38 and all(a[8] <= b[8] for a, b in itertools.pairwise(subs))
    page = _read_html(report["out"] / "monitoring_2022_06.html")
    assert [r[0] for r in page.tables["monitoring_program"][1:]] == [r[0] for r in rows]
    assert page.tables["monitoring_program"][1][8] == "-11,53"
