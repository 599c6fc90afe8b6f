"""The Data Docs folder, read-only: the steward sees every page, an agency's user its own validations.

Every path but GX's own assets (``static/...``, read by the path's text) needs a signed-in user first;
only then is the path looked up, and any path that names no page (outside the folder, too long, a
NUL, an unencodable name, missing) is a 404 that logs nothing.

Pages are served rewritten so that they load nothing from another site (:mod:`sakip.web.docs_html`),
under a policy that forbids it and keeps them in a sandbox: an origin of their own, no scripts, no
access to this application. GX's own style files and images carry no data and are served to anyone,
since a sandboxed page fetches them without the session cookie.

GX's index page lists the runs with scripts only; its address leads to the validations list of the
person instead (the steward's, or the agency's own), so "Home" works for each role.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import PathConvertor, register_url_convertor

from sakip.web.auth import require_user
from sakip.web.docs_html import DOCS_POLICY, local_css, local_page
from sakip.web.files import data_docs_file, public_docs_path
from sakip.web.pipeline import page_owner_agencies
from sakip.web.problems import PageError


class AnyPath(PathConvertor):
    """A path of any characters, line breaks included (Starlette's ``path`` stops at one): such a
    path too is answered after the sign-in check, not by the router."""

    regex = "(?s:.*)"


register_url_convertor("any_path", AnyPath())
router = APIRouter()

NOT_FOUND = "Halaman Data Docs ini tidak ada."


def _read_text(path) -> str:
    """A page or style sheet of the site as text (GX writes UTF-8)."""
    return path.read_text(encoding="utf-8", errors="replace")


@router.get("/data-docs/{requested:any_path}")
async def data_docs(request: Request, requested: str) -> Response:
    """One file of the Data Docs folder, if this user may see it."""
    public = public_docs_path(requested)
    user = None if public else require_user(request)
    root = request.app.state.settings.workdir / "data-docs"
    target = await run_in_threadpool(data_docs_file, root, requested or "index.html")
    if target is None:
        raise PageError(404, NOT_FOUND)
    relative = target.relative_to(root.resolve()).as_posix()
    if user is not None and relative == "index.html":
        home = "/steward/validations" if user.is_steward else f"/agencies/{user.opd_code}/validations"
        return RedirectResponse(home, status_code=303)
    if public and not relative.startswith("static/"):
        raise PageError(404, NOT_FOUND)
    if user is not None and not user.is_steward and not relative.startswith("expectations/"):
        # a suite's page holds no data; a validation's, only its agency's
        owners = await run_in_threadpool(page_owner_agencies, request.app.state.engine, relative)
        if not relative.startswith("validations/") or owners != {user.opd_code}:
            raise PageError(403, "Halaman Data Docs ini memuat data OPD lain.")
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        response: Response = HTMLResponse(local_page(await run_in_threadpool(_read_text, target)))
    elif suffix == ".css":
        css = local_css(await run_in_threadpool(_read_text, target))
        response = Response(css, media_type="text/css; charset=utf-8")
    else:
        response = FileResponse(target)
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response
