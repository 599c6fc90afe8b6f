"""Revisions: a corrected month's old rows kept in the history table, and every amount that changed."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, insert, select

from tasks.core import columns
from tasks.core.staging import RealizationWorkbook
from tasks.load.writes import FACT_COLUMNS, none_if_nan
from warehouse.models import (
    BudgetItem,
    FactRealization,
    FactRealizationHistory,
    Revision,
    RevisionLine,
)

#: The numbers compared between a month's old and new version (the revision's row-level diff): every
#: amount and percentage the warehouse keeps per sub kegiatan and month.
REVISED_FIELDS = tuple(
    column.name for column in columns.stored(columns.FACT_REALIZATION) if column.type in ("amount", "percent")
)


def keep_superseded(
    conn: Connection,
    opd_id: int,
    period_id: int,
    new_rows: list[dict[str, object]],
    current,
    wb: RealizationWorkbook,
    batch_id: int,
    who: str,
    now: datetime,
) -> None:
    """Move the month's rows being replaced to the history table and record the revision with its diff."""
    columns = [getattr(FactRealization, name) for name in FACT_COLUMNS]
    old = select(*columns).where(FactRealization.opd_id == opd_id, FactRealization.period_id == period_id)
    conn.execute(insert(FactRealizationHistory).from_select(list(FACT_COLUMNS), old))
    before = pd.DataFrame(conn.execute(old).mappings().all(), columns=list(FACT_COLUMNS))
    changes = revision_lines(before, pd.DataFrame(new_rows, columns=list(FACT_COLUMNS)))
    codes = dict(conn.execute(select(BudgetItem.id, BudgetItem.code)).all()) if not changes.empty else {}
    revision_id = conn.execute(
        insert(Revision)
        .values(
            opd_code=wb.opd_code,
            year=wb.year,
            month=wb.month,
            old_batch_id=current.id,
            new_batch_id=batch_id,
            old_file=current.file_name,
            new_file=wb.name,
            changed_by=who[:100],
            changed_at=now,
            changed_rows=int(changes["budget_item_id"].nunique()) if not changes.empty else 0,
        )
        .returning(Revision.id)
    ).scalar_one()
    if not changes.empty:
        conn.execute(
            insert(RevisionLine),
            [
                {
                    "revision_id": revision_id,
                    "kode": codes[int(item)],
                    "field": field,
                    "old_value": none_if_nan(old_value),
                    "new_value": none_if_nan(new_value),
                }
                for item, field, old_value, new_value in changes.itertuples(index=False)
            ],
        )


def revision_lines(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Row-level diff of two versions of a month: (budget_item_id, field, old_value, new_value) per change."""
    fields = list(REVISED_FIELDS)
    merged = before[["budget_item_id", *fields]].merge(
        after[["budget_item_id", *fields]], on="budget_item_id", how="outer", suffixes=("_old", "_new")
    )
    parts = []
    for field in fields:
        old_values = merged[f"{field}_old"].astype("float64")
        new_values = merged[f"{field}_new"].astype("float64")
        both_missing = old_values.isna() & new_values.isna()
        changed = ~both_missing & ~((old_values - new_values).abs() <= 0.005)
        if changed.any():
            parts.append(
                pd.DataFrame(
                    {
                        "budget_item_id": merged.loc[changed, "budget_item_id"],
                        "field": field,
                        "old_value": old_values[changed],
                        "new_value": new_values[changed],
                    }
                )
            )
    if not parts:
        return pd.DataFrame(columns=["budget_item_id", "field", "old_value", "new_value"])
    return pd.concat(parts, ignore_index=True).sort_values(["budget_item_id", "field"], ignore_index=True)
