"""The pages in a real browser (Debian's chromium through Playwright): the agency page's charts are
drawn and seen, and no page scrolls sideways at 1280 px, with nothing refused by the page's CSP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect, sync_playwright
from sqlalchemy import insert

from tests.fixtures.dashboard import UPLOADED_AT, load_months, load_sample_plan, record_upload
from tests.fixtures.web import AGENCY, OTHER_AGENCY, PASSWORDS, make_site, serving
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS
from warehouse.models import ValidationRun

VIEWPORT = {"width": 1280, "height": 900}
#: Every word of a table cell (but a file name's, which may break when longer than its column) written
#: over more than one line, and every code, number or state cell written over more than one line.
BROKEN_WORDS = """
(() => {
  const broken = [];
  const lines = (range) => new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  for (const cell of document.querySelectorAll("td:not(.file), th")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (lines(range) > 1) broken.push(match[0]);
      }
    }
  }
  for (const cell of document.querySelectorAll("td.code, td.num, td .badge")) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    if (lines(range) > 1) broken.push(cell.textContent);
  }
  return broken;
})()
"""
LONG_NAME = (
    "laporan_realisasi_dinas_koperasi_dan_usaha_mikro_kota_semarang_2022_februari_final_revisi_ketiga.xlsx"
)
LONG_AGENCY = "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan Kota Semarang"


def _record_long_names(engine) -> None:
    """An upload and a validation run whose file names are long and unbroken (a layout's worst case)."""
    record_upload(engine, [(LONG_NAME, "loaded", "")])
    with engine.begin() as conn:
        conn.execute(
            insert(ValidationRun).values(
                run_id=uuid.uuid4().hex,
                file_name=LONG_NAME,
                sha256="0" * 64,
                suite="realization",
                suite_version="1",
                success=False,
                evaluated=40,
                failed=1,
                opd_code=AGENCY,
                year=2022,
                month=2,
                validated_at=UPLOADED_AT,
            )
        )


@pytest.fixture(scope="module")
def server(site_template, sample_2022, tmp_path_factory) -> Iterator[str]:
    """The application over a warehouse with January and February 2022 of two agencies (the second
    with a long name) and the sample's anggaran kas plan; its base address."""
    folder = tmp_path_factory.mktemp("web-layout")
    site = make_site(site_template, folder / "work")
    load_months(site.engine, sample_2022.realization[:2])
    load_months(site.engine, sample_2022.realization[:2], OTHER_AGENCY, LONG_AGENCY, 0.5)
    load_sample_plan(site.engine, sample_2022.realization, folder / "rak_2022.xlsx")
    _record_long_names(site.engine)
    with serving(site) as base:
        yield base


@pytest.fixture
def page() -> Iterator[tuple[Page, list[str]]]:
    """A chromium page at 1280 px and the console messages it logs."""
    assert Path(CHROMIUM).is_file(), "chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        opened = context.new_page()
        messages: list[str] = []
        opened.on("console", lambda message: messages.append(_console_text(message)))
        opened.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
        yield opened, messages
        context.close()
        browser.close()


def _console_text(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text}"


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button:has-text('Masuk')")
    page.wait_for_url(lambda url: "/login" not in url)


def _page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _visible_box(locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0, box
    return box


def test_the_agency_page_shows_its_charts_and_badge(server: str, page: tuple[Page, list[str]]):
    browser, messages = page
    _sign_in(browser, server, "dinas")
    browser.goto(f"{server}/agencies/{AGENCY}")

    line = browser.locator("svg#grafik-kumulatif")
    expect(line).to_be_visible()
    assert _visible_box(line)["width"] >= 600
    _visible_box(line.locator("g[data-series=realisasi] path"))
    _visible_box(line.locator("g[data-series=anggaran_kas] path"))
    expect(line.locator("g[data-series=realisasi] circle")).to_have_count(2)
    expect(line.locator("g[data-series=anggaran_kas] circle")).to_have_count(12)

    bars = browser.locator("svg#grafik-serapan g.bar")
    expect(bars).to_have_count(8)
    for index in range(8):
        _visible_box(bars.nth(index).locator("rect.value"))

    badge = browser.locator(".overview .badge")
    expect(badge).to_have_text("Sangat Rendah")
    expect(browser.locator(".overview .badge-words")).to_contain_text("deviasi -0,89 poin")
    assert _page_width(browser) <= VIEWPORT["width"]
    assert not [m for m in messages if "Content Security Policy" in m or m.startswith("pageerror")], messages


@pytest.mark.parametrize(
    "path",
    [
        "/steward?year=2022&month=2",
        f"/agencies/{OTHER_AGENCY}",
        "/upload",
        "/steward/validations",
        "/agencies",
    ],
)
def test_no_page_scrolls_sideways_at_1280_px(server: str, page: tuple[Page, list[str]], path: str):
    browser, messages = page
    _sign_in(browser, server, "steward")
    answer = browser.goto(f"{server}{path}")
    assert answer is not None and answer.status == 200
    assert _page_width(browser) <= VIEWPORT["width"], path
    broken = browser.evaluate(BROKEN_WORDS)
    assert broken == [], (path, broken)  # no word split; a code, a number, a state on one line
    assert not [m for m in messages if "Content Security Policy" in m or m.startswith("pageerror")], messages
