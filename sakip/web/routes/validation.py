"""Validation runs in sakip's own pages: the lists (the steward's, an agency's) and a page per run.

A run is found by its public key (its batch's random run id and its row number), never by the row
number alone. The steward sees every run, an agency's user the runs of its own agency (403 otherwise).
GX's Data Docs page of the run stays linked as the technical detail.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import require_agency, require_steward, require_user
from sakip.web.files import display_name, docs_link
from sakip.web.pipeline import (
    agency_names,
    agency_validation_runs,
    page_owner_agencies,
    run_agencies,
    runs_of_file,
    sent_file_issues,
    sent_names,
    upload_file_validation,
    validation_run,
    validation_runs,
)
from sakip.web.problems import PageError
from sakip.web.render import page
from sakip.web.validation_view import parse_run_key, run_details, run_key

router = APIRouter()

#: The newest runs a list shows
LIST_LIMIT = 200
NOT_FOUND = "Hasil validasi ini tidak ada."


def _rows(request: Request, runs: list[dict]) -> list[dict]:
    """Runs as the lists show them: the name as sent, the run's page and its Data Docs page."""
    docs_root = request.app.state.settings.workdir / "data-docs"
    names = sent_names(request.app.state.engine, [str(r.get("sha256") or "") for r in runs])
    return [
        {
            **run,
            "name": display_name(names.get(str(run.get("sha256") or "")) or str(run.get("file_name") or "")),
            "key": run_key(str(run["run_id"]), int(run["id"])),
            "link": docs_link(str(run.get("data_docs_url") or ""), docs_root),
        }
        for run in runs
    ]


@router.get("/steward/validations")
async def steward_validations(request: Request, failed: int = 0) -> Response:
    """Every validation run, newest first, with its page and its Data Docs page."""
    require_steward(request)
    engine = request.app.state.engine

    def read() -> list[dict]:
        runs = validation_runs(engine, failed_only=bool(failed)).head(LIST_LIMIT).to_dict("records")
        return _rows(request, runs)

    rows = await run_in_threadpool(read)
    context = {"title": "Hasil validasi", "runs": rows, "failed": bool(failed), "agency": None}
    return page(request, "validations.html", context)


@router.get("/agencies/{code}/validations")
async def agency_validations(request: Request, code: str) -> Response:
    """One agency's validation runs: its own people and the steward only."""
    require_agency(request, code)
    engine = request.app.state.engine

    def read() -> tuple[list[dict], str]:
        runs = [dict(r._mapping) for r in agency_validation_runs(engine, code, LIST_LIMIT)]
        return _rows(request, runs), agency_names(engine).get(code, "")

    rows, name = await run_in_threadpool(read)
    context = {
        "title": "Hasil validasi",
        "runs": rows,
        "failed": False,
        "agency": {"code": code, "name": name},
    }
    return page(request, "validations.html", context)


@router.get("/validations/{key}")
async def validation_page(request: Request, key: str) -> Response:
    """One suite run on one file: what each expectation checks, its result and the failing cells."""
    user = require_user(request)
    found = parse_run_key(key)
    if found is None:
        raise PageError(404, NOT_FOUND)
    engine, settings = request.app.state.engine, request.app.state.settings
    run = await run_in_threadpool(validation_run, engine, *found)
    if run is None:
        raise PageError(404, NOT_FOUND)
    owners = await run_in_threadpool(run_agencies, engine, run.opd_code or "", run.sha256)
    if not user.is_steward and user.opd_code not in owners:
        raise PageError(403, "Hasil validasi ini milik OPD lain.")

    docs = docs_link(run.data_docs_url, settings.workdir / "data-docs")

    def read():
        names = sent_names(engine, [run.sha256])
        details = run_details(
            settings.workdir, run.data_docs_url, run.file_name, sent_file_issues(engine, run.sha256)
        )
        # GX's page shows the whole batch: an agency's user gets it when the batch was its own alone
        shared = bool(docs) and page_owner_agencies(engine, docs.removeprefix("/data-docs/")) != owners
        return names.get(run.sha256), details, agency_names(engine).get(run.opd_code or "", ""), shared

    sent, details, agency_name, shared = await run_in_threadpool(read)
    return page(
        request,
        "validation.html",
        {
            "title": "Hasil validasi",
            "run": run,
            "name": display_name(sent or run.file_name),
            "agency_name": agency_name,
            "details": details,
            "docs": docs if user.is_steward or not shared else "",
        },
    )


@router.get("/validations/file/{file_id}")
async def uploaded_file_validation(request: Request, file_id: str) -> Response:
    """The validation page of an uploaded file (its newest run), for who may see the file."""
    require_user(request)
    engine = request.app.state.engine
    found = await run_in_threadpool(upload_file_validation, engine, file_id)
    if found is None or not found.sha256:
        raise PageError(404, NOT_FOUND)
    require_agency(request, found.agency_code or None)
    runs = await run_in_threadpool(runs_of_file, engine, found.sha256)
    page_path = (found.data_docs_url or "").removeprefix("/data-docs/")
    same_page = [r for r in runs if page_path and r.data_docs_url.endswith("/" + page_path)]
    chosen = (same_page or runs or [None])[0]
    if chosen is None:
        raise PageError(404, NOT_FOUND)
    return RedirectResponse(f"/validations/{run_key(chosen.run_id, chosen.id)}", status_code=303)
