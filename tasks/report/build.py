"""Building the LKjIP tables of a year from the warehouse: the registered tables, computed from one
set of inputs per OPD (see :class:`tasks.report.model.TableInputs`).

``build_tables`` serves one OPD (as of a moment, when asked); ``build_all_tables`` every OPD of the
year, the budget lines of all of them from one query and one vectorized roll-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from tasks.report.inputs import budget_lines, indicator_rows, roll_up_frame
from tasks.report.model import TableInputs
from tasks.report.tables import REGISTRY
from warehouse.queries import latest_budget_rows, list_opds, opds_with_indicators, report_scope


def compute_tables(inputs: TableInputs) -> dict[str, pd.DataFrame]:
    """Every registered table the inputs give, keyed by table id, in document order."""
    tables: dict[str, pd.DataFrame] = {}
    for table in REGISTRY:
        if table.compute is None:
            continue
        frame = table.compute(inputs)
        if frame is not None:
            tables[table.table_id] = frame
    return tables


def build_tables(
    engine: Engine,
    opd_code: str,
    year: int,
    capaian_scale: Sequence[tuple[float, str]],
    efficiency_threshold_pct: float,
    as_of: datetime | None = None,
) -> dict[str, pd.DataFrame]:
    """Every LKjIP table the warehouse supports for the OPD and year (as of a moment), keyed by table id."""
    scope = report_scope(engine, opd_code, year, as_of)
    indicators = indicator_rows(engine, opd_code, year, as_of)
    inputs = TableInputs(
        indicators=None if indicators.empty else indicators,
        budget=budget_lines(engine, scope),
        capaian_scale=tuple(capaian_scale),
        efficiency_threshold_pct=efficiency_threshold_pct,
    )
    return compute_tables(inputs)


def build_all_tables(
    engine: Engine, year: int, capaian_scale: Sequence[tuple[float, str]], efficiency_threshold_pct: float
) -> dict[str, dict[str, pd.DataFrame]]:
    """The LKjIP tables of every OPD with data for the year, keyed by OPD code then table id.

    The budget lines of all OPDs come from one query and one vectorized roll-up (each OPD at its
    latest month); indicator tables are built per OPD that has an indicator workbook.
    """
    subs, names = latest_budget_rows(engine, year)
    budgets: dict[str, pd.DataFrame] = {}
    if not subs.empty:
        rolled = roll_up_frame(subs, ["anggaran", "realisasi"], names, by=["opd_code"])
        for opd_code, lines in rolled.groupby("opd_code", sort=False):
            budgets[opd_code] = lines.drop(columns="opd_code").reset_index(drop=True)
    with_indicators = opds_with_indicators(engine, year)
    tables: dict[str, dict[str, pd.DataFrame]] = {}
    for opd_code in list_opds(engine, year):
        indicators = indicator_rows(engine, opd_code, year) if opd_code in with_indicators else None
        inputs = TableInputs(
            indicators=None if indicators is None or indicators.empty else indicators,
            budget=budgets.get(opd_code),
            capaian_scale=tuple(capaian_scale),
            efficiency_threshold_pct=efficiency_threshold_pct,
        )
        tables[opd_code] = compute_tables(inputs)
    return tables
