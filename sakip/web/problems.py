"""What a request can end in besides its page: an error page, or the sign-in page first.

Raised by the sign-in checks (:mod:`sakip.web.auth`) and the routes, answered by the error pages
(:mod:`sakip.web.errors`); this module imports neither, so neither imports the other for them.
"""

from __future__ import annotations


class PageError(Exception):
    """A request the application answers with an error page: a status and a message for the person."""

    def __init__(self, status: int, message: str):
        self.status = status
        self.message = message
        super().__init__(message)


class LoginRequired(Exception):
    """The page needs a signed-in user: the browser goes to the sign-in page, then back."""

    def __init__(self, path: str):
        self.path = path
        super().__init__(path)


def safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in (never another site: ``//x``, ``/\\x``, ``http:``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
