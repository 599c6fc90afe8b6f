"""Numbers printed the Indonesian way (``22.500.227.865``, ``83,79``, ``-`` for zero), half-up rounded.

Used wherever a value is shown to a person (printed tables, narrative, markdown, charts); CSV files and
the warehouse keep full precision.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

_NUMERIC_TYPES = (int, float, Decimal, np.integer, np.floating)


def is_missing(value: Any) -> bool:
    """True for None, NaN, pd.NA and NaT."""
    if value is None:
        return True
    if isinstance(value, float):  # the common cases first: every cell of a table is asked
        return value != value
    if isinstance(value, (str, int)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_number(value: Any) -> bool:
    """True for real numbers (not bool, not text)."""
    return isinstance(value, _NUMERIC_TYPES) and not isinstance(value, (bool, np.bool_))


def format_number_id(value: Any, decimals: int) -> str:
    """Print a number the Indonesian way (``1.234,57``), half-up rounded; ``-`` for 0, ``""`` for NaN."""
    if is_missing(value):
        return ""
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    if type(value) is int or (isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT):
        # a whole number (most amounts in rupiah): nothing to round, the digits grouped as they are
        whole = int(value)
        if whole == 0:
            return "-"
        text = f"{whole:,}".replace(",", ".")
        return text + "," + "0" * decimals if decimals else text
    return _format_decimal(value, decimals)


#: Floats below this are whole numbers exactly (2 ** 53).
_EXACT_FLOAT = float(2**53)


def _format_decimal(value: Any, decimals: int) -> str:
    """:func:`format_number_id` through :class:`~decimal.Decimal`: exact half-up rounding."""
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, int) and not isinstance(value, bool):
        exact = Decimal(value)
    else:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"cannot print a non-finite number: {value!r}")
        # repr gives the shortest text that round-trips, i.e. the value as the data source wrote it,
        # so 0.125 and 2.675 round up as the document does instead of by their binary expansion.
        exact = Decimal(repr(number))
    if exact == 0:
        return "-"
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,00"
    text = f"{rounded:,.{decimals}f}"
    return text.translate(_INDONESIAN_SEPARATORS)


#: Thousands point, decimal comma.
_INDONESIAN_SEPARATORS = str.maketrans({",": ".", ".": ","})


def format_rupiah(value: Any) -> str:
    """Print an amount in whole rupiah: ``22.500.227.865``; ``-`` for 0, ``""`` for NaN."""
    return format_number_id(value, 0)


def format_percent(value: Any, decimals: int = 2) -> str:
    """Print a percent number (83.7867 -> ``83,79``); ``-`` for 0, ``""`` for NaN."""
    return format_number_id(value, decimals)


def digits_text(value: Any, decimals: int) -> str:
    """:func:`format_number_id` with zero written in digits (``0``, ``0,00``) rather than ``-``."""
    text = format_number_id(value, decimals)
    return ("0," + "0" * decimals if decimals else "0") if text == "-" else text


def value_with_unit(value: Any, unit: Any) -> str:
    """An indicator value as the document prints it beside its unit: a percentage with its sign and no
    decimals when whole (``76%``, ``76,64%``, no space as PUEBI writes it); any other value with two
    decimals and no unit (scores: ``77,20``); ``""`` for NaN."""
    if is_missing(value):
        return ""
    if not is_number(value):
        return str(value)  # a printed word ("NA")
    if not is_missing(unit) and str(unit).strip() == "%":
        whole = float(value).is_integer()
        return digits_text(value, 0 if whole else 2) + "%"
    return digits_text(value, 2)


def amount_text(value: Any) -> str:
    """An amount in a sentence: ``Rp 18.852.082.292`` (``Rp 0`` for zero)."""
    return f"Rp {digits_text(value, 0)}"


def percent_text(value: Any, unit: str = " %") -> str:
    """A percentage in a sentence: ``83,79 %`` (``0,00 %`` for zero; ``unit`` ``" poin"`` for points)."""
    return digits_text(value, 2) + unit


#: Steps of :func:`short_rupiah`: (size, abbreviation), largest first (triliun, miliar, juta, ribu).
_RUPIAH_STEPS = ((10**12, "T"), (10**9, "M"), (10**6, "jt"), (10**3, "rb"))


def short_rupiah(value: Any) -> str:
    """An amount for a chart's axis: ``1,2 M`` (miliar), ``350 jt`` (juta), ``12,5 rb`` (ribu), ``5 M``,
    ``0``: one decimal where it has one, below a hundred of its unit; ``""`` for NaN."""
    if is_missing(value):
        return ""
    number = float(value)
    for size, unit in _RUPIAH_STEPS:
        if abs(number) >= size:
            scaled = number / size
            tenths = round(scaled, 1)
            return f"{digits_text(scaled, 1 if abs(tenths) < 100 and not tenths.is_integer() else 0)} {unit}"
    return digits_text(number, 0)


#: Steps of :func:`format_size`: (bytes, unit, decimals), largest first.
_SIZE_STEPS = ((1024**3, "GB", 1), (1024**2, "MB", 1), (1024, "KB", 0))


def format_size(size_bytes: Any) -> str:
    """A file size the Indonesian way: ``2,0 MB``, ``512 KB``, ``900 bita``; ``""`` for nothing."""
    if is_missing(size_bytes):
        return ""
    number = float(size_bytes)
    for step, unit, decimals in _SIZE_STEPS:
        if number >= step:
            return f"{digits_text(number / step, decimals)} {unit}"
    return f"{digits_text(number, 0)} bita"
