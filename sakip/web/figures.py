"""The figures of the agency page and of the steward's month page: serapan, plan to date, deviasi and
its coloured badge, the data of the charts, and the month table's order.

Plain functions over plain values: the routes read the warehouse and hand the rows in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sakip.web.charts import MonthPoint, ProgramBar
from sakip.web.pipeline import format_percent, serapan_pct

#: Colour words of the badge, best first (each a CSS class and a word the page writes).
LEVELS = ("hijau", "kuning", "merah")
#: Column of the steward's month table -> the row value it sorts by.
SORT_COLUMNS = {
    "kode": "code",
    "opd": "name",
    "status": "state",
    "anggaran": "anggaran",
    "realisasi": "realisasi",
    "serapan": "serapan",
    "anggaran_kas": "anggaran_kas",
    "deviasi": "deviasi",
}
DEFAULT_SORT = ("serapan", "asc")
#: Agency states from the least to the most advanced (the order of ``sort=status&dir=asc``).
STATE_ORDER = ("belum", "ditolak", "terkirim", "dimuat")


class Scales(Protocol):
    """What the figures need of the report scales (``Settings.scales``)."""

    def warning_category(self, serapan_pct: float, month: int) -> str: ...

    @property
    def warning_labels(self) -> list[str]: ...


@dataclass(frozen=True)
class Badge:
    """The early warning of an agency-month: colour word, category (from the scales) and what it is
    made of in words (serapan, plan, deviasi)."""

    level: str
    kategori: str
    words: str


def _value(value: Any) -> float | None:
    """A number, or None for nothing (None, NaN)."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def share_pct(part: Any, whole: Any) -> float | None:
    """``part`` as a percentage of ``whole`` (the serapan formula); None without a whole."""
    return _value(serapan_pct(_value(part), _value(whole)))


def percent_words(value: float) -> str:
    """A percentage with its sign, zero written: ``4,90 %``, ``0,00 %``."""
    shown = format_percent(value)
    return f"{'0,00' if shown == '-' else shown} %"


def points_text(value: float | None) -> str:
    """Percentage points with their sign: ``-5,20 poin``, ``+1,00 poin``, ``0,00 poin``."""
    if value is None:
        return ""
    shown = format_percent(abs(value))
    if shown == "-":
        return "0,00 poin"
    return f"{'-' if value < 0 else '+'}{shown} poin"


def warning_level(label: str, labels: Sequence[str]) -> str:
    """The colour word of an early-warning category: the best two fifths of the scale's labels
    ``hijau``, the worst two fifths ``merah``, between them ``kuning``."""
    if label not in labels:
        return "kuning"
    position = labels.index(label) / (len(labels) - 1) if len(labels) > 1 else 0.0
    if position < 0.4:
        return LEVELS[0]
    return LEVELS[1] if position <= 0.6 else LEVELS[2]


def deviasi_badge(
    realisasi: Any, anggaran: Any, anggaran_kas: Any, month: int, scales: Scales
) -> Badge | None:
    """The badge of an agency-month: the scales' early-warning category of its serapan in the month's
    quarter, with the serapan, the plan and the deviasi (points) in words; None without a budget."""
    serapan = share_pct(realisasi, anggaran)
    if serapan is None:
        return None
    kategori = scales.warning_category(serapan, month)
    plan = share_pct(anggaran_kas, anggaran)
    words = f"serapan {percent_words(serapan)}"
    if plan is None:
        words += ", anggaran kas belum ada"
    else:
        words += f", anggaran kas {percent_words(plan)}, deviasi {points_text(serapan - plan)}"
    return Badge(warning_level(kategori, scales.warning_labels), kategori, words)


def year_points(months: Iterable[Mapping[str, Any]], plan_by_month: Mapping[int, float]) -> list[MonthPoint]:
    """January–December of the line chart: each loaded month's realization and plan to date; the
    months without their own plan take the anggaran kas workbook's, cumulated."""
    loaded = {int(row["month"]): row for row in months}
    points, planned = [], 0.0
    for month in range(1, 13):
        planned += plan_by_month.get(month, 0.0)
        row = loaded.get(month)
        realisasi = _value(row["realisasi"]) if row else None
        own_plan = _value(row["anggaran_kas"]) if row else None
        if own_plan is None and plan_by_month:
            own_plan = planned
        points.append(MonthPoint(month, realisasi, own_plan))
    return points


def program_bars(programs: Iterable[Mapping[str, Any]]) -> list[ProgramBar]:
    """The programs of the monitoring, lowest serapan first (those without a budget last)."""
    bars = [ProgramBar(str(p["kode"]), str(p["uraian"] or ""), _value(p["realisasi_pct"])) for p in programs]
    return sorted(bars, key=lambda b: (b.serapan_pct is None, b.serapan_pct or 0.0, b.kode))


def month_table(
    rows: Iterable[Mapping[str, Any]],
    figures: Iterable[Mapping[str, Any]],
    month: int,
    scales: Scales,
    sent_names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The month's agency rows (as ``month_status`` gives them) with their figures: anggaran,
    realisasi and anggaran kas to date, serapan, deviasi (points) and the badge; None where the
    agency has nothing loaded for the month. ``sent_names``: agency -> the name its last file was
    sent under (shown instead of the name it was stored under)."""
    sent = sent_names or {}
    by_code = {str(f["opd_code"]): f for f in figures}
    table = []
    for row in rows:
        found = by_code.get(str(row["code"]))
        anggaran = _value(found["anggaran"]) if found else None
        realisasi = _value(found["realisasi"]) if found else None
        plan = _value(found["anggaran_kas"]) if found else None
        serapan = share_pct(realisasi, anggaran)
        plan_pct = share_pct(plan, anggaran)
        table.append(
            {
                **row,
                "last_file": sent.get(str(row["code"])) or row.get("last_file", ""),
                "anggaran": anggaran,
                "realisasi": realisasi,
                "anggaran_kas": plan,
                "serapan": serapan,
                "deviasi": serapan - plan_pct if serapan is not None and plan_pct is not None else None,
                "badge": deviasi_badge(realisasi, anggaran, plan, month, scales) if found else None,
            }
        )
    return table


def sort_choice(column: str | None, direction: str | None) -> tuple[str, str]:
    """The column and direction asked for, the default (lowest serapan first) for anything else."""
    chosen = column if column in SORT_COLUMNS else DEFAULT_SORT[0]
    return chosen, direction if direction in ("asc", "desc") else DEFAULT_SORT[1]


def sort_rows(rows: Sequence[dict[str, Any]], column: str, direction: str) -> list[dict[str, Any]]:
    """The rows by one column (ties by agency code); rows without a value last in either direction."""
    field = SORT_COLUMNS[column]

    def key(row: dict[str, Any]) -> Any:
        value = row.get(field)
        if field == "state":
            return STATE_ORDER.index(value) if value in STATE_ORDER else len(STATE_ORDER)
        return value.casefold() if isinstance(value, str) else value

    present = [r for r in rows if row_has(r, field)]
    missing = [r for r in rows if not row_has(r, field)]
    present.sort(key=lambda r: str(r["code"]))
    present.sort(key=key, reverse=direction == "desc")
    return present + sorted(missing, key=lambda r: str(r["code"]))


def row_has(row: Mapping[str, Any], field: str) -> bool:
    """Whether the row has a value to sort by in ``field`` (no number, no empty name)."""
    value = row.get(field)
    if isinstance(value, str):
        return bool(value)
    return _value(value) is not None
