"""The ingest flow: take a batch of workbooks in and summarize budget absorption.

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

from flows.entry import prefect_home, run_settings
from flows.states import intake_state
from tasks.core.agencies import check_agencies
from tasks.core.scales import ReportScales
from tasks.core.staging import StagedFile
from tasks.core.text import printable
from tasks.extract.limits import WorkbookLimits
from tasks.extract.reading import read_workbooks
from tasks.operations.agencies import known_agency_names
from tasks.operations.artifacts import (
    MONITORING_ARTIFACT_LIMIT,
    MarkdownArtifact,
    absorption_artifact,
    consolidation_artifact,
    loaded_periods,
    monitored_months,
    monitoring_artifact,
    months_of,
    one_opd,
    outcome_counts,
    outcome_log_lines,
    rejection_table,
    validation_table,
)
from tasks.operations.consolidation import consolidated_absorption, consolidated_markdown
from tasks.operations.intake import (
    FileOutcome,
    find_workbooks,
    load_shares,
    load_workbooks,
    output_folders,
    quarantine_rejected_files,
    record_validation_runs,
    split_by_opd,
    validate_batch,
)
from tasks.operations.monitoring import monitoring_markdown, monitoring_table, monthly_absorption
from tasks.settings import Settings
from tasks.validate.context import SuiteRun
from warehouse.db import engine_for, open_warehouse

discover_workbooks_task = task(find_workbooks, name="discover_workbooks", cache_policy=NO_CACHE)
read_workbooks_task = task(read_workbooks, name="read_workbooks", cache_policy=NO_CACHE)


@task(name="validate_batch", cache_policy=NO_CACHE)
def validate_batch_task(
    url: str,
    staged: list[StagedFile],
    workdir: Path,
    gx_keep_results: int,
    known_opds: list[str] | None,
    capaian_bound_pct: float,
    year: int | None,
    month: int | None,
    corrections: bool,
) -> tuple[list[StagedFile], list[SuiteRun]]:
    """Validate the batch with the Great Expectations suites and record the suite runs."""
    checked, runs = validate_batch(
        staged,
        engine_for(url),
        workdir,
        gx_keep_results=gx_keep_results,
        known_opds=known_opds,
        capaian_bound_pct=capaian_bound_pct,
        year=year,
        month=month,
        corrections=corrections,
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
def load_workbooks_task(url: str, staged: list[StagedFile], loaded_by: str) -> list[FileOutcome]:
    """Load a share of the checked files into the warehouse, each in its own transaction, recorded as
    loaded by ``loaded_by``.

    A retry re-runs the whole share safely: a file already loaded is reported unchanged.
    """
    return load_workbooks(engine_for(url), staged, loaded_by)


@task(name="quarantine_rejected", cache_policy=NO_CACHE)
def quarantine_rejected_task(
    outcomes: list[FileOutcome],
    quarantine_dir: Path,
    limits: WorkbookLimits,
    lang: str,
    run_period: tuple[int, int] | None,
    move: bool = False,
) -> list[FileOutcome]:
    """Hand the rejected files to the data steward (copies, or the files themselves with ``move``)."""
    return quarantine_rejected_files(outcomes, quarantine_dir, limits, lang, run_period, move=move)


@task(name="summarize_absorption", cache_policy=NO_CACHE)
def summarize_absorption_task(url: str, opd_code: str, year: int, month: int) -> pd.DataFrame:
    """Per-program absorption of one OPD-month."""
    return monthly_absorption(engine_for(url), opd_code, year, month)


@task(name="monitor_month", cache_policy=NO_CACHE)
def monitor_month_task(url: str, opd_code: str, year: int, month: int, scales: ReportScales) -> str:
    """The monitoring of one OPD-month (deviasi against RAK, early warning) as markdown."""
    table = monitoring_table(engine_for(url), opd_code, year, month, scales)
    return monitoring_markdown(table, opd_code, year, month)


@task(name="summarize_month", cache_policy=NO_CACHE)
def consolidated_absorption_task(url: str, year: int, month: int) -> pd.DataFrame:
    """Every OPD's absorption of one month."""
    return consolidated_absorption(engine_for(url), year, month)


def publish(artifact: MarkdownArtifact) -> None:
    """Publish a markdown artifact of the run."""
    create_markdown_artifact(artifact.markdown, key=artifact.key, description=artifact.description)


# The load shares run side by side on the flow's threads; their number (load_shares: one on SQLite,
# else the run's workers) bounds how many run at once.
@flow(name="sakip-ingest", log_prints=True, task_runner=ThreadPoolTaskRunner())
def ingest_flow(
    paths: list[str],
    workdir: str | None = None,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    corrections: bool = False,
    lang: str = "id",
    move_rejected: bool = False,
    loaded_by: str | None = None,
    settings: Settings | None = None,
    require_header_opd: bool = False,
) -> State[list[FileOutcome]]:
    """Take in the workbooks at ``paths`` (files or folders) and summarize each OPD-month loaded.

    Rejected files are copied to quarantine and stay where they are; ``move_rejected`` moves them
    instead, for a caller that owns its folder (the inbox). Folders sakip writes are not searched.
    ``loaded_by`` names who loads (the signed-in user of the web application; by default the settings'
    user: ``SAKIP_USER`` or the account running the process). ``settings``: the caller's, else loaded
    here once. ``opd`` (a code) is the agency the files are for: a header naming another agency, by
    code or by name, is refused, one naming none is read as ``opd``'s, or refused with
    ``require_header_opd`` (an agency's user of the web application); a refused file is recorded
    under ``opd`` when its own agency could not be read. Returns every file's outcome; the run ends
    Completed, named Rejected when a file was rejected.
    """
    settings = run_settings(settings, workdir)
    who = settings.user if loaded_by is None else loaded_by
    url = settings.url
    open_warehouse(url)
    logger = get_run_logger()
    folders = output_folders(
        settings.workdir, settings.reports_dir, settings.quarantine_dir, settings.archive_dir, prefect_home()
    )
    search = discover_workbooks_task([Path(p) for p in paths], folders)
    for folder, (what, count) in search.skipped.items():
        logger.info(
            "skipped %s: %d workbook(s) in a folder sakip writes (%s)", printable(folder), count, what
        )
    staged = read_workbooks_task(
        search.files,
        year=year,
        month=month,
        opd=opd,
        workers=settings.workers,
        limits=settings.workbook_limits,
    )
    if opd:
        names = known_agency_names(engine_for(url), settings.registered_opds())
        staged = check_agencies(staged, opd, names, require_header_opd=require_header_opd)
    # quote(): Prefect would otherwise walk every staged file (and its issues) looking for futures,
    # a third of a second per hand-over on a province's 1,400 files
    checked, runs = validate_batch_task(
        url,
        quote(staged),
        settings.workdir,
        settings.gx_keep_results,
        settings.known_opds(),
        settings.scales.capaian_bound_pct,
        year,
        month,
        corrections,
    )
    shares = [quote(share) for share in split_by_opd(checked, load_shares(url, settings.workers))]
    loaded = {
        o.key: o
        for share in load_workbooks_task.map(unmapped(url), shares, unmapped(who)).result()
        for o in share
    }
    outcomes = [loaded[staged.key] for staged in checked]  # in the order the files were given
    rejected = [o for o in outcomes if o.status == "rejected"]
    if rejected:
        run_period = (year, month) if year is not None and month is not None else None
        handed = quarantine_rejected_task(
            rejected,
            settings.quarantine_dir,
            settings.workbook_limits,
            lang,
            run_period,
            move_rejected,
        )
        quarantined = {o.key: o for o in handed}
        outcomes = [quarantined.get(o.key, o) for o in outcomes]
    if runs:
        create_table_artifact(
            validation_table(runs, outcomes), key="validasi", description="Hasil validasi berkas"
        )
    if rejected:
        create_table_artifact(
            rejection_table(outcomes, lang), key="berkas-ditolak", description="Berkas ditolak dan masalahnya"
        )
    periods = loaded_periods(outcomes)
    if one_opd(periods):  # one OPD: its programs, month by month
        for opd_code, period_year, period_month in periods:
            summary = summarize_absorption_task(url, opd_code, period_year, period_month)
            publish(absorption_artifact(summary, opd_code, period_year, period_month))
    else:  # several OPDs: the city-level comparison of each month
        for period_year, period_month in months_of(periods):
            table = consolidated_absorption_task(url, period_year, period_month)
            publish(
                consolidation_artifact(
                    consolidated_markdown(table, period_year, period_month), period_year, period_month
                )
            )
    for opd_code, period_year, period_month in monitored_months(periods):  # the newest month of each OPD
        markdown = monitor_month_task(url, opd_code, period_year, period_month, settings.scales)
        publish(monitoring_artifact(markdown, opd_code, period_year, period_month))
    for level, line in outcome_log_lines(outcomes, every_file=len(outcomes) <= MONITORING_ARTIFACT_LIMIT):
        logger.log(level, "%s", line)
    for outcome in outcomes:
        if outcome.quarantine_failure:
            logger.error("%s: %s", printable(outcome.name), outcome.quarantine_failure)
    counts = outcome_counts(outcomes)
    logger.info("%d file(s): %s", len(outcomes), counts)
    return intake_state(outcomes, counts["rejected"], len(outcomes))
