"""Uploads: keep each file under a generated folder and queue the upload (the request's part:
:func:`enqueue_upload`); run the ingest flow on the copies and record outcomes (a worker's part:
:func:`run_upload`, see :mod:`sakip.web.jobs`).

A file's name as sent is only ever shown (escaped), never used as a path: each file is written to
``<workdir>/uploads/<year>/<MM>/<upload id>/<file id>/`` under a name made only of letters, digits,
``-``, ``_`` and ``.`` from it (so the warehouse, the quarantine and the correction markers
``koreksi``/``perbaikan``/``revisi`` read as they do for ``sakip ingest``). The flow reads these
copies: the sender's file is never touched. A refused file is moved to the quarantine (one copy kept).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError

from sakip.web.accounts import User
from sakip.web.config import WebSettings
from sakip.web.files import display_name, docs_link, safe_name
from sakip.web.pipeline import (
    FileResult,
    Settings,
    WebUpload,
    WebUploadFile,
    agency_choices,
    format_size,
    log_unexpected,
    now_utc,
    queries,
    run_ingest_flow,
    validation_pages,
)

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: The statuses of a file without its outcome yet: waiting for a worker, or in its flow.
PENDING = ("queued", "processing")
UPLOADS_FOLDER = "uploads"


@dataclass
class IncomingFile:
    """A file as the form delivered it: its name as sent and its content."""

    name: str
    content: BinaryIO
    size: int | None = None


@dataclass
class StoredFile:
    """One file of an upload before the flow runs: kept (``path``) or refused at the door (``issue``)."""

    public_id: str
    original_name: str
    path: Path | None
    size: int
    issue: dict[str, str] | None = None


def refusal(rule: str, message: str) -> dict[str, str]:
    """A problem of a whole file (no sheet or cell), as its result page shows it."""
    return {
        "rule": rule,
        "message": message,
        "sheet": "",
        "cell": "",
        "value": "",
        "expected": "",
        "severity": "error",
    }


FAILED_MESSAGE = (
    "Berkas tidak dapat diproses karena kesalahan di server; tidak ada yang dimuat. "
    "Kesalahan sudah dicatat untuk pengelola data; coba kirim lagi nanti."
)


def _copy_limited(source: BinaryIO, target: Path, limit: int) -> int | None:
    """Copy at most ``limit`` bytes to ``target``; the size, or None when the file is larger."""
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        target.unlink(missing_ok=True)
        return None
    return size


def store_files(
    incoming: list[IncomingFile], settings: Settings, web: WebSettings, upload_id: str
) -> list[StoredFile]:
    """Keep each acceptable file under generated folders; refuse the others with a reason."""
    now = now_utc()
    root = settings.workdir / UPLOADS_FOLDER / f"{now.year}" / f"{now.month:02d}" / upload_id
    stored = []
    for item in incoming:
        public_id = uuid.uuid4().hex
        shown = display_name(item.name)
        suffix = PurePosixPath(shown).suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            found = suffix or "tanpa akhiran"
            message = f"Hanya workbook .xlsx, .xlsm, .xls, atau .ods yang diterima (berkas ini {found})."
            stored.append(
                StoredFile(public_id, shown, None, item.size or 0, refusal("upload.suffix", message))
            )
            continue
        folder = root / public_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_name(shown)
        size = _copy_limited(item.content, path, web.max_upload_bytes)
        if size is None:
            folder.rmdir()
            message = f"Berkas lebih besar dari batas {format_size(web.max_upload_bytes)} per berkas."
            stored.append(
                StoredFile(public_id, shown, None, item.size or 0, refusal("upload.too_large", message))
            )
            continue
        stored.append(StoredFile(public_id, shown, path, size))
    return stored


def upload_agency(user: User, choice: str | None) -> str | None:
    """The agency an upload is for: an agency's user's own; a steward's choice, or None."""
    return user.opd_code if not user.is_steward else (choice or None)


def _agency_label(code: str, names: dict[str, str]) -> str:
    """``code (name)``, or the text as given when it names no known agency."""
    return f"{code} ({names[code]})" if names.get(code) else code


class UploadWaiting(Exception):
    """The user has an upload waiting or being processed: a new one is refused, not queued."""

    def __init__(self, public_id: str):
        super().__init__(public_id)
        self.public_id = public_id


class QueueFull(Exception):
    """As many uploads wait as the queue holds (``queue_limit``): try again later."""


def _discard(stored: list[StoredFile]) -> None:
    """Remove the files of a refused request (their folders, and the upload's folder when empty)."""
    for item in stored:
        if item.path is not None:
            shutil.rmtree(item.path.parent, ignore_errors=True)
            with contextlib.suppress(OSError):
                item.path.parent.parent.rmdir()


def enqueue_upload(
    engine: Engine,
    settings: Settings,
    web: WebSettings,
    user: User,
    incoming: list[IncomingFile],
    correction: bool,
    agency_choice: str | None = None,
) -> str:
    """Keep the files and queue the upload for a worker; its public id.

    The upload is for the agency of an agency's user, or the one a steward chose (``agency_choice``,
    for workbooks that name none); its refusals are recorded under that agency when a file names none.

    Refused with :class:`UploadWaiting` while the user has an upload waiting or in progress (one per
    user, enforced by a partial unique index: two requests at once cannot both pass), and with
    :class:`QueueFull` when ``queue_limit`` uploads wait. A refused request's files are not kept.
    Files refused at the door (suffix, size) get their outcome at once; an upload of only those is done.
    """
    waiting = queries.active_web_upload(engine, user.id)
    if waiting is not None:
        raise UploadWaiting(waiting)
    if queries.queued_web_uploads(engine) >= web.queue_limit:
        raise QueueFull()
    upload_id = uuid.uuid4().hex
    stored = store_files(incoming, settings, web, upload_id)
    kept = [s for s in stored if s.path is not None]
    agency = upload_agency(user, agency_choice)
    try:
        with engine.begin() as conn:
            upload_pk = conn.execute(
                insert(WebUpload)
                .values(
                    public_id=upload_id,
                    user_id=user.id,
                    username=user.username,
                    agency_code=agency,
                    correction=correction,
                    status="queued" if kept else "done",
                    uploaded_at=now_utc(),
                    finished_at=None if kept else now_utc(),
                )
                .returning(WebUpload.id)
            ).scalar_one()
            conn.execute(insert(WebUploadFile), [_file_row(item, upload_pk, agency) for item in stored])
    except IntegrityError:  # another request of this user was queued in between
        _discard(stored)
        raise UploadWaiting(queries.active_web_upload(engine, user.id) or "") from None
    except BaseException:
        _discard(stored)
        raise
    return upload_id


def _file_row(item: StoredFile, upload_pk: int, agency: str | None) -> dict[str, object]:
    """The ``web_upload_file`` row of a file as it is queued (or refused at the door)."""
    return {
        "public_id": item.public_id,
        "upload_id": upload_pk,
        "original_name": item.original_name,
        "stored_path": str(item.path) if item.path else "",
        "size_bytes": item.size,
        "status": "rejected" if item.issue is not None else "queued",
        "agency_code": agency or "",
        "issues_json": json.dumps([item.issue] if item.issue else [], ensure_ascii=False),
        "kept": item.path is not None,
    }


@dataclass(frozen=True)
class Job:
    """A claimed upload as its worker runs it: who sent it for which agency, and its queued files."""

    upload_pk: int
    public_id: str
    username: str
    agency_code: str | None  # the agency the upload is for (None: a steward's with no agency chosen)
    steward: bool  # sent by a steward (a workbook naming no agency then takes ``agency_code``)
    correction: bool
    files: tuple[tuple[int, Path], ...]  # (row id, stored file) of each file still to process


def job_of(engine: Engine, upload_pk: int) -> Job | None:
    """The job of a claimed upload, or None when the upload is gone."""
    found = queries.web_upload_job(engine, upload_pk)
    if found is None:
        return None
    upload, files = found
    waiting = tuple(
        (f.id, Path(f.stored_path)) for f in files if f.status in ("queued", "processing") and f.stored_path
    )
    # a removed account's upload is judged strictly (its workbooks must name their agency)
    steward = upload.user_id is not None and queries.web_user_role(engine, upload.user_id) == "steward"
    return Job(
        upload.id, upload.public_id, upload.username, upload.agency_code, steward, upload.correction, waiting
    )


def _opd_refusal(issue, steward: bool, agency: str | None, names: dict[str, str]) -> dict[str, object] | None:
    """The sender's own words for a workbook naming another agency than the upload's, or none
    (``whole_file``: the file is for another agency, no cell of it to correct)."""
    if issue.params.get("what") != "OPD":
        return None
    if issue.rule == "header.meta_missing" and steward:
        return {
            "message": (
                "Workbook ini tidak menyebut OPD-nya. Tidak ada data yang dimuat; kirim lagi dengan memilih "
                "OPD-nya di \"Untuk OPD\" pada formulir kirim, atau tambahkan baris 'SKPD : kode nama OPD' "
                "di kepala laporan."
            ),
            "expected": "",
            "whole_file": True,
        }
    if issue.rule != "header.meta_conflict" or not agency:
        return None
    in_file = _agency_label(str(issue.params.get("in_file", "")), names)
    if steward:
        message = (
            f"Workbook ini untuk OPD {in_file}, sedangkan Anda memilih OPD {_agency_label(agency, names)}. "
            "Tidak ada data yang dimuat; kirim lagi dengan OPD yang sesuai dipilih."
        )
    else:
        message = (
            f"Workbook ini untuk OPD {in_file}, sedangkan akun Anda hanya untuk OPD "
            f"{_agency_label(agency, names)}. Tidak ada data yang dimuat; kirim workbook OPD Anda sendiri."
        )
    return {"message": message, "expected": agency, "whole_file": True}


def _issue_rows(
    result: FileResult, steward: bool, agency: str | None, names: dict[str, str]
) -> list[dict[str, object]]:
    """The problems of a file as stored for its result page."""
    rows = []
    for issue in result.issues:
        row = {
            "sheet": issue.sheet,
            "cell": issue.cell,
            "rule": issue.rule,
            "message": issue.message,
            "value": issue.value,
            "expected": issue.expected,
            "severity": issue.severity,
        }
        row.update(_opd_refusal(issue, steward, agency, names) or {})
        rows.append(row)
    return rows


def _outcome(
    result: FileResult | None, job: Job, pages: dict[str, str], settings: Settings, names: dict[str, str]
) -> dict:
    """The values recorded on a file's row once the flow ran (or failed: ``result`` None)."""
    if result is None:
        issues = [refusal("upload.failed", FAILED_MESSAGE)]
        return {"status": "failed", "issues_json": json.dumps(issues, ensure_ascii=False)}
    workbook_opd = result.opd_code or ""
    return {
        "sha256": result.sha256,
        "stored_path": str(result.kept),
        "status": result.status,
        "kind": result.kind,
        "opd_code": workbook_opd,
        # whose people see it: an agency user's own; for a steward's upload the workbook's, else the chosen
        "agency_code": (workbook_opd or job.agency_code or "") if job.steward else (job.agency_code or ""),
        "year": result.year,
        "month": result.month,
        "rows": result.rows,
        "issues_json": json.dumps(
            _issue_rows(result, job.steward, job.agency_code, names), ensure_ascii=False
        ),
        "annotated_path": str(result.annotated) if result.annotated else "",
        "data_docs_url": docs_link(pages.get(result.sha256, ""), settings.workdir / "data-docs"),
    }


def run_upload(engine: Engine, settings: Settings, job: Job) -> str:
    """Run the ingest flow on a claimed upload's files and record every outcome; ``done`` or ``failed``.

    The sender goes to the flow as ``loaded_by``, the upload's agency as ``opd``. A flow that fails
    is logged for the steward and its files marked failed (they stay on disk, to be sent again).
    """
    started = now_utc()
    results: dict[Path, FileResult] = {}
    status = "done"
    if job.files:
        try:
            outcomes = run_ingest_flow(
                [path for _, path in job.files],
                settings,
                opd=job.agency_code,
                require_header_opd=not job.steward,
                corrections=job.correction,
                loaded_by=job.username,
            )
            results = {r.path.resolve(): r for r in outcomes}
        except Exception as error:  # recorded, the person told; the files stay for the steward
            log_unexpected(error, settings.workdir)
            status = "failed"
    pages = validation_pages(engine, [r.sha256 for r in results.values()], started)
    names = dict(agency_choices(engine, settings))
    with engine.begin() as conn:
        for file_pk, path in job.files:
            values = _outcome(results.get(path.resolve()), job, pages, settings, names)
            conn.execute(update(WebUploadFile).where(WebUploadFile.id == file_pk).values(**values))
        conn.execute(
            update(WebUpload)
            .where(WebUpload.id == job.upload_pk)
            .values(status=status, finished_at=now_utc(), heartbeat_at=now_utc())
        )
    return status


@dataclass(frozen=True)
class UploadView:
    """An upload as its result page shows it."""

    public_id: str
    username: str
    agency_code: str | None
    status: str
    uploaded_at: object
    correction: bool
    files: list[dict[str, object]]

    @property
    def pending(self) -> bool:
        """Whether a file still waits for its outcome (the page then refreshes itself)."""
        return any(f["status"] in PENDING for f in self.files)


def upload_view(engine: Engine, public_id: str) -> UploadView | None:
    """The upload with this id and its files, or None."""
    found = queries.web_upload(engine, public_id)
    if found is None:
        return None
    upload, files = found
    shown = [
        {
            "public_id": f.public_id,
            "name": f.original_name,
            "status": "processing" if f.status == "queued" and upload.status == "processing" else f.status,
            "kept": f.kept,
            "kind": f.kind,
            "opd_code": f.opd_code,
            "agency_code": f.agency_code,
            "year": f.year,
            "month": f.month,
            "rows": f.rows,
            "issues": json.loads(f.issues_json or "[]"),
            "annotated": bool(f.annotated_path),
            "data_docs": f.data_docs_url,
        }
        for f in files
    ]
    return UploadView(
        upload.public_id,
        upload.username,
        upload.agency_code,
        upload.status,
        upload.uploaded_at,
        upload.correction,
        shown,
    )


def upload_agencies(view: UploadView) -> set[str]:
    """The agencies an upload's files belong to (who besides a steward may see its page)."""
    return {str(f["agency_code"]) for f in view.files if f["agency_code"]} | (
        {view.agency_code} if view.agency_code else set()
    )


def annotated_copy(engine: Engine, file_id: str) -> tuple[Path, str, str] | None:
    """(annotated copy, name to download it as, agency it belongs to) of an uploaded file, or None."""
    row = queries.web_upload_file(engine, file_id)
    if row is None or not row.annotated_path:
        return None
    name = safe_name(row.original_name)
    stem, suffix = name.rsplit(".", 1) if "." in name else (name, "xlsx")
    return Path(row.annotated_path), f"{stem}.annotated.{suffix}", row.agency_code or ""


def recent_uploads(engine: Engine, agency_code: str | None, limit: int = 20) -> list[dict[str, object]]:
    """The newest uploads (of one agency's files, or all), with the names their files were sent under
    and how many loaded and were refused."""
    return [
        {
            "public_id": u.public_id,
            "names": [name for _, name in files],
            "username": u.username,
            "uploaded_at": u.uploaded_at,
            "status": u.status,
            "files": len(files),
            "loaded": sum(status in ("loaded", "unchanged") for status, _ in files),
            "rejected": sum(status in ("rejected", "failed") for status, _ in files),
        }
        for u, files in queries.recent_web_uploads(engine, agency_code, limit)
    ]
