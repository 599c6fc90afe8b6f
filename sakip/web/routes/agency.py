"""A page per agency: months loaded with their serapan, refused files, corrections, the latest monitoring."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import require_agency, require_steward, require_user
from sakip.web.pipeline import (
    agency_months,
    agency_names,
    expected_agencies,
    known_agency,
    latest_month,
    monitoring_of,
    rejected_submissions,
    revisions,
)
from sakip.web.problems import PageError
from sakip.web.render import page
from sakip.web.uploads import recent_uploads

router = APIRouter()


@router.get("/agencies")
def agencies(request: Request) -> Response:
    """Every agency (the steward's list); an agency's user goes to its own page."""
    user = require_user(request)
    if not user.is_steward:
        return RedirectResponse(f"/agencies/{user.opd_code}", status_code=303)
    require_steward(request)
    engine, settings = request.app.state.engine, request.app.state.settings
    names = agency_names(engine)
    codes = sorted(set(expected_agencies(engine, settings)) | set(names))
    return page(
        request,
        "agencies.html",
        {"title": "Daftar OPD", "agencies": [(code, names.get(code, "")) for code in codes]},
    )


def _agency_context(request: Request, code: str) -> dict[str, object]:
    """Everything the agency page shows (read in a worker thread: several queries)."""
    engine, settings = request.app.state.engine, request.app.state.settings
    months = agency_months(engine, code)
    latest = latest_month(engine, code)
    monitoring = monitoring_of(engine, settings, code, *latest) if latest else None
    changes = revisions(engine, code)
    return {
        "title": f"OPD {code}",
        "code": code,
        "name": agency_names(engine).get(code, ""),
        "months": months.to_dict("records"),
        "rejected": rejected_submissions(engine, code).to_dict("records"),
        "revisions": changes.to_dict("records"),
        "monitoring": monitoring,
        "monitoring_programs": monitoring["programs"].to_dict("records") if monitoring else [],
        "uploads": recent_uploads(engine, code),
    }


@router.get("/agencies/{code}")
async def agency(request: Request, code: str) -> Response:
    """One agency's page: its own people and the steward only (403 for another agency's user)."""
    user = require_agency(request, code)
    engine, settings = request.app.state.engine, request.app.state.settings
    own = user.opd_code == code  # an agency's own page exists before its first workbook
    if not own and not await run_in_threadpool(known_agency, engine, settings, code):
        raise PageError(404, "OPD ini tidak dikenal.")
    context = await run_in_threadpool(_agency_context, request, code)
    return page(request, "agency.html", context)
