"""The steps of taking workbooks in: find, read, check, load, each a plain function.

Each step passes a :class:`StagedFile` along; once a file has issues the later steps leave it alone
and the load step records it as rejected, so one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine

from tasks import extract
from tasks.errors import InputError, InputIssue
from tasks.load import LoadResult, load_indicators, load_realization, record_rejection
from tasks.staging import IndicatorWorkbook, RealizationWorkbook
from tasks.validate import check_indicators, check_realization

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class StagedFile:
    """A file on its way in: its workbook once read, and every issue found so far."""

    path: Path
    kind: str = ""  # realization | indicator | "" when unknown
    workbook: RealizationWorkbook | IndicatorWorkbook | None = None
    issues: tuple[InputIssue, ...] = ()

    @property
    def errors(self) -> tuple[InputIssue, ...]:
        """The issues that block loading."""
        return tuple(issue for issue in self.issues if issue.severity == "error")


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


def discover_workbooks(paths: list[Path]) -> list[Path]:
    """Files named on the command line, and the workbooks inside folders named there (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith("~$")
            )
        else:
            found.append(path)
    return found


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes ("" when it cannot be read)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def read_workbook(
    path: Path, *, year: int | None = None, month: int | None = None, opd: str | None = None
) -> StagedFile:
    """Detect the workbook kind and extract it; problems become issues, not exceptions."""
    try:
        kind = extract.detect_kind(path)
        if kind == "realization":
            workbook: RealizationWorkbook | IndicatorWorkbook = extract.read_realization(
                path, opd=opd, year=year, month=month
            )
        else:
            workbook = extract.read_indicators(path, opd=opd, year=year)
    except InputError as error:
        return StagedFile(path=path, issues=tuple(error.issues))
    return StagedFile(path=path, kind=kind, workbook=workbook)


def validate_workbook(staged: StagedFile) -> StagedFile:
    """Apply the business rules of the file's kind; a file already failed passes through."""
    if staged.workbook is None:
        return staged
    if isinstance(staged.workbook, RealizationWorkbook):
        found = check_realization(staged.workbook)
    else:
        found = check_indicators(staged.workbook)
    return replace(staged, issues=staged.issues + tuple(found))


def reject_duplicate_periods(staged_files: list[StagedFile]) -> list[StagedFile]:
    """Within one batch, a second file for an OPD-month already given is rejected."""
    seen: dict[tuple[str, int, int], Path] = {}
    checked: list[StagedFile] = []
    for staged in staged_files:
        wb = staged.workbook
        if isinstance(wb, RealizationWorkbook) and not staged.errors:
            key = (wb.opd_code, wb.year, wb.month)
            if key in seen:
                issue = InputIssue(
                    file=staged.path.name,
                    sheet=wb.sheet,
                    rule="batch.duplicate_period",
                    params={
                        "period": f"{wb.month:02d}/{wb.year}",
                        "opd": wb.opd_code,
                        "other": seen[key].name,
                    },
                )
                staged = replace(staged, issues=(*staged.issues, issue))
            else:
                seen[key] = staged.path
        checked.append(staged)
    return checked


def load_workbook(engine: Engine, staged: StagedFile) -> FileOutcome:
    """Load a clean file in one transaction, or record the rejection of a failed one."""
    wb = staged.workbook
    opd_code = getattr(wb, "opd_code", "") or ""
    year = getattr(wb, "year", None)
    month = getattr(wb, "month", None)
    if not staged.errors and wb is not None:
        try:
            result: LoadResult = (
                load_realization(engine, wb)
                if isinstance(wb, RealizationWorkbook)
                else load_indicators(engine, wb)
            )
        except InputError as error:
            staged = replace(staged, issues=staged.issues + tuple(error.issues))
        else:
            return FileOutcome(
                staged.path, result.kind, result.status, result.rows, opd_code, year, month, staged.issues
            )
    sha = wb.sha256 if wb is not None and wb.sha256 else file_sha256(staged.path)
    record_rejection(
        engine,
        file_name=staged.path.name,
        sha256=sha,
        kind=staged.kind or "unknown",
        issues=list(staged.errors),
        opd_code=opd_code,
        year=year,
        month=month,
    )
    return FileOutcome(
        staged.path, staged.kind or "unknown", "rejected", 0, opd_code, year, month, staged.issues
    )
