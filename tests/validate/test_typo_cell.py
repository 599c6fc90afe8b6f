"""One typed figure in the sample's June: the first finding is the cell the steward typed, with the value
it should have; the subtotals it breaks come after it and ask to check the rows under them.

Each case edits the 2022 sample month with openpyxl (as a steward's spreadsheet would be saved) and
validates it against the sample's May, as the pipeline does with the month before.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from tasks.core import columns
from tasks.core.issues import InputIssue
from tasks.extract.cash_plan import read_cash_plan
from tasks.extract.reading import read_workbook
from tasks.operations.quarantine import annotate_workbook
from tasks.validate.batch import validate_cash_plans, validate_realizations
from tasks.validate.context import Validator
from tasks.validate.frames import batch_previous_lookup
from tests.extract.test_cash_plan import plan_body, plan_sheet
from tests.fixtures.workbooks import write_xlsx

JUNE = 5  # index of realisasi_2022_06.xlsx in the sample's months
CHECK = "periksa rincian di bawahnya"
#: every name a message must never show: the column spec's and the staged frame's field names (those
#: that are no plain word: ``kode`` and ``target`` are words of the messages too)
INTERNAL = {c.name for c in columns.COLUMNS if "_" in c.name} | {
    "prev_realisasi_sd_bulan_ini_rp",
    "prev_anggaran_rp",
    "effective_realisasi_sd_bulan_ini_rp",
    "next_realisasi_bulan_ini_rp",
    "next_realisasi_sd_bulan_ini_rp",
    "rencana_setahun_rp",
    "opd_code",
    "node_key",
    "parent_key",
}


@pytest.fixture(scope="module")
def validator(tmp_path_factory) -> Validator:
    """One GX context for the module (the tests run serially)."""
    return Validator(tmp_path_factory.mktemp("gx"))


@pytest.fixture
def typed(sample_2022, validator, tmp_path):
    """Validate June with the given cells changed (cell -> value added); its findings and the file."""

    def check(changes: dict[str, int], *, with_may: bool = True) -> tuple[list[InputIssue], Path]:
        path = tmp_path / "realisasi_2022_06.xlsx"
        shutil.copy(sample_2022.realization[JUNE], path)
        book = openpyxl.load_workbook(path)
        sheet = book["Realisasi"]
        for cell, delta in changes.items():
            sheet[cell] = sheet[cell].value + delta
        book.save(path)
        may = read_workbook(sample_2022.realization[JUNE - 1]).workbook
        june = read_workbook(path).workbook
        lookup = batch_previous_lookup([may] if with_may else [], lambda *_: None)
        issues = validate_realizations(validator, [june], lookup).issues[path.name]
        for issue in issues:
            for lang in ("id", "en"):
                shown = issue.describe(lang)
                assert not any(re.search(rf"\b{name}\b", shown) for name in INTERNAL), shown
        return issues, path

    return check


def original(sample_2022, cell: str) -> int:
    """The sample June's value of ``cell``."""
    return openpyxl.load_workbook(sample_2022.realization[JUNE])["Realisasi"][cell].value


def dotted(number: int) -> str:
    """A whole number as the messages print it: ``1.234.567``."""
    return f"{number:,}".replace(",", ".")


def cells(issues: list[InputIssue]) -> list[tuple[str, str]]:
    """(cell, rule) of each finding, in order."""
    return [(issue.cell, issue.rule) for issue in issues]


def test_a_typo_in_realization_to_date_points_at_that_cell_first(typed, sample_2022):
    issues, _ = typed({"G12": 1000})
    # the row's arithmetic blames G12 (not F12, which is right), then the kegiatan that follows it
    assert cells(issues) == [("G12", "period.month_inconsistent"), ("G11", "amount.subtotal_mismatch")]
    first, subtotal = issues
    right = original(sample_2022, "G12")
    assert first.params["expected"] == dotted(right)
    assert first.message().endswith(f"seharusnya {dotted(right)}")
    assert first.message().startswith(f"Realisasi s.d. bulan ini ({dotted(right + 1000)})")
    assert subtotal.message() == f"Subtotal tidak sama dengan jumlah rinciannya; {CHECK} (sel G12)"
    assert subtotal.params["expected"] == ""  # no "should be" that would spread the typo
    assert "check the rows under it" in subtotal.message("en")


def test_a_typo_below_last_month_shows_the_right_value_first(typed, sample_2022):
    issues, _ = typed({"G12": -50_000})  # also below May's realization to date: a second finding at G12
    assert cells(issues)[:2] == [("G12", "period.month_inconsistent"), ("G12", "period.cumulative_decreased")]
    assert issues[0].params["expected"] == dotted(original(sample_2022, "G12"))
    assert cells(issues)[2:] == [("G11", "amount.subtotal_mismatch")]


def test_a_typo_in_realization_this_month_points_at_that_cell_first(typed, sample_2022):
    issues, _ = typed({"F12": 1000})
    assert cells(issues) == [("F12", "period.month_inconsistent"), ("F11", "amount.subtotal_mismatch")]
    assert issues[0].params["expected"] == dotted(original(sample_2022, "F12"))
    assert CHECK in issues[1].message() and issues[1].params["expected"] == ""


def test_a_typo_in_a_subtotal_is_the_cell_to_fix(typed, sample_2022):
    issues, _ = typed({"G11": 1000})
    # the kegiatan differs from its sub kegiatan, and the program from its kegiatan by as much the other way
    assert cells(issues) == [("G11", "amount.subtotal_mismatch"), ("G10", "amount.subtotal_mismatch")]
    right = dotted(original(sample_2022, "G11"))
    assert issues[0].params["expected"] == right
    assert issues[0].message().startswith("Subtotal Realisasi s.d. Bulan Ini = ")
    assert issues[0].message().endswith(f"jumlah rincian di bawahnya = {right}")
    assert issues[1].message().endswith(f"{CHECK} (sel G11)") and issues[1].params["expected"] == ""


def test_two_typed_rows_under_one_subtotal_come_first_both(typed, sample_2022):
    issues, _ = typed({"G12": 1000, "G14": 500})
    assert cells(issues) == [
        ("G12", "period.month_inconsistent"),
        ("G14", "period.month_inconsistent"),
        ("G11", "amount.subtotal_mismatch"),
    ]
    assert [i.params["expected"] for i in issues[:2]] == [
        dotted(original(sample_2022, "G12")),
        dotted(original(sample_2022, "G14")),
    ]
    assert issues[2].message().endswith(f"{CHECK} (sel G12, G14)")


def test_two_typos_in_different_columns_and_kegiatan(typed, sample_2022):
    issues, _ = typed({"F12": 1000, "G19": 700})
    assert cells(issues) == [
        ("F12", "period.month_inconsistent"),
        ("G19", "period.month_inconsistent"),
        ("F11", "amount.subtotal_mismatch"),
        ("G18", "amount.subtotal_mismatch"),
    ]
    assert issues[1].params["expected"] == dotted(original(sample_2022, "G19"))
    assert all(CHECK in i.message() and i.params["expected"] == "" for i in issues[2:])


def test_the_only_row_under_a_subtotal_is_the_cell_to_fix(typed, sample_2022):
    # sub kegiatan 2.17.01.2.08.01 (row 36) is its kegiatan's only row; its budget has no row arithmetic
    issues, _ = typed({"D36": 1000})
    assert cells(issues) == [("D36", "amount.subtotal_mismatch"), ("D35", "amount.subtotal_mismatch")]
    right = dotted(original(sample_2022, "D36"))
    assert issues[0].params["expected"] == right
    assert issues[0].message() == (
        f"Anggaran = {dotted(original(sample_2022, 'D36') + 1000)} membuat subtotal di atasnya (baris 35) "
        f"tidak sama dengan jumlah rinciannya; seharusnya {right}"
    )
    assert issues[1].message().endswith(f"{CHECK} (sel D36)")


def test_a_typo_in_a_budget_points_at_the_row_whose_budget_moved(typed, sample_2022):
    # D12 typed 1.000 more: of the kegiatan's six sub kegiatan, only its budget differs from May's
    issues, _ = typed({"D12": 1000})
    assert cells(issues) == [("D12", "amount.subtotal_mismatch"), ("D11", "amount.subtotal_mismatch")]
    assert issues[0].params["expected"] == dotted(original(sample_2022, "D12"))
    assert issues[1].message().endswith(f"{CHECK} (sel D12)")
    # its Anggaran Murni typed alike: the budget-change warning at D12 is then the error to fix
    issues, _ = typed({"D12": 1000, "C12": 1000})
    assert issues[0].cell == "D12" and issues[0].rule == "period.budget_changed"
    assert issues[0].severity == "error" and "sehingga subtotal di atasnya" in issues[0].message()
    assert issues[0].params["expected"] == dotted(original(sample_2022, "D12"))


def test_without_the_month_before_the_subtotal_asks_to_check_its_rows(typed):
    # no May: the row's arithmetic cannot tell which of the six sub kegiatan was typed
    issues, _ = typed({"G12": 1000}, with_may=False)
    assert cells(issues) == [("G11", "amount.subtotal_mismatch")]
    assert issues[0].message() == f"Subtotal tidak sama dengan jumlah rinciannya; {CHECK}"
    assert issues[0].params["expected"] == ""


def test_a_typo_in_the_total_row_is_the_cell_to_fix(typed, sample_2022):
    issues, _ = typed({"G82": 1000})
    assert cells(issues) == [("G82", "amount.subtotal_mismatch")]
    assert issues[0].params["expected"] == dotted(original(sample_2022, "G82"))


def test_the_annotated_copy_marks_the_typed_cell(typed, tmp_path):
    issues, path = typed({"G12": 1000})
    copy = annotate_workbook(path, tmp_path / "annotated.xlsx", issues)
    sheet = openpyxl.load_workbook(copy)["Realisasi"]
    assert (
        "seharusnya" in sheet["G12"].comment.text and "period.month_inconsistent" in sheet["G12"].comment.text
    )
    assert sheet["F12"].comment is None
    assert CHECK in sheet["G11"].comment.text
    assert not any(re.search(rf"\b{name}\b", sheet["G12"].comment.text) for name in INTERNAL)


def test_a_typo_in_a_month_of_the_anggaran_kas_points_at_that_month(validator, tmp_path):
    body = plan_body()
    body[4][8] += 10_000  # June of sub kegiatan 02 (cell I11); its Jumlah, Pagu and parents stay right
    path = write_xlsx(tmp_path / "rak.xlsx", plan_sheet(body=body))
    issues = validate_cash_plans(validator, [read_cash_plan(path)]).issues[path.name]
    # the Jumlah and Pagu checks of the row both move to June, where the kegiatan's June breaks too
    assert cells(issues) == [
        ("I11", "cash_plan.months_not_budget"),
        ("I11", "cash_plan.months_not_total"),
        ("I9", "amount.subtotal_mismatch"),
    ]
    assert all(i.params["expected"] == "50.000" for i in issues[:2])
    assert issues[0].message() == (
        "Anggaran Kas Juni = 60.000: rencana Januari … Desember berjumlah 610.000, tidak sama dengan "
        "Anggaran (600.000); seharusnya 50.000"
    )
    assert issues[2].message().endswith(f"{CHECK} (sel I11)") and issues[2].params["expected"] == ""
