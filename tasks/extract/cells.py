"""Small helpers on cell values and addresses: column letters, header labels normalised for
matching, display text of a cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Sequence


def column_letter(index: int) -> str:
    """Worksheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letter: str) -> int:
    """0-based column index of a worksheet column letter (A -> 0)."""
    index = 0
    for char in letter.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def normalize_label(value: object) -> str:
    """Column name for matching: lower case, single spaces, no dots, ``s/d``->``sd``, no trailing (Rp)/(%)."""
    if isinstance(value, str):
        return _normalize_text_label(value)
    return _normalize_text_label(str(value or ""))


@functools.lru_cache(maxsize=8192)
def _normalize_text_label(value: str) -> str:
    """:func:`normalize_label` of a text (cached: the same header texts recur in every file)."""
    text = value.lower().replace("\u00a0", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = text.replace(".", "").replace("s/d", "sd")
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*\(\s*", " (", text)
    text = re.sub(r"\s*\)", ")", text)
    text = re.sub(r"\s*(\(rp\)|\(%\)|\brp)$", "", text).strip(" :")
    return re.sub(r"\s+", " ", text)


def is_empty(value: object) -> bool:
    """True for an empty cell (None, "" or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """Cell value as display-like text: spaces collapsed, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_at(rows: Sequence[Sequence[object]], row: int, col: int) -> object:
    """Value at 0-based (row, col) or None outside the grid."""
    if 0 <= row < len(rows) and 0 <= col < len(rows[row]):
        return rows[row][col]
    return None
