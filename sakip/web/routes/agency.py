"""A page per agency: its year against the cash plan and its programs' serapan (SVG charts drawn here),
its early warning, its last upload, months loaded, refused files, corrections, the latest monitoring."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import require_agency, require_steward, require_user
from sakip.web.charts import cumulative_chart, serapan_bars
from sakip.web.figures import deviasi_badge, program_bars, year_points
from sakip.web.pipeline import (
    agency_months,
    agency_names,
    expected_agencies,
    known_agency,
    latest_month,
    monitoring_of,
    now_utc,
    queries,
    rejected_submissions,
    revisions,
)
from sakip.web.problems import PageError
from sakip.web.render import page
from sakip.web.uploads import recent_uploads

#: Words for the state of an upload (``web_upload.status``).
UPLOAD_STATES = {
    "processing": "sedang diproses",
    "done": "selesai",
    "failed": "gagal diproses",
}

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


def _figures(
    request: Request,
    code: str,
    loaded: list[dict[str, Any]],
    latest: tuple[int, int] | None,
    monitoring: dict[str, Any] | None,
) -> dict[str, object]:
    """The charts and the badge of the agency page: the year of its newest loaded month (else this
    year) month by month, its programs' serapan, the newest month's early warning. The charts are
    markup the page puts as it is: :mod:`sakip.web.charts` escapes every text of them."""
    engine, settings = request.app.state.engine, request.app.state.settings
    year = latest[0] if latest else now_utc().year
    months = [m for m in loaded if m["year"] == year]  # the agency's loaded months (agency_months)
    points = year_points(months, queries.cash_plan_months(engine, code, year))
    programs = program_bars(monitoring["programs"].to_dict("records")) if monitoring else []
    badge = None
    if latest:
        newest = next((m for m in months if m["month"] == latest[1]), None)
        if newest:
            badge = deviasi_badge(
                newest["realisasi"], newest["anggaran"], newest["anggaran_kas"], latest[1], settings.scales
            )
    return {
        "chart_year": year,
        "points": points,
        "line_chart": Markup(cumulative_chart(points, f"Realisasi dan anggaran kas kumulatif {year}")),
        "bar_chart": Markup(serapan_bars(programs, f"Serapan per program s.d. {monitoring['period']}"))
        if monitoring
        else None,
        "badge": badge,
    }


def _as_sent(engine: Engine, batches: list[dict[str, object]]) -> list[dict[str, object]]:
    """The batches with each file's name as it was sent through the web application, where it was."""
    names = queries.sent_names(engine, [str(b.get("sha256") or "") for b in batches])
    return [{**b, "file_name": names.get(str(b.get("sha256") or ""), b["file_name"])} for b in batches]


def _agency_context(request: Request, code: str) -> dict[str, object]:
    """Everything the agency page shows (read in a worker thread: several queries)."""
    engine, settings = request.app.state.engine, request.app.state.settings
    months = agency_months(engine, code)
    latest = latest_month(engine, code)
    monitoring = monitoring_of(engine, settings, code, *latest) if latest else None
    changes = revisions(engine, code)
    uploads = recent_uploads(engine, code)
    loaded = _as_sent(engine, months.to_dict("records"))
    rejected = _as_sent(engine, rejected_submissions(engine, code).to_dict("records"))
    return {
        "title": f"OPD {code}",
        "code": code,
        "name": agency_names(engine).get(code, ""),
        "months": loaded,
        "rejected": rejected,
        "revisions": changes.to_dict("records"),
        "monitoring": monitoring,
        "monitoring_programs": monitoring["programs"].to_dict("records") if monitoring else [],
        "uploads": uploads,
        "last_upload": uploads[0] if uploads else None,
        "upload_states": UPLOAD_STATES,
        **_figures(request, code, loaded, latest, monitoring),
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
