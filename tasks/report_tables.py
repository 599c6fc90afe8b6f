"""The LKjIP tables (chapter II and III) computed from the warehouse, as plain data frames.

Column names are the CSV contract (``tabel_3_6``: ``kode,level,uraian,anggaran,realisasi,serapan`` …);
values keep full precision. Amount tables use the latest month loaded for the year (December for a
closed year): its budget is the revised budget (perubahan) and its cumulative realization the year's.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, func, or_, select

from sakip.settings import Settings
from tasks.core import metrics
from tasks.core.calendar import format_moment, parse_moment
from tasks.core.problems import EXIT_REJECTED, CommandError
from tasks.core.text import loose_text
from tasks.export import CHAPTER_TABLE_IDS
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
)

TABLE_IDS = CHAPTER_TABLE_IDS


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


def report_opds(
    engine: Engine, year: int, opd: str | None = None, as_of: datetime | None = None
) -> list[str]:
    """The OPDs a report of the year covers (``opd``, or every OPD with data), each with data (at ``as_of``).

    Raises a :class:`~sakip.failures.CommandError` naming what is missing rather than letting a report
    come out empty: no data for the year, none for that OPD, or none yet at that moment.
    """

    known = list_opds(engine, year)
    if opd is not None and opd not in known:
        raise CommandError(
            "report.opd_no_data", EXIT_REJECTED, opd=opd, year=year, known=", ".join(known) or "-"
        )
    if not known:
        raise CommandError("report.no_data", EXIT_REJECTED, year=year)
    codes = [opd] if opd is not None else known
    if as_of is None:
        return codes
    with_data = [
        code
        for code in codes
        if batches_as_of(engine, "realization", code, year, as_of)
        or batches_as_of(engine, "indicator", code, year, as_of)
    ]
    if not with_data:
        with engine.connect() as conn:
            first = conn.scalar(
                select(func.min(LoadBatch.loaded_at)).where(
                    LoadBatch.year == year,
                    LoadBatch.opd_code.in_(codes),
                    LoadBatch.status.in_(["loaded", "replaced"]),
                )
            )
        raise CommandError(
            "report.no_data_as_of",
            EXIT_REJECTED,
            opd=", ".join(codes),
            year=year,
            moment=format_moment(as_of),
            first=format_moment(first) if first is not None else "-",
        )
    return with_data


def parse_as_of(text: str) -> datetime:
    """A moment from ``YYYY-MM-DD`` (end of that day, Jakarta) or an ISO date-time (Jakarta when naive)."""
    return parse_moment(text)


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


def budget_rows(
    engine: Engine, opd_code: str, year: int, month: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Sub kegiatan rows of one month: code, name, budget, murni, realization to date, plan, fisik.

    With ``as_of``, the rows of the file that was in force then (from the history once superseded).
    """
    batch = batches_as_of(engine, "realization", opd_code, year, as_of).get(month) if as_of else None
    facts = FactRealization if batch is None or batch[1] else FactRealizationHistory
    query = (
        select(
            BudgetItem.code.label("kode"),
            BudgetItem.name.label("uraian"),
            facts.anggaran_rp,
            facts.anggaran_murni_rp,
            facts.realisasi_bulan_ini_rp,
            facts.realisasi_sd_bulan_ini_rp,
            facts.anggaran_kas_sd_bulan_ini_rp,
            facts.fisik_pct,
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
                facts.anggaran_rp,
                facts.anggaran_murni_rp,
                facts.realisasi_sd_bulan_ini_rp,
                facts.anggaran_kas_sd_bulan_ini_rp,
                facts.sumber_dana,
            )
            .join(BudgetItem, BudgetItem.id == facts.budget_item_id)
            .join(Period, Period.id == facts.period_id)
            .where(facts.batch_id.in_(ids))
        )
        with engine.connect() as conn:
            frames.append(pd.read_sql(query, conn))
    columns = [
        "bulan",
        "budget_item_id",
        "kode",
        "anggaran_rp",
        "anggaran_murni_rp",
        "realisasi_sd_bulan_ini_rp",
        "anggaran_kas_sd_bulan_ini_rp",
        "sumber_dana",
    ]
    frames = [frame for frame in frames if not frame.empty]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def hierarchy_names(engine: Engine, codes: list[str]) -> dict[str, str]:
    """Names of budget hierarchy codes."""
    with engine.connect() as conn:
        rows = conn.execute(select(BudgetItem.code, BudgetItem.name).where(BudgetItem.code.in_(codes))).all()
    return {code: name for code, name in rows}


def roll_up(engine: Engine, subs: pd.DataFrame, value_columns: list[str]) -> pd.DataFrame:
    """Sub kegiatan rows plus their kegiatan, program and urusan subtotals, in document order."""
    codes = set()
    for length in _PARENT_CODE_LENGTHS.values():
        codes.update(subs["kode"].str.slice(0, length).unique().tolist())
    return roll_up_frame(subs, value_columns, hierarchy_names(engine, sorted(codes)), by=[])


#: Code length of each subtotal level (well-formed codes are fixed-width): ``2.17.01.2.01`` is 12 long.
_PARENT_CODE_LENGTHS = {"kegiatan": 12, "program": 7, "urusan": 4}


def roll_up_frame(
    subs: pd.DataFrame, value_columns: list[str], names: dict[str, str], by: list[str]
) -> pd.DataFrame:
    """Sub kegiatan rows plus kegiatan, program and urusan subtotals per ``by`` group, in document order."""
    parts = [subs.assign(level="sub_kegiatan")[[*by, "kode", "level", "uraian", *value_columns]]]
    for level, length in _PARENT_CODE_LENGTHS.items():
        totals = (
            subs.assign(kode=subs["kode"].str.slice(0, length))
            .groupby([*by, "kode"], as_index=False, sort=False)[value_columns]
            .sum()
        )
        totals["level"] = level
        totals["uraian"] = totals["kode"].map(names).fillna("")
        parts.append(totals)
    table = pd.concat(parts, ignore_index=True)
    table["_order"] = table["kode"].map(_sort_key)
    return table.sort_values([*by, "_order"]).drop(columns="_order").reset_index(drop=True)


@functools.lru_cache(maxsize=65536)
def _sort_key(code: str) -> str:
    """A text key ordering dotted codes numerically, parents first (``2.17.01`` < ``2.17.01.2.01``)."""
    return ".".join(part.zfill(5) for part in code.split("."))


def table_3_6(engine: Engine, scope: ReportScope) -> pd.DataFrame:
    """Table 3.6: budget (perubahan) and realization per program / kegiatan / sub kegiatan, with serapan."""
    subs = budget_rows(engine, scope.opd_code, scope.year, scope.month, scope.as_of)
    subs = subs.rename(columns={"anggaran_rp": "anggaran", "realisasi_sd_bulan_ini_rp": "realisasi"})
    table = roll_up(engine, subs, ["anggaran", "realisasi"])
    table["serapan"] = metrics.serapan_pct(table["realisasi"], table["anggaran"])
    return table[["kode", "level", "uraian", "anggaran", "realisasi", "serapan"]]


def table_3_7(table36: pd.DataFrame) -> pd.DataFrame:
    """Table 3.7: remaining budget (SILPA) and its share, from Table 3.6."""
    table = table36[["kode", "level", "uraian", "anggaran", "realisasi"]].copy()
    table["silpa"] = metrics.silpa_rp(table["realisasi"], table["anggaran"])
    table["persen_silpa"] = metrics.silpa_pct(table["realisasi"], table["anggaran"])
    return table


def indicator_rows(engine: Engine, opd_code: str, year: int, as_of: datetime | None = None) -> pd.DataFrame:
    """The OPD's indicators of the year with this year's target and realization and last year's.

    The indicators of the workbook in force (now, or at ``as_of``).
    """
    batch = batches_as_of(engine, "indicator", opd_code, year, as_of).get(None)
    with engine.connect() as conn:
        indicators = pd.read_sql(
            select(Indicator).where(Indicator.batch_id == (batch[0] if batch else -1)),
            conn,
        )
        ids = indicators["id"].tolist()
        targets = pd.read_sql(
            select(FactIndicatorTarget).where(FactIndicatorTarget.indicator_id.in_(ids)), conn
        )
        values = pd.read_sql(
            select(FactIndicatorRealization).where(FactIndicatorRealization.indicator_id.in_(ids)), conn
        )
    this_year_target = targets[targets["tahun"] == year].set_index("indicator_id")["target"]
    year_values = values[values["triwulan"] == 0]
    this_year = year_values[year_values["tahun"] == year].set_index("indicator_id")["realisasi"]
    last_year = year_values[year_values["tahun"] == year - 1].set_index("indicator_id")["realisasi"]
    frame = indicators.assign(
        target=indicators["id"].map(this_year_target),
        realisasi=indicators["id"].map(this_year),
        realisasi_tahun_lalu=indicators["id"].map(last_year),
    )
    from_warehouse = previous_year_realization(engine, opd_code, year, frame)
    frame["realisasi_tahun_lalu"] = from_warehouse.combine_first(frame["realisasi_tahun_lalu"])
    frame["capaian"] = metrics.capaian_series(
        frame["target"], frame["realisasi"], frame["arah"], frame["rumus_capaian"]
    )
    jenis_order = {"tujuan": 0, "sasaran": 1, "program": 2, "kegiatan": 3}
    frame["_order"] = list(zip(frame["jenis"].map(jenis_order), frame["no"].map(_number_key), strict=True))
    frame = frame.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    renstra = targets[targets["tahun"] != year].pivot_table(
        index="indicator_id", columns="tahun", values="target"
    )
    return frame.join(renstra.add_prefix("target_"), on="id")


def _number_key(no: str) -> tuple[int, str]:
    """Numbers sort numerically, anything else after them as text."""
    return (int(no), "") if no.isdigit() else (10**6, no)


def _category(values: pd.Series, settings: Settings) -> pd.Series:
    """Category labels of capaian values on the configured scale."""
    return values.map(lambda value: metrics.kategori(value, settings.capaian_scale))


def table_3_1(indicators: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Table 3.1: achievement of the sasaran (PK / IKU) indicators."""
    sasaran = indicators[indicators["jenis"] == "sasaran"]
    return pd.DataFrame(
        {
            "no": sasaran["no"],
            "sasaran": sasaran["uraian"],
            "indikator": sasaran["indikator"],
            "satuan": sasaran["satuan"],
            "target": sasaran["target"],
            "realisasi": sasaran["realisasi"],
            "capaian": sasaran["capaian"],
            "kategori": _category(sasaran["capaian"], settings),
        }
    ).reset_index(drop=True)


def table_3_2(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 3.2: this year's realization against the Renstra end target (tingkat kemajuan)."""
    sasaran = indicators[indicators["jenis"] == "sasaran"]
    progress = [
        metrics.tingkat_kemajuan_pct(r, t, a)
        for r, t, a in zip(
            sasaran["realisasi"], sasaran["target_akhir_renstra"], sasaran["arah"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "no": sasaran["no"],
            "sasaran": sasaran["uraian"],
            "indikator": sasaran["indikator"],
            "realisasi": sasaran["realisasi"],
            "target_akhir_renstra": sasaran["target_akhir_renstra"],
            "tingkat_kemajuan": progress,
        }
    ).reset_index(drop=True)


def table_3_4(indicators: pd.DataFrame, table36: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Table 3.4: per sasaran, capaian kinerja against the serapan of the programs that fund it."""
    programs = table36[table36["level"] == "program"].set_index("kode")
    rows = []
    for _, row in indicators[indicators["jenis"] == "sasaran"].iterrows():
        codes = [code.strip() for code in row["kode_program"].replace(",", ";").split(";") if code.strip()]
        funded = programs.reindex(codes)
        anggaran = float(funded["anggaran"].sum()) if codes else math.nan
        realisasi = float(funded["realisasi"].sum()) if codes else math.nan
        serapan = metrics.serapan_pct(realisasi, anggaran)
        rows.append(
            {
                "no": row["no"],
                "sasaran": row["uraian"],
                "target": row["target"],
                "realisasi": row["realisasi"],
                "capaian_kinerja": row["capaian"],
                "anggaran": anggaran,
                "realisasi_anggaran": realisasi,
                "serapan": serapan,
                "efisiensi": metrics.efficiency_label(
                    row["capaian"], serapan, settings.efficiency_threshold_pct
                ),
            }
        )
    columns = [
        "no",
        "sasaran",
        "target",
        "realisasi",
        "capaian_kinerja",
        "anggaran",
        "realisasi_anggaran",
        "serapan",
        "efisiensi",
    ]
    return pd.DataFrame(rows, columns=columns)


def table_3_5(indicators: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Table 3.5: achievement of tujuan, sasaran and program indicators, with last year's realization."""
    chosen = indicators[indicators["jenis"].isin(["tujuan", "sasaran", "program"])]
    return pd.DataFrame(
        {
            "jenis": chosen["jenis"],
            "no": chosen["no"],
            "indikator": chosen["indikator"],
            "target": chosen["target"],
            "realisasi": chosen["realisasi"],
            "capaian": chosen["capaian"],
            "kategori": _category(chosen["capaian"], settings),
            "realisasi_tahun_lalu": chosen["realisasi_tahun_lalu"],
        }
    ).reset_index(drop=True)


def table_2_1(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 2.1: tujuan and sasaran with their baseline and Renstra targets by year."""
    chosen = indicators[indicators["jenis"].isin(["tujuan", "sasaran"])]
    year_columns = sorted(c for c in chosen.columns if c.startswith("target_") and c[7:].isdigit())
    table = pd.DataFrame(
        {
            "no": chosen["no"],
            "jenis": chosen["jenis"],
            "uraian": chosen["uraian"],
            "indikator": chosen["indikator"],
            "data_awal": chosen["data_awal"],
        }
    )
    own_year = f"target_{int(chosen['year'].iloc[0])}" if not chosen.empty else ""
    for column in sorted({*year_columns, own_year} - {""}):
        table[column] = chosen[column] if column in chosen.columns else chosen["target"]
    return table.reset_index(drop=True)


def table_2_3(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 2.3: the sasaran indicators of the Perjanjian Kinerja with this year's target."""
    sasaran = indicators[indicators["jenis"] == "sasaran"]
    return pd.DataFrame(
        {
            "no": sasaran["no"],
            "sasaran": sasaran["uraian"],
            "indikator": sasaran["indikator"],
            "satuan": sasaran["satuan"],
            "target": sasaran["target"],
        }
    ).reset_index(drop=True)


def build_tables(
    engine: Engine, opd_code: str, year: int, settings: Settings, as_of: datetime | None = None
) -> dict[str, pd.DataFrame]:
    """Every LKjIP table the warehouse supports for the OPD and year (as of a moment), keyed by table id."""
    scope = report_scope(engine, opd_code, year, as_of)
    tables: dict[str, pd.DataFrame] = {}
    table36 = None
    if scope.month is not None:
        table36 = table_3_6(engine, scope)
        tables["tabel_3_6"] = table36
        tables["tabel_3_7"] = table_3_7(table36)
    indicators = indicator_rows(engine, opd_code, year, as_of)
    if not indicators.empty:
        tables["tabel_2_1"] = table_2_1(indicators)
        tables["tabel_2_3"] = table_2_3(indicators)
        tables["tabel_3_1"] = table_3_1(indicators, settings)
        tables["tabel_3_2"] = table_3_2(indicators)
        tables["tabel_3_5"] = table_3_5(indicators, settings)
        if table36 is not None:
            tables["tabel_3_4"] = table_3_4(indicators, table36, settings)
    return {table_id: tables[table_id] for table_id in TABLE_IDS if table_id in tables}


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


def monthly_absorption(engine: Engine, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """Per program for one month: budget, realization to date, serapan, plan to date and deviasi."""
    subs = month_rows(engine, opd_code, year, month)
    values = ["anggaran", "realisasi_bulan_ini", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    table = roll_up(engine, subs, values)
    table = table[table["level"].isin(["urusan", "program"])].reset_index(drop=True)
    table["serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["serapan"] - table["rak_pct"]
    return table


def sumber_dana_totals(
    engine: Engine, opd_code: str, year: int, month: int, as_of: datetime | None = None
) -> pd.Series:
    """Budget by funding source for one month (accounts where the workbook has them).

    With ``as_of``, from the file in force then; a file corrected since gives its sub kegiatan rows
    (its account rows are not kept once replaced).
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
        accounts = pd.read_sql(
            select(
                FactRealizationAccount.budget_item_id,
                FactRealizationAccount.sumber_dana,
                FactRealizationAccount.anggaran_rp,
            ).where(FactRealizationAccount.opd_id == opd_id, FactRealizationAccount.period_id == period_id),
            conn,
        )
        subs = pd.read_sql(
            select(
                FactRealization.budget_item_id, FactRealization.sumber_dana, FactRealization.anggaran_rp
            ).where(FactRealization.opd_id == opd_id, FactRealization.period_id == period_id),
            conn,
        )
    subs = subs[~subs["budget_item_id"].isin(accounts["budget_item_id"])]
    combined = pd.concat([accounts, subs], ignore_index=True)
    return combined.groupby("sumber_dana")["anggaran_rp"].sum()


def program_budget_change(
    engine: Engine, opd_code: str, year: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per program: original budget (murni), revised budget (perubahan) and the change (at ``as_of``)."""
    if as_of is not None:
        facts = budget_of_year(realization_rows_as_of(engine, opd_code, year, as_of))
    else:
        with engine.connect() as conn:
            facts = pd.read_sql(
                select(BudgetItem.code, FactBudget.anggaran_murni_rp, FactBudget.anggaran_perubahan_rp)
                .join(FactBudget, FactBudget.budget_item_id == BudgetItem.id)
                .join(Opd, Opd.id == FactBudget.opd_id)
                .where(Opd.code == opd_code, FactBudget.year == year),
                conn,
            )
    facts["program"] = facts["code"].str.split(".").str[:3].str.join(".")
    table = facts.groupby("program", as_index=False)[["anggaran_murni_rp", "anggaran_perubahan_rp"]].sum()
    table["perubahan_rp"] = table["anggaran_perubahan_rp"] - table["anggaran_murni_rp"]
    return table


def budget_of_year(rows: pd.DataFrame) -> pd.DataFrame:
    """Per budget item: newest budget (perubahan); newest murni, else earliest budget (as in FactBudget)."""
    columns = ["code", "anggaran_murni_rp", "anggaran_perubahan_rp"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    ordered = rows.sort_values(["kode", "bulan"])
    by_item = ordered.groupby("kode", sort=True)
    murni = ordered.dropna(subset=["anggaran_murni_rp"]).groupby("kode")["anggaran_murni_rp"].last()
    table = pd.DataFrame(
        {
            "anggaran_perubahan_rp": by_item["anggaran_rp"].last(),
            "anggaran_murni_rp": murni.reindex(by_item.size().index).fillna(by_item["anggaran_rp"].first()),
        }
    )
    return table.rename_axis("code").reset_index()[columns]


def previous_year_realization(
    engine: Engine, opd_code: str, year: int, indicators: pd.DataFrame
) -> pd.Series:
    """Last year's realization of each indicator from the warehouse, where that year is loaded.

    An indicator of ``year`` is matched to one of ``year - 1`` of the same OPD by jenis and indicator
    text (compared loosely) first, else by jenis and number. Returns a series aligned on
    ``indicators`` (NaN where there is no match, so the workbook's own value stays).
    """
    empty = pd.Series(math.nan, index=indicators.index, dtype="float64")
    if indicators.empty:
        return empty
    with engine.connect() as conn:
        previous = pd.read_sql(
            select(
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
                Indicator.year == year - 1,
                FactIndicatorRealization.tahun == year - 1,
                FactIndicatorRealization.triwulan == 0,
            ),
            conn,
        )
    if previous.empty:
        return empty
    by_text = {
        (j, loose_text(t)): r
        for j, t, r in zip(previous["jenis"], previous["indikator"], previous["realisasi"], strict=True)
    }
    by_no = {
        (j, str(n)): r
        for j, n, r in zip(previous["jenis"], previous["no"], previous["realisasi"], strict=True)
    }
    values = [
        by_text.get((j, loose_text(t)), by_no.get((j, str(n)), math.nan))
        for j, t, n in zip(indicators["jenis"], indicators["indikator"], indicators["no"], strict=True)
    ]
    return pd.Series(values, index=indicators.index, dtype="float64")


def cumulative_by_month(
    engine: Engine, opd_code: str, year: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per month loaded (at ``as_of``): OPD and per program budget, realization and anggaran kas to date."""
    query = (
        select(
            Period.month.label("bulan"),
            BudgetItem.code.label("kode"),
            FactRealization.anggaran_rp.label("anggaran"),
            FactRealization.realisasi_sd_bulan_ini_rp.label("realisasi_sd_bulan_ini"),
            FactRealization.anggaran_kas_sd_bulan_ini_rp.label("anggaran_kas_sd_bulan_ini"),
        )
        .join(FactRealization, FactRealization.budget_item_id == BudgetItem.id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(Opd, Opd.id == FactRealization.opd_id)
        .where(Opd.code == opd_code, Period.year == year)
    )
    if as_of is not None:
        rows = realization_rows_as_of(engine, opd_code, year, as_of).rename(
            columns={
                "anggaran_rp": "anggaran",
                "realisasi_sd_bulan_ini_rp": "realisasi_sd_bulan_ini",
                "anggaran_kas_sd_bulan_ini_rp": "anggaran_kas_sd_bulan_ini",
            }
        )[["bulan", "kode", "anggaran", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]]
    else:
        with engine.connect() as conn:
            rows = pd.read_sql(query, conn)
    columns = [
        "bulan",
        "kode",
        "level",
        "uraian",
        "anggaran",
        "realisasi_sd_bulan_ini",
        "anggaran_kas_sd_bulan_ini",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    values = ["anggaran", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    segments = rows["kode"].str.split(".")
    parts = []
    for level, keep in (("urusan", 2), ("program", 3)):
        grouped = rows.assign(kode=segments.str[:keep].str.join("."))
        totals = grouped.groupby(["bulan", "kode"], as_index=False)[values].sum(min_count=1)
        parts.append(totals.assign(level=level))
    table = pd.concat(parts, ignore_index=True)
    names = hierarchy_names(engine, sorted(set(table["kode"])))
    table["uraian"] = table["kode"].map(names).fillna("")
    table["_order"] = table["kode"].map(_sort_key)
    table = table.sort_values(["_order", "bulan"]).drop(columns="_order").reset_index(drop=True)
    return table[columns]


def table_murni_perubahan(
    engine: Engine, opd_code: str, year: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per program: original budget (murni, as in the Perjanjian Kinerja), revised budget and the change.

    Empty when no original budget is known. A last row ``JUMLAH`` holds the totals. With ``as_of``,
    from the files in force then.
    """
    columns = ["kode", "uraian", "anggaran_murni", "anggaran_perubahan", "perubahan", "perubahan_pct"]
    change = program_budget_change(engine, opd_code, year, as_of)
    if change.empty or change["anggaran_murni_rp"].isna().all():
        return pd.DataFrame(columns=columns)
    names = hierarchy_names(engine, change["program"].tolist())
    table = pd.DataFrame(
        {
            "kode": change["program"],
            "uraian": change["program"].map(names).fillna(""),
            "anggaran_murni": change["anggaran_murni_rp"],
            "anggaran_perubahan": change["anggaran_perubahan_rp"],
            "perubahan": change["perubahan_rp"],
        }
    )
    table = table.assign(_order=table["kode"].map(_sort_key)).sort_values("_order").drop(columns="_order")
    total = {
        "kode": "",
        "uraian": "JUMLAH",
        "anggaran_murni": table["anggaran_murni"].sum(),
        "anggaran_perubahan": table["anggaran_perubahan"].sum(),
        "perubahan": table["perubahan"].sum(),
    }
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["perubahan_pct"] = metrics.serapan_pct(table["perubahan"], table["anggaran_murni"])
    return table[columns]


def consolidated_absorption(engine: Engine, year: int, month: int) -> pd.DataFrame:
    """City-level absorption of one month: per OPD budget, realization and plan to date, serapan, deviasi.

    Sorted with the lowest serapan first; a last row ``JUMLAH`` totals every OPD.
    """
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
        table = pd.read_sql(query, conn)
    amounts = ["anggaran", "realisasi_bulan_ini", "realisasi_sd_bulan_ini", "anggaran_kas_sd_bulan_ini"]
    if not table.empty:
        total = pd.DataFrame([{"kode_opd": "", "nama_opd": "JUMLAH", **table[amounts].sum().to_dict()}])
        table["_serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
        table = table.sort_values(["_serapan", "kode_opd"]).drop(columns="_serapan")
        table = pd.concat([table, total], ignore_index=True)
    table["serapan"] = metrics.serapan_pct(table["realisasi_sd_bulan_ini"], table["anggaran"])
    table["rak_pct"] = metrics.serapan_pct(table["anggaran_kas_sd_bulan_ini"], table["anggaran"])
    table["deviasi_poin"] = table["serapan"] - table["rak_pct"]
    return table.reset_index(drop=True)


def build_all_tables(engine: Engine, year: int, settings: Settings) -> dict[str, dict[str, pd.DataFrame]]:
    """The LKjIP tables of every OPD with data for the year, keyed by OPD code then table id.

    The budget tables of all OPDs come from one query and one vectorized roll-up (each OPD at its
    latest month); indicator tables are built per OPD that has an indicator workbook.
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
            FactRealization.anggaran_rp.label("anggaran"),
            FactRealization.realisasi_sd_bulan_ini_rp.label("realisasi"),
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
    tables: dict[str, dict[str, pd.DataFrame]] = {code: {} for code in list_opds(engine, year)}
    if not subs.empty:
        rolled = roll_up_frame(subs, ["anggaran", "realisasi"], names, by=["opd_code"])
        rolled["serapan"] = metrics.serapan_pct(rolled["realisasi"], rolled["anggaran"])
        rolled["silpa"] = metrics.silpa_rp(rolled["realisasi"], rolled["anggaran"])
        rolled["persen_silpa"] = metrics.silpa_pct(rolled["realisasi"], rolled["anggaran"])
        columns_36 = ["kode", "level", "uraian", "anggaran", "realisasi", "serapan"]
        columns_37 = ["kode", "level", "uraian", "anggaran", "realisasi", "silpa", "persen_silpa"]
        for opd_code, table in rolled.groupby("opd_code", sort=False):
            table = table.reset_index(drop=True)
            tables[opd_code]["tabel_3_6"] = table[columns_36]
            tables[opd_code]["tabel_3_7"] = table[columns_37]
    with engine.connect() as conn:
        with_indicators = set(
            conn.execute(
                select(LoadBatch.opd_code).where(
                    LoadBatch.kind == "indicator", LoadBatch.year == year, LoadBatch.status == "loaded"
                )
            ).scalars()
        )
    for opd_code in sorted(with_indicators & set(tables)):
        indicators = indicator_rows(engine, opd_code, year)
        if indicators.empty:
            continue
        own = tables[opd_code]
        own |= {
            "tabel_2_1": table_2_1(indicators),
            "tabel_2_3": table_2_3(indicators),
            "tabel_3_1": table_3_1(indicators, settings),
            "tabel_3_2": table_3_2(indicators),
            "tabel_3_5": table_3_5(indicators, settings),
        }
        if "tabel_3_6" in own:
            own["tabel_3_4"] = table_3_4(indicators, own["tabel_3_6"], settings)
    return {code: {t: own[t] for t in TABLE_IDS if t in own} for code, own in tables.items()}
