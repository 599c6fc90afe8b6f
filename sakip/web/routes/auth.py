"""Signing in and out, and the home page that sends each person to their start."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sakip.web.auth import (
    FORM_COOKIE,
    SESSION_COOKIE,
    check_form_token,
    check_login_form_token,
    client_address,
    end_session,
    login_form_token,
    require_user,
    session_of,
    set_cookie,
    sign_in,
    start_session,
)
from sakip.web.problems import PageError, safe_next
from sakip.web.render import page

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    """A steward starts at the month's status of every agency, an agency's user at its own page."""
    user = require_user(request)
    target = "/steward" if user.is_steward else f"/agencies/{user.opd_code}"
    return RedirectResponse(target, status_code=303)


def _login_page(
    request: Request, next_path: str, message: str = "", status: int = 200, username: str = ""
) -> Response:
    """The sign-in form with a fresh form token (and its signed cookie)."""
    token, signed = login_form_token(request)
    context = {
        "title": "Masuk",
        "next": safe_next(next_path),
        "message": message,
        "username": username,
        "form_token": token,
    }
    response = page(request, "login.html", context, status)
    set_cookie(request, response, FORM_COOKIE, signed, None)
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form (a signed-in person goes on at once)."""
    if session_of(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the form token, the limits on guessing and the password; start a session."""
    form = await request.form()
    check_login_form_token(request, form.get("csrf_token"))
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_path = safe_next(str(form.get("next") or "/"))
    if not username or not password:
        return _login_page(request, next_path, "Isi nama pengguna dan kata sandi.", 422, username)
    engine, web = request.app.state.engine, request.app.state.web
    try:
        user = await run_in_threadpool(sign_in, engine, web, username, password, client_address(request))
    except PageError as refused:
        return _login_page(request, next_path, refused.message, refused.status, username)
    cookie, _csrf = start_session(engine, web, user)
    response = RedirectResponse(next_path, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, cookie, int(web.session_hours * 3600))
    response.delete_cookie(FORM_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (in the warehouse too: its cookie is worthless from now on)."""
    form = await request.form()
    if session_of(request) is not None:
        check_form_token(request, form.get("csrf_token"))
        end_session(request)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
