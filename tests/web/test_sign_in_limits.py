"""Limits on guessing passwords that cannot be used to lock a user out, over HTTP from several addresses."""

from __future__ import annotations

from pathlib import Path

import httpx

from sakip.web.auth import SESSION_COOKIE
from tests.fixtures.web import PASSWORDS, WebSite, form_token, make_site, serving


def _attempt(site: WebSite, address: str, username: str, password: str) -> tuple[int, str]:
    """One sign-in from ``address`` in a fresh browser: (status, page)."""
    client = site.client(client=(address, 50000))
    page = client.get("/login")
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": form_token(page.text)}
    )
    return answer.status_code, answer.text


def test_wrong_passwords_from_other_addresses_do_not_lock_the_user_out(site: WebSite):
    limit = site.web.login_limit_user
    for number in range(limit):
        status, _ = _attempt(site, f"203.0.113.{number + 1}", "dinas", "salah-salah")
        assert status == 401
    # the user, from an address with no failures, still signs in
    status, _ = _attempt(site, "198.51.100.7", "dinas", PASSWORDS["dinas"])
    assert status == 303
    # one address that guessed the user name up to the limit waits, the right password or not
    for _ in range(limit):
        assert _attempt(site, "203.0.113.200", "steward", "salah-salah")[0] == 401
    status, text = _attempt(site, "203.0.113.200", "steward", PASSWORDS["steward"])
    assert status == 429 and "Terlalu banyak percobaan masuk yang gagal" in text
    # while the steward signs in from the office
    assert _attempt(site, "198.51.100.8", "steward", PASSWORDS["steward"])[0] == 303


def test_the_per_address_limit_still_holds_across_user_names(site_template: Path, tmp_path: Path):
    site = make_site(site_template, tmp_path / "w", {"SAKIP_WEB_LOGIN_LIMIT_CLIENT": "4"})
    for name in ("a1", "a2", "a3", "a4"):
        assert _attempt(site, "203.0.113.9", name, "x" * 12)[0] == 401
    status, text = _attempt(site, "203.0.113.9", "dinas", PASSWORDS["dinas"])
    assert status == 429 and "coba lagi dalam 15 menit" in text
    assert _attempt(site, "203.0.113.10", "dinas", PASSWORDS["dinas"])[0] == 303


def test_the_address_a_trusted_proxy_forwards_is_the_one_counted(site: WebSite):
    """Behind the proxy every request comes from 127.0.0.1: the forwarded address is what counts."""
    with serving(site, trusted_proxies="127.0.0.1") as base:
        for number in range(site.web.login_limit_user):
            with httpx.Client(base_url=base, headers={"X-Forwarded-For": f"203.0.113.{number + 1}"}) as c:
                page = c.get("/login")
                answer = c.post(
                    "/login",
                    data={"username": "dinas", "password": "salah", "csrf_token": form_token(page.text)},
                )
                assert answer.status_code == 401
        with httpx.Client(base_url=base, headers={"X-Forwarded-For": "198.51.100.7"}) as own:
            page = own.get("/login")
            answer = own.post(
                "/login",
                data={
                    "username": "dinas",
                    "password": PASSWORDS["dinas"],
                    "csrf_token": form_token(page.text),
                },
            )
            assert answer.status_code == 303 and SESSION_COOKIE in own.cookies


def test_the_users_sign_in_elsewhere_does_not_unblock_a_guessing_address(site: WebSite):
    for _ in range(site.web.login_limit_user):
        assert _attempt(site, "203.0.113.50", "dinas", "salah-salah")[0] == 401
    assert _attempt(site, "198.51.100.7", "dinas", PASSWORDS["dinas"])[0] == 303  # the user, at the office
    assert _attempt(site, "203.0.113.50", "dinas", "salah-lagi")[0] == 429  # the guesser still waits
