"""The monthly flow: take one period's workbooks in and summarize budget absorption.

Read every file, validate the batch with the Great Expectations suites, load each clean file in its
own transaction, quarantine the rejected ones for the data steward, then publish the validation
results and a per-program absorption summary of every OPD-month loaded as Prefect artifacts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, get_run_logger, task, unmapped
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.states import State
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import quote
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from flows.states import intake_state
from sakip.settings import load_settings
from tasks.consolidation import consolidated_markdown
from tasks.core.staging import StagedFile
from tasks.core.text import printable
from tasks.extract.reading import read_workbooks
from tasks.ingest import (
    FileOutcome,
    WorkbookSearch,
    find_workbooks,
    load_shares,
    load_workbooks,
    output_folders,
    quarantine_rejected,
    record_validation_runs,
    split_by_opd,
    validate_batch,
)
from tasks.report_tables import consolidated_absorption, monthly_absorption
from tasks.summaries import absorption_markdown, outcome_log_lines, rejection_table, validation_table
from tasks.validate.context import SuiteRun
from warehouse.db import engine_for, open_warehouse

#: Threads for the flow's tasks (the load shares run side by side), as many as the run's workers.
TASK_THREADS = load_settings().workers
#: Runs with more OPDs than this publish the city-level consolidation instead of one monitoring per OPD.
MONITORING_ARTIFACT_LIMIT = 10

discover_workbooks_task = task(find_workbooks, name="discover_workbooks", cache_policy=NO_CACHE)
read_workbooks_task = task(read_workbooks, name="read_workbooks", cache_policy=NO_CACHE)


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


def transient_database_error(_task, _task_run, state) -> bool:
    """Retry only when the database connection failed, was busy or broke a deadlock, never on bad data."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


@task(
    name="load_workbooks",
    cache_policy=NO_CACHE,
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=transient_database_error,
)
def load_workbooks_task(url: str, staged: list[StagedFile]) -> list[FileOutcome]:
    """Load a share of the checked files into the warehouse, each in its own transaction.

    A retry re-runs the whole share safely: a file already loaded is reported unchanged.
    """
    return load_workbooks(engine_for(url), staged)


@task(name="quarantine_rejected", cache_policy=NO_CACHE)
def quarantine_rejected_task(
    outcomes: list[FileOutcome],
    workdir: str | None,
    lang: str,
    run_period: tuple[int, int] | None,
    move: bool = False,
) -> list[FileOutcome]:
    """Hand the rejected files to the data steward (copies, or the files themselves with ``move``)."""
    settings = load_settings(workdir)
    return [quarantine_rejected(outcome, settings, lang, run_period, move=move) for outcome in outcomes]


@task(name="summarize_absorption", cache_policy=NO_CACHE)
def summarize_absorption_task(url: str, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """Per-program absorption of one OPD-month."""
    return monthly_absorption(engine_for(url), opd_code, year, month)


@task(name="monitor_month", cache_policy=NO_CACHE)
def monitor_month_task(url: str, opd_code: str, year: int, month: int, workdir: str | None) -> str:
    """The monitoring of one OPD-month (deviasi against RAK, early warning) as markdown."""
    from sakip.report_config import report_config
    from tasks.monitoring import monitoring_markdown, monitoring_table

    config = report_config(load_settings(workdir))
    return monitoring_markdown(
        monitoring_table(engine_for(url), opd_code, year, month, config), opd_code, year, month
    )


@task(name="summarize_month", cache_policy=NO_CACHE)
def consolidated_absorption_task(url: str, year: int, month: int) -> pd.DataFrame:
    """Every OPD's absorption of one month."""
    return consolidated_absorption(engine_for(url), year, month)


@flow(
    name="sakip-monthly",
    log_prints=True,
    task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS),
)
def monthly_flow(
    paths: list[str],
    workdir: str | None = None,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    corrections: bool = False,
    lang: str = "id",
    move_rejected: bool = False,
) -> State[list[FileOutcome]]:
    """Take in the workbooks at ``paths`` (files or folders) and summarize each OPD-month loaded.

    Rejected files are copied to quarantine and stay where they are; ``move_rejected`` moves them
    instead, for a caller that owns its folder (the inbox). Folders sakip writes are not searched.
    Returns every file's outcome; the run ends Completed, named Rejected when a file was rejected.
    """
    settings = load_settings(workdir)
    open_warehouse(settings.url)
    search: WorkbookSearch = discover_workbooks_task([Path(p) for p in paths], output_folders(settings))
    for folder, (what, count) in search.skipped.items():
        get_run_logger().info(
            "skipped %s: %d workbook(s) in a folder sakip writes (%s)", printable(folder), count, what
        )
    files = search.files
    staged = read_workbooks_task(
        files, year=year, month=month, opd=opd, workers=settings.workers, limits=settings.workbook_limits
    )
    # quote(): Prefect would otherwise walk every staged file (and its issues) looking for futures,
    # a third of a second per hand-over on a province's 1,400 files
    checked, runs = validate_batch_task(settings.url, quote(staged), workdir, year, month, corrections)
    shares = [quote(share) for share in split_by_opd(checked, load_shares(settings.url, settings.workers))]
    loaded = {
        o.path: o for share in load_workbooks_task.map(unmapped(settings.url), shares).result() for o in share
    }
    outcomes = [loaded[staged.path] for staged in checked]  # in the order the files were given
    run_period = (year, month) if year is not None and month is not None else None
    rejected = [o for o in outcomes if o.status == "rejected"]
    if rejected:
        quarantined = {
            o.path: o for o in quarantine_rejected_task(rejected, workdir, lang, run_period, move_rejected)
        }
        outcomes = [quarantined.get(o.path, o) for o in outcomes]
    if runs:
        create_table_artifact(
            validation_table(runs, outcomes), key="validasi", description="Hasil validasi berkas"
        )
    if rejected:
        create_table_artifact(
            rejection_table(outcomes, lang), key="berkas-ditolak", description="Berkas ditolak dan masalahnya"
        )
    periods = sorted(
        {
            (o.opd_code, o.year, o.month)
            for o in outcomes
            if o.kind == "realization" and o.status in ("loaded", "unchanged")
        }
    )
    if len({opd_code for opd_code, _, _ in periods}) == 1:  # one OPD: its programs, month by month
        for opd_code, period_year, period_month in periods:
            summary = summarize_absorption_task(settings.url, opd_code, period_year, period_month)
            create_markdown_artifact(
                absorption_markdown(summary, opd_code, period_year, period_month),
                key=f"serapan-{opd_code.replace('.', '-')}-{period_year}-{period_month:02d}".lower(),
                description=f"Serapan anggaran {opd_code} {period_month:02d}/{period_year}",
            )
    else:  # several OPDs: the city-level comparison of each month
        for period_year, period_month in sorted({(y, m) for _, y, m in periods}):
            table = consolidated_absorption_task(settings.url, period_year, period_month)
            create_markdown_artifact(
                consolidated_markdown(table, period_year, period_month),
                key=f"konsolidasi-serapan-{period_year}-{period_month:02d}",
                description=f"Konsolidasi serapan {period_month:02d}/{period_year}",
            )
    latest = {opd_code: (period_year, period_month) for opd_code, period_year, period_month in periods}
    if (
        len(latest) > MONITORING_ARTIFACT_LIMIT
    ):  # a city's run: the consolidation above; `sakip monthly` per OPD
        latest = {}
    for opd_code, (period_year, period_month) in sorted(latest.items()):  # monitoring of the newest month
        create_markdown_artifact(
            monitor_month_task(settings.url, opd_code, period_year, period_month, workdir),
            key=f"monitoring-{opd_code.replace('.', '-')}-{period_year}-{period_month:02d}".lower(),
            description=f"Monitoring realisasi {opd_code} {period_month:02d}/{period_year}",
        )
    logger = get_run_logger()
    for level, line in outcome_log_lines(outcomes, every_file=len(outcomes) <= MONITORING_ARTIFACT_LIMIT):
        logger.log(level, "%s", line)
    for outcome in outcomes:
        if outcome.quarantine_failure:
            logger.error("%s: %s", printable(outcome.name), outcome.quarantine_failure)
    counts = {
        status: sum(o.status == status for o in outcomes) for status in ("loaded", "unchanged", "rejected")
    }
    logger.info("%d file(s): %s", len(outcomes), counts)
    return intake_state(outcomes, counts["rejected"], len(outcomes))
