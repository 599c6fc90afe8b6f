"""A year of one agency built for tests: whole-rupiah spending per sub kegiatan and month, each month's
file giving both realization columns or only one (INPUTS.md §1), and what the warehouse holds of it."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import Engine, select

from tasks.core.staging import RealizationWorkbook
from tasks.operations.intake import FileOutcome, load_workbooks
from tests.staged import NAN, OPD, realization_lines, realization_workbook, staged
from warehouse.models import BudgetItem, FactRealization, Opd, Period

YEAR = 2022
BUDGET = {
    "2.17.01.2.01.01": 12_000_000.0,
    "2.17.01.2.01.02": 6_000_000.0,
    "2.17.02.2.01.01": 24_000_000.0,
}
#: Which realization columns each month's file gives (INPUTS.md §1 allows either one alone).
SHAPES = {1: "both", 2: "both", 3: "month", 4: "to_date", 5: "month", 6: "to_date"}


def spent(code: str, month: int) -> float:
    """What a sub kegiatan spends in a month: a whole-rupiah share of its budget, some months nothing."""
    share = (month * (list(BUDGET).index(code) + 3)) % 7  # 0..6 % of the budget
    return float(round(BUDGET[code] * share / 100))


def to_date(code: str, month: int) -> float:
    """Realization to date at the end of a month."""
    return sum(spent(code, m) for m in range(1, month + 1))


def month_file(
    month: int,
    shape: str = "both",
    *,
    year: int = YEAR,
    opd: str = OPD,
    name: str = "",
    changed: dict[str, tuple[float, float]] | None = None,
) -> RealizationWorkbook:
    """The month's workbook giving ``shape`` (both, month or to_date); ``changed`` replaces a code's
    (realization this month, realization to date)."""
    amounts = {code: (BUDGET[code], spent(code, month), to_date(code, month)) for code in BUDGET}
    amounts |= {code: (BUDGET[code], *pair) for code, pair in (changed or {}).items()}
    lines = realization_lines(amounts)
    if shape == "month":
        lines["realisasi_sd_bulan_ini_rp"] = NAN
    elif shape == "to_date":
        lines["realisasi_bulan_ini_rp"] = NAN
    return realization_workbook(lines, month=month, year=year, opd=opd, name=name)


def figures(engine: Engine, opd: str = OPD, year: int = YEAR) -> dict[tuple[int, str], tuple[float, float]]:
    """(month, code) -> (realization this month, to date) held by the warehouse."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Period.month,
                BudgetItem.code,
                FactRealization.realisasi_bulan_ini_rp,
                FactRealization.realisasi_sd_bulan_ini_rp,
            )
            .join(Period, Period.id == FactRealization.period_id)
            .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
            .join(Opd, Opd.id == FactRealization.opd_id)
            .where(Opd.code == opd, Period.year == year)
        ).all()
    return {(int(month), code): (float(bulan), float(sd)) for month, code, bulan, sd in rows}


def assert_consecutive_months_agree(engine: Engine, opd: str = OPD, year: int = YEAR) -> None:
    """For every two consecutive months loaded: the later month's realization = change of the to date."""
    held = figures(engine, opd, year)
    for (month, code), (bulan, sd) in held.items():
        before = held.get((month - 1, code))
        if month == 1:
            assert bulan == pytest.approx(sd), (month, code)
        elif before is not None:
            assert bulan == pytest.approx(sd - before[1]), (month, code)


def rules(outcome: FileOutcome) -> list[str]:
    """The rules of an outcome's issues."""
    return [issue.rule for issue in outcome.issues]


def preload(engine: Engine, months: Iterable[int]) -> None:
    """Load good months straight away (their validation is not what a test is about)."""
    assert {o.status for o in load_workbooks(engine, [staged(month_file(m)) for m in months])} == {"loaded"}
