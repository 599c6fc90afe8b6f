"""Building the LKjIP tables of a year from the warehouse: the registered tables, computed from one
set of inputs per OPD (see :class:`tasks.report.model.TableInputs`).

``build_tables`` serves one OPD (as of a moment, when asked); ``build_all_tables`` every OPD of the
year, the budget lines of all of them from one query and one vectorized roll-up.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from tasks.report.inputs import (
    BUDGET_VALUES,
    FISIK_WEIGHTS,
    budget_lines,
    fisik_weights,
    indicator_rows,
    roll_up_frame,
    with_fisik,
)
from tasks.report.model import TableInputs
from tasks.report.tables import CHAPTER_TABLE_IDS, REGISTRY
from warehouse.queries import (
    funding_rows,
    latest_budget_rows,
    list_opds,
    opds_with_indicators,
    report_scope,
)


def compute_tables(inputs: TableInputs, skip: Collection[str] = ()) -> dict[str, pd.DataFrame]:
    """Every registered table the inputs give (but those in ``skip``), by table id, in document order."""
    tables: dict[str, pd.DataFrame] = {}
    for table in REGISTRY:
        if table.compute is None or table.table_id in skip:
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
    funding = funding_rows(engine, year, opd_code) if as_of is None and scope.month is not None else None
    inputs = TableInputs(
        indicators=None if indicators.empty else indicators,
        budget=budget_lines(engine, scope),
        capaian_scale=tuple(capaian_scale),
        efficiency_threshold_pct=efficiency_threshold_pct,
        funding=None if funding is None or funding.empty else funding.drop(columns="opd_code"),
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
    scale = tuple(capaian_scale)
    values = [*BUDGET_VALUES, *FISIK_WEIGHTS]
    lines = (
        None if subs.empty else with_fisik(roll_up_frame(fisik_weights(subs), values, names, by=["opd_code"]))
    )
    # the tables of the budget lines (and funding sources) alone, for every OPD at once (the lines
    # keep their opd_code)
    funding = funding_rows(engine, year)
    together = compute_tables(
        TableInputs(None, lines, scale, efficiency_threshold_pct, None if funding.empty else funding)
    )
    per_opd: dict[str, dict[str, pd.DataFrame]] = {}
    for table_id, frame in together.items():
        for opd_code, part in frame.groupby("opd_code", sort=False):
            per_opd.setdefault(opd_code, {})[table_id] = part.drop(columns="opd_code").reset_index(drop=True)
    with_indicators = opds_with_indicators(engine, year)
    tables: dict[str, dict[str, pd.DataFrame]] = {}
    for opd_code in list_opds(engine, year):
        own = per_opd.get(opd_code, {})
        indicators = indicator_rows(engine, opd_code, year) if opd_code in with_indicators else None
        if indicators is not None and not indicators.empty:
            budget = None if lines is None else lines[lines["opd_code"] == opd_code].reset_index(drop=True)
            budget = None if budget is None or budget.empty else budget
            inputs = TableInputs(indicators, budget, scale, efficiency_threshold_pct)
            own = {**own, **compute_tables(inputs, skip=own)}
        tables[opd_code] = {table_id: own[table_id] for table_id in CHAPTER_TABLE_IDS if table_id in own}
    return tables
