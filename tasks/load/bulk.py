"""Loading the new months of many clean files together, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select

from tasks.core.calendar import now_utc
from tasks.core.hierarchy import leaf_accounts
from tasks.core.staging import (
    FACT_VALUES,
    RealizationWorkbook,
)
from tasks.load.batches import LoadResult, budget_lock, realization_lock
from tasks.load.budgets import refresh_budgets
from tasks.load.realization import account_frame, source_frame
from tasks.load.writes import ensure_budget_items, ensure_opds, ensure_periods, insert_facts
from warehouse.db import write_transaction
from warehouse.models import (
    FactRealization,
    FactRealizationAccount,
    FactRealizationSource,
    LoadBatch,
)


def load_new_months(
    engine: Engine, workbooks: Sequence[RealizationWorkbook], loaded_by: str = ""
) -> tuple[list[LoadResult], list[RealizationWorkbook]]:
    """Load, together in one write transaction, the workbooks of months not loaded yet.

    The common monthly case (every agency's first file for the month) needs no revision history, so
    all its rows can go in with one bulk insert per table. Returns the results and the workbooks left
    for :func:`load_realization` one by one: months already loaded (unchanged files, corrections) and
    files giving only one of the two realization columns. Nothing is written if anything fails.
    """
    eligible = [
        wb
        for wb in workbooks
        if wb.lines["realisasi_bulan_ini_rp"].notna().all()
        and wb.lines["realisasi_sd_bulan_ini_rp"].notna().all()
    ]
    eligible_ids = {id(wb) for wb in eligible}
    later = [wb for wb in workbooks if id(wb) not in eligible_ids]
    if not eligible:
        return [], later
    # the months written, and the years whose budget refresh_budgets rewrites (one per OPD-year)
    keys = sorted(
        {realization_lock(wb.opd_code, wb.year, wb.month) for wb in eligible}
        | {budget_lock(wb.opd_code, wb.year) for wb in eligible}
    )
    who = loaded_by
    with write_transaction(engine, keys[0], extra_lock_keys=keys[1:]) as conn:
        current = set(
            conn.execute(
                select(LoadBatch.opd_code, LoadBatch.year, LoadBatch.month).where(
                    LoadBatch.kind == "realization",
                    LoadBatch.status == "loaded",
                    LoadBatch.opd_code.in_({wb.opd_code for wb in eligible}),
                    LoadBatch.year.in_({wb.year for wb in eligible}),
                )
            ).all()
        )
        fresh, seen = [], set()
        for wb in eligible:
            period = (wb.opd_code, wb.year, wb.month)
            if period in current or period in seen:
                later.append(wb)
            else:
                fresh.append(wb)
                seen.add(period)
        if not fresh:
            return [], later
        names: dict[str, str] = {}
        governments: dict[str, str] = {}
        for wb in fresh:  # the first name given for an OPD
            names[wb.opd_code] = names.get(wb.opd_code) or wb.opd_name
        for wb in sorted(fresh, key=lambda wb: (wb.year, wb.month)):  # the latest month's line wins
            if wb.government:
                governments[wb.opd_code] = wb.government
        opd_ids = ensure_opds(conn, names, governments)
        period_ids = ensure_periods(conn, {(wb.year, wb.month) for wb in fresh})
        all_lines = pd.concat([wb.lines for wb in fresh], ignore_index=True)
        item_ids = ensure_budget_items(conn, all_lines)
        now = now_utc()
        batch_rows = [
            {
                "file_name": wb.name,
                "sha256": wb.sha256,
                "kind": "realization",
                "opd_code": wb.opd_code,
                "year": wb.year,
                "month": wb.month,
                "rows": int((wb.lines["level"] == "sub_kegiatan").sum()),
                "loaded_at": now,
                "status": "loaded",
                "message": "",
                "loaded_by": who[:100],
            }
            for wb in fresh
        ]
        batch_ids = (
            conn.execute(insert(LoadBatch).returning(LoadBatch.id, sort_by_parameter_order=True), batch_rows)
            .scalars()
            .all()
        )
        keys = pd.DataFrame(
            {
                "opd_id": [opd_ids[wb.opd_code] for wb in fresh],
                "period_id": [period_ids[(wb.year, wb.month)] for wb in fresh],
                "batch_id": list(batch_ids),
            }
        )
        file_of_line = np.repeat(np.arange(len(fresh)), [len(wb.lines) for wb in fresh])
        subs = all_lines["level"].to_numpy() == "sub_kegiatan"
        facts = all_lines.loc[subs, list(FACT_VALUES)].assign(
            budget_item_id=[item_ids[code] for code in all_lines.loc[subs, "kode"]],
            **{name: keys[name].to_numpy()[file_of_line[subs]] for name in keys.columns},
        )
        insert_facts(conn, FactRealization.__table__, facts)
        leaf = leaf_accounts(all_lines, groups=file_of_line).to_numpy()
        if leaf.any():
            accounts = account_frame(all_lines.loc[leaf], item_ids).assign(
                **{name: keys[name].to_numpy()[file_of_line[leaf]] for name in keys.columns}
            )
            insert_facts(conn, FactRealizationAccount.__table__, accounts)
        sourced = [(n, wb) for n, wb in enumerate(fresh) if wb.sources is not None and not wb.sources.empty]
        if sourced:
            sources = pd.concat(
                [
                    source_frame(wb.sources, item_ids).assign(
                        **{name: keys[name].iloc[n] for name in keys.columns}
                    )
                    for n, wb in sourced
                ],
                ignore_index=True,
            )
            insert_facts(conn, FactRealizationSource.__table__, sources)
        for year in sorted({wb.year for wb in fresh}):
            refresh_budgets(conn, sorted({opd_ids[wb.opd_code] for wb in fresh if wb.year == year}), year)
    results = [
        LoadResult(
            wb.name,
            "realization",
            "loaded",
            row["rows"],
            wb.opd_code,
            wb.year,
            wb.month,
            batch_id,
            wb.path,
            wb.part,
        )
        for wb, row, batch_id in zip(fresh, batch_rows, batch_ids, strict=True)
    ]
    return results, later
