"""Everything the web application takes from the rest of sakip, in one place.

The web package imports project code only through this module: the ingest flow (the same Prefect
flow ``sakip ingest`` runs), the settings, the warehouse models, and the read functions behind the
pages (revisions, monitoring, validation runs). Queries the pages need that the pipeline has no
function for are written here too, against the warehouse models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from sakip.failures import EXIT_USAGE, CommandError, log_unexpected
from sakip.prefect_server import start_temporary_server, stop_temporary_server
from tasks.core.calendar import BULAN, format_moment, now_utc
from tasks.core.columns import label as column_label
from tasks.core.formatting import format_percent, format_rupiah, format_size, short_rupiah
from tasks.core.metrics import serapan_pct
from tasks.core.text import printable
from tasks.settings import Settings, WebSettings, load_settings, load_web_settings
from warehouse import queries
from warehouse.db import open_warehouse
from warehouse.models import (
    WebLoginAttempt,
    WebSession,
    WebUpload,
    WebUploadFile,
    WebUser,
)
from warehouse.queries import (
    agency_months,
    agency_names,
    latest_month,
    page_agencies,
    rejected_submissions,
    validation_pages,
)
from warehouse.queries.validation import (
    agency_validation_runs,
    page_owner_agencies,
    run_agencies,
    runs_of_file,
    sent_file_issues,
    sent_names,
    upload_file_validation,
    validation_run,
)

__all__ = [
    "BULAN",
    "EXIT_USAGE",
    "AccountCommandError",
    "CommandError",
    "FileResult",
    "Settings",
    "WebLoginAttempt",
    "WebSession",
    "WebSettings",
    "WebUpload",
    "WebUploadFile",
    "WebUser",
    "agency_choices",
    "agency_months",
    "agency_names",
    "agency_validation_runs",
    "column_label",
    "expected_agencies",
    "format_moment",
    "format_percent",
    "format_rupiah",
    "format_size",
    "known_agency",
    "latest_month",
    "load_settings",
    "load_web_settings",
    "log_unexpected",
    "monitoring_of",
    "month_status",
    "now_utc",
    "open_warehouse",
    "page_agencies",
    "page_owner_agencies",
    "printable",
    "queries",
    "rejected_submissions",
    "revisions",
    "run_agencies",
    "run_ingest_flow",
    "runs_of_file",
    "sent_file_issues",
    "sent_names",
    "serapan_pct",
    "short_rupiah",
    "start_temporary_server",
    "stop_temporary_server",
    "upload_file_validation",
    "validation_pages",
    "validation_run",
    "validation_runs",
]

#: Name of the flow runs started by the web application, as shown in the Prefect UI.
FLOW_RUN_NAME = "web-{username}"


class AccountCommandError(CommandError):
    """A ``sakip user`` request that cannot be done, in both languages."""

    def __init__(self, message: str, message_en: str):
        super().__init__("user.invalid", EXIT_USAGE, message=message, message_en=message_en)

    def message(self, lang: str = "id") -> str:
        """The problem in ``lang``."""
        return str(self.params["message_en" if lang == "en" else "message"])


@dataclass(frozen=True)
class Issue:
    """One problem of a file as the page shows it."""

    sheet: str
    cell: str
    rule: str
    message: str
    value: str
    expected: str
    severity: str
    params: dict[str, str]


@dataclass(frozen=True)
class FileResult:
    """What the ingest flow made of one uploaded file."""

    path: Path
    status: str  # loaded | unchanged | rejected
    kind: str
    rows: int
    opd_code: str
    year: int | None
    month: int | None
    issues: tuple[Issue, ...]
    annotated: Path | None
    sha256: str
    #: where the file is kept now: where it was sent to, or its quarantine copy when it was refused
    kept: Path


def validation_runs(engine: Engine, *, failed_only: bool = False) -> pd.DataFrame:
    """The stored validation runs, newest first (as ``sakip validations`` lists them)."""
    from warehouse.queries import list_validation_runs

    return list_validation_runs(engine, failed_only=failed_only)


def revisions(engine: Engine, opd_code: str) -> pd.DataFrame:
    """An agency's corrections, newest first (as ``sakip revisions`` lists them)."""
    from warehouse.queries import list_revisions

    return list_revisions(engine, opd_code=opd_code)


def _issue(issue) -> Issue:
    """An :class:`Issue` from the pipeline's ``InputIssue``."""
    location = issue.cell or (
        f"baris {issue.row}" if issue.row else (f"kolom {issue.column}" if issue.column else "")
    )
    params = {key: printable(value) for key, value in issue.params.items() if not key.endswith("_en")}
    return Issue(
        sheet=printable(issue.sheet),
        cell=location,
        rule=issue.rule,
        message=issue.message("id"),
        value=params.get("value", ""),
        expected=params.get("expected", ""),
        severity=issue.severity,
        params=params,
    )


def run_ingest_flow(
    paths: Sequence[Path],
    settings: Settings,
    *,
    opd: str | None,
    require_header_opd: bool,
    corrections: bool,
    loaded_by: str,
) -> list[FileResult]:
    """Run the ingest Prefect flow (as ``sakip ingest`` does) on ``paths``; each file's result.

    ``opd`` makes the flow refuse a workbook whose header names another agency (by code or name),
    before validation, and read one that names none as ``opd``'s (refused instead with
    ``require_header_opd``); a refusal is recorded under ``opd`` when the file's own agency is unknown.
    ``loaded_by`` (the sender) goes to the flow as a parameter. A refused file is moved to quarantine
    (annotated there), not copied: one copy of it is kept, its place given as ``FileResult.kept``.
    The web's workers run one flow at a time each; Great Expectations' files are locked across
    processes by the validation itself.
    """
    from flows.ingest import ingest_flow
    from tasks.core.files import file_sha256

    start_temporary_server()
    sha256s = {Path(p): file_sha256(Path(p)) for p in paths}  # before a refused file is moved
    flow = ingest_flow.with_options(flow_run_name=FLOW_RUN_NAME.format(username=loaded_by))
    outcomes = flow(
        [str(p) for p in paths],
        opd=opd,
        require_header_opd=require_header_opd,
        corrections=corrections,
        lang="id",
        move_rejected=True,
        loaded_by=loaded_by,
        settings=settings,
    )
    by_file: dict[Path, list] = {}
    for outcome in outcomes:  # a year workbook gives one outcome per month
        by_file.setdefault(Path(outcome.path), []).append(outcome)
    return [_file_result(path, months, sha256s.get(path, "")) for path, months in by_file.items()]


def _file_result(path: Path, months: list, sha256: str) -> FileResult:
    """One file's result from its outcomes: refused when any month was, its rows and issues together.

    A year workbook's months are named in its issues (the sheet, or the part in the file's name); its
    month is the one month it held, else none.
    """
    statuses = {o.status for o in months}
    status = next((s for s in ("rejected", "loaded") if s in statuses), "unchanged")
    first = months[0]
    held = {o.month for o in months}
    return FileResult(
        path=path,
        status=status,
        kind=first.kind,
        rows=sum(o.rows for o in months),
        opd_code=next((o.opd_code for o in months if o.opd_code), ""),
        year=first.year,
        month=held.pop() if len(held) == 1 else None,
        issues=tuple(_issue(i) for o in months for i in o.issues),
        annotated=next((o.annotated for o in months if o.annotated), None),
        sha256=sha256,
        kept=next((o.quarantined for o in months if o.quarantined), path),
    )


def expected_agencies(engine: Engine, settings: Settings) -> list[str]:
    """The agencies expected to send each month: the OPD register when set, else every agency known."""
    registered = settings.known_opds()
    if registered is not None:
        return registered
    return queries.known_agency_codes(engine)


def agency_choices(engine: Engine, settings: Settings) -> list[tuple[str, str]]:
    """(code, name) of every agency a steward may upload for: the register's, else every one known."""
    register = settings.registered_opds() or {}
    names = agency_names(engine)
    return [(code, register.get(code) or names.get(code, "")) for code in expected_agencies(engine, settings)]


def known_agency(engine: Engine, settings: Settings, code: str) -> bool:
    """Whether ``code`` is an agency the application knows (registered, in the warehouse or with a user)."""
    return code in expected_agencies(engine, settings) or code in agency_names(engine)


def month_status(engine: Engine, settings: Settings, year: int, month: int) -> list[dict[str, object]]:
    """Every expected agency's state for a month: ``dimuat``, ``ditolak``, ``terkirim`` or ``belum``.

    ``terkirim``: an upload of the agency in progress holds a file of this month; ``ditolak``: files
    came and none loaded. ``waiting``: the agency has an upload waiting or in progress whose months are
    not known yet (shown as "menunggu giliran", no month marked for it).
    """
    batches, pending, waiting = queries.month_submissions(engine, year, month)
    names = agency_names(engine)
    by_agency: dict[str, list] = {}
    for row in batches:
        by_agency.setdefault(row.opd_code, []).append(row)
    codes = sorted(set(expected_agencies(engine, settings)) | {c for c in by_agency if c})
    table = []
    for code in codes:
        rows = by_agency.get(code, [])
        loaded = [r for r in rows if r.status == "loaded"]
        if loaded:
            state = "dimuat"
        elif code in pending:
            state = "terkirim"
        elif rows:
            state = "ditolak"
        else:
            state = "belum"
        last = rows[-1] if rows else None
        table.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "state": state,
                "submissions": len(rows),
                "rejected": sum(r.status == "rejected" for r in rows),
                "last_file": last.file_name if last else "",
                "last_status": last.status if last else "",
                "last_at": format_moment(last.loaded_at) if last else "",
                "last_by": last.loaded_by if last else "",
                "waiting": code in waiting,
            }
        )
    return table


def monitoring_of(
    engine: Engine, settings: Settings, opd_code: str, year: int, month: int
) -> dict[str, object]:
    """The monthly monitoring of an agency-month: summary sentences, the total, programs lagging first."""
    from tasks.operations.monitoring import (
        lagging_first,
        monitoring_summary,
        monitoring_table,
        opd_total,
        period_label,
    )

    table = monitoring_table(engine, opd_code, year, month, settings.scales)
    return {
        "period": period_label(year, month),
        "summary": monitoring_summary(table, year, month),
        "total": opd_total(table),
        "programs": lagging_first(table, "program"),
    }
