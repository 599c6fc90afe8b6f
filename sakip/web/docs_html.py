"""Data Docs pages as the office's network serves them: nothing is fetched from another site.

Great Expectations writes its pages with scripts and style sheets from CDNs and a logo from its own
web host (with the data context's id in the address). Each page is rewritten when served: every
script is dropped (the pages are read without them, and the policy below forbids scripts anyway),
style sheets and images from another site are dropped or replaced by GX's own copy in the site's
``static`` folder, links to other sites lose their address, the newsletter footer goes, and a small
style sheet of sakip's takes the place of bootstrap's. The response's policy then forbids any load
from elsewhere, so a page built by a later GX with new remote assets still fetches nothing.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

#: GX's own logo in the site's static folder (written by GX beside every site it builds)
LOCAL_LOGO = "/data-docs/static/images/logo-long.png"
#: sakip's style sheet for Data Docs pages (bootstrap is not fetched)
DOCS_STYLE = "/static/data-docs.css"
#: The policy of every Data Docs response: its own origin (sandboxed, no scripts), this site's styles,
#: images and fonts only, no forms, no frames, no requests elsewhere.
DOCS_POLICY = (
    "sandbox allow-popups; default-src 'none'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)

_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*(?:[a-z][a-z0-9+.-]*:|//)[^)]*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)[^;]*;", re.IGNORECASE)
#: elements whose whole content is dropped
_DROPPED = {"script", "noscript", "iframe", "object", "embed", "footer", "template"}
#: attributes holding an address the browser loads
_URL_ATTRIBUTES = {"src", "href", "xlink:href", "poster", "data", "background", "action", "formaction"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "wbr"}


def is_remote(url: str | None) -> bool:
    """Whether loading ``url`` leaves this site: a scheme other than ``data:``, or a path ``//host``."""
    text = (url or "").strip().lower()
    return bool(_REMOTE.match(text)) and not text.startswith("data:")


def local_css(text: str) -> str:
    """A style sheet without loads from elsewhere: remote ``url(...)`` become ``none``, remote imports go."""
    return _CSS_URL.sub("none", _CSS_IMPORT.sub("", text))


class _Rewriter(HTMLParser):
    """Re-emits a page, dropping or redirecting what would load from another site."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.dropping: list[str] = []  # open elements whose content is dropped
        self.in_style = False

    def _attrs(self, attrs: list[tuple[str, str | None]]) -> str:
        """Attributes as text (values escaped again: the parser unescaped them)."""
        parts = []
        for name, value in attrs:
            if name.startswith("on") or name in ("srcset", "integrity", "crossorigin", "ping"):
                continue
            if name == "style" and value:
                value = local_css(value)
            if name in _URL_ATTRIBUTES and is_remote(value):
                continue  # any other element's address elsewhere (an <img>'s was replaced before)
            parts.append(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"')
        return "".join(parts)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.dropping:
            if tag in _DROPPED and not closed:
                self.dropping.append(tag)
            return
        if tag in _DROPPED or tag == "base":
            if not closed and tag not in _VOID:
                self.dropping.append(tag)
            return
        values = dict(attrs)
        if tag == "link" and (is_remote(values.get("href")) or "preconnect" in (values.get("rel") or "")):
            return
        if tag == "img" and is_remote(values.get("src")):
            attrs = [(n, LOCAL_LOGO if n == "src" else v) for n, v in attrs]
        if tag in ("a", "area") and _REMOTE.match(values.get("href") or ""):
            attrs = [(n, v) for n, v in attrs if n not in ("href", "target")]
        if tag in ("source", "video", "audio", "track", "input") and is_remote(values.get("src")):
            return
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            return
        self.out.append(f"<{tag}{self._attrs(attrs)}{' /' if closed else ''}>")
        if tag == "style" and not closed:
            self.in_style = True
        if tag == "head" and not closed:
            self.out.append(f'<link rel="stylesheet" href="{DOCS_STYLE}">')

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.dropping[-1]:
                self.dropping.pop()
            return
        if tag in _DROPPED:
            return
        if tag == "style":
            self.in_style = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(local_css(data) if self.in_style else data)

    def handle_entityref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_comment(self, data: str) -> None:
        """Comments are dropped (an old browser's conditional comment could load a script)."""

    def unknown_decl(self, data: str) -> None:
        """CDATA and the like are dropped."""


def local_page(text: str) -> str:
    """A Data Docs page that loads nothing from another site (see the module's docstring)."""
    rewriter = _Rewriter()
    rewriter.feed(text)
    rewriter.close()
    return "".join(rewriter.out)
