"""The subtotal rule as plain functions: a program, kegiatan, sub kegiatan or total row equals the
sum of its children. One place for the rule, used by the validation suite's custom expectation and by
the reader of funding-source sections (each section checked on its own).

The frames are long: one row per table row, a column naming its file (or any group kept apart: a
file, a funding-source block), a node key, its parent's key and the amount columns.
"""

from __future__ import annotations

import pandas as pd

#: Amounts are rupiah with at most two decimals; differences below this are rounding noise.
RUPIAH_TOLERANCE = 0.005


def sums_of_children(
    frame: pd.DataFrame, file: str, key: str, parent: str, values: list[str]
) -> pd.DataFrame:
    """Per row and column of ``values``, the sum over its children in the same file (NaN when none).

    One grouping for all the columns: on a province's batch the grouping keys cost more than the sums.
    """
    sums = frame[values].fillna(0.0).groupby([frame[file], frame[parent]], observed=True).sum()
    index = pd.MultiIndex.from_arrays([frame[file], frame[key]])
    return pd.DataFrame(sums.reindex(index).to_numpy(), index=frame.index, columns=values)


def sum_of_children(frame: pd.DataFrame, file: str, key: str, parent: str, value: str) -> pd.Series:
    """Per row, the sum of ``value`` over its children in the same file (NaN when it has none)."""
    return sums_of_children(frame, file, key, parent, [value])[value]


def subtotal_mismatches(
    frame: pd.DataFrame, file: str, key: str, parent: str, values: list[str]
) -> pd.DataFrame:
    """Per row and amount column: True where a row with children differs from their sum."""
    expected = sums_of_children(frame, file, key, parent, values)
    differs = (frame[values].fillna(0.0) - expected).abs() > RUPIAH_TOLERANCE
    return expected.notna() & differs
