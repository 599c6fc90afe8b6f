"""Calendar words and times: month names, quarters, the one time zone people read times in, and the
moments they give.

The warehouse stores every moment in UTC. Whatever a person reads (command-line listings, quarantine
summaries, report headings) is shown in Asia/Jakarta with its offset, ``2026-11-28 14:05:09 +07:00``,
and whatever a person types (``report --as-of``) is read in that zone unless it carries an offset.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

#: The zone of every time shown to or given by a person (the schedule's zone too).
DISPLAY_ZONE = ZoneInfo("Asia/Jakarta")

#: Month names in Bahasa Indonesia, January first (``BULAN[month - 1]``).
BULAN: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def quarter_of(month: int) -> int:
    """The quarter (triwulan) a month belongs to."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    return (month - 1) // 3 + 1


def as_utc(moment: datetime) -> datetime:
    """An aware UTC moment; a naive one is taken as UTC (as SQLite hands stored times back)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def local_time(moment: datetime) -> datetime:
    """The moment in the display zone (naive moments are UTC)."""
    return as_utc(moment).astimezone(DISPLAY_ZONE)


def format_moment(moment: datetime | pd.Timestamp | None) -> str:
    """``2026-11-28 14:05:09 +07:00``: the moment in the display zone with its offset; "" for none."""
    if moment is None or pd.isna(moment):
        return ""
    if isinstance(moment, pd.Timestamp):
        moment = moment.to_pydatetime()
    local = local_time(moment)
    offset = local.isoformat(timespec="seconds")[-6:]  # "+07:00" (strftime's %:z needs Python 3.12)
    return f"{local:%Y-%m-%d %H:%M:%S} {offset}"


def format_moments(values: pd.Series) -> pd.Series:
    """:func:`format_moment` of every value of a column of stored (UTC) times."""
    return values.map(format_moment).astype(object)


def now_utc() -> datetime:
    """The current moment, aware, in UTC (what storage keeps)."""
    return datetime.now(UTC)


def parse_moment(text: str) -> datetime:
    """UTC moment of ``YYYY-MM-DD`` (end of that day) or an ISO date-time (display zone unless offset)."""
    value = text.strip()
    if len(value) == 10:
        day = date.fromisoformat(value)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=DISPLAY_ZONE)
        return (end - timedelta(microseconds=1)).astimezone(UTC)
    moment = datetime.fromisoformat(value)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=DISPLAY_ZONE)
    return moment.astimezone(UTC)
