"""The yearly budget of an OPD (``fact_budget``), rebuilt from every loaded month of the year."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, literal, select

from tasks.load.writes import PER_QUERY
from warehouse.models import (
    FactBudget,
    FactRealization,
    Period,
)


def refresh_budget(conn: Connection, opd_id: int, year: int) -> None:
    """Recompute the year's budget facts of one OPD from its loaded months (see :func:`refresh_budgets`)."""
    refresh_budgets(conn, [opd_id], year)


def refresh_budgets(conn: Connection, opd_ids: Sequence[int], year: int) -> None:
    """Recompute the year's budget facts of these OPDs from their loaded months, in the database.

    Perubahan (revised) is the budget of the latest loaded month; murni (original) is the original-budget
    column of the latest month that has one, else the budget of the earliest loaded month.
    """
    ids = sorted(set(opd_ids))
    for start in range(0, len(ids), PER_QUERY):
        part = ids[start : start + PER_QUERY]
        conn.execute(delete(FactBudget).where(FactBudget.opd_id.in_(part), FactBudget.year == year))
        by_item = (FactRealization.opd_id, FactRealization.budget_item_id)
        months = (
            select(
                FactRealization.opd_id,
                FactRealization.budget_item_id,
                Period.month,
                FactRealization.anggaran_rp,
                func.row_number()
                .over(partition_by=by_item, order_by=Period.month.desc())
                .label("newest_first"),
                func.first_value(FactRealization.anggaran_rp)
                .over(partition_by=by_item, order_by=Period.month)
                .label("earliest_anggaran"),
                func.first_value(FactRealization.anggaran_murni_rp)
                .over(
                    partition_by=by_item,
                    order_by=(FactRealization.anggaran_murni_rp.is_(None), Period.month.desc()),
                )
                .label("latest_murni"),
            )
            .join(Period, Period.id == FactRealization.period_id)
            .where(FactRealization.opd_id.in_(part), Period.year == year)
            .subquery()
        )
        conn.execute(
            insert(FactBudget).from_select(
                [
                    "opd_id",
                    "year",
                    "budget_item_id",
                    "anggaran_murni_rp",
                    "anggaran_perubahan_rp",
                    "as_of_month",
                ],
                select(
                    months.c.opd_id,
                    literal(year),
                    months.c.budget_item_id,
                    func.coalesce(months.c.latest_murni, months.c.earliest_anggaran),
                    months.c.anggaran_rp,
                    months.c.month,
                ).where(months.c.newest_first == 1),
            )
        )
