"""Custom Great Expectations expectations of sakip, and the plain functions behind them.

Import this module before any suite is loaded: a suite naming an expectation whose class was never
imported would otherwise load without it (the loader in ``tasks.validate.context`` also counts them).

Each expectation works on the stacked staged frame of a batch, where every row carries its ``file``
and worksheet ``row``; groupings are always within one file.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)

from tasks.core.codes import CODE_PATTERNS
from tasks.core.metrics import quarterly_year_value
from tasks.core.subtotals import RUPIAH_TOLERANCE, subtotal_mismatches

_DOMAIN_KEYS = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")


# ----------------------------------------------------------------------------------------------
# Plain functions (also used to word the steward's messages)
# ----------------------------------------------------------------------------------------------


def parent_present(frame: pd.DataFrame, file: str, key: str, parent: str) -> pd.Series:
    """True where the row has no parent (top level, total row) or its parent is a row of the same file."""
    known = pd.MultiIndex.from_arrays([frame[file], frame[key]])
    wanted = pd.MultiIndex.from_arrays([frame[file], frame[parent]])
    top = (frame[parent].isna() | (frame[parent] == "")).to_numpy()
    return pd.Series(top | wanted.isin(known), index=frame.index)


def code_matches_level(codes: pd.Series, levels: pd.Series) -> pd.Series:
    """True where the code is well formed for its level (rows of other levels pass).

    Each distinct code of a level is matched once (a province's batch repeats codes across agencies).
    """
    ok = np.ones(len(codes), dtype=bool)
    for level, pattern in CODE_PATTERNS.items():
        rows = (levels == level).to_numpy()
        if not rows.any():
            continue
        positions, distinct = pd.factorize(codes[rows].astype(object))
        regex = re.compile(pattern.strip("^$"))
        matches = np.array(
            [isinstance(code, str) and regex.fullmatch(code) is not None for code in distinct], dtype=bool
        )
        # a blank code (position -1) is not well formed
        ok[rows] = np.append(matches, False)[positions]
    return pd.Series(ok, index=codes.index)


def equals_sum(frame: pd.DataFrame, total: str, parts: list[str]) -> pd.Series:
    """True where ``total`` equals the sum of the ``parts`` columns, to the rupiah (blank parts are 0)."""
    expected = frame[parts].astype("float64").fillna(0.0).sum(axis=1)
    return (frame[total].astype("float64") - expected).abs() <= RUPIAH_TOLERANCE


def first_file_of_period(frame: pd.DataFrame, file: str, period: list[str]) -> pd.Series:
    """True where the row's file is the first file of the batch giving that period."""
    firsts = frame.drop_duplicates(period)[[*period, file]].rename(columns={file: "_first_file"})
    merged = frame[[*period, file]].merge(firsts, on=period, how="left")
    return pd.Series((merged[file] == merged["_first_file"]).to_numpy(), index=frame.index)


# ----------------------------------------------------------------------------------------------
# Metrics
# ----------------------------------------------------------------------------------------------


class SubtotalsEqualChildren(MulticolumnMapMetricProvider):
    """Row-wise: a row with children equals the sum of its children in every amount column."""

    condition_metric_name = "sakip.subtotals_equal_children"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        file, key, parent, *values = list(column_list.columns)
        return ~subtotal_mismatches(column_list, file, key, parent, values).any(axis=1)


class NonNegative(MulticolumnMapMetricProvider):
    """Row-wise: no amount column is negative (blanks pass)."""

    condition_metric_name = "sakip.non_negative"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        return ~(column_list.astype("float64") < 0).any(axis=1)


class CodeMatchesLevel(MulticolumnMapMetricProvider):
    """Row-wise: the code (first column) is well formed for the level (second column)."""

    condition_metric_name = "sakip.code_matches_level"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        code, level = column_list.columns[:2]
        return code_matches_level(column_list[code], column_list[level])


class ParentPresent(MulticolumnMapMetricProvider):
    """Row-wise: the row's parent row is in the same file."""

    condition_metric_name = "sakip.parent_present"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        file, key, parent = column_list.columns[:3]
        return parent_present(column_list, file, key, parent)


class EqualsDifference(MulticolumnMapMetricProvider):
    """Row-wise: the first column equals the second minus the third."""

    condition_metric_name = "sakip.equals_difference"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        value, minuend, subtrahend = column_list.columns[:3]
        expected = column_list[minuend] - column_list[subtrahend]
        return (column_list[value] - expected).abs() <= RUPIAH_TOLERANCE


class EqualsSum(MulticolumnMapMetricProvider):
    """Row-wise: the first column equals the sum of the others."""

    condition_metric_name = "sakip.equals_sum"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        total, *parts = list(column_list.columns)
        return equals_sum(column_list, total, parts)


class PeriodUniqueAcrossFiles(MulticolumnMapMetricProvider):
    """Row-wise: no earlier file of the batch gives the same period."""

    condition_metric_name = "sakip.period_unique_across_files"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        file, *period = list(column_list.columns)
        return first_file_of_period(column_list, file, period)


class QuarterlyMatchesYear(MulticolumnMapMetricProvider):
    """Row-wise: the year value equals its quarters aggregated (sum or last)."""

    condition_metric_name = "sakip.quarterly_matches_year"
    condition_domain_keys = _DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        year, *quarters, aggregation = list(column_list.columns)
        implied = quarterly_year_value(column_list, quarters, aggregation)
        actual = column_list[year].astype("float64")
        return implied.isna() | actual.isna() | np.isclose(actual, implied, rtol=0, atol=1e-6)


# ----------------------------------------------------------------------------------------------
# Expectations
# ----------------------------------------------------------------------------------------------


class _SakipMulticolumnExpectation(MulticolumnMapExpectation):
    """Common settings: evaluate every row (rows with blanks included)."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"
    success_keys = ("mostly",)
    library_metadata: ClassVar[dict[str, object]] = {"tags": ["sakip"], "contributors": ["sakip"]}


class ExpectSubtotalsToEqualSumsOfChildren(_SakipMulticolumnExpectation):
    """Expect each subtotal (column_list: file, node key, parent key, amounts...) to equal its children."""

    map_metric = "sakip.subtotals_equal_children"


class ExpectAmountsToBeNonNegative(_SakipMulticolumnExpectation):
    """Expect no amount in column_list to be negative."""

    map_metric = "sakip.non_negative"


class ExpectCodesToMatchTheirLevel(_SakipMulticolumnExpectation):
    """Expect each code (column_list: code, level) to be well formed for its level."""

    map_metric = "sakip.code_matches_level"


class ExpectParentRowsToBePresent(_SakipMulticolumnExpectation):
    """Expect every row's parent (column_list: file, node key, parent key) to be a row of the same file."""

    map_metric = "sakip.parent_present"


class ExpectColumnValuesToEqualDifference(_SakipMulticolumnExpectation):
    """Expect column_list[0] = column_list[1] − column_list[2] (rows with a blank are ignored)."""

    map_metric = "sakip.equals_difference"
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"


class ExpectPeriodToBeUniqueAcrossFiles(_SakipMulticolumnExpectation):
    """Expect each period (column_list: file, then the period columns) to come from one file of the batch."""

    map_metric = "sakip.period_unique_across_files"


class ExpectQuarterlyValuesToMatchYearValue(_SakipMulticolumnExpectation):
    """Expect the year value (column_list: year value, quarters..., aggregation) to match its quarters."""

    map_metric = "sakip.quarterly_matches_year"


class ExpectColumnValuesToEqualSumOfColumns(_SakipMulticolumnExpectation):
    """Expect column_list[0] = the sum of the other columns (rows where the first is blank are ignored)."""

    map_metric = "sakip.equals_sum"
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"


CUSTOM_EXPECTATIONS = (
    ExpectSubtotalsToEqualSumsOfChildren,
    ExpectAmountsToBeNonNegative,
    ExpectCodesToMatchTheirLevel,
    ExpectParentRowsToBePresent,
    ExpectColumnValuesToEqualDifference,
    ExpectPeriodToBeUniqueAcrossFiles,
    ExpectQuarterlyValuesToMatchYearValue,
    ExpectColumnValuesToEqualSumOfColumns,
)
