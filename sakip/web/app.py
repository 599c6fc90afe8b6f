"""The web application: ``create_app`` builds it over one warehouse and work folder."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sakip.web.config import WebSettings
from sakip.web.errors import PageError, error_page, install_error_pages
from sakip.web.jobs import start_sweeping
from sakip.web.pipeline import Settings, format_size, open_warehouse
from sakip.web.render import templates
from sakip.web.routes import agency, auth, docs, steward, upload, validation

STATIC = Path(__file__).resolve().parent / "static"
#: Bodies of requests other than uploads: a sign-in or sign-out form
SMALL_BODY_BYTES = 64 * 1024
#: The application's own pages: no script, styles and images from this site only, forms posting here only
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class BodyTooLarge(PageError):
    """A request body beyond the limit, stopped while it arrives."""


class Limits:
    """ASGI middleware: refuse a request body beyond its limit (413) before it is stored anywhere."""

    def __init__(self, app: ASGIApp, web: WebSettings):
        self.app = app
        self.web = web

    def _limit(self, path: str) -> int:
        """The largest body of a request to ``path``."""
        return self.web.max_request_bytes if path == "/upload" else SMALL_BODY_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope["path"])
        message = (
            f"Kiriman terlalu besar: paling banyak {self.web.max_files} berkas, "
            f"masing-masing paling besar {format_size(self.web.max_upload_bytes)}."
        )
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = error_page(Request(scope, receive), 413, message)
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(413, message)
            return event

        await self.app(scope, counted, send)


class SecurityHeaders:
    """ASGI middleware: headers that keep pages out of frames, caches and content sniffing."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"cache-control": b"no-store",
                    b"content-security-policy": PAGE_POLICY.encode(),
                }
                if https:
                    extra[b"strict-transport-security"] = b"max-age=31536000"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """ASGI middleware: answer ``HEAD`` wherever ``GET`` is answered, with the same status and headers
    and no body (uptime monitors and link checkers ask with ``HEAD``)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def create_app(
    settings: Settings,
    web: WebSettings,
    engine: Engine | None = None,
    on_shutdown: Callable[[], None] | None = None,
) -> FastAPI:
    """The application over the warehouse of ``settings`` (migrated on the way) and its work folder.

    While it serves, a thread ends the uploads whose worker died and removes expired upload files.
    ``on_shutdown`` runs when the server stops gracefully (before uvicorn re-raises a SIGTERM).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweeping = start_sweeping(app.state.engine, settings, web)  # dead jobs and expired files
        yield
        sweeping.set()
        if on_shutdown is not None:
            on_shutdown()

    app = FastAPI(title="sakip", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.web = web
    app.state.engine = engine if engine is not None else open_warehouse(settings.url)
    app.state.templates = templates()
    install_error_pages(app, settings.workdir)
    for module in (auth, upload, agency, steward, docs, validation):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(Limits, web=web)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    return app
