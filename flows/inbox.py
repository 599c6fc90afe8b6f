"""The scheduled monthly run: take the inbox's workbooks of last month, archive what loaded.

The inbox belongs to sakip: every file that leaves it is moved, loaded ones to the archive and
rejected ones to quarantine (a file that could not be quarantined stays for the next run).

Deployed from ``deployments/prefect.yaml`` on a cron schedule (the 5th at 06:00 Asia/Jakarta by
default); without parameters it processes the month before the run, from ``<inbox>/<year>/<MM>/``,
and the workbooks lying directly in the inbox (their period read from their header block).
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from flows.entry import run_settings
from flows.ingest import ingest_flow
from flows.states import intake_state
from tasks.operations.artifacts import outcome_counts
from tasks.operations.inbox import archive_loaded, loose_workbooks, period_folder, previous_month
from tasks.operations.intake import FileOutcome
from tasks.settings import Settings


@task(name="archive_loaded", cache_policy=NO_CACHE)
def archive_loaded_task(outcomes: list[FileOutcome], archive: Path) -> list[str]:
    """Move the files that loaded (or were already loaded) to the archive, named by their sha256."""
    return [str(path) for path in archive_loaded(outcomes, archive)]


@flow(name="sakip-inbox", log_prints=True)
def inbox_flow(
    inbox: str | None = None,
    year: int | None = None,
    month: int | None = None,
    workdir: str | None = None,
    settings: Settings | None = None,
) -> State[dict[str, int]]:
    """Process one month of the inbox (default: the month before today in Asia/Jakarta).

    ``settings``: the caller's, else loaded here once (and handed to the ingest runs). Returns the count
    of files per outcome; the run ends Completed, named Rejected when a file was rejected.
    """
    settings = run_settings(settings, workdir)
    folder = Path(inbox) if inbox else settings.inbox_dir
    if year is None or month is None:
        year, month = previous_month()
    outcomes: list[FileOutcome] = []
    period = period_folder(folder, year, month)
    if period.is_dir():
        outcomes += ingest_flow([str(period)], year=year, month=month, move_rejected=True, settings=settings)
    loose = loose_workbooks(folder)
    if loose:
        outcomes += ingest_flow([str(p) for p in loose], move_rejected=True, settings=settings)
    archived = archive_loaded_task(outcomes, settings.archive_dir)
    counts = outcome_counts(outcomes)
    print(f"{year}-{month:02d}: {counts}, archived {len(archived)} file(s)")
    return intake_state(counts, counts["rejected"], len(outcomes))
