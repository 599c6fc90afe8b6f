"""A realization table in funding-source sections (sumber dana): read as one tree, checked block by
block and against its combined blocks, with its rows per sub kegiatan and source."""

from __future__ import annotations

import itertools
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sakip.layouts.sources import source_blocks, split_amount, split_year, write_funding_sections
from tasks.core.issues import InputError
from tasks.extract.realization import read_realization
from tasks.extract.sources import heading_source
from tests.fixtures.libreoffice import convert
from tests.fixtures.workbooks import REALIZATION_HEADER, Sheet, header_block, write_xlsx

AMOUNTS = [
    "anggaran_murni_rp",
    "anggaran_rp",
    "anggaran_kas_sd_bulan_ini_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
]
SPLIT_SUB = "2.17.01.2.01.01"


def _month(sample_2022, month: int = 3):
    """A month of the 2022 sample, read from its monthly workbook."""
    return read_realization(sample_2022.realization[month - 1])


def _comparable(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines by code, without what a sectioned workbook writes differently (rows, total's name, sources)."""
    frame = lines.drop(columns=["row", "sumber_dana"]).copy()
    frame.loc[frame["level"] == "total", "uraian"] = ""
    return frame.sort_values(["kode", "sub_kegiatan_kode"]).reset_index(drop=True)


@pytest.mark.parametrize("style", ["sumber_dana", "sumber_anggaran", "bare"])
def test_a_sectioned_month_reads_as_the_unsplit_month(sample_2022, tmp_path, style):
    month = _month(sample_2022)
    split = {SPLIT_SUB: [("PAD", 0.7), ("DAK FISIK", 0.3)]}
    path = write_funding_sections(
        month, tmp_path / "seksi.xlsx", split=split, combined=[("PAD", "DAK FISIK")], heading_style=style
    )
    sectioned = read_realization(path)
    pd.testing.assert_frame_equal(_comparable(sectioned.lines), _comparable(month.lines), check_dtype=False)
    sources = sectioned.sources
    assert sources is not None
    # per sub kegiatan, the source rows sum to its budget and realization, to the rupiah
    subs = month.lines[month.lines["level"] == "sub_kegiatan"].set_index("kode")
    sums = sources.groupby("sub_kegiatan_kode")[AMOUNTS[1:]].sum()
    assert set(sums.index) == set(subs.index)
    for name in AMOUNTS[1:]:
        assert (sums[name] - subs.loc[sums.index, name]).abs().max() < 0.005
    # the split sub kegiatan: 70 % PAD, 30 % DAK FISIK, largest remainder, merged sources named
    split_rows = sources[sources["sub_kegiatan_kode"] == SPLIT_SUB].set_index("sumber_dana")
    assert sorted(split_rows.index) == ["DAK FISIK", "PAD"]
    whole = subs.loc[SPLIT_SUB, "anggaran_rp"]
    assert [split_rows.loc["PAD", "anggaran_rp"], split_rows.loc["DAK FISIK", "anggaran_rp"]] == split_amount(
        whole, [0.7, 0.3]
    )
    merged = sectioned.lines.set_index("kode")
    assert merged.loc[SPLIT_SUB, "sumber_dana"] == "PAD; DAK FISIK"
    # the combined block is read, checked and never merged in: no code counted twice
    rows = sectioned.lines[sectioned.lines["level"] != "total"]
    assert not rows.duplicated(["kode", "sub_kegiatan_kode"]).any()
    assert len(sectioned.lines) == len(month.lines)


def test_amounts_split_to_the_rupiah_and_sum_to_the_whole():
    assert split_amount(1001, [0.5, 0.5]) == [501.0, 500.0]
    assert split_amount(100, [1, 1, 1]) == [34.0, 33.0, 33.0]
    assert sum(split_amount(123456789, [0.13, 0.29, 0.58])) == 123456789
    assert split_amount(10.05, [1, 1]) == [5.03, 5.02]


def test_a_year_split_alike_keeps_each_source_s_month_the_change_to_date(sample_2022):
    months = [_month(sample_2022, m) for m in (1, 2, 3)]
    year = split_year(months, {SPLIT_SUB: [("PAD", 0.6), ("DAU", 0.4)]})
    for before, after in itertools.pairwise(year):
        for source in ("PAD", "DAU"):
            old = before[source].set_index("kode")["realisasi_sd_bulan_ini_rp"]
            new = after[source].set_index("kode")
            row = new.loc[SPLIT_SUB]
            assert row["realisasi_bulan_ini_rp"] == pytest.approx(
                row["realisasi_sd_bulan_ini_rp"] - old.get(SPLIT_SUB, 0.0), abs=0.001
            )
    # and every month's blocks still add up to the month
    for month, blocks in zip(months, year, strict=True):
        subs = month.lines[month.lines["level"] == "sub_kegiatan"]
        total = sum(b[b["level"] == "sub_kegiatan"]["realisasi_bulan_ini_rp"].sum() for b in blocks.values())
        assert total == pytest.approx(subs["realisasi_bulan_ini_rp"].sum(), abs=0.01)
    assert set(source_blocks(months[0], {})) == {"PAD", "DAU", "DAK Non Fisik"}


def test_heading_texts():
    assert heading_source("SUMBER DANA : PAD") == ("PAD", ())
    assert heading_source("Sumber Anggaran: DBHCHT 2023") == ("DBHCHT 2023", ())
    assert heading_source("SUMBER PENDANAAN - DAK Fisik") == ("DAK Fisik", ())
    assert heading_source("DAK  NON FISIK") == ("DAK NON FISIK", ())
    assert heading_source("TOTAL (DBHCHT + PAD MURNI)") == ("DBHCHT + PAD MURNI", ("DBHCHT", "PAD MURNI"))
    assert heading_source("JUMLAH") is None
    assert heading_source("Program Penunjang") is None
    assert heading_source("PADANG") is None


# a small table in two blocks and their combined block; the rows' worksheet numbers follow the header
PAD_BLOCK = [
    ["SUMBER DANA : PAD"],
    ["2.17.01", "Program Penunjang", 700, 70, 70, None, None],
    ["2.17.01.2.01", "Perencanaan", 700, 70, 70, None, None],
    ["2.17.01.2.01.01", "Penyusunan Dokumen", 400, 40, 40, 10, None],
    ["2.17.01.2.01.02", "Koordinasi RKA", 300, 30, 30, 20, None],
    [None, "JUMLAH", 700, 70, 70, None, None],
]
DAK_BLOCK = [
    [None, "DAK FISIK"],
    ["2.17.01", "Program Penunjang", 100, 10, 10, None, None],
    ["2.17.01.2.01", "Perencanaan", 100, 10, 10, None, None],
    ["2.17.01.2.01.01", "Penyusunan Dokumen", 100, 10, 10, 30, None],
    [None, "JUMLAH", 100, 10, 10, None, None],
]
COMBINED_BLOCK = [
    ["TOTAL (PAD + DAK FISIK)"],
    ["2.17.01", "Program Penunjang", 800, 80, 80, None, None],
    ["2.17.01.2.01", "Perencanaan", 800, 80, 80, None, None],
    ["2.17.01.2.01.01", "Penyusunan Dokumen", 500, 50, 50, None, None],
    ["2.17.01.2.01.02", "Koordinasi RKA", 300, 30, 30, None, None],
    [None, "JUMLAH", 800, 80, 80, None, None],
]
FIRST_ROW = len(header_block()) + 2  # the worksheet row of the table's first row


def _write(tmp_path: Path, body: list[list[object]]) -> Path:
    rows = header_block() + [list(REALIZATION_HEADER)] + [list(row) for row in body]
    return write_xlsx(tmp_path / "seksi.xlsx", Sheet("Realisasi", rows, merges=[]))


def _issues(path: Path) -> list:
    with pytest.raises(InputError) as caught:
        read_realization(path)
    return caught.value.issues


def test_a_small_sectioned_table(tmp_path):
    wb = read_realization(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + COMBINED_BLOCK))
    lines = wb.lines.set_index("kode")
    assert lines.loc["2.17.01.2.01.01", ["anggaran_rp", "realisasi_sd_bulan_ini_rp"]].tolist() == [500, 50]
    assert lines.loc["2.17.01.2.01.01", "sumber_dana"] == "PAD; DAK FISIK"
    assert lines.loc["2.17.01.2.01.01", "fisik_pct"] == pytest.approx((10 * 400 + 30 * 100) / 500)
    assert lines.loc["2.17.01.2.01.01", "row"] == FIRST_ROW + 3
    assert lines.loc["", "anggaran_rp"] == 800
    sources = wb.sources.set_index(["sub_kegiatan_kode", "sumber_dana"])["anggaran_rp"].to_dict()
    assert sources == {
        ("2.17.01.2.01.01", "PAD"): 400,
        ("2.17.01.2.01.02", "PAD"): 300,
        ("2.17.01.2.01.01", "DAK FISIK"): 100,
    }


def test_a_table_without_headings_has_no_sources(tmp_path):
    body = [row for row in PAD_BLOCK[1:]]
    assert read_realization(_write(tmp_path, body)).sources is None


def test_a_combined_block_that_differs_from_its_parts_is_refused_at_its_cell(tmp_path):
    combined = [list(row) for row in COMBINED_BLOCK]
    for position in (1, 2, 3, 5):  # one sub kegiatan and its subtotals, so only the sum of blocks differs
        combined[position][2] += 1
    issues = _issues(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + combined))
    assert {issue.rule for issue in issues} == {"source.total_mismatch"}
    sub_row = FIRST_ROW + len(PAD_BLOCK) + len(DAK_BLOCK) + 3
    mismatch = next(issue for issue in issues if issue.row == sub_row)
    assert mismatch.column == "C"
    assert mismatch.params["value"] == "501" and mismatch.params["expected"] == "500"
    assert "PAD + DAK FISIK" in mismatch.message()


def test_a_heading_with_no_rows_is_refused_at_the_heading(tmp_path):
    issues = _issues(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + [["SUMBER DANA : DID"]] + COMBINED_BLOCK))
    empty = [issue for issue in issues if issue.rule == "source.empty_block"]
    assert [(issue.row, issue.column) for issue in empty] == [
        (FIRST_ROW + len(PAD_BLOCK) + len(DAK_BLOCK), "A")
    ]
    assert "DID" in empty[0].message()


def test_a_wrong_block_subtotal_is_refused_at_that_block_s_cell(tmp_path):
    dak = [list(row) for row in DAK_BLOCK]
    dak[2][4] = 11  # the kegiatan's realization to date in the DAK block: its child says 10
    issues = _issues(_write(tmp_path, PAD_BLOCK + dak + COMBINED_BLOCK))
    kegiatan_row = FIRST_ROW + len(PAD_BLOCK) + 2
    wrong = [issue for issue in issues if issue.rule == "amount.subtotal_mismatch"]
    assert (kegiatan_row, "E") in {(issue.row, issue.column) for issue in wrong}
    assert any(issue.params["expected"] == "10" and issue.params["value"] == "11" for issue in wrong)


def test_a_combined_block_naming_no_block_and_a_source_opened_twice(tmp_path):
    combined = [["TOTAL (PAD + BOS)"], *COMBINED_BLOCK[1:]]
    issues = _issues(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + combined))
    unknown = [issue for issue in issues if issue.rule == "source.combined_unknown"]
    assert [issue.params["value"] for issue in unknown] == ["BOS"]
    assert unknown[0].row == FIRST_ROW + len(PAD_BLOCK) + len(DAK_BLOCK)
    again = _issues(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + PAD_BLOCK))
    assert [issue.rule for issue in again if issue.rule == "source.duplicate"] == ["source.duplicate"]


def test_rows_above_the_first_heading_are_refused(tmp_path):
    issues = _issues(_write(tmp_path, PAD_BLOCK[1:2] + DAK_BLOCK))
    outside = [issue for issue in issues if issue.rule == "source.outside_block"]
    assert [(issue.row, issue.column) for issue in outside] == [(FIRST_ROW, "A")]


def test_a_written_sectioned_workbook_opens_with_openpyxl(sample_2022, tmp_path):
    path = write_funding_sections(_month(sample_2022), tmp_path / "s.xlsx", split={}, heading_style="bare")
    sheet = openpyxl.load_workbook(path, read_only=True).active
    texts = [row[1] for row in sheet.iter_rows(values_only=True) if row[1] in ("PAD", "DAU", "DAK Non Fisik")]
    assert sorted(texts) == ["DAK Non Fisik", "DAU", "PAD"]


def test_accounts_listed_in_one_block_of_a_split_sub_kegiatan_are_not_merged(tmp_path):
    pad = [list(row) for row in PAD_BLOCK]
    pad.insert(4, ["5.1.02.01.01.0024", "Belanja Alat Tulis Kantor", 400, 40, 40, None, None])
    wb = read_realization(_write(tmp_path, pad + DAK_BLOCK))
    assert "rekening" not in set(wb.lines["level"])  # the DAK block has the sub kegiatan without them
    assert wb.lines.set_index("kode").loc["2.17.01.2.01.01", "anggaran_rp"] == 500
    dak = [list(row) for row in DAK_BLOCK]
    dak.insert(4, ["5.1.02.01.01.0024", "Belanja Alat Tulis Kantor", 100, 10, 10, None, None])
    both = read_realization(_write(tmp_path, pad + dak)).lines
    account = both[both["level"] == "rekening"].iloc[0]
    assert (account["anggaran_rp"], account["sumber_dana"]) == (500, "PAD; DAK FISIK")


@pytest.mark.parametrize("form", ["xls", "ods"])
def test_a_sectioned_month_in_a_legacy_format(sample_2022, tmp_path, form):
    month = _month(sample_2022)
    split = {SPLIT_SUB: [("PAD", 0.5), ("DAU", 0.5)]}
    path = write_funding_sections(month, tmp_path / "seksi.xlsx", split=split, combined=[("PAD", "DAU")])
    (legacy,) = convert([path], form, tmp_path / "out")
    read = read_realization(legacy)
    pd.testing.assert_frame_equal(_comparable(read.lines), _comparable(month.lines), check_dtype=False)
    assert sorted(read.sources["sumber_dana"].unique()) == ["DAK Non Fisik", "DAU", "PAD"]


def test_a_combined_total_row_is_checked_against_its_blocks_and_not_merged(tmp_path):
    summary = [None, "TOTAL (PAD + DAK FISIK)", 800, 80, 80, None, None]
    wb = read_realization(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + [summary]))
    totals = wb.lines[wb.lines["level"] == "total"]
    assert totals["anggaran_rp"].tolist() == [800]
    wrong = [None, "TOTAL (PAD + DAK FISIK)", 800, 80, 81, None, None]
    issues = _issues(_write(tmp_path, PAD_BLOCK + DAK_BLOCK + [wrong]))
    row = FIRST_ROW + len(PAD_BLOCK) + len(DAK_BLOCK)
    assert [(i.rule, i.row, i.column) for i in issues] == [("source.total_mismatch", row, "E")]
