"""Properties of the amount and percent parsers: what the report prints, the parser reads back.

The separator rule is in :mod:`tasks.core.numbers`; the printing side in :mod:`tasks.core.formatting`.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st

from tasks.core.formatting import format_number_id, format_percent, format_rupiah, value_with_unit
from tasks.core.numbers import parse_amount, parse_number_series, parse_number_values, parse_percent

#: Whole rupiah up to a province's yearly budget and beyond (below 2**53: exact as floats).
RUPIAH = st.integers(min_value=-(10**15), max_value=10**15)
#: Amounts with cents, as Decimal so that the expected value is exact.
DECIMALS = st.integers(min_value=1, max_value=4)


def decimal_amounts(places: int) -> st.SearchStrategy[Decimal]:
    """Decimals with ``places`` digits after the point, up to a trillion either side."""
    return st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=places, allow_nan=False
    ).map(lambda d: d + 0)  # no "-0"


def english(value: Decimal, places: int) -> str:
    """The number with English separators (``1,234,567.89``)."""
    return f"{value:,.{places}f}"


@given(RUPIAH)
@example(0)
@example(1_234)  # one dot, three digits: thousands
@example(22_500_227_865)
def test_printed_rupiah_reads_back(amount: int) -> None:
    assert parse_amount(format_rupiah(amount)) == amount


@given(st.data(), DECIMALS)
def test_printed_amounts_with_decimals_read_back(data: st.DataObject, places: int) -> None:
    value = data.draw(decimal_amounts(places))
    assert parse_amount(format_number_id(value, places)) == float(value)


@given(st.data(), st.sampled_from([1, 2, 4]))
def test_english_and_indonesian_separators_give_the_same_amount(data: st.DataObject, places: int) -> None:
    """Three decimal places are left out: ``1.500`` is 1500 by the rule, whichever writer meant 1.5."""
    value = data.draw(decimal_amounts(places))
    assert parse_amount(english(value, places)) == parse_amount(format_number_id(value, places))


@given(st.integers(min_value=0, max_value=999), st.sampled_from([".", ","]))
def test_a_fraction_below_one_is_never_read_as_thousands(thousandths: int, point: str) -> None:
    """``0.500`` and ``0,500`` are a half: a thousands group never starts with a zero."""
    assert parse_amount(f"0{point}{thousandths:03d}") == thousandths / 1000
    assert parse_amount(f"-0{point}{thousandths:03d}") == -thousandths / 1000


@given(
    st.integers(min_value=1, max_value=10**15),
    st.sampled_from(["", "Rp", "Rp ", "Rp.", "Rp. ", "rp ", "IDR ", "IDR"]),
    st.sampled_from(["", ",-", ".-", " ,-"]),
    st.sampled_from([" ", "\u00a0", "\u202f"]),
)
def test_currency_marks_and_spaces_do_not_change_an_amount(
    amount: int, prefix: str, suffix: str, space: str
) -> None:
    printed = format_rupiah(amount)
    assert parse_amount(f"{space}{prefix}{printed}{suffix}{space}") == amount
    spaced = printed.replace(".", space)  # "12 345 678": spaces as thousands separators
    assert parse_amount(prefix + spaced + suffix) == amount


@given(st.integers(min_value=1, max_value=10**15), st.sampled_from(["", "Rp ", "Rp. "]))
def test_brackets_and_minus_signs_are_negative(amount: int, prefix: str) -> None:
    printed = format_rupiah(amount)
    assert parse_amount(f"({prefix}{printed})") == -amount
    assert parse_amount(f"-{prefix}{printed}") == -amount
    assert parse_amount(f"{prefix}-{printed}") == -amount
    assert parse_amount(f"\u2212{printed}") == -amount  # the minus sign some editors type


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4, allow_nan=False))
def test_printed_percentages_read_back_to_their_printed_precision(value: Decimal) -> None:
    printed = format_percent(value)
    if printed == "-":  # zero prints as "-", which in a percent cell means "not given" (documented)
        assert value == 0 and math.isnan(parse_percent(printed))
        return
    expected = float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))  # as format_percent rounds
    assert parse_percent(printed) == expected
    assert parse_percent(printed + "%") == parse_percent(printed + " %") == parse_percent(printed)
    assert parse_percent(printed) == parse_amount(printed)  # with two decimals both rules agree


@given(st.floats(min_value=0, max_value=999, allow_nan=False).map(lambda x: round(x, 2)))
def test_percentages_beside_their_unit_read_back(value: float) -> None:
    """``76%`` and ``76,64%`` as the report prints an indicator in percent (``%`` unit).

    Only below 1000: a whole percentage of 1000 or more prints as ``1.234%``, which the parser reads as
    1.234 % by the documented rule (in a percentage a single dot is a decimal point).
    """
    assert parse_percent(value_with_unit(value, "%")) == value


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_a_number_cell_is_its_own_value(value: float) -> None:
    assert parse_amount(value) == value == parse_percent(value)
    assert parse_amount(-value) == -value


#: Cells as they come out of a workbook column: numbers, blanks, number text and junk. NaN number cells
#: are left out: a workbook has none, and the column parse keeps them NaN only when no cell is text.
CELLS = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    RUPIAH.map(format_rupiah),
    st.sampled_from(["", " ", "-", "NA", "n/a", "76,64%", "(1.000)", "Rp 1.234,-", "1.23.456", "#REF!"]),
    st.text(alphabet="0123456789.,- Rp()%", max_size=12),
)


@given(st.lists(CELLS, max_size=20), st.booleans())
def test_a_column_parses_as_its_cells_do_one_by_one(cells: list[object], percent: bool) -> None:
    """The vectorised parse of a column gives each cell's scalar parse, and flags the cells that raise."""
    parse = parse_percent if percent else parse_amount
    expected, wrong = [], []
    for cell in cells:
        try:
            expected.append(parse(cell))
            wrong.append(False)
        except ValueError:
            expected.append(math.nan)
            wrong.append(True)
    values, bad = parse_number_series(pd.Series(cells, dtype=object), percent=percent)
    np.testing.assert_array_equal(values.to_numpy(), np.array(expected, dtype="float64"))
    assert bad.tolist() == wrong
    array_values, array_bad = parse_number_values(cells, percent=percent)
    np.testing.assert_array_equal(array_values, values.to_numpy())
    assert array_bad.tolist() == wrong


@given(st.text(max_size=30))
@example("9" * 400)
def test_any_text_is_a_finite_number_or_refused(text: str) -> None:
    """Whatever a cell holds, the parsers give a finite number (NaN for "no value") or ValueError."""
    for parse in (parse_amount, parse_percent):
        try:
            value = parse(text)
        except ValueError:
            continue
        assert isinstance(value, float)
        assert math.isfinite(value) or (parse is parse_percent and math.isnan(value))
