"""Pages from Jinja templates: autoescaped, with the signed-in user and the form token at hand."""

from __future__ import annotations

import math
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import Response

from sakip.web.auth import session_of
from sakip.web.pipeline import BULAN, format_moment, format_percent, format_rupiah, format_size, printable

TEMPLATES = Path(__file__).resolve().parent / "templates"

STATUS_WORDS = {
    "loaded": "dimuat",
    "unchanged": "tidak berubah (sudah dimuat)",
    "rejected": "DITOLAK",
    "failed": "GAGAL DIPROSES",
    "queued": "Menunggu giliran",
    "processing": "Sedang diproses",
}


def _number(value: object, kind: str) -> str:
    """An amount or a percentage the Indonesian way; "" for nothing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return format_rupiah(value) if kind == "rupiah" else format_percent(value)


def _month(value: object) -> str:
    """The Indonesian name of a month number ("" for none)."""
    try:
        return BULAN[int(value) - 1]  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError):
        return ""


def templates() -> Jinja2Templates:
    """The page templates; every value is html-escaped, but the charts a route hands in as ``Markup``
    (SVG whose every text :mod:`sakip.web.charts` has escaped)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True
    )
    environment.filters.update(
        rupiah=lambda v: _number(v, "rupiah"),
        pct=lambda v: _number(v, "pct"),
        moment=lambda v: format_moment(v) if v is not None and v == v else "",
        bulan=_month,
        ukuran=format_size,
        text=printable,
        status_word=lambda s: STATUS_WORDS.get(str(s), str(s)),
    )
    return Jinja2Templates(env=environment)


def page(request: Request, template: str, context: dict[str, object], status_code: int = 200) -> Response:
    """A page for the signed-in (or not yet signed-in) person."""
    session = session_of(request)
    full = {
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "title": "",
        **context,
    }
    return request.app.state.templates.TemplateResponse(request, template, full, status_code=status_code)
