"""From Great Expectations results to the steward's issues: each unexpected row traced back to its
file, sheet, cell and rule, with the expected value where the rule gives one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from tasks.core import columns, subtotals
from tasks.core.issues import VARIANTS, InputIssue
from tasks.core.metrics import QUARTERS, quarterly_year_value
from tasks.core.staging import CashPlanWorkbook, IndicatorWorkbook, RealizationWorkbook
from tasks.validate.typos import ROW_RELATIONS, TypedCells, find_typed_cells

#: Rules about the whole file: reported once per file, at the header-block cell they concern.
FILE_LEVEL_RULES = {
    "period.wrong_year": "year",
    "period.wrong_month": "month",
    "period.opd_unknown": "opd",
    "header.meta_missing": "opd",
    "batch.duplicate_period": "month",
    "cash_plan.duplicate_year": "year",
}


def _fmt(value: object) -> str:
    """A number for a message, Indonesian style (``1.234.567,5``); text as is."""
    if isinstance(value, str):
        return value
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "-"
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _fmt_period(value: object) -> str:
    """A year or month for a message, without thousands separators."""
    try:
        return str(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


def _expected_values(rule: str, meta: dict, frame: pd.DataFrame, parameters: dict) -> pd.Series | None:
    """The value each row should have had, for the message."""
    if rule == "amount.subtotal_mismatch":
        return subtotals.sum_of_children(frame, "file", "node_key", "parent_key", meta["field"])
    if rule == "period.month_inconsistent":
        return frame["realisasi_sd_bulan_ini_rp"] - frame["prev_realisasi_sd_bulan_ini_rp"]
    if rule == "period.next_month_inconsistent":
        return frame["next_realisasi_sd_bulan_ini_rp"] - frame["next_realisasi_bulan_ini_rp"]
    if rule == "indicator.quarterly_inconsistent":
        return quarterly_year_value(frame, QUARTERS, "aggregation")
    expected_field = meta.get("expected_field", "")
    if expected_field in frame.columns:
        return frame[expected_field]
    if expected_field in parameters:
        value = parameters[expected_field]
        return pd.Series([value] * len(frame), index=frame.index, dtype=object)
    return None


def results_to_issues(
    results: Iterable,
    frame: pd.DataFrame,
    workbooks: dict[str, RealizationWorkbook | IndicatorWorkbook | CashPlanWorkbook],
    parameters: dict,
) -> tuple[dict[str, list[InputIssue]], dict[str, set[int]]]:
    """Issues per file from GX results, and per file the indexes of the expectations that failed for it."""
    issues: dict[str, list[InputIssue]] = {name: [] for name in workbooks}
    failed: dict[str, set[int]] = {name: set() for name in workbooks}
    positions = pd.Series(range(len(frame)), index=pd.MultiIndex.from_arrays([frame["file"], frame["row"]]))
    subtotal_fields: list[str] = []
    for number, outcome in enumerate(results):
        if outcome.success:
            continue
        config = outcome.expectation_config
        meta = dict(config.meta or {})
        rule, field_name = meta["rule"], meta["field"]
        if rule == "amount.subtotal_mismatch":
            subtotal_fields += meta.get("fields", [field_name])
        if meta.get("contract"):
            raise RuntimeError(
                f"the staged frame breaks the staging contract ({rule}): column {field_name} "
                f"is missing or not {config.kwargs.get('type_')}"
            )
        severity = (
            "warning" if str(getattr(config.severity, "value", config.severity)) == "warning" else "error"
        )
        offending = _offending_fields(rule, meta, frame)
        seen_files: set[str] = set()
        for entry in outcome.result.get("unexpected_index_list") or []:
            file_name, row = str(entry["file"]), int(entry["row"])
            failed[file_name].add(number)
            wb = workbooks[file_name]
            position = int(positions[(file_name, row)])
            values = frame.iloc[position]
            if rule in FILE_LEVEL_RULES:
                if file_name in seen_files:
                    continue
                seen_files.add(file_name)
            fields = [
                f
                for f in meta.get("fields", [field_name])
                if offending is None or offending[f].iloc[position]
            ]
            for one_field in fields:
                if rule in FILE_LEVEL_RULES:
                    column, row_number = _split_cell(wb.header_cells.get(FILE_LEVEL_RULES[rule], ""))
                else:  # a row lacking the value named: the column the value was derived from
                    given = not pd.isna(values.get(one_field))
                    column = wb.columns.get(one_field if given else meta.get("fallback_field", one_field), "")
                    row_number = row
                expected = _expected_values(rule, {**meta, "field": one_field}, frame, parameters)
                shown = _fmt_period if one_field in ("year", "month") else _fmt
                params = _context_params(rule, frame, position)
                params |= {
                    "value": shown(values.get(meta.get("value_field", one_field), "")),
                    "expected": shown(expected.iloc[position]) if expected is not None else "",
                    "column": columns.label(one_field),
                    "column_en": columns.label(one_field, "en"),
                    "what": "Kode OPD",
                    "period": f"{int(values.get('month', 0) or 0):02d}/{values.get('year', '')}",
                    "next_period": f"{int(values.get('month', 0) or 0) + 1:02d}/{values.get('year', '')}",
                    "opd": values.get("opd_code", ""),
                    "jenis": values.get("jenis", ""),
                    "no": values.get("no", ""),
                    "aggregation": values.get("aggregation", ""),
                }
                issues[file_name].append(
                    InputIssue(
                        file=file_name,
                        sheet=wb.sheet,
                        row=row_number,
                        column=column,
                        rule=rule,
                        params=params,
                        severity=severity,
                    )
                )
    typed = TypedCells()
    if subtotal_fields:
        letters = {name: dict(wb.columns) for name, wb in workbooks.items()}
        typed = find_typed_cells(frame, subtotal_fields, letters)
        issues = {
            name: _point_at_typed_cells(name, found, typed, frame, workbooks[name])
            for name, found in issues.items()
        }
    for file_name in issues:
        issues[file_name].sort(key=lambda i: _order(i, typed, workbooks[file_name]))
    return issues, failed


def _order(issue: InputIssue, typed: TypedCells, wb) -> tuple:
    """Errors first; among them the cells to fix (first the finding giving the value the cell should
    have), then the other findings, then the subtotals that only follow a cell to fix; then by row,
    column and rule."""
    cell = (issue.file, issue.row or 0, _field_at(wb, issue.column))
    if cell in typed.fixes:
        rank = 0 if issue.params.get("expected") == _fmt(typed.fixes[cell]) else 1
    else:
        rank = 3 if issue.variant.startswith("children") else 2
    return (issue.severity != "error", rank, issue.row or 0, issue.column, issue.rule, issue.variant)


def _field_at(wb, letter: str) -> str:
    """The field read from worksheet column ``letter`` of ``wb`` ("" when none)."""
    return next((name for name, found in wb.columns.items() if found == letter), "")


def _point_at_typed_cells(
    file_name: str, issues: list[InputIssue], typed: TypedCells, frame: pd.DataFrame, wb
) -> list[InputIssue]:
    """The file's issues reworded by what the subtotals and row arithmetic concluded together.

    A subtotal that only follows a wrong cell under it says so, with no "should be" that would spread
    the typo; a row-arithmetic finding moves to the cell of its row that breaks the subtotal; a cell to
    fix that no rule named gets its own finding, with the value it should have.
    """
    out: list[InputIssue] = []
    for issue in issues:
        cell = (issue.file, issue.row or 0, _field_at(wb, issue.column))
        if issue.rule == "amount.subtotal_mismatch" and cell in typed.caused:
            cells = typed.caused[cell]
            params = {**issue.params, "expected": "", "cells": cells}
            out.append(replace(issue, params=params, variant="children_at" if cells else "children"))
        elif (issue.rule, cell) in typed.moved:
            out.append(_moved(issue, typed.moved[(issue.rule, cell)], typed, frame, wb))
        elif cell in typed.fixes and issue.severity == "warning" and (issue.rule, "cell") in VARIANTS:
            # a warning at the cell that breaks the subtotal above it: the error to fix
            out.append(replace(_moved(issue, cell, typed, frame, wb), severity="error"))
        else:
            out.append(issue)
    named = {(i.file, i.row or 0, _field_at(wb, i.column)) for i in out}
    for cell, expected in typed.fixes.items():
        if cell[0] == file_name and cell not in named:
            out.append(_row_to_fix(cell, expected, frame, wb))
    return out


def _row_values(frame: pd.DataFrame, file_name: str, row: int) -> pd.Series:
    """The staged row of ``file_name`` at worksheet ``row``."""
    return frame[(frame["file"] == file_name) & (frame["row"] == row)].iloc[0]


def _moved(
    issue: InputIssue, target: tuple[str, int, str], typed: TypedCells, frame: pd.DataFrame, wb
) -> InputIssue:
    """A row-arithmetic finding at the cell of the row to fix (moved there from the cell its rule names).

    Worded by the rule's ``cell`` variant: the row's figures (``total``, ``previous``, the ``parts``
    summed) and the value the cell should have.
    """
    file_name, row, field_name = target
    relation = next(r for r in ROW_RELATIONS if r.rule == issue.rule)
    values = _row_values(frame, file_name, row)
    params = {
        **issue.params,
        "value": _fmt(values[field_name]),
        "expected": _fmt(typed.fixes[target]),
        "total": _fmt(values[relation.total]),
        "total_column": columns.label(relation.total),
        "total_column_en": columns.label(relation.total, "en"),
        "previous": _fmt(values[relation.before]) if relation.before else "",
        "parts": _fmt(values[list(relation.parts)].astype("float64").fillna(0.0).sum()),
        "column": columns.label(field_name),
        "column_en": columns.label(field_name, "en"),
    }
    return replace(issue, column=wb.columns.get(field_name, ""), params=params, variant="cell")


def _row_to_fix(cell: tuple[str, int, str], expected: float, frame: pd.DataFrame, wb) -> InputIssue:
    """The finding of a cell to fix that no rule named (the only row under its subtotal)."""
    file_name, row, field_name = cell
    values = _row_values(frame, file_name, row)
    parent = frame[(frame["file"] == file_name) & (frame["node_key"] == values["parent_key"])]
    return InputIssue(
        file=file_name,
        sheet=wb.sheet,
        row=row,
        column=wb.columns.get(field_name, ""),
        rule="amount.subtotal_mismatch",
        params={
            "value": _fmt(values[field_name]),
            "expected": _fmt(expected),
            "column": columns.label(field_name),
            "column_en": columns.label(field_name, "en"),
            "parent_row": int(parent["row"].iloc[0]) if not parent.empty else "",
        },
        variant="row",
    )


def _offending_fields(rule: str, meta: dict, frame: pd.DataFrame) -> pd.DataFrame | None:
    """For expectations over several amount columns: which column of each row broke the rule."""
    fields = meta.get("fields")
    if not fields:
        return None
    if rule == "amount.subtotal_mismatch":
        return subtotals.subtotal_mismatches(frame, "file", "node_key", "parent_key", fields)
    return frame[fields].astype("float64") < 0


def _context_params(rule: str, frame: pd.DataFrame, position: int) -> dict[str, object]:
    """Where else a duplicated code or period stands (``other_row``, ``other``), for the message."""
    row = frame.iloc[position]
    if rule == "code.duplicate":
        same = frame[(frame["file"] == row["file"]) & (frame["node_key"] == row["node_key"])]
        others = same.loc[same["row"] != row["row"], "row"]
        return {"other_row": int(others.iloc[0]) if not others.empty else ""}
    if rule == "batch.duplicate_period":
        same = frame[
            (frame["opd_code"] == row["opd_code"])
            & (frame["year"] == row["year"])
            & (frame["month"] == row["month"])
        ]
        return {"other": str(same["file"].iloc[0])}
    if rule == "cash_plan.duplicate_year":
        same = frame[(frame["opd_code"] == row["opd_code"]) & (frame["year"] == row["year"])]
        return {"other": str(same["file"].iloc[0])}
    return {"other_row": "", "other": ""}


def _split_cell(cell: str) -> tuple[str, int | None]:
    """("B", 4) from "B4"; ("", None) from ""."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    return letters, (int(digits) if digits else None)
