"""How the report's sentences write their parts: counts in words, the agency's full name, percentages
and indicator values, enumerations and full stops, in Bahasa Indonesia as PUEBI writes them.
"""

from __future__ import annotations

from tasks.core.formatting import percent_text, value_with_unit
from tasks.core.government import government_title

_ONES = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
#: A paragraph of a narrative section starting so is an item of a bulleted list.
ITEM = "- "


def number_word(n: int) -> str:
    """A count in words as PUEBI writes one up to two words (``tiga``, ``sebelas``, ``dua puluh``);
    larger counts in digits."""
    if 0 <= n < 10:
        return _ONES[n]
    if n == 10:
        return "sepuluh"
    if n == 11:
        return "sebelas"
    if 11 < n < 20:
        return f"{_ONES[n - 10]} belas"
    if 20 <= n < 100 and n % 10 == 0:
        return f"{_ONES[n // 10]} puluh"
    return str(n)


def all_of(n: int, noun: str) -> str:
    """``kedua indikator`` / ``ketiga sasaran`` for a whole set of up to nine, ``seluruh 11 program``
    beyond, ``satu-satunya sasaran`` for one."""
    if n == 1:
        return f"satu-satunya {noun}"
    if 2 <= n <= 9:
        return f"ke{_ONES[n]} {noun}"
    return f"seluruh {number_word(n)} {noun}"


def capitalized(text: str) -> str:
    """The sentence with its first letter in capitals (the rest as written)."""
    return text[:1].upper() + text[1:]


def agency_name(opd_name: str, government: str = "") -> str:
    """The OPD's full name with its government (``PEMERINTAH KOTA SEMARANG`` -> ``... Kota Semarang``);
    the name alone when the government is unknown or already named."""
    title = government_title(government)
    if not title or opd_name.lower().endswith(title.lower()):
        return opd_name
    return f"{opd_name} {title}"


def pct(value: float) -> str:
    """A percentage in a sentence: ``83,79%``."""
    return percent_text(value, "%")


def value_text(value: float, satuan: str = "") -> str:
    """An indicator value as the document writes it (``76%``, ``76,64%``, ``77,20``; ``-`` unknown)."""
    return value_with_unit(value, satuan) or "-"


def join_items(parts: list[str]) -> str:
    """Indonesian enumeration: ``a, b dan c``."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " dan " + parts[-1]


def as_sentence(text: str) -> str:
    """Text ending with a full stop (as typed when it already ends a sentence)."""
    return text if text.endswith((".", "!", "?", ":")) else text + "."
