"""The anggaran kas workbook: told from its content, read in the spellings offices use, and checked
by its suite at the cell a steward must fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tasks.core.issues import InputError
from tasks.core.staging import CashPlanWorkbook
from tasks.extract.cash_plan import read_cash_plan
from tasks.extract.kind import detect_kind
from tasks.extract.reading import read_file
from tasks.validate.batch import validate_cash_plans
from tasks.validate.context import Validator
from tests.fixtures.libreoffice import convert
from tests.fixtures.workbooks import (
    Rows,
    Sheet,
    header_block,
    indicator_block,
    realization_sheet,
    write_xlsx,
)

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni"]
MONTHS += ["Juli", "Agustus", "September", "Oktober", "November", "Desember"]

#: The plan of the two sub kegiatan (400.000 and 600.000 over the year) and their subtotals.
SUB_01 = [100_000, 100_000, 100_000, 100_000, 0, 0, 0, 0, 0, 0, 0, 0]
SUB_02 = [50_000] * 12
PARENT = [a + b for a, b in zip(SUB_01, SUB_02, strict=True)]


def plan_body(*, budget: bool = True, total: bool = True) -> Rows:
    """Rows of a small plan: urusan, program, kegiatan, two sub kegiatan (short codes) and JUMLAH."""
    rows = [
        ("2.17", "URUSAN KOPERASI", 1_000_000, PARENT),
        ("2.17.01", "Program Penunjang Urusan", 1_000_000, PARENT),
        ("2.01", "Perencanaan, Penganggaran, dan Evaluasi", 1_000_000, PARENT),
        ("01", "Penyusunan Dokumen Perencanaan", 400_000, SUB_01),
        ("02", "Koordinasi Penyusunan RKA", 600_000, SUB_02),
        (None, "JUMLAH", 1_000_000, PARENT),
    ]
    return [
        [code, name, *([amount] if budget else []), *plan, *([sum(plan)] if total else [])]
        for code, name, amount, plan in rows
    ]


def plan_sheet(
    headings: list[str] | None = None,
    *,
    group: str | None = "ANGGARAN KAS",
    budget_title: str | None = "PAGU",
    total_title: str | None = "JUMLAH",
    name: str = "RAK",
    body: Rows | None = None,
) -> Sheet:
    """A plan sheet: header block, the table header (two rows under a merged ``group``, else one)."""
    headings = headings or MONTHS
    rows = header_block(month=None)
    top = len(rows) + 1  # the worksheet row of the header
    left = ["KODE", "URAIAN", *([budget_title] if budget_title else [])]
    right = [total_title] if total_title else []
    merges: list[str] = []
    if group is None:
        rows.append([*left, *headings, *right])
    else:
        first = len(left)
        rows.append([*left, group, *[None] * 11, *right])
        rows.append([*[None] * len(left), *headings, *[None] * len(right)])
        merges.append(f"{_letter(first)}{top}:{_letter(first + 11)}{top}")
        merges += [f"{_letter(c)}{top}:{_letter(c)}{top + 1}" for c in range(len(left))]
        merges += [f"{_letter(first + 12)}{top}:{_letter(first + 12)}{top + 1}"] if right else []
    rows += (
        plan_body(budget=budget_title is not None, total=total_title is not None) if body is None else body
    )
    return Sheet(name, rows, merges=merges)


def _letter(col: int) -> str:
    """Worksheet column letter of a 0-based column."""
    return chr(65 + col)


# -- kind detection ------------------------------------------------------------------------------


def test_a_plan_is_told_from_its_content_not_its_sheet_name(tmp_path: Path):
    plan = write_xlsx(tmp_path / "berkas.xlsx", plan_sheet(name="Sheet1"))
    monthly = write_xlsx(tmp_path / "bulanan.xlsx", realization_sheet("Sheet1"))
    indicators = write_xlsx(
        tmp_path / "ikk.xlsx",
        Sheet(
            "Sheet1",
            [
                *indicator_block(),
                ["Jenis", "No", "Tujuan/Sasaran", "Indikator", "Satuan", "Target", "Realisasi"],
                ["Sasaran", "1", "Meningkatnya koperasi", "Persentase koperasi aktif", "%", 80, 76],
            ],
        ),
    )
    assert detect_kind(plan) == "anggaran_kas"
    assert detect_kind(monthly) == "realization"
    assert detect_kind(indicators) == "indicator"


def test_months_side_by_side_with_their_realization_are_no_plan(tmp_path: Path):
    """A year on one sheet (each month over its plan and its realization) is not an anggaran kas."""
    rows = header_block(month=None)
    rows.append(["KODE", "URAIAN", "ANGGARAN", *MONTHS])
    rows.append([None, None, None, *["Realisasi"] * 12])
    rows += [["2.17.01", "Program", 1_000_000, *[1] * 12]]
    path = write_xlsx(tmp_path / "tahunan.xlsx", Sheet("2022", rows))
    try:
        kind = detect_kind(path)
    except InputError:
        kind = "unknown"
    assert kind != "anggaran_kas"


def test_a_plan_short_of_a_month_is_read_as_a_plan_and_named(tmp_path: Path):
    headings = [*MONTHS[:2], "Bulan III", *MONTHS[3:]]  # a month no reader can tell
    path = write_xlsx(tmp_path / "rak.xlsx", plan_sheet(headings))
    staged = read_file(path)
    assert [s.kind for s in staged] == [""]
    (issue,) = staged[0].issues
    assert issue.rule == "header.missing_column"
    assert "Anggaran Kas Maret" in issue.message()
    assert (issue.sheet, issue.row) == ("RAK", 5)


def test_a_quarterly_plan_is_refused_with_a_reason(tmp_path: Path):
    rows = header_block(month=None)
    rows.append(["KODE", "URAIAN", "PAGU", "RAK TW I", "RAK TW II", "RAK TW III", "RAK TW IV"])
    rows.append(["2.17.01", "Program", 1_000_000, 250_000, 250_000, 250_000, 250_000])
    path = write_xlsx(tmp_path / "rak_tw.xlsx", Sheet("RAK", rows))
    assert detect_kind(path) == "anggaran_kas"
    with pytest.raises(InputError) as refused:
        read_cash_plan(path)
    (issue,) = refused.value.issues
    assert issue.rule == "cash_plan.quarterly"
    assert "per bulan" in issue.message()
    assert issue.row == 5


# -- reading ----------------------------------------------------------------------------------------

SPELLINGS = {
    "merged anggaran kas": {},
    "merged RAK over short months": {
        "headings": ["JAN", "PEB", "MAR", "APR", "MEI", "JUN", "JUL", "AGT", "SEP", "OKT", "NOP", "DES"],
        "group": "RAK",
    },
    "merged rencana penarikan dana": {
        "headings": [m.upper() for m in MONTHS[:1]] + ["Pebruari"] + MONTHS[2:10] + ["Nopember", "Desember"],
        "group": "RENCANA PENARIKAN DANA",
    },
    "one row with the plan word": {"headings": [f"Anggaran Kas {m}" for m in MONTHS], "group": None},
    "one row DKKB with the year": {"headings": [f"DKKB {m[:3]} 2022" for m in MONTHS], "group": None},
    "plain months, no total": {"group": None, "total_title": None, "budget_title": "Anggaran"},
    "no budget column": {"group": "DKKB", "budget_title": None},
}


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_plans_in_every_spelling_read_the_same(tmp_path: Path, spelling: str):
    options = SPELLINGS[spelling]
    path = write_xlsx(tmp_path / "rak.xlsx", plan_sheet(**options))
    (staged,) = read_file(path)
    assert staged.kind == "anggaran_kas" and not staged.issues, staged.issues
    wb = staged.workbook
    assert isinstance(wb, CashPlanWorkbook)
    assert (wb.opd_code, wb.year, wb.sheet) == ("2.17.0.00.0.00.01.0000", 2022, "RAK")
    lines = wb.lines.set_index("kode")
    months = [f"rencana_{m:02d}_rp" for m in range(1, 13)]
    assert lines.loc["2.17.01.2.01.01", months].tolist() == SUB_01
    assert lines.loc["2.17.01.2.01.02", months].tolist() == SUB_02
    assert lines.loc["2.17.01.2.01.01", "level"] == "sub_kegiatan"
    assert lines.loc["", "level"] == "total"
    if options.get("budget_title", "PAGU") is None:
        assert lines["anggaran_rp"].isna().all()
    else:
        assert lines.loc["2.17.01.2.01.02", "anggaran_rp"] == 600_000
    has_total = options.get("total_title", "JUMLAH") is not None
    assert lines["jumlah_rp"].notna().all() == has_total


def test_a_plan_saved_as_ods_by_libreoffice_reads_as_the_xlsx(tmp_path: Path):
    xlsx = write_xlsx(tmp_path / "rak.xlsx", plan_sheet())
    (ods,) = convert([xlsx], "ods", tmp_path / "ods")
    assert detect_kind(ods) == "anggaran_kas"
    pd.testing.assert_frame_equal(read_cash_plan(ods).lines, read_cash_plan(xlsx).lines)


def test_text_amounts_are_read_and_a_bad_cell_is_named(tmp_path: Path):
    body = plan_body()
    body[3][3] = "100.000"  # Indonesian thousands: January of sub kegiatan 01
    body[4][5] = "lima puluh ribu"  # March of sub kegiatan 02
    path = write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body))
    with pytest.raises(InputError) as refused:
        read_cash_plan(path)
    (issue,) = refused.value.issues
    assert (issue.rule, issue.cell) == ("cell.not_number", "F11")
    body[4][5] = "Rp 50.000,-"
    assert read_cash_plan(write_xlsx(tmp_path / "ok.xlsx", plan_sheet(body=body))).lines[
        "rencana_03_rp"
    ].tolist() == [150_000, 150_000, 150_000, 100_000, 50_000, 150_000]


def test_the_run_gives_the_year_a_plan_lacks(tmp_path: Path):
    sheet = plan_sheet()
    sheet.rows[2] = []  # no "Tahun Anggaran" line
    path = write_xlsx(tmp_path / "rak.xlsx", sheet)
    (without,) = read_file(path)
    assert [i.rule for i in without.issues] == ["header.meta_missing"]
    (given,) = read_file(path, year=2022)
    assert given.workbook.year == 2022 and not given.issues


# -- the suite --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory) -> Validator:
    return Validator(tmp_path_factory.mktemp("gx"))


def _issues(validator: Validator, path: Path) -> list:
    wb = read_cash_plan(path)
    result = validate_cash_plans(validator, [wb])
    (run,) = result.runs
    assert run.suite == "anggaran_kas"
    return result.issues[path.name]


def test_a_clean_plan_passes_its_suite(tmp_path: Path, validator: Validator):
    assert _issues(validator, write_xlsx(tmp_path / "rak.xlsx", plan_sheet())) == []


def test_a_wrong_subtotal_is_refused_at_its_month_cell(tmp_path: Path, validator: Validator):
    body = plan_body()
    body[5][5] = 1  # March of the JUMLAH row (row 12, column F): its children plan 150.000
    issues = _issues(validator, write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body)))
    assert [(i.rule, i.cell) for i in issues] == [("amount.subtotal_mismatch", "F12")]
    assert "Anggaran Kas Maret" in issues[0].message() and "150.000" in issues[0].message()


def test_months_not_summing_to_the_budget_are_refused_at_the_budget_cell(
    tmp_path: Path, validator: Validator
):
    body = plan_body(total=False)
    for row in body[:3] + body[4:]:  # the sub kegiatan 02 plans 10.000 more than its budget, in June
        row[8] += 10_000
    issues = _issues(validator, write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body, total_title=None)))
    assert [(i.rule, i.cell) for i in issues] == [("cash_plan.months_not_budget", "C11")]
    assert "610.000" in issues[0].message() and "600.000" in issues[0].message()


def test_a_wrong_jumlah_is_refused_at_the_jumlah_cell(tmp_path: Path, validator: Validator):
    body = plan_body()
    for row in body[:3] + body[4:]:
        row[-1] -= 1  # the sub kegiatan 02 and its parents: Jumlah one rupiah short
    issues = _issues(validator, write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body)))
    assert [(i.rule, i.cell) for i in issues] == [("cash_plan.months_not_total", "P11")]


def test_a_negative_plan_is_refused(tmp_path: Path, validator: Validator):
    body = plan_body()
    for row in body[:3] + body[4:]:
        row[4] -= 60_000  # February of sub kegiatan 02 becomes -10.000 ...
        row[5] += 60_000  # ... and March makes up for it
    issues = _issues(validator, write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body)))
    assert ("amount.negative", "E11") in [(i.rule, i.cell) for i in issues]
