"""The web application in a real browser: Debian's chromium driven by Playwright, no JavaScript needed.

The server runs ``sakip web``'s uvicorn settings in a thread on a free port. Set
``SAKIP_WEB_SCREENSHOT=docs/web-upload-result.png`` to write the README's screenshot of the result page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.fixtures.web import (
    AGENCY,
    OTHER_AGENCY,
    PASSWORDS,
    make_site,
    other_agency_workbook,
    over_budget_workbook,
    serving,
    working,
)

pytestmark = pytest.mark.prefect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: an upload runs the monthly flow: validation, load and quarantine take seconds
FLOW_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def server(prefect_server, site_template, tmp_path_factory) -> Iterator[str]:
    """The application served over HTTP in a thread for this module; its base address."""
    site = make_site(site_template, tmp_path_factory.mktemp("web-browser") / "work")
    with serving(site) as base, working(site):  # the uploads' worker beside the server
        yield base


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    """A page of Debian's chromium (never a downloaded browser)."""
    assert Path(CHROMIUM).is_file(), "chromium is missing: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()


def _sign_in(page: Page, base: str, username: str) -> None:
    """Sign in through the form."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button:has-text('Masuk')")


def test_send_fix_and_be_refused_in_a_browser(server: str, browser_page: Page, sample_2022, tmp_path: Path):
    page = browser_page
    _sign_in(page, server, "dinas")
    expect(page).to_have_url(f"{server}/agencies/{AGENCY}")
    expect(page.locator("h1")).to_contain_text(AGENCY)

    good = tmp_path / "realisasi_2022_01.xlsx"
    shutil.copy(sample_2022.realization[0], good)
    bad = over_budget_workbook(sample_2022.realization[1], tmp_path / "realisasi_2022_02.xlsx")
    page.click("text=Kirim workbook")
    page.set_input_files("input[name=files]", [str(good), str(bad)])
    page.click("button:has-text('Kirim dan periksa')", timeout=FLOW_TIMEOUT_MS)
    page.wait_for_url("**/uploads/*", timeout=FLOW_TIMEOUT_MS)

    loaded = page.locator("section.file.loaded")
    rejected = page.locator("section.file.rejected")
    expect(loaded).to_contain_text("realisasi_2022_01.xlsx", timeout=FLOW_TIMEOUT_MS)  # the page refreshes
    expect(page.locator("p.pending")).to_have_count(0)
    expect(loaded.locator(".badge")).to_have_text("dimuat")
    expect(rejected.locator(".badge")).to_have_text("DITOLAK")
    failed = rejected.locator("table.issues tbody tr").filter(has_text="amount.realization_over_budget")
    expect(failed.locator("td.cell")).to_have_text("G12")
    expect(failed).to_contain_text("melebihi anggaran (886.349)")
    expect(rejected.get_by_role("link", name="Rincian teknis (Great Expectations)")).to_be_visible()
    shot = page.screenshot(full_page=True, path=str(tmp_path / "hasil.png"))
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("SAKIP_WEB_SCREENSHOT"):
        Path(os.environ["SAKIP_WEB_SCREENSHOT"]).write_bytes(shot)

    with page.expect_download() as download_info:
        rejected.get_by_role("link", name="Unduh salinan beranotasi").click()
    download = download_info.value
    assert download.suggested_filename == "realisasi_2022_02.annotated.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved)
    assert "amount.realization_over_budget" in book["Realisasi"]["G12"].comment.text

    foreign = other_agency_workbook(sample_2022.realization[2], tmp_path / "realisasi_2022_03.xlsx")
    page.goto(f"{server}/upload")
    page.set_input_files("input[name=files]", [str(foreign)])
    page.click("button:has-text('Kirim dan periksa')", timeout=FLOW_TIMEOUT_MS)
    page.wait_for_url("**/uploads/*", timeout=FLOW_TIMEOUT_MS)
    expect(page.locator("section.file.rejected")).to_contain_text(
        f"Workbook ini untuk OPD {OTHER_AGENCY}, sedangkan akun Anda hanya untuk OPD {AGENCY}",
        timeout=FLOW_TIMEOUT_MS,
    )

    answer = page.goto(f"{server}/agencies/{OTHER_AGENCY}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("Akses ditolak")

    page.goto(f"{server}/agencies/{AGENCY}")
    expect(page.locator("body")).to_contain_text("Januari 2022")
    page.click("button:has-text('Keluar')")
    expect(page).to_have_url(f"{server}/login")
