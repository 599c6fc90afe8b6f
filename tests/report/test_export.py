"""Tests of the report renderers: CSV tables, the formatted xlsx report and the Indonesian print form."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from tasks.core.formatting import format_number_id, format_percent, format_rupiah, is_missing
from tasks.report.render.csv import write_csv_tables
from tasks.report.render.xlsx import AMOUNT_FORMAT, HEADER_ROW, PERCENT_FORMAT, write_xlsx_report

OPD = "Dinas Koperasi dan Usaha Mikro Kota Semarang"
HEAD = HEADER_ROW + 1  # 1-based worksheet row of the first header row


def _tabel_3_6() -> pd.DataFrame:
    """Urusan total, two programs and their children."""
    rows = [
        ("2.17", "urusan", "URUSAN WAJIB KOPERASI, USAHA KECIL DAN MENENGAH", 9470000000.0, 8630000000.0),
        ("2.17.01", "program", "Program Penunjang Urusan Pemerintahan Daerah", 9458117635.0, 8622578214.0),
        (
            "2.17.01.2.01",
            "kegiatan",
            "Perencanaan, Penganggaran, dan Evaluasi Kinerja",
            11820032.0,
            8395800.0,
        ),
        ("2.17.01.2.01.01", "sub_kegiatan", "Penyusunan Dokumen Perencanaan", 734006.0, 649000.0),
        ("2.17.02", "program", "Program Pelayanan Izin Usaha Simpan Pinjam", 11882365.0, 7421786.0),
        ("2.17.02.2.01", "kegiatan", "Pelayanan Izin Usaha Simpan Pinjam", 11882365.0, 0.0),
    ]
    df = pd.DataFrame(rows, columns=["kode", "level", "uraian", "anggaran", "realisasi"])
    df["serapan"] = df["realisasi"] / df["anggaran"] * 100
    return df


def _tabel_3_7() -> pd.DataFrame:
    """Table 3.7 derived from the 3.6 fixture."""
    df = _tabel_3_6().drop(columns="serapan")
    df["silpa"] = df["anggaran"] - df["realisasi"]
    df["persen_silpa"] = df["silpa"] / df["anggaran"] * 100
    return df


def _tabel_3_1() -> pd.DataFrame:
    """Three indicators as in the 2022 report."""
    return pd.DataFrame(
        {
            "no": [1, 2, 3],
            "sasaran": [
                "Meningkatnya kualitas koperasi",
                "Meningkatkan wirausaha baru",
                "Meningkatnya kinerja",
            ],
            "indikator": ["Persentase koperasi Aktif", "Persentase pertumbuhan wirausaha", "Nilai AKIP"],
            "satuan": ["%", "%", "nilai"],
            "target": [76.0, 30.0, 77.2],
            "realisasi": [76.64, 40.57, 79.71],
            "capaian": [76.64 / 76 * 100, 40.57 / 30 * 100, 79.71 / 77.2 * 100],
            "kategori": ["Sangat Tinggi", "Sangat Tinggi", "Sangat Tinggi"],
        }
    )


def _tables() -> dict[str, pd.DataFrame]:
    """All eight tables (small), given out of document order, plus one unknown table."""
    t21 = pd.DataFrame(
        {
            "no": [1, np.nan],
            "jenis": ["tujuan", "sasaran"],
            "uraian": ["Meningkatkan kapasitas koperasi", "Meningkatnya kualitas koperasi"],
            "indikator": ["Persentase Koperasi yang Berkualitas", "Persentase Koperasi aktif"],
            "data_awal": [50.7, 88.72],
            "target_2022": [53.0, 76.0],
            "target_2023": [54.0, 76.5],
            "target_2026": [57.0, 78.0],
        }
    )
    t23 = pd.DataFrame(
        {"no": [1], "sasaran": ["Meningkatnya kualitas koperasi"], "indikator": ["Koperasi aktif"]}
        | {"satuan": ["%"], "target": [76.0]}
    )
    t32 = pd.DataFrame(
        {
            "no": [1],
            "sasaran": ["Meningkatnya kualitas koperasi"],
            "indikator": ["Persentase koperasi Aktif"],
            "realisasi": [76.64],
            "target_akhir_renstra": [78.0],
            "tingkat_kemajuan": [76.64 / 78 * 100],
        }
    )
    t34 = pd.DataFrame(
        {
            "no": [1, 2],
            "sasaran": ["Meningkatnya kualitas koperasi", "Meningkatkan wirausaha baru"],
            "target": [76.0, 30.0],
            "realisasi": [76.64, 40.57],
            "capaian_kinerja": [100.8421052631579, 135.23333333333332],
            "anggaran": [4161391100.0, 8880719130.0],
            "realisasi_anggaran": [3387387393.0, 6842116685.0],
            "serapan": [81.40, 77.04],
            "efisiensi": [19.28, np.nan],
        }
    )
    t35 = pd.DataFrame(
        {
            "jenis": ["sasaran", "tujuan", "program"],
            "no": [1, 1, 1],
            "indikator": ["Persentase koperasi Aktif", "Koperasi Berkualitas", "Perencanaan SKPD"],
            "target": [76.0, 53.0, 100.0],
            "realisasi": [76.64, 65.42, 100.0],
            "capaian": [100.84, 123.43, 100.0],
            "kategori": ["Sangat Tinggi"] * 3,
            "realisasi_tahun_lalu": [np.nan, np.nan, 100.0],
        }
    )
    return {
        "tabel_3_7": _tabel_3_7(),
        "tabel_3_6": _tabel_3_6(),
        "tabel_2_1": t21,
        "tabel_3_5": t35,
        "tabel_3_4": t34,
        "tabel_3_2": t32,
        "tabel_3_1": _tabel_3_1(),
        "tabel_2_3": t23,
        "catatan_lain": pd.DataFrame({"a": [1.5], "b": ["x"]}),
    }


@pytest.fixture
def workbook(tmp_path: Path) -> openpyxl.Workbook:
    """The report written from all tables and read back."""
    path = write_xlsx_report(
        _tables(), tmp_path / "out" / "lkjip.xlsx", title="LKjIP 2022", opd_name=OPD, year=2022
    )
    assert path.exists()
    return openpyxl.load_workbook(path)


def _row(ws, row: int) -> list:
    """Values of one worksheet row (1-based)."""
    return [c.value for c in ws[row]]


# --------------------------------------------------------------------------------------------- CSV


def test_csv_columns_exact_and_values_unrounded(tmp_path: Path) -> None:
    tables = _tables()
    paths = write_csv_tables(tables, tmp_path / "csv")
    assert [p.name for p in paths[:8]] == [
        "tabel_2_1.csv",
        "tabel_2_3.csv",
        "tabel_3_1.csv",
        "tabel_3_2.csv",
        "tabel_3_4.csv",
        "tabel_3_5.csv",
        "tabel_3_6.csv",
        "tabel_3_7.csv",
    ]
    assert paths[8].name == "catatan_lain.csv"
    for path in paths:
        table_id = path.stem
        back = pd.read_csv(path, dtype={"kode": str}, encoding="utf-8")
        assert list(back.columns) == list(tables[table_id].columns)
    back = pd.read_csv(tmp_path / "csv" / "tabel_3_1.csv")
    assert back["capaian"].tolist() == tables["tabel_3_1"]["capaian"].tolist()  # exact, not rounded
    assert back["capaian"][0] == 76.64 / 76 * 100


def test_csv_text_format(tmp_path: Path) -> None:
    write_csv_tables({"tabel_3_6": _tabel_3_6(), "tabel_2_1": _tables()["tabel_2_1"]}, tmp_path)
    text = (tmp_path / "tabel_3_6.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "kode,level,uraian,anggaran,realisasi,serapan"
    assert lines[1].startswith(
        '2.17,urusan,"URUSAN WAJIB KOPERASI, USAHA KECIL DAN MENENGAH",9470000000,8630000000,91.1'
    )
    assert "83,7" not in text and ";" not in text  # decimal point, comma separated
    first_21 = (tmp_path / "tabel_2_1.csv").read_text(encoding="utf-8").splitlines()[2]
    assert first_21.startswith(",sasaran,")  # NaN as an empty field


# --------------------------------------------------------------------------------------------- xlsx


def test_sheet_names_in_document_order(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == [
        "Tabel 2.1",
        "Tabel 2.3",
        "Tabel 3.1",
        "Tabel 3.2",
        "Tabel 3.4",
        "Tabel 3.5",
        "Tabel 3.6",
        "Tabel 3.7",
        "catatan_lain",
    ]


def test_titles(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 3.6"]
    assert [ws.cell(r, 1).value for r in (1, 2, 3)] == [
        "Tabel 3. 6",
        "Anggaran dan Realisasi Anggaran",
        f"{OPD} Tahun Anggaran 2022",
    ]
    assert ws["A1"].font.b
    assert "A1:E1" in {str(r) for r in ws.merged_cells.ranges}
    assert workbook["Tabel 3.1"]["A1"].value == "Tabel 3. 1"
    assert workbook["Tabel 3.1"]["A2"].value == "Capaian Indikator Kinerja Utama dan Perjanjian Kinerja"
    assert workbook["Tabel 3.7"]["A2"].value == "Rincian Sisa Anggaran"
    assert (
        workbook["Tabel 2.1"]["A3"].value == "beserta Target Kinerja 2021-2026"
    )  # the Renstra from its baseline year
    assert workbook["Tabel 3.2"]["A2"].value.endswith("Target Akhir Renstra Tahun 2026")
    assert workbook.properties.title == "LKjIP 2022"


def test_header_texts(workbook: openpyxl.Workbook) -> None:
    assert _row(workbook["Tabel 3.6"], HEAD) == [
        "Kode",
        "Program/Kegiatan/Sub Kegiatan",
        "Anggaran (Rp)",
        "Realisasi (Rp)",
        "%",
    ]
    assert _row(workbook["Tabel 3.7"], HEAD) == [
        "Kode",
        "Program/Kegiatan/Sub Kegiatan",
        "Anggaran (Rp)",
        "Realisasi (Rp)",
        "SILPA (Rp)",
        "%",
    ]
    ws = workbook["Tabel 3.1"]
    assert _row(ws, HEAD) == [
        "No",
        "Sasaran",
        "Indikator Kinerja",
        "Satuan",
        "Target",
        "Realisasi",
        "Capaian %",
        "Kategori",
        "Definisi Operasional",
    ]
    assert _row(ws, HEAD + 1) == list(range(1, 10))  # column numbering as in the document
    ws = workbook["Tabel 2.1"]
    assert _row(ws, HEAD)[:6] == [
        "No",
        "Tujuan",
        "Sasaran",
        "Indikator Tujuan",
        "Indikator Sasaran",
        "Data Awal",
    ]
    assert _row(ws, HEAD)[6] == "Target Kinerja pada Tahun"
    assert _row(ws, HEAD + 1)[6:] == ["2022", "2023", "2026"]


def test_tabel_3_4_two_row_header_with_merged_cells(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 3.4"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"C{HEAD}:E{HEAD}", f"F{HEAD}:H{HEAD}", f"A{HEAD}:A{HEAD + 1}", f"I{HEAD}:I{HEAD + 1}"} <= merged
    assert ws.cell(HEAD, 3).value == "INDIKATOR KINERJA"
    assert ws.cell(HEAD, 6).value == "ANGGARAN"
    assert ws.cell(HEAD, 9).value == "Tingkat Efisiensi"
    assert _row(ws, HEAD + 1)[2:8] == [
        "Target",
        "Realisasi",
        "% Capaian",
        "Anggaran",
        "Realisasi",
        "% Capaian",
    ]
    assert ws.cell(HEAD + 2, 6).value == 4161391100
    assert ws.cell(HEAD + 2, 6).number_format == AMOUNT_FORMAT
    assert ws.cell(HEAD + 2, 5).number_format == PERCENT_FORMAT
    assert ws.cell(HEAD + 2, 9).value == pytest.approx(19.28)
    assert ws.cell(HEAD + 3, 9).value is None  # NaN -> empty


def test_numeric_cells_equal_input_with_formats(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 3.6"]
    frame = _tabel_3_6()
    first = HEAD + 1
    for i, record in enumerate(frame.itertuples(index=False)):
        row = first + i
        assert ws.cell(row, 1).value == record.kode  # code stays text
        assert ws.cell(row, 1).data_type == "s"
        for col, expected in ((3, record.anggaran), (4, record.realisasi), (5, record.serapan)):
            cell = ws.cell(row, col)
            assert cell.data_type == "n"
            # full precision, not rounded to 2 decimals; xlsxwriter writes 16 significant digits
            # (%.16G; Excel computes with 15), so the last bit may differ: compare to 1e-15.
            assert cell.value == pytest.approx(expected, rel=1e-15, abs=0)
        assert ws.cell(row, 3).number_format == AMOUNT_FORMAT
        assert ws.cell(row, 5).number_format == PERCENT_FORMAT
    assert ws.cell(first + 5, 4).value == 0  # zero kept as a number, shown "-" by the format
    assert ws.max_row == first + len(frame) - 1

    ws = workbook["Tabel 3.1"]
    capaian = [ws.cell(HEAD + 2 + i, 7).value for i in range(3)]
    assert capaian == pytest.approx(_tabel_3_1()["capaian"].tolist(), rel=1e-15, abs=0)
    assert capaian[0] == pytest.approx(100.84210526315789)
    assert all(ws.cell(HEAD + 2 + i, 7).number_format == PERCENT_FORMAT for i in range(3))
    assert ws.cell(HEAD + 2, 5).value == 76


def test_formats_use_indonesian_locale_and_dash_for_zero() -> None:
    assert AMOUNT_FORMAT == '[$-421]#,##0;-#,##0;"-"'
    assert PERCENT_FORMAT == '[$-421]#,##0.00;-#,##0.00;"-"'


def test_english_headings_drop_locale_tag(tmp_path: Path) -> None:
    path = write_xlsx_report(
        {"tabel_3_6": _tabel_3_6()}, tmp_path / "en.xlsx", title="LKjIP", opd_name=OPD, year=2022, lang="en"
    )
    ws = openpyxl.load_workbook(path)["Tabel 3.6"]
    assert ws["A1"].value == "Table 3.6"
    assert ws.cell(HEAD, 3).value == "Budget (Rp)"
    assert ws.cell(HEAD + 1, 3).number_format == '#,##0;-#,##0;"-"'
    with pytest.raises(ValueError, match="lang"):
        write_xlsx_report({}, tmp_path / "x.xlsx", title="t", opd_name=OPD, year=2022, lang="fr")


def test_hierarchy_bold_and_indent(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 3.6"]
    first = HEAD + 1
    levels = _tabel_3_6()["level"].tolist()
    for i, level in enumerate(levels):
        uraian = ws.cell(first + i, 2)
        assert uraian.font.b is (level in ("urusan", "program")), level
        assert ws.cell(first + i, 3).font.b is (level in ("urusan", "program"))
        expected_indent = {"urusan": 0, "program": 1, "kegiatan": 2, "sub_kegiatan": 3}[level]
        assert uraian.alignment.indent == expected_indent
        assert uraian.alignment.wrap_text
        assert uraian.border.left.style == "thin"
    ws7 = workbook["Tabel 3.7"]
    assert ws7.cell(first + 1, 2).font.b and not ws7.cell(first + 3, 2).font.b


def test_tabel_3_5_sections(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 3.5"]
    body = HEAD + 3  # two heading rows and the numbering row
    column_a = [ws.cell(r, 1).value for r in range(body, body + 6)]
    assert column_a == ["TUJUAN :", 1, "SASARAN :", 1, "PROGRAM :", 1]
    assert ws.cell(body + 1, 2).value == "Koperasi Berkualitas"
    assert ws.cell(body + 5, 7).value == 100
    assert ws.cell(HEAD, 3).value == "Capaian Kinerja Tahun 2022"
    assert ws.cell(HEAD, 7).value == "Realisasi Tahun 2021"


def test_tabel_2_1_splits_tujuan_and_sasaran(workbook: openpyxl.Workbook) -> None:
    ws = workbook["Tabel 2.1"]
    tujuan, sasaran = _row(ws, HEAD + 2), _row(ws, HEAD + 3)
    assert tujuan[:5] == [
        1,
        "Meningkatkan kapasitas koperasi",
        None,
        "Persentase Koperasi yang Berkualitas",
        None,
    ]
    assert sasaran[:5] == [None, None, "Meningkatnya kualitas koperasi", None, "Persentase Koperasi aktif"]
    assert sasaran[5:] == [88.72, 76, 76.5, 78]


def test_print_setup_and_freeze(workbook: openpyxl.Workbook) -> None:
    for ws in workbook.worksheets[:8]:
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default and is then omitted
        assert ws.page_setup.fitToHeight == 0
    assert workbook["Tabel 3.6"].print_title_rows == f"${HEAD}:${HEAD}"
    assert workbook["Tabel 3.6"].freeze_panes == f"A{HEAD + 1}"
    assert workbook["Tabel 3.4"].print_title_rows == f"${HEAD}:${HEAD + 1}"
    assert workbook["Tabel 3.4"].freeze_panes == f"A{HEAD + 2}"
    assert workbook["Tabel 3.5"].print_title_rows == f"${HEAD}:${HEAD + 2}"
    header_cell = workbook["Tabel 3.6"].cell(HEAD, 1)
    assert header_cell.font.b and header_cell.fill.fgColor.rgb.endswith("D9E1F2")


def test_unknown_table_and_empty_table(tmp_path: Path) -> None:
    empty = _tabel_3_6().iloc[0:0]
    path = write_xlsx_report(
        {"tabel_3_6": empty, "lain/lain": pd.DataFrame({"x": [1.25], "y": ["a"]})},
        tmp_path / "r.xlsx",
        title="t",
        opd_name=OPD,
        year=2022,
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Tabel 3.6", "lain_lain"]
    assert wb["Tabel 3.6"].max_row == HEAD
    assert _row(wb["lain_lain"], HEAD) == ["x", "y"]
    assert _row(wb["lain_lain"], HEAD + 1) == [1.25, "a"]


def test_sixty_rows_are_all_written(tmp_path: Path) -> None:
    base = _tabel_3_6()
    big = pd.concat([base] * 10, ignore_index=True)
    tables = _tables() | {"tabel_3_6": big}
    write_xlsx_report(tables, tmp_path / "big.xlsx", title="t", opd_name=OPD, year=2022)
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx")["Tabel 3.6"]
    assert ws.max_row == HEAD + 60  # nothing dropped
    assert ws.cell(HEAD + 60, 3).value == base["anggaran"].iloc[-1]


# --------------------------------------------------------------------------------------------- text


def test_format_rupiah() -> None:
    assert format_rupiah(22500227865) == "22.500.227.865"
    assert format_rupiah(22500227865.0) == "22.500.227.865"
    assert format_rupiah(np.int64(18852082292)) == "18.852.082.292"
    assert format_rupiah(0) == "-"
    assert format_rupiah(np.nan) == ""
    assert format_rupiah(None) == ""
    assert format_rupiah(-3648145573) == "-3.648.145.573"
    assert format_rupiah(999.5) == "1.000"


def test_format_percent() -> None:
    assert format_percent(18852082292 / 22500227865 * 100) == "83,79"
    assert format_percent(83.78672) == "83,79"
    assert format_percent(0) == "-"
    assert format_percent(0.0) == "-"
    assert format_percent(float("nan")) == ""
    assert format_percent(pd.NA) == ""
    assert format_percent(100) == "100,00"
    assert format_percent(1234.5) == "1.234,50"
    assert format_percent(16.2138, decimals=1) == "16,2"


def test_half_up_rounding() -> None:
    assert format_percent(0.125) == "0,13"
    assert format_percent(2.675) == "2,68"  # binary 2.67499999... would give 2,67
    assert format_percent(-0.125) == "-0,13"  # away from zero
    assert format_percent(100.845) == "100,85"
    assert format_rupiah(0.5) == "1"
    assert format_percent(0.001) == "0,00"  # tiny but not zero
    assert format_percent(-0.001) == "0,00"  # no "-0,00"


@pytest.mark.parametrize(
    "value",
    [None, float("nan"), np.nan, np.float64("nan"), np.float32("nan"), pd.NA, pd.NaT, np.datetime64("NaT")],
)
def test_is_missing_for_every_kind_of_blank(value) -> None:
    assert is_missing(value)


@pytest.mark.parametrize(
    "value",
    [0, 0.0, -1.5, 3, np.int64(2), np.float64(0.0), True, "", "nan", "teks", pd.Timestamp("2024-01-31")],
)
def test_is_missing_false_for_values(value) -> None:
    assert not is_missing(value)


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_whole_numbers_print_as_the_exact_path_prints_them(decimals: int) -> None:
    """Whole numbers skip the decimal arithmetic: the same text as through it, sign and grouping."""
    from tasks.core.formatting import _format_decimal

    values = [0, 0.0, -0.0, 1, -1, 7.0, 999, 1000.0, -3648145573, 22500227865.0, 2.0**52, -(2.0**53) + 2]
    for value in values:
        assert format_number_id(value, decimals) == _format_decimal(value, decimals), value
    assert format_number_id(True, 0) == "1" and format_number_id(np.int64(5), 1) == "5,0"


def test_format_number_id() -> None:
    assert format_number_id(1234567.891, 3) == "1.234.567,891"
    assert format_number_id(76.64, 1) == "76,6"
    assert format_number_id(5, 2) == "5,00"
    with pytest.raises(ValueError):
        format_number_id(math.inf, 2)
    with pytest.raises(ValueError):
        format_number_id(1.0, -1)
