"""Parse amounts and percentages written as Indonesian number text.

Separator rule (documented here, relied on by tests):

- ``Rp``, ``Rp.``, ``IDR``, spaces (also non-breaking), a trailing ``,-`` / ``.-`` and, for percentages,
  a trailing ``%`` are removed. ``(1.234)`` and a leading ``-`` mean a negative number.
- Both ``.`` and ``,`` present: the one written last is the decimal separator, the other one groups
  thousands (``1.234.567,89`` and ``1,234,567.89`` are both 1234567.89).
- Only dots: several dots are thousands separators (``1.234.567``); a single dot is a thousands separator
  when exactly three digits follow it (``1.234`` = 1234), otherwise a decimal point (``76.64``).
  In a *percentage* a single dot is always a decimal point (``1.234`` % = 1.234).
- Only commas: a single comma is the decimal comma (``76,64``; ``1,234`` = 1.234, Indonesian usage);
  several commas are thousands separators (``1,234,567``).
- Thousands groups must have exactly three digits (``1.23.456`` is not a number), the first one without
  a leading zero (``0.500`` is 0.5, never 500).
- A number too large for a float (hundreds of digits) is not a number.
- Amounts: ``-``, empty text and ``None`` are zero. Percentages: they (and ``NA``) are NaN (not given),
  because an empty physical-progress or indicator cell means "no value", not 0 %.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

_PREFIX = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"[.,]-$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_GROUPED_DOT = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")
_DIGITS = re.compile(r"^\d+$")
_EMPTY_TEXT = {"", "-", "–", "—"}
_NOT_AVAILABLE = {"na", "n/a", "n.a", "n.a."}
#: cell types of the fast path of ``_plain_numbers`` (exact types: ``bool`` is not a number there)
_NUMBER_KINDS = frozenset({int, float})
_PLAIN_KINDS = frozenset({int, float, str, type(None)})


def _is_number(value: object) -> bool:
    """True for int/float values (bool excluded)."""
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _parse_text(text: str, *, percent: bool) -> float:
    """Parse one cleaned-up number text by the separator rule; ValueError when it is not a number."""
    original = text
    text = _SPACES.sub("", text.strip())
    if percent and text.endswith("%"):
        text = text[:-1]
    text = _PREFIX.sub("", text)
    text = _SUFFIX.sub("", text)
    sign = 1.0
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1.0, text[1:-1]
    if text.startswith(("-", "−", "–")):
        sign, text = -sign, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = _PREFIX.sub("", text)  # "-Rp 1.000"
    if not text or not text[0].isdigit() or not text[-1].isdigit():
        raise ValueError(f"not a number: {original!r}")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = text.rpartition(decimal)
        if thousands in frac or decimal in whole:
            raise ValueError(f"not a number: {original!r}")
        pattern = _GROUPED_DOT if thousands == "." else _GROUPED_COMMA
        if not (_DIGITS.match(whole) or pattern.match(whole)) or not _DIGITS.match(frac):
            raise ValueError(f"not a number: {original!r}")
        number = float(whole.replace(thousands, "") + "." + frac)
    elif dots:
        if dots == 1 and (percent or not _GROUPED_DOT.match(text)):
            if not _PLAIN.match(text):
                raise ValueError(f"not a number: {original!r}")
            number = float(text)
        elif _GROUPED_DOT.match(text):
            number = float(text.replace(".", ""))
        else:
            raise ValueError(f"not a number: {original!r}")
    elif commas == 1:
        if not _PLAIN.match(text.replace(",", ".")):
            raise ValueError(f"not a number: {original!r}")
        number = float(text.replace(",", "."))
    elif commas:
        if not _GROUPED_COMMA.match(text):
            raise ValueError(f"not a number: {original!r}")
        number = float(text.replace(",", ""))
    else:
        if not _DIGITS.match(text):
            raise ValueError(f"not a number: {original!r}")
        number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"not a number: {original!r}")
    return sign * number


def parse_amount(value: object) -> float:
    """Rupiah amount from a number or Indonesian number text; ``-``/empty/None are 0.0."""
    if value is None:
        return 0.0
    if _is_number(value):
        number = float(value)  # type: ignore[arg-type]
        return 0.0 if math.isnan(number) else number
    if isinstance(value, str):
        if _SPACES.sub("", value) in _EMPTY_TEXT:
            return 0.0
        return _parse_text(value, percent=False)
    raise ValueError(f"not a number: {value!r}")


def parse_percent(value: object) -> float:
    """Percentage from a number or text (``76,64``, ``76,64%``, ``76.64``); ``-``/empty/None are NaN."""
    if value is None:
        return math.nan
    if _is_number(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        squeezed = _SPACES.sub("", value)
        if squeezed in _EMPTY_TEXT or squeezed.lower() in _NOT_AVAILABLE:
            return math.nan
        return _parse_text(value, percent=True)
    raise ValueError(f"not a number: {value!r}")


def parse_number_series(series: pd.Series, *, percent: bool = False) -> tuple[pd.Series, pd.Series]:
    """Vectorised parse of a column of cells: (float64 values, mask of cells that are not numbers).

    Numeric cells are converted in bulk; only distinct text values go through the Python parser.
    Bad cells are NaN in the values and True in the mask. Empty cells follow ``parse_amount`` /
    ``parse_percent`` (0.0 for amounts, NaN for percentages).
    """
    index = series.index
    blank = math.nan if percent else 0.0
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64").fillna(blank), pd.Series(False, index=index)
    numbers = _plain_numbers(list(series.to_numpy(dtype=object)), blank)
    if numbers is not None:  # the common case: numeric cells and blanks only
        return pd.Series(numbers, index=index, dtype="float64"), pd.Series(False, index=index)
    objects = series.astype(object)
    kinds = objects.map(type).to_numpy()
    is_text = pd.Series(kinds).isin([str]).to_numpy()
    is_none = pd.isna(objects).to_numpy() & ~is_text
    is_num = np.isin(kinds, (int, float, np.int64, np.float64)) & ~is_none
    result = np.full(len(objects), np.nan)
    if is_num.any():
        result[is_num] = objects[is_num].to_numpy(dtype="float64")
    result[is_none] = blank
    bad = ~(is_text | is_none | is_num)
    if is_text.any():
        texts = objects[is_text]
        parser = parse_percent if percent else parse_amount
        parsed: dict[str, float] = {}
        wrong: set[str] = set()
        for text in pd.unique(texts):
            try:
                parsed[text] = parser(text)
            except ValueError:
                parsed[text] = math.nan
                wrong.add(text)
        result[is_text] = texts.map(parsed).to_numpy(dtype="float64")
        bad[is_text] = texts.isin(wrong).to_numpy()
    return pd.Series(result, index=index, dtype="float64"), pd.Series(bad, index=index)


def _plain_numbers(values: Sequence[object], blank: float) -> np.ndarray | None:
    """The cells as float64 when every one is a number or blank; None as soon as one is text to parse.

    A number is an exact ``int`` or ``float`` (``bool`` and numpy scalars are not: they take the general
    path); a blank is None or text of spaces only and becomes ``blank``. NaN cells stay NaN.
    """
    kinds = set(map(type, values))
    if not kinds <= _PLAIN_KINDS:
        return None
    if str in kinds and any(value.strip() for value in values if type(value) is str):
        return None
    if kinds <= _NUMBER_KINDS:
        return np.array(values, dtype=np.float64)
    return np.array(
        [blank if value is None or type(value) is str else value for value in values], dtype=np.float64
    )


def parse_number_values(values: Sequence[object], *, percent: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_number_series` of a list of cells as arrays: (float64 values, mask of bad cells).

    The common case (numbers and blanks only) is converted without building a Series; any other cell
    sends the whole list through :func:`parse_number_series`, so both give the same result.
    """
    numbers = _plain_numbers(values, math.nan if percent else 0.0)
    if numbers is not None:
        return numbers, np.zeros(len(numbers), dtype=bool)
    parsed, bad = parse_number_series(pd.Series(values, dtype=object), percent=percent)
    return parsed.to_numpy(dtype=np.float64), bad.to_numpy(dtype=bool)


def parse_amount_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_amount`` over a column: (float64 values, mask of cells that are not numbers)."""
    return parse_number_series(series, percent=False)


def parse_percent_series(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised ``parse_percent`` over a column: (float64 values, mask of cells that are not numbers)."""
    return parse_number_series(series, percent=True)
