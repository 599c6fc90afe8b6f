"""A file's findings list the errors first: a reading warning never stands before the cell to fix."""

from __future__ import annotations

from tasks.core.issues import InputIssue
from tasks.operations.intake import errors_first


def test_errors_come_before_warnings_each_in_its_own_order():
    moved = InputIssue("a.xlsx", "amount.budget_changed", "Realisasi", 14, "D", severity="warning")
    typed = InputIssue("a.xlsx", "period.month_inconsistent", "Realisasi", 12, "G")
    subtotal = InputIssue("a.xlsx", "amount.subtotal_mismatch", "Realisasi", 11, "G")
    late = InputIssue("a.xlsx", "header.meta_missing", "Realisasi", severity="warning")

    ordered = errors_first((moved, typed, late, subtotal))

    assert [i.cell for i in ordered] == ["G12", "G11", "D14", ""]
    assert ordered[0] is typed and ordered[2] is moved
