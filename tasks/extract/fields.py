"""The fields the readers look for: accepted column names of each field (from the column spec,
:mod:`tasks.core.columns`), month words, and the names shown in messages.
"""

from __future__ import annotations

from tasks.core import columns

#: Rows searched for the table header (the header block is in the first 15 rows, the header below it).
HEADER_SEARCH_ROWS = 60
#: Rows above the table header searched for the header block (OPD, year, month).
META_SEARCH_ROWS = 30

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "mrt": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agst": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

#: field -> accepted column names (normalised by ``normalize_label``), from the column spec.
REALIZATION_FIELDS: dict[str, tuple[str, ...]] = columns.headings(columns.REALIZATION)
REALIZATION_REQUIRED = columns.names(columns.REALIZATION, required="yes")
REALIZATION_ONE_OF = columns.names(columns.REALIZATION, required="one_of")
REALIZATION_AMOUNTS = columns.names(columns.REALIZATION, types=("amount",))
#: the numbers of a realization row that are percentages (``76,64%``)
REALIZATION_PERCENTS = columns.names(columns.REALIZATION, types=("percent",))
#: text columns of a realization row besides the code and name (``sumber_dana``)
REALIZATION_TEXTS = tuple(
    name for name in columns.names(columns.REALIZATION, types=("text",)) if name not in REALIZATION_REQUIRED
)

INDICATOR_FIELDS: dict[str, tuple[str, ...]] = columns.headings(columns.INDICATOR)
INDICATOR_REQUIRED = columns.names(columns.INDICATOR, required="yes")
INDICATOR_ONE_OF = columns.names(columns.INDICATOR, required="one_of")
INDICATOR_NUMBERS = columns.names(columns.INDICATOR, types=("number", "percent"))

RENSTRA_FIELDS: dict[str, tuple[str, ...]] = columns.headings(columns.RENSTRA)

CASH_PLAN_FIELDS: dict[str, tuple[str, ...]] = columns.headings(columns.CASH_PLAN)
CASH_PLAN_REQUIRED = columns.names(columns.CASH_PLAN, required="yes")
CASH_PLAN_AMOUNTS = columns.names(columns.CASH_PLAN, types=("amount",))
#: The headings (normalised) a month's plan may stand under, merged over the months or before each
#: month's name (``Anggaran Kas Januari``, ``RAK Jan``, ``DKKB Januari 2024``).
CASH_PLAN_GROUPS: tuple[str, ...] = (
    "anggaran kas",
    "rencana anggaran kas",
    "rak",
    "dkkb",
    "rpd",
    "rencana penarikan dana",
    "rencana",
)
#: The quarters of a plan written per triwulan (``RAK TW I``): the indicator's quarter headings.
CASH_PLAN_QUARTERS: dict[str, tuple[str, ...]] = {
    name: headings for name, headings in INDICATOR_FIELDS.items() if name in ("tw1", "tw2", "tw3", "tw4")
}

#: human names of fields, for ``header.missing_column`` messages: each column's label, and the
#: realization group of an indicator workbook (``Realisasi`` or the quarters)
COLUMN_TITLES: dict[str, str] = {
    **{column.name: column.label for column in columns.of_kind(columns.REALIZATION)},
    **{column.name: column.label for column in columns.of_kind(columns.INDICATOR)},
    **{column.name: column.label for column in columns.of_kind(columns.CASH_PLAN)},
    "realisasi": columns.ONE_OF_TITLES[columns.INDICATOR][0],
}
