"""The monthly flow: take one period's workbooks in and summarize budget absorption.

Read every file, validate the batch with the Great Expectations suites, load each clean file in its
own transaction, quarantine the rejected ones for the data steward, then publish the validation
results and a per-program absorption summary of every OPD-month loaded as Prefect artifacts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from sakip.settings import load_settings
from tasks.ingest import (
    FileOutcome,
    StagedFile,
    discover_workbooks,
    load_workbook,
    quarantine_rejected,
    read_workbook,
    record_validation_runs,
    validate_batch,
)
from tasks.report_tables import monthly_absorption
from tasks.summaries import absorption_markdown, validation_table
from tasks.validate import SuiteRun
from warehouse.db import engine_for, open_warehouse

discover_workbooks_task = task(discover_workbooks, name="discover_workbooks", cache_policy=NO_CACHE)
read_workbook_task = task(read_workbook, name="read_workbook", cache_policy=NO_CACHE)


@task(name="validate_batch", cache_policy=NO_CACHE)
def validate_batch_task(
    url: str,
    staged: list[StagedFile],
    workdir: str | None,
    year: int | None,
    month: int | None,
    corrections: bool,
) -> tuple[list[StagedFile], list[SuiteRun]]:
    """Validate the batch with the Great Expectations suites and record the suite runs."""
    checked, runs = validate_batch(
        staged, engine_for(url), load_settings(workdir), year=year, month=month, corrections=corrections
    )
    record_validation_runs(engine_for(url), runs)
    return checked, runs


@task(name="load_workbook", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def load_workbook_task(url: str, staged: StagedFile) -> FileOutcome:
    """Load one checked file into the warehouse (or record its rejection)."""
    return load_workbook(engine_for(url), staged)


@task(name="quarantine_rejected", cache_policy=NO_CACHE)
def quarantine_rejected_task(outcome: FileOutcome, workdir: str | None, lang: str) -> FileOutcome:
    """Hand a rejected file to the data steward, with its annotated copy."""
    return quarantine_rejected(outcome, load_settings(workdir), lang)


@task(name="summarize_absorption", cache_policy=NO_CACHE)
def summarize_absorption_task(url: str, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """Per-program absorption of one OPD-month."""
    return monthly_absorption(engine_for(url), opd_code, year, month)


@flow(name="sakip-monthly", log_prints=True)
def monthly_flow(
    paths: list[str],
    workdir: str | None = None,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    corrections: bool = False,
    lang: str = "id",
) -> list[FileOutcome]:
    """Take in the workbooks at ``paths`` (files or folders) and summarize each OPD-month loaded."""
    settings = load_settings(workdir)
    open_warehouse(settings.url)
    files = discover_workbooks_task([Path(p) for p in paths])
    staged = [read_workbook_task(path, year=year, month=month, opd=opd) for path in files]
    checked, runs = validate_batch_task(settings.url, staged, workdir, year, month, corrections)
    outcomes = [load_workbook_task(settings.url, one) for one in checked]
    outcomes = [quarantine_rejected_task(outcome, workdir, lang) for outcome in outcomes]
    if runs:
        create_table_artifact(
            validation_table(runs, outcomes), key="validasi", description="Hasil validasi berkas"
        )
    periods = sorted(
        {
            (o.opd_code, o.year, o.month)
            for o in outcomes
            if o.kind == "realization" and o.status in ("loaded", "unchanged")
        }
    )
    for opd_code, period_year, period_month in periods:
        summary = summarize_absorption_task(settings.url, opd_code, period_year, period_month)
        create_markdown_artifact(
            absorption_markdown(summary, opd_code, period_year, period_month),
            key=f"serapan-{opd_code.replace('.', '-')}-{period_year}-{period_month:02d}".lower(),
            description=f"Serapan anggaran {opd_code} {period_month:02d}/{period_year}",
        )
    logger = get_run_logger()
    for outcome in outcomes:
        logger.info("%s: %s (%d rows)", outcome.path.name, outcome.status, outcome.rows)
    return outcomes
