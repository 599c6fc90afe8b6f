"""Loading staged workbooks into the warehouse: one file, one transaction, idempotent.

A monthly workbook replaces its partition (OPD × month) in one write transaction holding that
partition's lock: the rows it replaces move to the history table, a revision records who replaced
which file and every amount that changed, then the new rows go in. The same file offered twice
changes nothing. An indicator workbook adds a new version of the OPD-year's indicators; older
versions stay, for reports "as of" a date. A rejected file is recorded as a batch with status
``rejected`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from tasks.core.calendar import now_utc
from tasks.core.hierarchy import leaf_accounts
from tasks.core.issues import InputError, InputIssue
from tasks.core.staging import (
    FACT_VALUES,
    RealizationWorkbook,
)
from tasks.load.batches import (
    LoadResult,
    budget_lock,
    current_batch,
    realization_lock,
    record_batch,
)
from tasks.load.budgets import refresh_budget
from tasks.load.revisions import keep_superseded
from tasks.load.writes import ensure_budget_items, ensure_opd, ensure_period, records_for_insert
from warehouse.db import write_transaction
from warehouse.models import (
    FactRealization,
    FactRealizationAccount,
    FactRealizationSource,
    LoadBatch,
    Period,
)

#: The amounts of a sub kegiatan's row per funding source (``RealizationWorkbook.sources``).
SOURCE_AMOUNTS = (
    "anggaran_rp",
    "anggaran_kas_sd_bulan_ini_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
)


def _rows_of_month_before(conn: Connection, table, columns: list, opd_id: int, year: int, month: int) -> list:
    """``columns`` of the OPD's rows in ``table`` (a monthly fact table) for the month before ``month``."""
    return conn.execute(
        select(*columns)
        .join(Period, Period.id == table.period_id)
        .where(table.opd_id == opd_id, Period.year == year, Period.month == month - 1)
    ).all()


def _previous_cumulative(conn: Connection, opd_id: int, year: int, month: int) -> dict[int, float] | None:
    """Realization to date of the previous month per budget item id; None when that month is not loaded."""
    if month == 1:
        return {}
    columns = [FactRealization.budget_item_id, FactRealization.realisasi_sd_bulan_ini_rp]
    rows = _rows_of_month_before(conn, FactRealization, columns, opd_id, year, month)
    return {int(item): float(value) for item, value in rows} if rows else None


def _derive_realization(
    frame: pd.DataFrame, month_given: bool, todate_given: bool, before: Callable[[], pd.Series]
) -> None:
    """Fill the realization column ``frame`` lacks (this month's, or to date) from the realization to
    date of the month before, ``before()``, asked for only when one column is missing."""
    if month_given == todate_given:
        return
    earlier = before()
    if todate_given:
        frame["realisasi_bulan_ini_rp"] = frame["realisasi_sd_bulan_ini_rp"] - earlier
    else:
        frame["realisasi_sd_bulan_ini_rp"] = earlier + frame["realisasi_bulan_ini_rp"]


def load_realization(engine: Engine, wb: RealizationWorkbook, loaded_by: str = "") -> LoadResult:
    """Load one monthly realization workbook as one transaction, replacing its OPD-month partition."""
    month_lock = realization_lock(wb.opd_code, wb.year, wb.month)
    with write_transaction(engine, month_lock, [budget_lock(wb.opd_code, wb.year)]) as conn:
        current = current_batch(conn, "realization", wb.opd_code, wb.year, wb.month)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.name,
                "realization",
                "unchanged",
                current.rows,
                wb.opd_code,
                wb.year,
                wb.month,
                current.id,
                wb.path,
                wb.part,
            )
        opd_id = ensure_opd(conn, wb.opd_code, wb.opd_name, wb.government)
        period_id = ensure_period(conn, wb.year, wb.month)
        item_ids = ensure_budget_items(conn, wb.lines)
        facts = _realization_rows(conn, wb, opd_id, item_ids)
        now = now_utc()
        who = loaded_by
        if current is not None:
            conn.execute(
                update(LoadBatch)
                .where(LoadBatch.id == current.id)
                .values(status="replaced", superseded_at=now)
            )
        batch_id = record_batch(
            conn,
            file_name=wb.name,
            sha256=wb.sha256,
            kind="realization",
            opd_code=wb.opd_code,
            year=wb.year,
            month=wb.month,
            rows=len(facts),
            status="loaded",
            loaded_by=who,
        )
        common = {"opd_id": opd_id, "period_id": period_id, "batch_id": batch_id}
        new_rows = [{**common, **row} for row in facts]
        if current is not None:
            keep_superseded(conn, opd_id, period_id, new_rows, current, wb, batch_id, who, now)
        for table in (FactRealizationSource, FactRealizationAccount, FactRealization):
            conn.execute(delete(table).where(table.opd_id == opd_id, table.period_id == period_id))
        conn.execute(insert(FactRealization), new_rows)
        accounts = _account_rows(conn, wb, opd_id, item_ids)
        if accounts:
            conn.execute(insert(FactRealizationAccount), [{**common, **row} for row in accounts])
        if wb.sources is not None and not wb.sources.empty:
            sources = _source_rows(conn, wb, opd_id, item_ids)
            conn.execute(insert(FactRealizationSource), [{**common, **row} for row in sources])
        refresh_budget(conn, opd_id, wb.year)
    return LoadResult(
        wb.name,
        "realization",
        "loaded",
        len(facts),
        wb.opd_code,
        wb.year,
        wb.month,
        batch_id,
        wb.path,
        wb.part,
    )


def _realization_rows(
    conn: Connection, wb: RealizationWorkbook, opd_id: int, item_ids: dict[str, int]
) -> list[dict[str, object]]:
    """Sub kegiatan fact rows, deriving the month or to-date realization when the file gives only one."""
    subs = wb.lines[wb.lines["level"] == "sub_kegiatan"].copy()
    subs["budget_item_id"] = subs["kode"].map(item_ids)

    def before() -> pd.Series:
        previous = _previous_cumulative(conn, opd_id, wb.year, wb.month)
        if previous is None:
            raise InputError(
                [
                    InputIssue(
                        file=wb.name,
                        sheet=wb.sheet,
                        rule="period.previous_missing",
                        params={"year": wb.year, "month": wb.month - 1},
                    )
                ]
            )
        return subs["budget_item_id"].map(previous).fillna(0.0)

    _derive_realization(
        subs,
        subs["realisasi_bulan_ini_rp"].notna().all(),
        subs["realisasi_sd_bulan_ini_rp"].notna().all(),
        before,
    )
    columns = ["budget_item_id", *FACT_VALUES]
    return records_for_insert(subs[columns].assign(budget_item_id=subs["budget_item_id"].astype(int)))


def account_frame(accounts: pd.DataFrame, item_ids: dict[str, int]) -> pd.DataFrame:
    """Expenditure-account fact rows of the given leaf account lines."""
    amounts = ["anggaran_rp", "realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"]
    frame = accounts[["kode", "uraian", "sumber_dana", *amounts]].rename(columns={"kode": "kode_rekening"})
    frame[amounts] = frame[amounts].fillna(0.0)
    # a list, not Series.map: mapping through a dict of every code builds a Series of all of them each time
    return frame.assign(budget_item_id=[item_ids[code] for code in accounts["sub_kegiatan_kode"]])


def _account_rows(
    conn: Connection, wb: RealizationWorkbook, opd_id: int, item_ids: dict[str, int]
) -> list[dict[str, object]]:
    """Expenditure-account fact rows as dicts (empty when the workbook has none), deriving the month or
    to-date realization from the account's row of the month before when the file gives only one
    (an account the month before did not have had spent nothing)."""
    accounts = wb.lines[leaf_accounts(wb.lines)]
    frame = account_frame(accounts, item_ids)
    if frame.empty:
        return []
    _derive_realization(  # asked of the lines: the frame has its missing amounts as 0
        frame,
        accounts["realisasi_bulan_ini_rp"].notna().all(),
        accounts["realisasi_sd_bulan_ini_rp"].notna().all(),
        lambda: _previous_account_todate(conn, opd_id, wb.year, wb.month, frame),
    )
    return records_for_insert(frame)


def _previous_account_todate(
    conn: Connection, opd_id: int, year: int, month: int, frame: pd.DataFrame
) -> pd.Series:
    """Each account row's realization to date in the month before (0 in January or when it had none)."""
    if month == 1:
        return pd.Series(0.0, index=frame.index)
    columns = [
        FactRealizationAccount.budget_item_id,
        FactRealizationAccount.kode_rekening,
        FactRealizationAccount.realisasi_sd_bulan_ini_rp,
    ]
    rows = _rows_of_month_before(conn, FactRealizationAccount, columns, opd_id, year, month)
    known = {(int(item), code): float(value) for item, code, value in rows}
    keys = zip(frame["budget_item_id"], frame["kode_rekening"], strict=True)
    return pd.Series([known.get((int(item), code), 0.0) for item, code in keys], index=frame.index)


def source_frame(
    sources: pd.DataFrame,
    item_ids: dict[str, int],
    previous: pd.DataFrame | None = None,
    previous_subs: dict[int, float] | None = None,
) -> pd.DataFrame:
    """Fact rows per sub kegiatan and funding source from a month's ``sources`` (``SOURCE_COLUMNS``).

    When the month gives only one realization column, the other is derived from the previous month's
    realization to date: the source's own row of that month (``previous``: budget_item_id,
    sumber_dana, realisasi_sd_bulan_ini_rp); a source the sub kegiatan did not have then had spent
    nothing; a sub kegiatan with no source rows that month (a workbook without sections) has its
    realization to date (``previous_subs``) shared among its sources by their budget.
    """
    frame = sources[["sub_kegiatan_kode", "sumber_dana", *SOURCE_AMOUNTS]].copy()
    frame["budget_item_id"] = [item_ids[code] for code in frame["sub_kegiatan_kode"]]
    frame = frame.drop(columns="sub_kegiatan_kode")
    _derive_realization(
        frame,
        frame["realisasi_bulan_ini_rp"].notna().all(),
        frame["realisasi_sd_bulan_ini_rp"].notna().all(),
        lambda: _previous_by_source(frame, previous, previous_subs or {}),
    )
    for name in ("anggaran_rp", "realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"):
        frame[name] = frame[name].fillna(0.0)
    return frame


def _previous_by_source(
    frame: pd.DataFrame, previous: pd.DataFrame | None, previous_subs: dict[int, float]
) -> pd.Series:
    """Each source row's realization to date of the previous month (see :func:`source_frame`)."""
    previous = previous if previous is not None else pd.DataFrame(columns=["budget_item_id", "sumber_dana"])
    own = dict(
        zip(
            zip(previous["budget_item_id"].astype(int), previous["sumber_dana"], strict=True),
            previous.get("realisasi_sd_bulan_ini_rp", pd.Series(dtype="float64")).astype("float64"),
            strict=True,
        )
    )
    items_with_sources = set(previous["budget_item_id"].astype(int))
    budget = frame["anggaran_rp"].astype("float64").fillna(0.0)
    item_budget = budget.groupby(frame["budget_item_id"]).transform("sum")
    item_count = frame.groupby("budget_item_id")["sumber_dana"].transform("count")
    values = []
    for item, source, share_budget, whole, count in zip(
        frame["budget_item_id"], frame["sumber_dana"], budget, item_budget, item_count, strict=True
    ):
        if item in items_with_sources:
            values.append(own.get((item, source), 0.0))
            continue
        share = share_budget / whole if whole else 1.0 / count
        values.append(previous_subs.get(item, 0.0) * share)
    return pd.Series(values, index=frame.index, dtype="float64")


def _previous_sources(conn: Connection, opd_id: int, year: int, month: int) -> pd.DataFrame:
    """The previous month's rows per sub kegiatan and source (empty in January or when it has none)."""
    if month == 1:
        return pd.DataFrame(columns=["budget_item_id", "sumber_dana", "realisasi_sd_bulan_ini_rp"])
    columns = [
        FactRealizationSource.budget_item_id,
        FactRealizationSource.sumber_dana,
        FactRealizationSource.realisasi_sd_bulan_ini_rp,
    ]
    rows = _rows_of_month_before(conn, FactRealizationSource, columns, opd_id, year, month)
    return pd.DataFrame(rows, columns=["budget_item_id", "sumber_dana", "realisasi_sd_bulan_ini_rp"])


def _source_rows(
    conn: Connection, wb: RealizationWorkbook, opd_id: int, item_ids: dict[str, int]
) -> list[dict[str, object]]:
    """Fact rows per sub kegiatan and funding source, deriving a realization column the file lacks."""
    sources = wb.sources
    complete = (
        sources["realisasi_bulan_ini_rp"].notna().all() and sources["realisasi_sd_bulan_ini_rp"].notna().all()
    )
    if complete:
        return records_for_insert(source_frame(sources, item_ids))
    previous = _previous_sources(conn, opd_id, wb.year, wb.month)
    previous_subs = _previous_cumulative(conn, opd_id, wb.year, wb.month) or {}
    return records_for_insert(source_frame(sources, item_ids, previous, previous_subs))
