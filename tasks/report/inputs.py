"""What the LKjIP tables are computed from: the OPDs a report covers, the budget lines rolled up the
hierarchy, and the OPD's indicators with their capaian and last year's realization.

Amount tables use the latest month loaded for the year (December for a closed year): its budget is
the revised budget (perubahan) and its cumulative realization the year's. Values keep full precision.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Engine

from tasks.core import metrics
from tasks.core.calendar import format_moment
from tasks.core.problems import NoDataProblem
from tasks.core.text import loose_text
from warehouse.queries import (
    ReportScope,
    batches_as_of,
    budget_rows,
    earlier_year_indicators,
    first_load_at,
    hierarchy_names,
    indicator_facts,
    list_opds,
)


def report_opds(
    engine: Engine, year: int, opd: str | None = None, as_of: datetime | None = None
) -> list[str]:
    """The OPDs a report of the year covers (``opd``, or every OPD with data), each with data (at ``as_of``).

    Raises a :class:`~tasks.core.problems.NoDataProblem` naming what is missing rather than letting a report
    come out empty: no data for the year, none for that OPD, or none yet at that moment.
    """

    known = list_opds(engine, year)
    if opd is not None and opd not in known:
        raise NoDataProblem("report.opd_no_data", opd=opd, year=year, known=", ".join(known) or "-")
    if not known:
        raise NoDataProblem("report.no_data", year=year)
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
        first = first_load_at(engine, year, codes)
        raise NoDataProblem(
            "report.no_data_as_of",
            opd=", ".join(codes),
            year=year,
            moment=format_moment(as_of),
            first=format_moment(first) if first is not None else "-",
        )
    return with_data


def budget_lines(engine: Engine, scope: ReportScope) -> pd.DataFrame | None:
    """The OPD's budget lines at the scope's month, rolled up from sub kegiatan to urusan (``anggaran_rp``
    is the revised budget, ``realisasi_sd_bulan_ini_rp`` the realization to date: the warehouse's
    names, the column spec's); None when no month of the year is loaded.
    """
    if scope.month is None:
        return None
    subs = budget_rows(engine, scope.opd_code, scope.year, scope.month, scope.as_of)
    return with_fisik(roll_up(engine, fisik_weights(subs), [*BUDGET_VALUES, *FISIK_WEIGHTS]))


#: The amounts of a budget line, and the weights its physical progress is rolled up with.
BUDGET_VALUES: list[str] = ["anggaran_rp", "realisasi_sd_bulan_ini_rp"]
FISIK_WEIGHTS: list[str] = ["fisik_bobot", "fisik_anggaran"]


def fisik_weights(subs: pd.DataFrame) -> pd.DataFrame:
    """Sub kegiatan rows with the weights of their physical progress (``fisik_pct``): fisik × anggaran
    and the anggaran of the rows reporting fisik (0 where a row reports none)."""
    fisik = subs["fisik_pct"] if "fisik_pct" in subs.columns else pd.Series(math.nan, index=subs.index)
    known = fisik.notna()
    return subs.assign(
        fisik_bobot=(fisik.fillna(0.0) * subs["anggaran_rp"]).where(known, 0.0),
        fisik_anggaran=subs["anggaran_rp"].where(known, 0.0),
    )


def with_fisik(lines: pd.DataFrame) -> pd.DataFrame:
    """Rolled-up lines with ``fisik``: the budget-weighted physical progress of the sub kegiatan under
    each line that report one (NaN where none does); the weights dropped."""
    weight = lines["fisik_anggaran"]
    fisik = (lines["fisik_bobot"] / weight.where(weight != 0)).astype("float64")
    return lines.drop(columns=FISIK_WEIGHTS).assign(fisik=fisik)


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
    table["_order"] = table["kode"].map(sort_key)
    return table.sort_values([*by, "_order"]).drop(columns="_order").reset_index(drop=True)


@functools.lru_cache(maxsize=65536)
def sort_key(code: str) -> str:
    """A text key ordering dotted codes numerically, parents first (``2.17.01`` < ``2.17.01.2.01``)."""
    return ".".join(part.zfill(5) for part in code.split("."))


def indicator_rows(engine: Engine, opd_code: str, year: int, as_of: datetime | None = None) -> pd.DataFrame:
    """The OPD's indicators of the year with this year's target and realization and last year's.

    The indicators of the workbook in force (now, or at ``as_of``).
    """
    batch = batches_as_of(engine, "indicator", opd_code, year, as_of).get(None)
    indicators, targets, values = indicator_facts(engine, batch[0] if batch else -1)
    this_year_target = targets[targets["tahun"] == year].set_index("indicator_id")["target"]
    year_values = values[values["triwulan"] == 0]
    this_year = year_values[year_values["tahun"] == year].set_index("indicator_id")["realisasi"]
    last_year = year_values[year_values["tahun"] == year - 1].set_index("indicator_id")["realisasi"]
    frame = indicators.assign(
        target=indicators["id"].map(this_year_target),
        realisasi=indicators["id"].map(this_year),
        realisasi_tahun_lalu=indicators["id"].map(last_year),
    )
    earlier = (
        earlier_year_indicators(engine, opd_code, [year - back for back in range(1, EARLIER_YEARS + 1)])
        if not frame.empty
        else None
    )
    from_warehouse = earlier_year_realization(frame, earlier, year - 1)
    frame["realisasi_tahun_lalu"] = from_warehouse.combine_first(frame["realisasi_tahun_lalu"])
    for back in range(EARLIER_YEARS, 1, -1):  # oldest first: the years before last year, where loaded
        realized = earlier_year_realization(frame, earlier, year - back)
        if realized.notna().any():
            frame[f"realisasi_{year - back}"] = realized
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


def category(values: pd.Series, scale: Sequence[tuple[float, str]]) -> pd.Series:
    """Category labels of capaian values on the given scale."""
    return values.map(lambda value: metrics.kategori(value, scale))


#: How many years back the report looks for realizations (the years of a Renstra before this one).
EARLIER_YEARS = 4


def earlier_year_realization(indicators: pd.DataFrame, earlier: pd.DataFrame | None, tahun: int) -> pd.Series:
    """The realization of ``tahun`` of each indicator, from ``earlier`` (the OPD's indicators of earlier
    years in the warehouse, :func:`warehouse.queries.earlier_year_indicators`), where that year is
    loaded.

    An indicator of this year is matched to one of ``tahun`` by jenis and indicator text (compared
    loosely) first, else by jenis and number (among those no indicator's text matches). Returns a
    series aligned on ``indicators`` (NaN where there is no match, so the workbook's own value stays).
    """
    empty = pd.Series(math.nan, index=indicators.index, dtype="float64")
    if indicators.empty or earlier is None:
        return empty
    previous = earlier[earlier["tahun"] == tahun]
    if previous.empty:
        return empty
    by_text = {
        (j, loose_text(t)): r
        for j, t, r in zip(previous["jenis"], previous["indikator"], previous["realisasi"], strict=True)
    }
    # an indicator of that year whose text an indicator of this year carries is that one's, never
    # another's by number (numbers move when indicators are added or dropped)
    taken = {(j, loose_text(t)) for j, t in zip(indicators["jenis"], indicators["indikator"], strict=True)}
    by_no = {
        (j, str(n)): r
        for j, n, t, r in zip(
            previous["jenis"], previous["no"], previous["indikator"], previous["realisasi"], strict=True
        )
        if (j, loose_text(t)) not in taken
    }
    values = [
        by_text.get((j, loose_text(t)), by_no.get((j, str(n)), math.nan))
        for j, t, n in zip(indicators["jenis"], indicators["indikator"], indicators["no"], strict=True)
    ]
    return pd.Series(values, index=indicators.index, dtype="float64")
