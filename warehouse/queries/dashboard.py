"""What the Kadis sees: an agency's year month by month, every agency's figures for one month, the
names the uploaded files were sent under.

The plan to date (anggaran kas) of a sub kegiatan is the month's own ``Anggaran Kas s.d. Bulan Ini``,
or, where the month's workbook had none, the sum of the OPD-year's anggaran kas workbook up to the
month: the same rule as the monthly monitoring (``tasks.operations.monitoring.with_cash_plan``).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from warehouse.models import FactCashPlan, FactRealization, LoadBatch, Opd, Period, WebUploadFile


def plan_to_date():
    """Per fact row: its own plan to date, else the anggaran kas workbook's months up to its month."""
    planned = (
        select(func.sum(FactCashPlan.rencana_rp))
        .where(
            FactCashPlan.opd_id == FactRealization.opd_id,
            FactCashPlan.budget_item_id == FactRealization.budget_item_id,
            FactCashPlan.year == Period.year,
            FactCashPlan.month <= Period.month,
        )
        .correlate(FactRealization, Period)
        .scalar_subquery()
    )
    return func.coalesce(FactRealization.anggaran_kas_sd_bulan_ini_rp, planned)


def month_figures(engine: Engine, year: int, month: int) -> pd.DataFrame:
    """Every agency with facts for the month, in one query: ``opd_code``, ``anggaran``, ``realisasi``
    (to date) and ``anggaran_kas`` (plan to date; NaN when neither the workbook nor a plan gave one)."""
    query = (
        select(
            Opd.code.label("opd_code"),
            func.sum(FactRealization.anggaran_rp).label("anggaran"),
            func.sum(FactRealization.realisasi_sd_bulan_ini_rp).label("realisasi"),
            func.sum(plan_to_date()).label("anggaran_kas"),
        )
        .join(FactRealization, FactRealization.opd_id == Opd.id)
        .join(Period, Period.id == FactRealization.period_id)
        .where(Period.year == year, Period.month == month)
        .group_by(Opd.code)
    )
    with engine.connect() as conn:
        table = pd.read_sql(query, conn)
    return table.astype({"anggaran": "float64", "realisasi": "float64", "anggaran_kas": "float64"})


def cash_plan_months(engine: Engine, opd_code: str, year: int) -> dict[int, float]:
    """Month -> the agency's anggaran kas workbook's plan for that month alone (empty without a plan)."""
    query = (
        select(FactCashPlan.month, func.sum(FactCashPlan.rencana_rp))
        .join(Opd, Opd.id == FactCashPlan.opd_id)
        .where(Opd.code == opd_code, FactCashPlan.year == year)
        .group_by(FactCashPlan.month)
    )
    with engine.connect() as conn:
        return {int(month): float(total or 0) for month, total in conn.execute(query).all()}


def month_last_sent_names(engine: Engine, year: int, month: int) -> dict[str, str]:
    """Agency -> the name its month's newest monthly workbook was sent under, for the agencies whose
    newest one came through the web application (one query for every agency)."""
    query = (
        select(LoadBatch.opd_code, WebUploadFile.original_name)
        .outerjoin(WebUploadFile, (WebUploadFile.sha256 == LoadBatch.sha256) & (LoadBatch.sha256 != ""))
        .where(LoadBatch.kind == "realization", LoadBatch.year == year, LoadBatch.month == month)
        .order_by(LoadBatch.loaded_at, LoadBatch.id, WebUploadFile.id)
    )
    last: dict[str, str | None] = {}
    with engine.connect() as conn:
        for code, name in conn.execute(query).all():
            last[code] = name
    return {code: name for code, name in last.items() if name}
