"""GX's Data Docs in the application: bad paths, pages that load nothing from elsewhere, links per role.

The pages are real: two sample months validated into the site's work folder (no flow needed). The
browser test opens them in Debian's chromium and records every request the pages make.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.fixtures.validations import Validated, validate_months
from tests.fixtures.web import AGENCY, PASSWORDS, make_site, serving, sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]
LONG = "a" * 300
#: a path under /data-docs/ that names no page, each way it can fail
BAD_PATHS = [
    LONG,
    f"validations/{LONG}.html",
    f"validations/{LONG}/{LONG}/x.html",
    "%00",
    "validations/a%00b.html",
    "validations/%ff%fe.html",
    "validations/\u202e.html",
    "validations/%0a%0d.html",
    "..%2f..%2fsakip.db",
    "%2e%2e/web-secret",
    "validations/%2e%2e/%2e%2e/web-secret",
    "validations/none.html",
    "validations",
    "nothing/here.css",
    "static/..%2f..%2fweb-secret",
    "static/%2e%2e/%2e%2e/sakip.db",
]


@pytest.fixture(scope="module")
def validated(sample_2022, site_template, tmp_path_factory) -> Validated:
    folder = tmp_path_factory.mktemp("web-data-docs")
    return validate_months(make_site(site_template, folder / "work"), sample_2022, folder)


def _error_log(validated: Validated) -> Path:
    return validated.site.settings.workdir / "logs" / "sakip-errors.log"


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_bad_path_is_404_after_the_sign_in_check_and_logs_nothing(validated: Validated, path: str):
    log = _error_log(validated)
    before = log.stat().st_size if log.exists() else 0
    signed_out = validated.site.client().get(f"/data-docs/{path}")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login?next=")
    for user in ("steward", "dinas"):
        client = validated.site.client()
        sign_in(client, user)
        answer = client.get(f"/data-docs/{path}")
        assert answer.status_code == 404, (user, path, answer.status_code)
        assert "Halaman Data Docs ini tidak ada." in answer.text
    assert (log.stat().st_size if log.exists() else 0) == before


@pytest.mark.parametrize("path", [f"static/{LONG}", f"static/images/{LONG}.png", "static/none.css"])
def test_a_missing_asset_is_404_to_anyone(validated: Validated, path: str):
    log = _error_log(validated)
    assert validated.site.client().get(f"/data-docs/{path}").status_code == 404
    assert not log.exists() or "data-docs" not in log.read_text(encoding="utf-8")


def test_a_page_is_served_without_scripts_or_remote_assets_under_a_strict_policy(validated: Validated):
    steward = validated.site.client()
    sign_in(steward, "steward")
    stored = (
        validated.site.settings.workdir / "data-docs" / validated.docs_path(validated.bad)[11:]
    ).read_text()
    assert "cdn.jsdelivr.net" in stored and "great-expectations-web-assets" in stored  # GX's page as written
    answer = steward.get(validated.docs_path(validated.bad))
    assert answer.status_code == 200
    page = answer.text
    assert "<script" not in page.lower()
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.IGNORECASE)
    assert "great-expectations-web-assets" not in page and "dataContextId" not in page
    assert "Subscribe" not in page and "newsletter" not in page
    assert '<link rel="stylesheet" href="/static/data-docs.css">' in page
    assert 'src="/data-docs/static/images/logo-long.png"' in page
    assert "realisasi_sd_bulan_ini_rp" in page  # GX's own account of the expectations is still there
    policy = answer.headers["content-security-policy"]
    assert (
        policy.startswith("sandbox") and "allow-scripts" not in policy and "allow-same-origin" not in policy
    )
    assert "default-src 'none'" in policy and "img-src 'self' data:" in policy and "http" not in policy
    css = steward.get("/data-docs/static/styles/data_docs_default_styles.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "great-expectations-web-assets" not in css.text and "background: none 0 0 no-repeat" in css.text
    assert "font-src 'self'" in css.headers["content-security-policy"]


def test_home_leads_each_role_to_its_own_validations(validated: Validated):
    steward, mine = validated.site.client(), validated.site.client()
    sign_in(steward, "steward")
    sign_in(mine, "dinas")
    for client, target in ((steward, "/steward/validations"), (mine, f"/agencies/{AGENCY}/validations")):
        for path in ("/data-docs/index.html", "/data-docs/"):
            answer = client.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == target
        assert client.get(target).status_code == 200
        alias = client.get("/data-docs/static/..%2findex.html")  # not an asset: signed in, then home
        assert alias.status_code == 303 and alias.headers["location"] == target
    suite_pages = [p for p in (validated.site.settings.workdir / "data-docs" / "expectations").glob("*.html")]
    for suite_page in suite_pages:  # the suite's page holds no agency's data
        assert mine.get(f"/data-docs/expectations/{suite_page.name}").status_code == 200
    own = mine.get(validated.docs_path(validated.bad))
    assert own.status_code == 200 and 'href="../../../../index.html"' in own.text


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium (never a downloaded browser)."""
    assert Path(CHROMIUM).is_file(), "chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _signed_in_page(browser, base: str, username: str):
    """A new browser page signed in as ``username``, with the list of every URL it requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button:has-text('Masuk')")
    page.wait_for_url(lambda url: "/login" not in url)
    return page, requested


def test_no_request_leaves_the_site_when_data_docs_are_opened(validated: Validated, browser):
    with serving(validated.site) as base:
        page, requested = _signed_in_page(browser, base, "steward")
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        served: dict[str, int] = {}
        page.on("response", lambda response: served.__setitem__(response.url, response.status))
        for path in (
            validated.docs_path(validated.bad),
            validated.docs_path(validated.good),
            "/data-docs/index.html",
        ):
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
        own = urlsplit(base).netloc
        assert requested, "the browser recorded no request"
        assert {urlsplit(url).netloc for url in requested if not url.startswith("data:")} == {own}
        assert any(url.endswith("/static/data-docs.css") for url in requested)  # our styles load
        assert served[f"{base}/static/data-docs.css"] == 200
        assert any("/data-docs/static/images/logo-long.png" in url for url in requested)
        assert page.url == f"{base}/steward/validations"  # GX's index: the steward's list
        assert not [url for url in failed if "data-docs.css" in url or "logo-long" in url]
        page.context.close()


def test_home_on_a_data_docs_page_works_for_an_agency_in_a_browser(validated: Validated, browser):
    with serving(validated.site) as base:
        page, requested = _signed_in_page(browser, base, "dinas")
        page.goto(f"{base}{validated.docs_path(validated.bad)}")
        page.get_by_role("link", name="Home").first.click()
        page.wait_for_url(f"{base}/agencies/{AGENCY}/validations")
        assert "Hasil validasi" in page.content()
        page.get_by_role("link", name="Hasil validasi").first.click()
        page.wait_for_load_state()
        assert (
            "/validations/" in page.url
            and "Realisasi s.d. bulan ini tidak melebihi anggaran" in page.content()
        )
        assert {urlsplit(url).netloc for url in requested} == {urlsplit(base).netloc}
        page.context.close()


def test_the_rewrite_leaves_no_address_elsewhere_whatever_the_markup():
    from sakip.web.docs_html import local_css, local_page

    page = local_page(
        "<!DOCTYPE html><html><HEAD><base href='https://evil.example/'>"
        "<meta http-equiv=refresh content='0;url=https://evil.example'>"
        "<LINK rel=stylesheet href='HTTPS://cdn.example/x.css'><link rel=preconnect href=/x>"
        "<link rel='shortcut icon' href='./static/images/favicon.ico'>"
        "<style>@import url('https://cdn.example/a.css'); a{background:url(//cdn.example/b.png)}</style>"
        "<script src=https://cdn.example/j.js></script><script>alert(1)</script>"
        "<noscript><img src=//t.example/p></noscript>"
        "</head><body>"
        "<img src='https://assets.example/logo.png?dataContextId=42' srcset='https://x.example/a 2x'>"
        "<img src='data:image/png;base64,AA=='>"
        "<div style=\"background:url('https://x.example/b')\">a &amp; b &lt;i&gt;</div>"
        "<a href='&#106;avascript:alert(1)' onclick=alert(1)>x</a><a href='https://greatexpectations.io'>GX</a>"
        "<svg><image xlink:href='https://x.example/i.png'/></svg><iframe src=https://x.example></iframe>"
        "<a href='../../index.html'>Home</a><footer><a href='https://x.example/newsletter'>Subscribe</a></footer>"
        "</body></html>"
    )
    lowered = page.lower()
    assert "example" not in lowered and "greatexpectations.io" not in lowered and "javascript" not in lowered
    assert "<script" not in lowered and "<iframe" not in lowered and "<base" not in lowered
    assert "refresh" not in lowered and "onclick" not in lowered and "srcset" not in lowered
    assert "subscribe" not in lowered and "datacontextid" not in lowered
    assert 'src="/data-docs/static/images/logo-long.png"' in page
    assert 'src="data:image/png;base64,AA=="' in page  # an inline image loads nothing
    assert '<a href="../../index.html">Home</a>' in page and 'href="./static/images/favicon.ico"' in page
    assert "a &amp; b &lt;i&gt;" in page  # text stays text
    assert '<link rel="stylesheet" href="/static/data-docs.css">' in page
    assert local_css("p{background:url( 'http://x/y' )} @import 'https://x/z.css';") == "p{background:none} "
