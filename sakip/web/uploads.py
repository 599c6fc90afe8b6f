"""Uploads: keep each file under a generated folder, run the ingest flow on the copies, record outcomes.

A file's name as sent is only ever shown (escaped), never used as a path: each file is written to
``<workdir>/uploads/<year>/<MM>/<upload id>/<file id>/`` under a name made only of letters, digits,
``-``, ``_`` and ``.`` from it (so the warehouse, the quarantine and the correction markers
``koreksi``/``perbaikan``/``revisi`` read as they do for ``sakip ingest``). The flow reads these
copies: the sender's file is never touched.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from sqlalchemy import Engine, insert, update

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


def _opd_refusal(issue, user: User, agency: str | None, names: dict[str, str]) -> dict[str, object] | None:
    """The sender's own words for a workbook naming another agency than the upload's, or none
    (``whole_file``: the file is for another agency, no cell of it to correct)."""
    if issue.params.get("what") != "OPD":
        return None
    if issue.rule == "header.meta_missing" and user.is_steward:
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
    if user.is_steward:
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
    result: FileResult, user: User, agency: str | None, names: dict[str, str]
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
        row.update(_opd_refusal(issue, user, agency, names) or {})
        rows.append(row)
    return rows


def process_upload(
    engine: Engine,
    settings: Settings,
    web: WebSettings,
    user: User,
    incoming: list[IncomingFile],
    correction: bool,
    agency_choice: str | None = None,
) -> str:
    """Keep the files, run the ingest flow on them, record every outcome; the upload's public id.

    The upload is for the agency of an agency's user, or the one a steward chose (``agency_choice``,
    for workbooks that name none); its refusals are recorded under that agency when a file names none.
    """
    upload_id = uuid.uuid4().hex
    agency = upload_agency(user, agency_choice)
    started = now_utc()
    with engine.begin() as conn:
        upload_pk = conn.execute(
            insert(WebUpload)
            .values(
                public_id=upload_id,
                user_id=user.id,
                username=user.username,
                agency_code=agency,
                correction=correction,
                status="processing",
                uploaded_at=started,
            )
            .returning(WebUpload.id)
        ).scalar_one()
    stored = store_files(incoming, settings, web, upload_id)
    kept = [s for s in stored if s.path is not None]
    results: dict[Path, FileResult] = {}
    status = "done"
    if kept:
        try:
            outcomes = run_ingest_flow(
                [s.path for s in kept],
                settings,
                opd=agency,
                require_header_opd=not user.is_steward,
                corrections=correction,
                loaded_by=user.username,
            )
            results = {r.path.resolve(): r for r in outcomes}
        except Exception as error:  # recorded, the person told; the files stay for the steward
            log_unexpected(error, settings.workdir)
            status = "failed"
    pages = validation_pages(engine, [r.sha256 for r in results.values()], started)
    names = dict(agency_choices(engine, settings))
    rows = []
    for item in stored:
        result = results.get(item.path.resolve()) if item.path is not None else None
        if result is not None:
            issues = _issue_rows(result, user, agency, names)
            state = result.status
        elif item.issue is not None:
            issues, state = [item.issue], "rejected"
        else:
            issues, state = [refusal("upload.failed", FAILED_MESSAGE)], "failed"
        workbook_opd = result.opd_code if result else ""
        rows.append(
            {
                "public_id": item.public_id,
                "upload_id": upload_pk,
                "original_name": item.original_name,
                "stored_path": str(item.path) if item.path else "",
                "size_bytes": item.size,
                "sha256": result.sha256 if result else "",
                "status": state,
                "kind": result.kind if result else "",
                "opd_code": workbook_opd or "",
                "agency_code": (user.opd_code or "")
                if not user.is_steward
                else (workbook_opd or agency or ""),
                "year": result.year if result else None,
                "month": result.month if result else None,
                "rows": result.rows if result else 0,
                "issues_json": json.dumps(issues, ensure_ascii=False),
                "annotated_path": str(result.annotated) if result and result.annotated else "",
                "data_docs_url": docs_link(pages.get(result.sha256, ""), settings.workdir / "data-docs")
                if result
                else "",
            }
        )
    with engine.begin() as conn:
        if rows:
            conn.execute(insert(WebUploadFile), rows)
        conn.execute(
            update(WebUpload).where(WebUpload.id == upload_pk).values(status=status, finished_at=now_utc())
        )
    return upload_id


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
            "status": f.status,
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
    uploads = queries.recent_web_uploads(engine, agency_code, limit)
    names = queries.upload_file_names(engine, [u.public_id for u, _ in uploads])
    return [
        {
            "public_id": u.public_id,
            "names": names.get(u.public_id, []),
            "username": u.username,
            "uploaded_at": u.uploaded_at,
            "status": u.status,
            "files": len(statuses),
            "loaded": sum(s in ("loaded", "unchanged") for s in statuses),
            "rejected": sum(s in ("rejected", "failed") for s in statuses),
        }
        for u, statuses in uploads
    ]
