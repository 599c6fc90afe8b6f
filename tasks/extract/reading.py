"""Reading workbooks into staged files, in worker processes for large batches.

Kept apart from :mod:`tasks.operations.intake` so that a reading process imports only the readers (pandas and
python-calamine), not Great Expectations and the warehouse: a worker then starts in a fraction of a
second instead of seconds.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from tasks.core.columns import CASH_PLAN
from tasks.core.issues import InputError
from tasks.core.staging import MonthRead, PartError, StagedFile
from tasks.extract.cash_plan import read_cash_plan
from tasks.extract.indicators import read_indicators
from tasks.extract.kind import detect_kind
from tasks.extract.layouts import read_realization_months
from tasks.extract.limits import WorkbookLimits

#: Below this many files, starting worker processes costs more than it saves.
PROCESS_READ_THRESHOLD = 200


def read_workbook(
    path: Path,
    *,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    limits: WorkbookLimits | None = None,
) -> StagedFile:
    """A file holding one workbook (a month, an indicator workbook), staged; see :func:`read_file`.

    A year workbook holds several months: :func:`read_file` gives each; this raises ValueError for one.
    """
    staged = read_file(path, year=year, month=month, opd=opd, limits=limits)
    if len(staged) != 1:
        raise ValueError(f"{path} holds {len(staged)} months: read it with read_file")
    return staged[0]


def read_file(
    path: Path,
    *,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    limits: WorkbookLimits | None = None,
) -> list[StagedFile]:
    """Detect the workbook kind and extract it; problems become issues, not exceptions.

    A realization workbook gives one staged file per month it holds (a year workbook several, each
    with its ``part``); any other file (indicators, an anggaran kas plan) gives one. The run's year
    and month fill in a header block that lacks them; when the file states its own period, validation
    compares it with the run's (``period.wrong_year`` / ``period.wrong_month``). A file beyond
    ``limits`` (default: :class:`WorkbookLimits`) is refused before it is read.
    """
    try:
        kind = detect_kind(path, limits=limits)
        if kind == "realization":
            months = _read_with_fallback(
                lambda y, m: read_realization_months(path, opd=opd, year=y, month=m, limits=limits),
                year,
                month,
            )
            return [_staged_month(path, read) for read in _up_to(months, month)]
        reader = read_cash_plan if kind == CASH_PLAN else read_indicators
        workbook = _read_with_fallback(lambda y, _m: reader(path, opd=opd, year=y, limits=limits), year, None)
    except InputError as error:
        return [StagedFile(path=path, issues=tuple(error.issues))]
    return [StagedFile(path=path, kind=kind, workbook=workbook, issues=tuple(workbook.warnings))]


def _up_to(months: list[MonthRead], month: int | None) -> list[MonthRead]:
    """The months of a year workbook up to the run's month (a run for March takes January to March)."""
    if month is None or len(months) <= 1:
        return months
    return [read for read in months if read.month is None or read.month <= month]


def _staged_month(path: Path, read: MonthRead) -> StagedFile:
    """One month of a realization workbook, staged: its workbook, or its part's issues."""
    if isinstance(read, PartError):
        return StagedFile(path=path, kind="realization", issues=tuple(read.error.issues), part=read.part)
    return StagedFile(
        path=path, kind="realization", workbook=read, issues=tuple(read.warnings), part=read.part
    )


def read_workbooks(
    paths: Sequence[Path],
    *,
    year: int | None = None,
    month: int | None = None,
    opd: str | None = None,
    workers: int = 1,
    limits: WorkbookLimits | None = None,
) -> list[StagedFile]:
    """Read many workbooks, in ``workers`` processes when there are enough files to gain from it.

    Reading is CPU-bound Python (threads would share one core); worker processes come from a fork
    server, so they never inherit the threads of the calling process.
    """
    read = partial(read_file, year=year, month=month, opd=opd, limits=limits)
    if workers <= 1 or len(paths) < PROCESS_READ_THRESHOLD:
        return [staged for path in paths for staged in read(path)]
    processes = max(1, min(workers, os.cpu_count() or 1))  # more processes than cores only add switching
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.extract.reading"])
    chunk = max(1, min(64, len(paths) // (processes * 8)))
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        return [staged for months in pool.map(read, paths, chunksize=chunk) for staged in months]


def _read_with_fallback(read, year: int | None, month: int | None):
    """Read with the file's own period; retry with the run's period only where the file has none.

    The months of a year workbook are retried with the run's year only where every month lacks only
    what the header block should give (its month comes from its sheet or column group).
    """
    try:
        found = read(None, None)
    except InputError as error:
        if not _only_meta_missing(error) or (year is None and month is None):
            raise
        return read(year, month)
    if not isinstance(found, list) or year is None:
        return found
    failed = [m for m in found if isinstance(m, PartError)]
    if not failed or not all(_only_meta_missing(m.error) for m in failed):
        return found
    return read(year, month if len(found) == 1 else None)


def _only_meta_missing(error: InputError) -> bool:
    """True when every error says the header block lacks OPD, year or month (warnings aside: a year
    workbook tells of the sheets it passed over on its oldest month, refused or not)."""
    errors = [i for i in error.issues if i.severity == "error"]
    return bool(errors) and all(i.rule == "header.meta_missing" for i in errors)
