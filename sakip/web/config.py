"""Settings of the web application, from ``SAKIP_WEB_*`` environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sakip.web.pipeline import check_setting

#: File in the work folder holding the generated signing key when ``SAKIP_WEB_SECRET`` is not set.
SECRET_FILE = "web-secret"


@dataclass(frozen=True)
class WebSettings:
    """What a deployment of the web application can change."""

    #: key signing the session and form cookies (``SAKIP_WEB_SECRET``, else generated once per work folder)
    secret_key: str
    #: largest file accepted by ``/upload``, in MB (``SAKIP_WEB_MAX_UPLOAD_MB``)
    max_upload_mb: float = 20.0
    #: most files in one upload (``SAKIP_WEB_MAX_FILES``)
    max_files: int = 20
    #: hours a sign-in lasts (``SAKIP_WEB_SESSION_HOURS``)
    session_hours: float = 8.0
    #: failed sign-ins allowed per user name, and per client address, within the window
    login_limit_user: int = 5
    login_limit_client: int = 20
    login_window_minutes: float = 15.0
    #: addresses of reverse proxies whose X-Forwarded-* headers are believed (``SAKIP_WEB_TRUSTED_PROXIES``)
    trusted_proxies: str = "127.0.0.1"

    @property
    def max_upload_bytes(self) -> int:
        """The per-file limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_request_bytes(self) -> int:
        """The largest request body: every file at its limit, plus the form around them."""
        return self.max_files * self.max_upload_bytes + 1024 * 1024


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type = float, minimum: float = 1
) -> float:
    """The number in ``name`` (``default`` when unset); an unusable value is a problem naming it."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value != value or value < minimum:
        whole = kind is int
        raise check_setting(
            name,
            raw,
            ("bilangan bulat" if whole else "angka") + f" >= {minimum:g}",
            ("a whole number" if whole else "a number") + f" >= {minimum:g}",
        )
    return value


def signing_key(env: Mapping[str, str], workdir: Path) -> str:
    """``SAKIP_WEB_SECRET``, else a key generated once and kept (owner-only) in the work folder."""
    given = env.get("SAKIP_WEB_SECRET", "")
    if given:
        if len(given) < 32:
            raise check_setting(
                "SAKIP_WEB_SECRET",
                "(tersembunyi)",
                "minimal 32 karakter acak",
                "at least 32 random characters",
            )
        return given
    path = workdir / SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    workdir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def load_web_settings(workdir: Path, env: Mapping[str, str] | None = None) -> WebSettings:
    """Web settings from the environment; the signing key from the environment or the work folder."""
    env = os.environ if env is None else env
    return WebSettings(
        secret_key=signing_key(env, workdir),
        max_upload_mb=_number(env, "SAKIP_WEB_MAX_UPLOAD_MB", 20.0, minimum=0.001),
        max_files=int(_number(env, "SAKIP_WEB_MAX_FILES", 20, int)),
        session_hours=_number(env, "SAKIP_WEB_SESSION_HOURS", 8.0, minimum=0.01),
        login_limit_user=int(_number(env, "SAKIP_WEB_LOGIN_LIMIT_USER", 5, int)),
        login_limit_client=int(_number(env, "SAKIP_WEB_LOGIN_LIMIT_CLIENT", 20, int)),
        login_window_minutes=_number(env, "SAKIP_WEB_LOGIN_WINDOW_MINUTES", 15.0),
        trusted_proxies=env.get("SAKIP_WEB_TRUSTED_PROXIES", "127.0.0.1").strip() or "127.0.0.1",
    )
