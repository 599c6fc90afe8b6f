"""The steward's pages: every agency's state for a month, quarantine, year-end reports (the validation
runs: :mod:`sakip.web.routes.validation`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import require_steward
from sakip.web.figures import month_table, sort_choice, sort_rows
from sakip.web.files import find_file, list_files, safe_name
from sakip.web.pipeline import latest_month, month_status, now_utc, queries
from sakip.web.problems import PageError
from sakip.web.render import page
from sakip.web.uploads import recent_uploads

router = APIRouter(prefix="/steward")

REPORT_SUFFIXES = (".xlsx", ".docx", ".pdf", ".html", ".csv", ".png")
#: Sortable columns of the month table: (sort key, heading).
SORT_HEADINGS = (
    ("kode", "Kode"),
    ("opd", "OPD"),
    ("status", "Status"),
    ("anggaran", "Anggaran (Rp)"),
    ("realisasi", "Realisasi s.d. bulan ini (Rp)"),
    ("serapan", "Serapan (%)"),
    ("anggaran_kas", "Anggaran kas s.d. bulan ini (Rp)"),
    ("deviasi", "Deviasi (poin)"),
)
STATE_WORDS = {
    "dimuat": "dimuat",
    "ditolak": "ditolak",
    "terkirim": "terkirim, sedang diproses",
    "belum": "belum dikirim",
}


def _period(request: Request, year: int | None, month: int | None) -> tuple[int, int]:
    """The month asked for, else the newest loaded, else last month."""
    if year is not None and month is not None:
        if not (1900 <= year <= 2100 and 1 <= month <= 12):
            raise PageError(422, "Tahun harus 1900–2100 dan bulan 1–12.")
        return year, month
    latest = latest_month(request.app.state.engine)
    if latest:
        return latest
    today = now_utc()
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def _month_rows(
    request: Request, year: int, month: int, column: str, direction: str
) -> list[dict[str, object]]:
    """Each expected agency's state for the month with its figures, in the order asked for."""
    engine, settings = request.app.state.engine, request.app.state.settings
    rows = month_status(engine, settings, year, month)
    figures = queries.month_figures(engine, year, month).to_dict("records")
    sent = queries.month_last_sent_names(engine, year, month)
    return sort_rows(month_table(rows, figures, month, settings.scales, sent), column, direction)


@router.get("")
async def month_overview(
    request: Request,
    year: int | None = None,
    month: int | None = None,
    sort: str | None = None,
    dir: str | None = None,
) -> Response:
    """Each expected agency's state and figures for a month: loaded, refused, being processed, or
    missing; lowest serapan first unless another column is asked for (agencies with nothing loaded
    for the month last, in either direction)."""
    require_steward(request)
    chosen = _period(request, year, month)
    column, direction = sort_choice(sort, dir)
    engine = request.app.state.engine
    rows = await run_in_threadpool(_month_rows, request, *chosen, column, direction)
    counts = {state: sum(r["state"] == state for r in rows) for state in STATE_WORDS}
    return page(
        request,
        "steward_month.html",
        {
            "title": "Status pengiriman",
            "year": chosen[0],
            "month": chosen[1],
            "rows": rows,
            "counts": counts,
            "state_words": STATE_WORDS,
            "uploads": recent_uploads(engine, None, limit=10),
            "register": request.app.state.settings.opd_register is not None,
            "sort": column,
            "dir": direction,
            "columns": SORT_HEADINGS,
        },
    )


@router.get("/quarantine")
def quarantine(request: Request) -> Response:
    """Every file in the quarantine folder (copies, annotated copies, summaries)."""
    require_steward(request)
    files = list_files(request.app.state.settings.quarantine_dir)
    return page(request, "files.html", {"title": "Karantina", "files": files, "base": "/steward/quarantine"})


@router.get("/quarantine/{file_id}")
def quarantine_file(request: Request, file_id: str) -> Response:
    """A file of the quarantine, by its id."""
    require_steward(request)
    found = find_file(request.app.state.settings.quarantine_dir, file_id)
    if found is None:
        raise PageError(404, "Berkas karantina ini tidak ada.")
    return FileResponse(
        found.path, filename=safe_name(found.path.name), content_disposition_type="attachment"
    )


@router.get("/reports")
def reports(request: Request) -> Response:
    """The year-end report files (and monitoring reports) of every agency."""
    require_steward(request)
    files = list_files(request.app.state.settings.reports_dir, REPORT_SUFFIXES)
    return page(request, "files.html", {"title": "Laporan", "files": files, "base": "/steward/reports"})


@router.get("/reports/{file_id}")
def report_file(request: Request, file_id: str) -> Response:
    """A report file, by its id (always downloaded, never shown in the application's pages)."""
    require_steward(request)
    found = find_file(request.app.state.settings.reports_dir, file_id)
    if found is None or found.path.suffix.lower() not in REPORT_SUFFIXES:
        raise PageError(404, "Berkas laporan ini tidak ada.")
    return FileResponse(
        found.path, filename=safe_name(found.path.name), content_disposition_type="attachment"
    )
