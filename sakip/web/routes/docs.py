"""The Data Docs folder, read-only: the steward sees every page, an agency's user its own validations.

Pages are served in a sandbox (``Content-Security-Policy: sandbox``): their scripts run in an origin
of their own, with no access to this application. GX's own style files and images carry no data and
are served to anyone, since a sandboxed page fetches them without the session cookie.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import require_user
from sakip.web.files import data_docs_file
from sakip.web.pipeline import page_agencies
from sakip.web.problems import PageError

router = APIRouter()

SANDBOX = "sandbox allow-scripts allow-popups"


@router.get("/data-docs/{requested:path}")
async def data_docs(request: Request, requested: str) -> Response:
    """One file of the Data Docs folder, if this user may see it."""
    root = request.app.state.settings.workdir / "data-docs"
    target = data_docs_file(root, requested)
    relative = target.relative_to(root.resolve()).as_posix() if target is not None else ""
    public = relative.startswith("static/")  # decided on the resolved path: ``static/../x`` is not
    if not public:
        user = require_user(request)
    if target is None:
        raise PageError(404, "Halaman Data Docs ini tidak ada.")
    if not public and not user.is_steward:
        owners = await run_in_threadpool(page_agencies, request.app.state.engine, relative)
        if not relative.startswith("validations/") or owners != {user.opd_code}:
            raise PageError(403, "Halaman Data Docs ini memuat data OPD lain.")
    response = FileResponse(target)
    response.headers["Content-Security-Policy"] = SANDBOX
    return response
