"""The parts of the LKjIP an office can write text for, and the texts it writes.

The report (:data:`tasks.report.model.OUTLINE`) prints its headings by key: ``"I"`` is BAB I,
``"I.A"`` its section A, ``"III.D.3"`` subsection 3 of BAB III's section D, ``"IKHTISAR"`` the
Ikhtisar Eksekutif and ``"LAMPIRAN"`` the appendix. A numbered table is named by its number
(``"3.4"`` for Tabel 3. 4). The indicator workbook's optional sheet ``Narasi`` names one of these
in its column ``Bagian`` and gives the text in ``Teks``; the report prints each text under its
heading (or before its table), before what sakip writes there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Every heading key an office text may name, in document order.
SECTION_KEYS: tuple[str, ...] = (
    "IKHTISAR",
    "I",
    "I.A",
    "I.B",
    "I.C",
    "I.D",
    "II",
    "II.A",
    "II.A.1",
    "II.A.2",
    "II.A.3",
    "II.B",
    "II.C",
    "III",
    "III.A",
    "III.B",
    "III.C",
    "III.D",
    "III.D.1",
    "III.D.2",
    "III.D.3",
    "IV",
    "IV.A",
    "IV.B",
    "IV.C",
    "LAMPIRAN",
)

#: The numbers of the tables the report's body may print (``"3.4"``: Tabel 3. 4).
TABLE_KEYS: tuple[str, ...] = (
    *(f"1.{n}" for n in range(1, 6)),
    *(f"2.{n}" for n in range(1, 6)),
    *(f"3.{n}" for n in range(1, 16)),
    *(f"4.{n}" for n in range(1, 6)),
)

_KNOWN = frozenset(SECTION_KEYS) | frozenset(TABLE_KEYS)
_TABLE = re.compile(r"^(?:tabel\s*)?(\d+)\s*\.\s*(\d+)\.?$", re.IGNORECASE)
_SECTION = re.compile(r"^(?:bab\s+)?([ivx]+)((?:\s*\.\s*[a-z0-9]+)*)\.?$", re.IGNORECASE)


def narasi_key(text: object) -> str | None:
    """The key a ``Bagian`` cell names, or None when it names no part of the report.

    Case and spaces do not matter: ``"iii.d.3"``, ``"III. D. 3"`` and ``"BAB III.D.3"`` are
    ``"III.D.3"``; ``"Tabel 3. 4"`` and ``"3.4"`` are ``"3.4"``; ``"Ikhtisar Eksekutif"`` is
    ``"IKHTISAR"`` and ``"Lampiran"`` ``"LAMPIRAN"``.
    """
    if not isinstance(text, str):
        return None
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    upper = cleaned.upper()
    if upper in {"IKHTISAR", "IKHTISAR EKSEKUTIF"}:
        return "IKHTISAR"
    if upper == "LAMPIRAN":
        return "LAMPIRAN"
    if match := _TABLE.match(cleaned):
        key = f"{int(match[1])}.{int(match[2])}"
        return key if key in _KNOWN else None
    if match := _SECTION.match(cleaned):
        parts = [match[1].upper(), *(p.strip().upper() for p in match[2].split(".") if p.strip())]
        key = ".".join(parts)
        return key if key in _KNOWN else None
    return None


@dataclass(frozen=True)
class OfficeTexts:
    """What the office wrote itself for a year's report (sheet ``Narasi`` of its indicator workbook).

    ``sections``: paragraphs per key (a :data:`SECTION_KEYS` heading or a :data:`TABLE_KEYS` table
    number), in the order the sheet gives them. Empty when the workbook has no ``Narasi`` sheet.
    """

    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def under(self, key: str) -> tuple[str, ...]:
        """The paragraphs the office wrote for ``key`` (none when it wrote nothing there)."""
        return tuple(self.sections.get(key, ()))


def split_paragraphs(text: str) -> tuple[str, ...]:
    """A ``Teks`` cell as paragraphs, separated by empty lines; a single line break within one stays (a
    list the office typed line by line), each line's spaces tidied."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(
        "\n".join(" ".join(line.split()) for line in p.split("\n") if line.strip())
        for p in paragraphs
        if p.strip()
    )
