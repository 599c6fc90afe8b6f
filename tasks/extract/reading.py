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

from tasks.core.issues import InputError
from tasks.core.staging import IndicatorWorkbook, RealizationWorkbook, StagedFile
from tasks.extract.indicators import read_indicators
from tasks.extract.kind import detect_kind
from tasks.extract.limits import WorkbookLimits
from tasks.extract.realization import read_realization

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
    """Detect the workbook kind and extract it; problems become issues, not exceptions.

    The run's year and month fill in a header block that lacks them; when the file states its own
    period, validation compares it with the run's (``period.wrong_year`` / ``period.wrong_month``).
    A file beyond ``limits`` (default: :class:`WorkbookLimits`) is refused before it is read.
    """
    try:
        kind = detect_kind(path, limits=limits)
        if kind == "realization":
            workbook: RealizationWorkbook | IndicatorWorkbook = _read_with_fallback(
                lambda y, m: read_realization(path, opd=opd, year=y, month=m, limits=limits),
                year,
                month,
            )
        else:
            workbook = _read_with_fallback(
                lambda y, _m: read_indicators(path, opd=opd, year=y, limits=limits), year, None
            )
    except InputError as error:
        return StagedFile(path=path, issues=tuple(error.issues))
    return StagedFile(path=path, kind=kind, workbook=workbook, issues=tuple(workbook.warnings))


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
    read = partial(read_workbook, year=year, month=month, opd=opd, limits=limits)
    if workers <= 1 or len(paths) < PROCESS_READ_THRESHOLD:
        return [read(path) for path in paths]
    processes = max(1, min(workers, os.cpu_count() or 1))  # more processes than cores only add switching
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tasks.extract.reading"])
    chunk = max(1, min(64, len(paths) // (processes * 8)))
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        return list(pool.map(read, paths, chunksize=chunk))


def _read_with_fallback(read, year: int | None, month: int | None):
    """Read with the file's own period; retry with the run's period only where the file has none."""
    try:
        return read(None, None)
    except InputError as error:
        missing = [i for i in error.issues if i.rule == "header.meta_missing"]
        if not missing or len(missing) != len(error.issues) or (year is None and month is None):
            raise
        return read(year, month)
