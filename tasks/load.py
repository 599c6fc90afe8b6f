"""Loading staged workbooks into the warehouse: one file, one transaction, idempotent.

A monthly workbook replaces its partition (OPD × month): delete, insert, record the batch. The same
file offered twice changes nothing. A rejected file is recorded as a batch with status ``rejected``
and nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, select, update

from tasks.errors import InputError, InputIssue
from tasks.hierarchy import leaf_accounts
from tasks.staging import IndicatorWorkbook, RealizationWorkbook
from warehouse.models import (
    BudgetItem,
    FactBudget,
    FactIndicatorRealization,
    FactIndicatorTarget,
    FactRealization,
    FactRealizationAccount,
    Indicator,
    LoadBatch,
    Opd,
    Period,
)

HIERARCHY_LEVELS = ("urusan", "program", "kegiatan", "sub_kegiatan")
_PARENT_SEGMENTS = {"urusan": 0, "program": 2, "kegiatan": 3, "sub_kegiatan": 5}


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


def _now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _none_if_nan(value: object) -> object:
    """None for NaN, the value otherwise (database NULL for missing numbers)."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _ensure_opd(conn: Connection, code: str, name: str) -> int:
    """The id of the OPD with this code, inserted when new."""
    opd_id = conn.scalar(select(Opd.id).where(Opd.code == code))
    if opd_id is None:
        opd_id = conn.execute(insert(Opd).values(code=code, name=name).returning(Opd.id)).scalar_one()
    elif name:
        conn.execute(update(Opd).where(Opd.id == opd_id, Opd.name == "").values(name=name))
    return int(opd_id)


def _ensure_period(conn: Connection, year: int, month: int) -> int:
    """The id of the period (year, month), inserted when new."""
    period_id = conn.scalar(select(Period.id).where(Period.year == year, Period.month == month))
    if period_id is None:
        period_id = conn.execute(
            insert(Period).values(year=year, month=month).returning(Period.id)
        ).scalar_one()
    return int(period_id)


def _ensure_budget_items(conn: Connection, lines: pd.DataFrame) -> dict[str, int]:
    """Ids of the hierarchy codes in ``lines``, inserting the codes the warehouse does not know yet."""
    items = lines[lines["level"].isin(HIERARCHY_LEVELS)].drop_duplicates("kode")
    codes = items["kode"].tolist()
    known = dict(conn.execute(select(BudgetItem.code, BudgetItem.id).where(BudgetItem.code.in_(codes))).all())
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
        conn.execute(insert(BudgetItem), rows)
        known = dict(
            conn.execute(select(BudgetItem.code, BudgetItem.id).where(BudgetItem.code.in_(codes))).all()
        )
    return {str(code): int(item_id) for code, item_id in known.items()}


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
        )


def load_realization(engine: Engine, wb: RealizationWorkbook) -> LoadResult:
    """Load one monthly realization workbook as one transaction, replacing its OPD-month partition."""
    with engine.begin() as conn:
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
            )
        opd_id = _ensure_opd(conn, wb.opd_code, wb.opd_name)
        period_id = _ensure_period(conn, wb.year, wb.month)
        item_ids = _ensure_budget_items(conn, wb.lines)
        facts = _realization_rows(conn, wb, opd_id, item_ids)
        conn.execute(
            update(LoadBatch)
            .where(
                LoadBatch.kind == "realization",
                LoadBatch.opd_code == wb.opd_code,
                LoadBatch.year == wb.year,
                LoadBatch.month == wb.month,
                LoadBatch.status == "loaded",
            )
            .values(status="replaced")
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
        )
        for table in (FactRealizationAccount, FactRealization):
            conn.execute(delete(table).where(table.opd_id == opd_id, table.period_id == period_id))
        common = {"opd_id": opd_id, "period_id": period_id, "batch_id": batch_id}
        conn.execute(insert(FactRealization), [{**common, **row} for row in facts])
        accounts = _account_rows(wb, item_ids)
        if accounts:
            conn.execute(insert(FactRealizationAccount), [{**common, **row} for row in accounts])
        refresh_budget(conn, opd_id, wb.year)
    return LoadResult(
        wb.path.name, "realization", "loaded", len(facts), wb.opd_code, wb.year, wb.month, batch_id
    )


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
    columns = [
        "budget_item_id",
        "anggaran_rp",
        "anggaran_murni_rp",
        "realisasi_bulan_ini_rp",
        "realisasi_sd_bulan_ini_rp",
        "anggaran_kas_sd_bulan_ini_rp",
        "fisik_pct",
        "sumber_dana",
    ]
    records = subs[columns].astype(object).where(subs[columns].notna(), None).to_dict("records")
    for record in records:
        record["budget_item_id"] = int(record["budget_item_id"])
        record["sumber_dana"] = record["sumber_dana"] or ""
    return records


def _account_rows(wb: RealizationWorkbook, item_ids: dict[str, int]) -> list[dict[str, object]]:
    """Expenditure-account fact rows (empty when the workbook has none)."""
    accounts = wb.lines[leaf_accounts(wb.lines)]
    if accounts.empty:
        return []
    frame = pd.DataFrame(
        {
            "budget_item_id": accounts["sub_kegiatan_kode"].map(item_ids).astype(int),
            "kode_rekening": accounts["kode"],
            "uraian": accounts["uraian"],
            "sumber_dana": accounts["sumber_dana"].fillna(""),
            "anggaran_rp": accounts["anggaran_rp"].fillna(0.0),
            "realisasi_bulan_ini_rp": accounts["realisasi_bulan_ini_rp"].fillna(0.0),
            "realisasi_sd_bulan_ini_rp": accounts["realisasi_sd_bulan_ini_rp"].fillna(0.0),
        }
    )
    return frame.to_dict("records")


def refresh_budget(conn: Connection, opd_id: int, year: int) -> None:
    """Recompute the year's budget facts of an OPD from its loaded months.

    Perubahan (revised) is the budget of the latest loaded month; murni (original) is the original-budget
    column of the latest month that has one, else the budget of the earliest loaded month.
    """
    rows = conn.execute(
        select(
            FactRealization.budget_item_id,
            Period.month,
            FactRealization.anggaran_rp,
            FactRealization.anggaran_murni_rp,
        )
        .join(Period, Period.id == FactRealization.period_id)
        .where(FactRealization.opd_id == opd_id, Period.year == year)
    ).all()
    conn.execute(delete(FactBudget).where(FactBudget.opd_id == opd_id, FactBudget.year == year))
    if not rows:
        return
    facts = pd.DataFrame(rows, columns=["item", "month", "anggaran", "murni"]).sort_values(["item", "month"])
    by_item = facts.groupby("item")
    latest = by_item.last()  # last non-null per column
    earliest = by_item.first()
    murni = latest["murni"].where(latest["murni"].notna(), earliest["anggaran"])
    last_month = by_item["month"].max()
    perubahan = facts.drop_duplicates("item", keep="last").set_index("item")["anggaran"]
    conn.execute(
        insert(FactBudget),
        [
            {
                "opd_id": opd_id,
                "year": year,
                "budget_item_id": int(item),
                "anggaran_murni_rp": float(murni[item]),
                "anggaran_perubahan_rp": float(perubahan[item]),
                "as_of_month": int(last_month[item]),
            }
            for item in perubahan.index
        ],
    )


def annual_realization(row: pd.Series) -> float:
    """The year value of an indicator from its quarters: the sum for counts, the last value otherwise.

    Percentages, scores (``nilai``) and negative indicators take the last quarter reported.
    """
    quarters = [row[f"tw{q}"] for q in range(1, 5) if not pd.isna(row[f"tw{q}"])]
    if not quarters:
        return math.nan
    is_level = (
        row["satuan"].strip().lower() in {"%", "persen", "nilai", "indeks", "skor"}
        or row["arah"] == "negatif"
    )
    return float(quarters[-1]) if is_level else float(sum(quarters))


def load_indicators(engine: Engine, wb: IndicatorWorkbook) -> LoadResult:
    """Load one indicator workbook as one transaction, replacing the OPD's indicators of that year."""
    with engine.begin() as conn:
        current = _current_batch(conn, "indicator", wb.opd_code, wb.year, None)
        if current is not None and current.sha256 == wb.sha256:
            return LoadResult(
                wb.path.name, "indicator", "unchanged", current.rows, wb.opd_code, wb.year, None, current.id
            )
        opd_id = _ensure_opd(conn, wb.opd_code, wb.opd_name)
        conn.execute(
            update(LoadBatch)
            .where(
                LoadBatch.kind == "indicator",
                LoadBatch.opd_code == wb.opd_code,
                LoadBatch.year == wb.year,
                LoadBatch.status == "loaded",
            )
            .values(status="replaced")
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
        )
        old_ids = select(Indicator.id).where(Indicator.opd_id == opd_id, Indicator.year == wb.year)
        for table in (FactIndicatorTarget, FactIndicatorRealization):
            conn.execute(delete(table).where(table.indicator_id.in_(old_ids)))
        conn.execute(delete(Indicator).where(Indicator.opd_id == opd_id, Indicator.year == wb.year))
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
    for _, row in wb.indicators.iterrows():
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
        year_value = row["realisasi"] if not pd.isna(row["realisasi"]) else annual_realization(row)
        values = {(wb.year, 0): year_value, (wb.year - 1, 0): row["realisasi_tahun_lalu"]}
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
