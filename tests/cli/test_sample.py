"""The 2022 sample workbooks, read back with openpyxl independently of the project's readers."""

from __future__ import annotations

import csv
import hashlib
import time
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from sakip.sample import BULAN, OPD_KODE, write_sample
from tests.fixtures.paths import REFERENCE_2022

REFERENCE = REFERENCE_2022
AMOUNTS = ("murni", "anggaran", "rak", "bulan_ini", "sd_bulan_ini")
GAJI = "2.17.01.2.02.01"


def _reference(name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV of the LKjIP 2022."""
    with (REFERENCE / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _sheet_rows(path: Path, sheet: str | None = None) -> list[tuple]:
    """All cell values of a sheet (the first one by default)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        return [tuple(row) for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _level(kode: str) -> str:
    """Budget level of a full code."""
    if kode.startswith("5."):
        return "rekening"
    return {2: "urusan", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}[kode.count(".") + 1]


def _table(path: Path) -> tuple[list[dict], dict]:
    """The data rows of a realization workbook (with a unique key) and its JUMLAH row."""
    rows = _sheet_rows(path)
    header = next(i for i, r in enumerate(rows) if r[0] == "Kode")
    assert rows[header][:9] == (
        "Kode",
        "Uraian",
        "Anggaran Murni",
        "Anggaran",
        "Anggaran Kas s.d. Bulan Ini",
        "Realisasi",
        None,
        "Fisik (%)",
        "Sumber Dana",
    )
    assert rows[header + 1][5:7] == ("Bulan Ini", "s.d. Bulan Ini")
    data, total, sub = [], None, ""
    for r in rows[header + 2 :]:
        if r[0] is None:
            continue
        rec = dict(zip(("kode", "uraian", *AMOUNTS, "fisik", "sumber"), r[:9], strict=True))
        if rec["kode"] == "JUMLAH":
            total = rec
            continue
        rec["level"] = _level(rec["kode"])
        if rec["level"] == "sub_kegiatan":
            sub = rec["kode"]
        rec["key"] = f"{sub}/{rec['kode']}" if rec["level"] == "rekening" else rec["kode"]
        data.append(rec)
    assert total is not None
    return data, total


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    """The generated sample files."""
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def tables(sample) -> list[tuple[list[dict], dict]]:
    """Parsed monthly tables, January first."""
    return [_table(p) for p in sample.realization]


def test_files(sample) -> None:
    assert [p.name for p in sample.realization] == [f"realisasi_2022_{m:02d}.xlsx" for m in range(1, 13)]
    assert sample.indicators.name == "indikator_2022.xlsx"
    assert all(p.exists() for p in [*sample.realization, sample.indicators])


def test_unknown_year(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, year=2023)


def test_header_block(sample) -> None:
    for month, path in enumerate(sample.realization, 1):
        header = [r[0] for r in _sheet_rows(path)[:6]]
        assert f"SKPD : {OPD_KODE} Dinas Koperasi dan Usaha Mikro" in header
        assert "Tahun Anggaran : 2022" in header
        assert f"Bulan : {BULAN[month - 1]}" in header
    assert BULAN[0] == "Januari" and BULAN[11] == "Desember"


def test_structure(tables) -> None:
    counts = defaultdict(int)
    for rec in tables[0][0]:
        counts[rec["level"]] += 1
    assert (counts["urusan"], counts["program"], counts["kegiatan"], counts["sub_kegiatan"]) == (1, 8, 15, 38)
    names = {rec["kode"]: rec["uraian"] for rec in tables[0][0]}
    assert names["2.17.04"] == "Program Penilaian Kesehatan KSP/USP Koperasi"
    assert all(". " not in n.replace("Rp. ", "") for n in names.values())  # no comma printed as full stop
    for data, _ in tables:
        assert all(isinstance(rec[c], int | float) for rec in data for c in AMOUNTS)


def test_december_matches_tabel_3_6(tables) -> None:
    data, total = tables[11]
    by_kode = {rec["kode"]: rec for rec in data if rec["level"] != "rekening"}
    reference = _reference("tabel_3_6_anggaran_realisasi.csv")
    assert set(by_kode) == {r["kode"] for r in reference}
    for r in reference:
        assert by_kode[r["kode"]]["sd_bulan_ini"] == int(r["realisasi"]), r["kode"]
        assert by_kode[r["kode"]]["anggaran"] == int(r["anggaran"]), r["kode"]
    assert (total["anggaran"], total["sd_bulan_ini"]) == (22500227865, 18852082292)


def test_subtotals(tables) -> None:
    for month, (data, total) in enumerate(tables, 1):
        for i, parent in enumerate(data):
            if parent["level"] == "rekening":
                continue
            children, depth = [], None
            for rec in data[i + 1 :]:
                order = ("urusan", "program", "kegiatan", "sub_kegiatan", "rekening")
                if order.index(rec["level"]) <= order.index(parent["level"]):
                    break
                depth = depth or rec["level"]
                if rec["level"] == depth:
                    children.append(rec)
            if parent["level"] == "sub_kegiatan" and not children:
                continue
            assert children, parent["kode"]
            for col in AMOUNTS:
                assert parent[col] == sum(c[col] for c in children), (month, parent["kode"], col)
        for col in AMOUNTS:
            assert total[col] == sum(r[col] for r in data if r["level"] == "urusan"), (month, col)


def test_month_is_difference_of_to_date(tables) -> None:
    previous: dict[str, int] = defaultdict(int)
    for month, (data, _) in enumerate(tables, 1):
        assert len({rec["key"] for rec in data}) == len(data)
        for rec in data:
            assert rec["bulan_ini"] == rec["sd_bulan_ini"] - previous[rec["key"]], (month, rec["key"])
            assert rec["bulan_ini"] >= 0
            assert rec["sd_bulan_ini"] == int(rec["sd_bulan_ini"])
            previous[rec["key"]] = rec["sd_bulan_ini"]


def test_budget_bounds(tables) -> None:
    december = {rec["key"]: rec for rec in tables[11][0]}
    previous_rak: dict[str, int] = defaultdict(int)
    for month, (data, _) in enumerate(tables, 1):
        for rec in data:
            key = rec["key"]
            assert rec["murni"] == december[key]["murni"]
            expected_budget = rec["murni"] if month < 9 else december[key]["anggaran"]
            assert rec["anggaran"] == expected_budget, (month, key)
            assert rec["sd_bulan_ini"] <= rec["anggaran"], (month, key)
            assert 0 <= rec["rak"] <= rec["anggaran"], (month, key)
            assert rec["rak"] >= previous_rak[key], (month, key)
            previous_rak[key] = rec["rak"]
            if month == 12:
                assert rec["rak"] == rec["anggaran"]


def test_sources(tables) -> None:
    for month, (data, _) in enumerate(tables, 1):
        leaves = [r for r in data if r["sumber"]]
        for r in data:
            has_accounts = any(x["key"].startswith(r["kode"] + "/") for x in data)
            if r["level"] == "rekening" or (r["level"] == "sub_kegiatan" and not has_accounts):
                assert r["sumber"] in {"PAD", "DAU", "DAK Non Fisik"}, r["key"]
            else:
                assert r["sumber"] is None, r["key"]
        if month == 12:
            totals = defaultdict(int)
            for r in leaves:
                totals[r["sumber"]] += r["anggaran"]
            expected = {r["sumber"]: int(r["jumlah"]) for r in _reference("sumber_dana_2022.csv")}
            assert dict(totals) == expected
    split = {r["key"].split("/")[0] for r in tables[11][0] if r["level"] == "rekening"}
    assert split == {
        "2.17.05.2.01.01",
        "2.17.05.2.03.01",
        "2.17.06.2.01.01",
        "2.17.07.2.01.04",
        "2.17.08.2.01.01",
    }


def test_murni_matches_perjanjian_kinerja(tables) -> None:
    pk = {
        r["program_kode"]: int(r["anggaran_pk"])
        for r in _reference("perjanjian_kinerja_2022_anggaran_murni.csv")
    }
    for data, total in tables:
        assert {r["kode"]: r["murni"] for r in data if r["level"] == "program"} == pk
        assert total["murni"] == 26163067000


def test_profile(tables) -> None:
    by_month = [{rec["key"]: rec for rec in data} for data, _ in tables]
    gaji = [m[GAJI]["bulan_ini"] for m in by_month]
    assert all(v > 0 for v in gaji)
    assert max(gaji) < 3 * min(gaji)  # even-ish, THR and gaji ke-13 at most double a month
    assert all(m["2.17.01.2.09.05"]["sd_bulan_ini"] == 0 for m in by_month)
    others = [
        k
        for k, rec in by_month[11].items()
        if rec["level"] == "sub_kegiatan" and k != GAJI and rec["sd_bulan_ini"]
    ]
    q1 = sum(by_month[2][k]["sd_bulan_ini"] for k in others)
    q2 = sum(by_month[5][k]["sd_bulan_ini"] for k in others)
    year = sum(by_month[11][k]["sd_bulan_ini"] for k in others)
    december = sum(by_month[11][k]["bulan_ini"] for k in others)
    assert q1 < 0.15 * year and q2 < 0.4 * year
    assert december == max(sum(m[k]["bulan_ini"] for k in others) for m in by_month)
    for m in by_month:  # anggaran kas mostly ahead of realization at urusan level
        assert m["2.17"]["rak"] >= m["2.17"]["sd_bulan_ini"]


def test_fisik(tables) -> None:
    previous: dict[str, float] = defaultdict(float)
    for data, _ in tables:
        for rec in data:
            if rec["level"] != "sub_kegiatan":
                assert rec["fisik"] is None
                continue
            assert previous[rec["kode"]] <= rec["fisik"] <= 100
            previous[rec["kode"]] = rec["fisik"]
    for rec in tables[11][0]:
        if rec["level"] == "sub_kegiatan" and rec["sd_bulan_ini"] >= 0.9 * rec["anggaran"]:
            assert rec["fisik"] == 100, rec["kode"]
    assert previous["2.17.01.2.09.05"] == 0


def _indicator_rows(path: Path, sheet: str) -> tuple[list[tuple], list[dict]]:
    """Header block and table rows (as dicts) of an indicator workbook sheet."""
    rows = _sheet_rows(path, sheet)
    header = next(i for i, r in enumerate(rows) if r[0] == "Jenis")
    names = rows[header]
    return rows[:header], [dict(zip(names, r, strict=True)) for r in rows[header + 1 :] if r[0]]


def by_texts(rows: list[dict[str, object]], key: tuple[str, int]) -> tuple[object, ...]:
    """The IKU texts of one indicator row of the sample (blank cells as "")."""
    row = next(r for r in rows if (r["Jenis"], r["No"]) == key)
    names = ("Definisi Operasional", "Formula", "Penanggung Jawab", "Sumber Data")
    return tuple(row[name] or "" for name in names)


def test_indicators(sample) -> None:
    block, rows = _indicator_rows(sample.indicators, "Indikator")
    assert (f"SKPD : {OPD_KODE} Dinas Koperasi dan Usaha Mikro",) == block[1][:1]
    assert block[2][0] == "Tahun : 2022"
    assert list(rows[0]) == [
        "Jenis",
        "No",
        "Uraian",
        "Indikator",
        "Satuan",
        "Arah",
        "Target",
        "TW I",
        "TW II",
        "TW III",
        "TW IV",
        "Realisasi",
        "Realisasi Tahun Lalu",
        "Target Akhir Renstra",
        "Kode Program",
        "Definisi Operasional",
        "Formula",
        "Penanggung Jawab",
        "Sumber Data",
        "Analisis Penyebab",
        "Solusi",
        "Faktor Pendukung",
        "Faktor Penghambat",
        "Keterangan SILPA",
    ]
    assert by_texts(rows, ("Sasaran", 3)) == ("", "Berdasarkan hasil LKE dari Inspektorat", "", "")
    assert by_texts(rows, ("Program", 1)) == ("", "", "", "")  # optional: blank where the document has none
    assert [(r["Jenis"], r["No"]) for r in rows] == [("Tujuan", 1), ("Tujuan", 2)] + [
        ("Sasaran", n) for n in (1, 2, 3)
    ] + [("Program", n) for n in range(1, 12)]
    by_key = {(r["Jenis"].lower(), r["No"]): r for r in rows}
    for ref in _reference("tabel_3_5_capaian_tujuan_sasaran_program.csv"):
        row = by_key[(ref["jenis"], int(ref["no"]))]
        assert row["Indikator"] == ref["indikator"]
        assert row["Target"] == pytest.approx(float(ref["target"]))
        assert row["Realisasi"] == pytest.approx(float(ref["realisasi"]))
        assert row["TW IV"] == row["Realisasi"]
        assert row["TW I"] <= row["TW II"] <= row["TW III"] <= row["TW IV"]
        last_year = float(ref["realisasi_2021"]) if ref["realisasi_2021"] else None
        assert row["Realisasi Tahun Lalu"] == last_year
        assert row["Arah"] == "Positif"
        assert row["Satuan"] == ("nilai" if row["Indikator"] == "Nilai AKIP" else "%")
    for ref in _reference("tabel_3_1_capaian_iku.csv"):
        assert by_key[("sasaran", int(ref["no"]))]["Uraian"] == ref["sasaran"]
    renstra_end = {
        ("tujuan", 1): 57,
        ("tujuan", 2): 16,
        ("sasaran", 1): 78,
        ("sasaran", 2): 50,
        ("sasaran", 3): 78,
    }
    for key, value in renstra_end.items():
        assert by_key[key]["Target Akhir Renstra"] == value
    for ref in _reference("tabel_3_4_efisiensi.csv"):
        assert by_key[("sasaran", int(ref["no"]))]["Kode Program"] == ref["program_kode"]
    program_codes = ["2.17.01"] * 3 + ["2.17.02", "2.17.03", "2.17.04", "2.17.05", "2.17.05", "2.17.06"]
    program_codes += ["2.17.07", "2.17.08"]
    assert [by_key[("program", n)]["Kode Program"] for n in range(1, 12)] == program_codes


def test_silpa_reasons_and_factors_where_the_document_gives_them(sample) -> None:
    _, rows = _indicator_rows(sample.indicators, "Indikator")
    by_key = {(r["Jenis"], r["No"]): r for r in rows}
    reasons = {key: r["Keterangan SILPA"] for key, r in by_key.items() if r["Keterangan SILPA"]}
    assert sorted(reasons) == [("Program", 1), ("Program", 10)]
    assert by_key[("Program", 1)]["Kode Program"] == "2.17.01"
    assert "Standar Harga Satuan (SHS)" in reasons[("Program", 1)]
    assert by_key[("Program", 10)]["Kode Program"] == "2.17.07"  # a program of sasaran 2 (Table 3.4)
    assert "HAKI" in reasons[("Program", 10)] and "Kemenkop RI" in reasons[("Program", 10)]
    factors = {key: (r["Faktor Pendukung"], r["Faktor Penghambat"]) for key, r in by_key.items()}
    assert [key for key, pair in factors.items() if any(pair)] == [("Sasaran", 2)]
    assert "HAKI" in factors[("Sasaran", 2)][1]


def test_narasi_sheet(sample) -> None:
    """The office's texts of the published report, under the parts the sheet names, headed by the spec."""
    rows = _sheet_rows(sample.indicators, "Narasi")
    assert rows[0][0] == "NARASI LAPORAN KINERJA TAHUN 2022"  # a title above the header
    assert rows[2] == ("Bagian", "Teks")
    texts = {key: text for key, text in rows[3:]}
    assert list(texts) == ["I.A", "I.B", "I.C", "II.A.3", "II.C", "III.C", "IV.B", "IV.C"]
    assert texts["I.A"].startswith("Dengan diberlakukannya Undang-undang Republik Indonesia Nomor 9")
    assert "\n\n" in texts["I.A"]  # paragraphs separated by an empty line
    issues = [line for line in texts["I.C"].splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert len(issues) == 5 and issues[-1].endswith("PIRT, HALAL dan HAKI.")
    assert "Kredit WIBAWA" in texts["II.C"] and "GULO ASEM" in texts["II.C"]
    assert "Upaya yang telah dilakukan" in texts["IV.B"] and "kendala" in texts["IV.B"]
    assert texts["IV.C"].startswith("Sebagai tindak lanjut")


def test_renstra_sheet(sample) -> None:
    _, rows = _indicator_rows(sample.indicators, "Renstra")
    reference = _reference("tabel_2_1_renstra_target.csv")
    assert len(rows) == len(reference) == 5
    for row, ref in zip(rows, reference, strict=True):
        assert (row["Jenis"].lower(), row["No"]) == (ref["jenis"], int(ref["no"]))
        assert row["Data Awal"] == (float(ref["data_awal"]) if ref["data_awal"] else None)
        for year in range(2022, 2027):
            assert row[f"Target {year}"] == pytest.approx(float(ref[f"target_{year}"]))


def _digests(paths: list[Path]) -> list[str]:
    """sha256 of each file."""
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_deterministic_and_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    first = write_sample(tmp_path / "a")
    elapsed = time.perf_counter() - start
    second = write_sample(tmp_path / "b")
    assert _digests([*first.realization, first.indicators]) == _digests(
        [*second.realization, second.indicators]
    )
    assert elapsed < 5  # generous bound; typically well under a second


def test_sample_layouts_writes_an_example_of_each_layout_that_reads_clean(tmp_path: Path):
    from sakip.cli import main
    from sakip.layouts.examples import EXAMPLE_NAMES
    from tasks.extract.reading import read_file

    out = tmp_path / "contoh"
    assert main(["sample", "--year", "2022", "--out", str(out), "--layouts"]) == 0
    folder = out / "layouts"
    assert sorted(p.name for p in folder.iterdir()) == sorted(EXAMPLE_NAMES.values())
    read = {name: read_file(folder / file) for name, file in EXAMPLE_NAMES.items()}
    for name, staged in read.items():
        assert not any(s.errors for s in staged), (name, [s.errors for s in staged])
    # a year workbook's first quarter, one month per sheet or column group
    assert [s.workbook.month for s in read["month_sheets"]] == [1, 2, 3]
    assert [s.workbook.month for s in read["month_columns"]] == [1, 2, 3]
    assert all(s.part for s in [*read["month_sheets"], *read["month_columns"]])
    # March in funding-source sections: a sub kegiatan split 70/30 between PAD and DAU
    (march,) = read["funding_sections"]
    lines, sources = march.workbook.lines, march.workbook.sources
    first = lines[lines["level"] == "sub_kegiatan"].iloc[0]
    own = sources[sources["sub_kegiatan_kode"] == first["kode"]].set_index("sumber_dana")["anggaran_rp"]
    assert sorted(own.index) == ["DAU", "PAD"]
    assert own.sum() == first["anggaran_rp"]  # to the rupiah
    assert abs(own["PAD"] - 0.7 * first["anggaran_rp"]) <= 1
    (plan,) = read["cash_plan"]
    assert plan.kind == "anggaran_kas"
