"""Validating a batch: realization workbooks month by month (each against the month before, from
the batch when it passed or from the warehouse), indicator workbooks together, anggaran kas
workbooks together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tasks.core.issues import InputIssue
from tasks.core.staging import CashPlanWorkbook, IndicatorWorkbook, RealizationWorkbook
from tasks.validate.context import CASH_PLAN_SUITE, INDICATOR_SUITE, REALIZATION_SUITE, SuiteRun, Validator
from tasks.validate.frames import (
    Labels,
    PreviousLookup,
    batch_previous_lookup,
    cash_plan_frame,
    indicator_frame,
    labels_of,
    realization_frame,
)
from tasks.validate.results import results_to_issues


@dataclass
class BatchValidation:
    """Issues per file (keyed by its label, see :func:`tasks.core.staging.file_labels`), one run per file."""

    issues: dict[str, list[InputIssue]] = field(default_factory=dict)
    runs: list[SuiteRun] = field(default_factory=list)


def validate_realizations(
    validator: Validator,
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    *,
    year: int | None = None,
    month: int | None = None,
    known_opds: Sequence[str] | None = None,
    corrections: Iterable[str] = (),
    labels: Labels | None = None,
    following: PreviousLookup | None = None,
) -> BatchValidation:
    """Validate the realization workbooks of a batch with the monthly suite (issues keyed by file label).

    ``previous`` gives the month before each file's (see :func:`realization_frame`); ``following``,
    when given, the month after it already loaded, which each file must stay consistent with.
    """
    if not workbooks:
        return BatchValidation()
    labels = labels_of(workbooks, labels)
    periods = sorted({(wb.year, wb.month) for wb in workbooks})
    if len(periods) > 1:
        return _validate_month_by_month(
            validator,
            workbooks,
            previous,
            periods,
            year=year,
            month=month,
            known_opds=known_opds,
            corrections=corrections,
            labels=labels,
            following=following,
        )
    frame = realization_frame(workbooks, previous, corrections, labels, following)
    # the months of a year workbook up to the run's month are the run's (a run for March loads a year
    # workbook's January to March; see tasks.extract.reading)
    year_months = {wb.month for wb in workbooks if wb.part and month is not None and wb.month <= month}
    parameters = {
        "run_years": [year] if year is not None else sorted({int(y) for y in frame["year"]}),
        "run_months": sorted({month, *year_months})
        if month is not None
        else sorted({int(m) for m in frame["month"]}),
        "known_opds": list(known_opds) if known_opds is not None else sorted(set(frame["opd_code"])),
        "expected_year": year,
        "expected_month": month,
    }
    frame["expected_year"] = year if year is not None else frame["year"]
    frame["expected_month"] = month if month is not None else frame["month"]
    if year_months:
        parts = np.repeat([bool(wb.part) for wb in workbooks], [len(wb.lines) for wb in workbooks])
        frame.loc[parts, "expected_month"] = frame.loc[parts, "month"]
    return _validate(
        validator, REALIZATION_SUITE, frame, {labels[wb.key]: wb for wb in workbooks}, parameters
    )


def _validate_month_by_month(
    validator: Validator,
    workbooks: Sequence[RealizationWorkbook],
    previous: PreviousLookup,
    periods: list[tuple[int, int]],
    *,
    following: PreviousLookup | None = None,
    **options,
) -> BatchValidation:
    """One suite run per period, oldest first; a month's predecessor in the batch counts only if it passed.

    A month whose successor is in the batch is checked against it when the successor is validated;
    should the successor be rejected, the month stands next to the successor already loaded, so it
    is checked again against that one (newest first: a month rejected then leaves its predecessor
    next to the loaded month in turn).
    """
    labels: Labels = options["labels"]
    in_batch = {(wb.opd_code, wb.year, wb.month) for wb in workbooks}

    def loaded_successor(opd_code: str, year: int, month: int) -> pd.DataFrame | None:
        if following is None or (opd_code, year, month) in in_batch:
            return None
        return following(opd_code, year, month)

    def errors(result: BatchValidation, wb: RealizationWorkbook) -> bool:
        return any(issue.severity == "error" for issue in result.issues[labels[wb.key]])

    combined = BatchValidation()
    passed: dict[int, RealizationWorkbook] = {}
    for period in periods:
        group = [wb for wb in workbooks if (wb.year, wb.month) == period]
        lookup = batch_previous_lookup(list(passed.values()), previous)
        result = validate_realizations(validator, group, lookup, following=loaded_successor, **options)
        combined.issues.update(result.issues)
        combined.runs += result.runs
        passed.update({id(wb): wb for wb in group if not errors(result, wb)})
    if following is None:
        return combined
    for period in reversed(periods):
        standing = {(wb.opd_code, wb.year, wb.month) for wb in passed.values()}
        again = [
            wb
            for wb in passed.values()
            if (wb.year, wb.month) == period
            and (wb.opd_code, wb.year, wb.month + 1) in in_batch
            and (wb.opd_code, wb.year, wb.month + 1) not in standing
        ]
        if not again:
            continue
        lookup = batch_previous_lookup(list(passed.values()), previous)
        result = validate_realizations(validator, again, lookup, following=following, **options)
        combined.issues.update(result.issues)
        rechecked = {labels[wb.key] for wb in again}
        combined.runs = [run for run in combined.runs if run.file not in rechecked] + result.runs
        for wb in again:
            if errors(result, wb):
                del passed[id(wb)]
    return combined


def validate_indicator_workbooks(
    validator: Validator,
    workbooks: Sequence[IndicatorWorkbook],
    *,
    year: int | None = None,
    known_opds: Sequence[str] | None = None,
    capaian_bound_pct: float = 300.0,
    labels: Labels | None = None,
) -> BatchValidation:
    """Validate the indicator workbooks of a batch with the yearly suite (issues keyed by file label)."""
    if not workbooks:
        return BatchValidation()
    labels = labels_of(workbooks, labels)
    frame = indicator_frame(workbooks, labels)
    frame["expected_year"] = year if year is not None else frame["year"]
    parameters = {
        "run_years": [year] if year is not None else sorted({int(y) for y in frame["year"]}),
        "known_opds": list(known_opds) if known_opds is not None else sorted(set(frame["opd_code"])),
        "capaian_bound_pct": capaian_bound_pct,
    }
    return _validate(validator, INDICATOR_SUITE, frame, {labels[wb.key]: wb for wb in workbooks}, parameters)


def validate_cash_plans(
    validator: Validator,
    workbooks: Sequence[CashPlanWorkbook],
    *,
    year: int | None = None,
    known_opds: Sequence[str] | None = None,
    labels: Labels | None = None,
) -> BatchValidation:
    """Validate the anggaran kas workbooks of a batch with their suite (issues keyed by file label)."""
    if not workbooks:
        return BatchValidation()
    labels = labels_of(workbooks, labels)
    frame = cash_plan_frame(workbooks, labels)
    if year is not None:
        frame["expected_year"] = year
    parameters = {
        "run_years": [year] if year is not None else sorted({int(y) for y in frame["year"]}),
        "known_opds": list(known_opds) if known_opds is not None else sorted(set(frame["opd_code"])),
    }
    return _validate(validator, CASH_PLAN_SUITE, frame, {labels[wb.key]: wb for wb in workbooks}, parameters)


def _validate(
    validator: Validator, suite: str, frame: pd.DataFrame, workbooks: dict, parameters: dict
) -> BatchValidation:
    """Run one suite on a stacked frame and attribute the failures to their files."""
    results, docs_url = validator.run(suite, frame, parameters)
    issues, failed = results_to_issues(results, frame, workbooks, parameters)
    runs = []
    for name, wb in workbooks.items():
        errors = sum(issue.severity == "error" for issue in issues[name])
        runs.append(
            SuiteRun(
                file=name,
                sha256=wb.sha256,
                suite=suite,
                suite_version=validator.versions[suite],
                success=errors == 0,
                evaluated=len(results),
                failed=len(failed[name]),
                errors=errors,
                warnings=len(issues[name]) - errors,
                data_docs_url=docs_url,
                opd_code=wb.opd_code,
                year=wb.year,
                month=getattr(wb, "month", None),
            )
        )
    return BatchValidation(issues=issues, runs=runs)
