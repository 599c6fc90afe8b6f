"""Unit tests for Indonesian number text and budget codes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tasks.core.codes import (
    CodeRow,
    code_text,
    expand_codes,
    expand_program_codes,
    is_total,
    is_well_formed,
    level_of,
)
from tasks.core.numbers import parse_amount, parse_amount_series, parse_percent, parse_percent_series


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1_234_567.0),
        ("1.234.567,89", 1_234_567.89),
        ("Rp 1.234.567,-", 1_234_567.0),
        ("Rp. 1.234.567", 1_234_567.0),
        ("Rp1.234.567,00", 1_234_567.0),
        ("1.234", 1_234.0),  # one dot + exactly three digits: thousands
        ("1.5", 1.5),  # one dot, not three digits: decimal point
        ("76,64", 76.64),
        ("1,234", 1.234),  # a single comma is always the decimal comma
        ("1,234,567.89", 1_234_567.89),  # English grouping: the last separator is the decimal one
        ("12 345 678", 12_345_678.0),
        ("-1.000", -1_000.0),
        ("(1.000)", -1_000.0),
        ("-", 0.0),
        ("", 0.0),
        ("   ", 0.0),
        (None, 0.0),
        (1234, 1234.0),
        (1234.5, 1234.5),
        (float("nan"), 0.0),
    ],
)
def test_parse_amount(text: object, expected: float) -> None:
    """Amount text in every accepted Indonesian form."""
    assert parse_amount(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "1.23.456", "12.34.567", "1,2,3", "Rp", "1.234,5.6", "12a", "#REF!"])
def test_parse_amount_rejects_text(text: str) -> None:
    """Text that is not a number raises ValueError."""
    with pytest.raises(ValueError, match="not a number"):
        parse_amount(text)


def test_parse_amount_rejects_bool() -> None:
    """A boolean cell is not an amount."""
    with pytest.raises(ValueError):
        parse_amount(True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("76,64", 76.64),
        ("76,64%", 76.64),
        ("76,64 %", 76.64),
        ("76.64", 76.64),
        ("1.234", 1.234),  # in a percentage a single dot is a decimal point
        ("100", 100.0),
        (83.79, 83.79),
    ],
)
def test_parse_percent(text: object, expected: float) -> None:
    """Percent text with decimal comma or point and optional %."""
    assert parse_percent(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", [None, "", "-", "NA", "n/a"])
def test_parse_percent_not_given_is_nan(text: object) -> None:
    """Empty, ``-`` and ``NA`` percentages are NaN (no value)."""
    assert math.isnan(parse_percent(text))


def test_parse_percent_rejects_text() -> None:
    """A word is not a percentage."""
    with pytest.raises(ValueError):
        parse_percent("tinggi")


def test_parse_amount_series_mixed_cells() -> None:
    """Numbers pass through, text is parsed, empty is 0, bad cells are flagged and NaN."""
    series = pd.Series([1500.0, "1.234.567,89", "", None, "abc", 7, "Rp 2.000,-", True], dtype=object)
    values, bad = parse_amount_series(series)
    assert values.iloc[:4].tolist() == [1500.0, 1_234_567.89, 0.0, 0.0]
    assert math.isnan(values.iloc[4])
    assert values.iloc[5] == 7.0
    assert values.iloc[6] == 2000.0
    assert bad.tolist() == [False, False, False, False, True, False, False, True]
    assert values.dtype == "float64"


def test_parse_amount_series_numeric_dtype_fast_path() -> None:
    """A float column is converted without per-cell parsing; NaN (empty) becomes 0."""
    values, bad = parse_amount_series(pd.Series([1.0, float("nan"), 3.0]))
    assert values.tolist() == [1.0, 0.0, 3.0]
    assert not bad.any()


def test_parse_percent_series() -> None:
    """Percent column: text parsed, empty NaN, words flagged."""
    values, bad = parse_percent_series(pd.Series(["76,64%", "", "x", 3], dtype=object))
    assert values.iloc[0] == pytest.approx(76.64)
    assert math.isnan(values.iloc[1])
    assert values.iloc[3] == 3.0
    assert bad.tolist() == [False, False, True, False]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("2.17", "urusan"),
        ("2.17.01", "program"),
        ("2.17.01.2.01", "kegiatan"),
        ("2.17.01.2.01.01", "sub_kegiatan"),
        ("2.17.01.2.01.0001", "sub_kegiatan"),
        ("5.1.02.01.01.0024", "rekening"),
        ("5.1.02", "rekening"),
        ("5.01.01", "program"),  # a supporting agency's program, not an account
        ("2.17.01.", "program"),
        ("2.17.1", None),
        ("2.17.01.2.01.001", None),
        ("abc", None),
    ],
)
def test_level_of(code: str, level: str | None) -> None:
    """Level from the shape of a full code."""
    assert level_of(code) == level


def test_is_well_formed() -> None:
    """Well-formed checks a full code against one level."""
    assert is_well_formed("2.17.01.2.01.0001", "sub_kegiatan")
    assert not is_well_formed("2.17.01", "kegiatan")
    assert not is_well_formed("2.17", "nope")


def test_expand_codes_short_codes_under_parents() -> None:
    """Short kegiatan and sub kegiatan codes expand under the current parent; accounts attach to it."""
    raw = [
        "2.17",
        "2.17.01",
        "2.01",
        "01",
        "5.1.02.01.01.0024",
        "02",
        "2.02",
        "0001",
        "2.17.02",
        "2.01",
        "0003",
    ]
    assert expand_codes(raw) == [
        CodeRow("2.17", "urusan", ""),
        CodeRow("2.17.01", "program", ""),
        CodeRow("2.17.01.2.01", "kegiatan", ""),
        CodeRow("2.17.01.2.01.01", "sub_kegiatan", "2.17.01.2.01.01"),
        CodeRow("5.1.02.01.01.0024", "rekening", "2.17.01.2.01.01"),
        CodeRow("2.17.01.2.01.02", "sub_kegiatan", "2.17.01.2.01.02"),
        CodeRow("2.17.01.2.02", "kegiatan", ""),
        CodeRow("2.17.01.2.02.0001", "sub_kegiatan", "2.17.01.2.02.0001"),
        CodeRow("2.17.02", "program", ""),
        CodeRow("2.17.02.2.01", "kegiatan", ""),
        CodeRow("2.17.02.2.01.0003", "sub_kegiatan", "2.17.02.2.01.0003"),
    ]


def test_expand_codes_new_urusan_after_program() -> None:
    """A d.dd code followed by a program of that urusan is a new urusan, not a short kegiatan."""
    rows = expand_codes(["2.17.01", "2.01", "3.31", "3.31.01", "1.01", "01"])
    assert [r.full_code for r in rows] == [
        "2.17.01",
        "2.17.01.2.01",
        "3.31",
        "3.31.01",
        "3.31.01.1.01",
        "3.31.01.1.01.01",
    ]
    assert rows[2].level == "urusan"


def test_expand_codes_total_missing_malformed_orphan() -> None:
    """Total rows (code or uraian), empty codes, malformed and orphan codes are marked."""
    rows = expand_codes(
        ["01", "2.17.01", "5.1.02", "9.9.9", None, None, "Jumlah"], [None, "", "", "", "", "TOTAL", ""]
    )
    assert rows == [
        CodeRow("01", "sub_kegiatan", "", "orphan"),
        CodeRow("2.17.01", "program", ""),
        CodeRow("5.1.02", "rekening", "", "orphan"),
        CodeRow("9.9.9", "", "", "malformed"),
        CodeRow("", "", "", "missing"),
        CodeRow("", "total", ""),
        CodeRow("", "total", ""),
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "width", "expected"),
    [
        ("2.17.01", "General", 2, "2.17.01"),
        (2.17, "General", 2, "2.17"),
        (2.1, "General", 2, "2.10"),  # Excel dropped the trailing zero of 2.10
        (1.0, "General", 2, "01"),  # Excel dropped the leading zero of 01
        (1.0, "General", 4, "0001"),  # ... or of 0001 when the siblings have four digits
        (1.0, "00", 4, "01"),  # the cell's number format wins
        (3.0, "0000", 2, "0003"),
        (2.1, "0.00", 2, "2.10"),
        (None, "General", 2, ""),
    ],
)
def test_code_text(value: object, number_format: str, width: int, expected: str) -> None:
    """Codes from numeric cells read as displayed."""
    assert code_text(value, number_format, sub_kegiatan_width=width) == expected


def test_expand_program_codes() -> None:
    """``;``/``,``-separated program codes; short ones get the OPD's urusan."""
    assert expand_program_codes("2.17.02; 2.17.03,02", "2.17") == ["2.17.02", "2.17.03", "2.17.02"]
    assert expand_program_codes("") == []


def test_is_total() -> None:
    """JUMLAH / TOTAL in any case start a total row."""
    assert is_total("JUMLAH")
    assert is_total("Total Belanja")
    assert not is_total("Jumlahnya")
    assert not is_total("")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (76.0, "%", "76%"),  # whole percentages without decimals, no space before the sign
        (76.64, "%", "76,64%"),
        (0.0, "%", "0%"),
        (77.2, "nilai", "77,20"),  # scores without a unit
        (79.71, None, "79,71"),
        (math.nan, "%", ""),
    ],
)
def test_value_with_unit(value: float, unit: object, expected: str) -> None:
    from tasks.core.formatting import value_with_unit

    assert value_with_unit(value, unit) == expected
