"""Every error is a page in Bahasa Indonesia with its status, never a traceback."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sakip.web.pipeline import log_unexpected
from sakip.web.problems import LoginRequired, PageError, safe_next
from sakip.web.render import page

__all__ = ["LoginRequired", "PageError", "error_page", "install_error_pages", "safe_next"]

LOGGER = logging.getLogger(__name__)

#: The message of each status when the code raising it gave none of its own.
STATUS_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Permintaan tidak sah", "Permintaan ini tidak dapat diproses."),
    401: ("Belum masuk", "Silakan masuk terlebih dahulu."),
    403: ("Akses ditolak", "Anda tidak berhak membuka halaman ini."),
    404: ("Tidak ditemukan", "Halaman atau berkas yang diminta tidak ada."),
    405: ("Metode tidak diizinkan", "Alamat ini tidak menerima permintaan seperti itu."),
    413: ("Berkas terlalu besar", "Kiriman melebihi batas ukuran."),
    422: ("Isian tidak lengkap", "Isian formulir tidak lengkap atau tidak sah."),
    429: ("Terlalu banyak percobaan", "Terlalu banyak percobaan; coba lagi nanti."),
    500: (
        "Terjadi kesalahan",
        "Terjadi kesalahan di server. Kejadian ini sudah dicatat; coba lagi, atau hubungi pengelola data.",
    ),
}


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    """The error page of ``status``, with ``message`` or the status's own."""
    title, default = STATUS_MESSAGES.get(status, (f"Kesalahan {status}", "Permintaan tidak dapat diproses."))
    context = {"title": title, "message": message or default, "status": status}
    try:
        return page(request, "error.html", context, status)
    except Exception:  # the warehouse is what failed: the page without the signed-in user
        context.update(user=None, csrf_token="")
        return request.app.state.templates.TemplateResponse(
            request, "error.html", context, status_code=status
        )


def install_error_pages(app: FastAPI, workdir: Path) -> None:
    """Answer every error (ours, the router's, a form the route could not read, a crash) with a page."""

    @app.exception_handler(PageError)
    async def page_error(request: Request, error: PageError) -> Response:
        return error_page(request, error.status, error.message)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(safe_next(error.path))}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        response = error_page(request, error.status_code)
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return error_page(request, 422)

    @app.exception_handler(Exception)
    async def crash(request: Request, error: Exception) -> Response:
        log = log_unexpected(error, workdir)
        LOGGER.error("unexpected error on %s %s (traceback in %s)", request.method, request.url.path, log)
        try:
            return error_page(request, 500)
        except Exception:  # the template itself failed: still no traceback for the person
            return HTMLResponse(
                "<!doctype html><title>Terjadi kesalahan</title><p>Terjadi kesalahan di server.</p>",
                status_code=500,
            )
