"""Writing rows: dimensions (OPD, period, budget item) found or added, fact rows inserted in bulk."""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tasks.core.hierarchy import PARENT_SEGMENTS
from tasks.core.staging import (
    FACT_VALUES,
    HIERARCHY_LEVELS,
)
from warehouse.models import (
    BudgetItem,
    Opd,
    Period,
)

#: Columns of a realization fact row (current or history).
FACT_COLUMNS = ("opd_id", "period_id", "budget_item_id", "batch_id", *FACT_VALUES)
#: Values asked for in one ``IN (...)`` at most (SQLite and PostgreSQL accept more; statements stay small).
PER_QUERY = 5000


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


def none_if_nan(value: object) -> object:
    """None for NaN, the value otherwise (database NULL for missing numbers)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def ensure_opd(conn: Connection, code: str, name: str, government: str = "") -> int:
    """The id of the OPD with this code, inserted when new; a non-empty ``government`` line is kept."""
    return ensure_opds(conn, {code: name}, {code: government} if government else None)[code]


def ensure_period(conn: Connection, year: int, month: int) -> int:
    """The id of the period (year, month), inserted when new."""
    return ensure_periods(conn, {(year, month)})[(year, month)]


def ensure_opds(
    conn: Connection, names: dict[str, str], governments: dict[str, str] | None = None
) -> dict[str, int]:
    """Ids of the OPDs with these codes (code -> name), inserting the new ones; many at once.

    ``governments`` (code -> the government's line of the file being loaded) replaces the line kept
    for an OPD: the latest non-empty line wins, an empty one changes nothing.
    """
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
    governed = sorted(code for code, line in (governments or {}).items() if line and code in ids)
    if governed:
        conn.execute(
            update(Opd)
            .where(Opd.code == bindparam("opd_code"), Opd.government != bindparam("line"))
            .values(government=bindparam("line")),
            [{"opd_code": code, "line": governments[code]} for code in governed],
        )
    return {code: int(ids[code]) for code in codes}


def ensure_periods(conn: Connection, periods: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
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


def ensure_budget_items(conn: Connection, lines: pd.DataFrame) -> dict[str, int]:
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
                "parent_code": ".".join(code.split(".")[: PARENT_SEGMENTS[level]]),
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
    if len(codes) > PER_QUERY:
        wanted = set(codes)
        return {code: row_id for code, row_id in conn.execute(select(model.code, model.id)) if code in wanted}
    return dict(conn.execute(select(model.code, model.id).where(model.code.in_(codes))).all())


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
