"""Signing in and out: session cookies, form tokens against cross-site requests, limits on guessing.

The session cookie holds a random token signed with the application's key (HttpOnly, SameSite=Lax,
Secure when the request came over https, directly or through a trusted proxy); the warehouse keeps
only the token's sha256, so signing out or removing the user ends the session for good. Every form
carries a token (the session's, or before signing in a signed one-time cookie's) checked on POST.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, insert

from sakip.web.accounts import User, user_by_id, verify_password
from sakip.web.config import WebSettings
from sakip.web.pipeline import WebLoginAttempt, WebSession, now_utc, queries
from sakip.web.problems import LoginRequired, PageError

SESSION_COOKIE = "sakip_session"
FORM_COOKIE = "sakip_form"
#: how long a sign-in form stays valid
FORM_TOKEN_SECONDS = 2 * 3600
FORM_EXPIRED = "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman, lalu coba lagi."
#: sign-in attempts older than this are deleted
ATTEMPTS_KEPT = timedelta(days=1)


def _digest(token: str) -> str:
    """The sha256 of a session token (what the warehouse keeps)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _serializer(web: WebSettings, purpose: str) -> URLSafeTimedSerializer:
    """A signer of one kind of cookie (a session token is never accepted as a form token)."""
    return URLSafeTimedSerializer(web.secret_key, salt=f"sakip-{purpose}")


def is_https(request: Request) -> bool:
    """Whether the browser reached us over https (uvicorn applies a trusted proxy's X-Forwarded-Proto)."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    """A cookie scripts cannot read, not sent along by other sites' forms, Secure over https."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="lax", secure=is_https(request)
    )


def client_address(request: Request) -> str:
    """The client's address (the proxy's X-Forwarded-For when the proxy is trusted)."""
    return (request.client.host if request.client else "") or "unknown"


@dataclass(frozen=True)
class Session:
    """A signed-in browser."""

    user: User
    csrf_token: str
    token_digest: str


def start_session(engine: Engine, web: WebSettings, user: User) -> tuple[str, str]:
    """A new session of ``user``: (cookie value, form token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = now_utc()
    with engine.begin() as conn:
        conn.execute(delete(WebSession).where(WebSession.expires_at < now))
        conn.execute(
            insert(WebSession).values(
                id=_digest(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=web.session_hours),
            )
        )
    return _serializer(web, "session").dumps(token), csrf


def session_of(request: Request) -> Session | None:
    """The request's live session, or None (no cookie, bad signature, expired, signed out, user removed)."""
    if hasattr(request.state, "session"):
        return request.state.session
    found = None
    cookie = request.cookies.get(SESSION_COOKIE)
    web: WebSettings = request.app.state.web
    engine: Engine = request.app.state.engine
    if cookie:
        try:
            token = _serializer(web, "session").loads(cookie, max_age=int(web.session_hours * 3600))
        except BadSignature:
            token = None
        if isinstance(token, str):
            row = queries.web_session(engine, _digest(token))
            if row is not None and _aware(row.expires_at) > now_utc():
                user = user_by_id(engine, row.user_id)
                if user is not None:
                    found = Session(user, row.csrf_token, _digest(token))
    request.state.session = found
    return found


def _aware(moment: datetime) -> datetime:
    """A stored moment as UTC (SQLite gives it back without a zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def end_session(request: Request) -> None:
    """Forget the request's session in the warehouse (its cookie is then worthless)."""
    session = session_of(request)
    if session is not None:
        with request.app.state.engine.begin() as conn:
            conn.execute(delete(WebSession).where(WebSession.id == session.token_digest))


def require_user(request: Request) -> User:
    """The signed-in user; otherwise the browser is sent to the sign-in page."""
    session = session_of(request)
    if session is None:
        raise LoginRequired(request.url.path)
    return session.user


def require_steward(request: Request) -> User:
    """The signed-in steward; 403 for an agency's user."""
    user = require_user(request)
    if not user.is_steward:
        raise PageError(403, "Halaman ini hanya untuk pengelola data (steward).")
    return user


def require_agency(request: Request, agency_code: str | None) -> User:
    """The signed-in user, when allowed to see ``agency_code``; 403 otherwise."""
    user = require_user(request)
    if not user.may_see(agency_code):
        raise PageError(403, "Anda tidak berhak melihat data OPD lain.")
    return user


def check_form_token(request: Request, given: object) -> None:
    """Refuse a POST whose form token is missing or is not the session's."""
    session = session_of(request)
    expected = session.csrf_token if session else ""
    if not (isinstance(given, str) and expected and secrets.compare_digest(given, expected)):
        raise PageError(403, FORM_EXPIRED)


def login_form_token(request: Request) -> tuple[str, str]:
    """A fresh token for the sign-in form, and its signed copy for the cookie the POST is checked against."""
    token = secrets.token_urlsafe(32)
    return token, _serializer(request.app.state.web, "form").dumps(token)


def check_login_form_token(request: Request, given: object) -> None:
    """Refuse a sign-in POST whose token does not match its signed cookie."""
    cookie = request.cookies.get(FORM_COOKIE, "")
    try:
        expected = _serializer(request.app.state.web, "form").loads(cookie, max_age=FORM_TOKEN_SECONDS)
    except BadSignature:
        expected = ""
    if not (isinstance(given, str) and isinstance(expected, str) and expected):
        raise PageError(403, FORM_EXPIRED)
    if not secrets.compare_digest(given, expected):
        raise PageError(403, FORM_EXPIRED)


def minutes_blocked(engine: Engine, web: WebSettings, username: str, client: str) -> int:
    """Minutes until this user name and address may try again (0: they may now).

    Failures count within the window: per user name *from this address* since the user's last
    successful sign-in from it, and per client address. Failures for the same user name from other
    addresses never block this one, so nobody can lock a user out by guessing from elsewhere; at a
    limit, the wait lasts until the oldest counted failure leaves the window.
    """
    now = now_utc()
    window = timedelta(minutes=web.login_window_minutes)
    start = now - window
    last_success = queries.last_web_sign_in(engine, username, client)
    since = max(start, _aware(last_success)) if last_success else start
    waits = []
    for who, limit, begin in (
        ({"username": username, "client": client}, web.login_limit_user, since),
        ({"client": client}, web.login_limit_client, start),
    ):
        failures = queries.failed_web_sign_ins(engine, after=begin, limit=limit, **who)
        if len(failures) >= limit:
            waits.append((_aware(failures[-1]) + window - now).total_seconds())
    return max((math.ceil(w / 60) for w in waits if w > 0), default=0)


def record_attempt(engine: Engine, username: str, client: str, success: bool) -> None:
    """Remember a sign-in attempt (and forget those older than a day)."""
    now = now_utc()
    with engine.begin() as conn:
        conn.execute(delete(WebLoginAttempt).where(WebLoginAttempt.attempted_at < now - ATTEMPTS_KEPT))
        conn.execute(
            insert(WebLoginAttempt).values(
                username=username[:200], client=client[:100], attempted_at=now, success=success
            )
        )


def sign_in(engine: Engine, web: WebSettings, username: str, password: str, client: str) -> User:
    """The user whose password this is, within the limits on guessing; a :class:`PageError` otherwise."""
    wait = minutes_blocked(engine, web, username, client)
    if wait:
        raise PageError(
            429,
            f"Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi dalam {wait} menit "
            "atau hubungi pengelola data.",
        )
    user = verify_password(engine, username, password)
    record_attempt(engine, username, client, user is not None)
    if user is None:
        raise PageError(401, "Nama pengguna atau kata sandi salah.")
    return user


__all__ = [
    "FORM_COOKIE",
    "SESSION_COOKIE",
    "Session",
    "check_form_token",
    "check_login_form_token",
    "client_address",
    "end_session",
    "login_form_token",
    "require_agency",
    "require_steward",
    "require_user",
    "session_of",
    "set_cookie",
    "sign_in",
    "start_session",
]
