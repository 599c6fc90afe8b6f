"""An agency and year of our own making, every table asserted with values computed by hand.

Dinas Perikanan (``3.25.0.00.0.00.01.0000``), 2024: two programs, three sub kegiatan (one split over
two expenditure accounts paid by DAK Fisik and PAD, one paid by DAU), the December workbook only;
an indicator workbook using the optional columns under other accepted titles (``Formula
Perhitungan``, ``Penanggungjawab``, ``Analisis Penyebab``), one analysis written as hostile text;
the indicator workbooks of 2023 and 2022 give the realizations of the years before.

The budget, in rupiah (anggaran / realisasi to December, fisik %, sumber dana):

- 3.25.01.2.01.01 Penyusunan Dokumen Perencanaan: 200.000.000 / 180.000.000, 100 %, PAD
- 3.25.02.2.01.01 Penyediaan Prasarana Usaha Perikanan Tangkap: 500.000.000 / 300.000.000, 70 %,
  accounts DAK Fisik 400.000.000 / 250.000.000 and PAD 100.000.000 / 50.000.000
- 3.25.02.2.01.02 Pemberdayaan Nelayan Kecil: 300.000.000 / 294.000.000, 95 %, DAU
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from docx import Document

from tasks.core.scales import ReportScales
from tasks.extract.reading import read_workbook
from tasks.operations.intake import load_workbook
from tasks.report.build import build_tables
from tasks.report.extras import report_extras
from tasks.report.writer import write_report
from tests.fixtures.workbooks import REALIZATION_HEADER, Sheet, header_block, write_xlsx
from warehouse.db import open_warehouse
from warehouse.queries import opd_headings

OPD = "3.25.0.00.0.00.01.0000"
NAME = "Dinas Perikanan"
YEAR = 2024
M = 1_000_000
HOSTILE = "@SUM(1+1) <script>alert(1)</script> Harga BBM naik"

BUDGET = [
    ["3.25", "URUSAN PERIKANAN", 1000 * M, 100 * M, 774 * M, None, None],
    ["3.25.01", "Program Penunjang Urusan Pemerintahan Daerah", 200 * M, 20 * M, 180 * M, None, None],
    ["3.25.01.2.01", "Perencanaan, Penganggaran, dan Evaluasi Kinerja", 200 * M, 20 * M, 180 * M, None, None],
    ["3.25.01.2.01.01", "Penyusunan Dokumen Perencanaan", 200 * M, 20 * M, 180 * M, 100, "PAD"],
    ["3.25.02", "Program Pengelolaan Perikanan Tangkap", 800 * M, 80 * M, 594 * M, None, None],
    ["3.25.02.2.01", "Pengelolaan Penangkapan Ikan", 800 * M, 80 * M, 594 * M, None, None],
    ["3.25.02.2.01.01", "Penyediaan Prasarana Usaha Perikanan Tangkap", 500 * M, 50 * M, 300 * M, 70, None],
    ["5.2.02.01.01.0001", "Belanja Modal Kapal", 400 * M, 40 * M, 250 * M, None, "DAK Fisik"],
    ["5.1.02.01.01.0002", "Belanja Bahan", 100 * M, 10 * M, 50 * M, None, "PAD"],
    ["3.25.02.2.01.02", "Pemberdayaan Nelayan Kecil", 300 * M, 30 * M, 294 * M, 95, "DAU"],
    [None, "JUMLAH", 1000 * M, 100 * M, 774 * M, None, None],
]

INDICATOR_HEADER = [
    "Jenis", "No", "Uraian", "Indikator", "Satuan", "Target", "Realisasi", "Target Akhir Renstra",
    "Kode Program", "Definisi Operasional", "Formula Perhitungan", "Penanggungjawab", "Sumber Data",
    "Analisis Penyebab", "Solusi",
]  # fmt: skip
INDICATORS_2024 = [
    ["Tujuan", 1, "Meningkatnya produksi perikanan", "Produksi perikanan", "ton", 1000, 1100, 1500, None,
     "Jumlah produksi perikanan tangkap dan budidaya setahun", "Σ produksi (ton)", "Kepala Dinas Perikanan",
     "Bidang Perikanan Tangkap"],
    ["Sasaran", 1, "Meningkatnya kesejahteraan nelayan", "Nilai Tukar Nelayan", "nilai", 105, 84, 110,
     "3.25.02", "Rasio indeks harga yang diterima nelayan terhadap yang dibayar", "It / Ib × 100",
     "Kepala Bidang Perikanan Tangkap", "BPS", HOSTILE, "Subsidi BBM bagi nelayan kecil"],
    ["Sasaran", 2, "Meningkatnya kualitas pelayanan perangkat daerah", "Nilai AKIP", "nilai", 70, 72.5, 75,
     "3.25.01", None, None, None, None, "Reviu internal setiap triwulan"],
    ["Program", 1, "Program Penunjang Urusan Pemerintahan Daerah",
     "Persentase dokumen perencanaan tepat waktu",
     "%", 100, 100, None, "3.25.01"],
    ["Program", 2, "Program Pengelolaan Perikanan Tangkap", "Persentase nelayan terfasilitasi", "%", 10, 40,
     None, "3.25.02"],
    ["Program", 3, "Program Pengelolaan Perikanan Tangkap", "Persentase kapal berizin", "%", 80, 50, None,
     "3.25.02"],
]  # fmt: skip
#: the years before, in the base columns only (no optional texts: the absent columns give empty cells)
EARLIER = {
    2023: [
        ["Sasaran", 1, "Meningkatnya kualitas pelayanan perangkat daerah", "Nilai AKIP", "nilai", 65, 68],
        ["Program", 1, "Program Pengelolaan Perikanan Tangkap", "Persentase kapal berizin", "%", 40, 45],
    ],
    2022: [["Program", 1, "Program Pengelolaan Perikanan Tangkap", "Persentase kapal berizin", "%", 35, 40]],
}


def indicator_file(folder: Path, year: int, header: list[str], rows: list[list[object]]) -> Path:
    """An indicator workbook of the agency: the header block, the header and the rows."""
    block = [[f"SKPD : {OPD} {NAME}"], [f"Tahun : {year}"], []]
    return write_xlsx(folder / f"indikator_{year}.xlsx", Sheet("Indikator", [*block, header, *rows]))


@pytest.fixture(scope="module")
def agency(tmp_path_factory) -> dict[str, object]:
    """The agency's workbooks loaded into a fresh warehouse, its tables built and its report written."""
    folder = tmp_path_factory.mktemp("perikanan")
    files = [
        write_xlsx(
            folder / "realisasi_2024_12.xlsx",
            Sheet(
                "LRA",
                [
                    *header_block(opd=f"{OPD} {NAME}", year=YEAR, month="Desember"),
                    REALIZATION_HEADER,
                    *BUDGET,
                ],
            ),
        ),
        indicator_file(folder, YEAR, INDICATOR_HEADER, INDICATORS_2024),
        *(indicator_file(folder, y, INDICATOR_HEADER[:7], rows) for y, rows in EARLIER.items()),
    ]
    engine = open_warehouse(f"sqlite:///{folder / 'sakip.db'}")
    for path in files:
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    scales = ReportScales()
    tables = build_tables(engine, OPD, YEAR, scales.capaian_scale, 100.0)
    out = folder / "report"
    government = opd_headings(engine, [OPD])[OPD][1]  # its workbooks name no government: ""
    write_report(
        tables,
        out,
        opd_name=NAME,
        year=YEAR,
        formats=("csv", "docx", "html"),
        extras=report_extras(engine, OPD, YEAR, 12),
        scales=scales,
        government=government,
    )
    engine.dispose()
    return {"tables": tables, "out": out, "government": government}


def rows_of(agency, table_id: str, *columns: str) -> list[list[object]]:
    """The table's values in the given columns, row by row (NaN as None, floats rounded to 4 places)."""
    frame = agency["tables"][table_id][list(columns)]
    return [
        [None if pd.isna(v) else round(v, 4) if isinstance(v, float) else v for v in row]
        for row in frame.itertuples(index=False)
    ]


def test_every_table_of_the_year_is_built(agency):
    assert list(agency["tables"]) == [
        "tabel_2_1",
        "tabel_2_2",
        "tabel_2_3",
        "tabel_3_1",
        "tabel_3_2",
        "tabel_3_3",
        "tabel_3_4",
        "tabel_3_5",
        "tabel_sumber_dana",
        "tabel_3_6",
        "tabel_silpa_sasaran",
        "tabel_3_7",
        "tabel_fisik_keuangan",
        "tabel_ringkasan_kinerja",
        "tabel_ringkasan_anggaran",
        "tabel_pk_sasaran",
        "tabel_pk_program",
        "tabel_penetapan_iku",
    ]


def test_table_2_1_and_2_3(agency):
    # no Renstra sheet: the year's own target only, no baseline
    assert rows_of(agency, "tabel_2_1", "jenis", "no", "indikator", "data_awal", "target_2024") == [
        ["tujuan", "1", "Produksi perikanan", None, 1000.0],
        ["sasaran", "1", "Nilai Tukar Nelayan", None, 105.0],
        ["sasaran", "2", "Nilai AKIP", None, 70.0],
    ]
    assert rows_of(agency, "tabel_2_3", "no", "indikator", "satuan", "target") == [
        ["1", "Nilai Tukar Nelayan", "nilai", 105.0],
        ["2", "Nilai AKIP", "nilai", 70.0],
    ]


def test_table_2_2_iku_texts(agency):
    assert rows_of(
        agency, "tabel_2_2", "no_iku", "indikator", "formula", "penanggung_jawab", "sumber_data"
    ) == [
        ["1", "Produksi perikanan", "Σ produksi (ton)", "Kepala Dinas Perikanan", "Bidang Perikanan Tangkap"],
        ["2", "Nilai Tukar Nelayan", "It / Ib × 100", "Kepala Bidang Perikanan Tangkap", "BPS"],
    ]  # Nilai AKIP, blank in the workbook's IKU columns (no error), is no IKU: not listed
    assert agency["tables"]["tabel_2_2"]["definisi_operasional"][1] == (
        "Rasio indeks harga yang diterima nelayan terhadap yang dibayar"
    )


def test_table_3_1_capaian_and_definition(agency):
    # 84 / 105 = 80 % (Tinggi: 90 >= x > 75); 72,5 / 70 = 103,5714 % (Sangat Tinggi)
    assert rows_of(
        agency, "tabel_3_1", "no", "target", "realisasi", "capaian", "kategori", "definisi_operasional"
    ) == [
        ["1", 105.0, 84.0, 80.0, "Tinggi", "It / Ib × 100"],
        ["2", 70.0, 72.5, 103.5714, "Sangat Tinggi", ""],
    ]


def test_table_3_2_progress_against_the_renstra_end(agency):
    # 84 / 110 = 76,3636 %; 72,5 / 75 = 96,6667 %
    assert rows_of(agency, "tabel_3_2", "no", "realisasi", "target_akhir_renstra", "tingkat_kemajuan") == [
        ["1", 84.0, 110.0, 76.3636],
        ["2", 72.5, 75.0, 96.6667],
    ]


def test_table_3_3_analysis_and_solution(agency):
    assert rows_of(agency, "tabel_3_3", "no", "capaian", "analisis_penyebab", "solusi") == [
        ["1", 80.0, HOSTILE, "Subsidi BBM bagi nelayan kecil"],
        ["2", 103.5714, "Reviu internal setiap triwulan", ""],
    ]


def test_table_3_4_efficiency(agency):
    # sasaran 1 <- 3.25.02: 594 / 800 = 74,25 %, capaian 80 < 100: not efficient
    # sasaran 2 <- 3.25.01: 180 / 200 = 90 %, capaian 103,57 >= 100 while serapan < 100: efficient
    assert rows_of(
        agency, "tabel_3_4", "no", "capaian_kinerja", "anggaran", "realisasi_anggaran", "serapan", "efisiensi"
    ) == [
        ["1", 80.0, 800.0 * M, 594.0 * M, 74.25, "Tidak Efisiensi"],
        ["2", 103.5714, 200.0 * M, 180.0 * M, 90.0, "Efisiensi"],
    ]


def test_table_3_5_with_the_years_before(agency):
    # 2022 and 2023 realizations from the warehouse, matched by jenis and indicator text
    assert rows_of(
        agency, "tabel_3_5", "jenis", "no", "capaian", "kategori", "realisasi_2022", "realisasi_tahun_lalu"
    ) == [
        ["tujuan", "1", 110.0, "Sangat Tinggi", None, None],
        ["sasaran", "1", 80.0, "Tinggi", None, None],
        ["sasaran", "2", 103.5714, "Sangat Tinggi", None, 68.0],
        ["program", "1", 100.0, "Sangat Tinggi", None, None],
        ["program", "2", 400.0, "Sangat Tinggi", None, None],
        ["program", "3", 62.5, "Rendah", 40.0, 45.0],
    ]


def test_transfer_funds_per_sub_kegiatan(agency):
    # PAD (the region's own revenue) is left out; the split sub kegiatan shows its DAK Fisik account
    assert rows_of(agency, "tabel_sumber_dana", "jenis", "kode", "anggaran", "realisasi", "serapan") == [
        ["DAK Fisik", "3.25.02.2.01.01", 400 * M, 250 * M, 62.5],
        ["DAU", "3.25.02.2.01.02", 300 * M, 294 * M, 98.0],
    ]


def test_tables_3_6_and_3_7(agency):
    assert rows_of(agency, "tabel_3_6", "kode", "level", "anggaran", "realisasi", "serapan") == [
        ["3.25", "urusan", 1000 * M, 774 * M, 77.4],
        ["3.25.01", "program", 200 * M, 180 * M, 90.0],
        ["3.25.01.2.01", "kegiatan", 200 * M, 180 * M, 90.0],
        ["3.25.01.2.01.01", "sub_kegiatan", 200 * M, 180 * M, 90.0],
        ["3.25.02", "program", 800 * M, 594 * M, 74.25],
        ["3.25.02.2.01", "kegiatan", 800 * M, 594 * M, 74.25],
        ["3.25.02.2.01.01", "sub_kegiatan", 500 * M, 300 * M, 60.0],
        ["3.25.02.2.01.02", "sub_kegiatan", 300 * M, 294 * M, 98.0],
    ]
    assert rows_of(agency, "tabel_3_7", "kode", "silpa", "persen_silpa")[::3] == [
        ["3.25", 226 * M, 22.6],
        ["3.25.01.2.01.01", 20 * M, 10.0],
        ["3.25.02.2.01.01", 200 * M, 40.0],
    ]


def test_silpa_per_sasaran(agency):
    assert rows_of(agency, "tabel_silpa_sasaran", "no", "program", "anggaran", "silpa", "persen_silpa") == [
        ["1", "Program Pengelolaan Perikanan Tangkap", 800.0 * M, 206.0 * M, 25.75],
        ["2", "Program Penunjang Urusan Pemerintahan Daerah", 200.0 * M, 20.0 * M, 10.0],
    ]


def test_fisik_beside_keuangan(agency):
    # above the sub kegiatan, fisik weighted by budget: (70 × 500 + 95 × 300) / 800 = 79,375;
    # the urusan (100 × 200 + 70 × 500 + 95 × 300) / 1000 = 83,5
    assert rows_of(agency, "tabel_fisik_keuangan", "kode", "keuangan", "fisik") == [
        ["3.25", 77.4, 83.5],
        ["3.25.01", 90.0, 100.0],
        ["3.25.01.2.01", 90.0, 100.0],
        ["3.25.01.2.01.01", 90.0, 100.0],
        ["3.25.02", 74.25, 79.375],
        ["3.25.02.2.01", 74.25, 79.375],
        ["3.25.02.2.01.01", 60.0, 70.0],
        ["3.25.02.2.01.02", 98.0, 95.0],
    ]


def test_chapter_iv_summary(agency):
    assert rows_of(
        agency,
        "tabel_ringkasan_kinerja",
        "jenis",
        "jumlah",
        "jumlah_indikator",
        "mencapai_target",
        "kategori",
    ) == [
        ["tujuan", 1, 1, 1, "1 Sangat Tinggi"],
        ["sasaran", 2, 2, 1, "1 Sangat Tinggi, 1 Tinggi"],
        ["program", 2, 3, 2, "2 Sangat Tinggi, 1 Rendah"],
    ]
    assert rows_of(
        agency, "tabel_ringkasan_anggaran", "anggaran", "realisasi", "serapan", "silpa", "persen_silpa"
    ) == [[1000 * M, 774 * M, 77.4, 226 * M, 22.6]]


def test_narrative_reads_as_written(agency):
    text = "\n".join(p.text for p in Document(str(agency["out"] / "lkjip_2024.docx")).paragraphs)
    assert (
        "Indikator Nilai Tukar Nelayan dengan target 105,00 terealisasi 84,00, atau mencapai 80,00%" in text
    )
    assert "Satu-satunya indikator kinerja tujuan mencapai target dengan kategori Sangat Tinggi." in text
    assert (
        "Dari tiga indikator kinerja program, dua mencapai atau melampaui target; menurut kategori "
        "capaian, dua berkategori Sangat Tinggi dan satu berkategori Rendah." in text
    )
    assert "melampaui 300%" not in text  # the validation's note is no part of the public text
    assert "Satu dari dua sasaran mencapai targetnya dengan serapan anggaran di bawah 100%" in text
    assert "Anggaran DAK Fisik sebesar Rp 400.000.000 digunakan pada satu sub kegiatan" in text
    assert (
        "Dari alokasi anggaran belanja sebesar Rp 1.000.000.000 terealisasi sebesar Rp 774.000.000 (77,40%), "
        "sehingga terdapat sisa anggaran sebesar Rp 226.000.000 (22,60%)." in text
    )


def test_hostile_analysis_is_literal_text_in_every_output(agency):
    out: Path = agency["out"]
    csv = pd.read_csv(out / "tabel_3_3.csv", dtype=str, keep_default_na=False)
    assert csv["analisis_penyebab"][0] == "'" + HOSTILE  # neutralised for spreadsheets
    page = (out / "lkjip_2024.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert html.escape(HOSTILE, quote=False) in page
    cells = [c.text for t in Document(str(out / "lkjip_2024.docx")).tables for r in t.rows for c in r.cells]
    assert HOSTILE in cells
    # Table 3.5 prints "NA" where a year before has no realization, as the document does, and the
    # percentages with their sign: "Persentase kapal berizin" 80% / 50%, 2022: 40%, 2023: 45%
    tables = [
        [[c.text for c in r.cells] for r in t.rows] for t in Document(str(out / "lkjip_2024.docx")).tables
    ]
    printed = next(t for t in tables if any(r[0] == "PROGRAM :" for r in t))  # Table 3.5
    assert ["3", "Persentase kapal berizin", "80%", "50%", "62,50", "Rendah", "40%", "45%"] in [
        r[:8] for r in printed
    ]
    assert ["1", "Produksi perikanan", "1.000,00", "1.100,00", "110,00", "Sangat Tinggi", "NA", "NA"] in [
        r[:8] for r in printed
    ]


def test_titles_without_a_government_line_name_the_opd_alone(agency):
    assert agency["government"] == ""
    paragraphs = [p.text for p in Document(str(agency["out"] / "lkjip_2024.docx")).paragraphs]
    t36 = next(text for text in paragraphs if text.startswith("Tabel 3. 6"))
    assert t36.splitlines()[1:] == ["Anggaran dan Realisasi Anggaran", f"{NAME} Tahun Anggaran {YEAR}"]
    t31 = next(text for text in paragraphs if text.startswith("Tabel 3. 1"))
    assert t31.splitlines()[-1] == f"{NAME} Tahun {YEAR}"
