"""The steps of taking workbooks in: find, read, validate, load, quarantine; each a plain function.

Each step passes :class:`StagedFile` objects along; once a file has errors the later steps leave it
alone, the load step records it as rejected and the quarantine step hands it to the data steward,
so one bad file never stops the others.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from tasks.core.calendar import now_utc
from tasks.core.files import file_sha256
from tasks.core.issues import InputError, InputIssue
from tasks.core.problems import EnvironmentProblem, explain_environment
from tasks.core.staging import (
    CORRECTION_MARKERS,
    CashPlanWorkbook,
    IndicatorWorkbook,
    RealizationWorkbook,
    StagedFile,
    file_labels,
    part_name,
)
from tasks.core.text import printable
from tasks.extract.limits import WorkbookLimits
from tasks.load.batches import LoadResult, record_rejection
from tasks.load.bulk import load_new_months
from tasks.load.cash_plan import load_cash_plan
from tasks.load.indicators import load_indicators
from tasks.load.realization import load_realization
from tasks.operations.quarantine import quarantine_file
from tasks.validate.context import SuiteRun, validator_for
from warehouse.models import ValidationRun
from warehouse.queries import loaded_months, previous_month_rows

LOGGER = logging.getLogger(__name__)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file."""

    path: Path
    kind: str
    status: str  # loaded | unchanged | rejected
    rows: int = 0
    opd_code: str = ""
    year: int | None = None
    month: int | None = None
    issues: tuple[InputIssue, ...] = field(default=())
    quarantined: Path | None = None
    annotated: Path | None = None
    #: why the rejected file could not be quarantined (a full disk ...), in the run's language
    quarantine_failure: str = ""
    label: str = ""  # the file's name in messages, unique in its batch ("" = its name)
    #: the month of a year workbook this outcome is of (see ``RealizationWorkbook.part``); "" for a file
    part: str = ""

    @property
    def key(self) -> tuple[Path, str]:
        """The file, and the month of a year workbook, this outcome is of."""
        return (self.path, self.part)

    @property
    def name(self) -> str:
        """The file's name in messages: its label, or its name with the part of a year workbook."""
        return self.label or part_name(self.path.name, self.part)


#: The folders sakip writes under the work folder, with what they hold (Bahasa Indonesia, English).
OUTPUT_FOLDERS: dict[str, tuple[str, str]] = {
    "reports": ("laporan", "reports"),
    "quarantine": ("karantina", "quarantine"),
    "archive": ("arsip", "archive"),
    "data-docs": ("Data Docs", "Data Docs"),
    "gx": ("hasil validasi", "validation results"),
    "logs": ("log", "logs"),
    "uploads": ("kiriman lewat web", "web uploads"),
    "prefect": ("status Prefect", "Prefect state"),
}


@dataclass(frozen=True)
class WorkbookSearch:
    """The workbooks found under the paths given, and the output folders passed over on the way."""

    files: list[Path]
    #: folder sakip writes (as found under a path given) -> (what it holds, workbooks passed over)
    skipped: dict[Path, tuple[str, int]] = field(default_factory=dict)


def output_folders(
    workdir: Path, reports: Path, quarantine: Path, archive: Path, prefect_home: Path | None = None
) -> dict[Path, str]:
    """Every folder sakip writes (reports, quarantine, archive, Data Docs, GX, logs, web uploads, Prefect's
    state: the work folder's server, and ``prefect_home`` when the caller gives it)."""
    folders = {
        reports: "reports",
        quarantine: "quarantine",
        archive: "archive",
        workdir / "data-docs": "data-docs",
        workdir / "gx": "gx",
        workdir / "logs": "logs",
        workdir / "uploads": "uploads",
        workdir / "prefect": "prefect",  # the work folder's server (``sakip server start``)
    }
    if prefect_home is not None:
        folders[prefect_home] = "prefect"
    return folders


def is_workbook(name: str) -> bool:
    """A workbook by its name (not an Excel lock file ``~$...``)."""
    return name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith("~$")


def _count_workbooks(folder: Path) -> int:
    """Workbooks anywhere under ``folder``."""
    return sum(is_workbook(name) for _, _, names in os.walk(folder) for name in names)


def _owner(folder: Path, excluded: dict[Path, str]) -> Path | None:
    """The output folder that is ``folder`` or holds it, if any."""
    return next((out for out in excluded if folder == out or out in folder.parents), None)


def find_workbooks(paths: Sequence[Path], exclude: dict[Path, str] | None = None) -> WorkbookSearch:
    """Files named, and the workbooks inside folders named (sorted), passing over the ``exclude`` folders.

    A folder sakip writes is never taken as input when a folder is given, so a work folder's reports
    and quarantined files are not read back as workbooks; a file named explicitly is always taken.
    """
    excluded = {Path(os.path.realpath(folder)): what for folder, what in (exclude or {}).items()}
    found: list[Path] = []
    skipped: dict[Path, tuple[str, int]] = {}

    def skip(shown: Path, real: Path) -> None:
        owner = _owner(real, excluded)
        what = excluded[owner] if owner is not None else ""
        skipped[shown] = (what, skipped.get(shown, (what, 0))[1] + _count_workbooks(shown))

    for path in paths:
        path = Path(path)
        if not path.is_dir():
            found.append(path)
            continue
        if _owner(Path(os.path.realpath(path)), excluded) is not None:
            skip(path, Path(os.path.realpath(path)))
            continue
        inside: list[Path] = []
        for top, folders, names in os.walk(path):
            kept = []
            for name in sorted(folders):
                sub = Path(top) / name
                real = Path(os.path.realpath(sub))
                if _owner(real, excluded) is not None:
                    skip(sub, real)
                else:
                    kept.append(name)
            folders[:] = kept
            inside += [Path(top) / name for name in names if is_workbook(name)]
        found += sorted(p for p in inside if p.is_file())
    return WorkbookSearch(unique_files(found), skipped)


def discover_workbooks(paths: list[Path], exclude: dict[Path, str] | None = None) -> list[Path]:
    """Files named on the command line, and the workbooks inside folders named there (sorted)."""
    return find_workbooks(paths, exclude).files


def unique_files(paths: Sequence[Path]) -> list[Path]:
    """``paths`` without repeats of the same file (however it was spelled), first occurrence kept."""
    seen: set[Path] = set()
    unique: list[Path] = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _sha256_if_readable(path: Path) -> str:
    """The sha256 of a file's bytes, "" when it cannot be read (a rejection is recorded either way)."""
    try:
        return file_sha256(path)
    except OSError:
        return ""


def is_correction(path: Path, corrections: bool) -> bool:
    """A correction: the run says so, or the file name does (``koreksi``, ``perbaikan``, ``revisi``)."""
    return corrections or any(marker in path.stem.lower() for marker in CORRECTION_MARKERS)


def validate_batch(
    staged_files: Sequence[StagedFile],
    engine: Engine,
    workdir: Path,
    *,
    gx_keep_results: int = 30,
    known_opds: Sequence[str] | None = None,
    capaian_bound_pct: float = 300.0,
    year: int | None = None,
    month: int | None = None,
    corrections: bool = False,
) -> tuple[list[StagedFile], list[SuiteRun]]:
    """Validate every readable file of the batch with its Great Expectations suite (GX project in
    ``workdir``; ``known_opds``: the register's OPD codes, None for any).

    Great Expectations is imported here, when a batch is validated, not with this module.
    """
    from tasks.validate.batch import validate_cash_plans, validate_indicator_workbooks, validate_realizations

    validator = validator_for(workdir, gx_keep_results)
    labels = file_labels(s.key for s in staged_files)
    staged_files = [_labelled(s, labels[s.key]) for s in staged_files]
    realizations = [s.workbook for s in staged_files if isinstance(s.workbook, RealizationWorkbook)]
    indicators = [s.workbook for s in staged_files if isinstance(s.workbook, IndicatorWorkbook)]
    known = None if known_opds is None else list(known_opds)
    corrected = [labels[wb.key] for wb in realizations if is_correction(wb.path, corrections)]
    loaded = loaded_months(engine, realizations)

    def warehouse_month(opd_code: str, month_year: int, month_number: int) -> pd.DataFrame | None:
        if (opd_code, month_year, month_number) not in loaded:
            return None
        return previous_month_rows(engine, opd_code, month_year, month_number)

    monthly = validate_realizations(
        validator,
        realizations,
        warehouse_month,
        following=warehouse_month,
        year=year,
        month=month,
        known_opds=known,
        corrections=corrected,
        labels=labels,
    )
    yearly = validate_indicator_workbooks(
        validator,
        indicators,
        year=year,
        known_opds=known,
        capaian_bound_pct=capaian_bound_pct,
        labels=labels,
    )
    plans = validate_cash_plans(
        validator,
        [s.workbook for s in staged_files if isinstance(s.workbook, CashPlanWorkbook)],
        year=year,
        known_opds=known,
        labels=labels,
    )
    found = {**monthly.issues, **yearly.issues, **plans.issues}
    checked = [
        replace(s, issues=errors_first(s.issues + tuple(found.get(labels[s.key], ())))) for s in staged_files
    ]
    return checked, monthly.runs + yearly.runs + plans.runs


def errors_first(issues: tuple[InputIssue, ...]) -> tuple[InputIssue, ...]:
    """The issues with the errors before the warnings, each kind in its order (a reading warning, such
    as a budget line that moved, never stands before the cell the steward must fix)."""
    return tuple(sorted(issues, key=lambda issue: issue.severity != "error"))


def _labelled(staged: StagedFile, label: str) -> StagedFile:
    """The staged file named by its label in the batch, in its reading issues too."""
    if label == staged.path.name:
        return replace(staged, label=label)
    return replace(staged, label=label, issues=tuple(replace(i, file=label) for i in staged.issues))


def record_validation_runs(engine: Engine, runs: Sequence[SuiteRun]) -> str:
    """Store the suite runs of one batch under a new run id; returns the id."""
    run_id = uuid.uuid4().hex
    if runs:
        now = now_utc()
        with engine.begin() as conn:
            conn.execute(
                insert(ValidationRun),
                [
                    {
                        "run_id": run_id,
                        "file_name": run.file,
                        "sha256": run.sha256,
                        "suite": run.suite,
                        "suite_version": run.suite_version,
                        "success": run.success,
                        "evaluated": run.evaluated,
                        "failed": run.failed,
                        "errors": run.errors,
                        "warnings": run.warnings,
                        "data_docs_url": run.data_docs_url,
                        "opd_code": run.opd_code,
                        "year": run.year,
                        "month": run.month,
                        "validated_at": now,
                    }
                    for run in runs
                ],
            )
    return run_id


def load_workbook(engine: Engine, staged: StagedFile, loaded_by: str = "") -> FileOutcome:
    """Load a clean file in one transaction, or record the rejection of a failed one (as offered by
    ``loaded_by``).

    A file the database refuses for its content (a value it cannot store, a broken constraint) is
    rejected with the cause, like any bad file; only a failing connection stops the load.
    """
    wb = staged.workbook
    opd_code = getattr(wb, "opd_code", "") or staged.opd_code
    year = getattr(wb, "year", None)
    month = getattr(wb, "month", None)
    if not staged.errors and wb is not None:
        try:
            if isinstance(wb, RealizationWorkbook):
                result: LoadResult = load_realization(engine, wb, loaded_by)
            elif isinstance(wb, CashPlanWorkbook):
                result = load_cash_plan(engine, wb, loaded_by)
            else:
                result = load_indicators(engine, wb, loaded_by)
        except InputError as error:
            found = tuple(replace(issue, file=staged.name) for issue in error.issues)
            staged = replace(staged, issues=staged.issues + found)
        except (DataError, IntegrityError) as error:
            LOGGER.warning("loading %s failed: %s", staged.name, database_error_summary(error))
            refused = InputIssue(
                file=staged.name,
                sheet=getattr(wb, "sheet", ""),
                rule="load.database_refused",
                params={"detail": database_error_summary(error)},
            )
            staged = replace(staged, issues=(*staged.issues, refused))
        else:
            return FileOutcome(
                staged.path,
                result.kind,
                result.status,
                result.rows,
                opd_code,
                year,
                month,
                staged.issues,
                label=staged.label,
                part=staged.part,
            )
    sha = wb.sha256 if wb is not None and wb.sha256 else _sha256_if_readable(staged.path)
    record_rejection(
        engine,
        file_name=staged.name,
        sha256=sha,
        kind=staged.kind or "unknown",
        issues=list(staged.errors),
        opd_code=opd_code,
        year=year,
        month=month,
        loaded_by=loaded_by,
    )
    return FileOutcome(
        staged.path,
        staged.kind or "unknown",
        "rejected",
        0,
        opd_code,
        year,
        month,
        staged.issues,
        label=staged.label,
        part=staged.part,
    )


def load_order(staged: StagedFile) -> tuple:
    """Sort key loading an OPD's months oldest first, so a month derived from the one before finds it."""
    wb = staged.workbook
    if isinstance(wb, RealizationWorkbook):
        return (0, wb.opd_code, wb.year, wb.month)
    return (1,)


def load_workbooks(
    engine: Engine, staged_files: Sequence[StagedFile], loaded_by: str = ""
) -> list[FileOutcome]:
    """Load (or record the rejection of) every file as ``loaded_by``; outcomes in the order of
    ``staged_files``.

    Clean workbooks of months not loaded yet go in together, in one transaction with one bulk insert
    per table; everything else (corrections, unchanged files, files giving one realization column,
    indicator workbooks, rejections) one file per transaction, each OPD's months oldest first (after
    the bulk load, so a month derived from the month before always finds it). If the bulk
    transaction fails, nothing of it stays and each of its files is loaded on its own, so a file that
    breaks is isolated from the others.
    """
    clean = [s for s in staged_files if not s.errors and isinstance(s.workbook, RealizationWorkbook)]
    done: dict[int, FileOutcome] = {}
    try:
        results, _ = load_new_months(engine, [s.workbook for s in clean], loaded_by)
    except (DBAPIError, InputError) as error:
        LOGGER.warning(
            "bulk load of %s failed, loading them one by one: %s",
            files_summary(clean),
            database_error_summary(error),
        )
        results = []
    by_key = {(r.path, r.part): r for r in results}
    for staged in clean:
        wb = staged.workbook
        result = by_key.get(wb.key)
        if result is not None:
            done[id(staged)] = FileOutcome(
                staged.path,
                "realization",
                "loaded",
                result.rows,
                wb.opd_code,
                wb.year,
                wb.month,
                staged.issues,
                label=staged.label,
                part=staged.part,
            )
    for staged in sorted((s for s in staged_files if id(s) not in done), key=load_order):
        done[id(staged)] = load_workbook(engine, staged, loaded_by)
    return [done[id(staged)] for staged in staged_files]


def files_summary(staged_files: Sequence[StagedFile], shown: int = 3) -> str:
    """``3 file(s) (a.xlsx, b.xlsx, c.xlsx)``, naming the first few only."""
    names = ", ".join(s.name for s in staged_files[:shown])
    more = f", +{len(staged_files) - shown} more" if len(staged_files) > shown else ""
    return f"{len(staged_files)} file(s) ({names}{more})"


def database_error_summary(error: BaseException) -> str:
    """One line on why a load failed: the error class, its first line and the constraint it broke.

    Never the SQL statement or its parameters (SQLAlchemy's message carries both).
    """
    if isinstance(error, InputError):
        first = error.issues[0].describe("en") if error.issues else ""
        return f"{first} (+{len(error.issues) - 1} more)" if len(error.issues) > 1 else first
    cause = getattr(error, "orig", None) or error
    diag = getattr(cause, "diag", None)
    message = getattr(diag, "message_primary", None) or (str(cause).strip().splitlines() or [""])[0]
    summary = f"{type(cause).__name__}: {message}"
    constraint = getattr(diag, "constraint_name", None)
    if constraint and constraint not in message:
        summary += f" (constraint {constraint})"
    return summary


def load_shares(url: str, workers: int) -> int:
    """How many shares to load in parallel: one on SQLite (a single writer at a time), else ``workers``."""
    return 1 if url.startswith("sqlite") else max(1, workers)


def split_by_opd(staged_files: Sequence[StagedFile], parts: int) -> list[list[StagedFile]]:
    """The files in at most ``parts`` shares of nearly equal size, all files of one OPD in the same share.

    Shares load side by side. An OPD's files in one share load one after the other (its months
    oldest first, see :func:`load_workbooks`), so a month derived from the month before always finds
    it, whatever the order of the files; files with no OPD (unreadable) are spread like single OPDs.
    """
    groups: dict[object, list[StagedFile]] = {}
    for position, staged in enumerate(staged_files):
        opd_code = getattr(staged.workbook, "opd_code", "")
        groups.setdefault(opd_code or ("", position), []).append(staged)
    shares: list[list[StagedFile]] = [[] for _ in range(max(1, min(parts, len(groups))))]
    for group in sorted(groups.values(), key=len, reverse=True):  # largest first: the sizes even out
        min(shares, key=len).extend(group)
    return [share for share in shares if share]


def quarantine_rejected_files(
    outcomes: Sequence[FileOutcome],
    quarantine_dir: Path,
    limits: WorkbookLimits,
    lang: str = "id",
    run_period: tuple[int, int] | None = None,
    *,
    move: bool = False,
) -> list[FileOutcome]:
    """Quarantine every file with a rejected outcome once (see :func:`quarantine_rejected`).

    The months of a year workbook refused in one run go to quarantine together: one copy of the
    file, annotated with the problems of every refused month, under the month's folder when one
    month was refused, else the year's.
    """
    by_file: dict[Path, list[FileOutcome]] = {}
    for outcome in outcomes:
        if outcome.status == "rejected":
            by_file.setdefault(outcome.path, []).append(outcome)
    placed: dict[Path, FileOutcome] = {}
    for path, parts in by_file.items():
        whole = parts[0]
        if len(parts) > 1 or whole.part:
            months = {o.month for o in parts}
            whole = replace(
                whole,
                part="",
                label="",
                month=months.pop() if len(months) == 1 else None,
                issues=tuple(issue for o in parts for issue in o.issues),
            )
        placed[path] = quarantine_rejected(whole, quarantine_dir, limits, lang, run_period, move=move)
    return [
        replace(
            o,
            quarantined=placed[o.path].quarantined,
            annotated=placed[o.path].annotated,
            quarantine_failure=placed[o.path].quarantine_failure,
        )
        if o.path in placed and o.status == "rejected"
        else o
        for o in outcomes
    ]


def quarantine_rejected(
    outcome: FileOutcome,
    quarantine_dir: Path,
    limits: WorkbookLimits,
    lang: str = "id",
    run_period: tuple[int, int] | None = None,
    *,
    move: bool = False,
) -> FileOutcome:
    """Copy a rejected file to ``<workdir>/quarantine/<year>/<month>/`` with an annotated copy and summary.

    The sender's file stays where it is; only a caller that owns the file (``move``: the inbox of
    scheduled runs) has it moved. A file whose period could not be read goes under the run's period
    when the run has one. When the quarantine cannot be written (a full disk), nothing of it is left
    and the outcome says why, so the rest of the run is still reported.
    """
    if outcome.status != "rejected" or not outcome.path.exists():
        return outcome
    year, month = outcome.year or None, (outcome.month or None) if outcome.kind != "indicator" else None
    if year is None and run_period is not None:
        year, month = run_period
    try:
        placed = quarantine_file(
            outcome.path,
            list(outcome.issues),
            quarantine_dir,
            year=year,
            month=month,
            lang=lang,
            sha256=_sha256_if_readable(outcome.path),
            keep_original=not move,
            limits=limits,
        )
    except OSError as error:
        problem = explain_environment(error)
        problem = problem or EnvironmentProblem("write.failed", detail=str(error))
        problem.params["path"] = str(quarantine_dir)  # the folder, not a temporary file name
        LOGGER.error("cannot quarantine %s: %s", printable(outcome.path), printable(error))
        return replace(outcome, quarantine_failure=problem.message(lang))
    return replace(outcome, quarantined=placed.original, annotated=placed.annotated)
