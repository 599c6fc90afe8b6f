"""Loading staged workbooks into the warehouse: one file, one transaction, idempotent.

A monthly workbook replaces its partition (OPD × month) in one write transaction holding that
partition's lock: the rows it replaces move to the history table, a revision records who replaced
which file and every amount that changed, then the new rows go in. The same file offered twice
changes nothing. An indicator workbook adds a new version of the OPD-year's indicators; older
versions stay, for reports "as of" a date. A rejected file is recorded as a batch with status
``rejected`` and nothing else.
"""

from __future__ import annotations

import getpass
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tasks.core.hierarchy import leaf_accounts
from tasks.core.issues import InputError, InputIssue
from tasks.core.metrics import QUARTERS, quarterly_year_value, year_value_aggregation
from tasks.core.staging import IndicatorWorkbook, RealizationWorkbook
from warehouse.db import write_transaction
from warehouse.models import (
    BudgetItem,
    FactBudget,
    FactIndicatorRealization,
    FactIndicatorTarget,
    FactRealization,
    FactRealizationAccount,
    FactRealizationHistory,
    Indicator,
    LoadBatch,
    Opd,
    Period,
    Revision,
    RevisionLine,
)

HIERARCHY_LEVELS = ("urusan", "program", "kegiatan", "sub_kegiatan")
#: Amounts compared between a month's old and new version (the revision's row-level diff).
REVISED_FIELDS = (
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
    "fisik_pct",
)
FACT_COLUMNS = (
    "opd_id",
    "period_id",
    "budget_item_id",
    "batch_id",
    "anggaran_rp",
    "anggaran_murni_rp",
    "realisasi_bulan_ini_rp",
    "realisasi_sd_bulan_ini_rp",
    "anggaran_kas_sd_bulan_ini_rp",
    "fisik_pct",
    "sumber_dana",
)
_PARENT_SEGMENTS = {"urusan": 0, "program": 2, "kegiatan": 3, "sub_kegiatan": 5}
#: Values asked for in one ``IN (...)`` at most (SQLite and PostgreSQL accept more; statements stay small).
_PER_QUERY = 5000


@dataclass(frozen=True)
class LoadResult:
    """What loading one file did."""

    file_name: str
    kind: str
    status: str  # loaded | unchanged | rejected
    rows: int
    opd_code: str = ""
    year: int | None = None
    month: int | None = None
    batch_id: int | None = None
    path: Path | None = None  # the file loaded


def _now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def current_user() -> str:
    """Who is loading: ``SAKIP_USER``, else the account running the process."""
    try:
        return os.environ.get("SAKIP_USER") or getpass.getuser()
    except OSError:
        return ""


def _insert_ignoring_existing(
    conn: Connection, table, rows: list[dict[str, object]], keys: list[str]
) -> None:
    """Insert rows, skipping those whose unique key another transaction inserted meanwhile.

    On PostgreSQL, many rows go in as one statement over ``unnest`` of one array per column: an
    executemany would send a statement per row (100,000 new codes in a province's first month).
    """
    if conn.dialect.name == "postgresql" and len(rows) > 1:
        target = getattr(table, "__table__", table)
        columns = list(rows[0])
        arrays = ", ".join(
            f"%({name})s::{target.c[name].type.compile(dialect=conn.dialect)}[]" for name in columns
        )
        conn.exec_driver_sql(
            f"INSERT INTO {target.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(keys)}) DO NOTHING",
            {name: [row[name] for row in rows] for name in columns},
        )
        return
    dialect_insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    if conn.dialect.name not in ("postgresql", "sqlite"):
        conn.execute(insert(table), rows)
        return
    conn.execute(dialect_insert(table).on_conflict_do_nothing(index_elements=keys), rows)


def _none_if_nan(value: object) -> object:
    """None for NaN, the value otherwise (database NULL for missing numbers)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _ensure_opd(conn: Connection, code: str, name: str) -> int:
    """The id of the OPD with this code, inserted when new."""
    return _ensure_opds(conn, {code: name})[code]


def _ensure_period(conn: Connection, year: int, month: int) -> int:
    """The id of the period (year, month), inserted when new."""
    return _ensure_periods(conn, {(year, month)})[(year, month)]


def _ensure_opds(conn: Connection, names: dict[str, str]) -> dict[str, int]:
    """Ids of the OPDs with these codes (code -> name), inserting the new ones; many at once."""
    codes = sorted(names)
    ids = _ids_by_code(conn, Opd, codes)
    new = [{"code": code, "name": names[code]} for code in codes if code not in ids]
    if new:
        _insert_ignoring_existing(conn, Opd, new, ["code"])
        ids = _ids_by_code(conn, Opd, codes)
    inserted = {row["code"] for row in new}
    unnamed = [code for code in codes if names[code] and code not in inserted]
    if unnamed:  # an OPD first seen without a name gets the name of its first file that has one
        conn.execute(
            update(Opd)
            .where(Opd.code == bindparam("opd_code"), Opd.name == "")
            .values(name=bindparam("opd_name")),
            [{"opd_code": code, "opd_name": names[code]} for code in unnamed],
        )
    return {code: int(ids[code]) for code in codes}


def _ensure_periods(conn: Connection, periods: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Ids of the periods (year, month), inserting the new ones."""
    years = sorted({year for year, _ in periods})

    def known() -> dict[tuple[int, int], int]:
        rows = conn.execute(select(Period.year, Period.month, Period.id).where(Period.year.in_(years))).all()
        return {(int(year), int(month)): int(period_id) for year, month, period_id in rows}

    ids = known()
    new = [{"year": year, "month": month} for year, month in sorted(periods) if (year, month) not in ids]
    if new:
        _insert_ignoring_existing(conn, Period, new, ["year", "month"])
        ids = known()
    return {period: ids[period] for period in periods}


def _ensure_budget_items(conn: Connection, lines: pd.DataFrame) -> dict[str, int]:
    """Ids of the hierarchy codes in ``lines``, inserting the codes the warehouse does not know yet."""
    # sorted: concurrent writers inserting overlapping new codes then lock them in the same order
    items = lines[lines["level"].isin(HIERARCHY_LEVELS)].drop_duplicates("kode").sort_values("kode")
    codes = items["kode"].tolist()
    known = _ids_by_code(conn, BudgetItem, codes)
    new = items[~items["kode"].isin(known)]
    if not new.empty:
        rows = [
            {
                "code": code,
                "level": level,
                "name": name,
                "parent_code": ".".join(code.split(".")[: _PARENT_SEGMENTS[level]]),
            }
            for code, level, name in zip(new["kode"], new["level"], new["uraian"], strict=True)
        ]
        _insert_ignoring_existing(conn, BudgetItem, rows, ["code"])
        known = _ids_by_code(conn, BudgetItem, codes)
    return {str(code): int(item_id) for code, item_id in known.items()}


def _ids_by_code(conn: Connection, model: type[Opd] | type[BudgetItem], codes: list[str]) -> dict[str, int]:
    """Ids of the known rows of ``model`` (OPDs or hierarchy codes) among ``codes``.

    A few codes are asked for by value; for a province's batch (tens of thousands of codes, more than
    one statement should carry) reading the code column whole is cheaper.
    """
    if len(codes) > _PER_QUERY:
        wanted = set(codes)
        return {code: row_id for code, row_id in conn.execute(select(model.code, model.id)) if code in wanted}
    return dict(conn.execute(select(model.code, model.id).where(model.code.in_(codes))).all())


def realization_lock(opd_code: str, year: int, month: int) -> str:
    """Lock key of an OPD-month's realization rows."""
    return f"realization/{opd_code}/{year}/{month}"


def budget_lock(opd_code: str, year: int) -> str:
    """Lock key of an OPD-year's budget facts (rebuilt from all its months by every realization load)."""
    return f"budget/{opd_code}/{year}"


def _current_batch(
    conn: Connection, kind: str, opd_code: str, year: int, month: int | None
) -> LoadBatch | None:
    """The batch currently loaded for a partition, if any."""
    query = select(LoadBatch).where(
        LoadBatch.kind == kind,
        LoadBatch.opd_code == opd_code,
        LoadBatch.year == year,
        LoadBatch.status == "loaded",
    )
    query = (
        query.where(LoadBatch.month == month) if month is not None else query.where(LoadBatch.month.is_(None))
    )
    return conn.execute(query.order_by(LoadBatch.id.desc())).first()


def _previous_cumulative(conn: Connection, opd_id: int, year: int, month: int) -> dict[int, float] | None:
    """Realization to date of the previous month per budget item id; None when that month is not loaded."""
    if month == 1:
        return {}
    rows = conn.execute(
        select(FactRealization.budget_item_id, FactRealization.realisasi_sd_bulan_ini_rp)
        .join(Period, Period.id == FactRealization.period_id)
        .where(FactRealization.opd_id == opd_id, Period.year == year, Period.month == month - 1)
    ).all()
    return {int(item): float(value) for item, value in rows} if rows else None


def _record_batch(
    conn: Connection,
    *,
    file_name: str,
    sha256: str,
    kind: str,
    opd_code: str,
    year: int | None,
    month: int | None,
    rows: int,
    status: str,
    message: str = "",
    loaded_by: str = "",
) -> int:
    """Insert a load-batch record and return its id."""
    return int(
        conn.execute(
            insert(LoadBatch)
            .values(
                file_name=file_name,
                sha256=sha256,
                kind=kind,
                opd_code=opd_code,
                year=year,
                month=month,
                rows=rows,
                loaded_at=_now(),
                status=status,
                message=message[:4000],
                loaded_by=loaded_by[:100],
            )
            .returning(LoadBatch.id)
        ).scalar_one()
    )


def record_rejection(
    engine: Engine,
    *,
    file_name: str,
    sha256: str,
    kind: str,
    issues: list[InputIssue],
    opd_code: str = "",
    year: int | None = None,
    month: int | None = None,
) -> int:
    """Record a rejected file (no data) and return the batch id."""
    message = "\n".join(issue.describe("en") for issue in issues[:50])
    with engine.begin() as conn:
        return _record_batch(
            conn,
            file_name=file_name,
            sha256=sha256,
            kind=kind,
            opd_code=opd_code,
            year=year,
            month=month,
            rows=0,
            status="rejected",
            message=message,
            loaded_by=current_user(),
        )


def load_realization(engine: Engine, wb: RealizationWorkbook, loaded_by: str | None = None) -> LoadResult:
    """Load one monthly realization workbook as one transaction, replacing its OPD-month partition."""
    month_lock = realization_lock(wb.opd_code, wb.year, wb.month)
    with write_transaction(engine, month_lock, [budget_lock(wb.opd_code, wb.year)]) as conn:
        current = _current_batch(conn, "realization", wb.opd_code, wb.year, wb.month)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.path.name,
                "realization",
                "unchanged",
                current.rows,
                wb.opd_code,
                wb.year,
                wb.month,
                current.id,
                wb.path,
            )
        opd_id = _ensure_opd(conn, wb.opd_code, wb.opd_name)
        period_id = _ensure_period(conn, wb.year, wb.month)
        item_ids = _ensure_budget_items(conn, wb.lines)
        facts = _realization_rows(conn, wb, opd_id, item_ids)
        now = _now()
        who = current_user() if loaded_by is None else loaded_by
        if current is not None:
            conn.execute(
                update(LoadBatch)
                .where(LoadBatch.id == current.id)
                .values(status="replaced", superseded_at=now)
            )
        batch_id = _record_batch(
            conn,
            file_name=wb.path.name,
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
            _keep_superseded(conn, opd_id, period_id, new_rows, current, wb, batch_id, who, now)
        for table in (FactRealizationAccount, FactRealization):
            conn.execute(delete(table).where(table.opd_id == opd_id, table.period_id == period_id))
        conn.execute(insert(FactRealization), new_rows)
        accounts = _account_rows(wb, item_ids)
        if accounts:
            conn.execute(insert(FactRealizationAccount), [{**common, **row} for row in accounts])
        refresh_budget(conn, opd_id, wb.year)
    return LoadResult(
        wb.path.name, "realization", "loaded", len(facts), wb.opd_code, wb.year, wb.month, batch_id, wb.path
    )


def _keep_superseded(
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
            new_file=wb.path.name,
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
                    "old_value": _none_if_nan(old_value),
                    "new_value": _none_if_nan(new_value),
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


def _realization_rows(
    conn: Connection, wb: RealizationWorkbook, opd_id: int, item_ids: dict[str, int]
) -> list[dict[str, object]]:
    """Sub kegiatan fact rows, deriving the month or to-date realization when the file gives only one."""
    subs = wb.lines[wb.lines["level"] == "sub_kegiatan"].copy()
    subs["budget_item_id"] = subs["kode"].map(item_ids)
    month_given = subs["realisasi_bulan_ini_rp"].notna().all()
    todate_given = subs["realisasi_sd_bulan_ini_rp"].notna().all()
    if not (month_given and todate_given):
        previous = _previous_cumulative(conn, opd_id, wb.year, wb.month)
        if previous is None:
            raise InputError(
                [
                    InputIssue(
                        file=wb.path.name,
                        sheet=wb.sheet,
                        rule="period.previous_missing",
                        params={"year": wb.year, "month": wb.month - 1},
                    )
                ]
            )
        before = subs["budget_item_id"].map(previous).fillna(0.0)
        if todate_given:
            subs["realisasi_bulan_ini_rp"] = subs["realisasi_sd_bulan_ini_rp"] - before
        else:
            subs["realisasi_sd_bulan_ini_rp"] = before + subs["realisasi_bulan_ini_rp"]
    columns = ["budget_item_id", *FACT_COLUMNS[4:]]
    return records_for_insert(subs[columns].assign(budget_item_id=subs["budget_item_id"].astype(int)))


def insert_facts(conn: Connection, table, frame: pd.DataFrame) -> None:
    """Bulk-insert a frame of rows: ``COPY ... FROM STDIN`` on PostgreSQL, one driver executemany of
    tuples on SQLite (no per-row statement compilation), one SQLAlchemy executemany elsewhere."""
    if frame.empty:
        return
    if conn.dialect.name == "sqlite":
        columns = _columns_for_insert(frame)
        marks = ", ".join("?" * len(columns))
        conn.exec_driver_sql(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",
            list(zip(*columns.values(), strict=True)),
        )
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), records_for_insert(frame))
        return
    columns = _columns_for_insert(frame)
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in zip(*columns.values(), strict=True):
            copy.write_row(row)


def records_for_insert(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts for an executemany, with NaN as None (NULL); column by column, not cell by cell."""
    columns = _columns_for_insert(frame)
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _columns_for_insert(frame: pd.DataFrame) -> dict[str, list[object]]:
    """Each column as a Python list ready for the driver: NaN as None, missing text as ""."""
    columns: dict[str, list[object]] = {}
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values):
            columns[name] = [None if v != v else v for v in values.tolist()]  # NaN is the only v != v
        elif pd.api.types.is_string_dtype(values):
            columns[name] = values.fillna("").tolist()
        else:
            columns[name] = values.tolist()
    return columns


def _account_frame(accounts: pd.DataFrame, item_ids: dict[str, int]) -> pd.DataFrame:
    """Expenditure-account fact rows of the given leaf account lines."""
    amounts = ["anggaran_rp", "realisasi_bulan_ini_rp", "realisasi_sd_bulan_ini_rp"]
    frame = accounts[["kode", "uraian", "sumber_dana", *amounts]].rename(columns={"kode": "kode_rekening"})
    frame[amounts] = frame[amounts].fillna(0.0)
    # a list, not Series.map: mapping through a dict of every code builds a Series of all of them each time
    return frame.assign(budget_item_id=[item_ids[code] for code in accounts["sub_kegiatan_kode"]])


def _account_rows(wb: RealizationWorkbook, item_ids: dict[str, int]) -> list[dict[str, object]]:
    """Expenditure-account fact rows as dicts (empty when the workbook has none)."""
    frame = _account_frame(wb.lines[leaf_accounts(wb.lines)], item_ids)
    return records_for_insert(frame) if not frame.empty else []


def refresh_budget(conn: Connection, opd_id: int, year: int) -> None:
    """Recompute the year's budget facts of one OPD from its loaded months (see :func:`refresh_budgets`)."""
    refresh_budgets(conn, [opd_id], year)


def refresh_budgets(conn: Connection, opd_ids: Sequence[int], year: int) -> None:
    """Recompute the year's budget facts of these OPDs from their loaded months, in the database.

    Perubahan (revised) is the budget of the latest loaded month; murni (original) is the original-budget
    column of the latest month that has one, else the budget of the earliest loaded month.
    """
    ids = sorted(set(opd_ids))
    for start in range(0, len(ids), _PER_QUERY):
        part = ids[start : start + _PER_QUERY]
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


def load_indicators(engine: Engine, wb: IndicatorWorkbook, loaded_by: str | None = None) -> LoadResult:
    """Load one indicator workbook as one transaction: a new current version of the OPD-year's indicators."""
    with write_transaction(engine, f"indicator/{wb.opd_code}/{wb.year}") as conn:
        current = _current_batch(conn, "indicator", wb.opd_code, wb.year, None)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.path.name, "indicator", "unchanged", current.rows, wb.opd_code, wb.year, None, current.id
            )
        opd_id = _ensure_opd(conn, wb.opd_code, wb.opd_name)
        if current is not None:
            conn.execute(
                update(LoadBatch)
                .where(LoadBatch.id == current.id)
                .values(status="replaced", superseded_at=_now())
            )
        batch_id = _record_batch(
            conn,
            file_name=wb.path.name,
            sha256=wb.sha256,
            kind="indicator",
            opd_code=wb.opd_code,
            year=wb.year,
            month=None,
            rows=len(wb.indicators),
            status="loaded",
            loaded_by=current_user() if loaded_by is None else loaded_by,
        )
        _insert_indicators(conn, wb, opd_id, batch_id)
    return LoadResult(
        wb.path.name, "indicator", "loaded", len(wb.indicators), wb.opd_code, wb.year, None, batch_id
    )


def _insert_indicators(conn: Connection, wb: IndicatorWorkbook, opd_id: int, batch_id: int) -> None:
    """Insert indicator rows with their targets (this year and Renstra years) and realizations."""
    renstra = wb.renstra
    baseline: dict[tuple[str, str], float] = {}
    if not renstra.empty:
        baseline = renstra.drop_duplicates(["jenis", "no"]).set_index(["jenis", "no"])["data_awal"].to_dict()
    targets: list[dict[str, object]] = []
    realizations: list[dict[str, object]] = []
    indicators = wb.indicators.assign(aggregation=year_value_aggregation(wb.indicators))
    implied = quarterly_year_value(indicators, QUARTERS, "aggregation")
    indicators["year_value"] = indicators["realisasi"].where(indicators["realisasi"].notna(), implied)
    for _, row in indicators.iterrows():
        indicator_id = conn.execute(
            insert(Indicator)
            .values(
                opd_id=opd_id,
                year=wb.year,
                jenis=row["jenis"],
                no=row["no"],
                uraian=row["uraian"],
                indikator=row["indikator"],
                satuan=row["satuan"],
                arah=row["arah"],
                rumus_capaian=row["rumus_capaian"] or "standar",
                kode_program=row["kode_program"],
                data_awal=_none_if_nan(baseline.get((row["jenis"], row["no"]), math.nan)),
                target_akhir_renstra=_none_if_nan(row["target_akhir_renstra"]),
                batch_id=batch_id,
            )
            .returning(Indicator.id)
        ).scalar_one()
        years = {wb.year: row["target"]}
        if not renstra.empty:
            own = renstra[(renstra["jenis"] == row["jenis"]) & (renstra["no"] == row["no"])]
            for tahun, target in zip(own["tahun"], own["target"], strict=True):
                if not pd.isna(target) and int(tahun) != wb.year:
                    years[int(tahun)] = target
        targets += [
            {"indicator_id": indicator_id, "tahun": t, "target": float(v)}
            for t, v in years.items()
            if not pd.isna(v)
        ]
        values = {(wb.year, 0): row["year_value"], (wb.year - 1, 0): row["realisasi_tahun_lalu"]}
        values.update({(wb.year, q): row[f"tw{q}"] for q in range(1, 5)})
        realizations += [
            {"indicator_id": indicator_id, "tahun": t, "triwulan": q, "realisasi": float(v)}
            for (t, q), v in values.items()
            if not pd.isna(v)
        ]
    if targets:
        conn.execute(insert(FactIndicatorTarget), targets)
    if realizations:
        conn.execute(insert(FactIndicatorRealization), realizations)


def list_revisions(
    engine: Engine,
    *,
    opd_code: str | None = None,
    year: int | None = None,
    month: int | None = None,
    detail: bool = False,
) -> pd.DataFrame:
    """The corrections, newest first: one row per revision, or per changed amount with ``detail``."""
    columns = [
        Revision.changed_at,
        Revision.opd_code,
        Revision.year,
        Revision.month,
        Revision.old_file,
        Revision.new_file,
        Revision.changed_by,
        Revision.changed_rows,
    ]
    query = select(*columns)
    if detail:
        query = select(
            *columns[:7],
            RevisionLine.kode,
            RevisionLine.field,
            RevisionLine.old_value,
            RevisionLine.new_value,
        ).join(RevisionLine, RevisionLine.revision_id == Revision.id)
    for column, value in ((Revision.opd_code, opd_code), (Revision.year, year), (Revision.month, month)):
        if value is not None:
            query = query.where(column == value)
    with engine.connect() as conn:
        return pd.read_sql(query.order_by(Revision.changed_at.desc(), Revision.id.desc()), conn)


def load_new_months(
    engine: Engine, workbooks: Sequence[RealizationWorkbook], loaded_by: str | None = None
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
    who = current_user() if loaded_by is None else loaded_by
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
        for wb in fresh:  # the first name given for an OPD
            names[wb.opd_code] = names.get(wb.opd_code) or wb.opd_name
        opd_ids = _ensure_opds(conn, names)
        period_ids = _ensure_periods(conn, {(wb.year, wb.month) for wb in fresh})
        all_lines = pd.concat([wb.lines for wb in fresh], ignore_index=True)
        item_ids = _ensure_budget_items(conn, all_lines)
        now = _now()
        batch_rows = [
            {
                "file_name": wb.path.name,
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
        facts = all_lines.loc[subs, list(FACT_COLUMNS[4:])].assign(
            budget_item_id=[item_ids[code] for code in all_lines.loc[subs, "kode"]],
            **{name: keys[name].to_numpy()[file_of_line[subs]] for name in keys.columns},
        )
        insert_facts(conn, FactRealization.__table__, facts)
        leaf = leaf_accounts(all_lines, groups=file_of_line).to_numpy()
        if leaf.any():
            accounts = _account_frame(all_lines.loc[leaf], item_ids).assign(
                **{name: keys[name].to_numpy()[file_of_line[leaf]] for name in keys.columns}
            )
            insert_facts(conn, FactRealizationAccount.__table__, accounts)
        for year in sorted({wb.year for wb in fresh}):
            refresh_budgets(conn, sorted({opd_ids[wb.opd_code] for wb in fresh if wb.year == year}), year)
    results = [
        LoadResult(
            wb.path.name,
            "realization",
            "loaded",
            row["rows"],
            wb.opd_code,
            wb.year,
            wb.month,
            batch_id,
            wb.path,
        )
        for wb, row, batch_id in zip(fresh, batch_rows, batch_ids, strict=True)
    ]
    return results, later
