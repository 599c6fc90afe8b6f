"""How a published (printed) LKjIP table is compared with the data: its keys and the rule of each column.

Amounts exactly; percentages and indicator values at the printed rounding (two decimals, half up);
labels and names loosely (case, spacing, punctuation). Each table module states its own
:class:`TableSpec`; :mod:`tasks.report.reconcile` applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RULES = {
    "amount": "rupiah, sama persis",
    "value": "nilai indikator, pembulatan cetak 2 desimal (half up)",
    "label": "label, dibandingkan longgar (huruf besar/kecil, spasi, tanda baca)",
    "name": "nama, dibandingkan longgar (huruf besar/kecil, tanda baca . , /, spasi)",
}


@dataclass(frozen=True)
class Check:
    """One printed column: its name in the published file, the data column, kind and rule text."""

    published: str
    data: str
    kind: str  # amount | pct | value | label | name
    rule: str = ""

    @property
    def rule_text(self) -> str:
        """The rule as listed in the findings."""
        return self.rule or _RULES[self.kind]


@dataclass(frozen=True)
class TableSpec:
    """How one published file maps onto a data table."""

    pattern: str
    table_id: str
    title: str
    keys: tuple[tuple[str, str], ...]  # (published column, data column)
    checks: tuple[Check, ...]


def pct_rule(formula: str) -> str:
    """Rule text of a computed percentage."""
    return f"{formula}, pembulatan cetak 2 desimal (half up)"


def year_column(pattern: str, columns: list[str], fallback: str) -> str:
    """The published column whose name matches ``pattern`` (a year in it), else ``fallback``."""
    found = [c for c in columns if re.fullmatch(pattern, c)]
    return found[0] if found else fallback


#: Tables 3.6 and 3.7 print the same budget lines: keyed by code, the name loosely, the amounts exactly.
BUDGET_LINE_KEYS: tuple[tuple[str, str], ...] = (("kode", "kode"),)
BUDGET_LINE_CHECKS: tuple[Check, ...] = (
    Check("uraian", "uraian", "name"),
    Check("anggaran", "anggaran", "amount"),
    Check("realisasi", "realisasi", "amount"),
)
