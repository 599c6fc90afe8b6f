"""What the report shows besides the chapter tables: the monthly cumulative series (charts), the
funding sources (narrative), the murni-perubahan table and the texts the office wrote itself, from
the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from tasks.core.outline import OfficeTexts
from tasks.report.inputs import sort_key
from tasks.report.tables.murni_perubahan import table_murni_perubahan
from warehouse.queries import (
    cumulative_rows,
    hierarchy_names,
    office_texts,
    realization_rows_as_of,
    sumber_dana_totals,
    year_budget_facts,
)


@dataclass(frozen=True)
class ReportExtras:
    """What the report shows besides the LKjIP tables: monthly series, funding sources, murni budgets."""

    monthly: pd.DataFrame
    sumber_dana: pd.Series | None
    murni: pd.DataFrame
    #: what the office wrote itself (sheet ``Narasi`` of the indicator workbook in force)
    texts: OfficeTexts = field(default_factory=OfficeTexts)


def report_extras(
    engine: Engine, opd_code: str, year: int, month: int | None, as_of: datetime | None = None
) -> ReportExtras:
    """Monthly cumulative series, funding sources of the latest month, the murni-perubahan table and
    the office's texts (from the files in force at ``as_of``, when given).
    """
    monthly = cumulative_by_month(engine, opd_code, year, as_of)
    sources = sumber_dana_totals(engine, opd_code, year, month, as_of) if month is not None else None
    if sources is not None:
        sources = sources[sources.index.astype(str).str.strip() != ""]
    return ReportExtras(
        monthly,
        sources,
        murni_perubahan(engine, opd_code, year, as_of),
        texts=office_texts(engine, opd_code, year, as_of),
    )


def murni_perubahan(engine: Engine, opd_code: str, year: int, as_of: datetime | None = None) -> pd.DataFrame:
    """The murni-perubahan table of the OPD-year (from the files in force at ``as_of``, when given)."""
    change = program_budget_change(engine, opd_code, year, as_of)
    names = hierarchy_names(engine, change["program"].tolist()) if not change.empty else {}
    return table_murni_perubahan(change, names)


#: The values of the monthly series, named as the warehouse and the column spec name them.
MONTHLY_VALUES = ("anggaran_rp", "realisasi_sd_bulan_ini_rp", "anggaran_kas_sd_bulan_ini_rp")


def cumulative_by_month(
    engine: Engine, opd_code: str, year: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per month loaded (at ``as_of``): OPD and per program budget, realization and anggaran kas to date."""
    values = list(MONTHLY_VALUES)
    if as_of is not None:
        rows = realization_rows_as_of(engine, opd_code, year, as_of)[["bulan", "kode", *values]]
    else:
        rows = cumulative_rows(engine, opd_code, year)
    columns = ["bulan", "kode", "level", "uraian", *values]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    # a year without anggaran kas reads as a column of NULLs: numbers (NaN) all the same
    rows = rows.assign(**{column: pd.to_numeric(rows[column], errors="coerce") for column in values})
    parts = []
    for level, keep in (("urusan", 2), ("program", 3)):
        grouped = rows.assign(kode=code_prefix(rows["kode"], keep))
        totals = grouped.groupby(["bulan", "kode"], as_index=False)[values].sum(min_count=1)
        parts.append(totals.assign(level=level))
    table = pd.concat(parts, ignore_index=True)
    names = hierarchy_names(engine, sorted(set(table["kode"])))
    table["uraian"] = table["kode"].map(names).fillna("")
    table["_order"] = table["kode"].map(sort_key)
    table = table.sort_values(["_order", "bulan"]).drop(columns="_order").reset_index(drop=True)
    return table[columns]


def code_prefix(codes: pd.Series, segments: int) -> pd.Series:
    """The first ``segments`` dot-separated parts of each code (``1.02.01.2.01`` -> ``1.02.01`` for 3),
    worked out once per distinct code: a year's rows repeat each sub_kegiatan's code every month."""
    prefixes = {code: ".".join(str(code).split(".")[:segments]) for code in codes.dropna().unique()}
    return codes.map(prefixes)


def program_budget_change(
    engine: Engine, opd_code: str, year: int, as_of: datetime | None = None
) -> pd.DataFrame:
    """Per program: original budget (murni), revised budget (perubahan) and the change (at ``as_of``)."""
    if as_of is not None:
        facts = budget_of_year(realization_rows_as_of(engine, opd_code, year, as_of))
    else:
        facts = year_budget_facts(engine, opd_code, year)
    facts["program"] = code_prefix(facts["code"], 3)
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
