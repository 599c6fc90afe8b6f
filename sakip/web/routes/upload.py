"""``/upload``: send workbooks, see what became of each, download the annotated copy of a refused one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from sakip.web.auth import check_form_token, require_agency, require_user
from sakip.web.pipeline import agency_choices, format_size
from sakip.web.problems import PageError
from sakip.web.render import page
from sakip.web.uploads import (
    ACCEPTED_SUFFIXES,
    IncomingFile,
    QueueFull,
    UploadWaiting,
    annotated_copy,
    enqueue_upload,
    recent_uploads,
    upload_agencies,
    upload_view,
)

router = APIRouter()
#: A user whose previous upload waits or runs is told so, and the new one is not queued.
WAITING_MESSAGE = (
    "Tunggu pengiriman sebelumnya selesai: kiriman Anda sebelumnya masih menunggu giliran atau sedang "
    "diproses. Kiriman ini tidak disimpan; kirim lagi setelah hasil kiriman sebelumnya tampil."
)
QUEUE_FULL_MESSAGE = (
    "Antrean pemrosesan sedang penuh karena banyak OPD mengirim bersamaan. Kiriman ini tidak disimpan; "
    "coba kirim lagi beberapa menit lagi."
)
#: Seconds the browser is told to wait before sending again when the queue is full.
RETRY_AFTER_SECONDS = 120
#: Media types of the annotated copies (an .xls/.ods file's copy is an .xlsx).
WORKBOOK_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
}


@router.get("/upload")
def upload_form(request: Request) -> Response:
    """The upload form and the user's recent uploads."""
    user = require_user(request)
    engine = request.app.state.engine
    return page(
        request,
        "upload.html",
        {
            "title": "Kirim workbook",
            "uploads": recent_uploads(engine, None if user.is_steward else user.opd_code),
            "max_mb": request.app.state.web.max_upload_mb,
            "max_files": request.app.state.web.max_files,
            "suffixes": ", ".join(ACCEPTED_SUFFIXES),
            "agencies": agency_choices(engine, request.app.state.settings) if user.is_steward else [],
        },
    )


@router.post("/upload")
async def upload(request: Request) -> Response:
    """Take the files of field ``files``, queue them for a worker, send the browser to their result page."""
    user = require_user(request)  # before the body is read: nobody else makes the server store a file
    web = request.app.state.web
    try:
        form = await request.form(max_files=web.max_files, max_fields=20)
    except HTTPException as error:
        raise PageError(
            413 if "Too many files" in str(error.detail) else 400,
            f"Kiriman tidak dapat dibaca. Paling banyak {web.max_files} berkas sekali kirim, "
            f"masing-masing paling besar {format_size(web.max_upload_bytes)}.",
        ) from error
    check_form_token(request, form.get("csrf_token"))
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not files:
        raise PageError(422, "Pilih minimal satu workbook (.xlsx, .xlsm, .xls, atau .ods) untuk dikirim.")
    incoming = [IncomingFile(f.filename or "", f.file, f.size) for f in files]
    correction = form.get("correction") == "1"
    choice = form.get("agency") if user.is_steward else None
    if not isinstance(choice, str) or not choice.strip():
        choice = None
    elif choice.strip() not in dict(
        await run_in_threadpool(agency_choices, request.app.state.engine, request.app.state.settings)
    ):
        raise PageError(422, "OPD yang dipilih tidak dikenal. Pilih OPD dari daftar, lalu kirim lagi.")
    try:
        upload_id = await run_in_threadpool(
            enqueue_upload,
            request.app.state.engine,
            request.app.state.settings,
            web,
            user,
            incoming,
            correction,
            choice.strip() if choice else None,
        )
    except UploadWaiting as waiting:
        return _busy(request, 429, WAITING_MESSAGE, waiting.public_id)
    except QueueFull:
        answer = _busy(request, 503, QUEUE_FULL_MESSAGE, "")
        answer.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer
    finally:
        for f in files:
            await f.close()
    return RedirectResponse(f"/uploads/{upload_id}", status_code=303)


def _busy(request: Request, status: int, message: str, waiting: str) -> Response:
    """The page of an upload not queued: the user's previous one still runs, or the queue is full."""
    title = "Tunggu sebentar" if status == 429 else "Antrean penuh"
    context = {"title": title, "message": message, "status": status, "waiting": waiting}
    return page(request, "upload_busy.html", context, status)


@router.get("/uploads/{upload_id}")
def upload_result(request: Request, upload_id: str) -> Response:
    """What became of each file of an upload (an agency's user sees only its own agency's files)."""
    user = require_user(request)
    view = upload_view(request.app.state.engine, upload_id)
    if view is None:
        raise PageError(404, "Kiriman ini tidak ada.")
    if not user.is_steward:
        if user.opd_code not in upload_agencies(view):
            raise PageError(403, "Anda tidak berhak melihat kiriman OPD lain.")
        view.files[:] = [f for f in view.files if f["agency_code"] == user.opd_code]
    return page(request, "upload_result.html", {"title": "Hasil pengiriman", "upload": view})


@router.get("/files/{file_id}/annotated")
def download_annotated(request: Request, file_id: str) -> Response:
    """The annotated copy of a refused file, for the people of its agency and the steward."""
    require_user(request)
    found = annotated_copy(request.app.state.engine, file_id)
    if found is None:
        raise PageError(404, "Salinan beranotasi untuk berkas ini tidak ada.")
    path, name, agency = found
    require_agency(request, agency)
    if not path.is_file():
        raise PageError(404, "Salinan beranotasi sudah tidak tersimpan.")
    return FileResponse(
        path, filename=name, media_type=WORKBOOK_TYPES.get(path.suffix.lower(), WORKBOOK_TYPES[".xlsx"])
    )
