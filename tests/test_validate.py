"""Business rules on staged workbooks: each rule reports the exact row and column."""

from __future__ import annotations

import pandas as pd

from tasks.validate import check_indicators, check_realization, leaf_accounts
from tests.staged import NAN, indicator_workbook, realization_lines, realization_workbook

SUBS = {
    "2.17.01.2.01.01": (1000.0, 100.0, 100.0),
    "2.17.01.2.01.02": (500.0, 0.0, 0.0),
    "2.17.02.2.01.01": (2000.0, 250.0, 250.0),
}


def rules(issues) -> list[tuple[str, str]]:
    """(rule, cell) pairs of the issues."""
    return [(issue.rule, issue.cell) for issue in issues]


def row_of(lines, code: str) -> int:
    """Worksheet row of a code."""
    return int(lines.loc[lines["kode"] == code, "row"].iloc[0])


def test_consistent_workbook_passes():
    assert check_realization(realization_workbook(realization_lines(SUBS))) == []


def test_subtotal_that_is_not_the_sum_of_its_children():
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01", "anggaran_rp"] += 1
    issues = check_realization(realization_workbook(lines))
    # the kegiatan no longer equals its sub kegiatan, and the program no longer equals its kegiatan
    assert rules(issues) == [
        ("amount.subtotal_mismatch", f"D{row_of(lines, '2.17.01')}"),
        ("amount.subtotal_mismatch", f"D{row_of(lines, '2.17.01.2.01')}"),
    ]
    assert "1.501" in issues[1].message() and "1.500" in issues[1].message()


def test_total_row_is_checked_against_the_urusan():
    lines = realization_lines(SUBS)
    lines.loc[lines["level"] == "total", "anggaran_kas_sd_bulan_ini_rp"] = 1.0
    row = int(lines.loc[lines["level"] == "total", "row"].iloc[0])
    assert rules(check_realization(realization_workbook(lines))) == [("amount.subtotal_mismatch", f"E{row}")]


def test_realization_over_budget_is_named_at_its_cell():
    subs = dict(SUBS, **{"2.17.01.2.01.02": (500.0, 600.0, 600.0)})
    lines = realization_lines(subs)
    issues = check_realization(realization_workbook(lines))
    over = [i for i in issues if i.rule == "amount.realization_over_budget"]
    assert f"G{row_of(lines, '2.17.01.2.01.02')}" in [i.cell for i in over]


def test_month_realization_above_cumulative():
    subs = dict(SUBS, **{"2.17.01.2.01.01": (1000.0, 150.0, 100.0)})
    lines = realization_lines(subs)
    issues = [
        i for i in check_realization(realization_workbook(lines)) if i.rule == "amount.month_over_cumulative"
    ]
    assert f"F{row_of(lines, '2.17.01.2.01.01')}" in [i.cell for i in issues]


def test_negative_amount_and_fisik_out_of_range():
    lines = realization_lines(SUBS)
    sub = lines["kode"] == "2.17.02.2.01.01"
    lines.loc[sub, "fisik_pct"] = 120.0
    lines.loc[sub, "anggaran_kas_sd_bulan_ini_rp"] = -5.0
    found = rules(check_realization(realization_workbook(lines)))
    row = row_of(lines, "2.17.02.2.01.01")
    assert ("amount.fisik_range", f"H{row}") in found
    assert ("amount.negative", f"E{row}") in found


def test_duplicate_code_and_orphan():
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01.02", ["kode", "sub_kegiatan_kode"]] = "2.17.01.2.01.01"
    lines = lines[lines["kode"] != "2.17.02.2.01"].reset_index(drop=True)
    found = rules(check_realization(realization_workbook(lines)))
    assert ("code.duplicate", f"A{row_of(lines, '2.17.01.2.01.01') + 1}") in found
    assert ("code.orphan", f"A{row_of(lines, '2.17.02.2.01.01')}") in found


def test_no_realization_column_at_all():
    lines = realization_lines(SUBS)
    lines["realisasi_bulan_ini_rp"] = NAN
    lines["realisasi_sd_bulan_ini_rp"] = NAN
    assert [i.rule for i in check_realization(realization_workbook(lines))] == ["amount.missing_realization"]


def test_messages_in_indonesian_by_default_and_english_on_request():
    lines = realization_lines(SUBS)
    lines.loc[lines["kode"] == "2.17.01.2.01", "anggaran_rp"] += 1
    issue = check_realization(realization_workbook(lines, name="realisasi_maret.xlsx"))[-1]
    assert issue.describe().startswith("realisasi_maret.xlsx, sheet 'Realisasi', sel D")
    assert "jumlah rincian" in issue.describe()
    assert "sum of its children" in issue.describe("en")


def test_indicator_rules():
    workbook = indicator_workbook(
        [
            {"jenis": "sasaran", "no": "1", "indikator": "A", "target": 0.0, "realisasi": 1.0},
            {
                "jenis": "sasaran",
                "no": "2",
                "indikator": "B",
                "target": 5.0,
                "arah": "ke atas",
                "realisasi": 1.0,
            },
            {"jenis": "misi", "no": "3", "indikator": "C", "target": 5.0, "realisasi": 1.0},
            {"jenis": "program", "no": "4", "indikator": " ", "target": 5.0, "realisasi": 1.0},
        ]
    )
    assert rules(check_indicators(workbook)) == [
        ("indicator.target_not_positive", "G6"),
        ("indicator.direction_unknown", "F7"),
        ("indicator.jenis_unknown", "A8"),
        ("indicator.missing_value", "D9"),
    ]


def test_nested_account_rows_are_summed_once():
    lines = realization_lines({"2.17.01.2.01.01": (1000.0, 100.0, 100.0)})
    sub = lines.index[lines["kode"] == "2.17.01.2.01.01"][0]
    accounts = pd.DataFrame(
        [
            {
                "kode": "5.1.02",
                "anggaran_rp": 1000.0,
                "realisasi_bulan_ini_rp": 100.0,
                "realisasi_sd_bulan_ini_rp": 100.0,
            },
            {
                "kode": "5.1.02.01.01.0024",
                "anggaran_rp": 600.0,
                "realisasi_bulan_ini_rp": 60.0,
                "realisasi_sd_bulan_ini_rp": 60.0,
            },
            {
                "kode": "5.1.02.01.01.0026",
                "anggaran_rp": 400.0,
                "realisasi_bulan_ini_rp": 40.0,
                "realisasi_sd_bulan_ini_rp": 40.0,
            },
        ]
    ).assign(
        level="rekening",
        uraian="Belanja",
        sub_kegiatan_kode="2.17.01.2.01.01",
        anggaran_murni_rp=NAN,
        anggaran_kas_sd_bulan_ini_rp=NAN,
        fisik_pct=NAN,
        sumber_dana="PAD",
    )
    lines.loc[sub, "anggaran_kas_sd_bulan_ini_rp"] = NAN
    for column in ("anggaran_kas_sd_bulan_ini_rp",):
        lines[column] = NAN
    merged = pd.concat([lines.loc[:sub], accounts, lines.loc[sub + 1 :]], ignore_index=True)
    merged["row"] = range(9, 9 + len(merged))
    assert check_realization(realization_workbook(merged)) == []
    assert leaf_accounts(merged).sum() == 2
    merged.loc[merged["kode"] == "5.1.02.01.01.0026", "anggaran_rp"] = 500.0
    found = rules(check_realization(realization_workbook(merged)))
    assert (
        "amount.subtotal_mismatch",
        f"D{int(merged.loc[merged['kode'] == '5.1.02', 'row'].iloc[0])}",
    ) in found
