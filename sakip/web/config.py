"""Settings of the web application: ``SAKIP_WEB_*`` read by the one settings loader
(:func:`tasks.settings.load_web_settings`, through :mod:`sakip.web.pipeline`), and the key signing
its cookies.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sakip.web.pipeline import WebSettings
from sakip.web.pipeline import load_web_settings as read_web_settings

__all__ = ["SECRET_FILE", "WebSettings", "load_web_settings", "signing_key"]

#: File in the work folder holding the generated signing key when ``SAKIP_WEB_SECRET`` is not set.
SECRET_FILE = "web-secret"


def signing_key(web: WebSettings, workdir: Path) -> str:
    """``SAKIP_WEB_SECRET``, else a key generated once and kept (owner-only) in the work folder."""
    if web.secret is not None:
        return web.secret.get_secret_value()
    path = workdir / SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    workdir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def load_web_settings(workdir: Path, **given: Any) -> WebSettings:
    """The web settings (``given`` values, by field name, before the environment's), with the signing key
    of the work folder when ``SAKIP_WEB_SECRET`` is not set."""
    web = read_web_settings(**given)
    return web.model_copy(update={"secret": SecretStr(signing_key(web, Path(workdir)))})
