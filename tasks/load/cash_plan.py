"""Loading an anggaran kas workbook: the OPD-year's plan per sub kegiatan and month, replaced whole.

The plan is kept in ``fact_cash_plan`` (one row per sub kegiatan and month, ``rencana_rp``); the file
is recorded as a ``LoadBatch`` of kind ``anggaran_kas``. The same file offered again changes nothing;
a new version (sent after a budget change) replaces every row of the OPD-year in one transaction and
marks the batch it replaces ``replaced``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, update

from tasks.core.calendar import now_utc
from tasks.core.columns import CASH_PLAN, CASH_PLAN_MONTHS
from tasks.core.staging import CashPlanWorkbook
from tasks.load.batches import LoadResult, current_batch, record_batch
from tasks.load.writes import ensure_budget_items, ensure_opd, insert_facts
from warehouse.db import write_transaction
from warehouse.models import FactCashPlan, LoadBatch


def cash_plan_lock(opd_code: str, year: int) -> str:
    """Lock key of an OPD-year's plan."""
    return f"{CASH_PLAN}/{opd_code}/{year}"


def load_cash_plan(engine: Engine, wb: CashPlanWorkbook, loaded_by: str = "") -> LoadResult:
    """Load one anggaran kas workbook as one transaction: the OPD-year's plan, replacing the one before."""
    subs = wb.lines[wb.lines["level"] == "sub_kegiatan"]
    with write_transaction(engine, cash_plan_lock(wb.opd_code, wb.year)) as conn:
        current = current_batch(conn, CASH_PLAN, wb.opd_code, wb.year, None)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.path.name, CASH_PLAN, "unchanged", current.rows, wb.opd_code, wb.year, None, current.id,
                path=wb.path,
            )  # fmt: skip
        opd_id = ensure_opd(conn, wb.opd_code, wb.opd_name, wb.government)
        if current is not None:
            conn.execute(
                update(LoadBatch)
                .where(LoadBatch.id == current.id)
                .values(status="replaced", superseded_at=now_utc())
            )
        conn.execute(delete(FactCashPlan).where(FactCashPlan.opd_id == opd_id, FactCashPlan.year == wb.year))
        batch_id = record_batch(
            conn,
            file_name=wb.path.name,
            sha256=wb.sha256,
            kind=CASH_PLAN,
            opd_code=wb.opd_code,
            year=wb.year,
            month=None,
            rows=len(subs),
            status="loaded",
            loaded_by=loaded_by,
        )
        item_ids = ensure_budget_items(conn, wb.lines)
        insert_facts(conn, FactCashPlan.__table__, plan_rows(subs, item_ids, opd_id, wb.year, batch_id))
    return LoadResult(
        wb.path.name, CASH_PLAN, "loaded", len(subs), wb.opd_code, wb.year, None, batch_id, path=wb.path
    )


def plan_rows(
    subs: pd.DataFrame, item_ids: dict[str, int], opd_id: int, year: int, batch_id: int
) -> pd.DataFrame:
    """The fact rows of the sub kegiatan rows ``subs``: one per sub kegiatan and month (long form)."""
    wide = subs.drop_duplicates("kode")
    long = wide.melt(
        id_vars=["kode"], value_vars=list(CASH_PLAN_MONTHS), var_name="field", value_name="rencana_rp"
    )
    return pd.DataFrame(
        {
            "opd_id": opd_id,
            "year": year,
            "budget_item_id": long["kode"].map(item_ids).astype("int64"),
            "month": long["field"]
            .map({name: m for m, name in enumerate(CASH_PLAN_MONTHS, start=1)})
            .astype("int64"),
            "rencana_rp": long["rencana_rp"].fillna(0.0).astype("float64"),
            "batch_id": batch_id,
        }
    )
