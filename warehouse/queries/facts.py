"""The pipeline's reads of the warehouse: what the report, monitoring, intake and command-line
listings ask of it, as data frames or plain values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, or_, select

from tasks.core import columns
from tasks.core.outline import OfficeTexts
from tasks.core.staging import RealizationWorkbook
from warehouse.models import (
    BudgetItem,
    FactBudget,
    FactCashPlan,
    FactIndicatorRealization,
    FactIndicatorTarget,
    FactRealization,
    FactRealizationAccount,
    FactRealizationHistory,
    FactRealizationSource,
    Indicator,
    IndicatorNarrative,
    LoadBatch,
    Opd,
    Period,
    Revision,
    RevisionLine,
    ValidationRun,
)


@dataclass(frozen=True)
class ReportScope:
    """Which OPD and year a report covers, and the month its amounts are taken from."""

    opd_code: str
    opd_name: str
    year: int
    month: int | None
    as_of: datetime | None = None


def list_opds(engine: Engine, year: int) -> list[str]:
    """Codes of the OPDs with any data for the year."""
    with engine.connect() as conn:
        realization = (
            conn.execute(
                select(Opd.code)
                .join(FactRealization, FactRealization.opd_id == Opd.id)
                .join(Period, Period.id == FactRealization.period_id)
                .where(Period.year == year)
                .distinct()
            )
            .scalars()
            .all()
        )
        indicators = (
            conn.execute(
                select(Opd.code)
                .join(Indicator, Indicator.opd_id == Opd.id)
                .where(Indicator.year == year)
                .distinct()
            )
            .scalars()
            .all()
        )
    return sorted(set(realization) | set(indicators))


def batches_as_of(
    engine: Engine, kind: str, opd_code: str, year: int, as_of: datetime | None
) -> dict[int | None, tuple[int, bool]]:
    """Per month (None for yearly files), the batch in force at ``as_of`` and whether it is still current.

    Without ``as_of`` the current batches. A batch is in force from its load until a newer file
    superseded it.
    """
    query = select(LoadBatch.month, LoadBatch.id, LoadBatch.status).where(
        LoadBatch.kind == kind, LoadBatch.opd_code == opd_code, LoadBatch.year == year
    )
    if as_of is None:
        query = query.where(LoadBatch.status == "loaded")
    else:
        query = query.where(
            LoadBatch.status.in_(["loaded", "replaced"]),
            LoadBatch.loaded_at <= as_of,
            or_(LoadBatch.superseded_at.is_(None), LoadBatch.superseded_at > as_of),
        )
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(LoadBatch.id)).all()
    return {month: (int(batch_id), status == "loaded") for month, batch_id, status in rows}


def report_scope(engine: Engine, opd_code: str, year: int, as_of: datetime | None = None) -> ReportScope:
    """The OPD's name and the latest month loaded for the year (as of a moment, when given)."""
    with engine.connect() as conn:
        opd = conn.execute(select(Opd.id, Opd.name).where(Opd.code == opd_code)).first()
    if opd is None:
        raise LookupError(f"OPD {opd_code} is not in the warehouse")
    months = [m for m in batches_as_of(engine, "realization", opd_code, year, as_of) if m is not None]
    return ReportScope(opd_code, opd.name, year, max(months) if months else None, as_of)


#: The values of a sub kegiatan's month, as the warehouse keeps them (the input columns it stores).
FACT_VALUES: tuple[str, ...] = columns.stored_names(columns.FACT_REALIZATION)


def fact_values(facts: type[FactRealization] | type[FactRealizationHistory]) -> list:
    """The value columns of a fact table (current or history), named as the column spec names them."""
    return [getattr(facts, name) for name in FACT_VALUES]


def budget_rows(
    engine: Engine, opd_code: str, year: int, month: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Sub kegiatan rows of one month: code, name and every value the warehouse keeps (FACT_VALUES).

    With ``as_of``, the rows of the file that was in force then (from the history once superseded).
    """
    batch = batches_as_of(engine, "realization", opd_code, year, as_of).get(month) if as_of else None
    facts = FactRealization if batch is None or batch[1] else FactRealizationHistory
    query = (
        select(
            BudgetItem.code.label("kode"),
            BudgetItem.name.label("uraian"),
            *fact_values(facts),
        )
        .join(facts, facts.budget_item_id == BudgetItem.id)
        .order_by(BudgetItem.code)
    )
    if batch is not None:
        query = query.where(facts.batch_id == batch[0])
    else:
        query = (
            query.join(Period, Period.id == facts.period_id)
            .join(Opd, Opd.id == facts.opd_id)
            .where(Opd.code == opd_code, Period.year == year, Period.month == month)
        )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def realization_rows_as_of(engine: Engine, opd_code: str, year: int, as_of: datetime) -> pd.DataFrame:
    """Sub kegiatan rows of every month as the files in force at ``as_of`` gave them (month ``bulan``).

    A month corrected since comes from the history of the file then in force; a month loaded after
    ``as_of`` is left out.
    """
    batches = batches_as_of(engine, "realization", opd_code, year, as_of)
    frames = []
    for facts, current in ((FactRealization, True), (FactRealizationHistory, False)):
        ids = [batch for batch, is_current in batches.values() if is_current == current]
        if not ids:
            continue
        query = (
            select(
                Period.month.label("bulan"),
                facts.budget_item_id,
                BudgetItem.code.label("kode"),
                *fact_values(facts),
            )
            .join(BudgetItem, BudgetItem.id == facts.budget_item_id)
            .join(Period, Period.id == facts.period_id)
            .where(facts.batch_id.in_(ids))
        )
        with engine.connect() as conn:
            frames.append(pd.read_sql(query, conn))
    columns = ["bulan", "budget_item_id", "kode", *FACT_VALUES]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def hierarchy_names(engine: Engine, codes: list[str]) -> dict[str, str]:
    """Names of budget hierarchy codes."""
    with engine.connect() as conn:
        rows = conn.execute(select(BudgetItem.code, BudgetItem.name).where(BudgetItem.code.in_(codes))).all()
    return {code: name for code, name in rows}


def month_rows(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """:func:`budget_rows` with the amount columns named as the monthly reports print them (no ``_rp``)."""
    return budget_rows(engine, opd_code, year, month).rename(
        columns={
            "anggaran_rp": "anggaran",
            "realisasi_bulan_ini_rp": "realisasi_bulan_ini",
            "realisasi_sd_bulan_ini_rp": "realisasi_sd_bulan_ini",
            "anggaran_kas_sd_bulan_ini_rp": "anggaran_kas_sd_bulan_ini",
        }
    )


def cash_plan_to_date(engine: Engine, opd_code: str, year: int, month: int) -> pd.Series:
    """The OPD-year's current anggaran kas plan to the end of ``month`` per sub kegiatan code (the sum
    of its months up to ``month``); empty when no plan is loaded."""
    query = (
        select(BudgetItem.code.label("kode"), func.sum(FactCashPlan.rencana_rp).label("rencana"))
        .join(FactCashPlan, FactCashPlan.budget_item_id == BudgetItem.id)
        .join(Opd, Opd.id == FactCashPlan.opd_id)
        .where(Opd.code == opd_code, FactCashPlan.year == year, FactCashPlan.month <= month)
        .group_by(BudgetItem.code)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.Series({code: float(total) for code, total in rows}, dtype="float64")


def sumber_dana_totals(
    engine: Engine, opd_code: str, year: int, month: int, as_of: datetime | None = None
) -> pd.Series:
    """Budget by funding source for one month: a sub kegiatan's account rows where the workbook has
    them, else its rows per funding source (a workbook in funding-source sections), else its own.

    With ``as_of``, from the file in force then; a file corrected since gives its sub kegiatan rows
    (its account and source rows are not kept once replaced).
    """
    batch = batches_as_of(engine, "realization", opd_code, year, as_of).get(month) if as_of else None
    if batch is not None and not batch[1]:
        with engine.connect() as conn:
            old = pd.read_sql(
                select(FactRealizationHistory.sumber_dana, FactRealizationHistory.anggaran_rp).where(
                    FactRealizationHistory.batch_id == batch[0]
                ),
                conn,
            )
        return old.groupby("sumber_dana")["anggaran_rp"].sum()
    with engine.connect() as conn:
        opd_id = conn.scalar(select(Opd.id).where(Opd.code == opd_code))
        period_id = conn.scalar(select(Period.id).where(Period.year == year, Period.month == month))
        parts = [
            pd.read_sql(
                select(facts.budget_item_id, facts.sumber_dana, facts.anggaran_rp).where(
                    facts.opd_id == opd_id, facts.period_id == period_id
                ),
                conn,
            )
            for facts in (FactRealizationAccount, FactRealizationSource, FactRealization)
        ]
    return _first_split(parts).groupby("sumber_dana")["anggaran_rp"].sum()


def _first_split(parts: list[pd.DataFrame], keys: Sequence[str] = ("budget_item_id",)) -> pd.DataFrame:
    """The rows of each sub kegiatan from the first of ``parts`` that has it (accounts, then funding
    sources, then the sub kegiatan's own row), stacked."""
    keys = list(keys)
    taken: set[tuple] = set()
    kept = []
    for part in parts:
        own = list(zip(*(part[key] for key in keys), strict=True))
        kept.append(part.loc[np.array([key not in taken for key in own], dtype=bool)])
        taken |= set(own)
    return pd.concat(kept, ignore_index=True)


def funding_rows(engine: Engine, year: int, opd_code: str | None = None) -> pd.DataFrame:
    """Budget and realization to date per sub kegiatan and funding source, of every OPD (or one) at its
    latest month of the year: opd_code, kode, uraian, sumber_dana, anggaran_rp, realisasi_sd_bulan_ini_rp.

    A sub kegiatan with expenditure-account rows is split by their sources; one without, by its rows
    per funding source (a workbook in funding-source sections); else it gives its own row with its own
    source ("" when the workbook names none).
    """
    latest = (
        select(FactRealization.opd_id, func.max(Period.month).label("month"))
        .join(Period, Period.id == FactRealization.period_id)
        .where(Period.year == year)
        .group_by(FactRealization.opd_id)
        .subquery()
    )
    columns = {"opd_code": Opd.code, "kode": BudgetItem.code, "uraian": BudgetItem.name}
    chosen = [Period.year == year] + ([Opd.code == opd_code] if opd_code is not None else [])
    queries = []
    for facts in (FactRealizationAccount, FactRealizationSource, FactRealization):
        queries.append(
            select(
                *(column.label(name) for name, column in columns.items()),
                facts.budget_item_id,
                facts.sumber_dana,
                facts.anggaran_rp,
                facts.realisasi_sd_bulan_ini_rp,
            )
            .join(Opd, Opd.id == facts.opd_id)
            .join(BudgetItem, BudgetItem.id == facts.budget_item_id)
            .join(Period, Period.id == facts.period_id)
            .join(latest, (latest.c.opd_id == facts.opd_id) & (latest.c.month == Period.month))
            .where(*chosen)
        )
    with engine.connect() as conn:
        parts = [pd.read_sql(query, conn) for query in queries]
    rows = _first_split(parts, ("opd_code", "budget_item_id"))
    rows["sumber_dana"] = rows["sumber_dana"].fillna("").astype(str).str.strip()
    keys = ["opd_code", "kode", "uraian", "sumber_dana"]
    values = ["anggaran_rp", "realisasi_sd_bulan_ini_rp"]
    table = rows.groupby(keys, as_index=False, sort=True)[values].sum()
    return table[[*keys, *values]]


def source_month_rows(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """The month's rows per sub kegiatan and funding source (kode, sumber_dana and the amounts of
    ``fact_realization_source``); empty when the month's workbook had no funding-source sections."""
    query = (
        select(
            BudgetItem.code.label("kode"),
            FactRealizationSource.sumber_dana,
            FactRealizationSource.anggaran_rp,
            FactRealizationSource.anggaran_kas_sd_bulan_ini_rp,
            FactRealizationSource.realisasi_bulan_ini_rp,
            FactRealizationSource.realisasi_sd_bulan_ini_rp,
        )
        .join(BudgetItem, BudgetItem.id == FactRealizationSource.budget_item_id)
        .join(Opd, Opd.id == FactRealizationSource.opd_id)
        .join(Period, Period.id == FactRealizationSource.period_id)
        .where(Opd.code == opd_code, Period.year == year, Period.month == month)
        .order_by(BudgetItem.code, FactRealizationSource.sumber_dana)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def first_load_at(engine: Engine, year: int, opd_codes: list[str]) -> datetime | None:
    """When the first file of the year of any of these OPDs was loaded (None when none was)."""
    with engine.connect() as conn:
        return conn.scalar(
            select(func.min(LoadBatch.loaded_at)).where(
                LoadBatch.year == year,
                LoadBatch.opd_code.in_(opd_codes),
                LoadBatch.status.in_(["loaded", "replaced"]),
            )
        )


def indicator_facts(engine: Engine, batch_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An indicator batch: its indicators, their targets by year, their realizations by year and quarter."""
    with engine.connect() as conn:
        indicators = pd.read_sql(select(Indicator).where(Indicator.batch_id == batch_id), conn)
        ids = indicators["id"].tolist()
        targets = pd.read_sql(
            select(FactIndicatorTarget).where(FactIndicatorTarget.indicator_id.in_(ids)), conn
        )
        values = pd.read_sql(
            select(FactIndicatorRealization).where(FactIndicatorRealization.indicator_id.in_(ids)), conn
        )
    return indicators, targets, values


def office_texts(engine: Engine, opd_code: str, year: int, as_of: datetime | None = None) -> OfficeTexts:
    """What the office wrote for its report of the year: the texts of the indicator workbook in force
    (now, or at ``as_of``); empty when none is, or when it has no sheet ``Narasi``."""
    batch = batches_as_of(engine, "indicator", opd_code, year, as_of).get(None)
    if batch is None:
        return OfficeTexts()
    with engine.connect() as conn:
        rows = conn.execute(
            select(IndicatorNarrative.bagian, IndicatorNarrative.teks)
            .where(IndicatorNarrative.batch_id == batch[0])
            .order_by(IndicatorNarrative.position)
        ).all()
    sections: dict[str, list[str]] = {}
    for bagian, teks in rows:
        sections.setdefault(bagian, []).append(teks)
    return OfficeTexts({key: tuple(paragraphs) for key, paragraphs in sections.items()})


def earlier_year_indicators(engine: Engine, opd_code: str, years: list[int]) -> pd.DataFrame:
    """The OPD's indicators of each of ``years`` with that year's realization (tahun, id, jenis, no,
    indikator, realisasi), in one query."""
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                Indicator.year.label("tahun"),
                Indicator.id,
                Indicator.jenis,
                Indicator.no,
                Indicator.indikator,
                FactIndicatorRealization.realisasi,
            )
            .join(Opd, Opd.id == Indicator.opd_id)
            .join(FactIndicatorRealization, FactIndicatorRealization.indicator_id == Indicator.id)
            .where(
                Opd.code == opd_code,
                Indicator.year.in_(years),
                FactIndicatorRealization.tahun == Indicator.year,
                FactIndicatorRealization.triwulan == 0,
            ),
            conn,
        )


def latest_budget_rows(engine: Engine, year: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Sub kegiatan rows of every OPD at its latest month of the year (opd_code, kode, uraian,
    anggaran_rp, realisasi_sd_bulan_ini_rp, fisik_pct), and the name of every budget code.
    """
    latest = (
        select(FactRealization.opd_id, func.max(Period.month).label("month"))
        .join(Period, Period.id == FactRealization.period_id)
        .where(Period.year == year)
        .group_by(FactRealization.opd_id)
        .subquery()
    )
    query = (
        select(
            Opd.code.label("opd_code"),
            BudgetItem.code.label("kode"),
            BudgetItem.name.label("uraian"),
            FactRealization.anggaran_rp,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.fisik_pct,
        )
        .join(Opd, Opd.id == FactRealization.opd_id)
        .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(latest, (latest.c.opd_id == FactRealization.opd_id) & (latest.c.month == Period.month))
        .where(Period.year == year)
    )
    with engine.connect() as conn:
        subs = pd.read_sql(query, conn)
        names = dict(conn.execute(select(BudgetItem.code, BudgetItem.name)).all())
    return subs, names


def opds_with_indicators(engine: Engine, year: int) -> set[str]:
    """Codes of the OPDs whose indicator workbook of the year is loaded."""
    with engine.connect() as conn:
        return set(
            conn.execute(
                select(LoadBatch.opd_code).where(
                    LoadBatch.kind == "indicator", LoadBatch.year == year, LoadBatch.status == "loaded"
                )
            ).scalars()
        )


def year_budget_facts(engine: Engine, opd_code: str, year: int) -> pd.DataFrame:
    """The OPD's yearly budget per budget item: code, anggaran_murni_rp, anggaran_perubahan_rp."""
    with engine.connect() as conn:
        return pd.read_sql(
            select(BudgetItem.code, FactBudget.anggaran_murni_rp, FactBudget.anggaran_perubahan_rp)
            .join(FactBudget, FactBudget.budget_item_id == BudgetItem.id)
            .join(Opd, Opd.id == FactBudget.opd_id)
            .where(Opd.code == opd_code, FactBudget.year == year),
            conn,
        )


def cumulative_rows(engine: Engine, opd_code: str, year: int) -> pd.DataFrame:
    """Sub kegiatan rows of every month loaded: bulan, kode, anggaran_rp, realization and plan to date
    (``realisasi_sd_bulan_ini_rp``, ``anggaran_kas_sd_bulan_ini_rp``)."""
    query = (
        select(
            Period.month.label("bulan"),
            BudgetItem.code.label("kode"),
            FactRealization.anggaran_rp,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.anggaran_kas_sd_bulan_ini_rp,
        )
        .join(FactRealization, FactRealization.budget_item_id == BudgetItem.id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(Opd, Opd.id == FactRealization.opd_id)
        .where(Opd.code == opd_code, Period.year == year)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def month_totals_by_opd(engine: Engine, year: int, month: int) -> pd.DataFrame:
    """Per OPD for one month: kode_opd, nama_opd and the sums of budget, realization and plan."""
    query = (
        select(
            Opd.code.label("kode_opd"),
            Opd.name.label("nama_opd"),
            func.sum(FactRealization.anggaran_rp).label("anggaran"),
            func.sum(FactRealization.realisasi_bulan_ini_rp).label("realisasi_bulan_ini"),
            func.sum(FactRealization.realisasi_sd_bulan_ini_rp).label("realisasi_sd_bulan_ini"),
            func.sum(FactRealization.anggaran_kas_sd_bulan_ini_rp).label("anggaran_kas_sd_bulan_ini"),
        )
        .join(FactRealization, FactRealization.opd_id == Opd.id)
        .join(Period, Period.id == FactRealization.period_id)
        .where(Period.year == year, Period.month == month)
        .group_by(Opd.code, Opd.name)
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def opd_headings(engine: Engine, opd_codes: list[str]) -> dict[str, tuple[str, str]]:
    """Name and government's line ("" when none of its workbooks carried one) of each of these OPDs."""
    with engine.connect() as conn:
        rows = conn.execute(select(Opd.code, Opd.name, Opd.government).where(Opd.code.in_(opd_codes))).all()
    return {code: (name, government or "") for code, name, government in rows}


def previous_month_rows(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame | None:
    """Sub kegiatan rows (kode, realization this month and to date, budget) of a month in the warehouse,
    or None."""
    query = (
        select(
            BudgetItem.code.label("kode"),
            FactRealization.realisasi_bulan_ini_rp,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.anggaran_rp,
        )
        .join(FactRealization, FactRealization.budget_item_id == BudgetItem.id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(Opd, Opd.id == FactRealization.opd_id)
        .where(Opd.code == opd_code, Period.year == year, Period.month == month)
    )
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return None if frame.empty else frame


def loaded_months(engine: Engine, workbooks: Sequence[RealizationWorkbook]) -> set[tuple[str, int, int]]:
    """The (OPD, year, month) the warehouse holds among the OPD-years of ``workbooks``, in one query."""
    if not workbooks:
        return set()
    opd_codes = sorted({wb.opd_code for wb in workbooks})
    years = sorted({wb.year for wb in workbooks})
    wanted = {(wb.opd_code, wb.year) for wb in workbooks}
    query = select(LoadBatch.opd_code, LoadBatch.year, LoadBatch.month).where(
        LoadBatch.kind == "realization", LoadBatch.status == "loaded", LoadBatch.year.in_(years)
    )
    if len(opd_codes) <= 1000:  # a province's batch: every current month of the years is fewer rows
        query = query.where(LoadBatch.opd_code.in_(opd_codes))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {(opd, int(y), int(m)) for opd, y, m in rows if (opd, y) in wanted and m is not None}


def list_validation_runs(
    engine: Engine, *, failed_only: bool = False, year: int | None = None, month: int | None = None
) -> pd.DataFrame:
    """Stored suite runs, newest first, optionally only failures and only one period."""
    query = select(ValidationRun).order_by(ValidationRun.validated_at.desc(), ValidationRun.id.desc())
    if failed_only:
        query = query.where(ValidationRun.success.is_(False))
    if year is not None:
        query = query.where(ValidationRun.year == year)
    if month is not None:
        query = query.where(ValidationRun.month == month)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


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
