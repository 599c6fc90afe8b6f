"""HEAD answered where GET is (uptime monitors), and an error log that cannot grow without bound."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sakip.failures import ERROR_LOG_BACKUPS, ERROR_LOG_BYTES, log_unexpected
from tests.fixtures.web import WebSite, serving, sign_in


@pytest.mark.parametrize("path", ["/login", "/static/sakip.css"])
def test_head_of_a_public_page_is_its_get_without_a_body(site: WebSite, path: str):
    client = site.client()
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200 and got.content
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["x-frame-options"] == "DENY"


def test_head_of_signed_in_pages_answers_200_with_no_body(site: WebSite):
    client = site.client()
    sign_in(client, "steward")
    for path in ("/", "/upload", "/steward", "/steward/validations", "/agencies"):
        got = client.get(path, follow_redirects=True)
        head = client.head(path, follow_redirects=True)
        assert got.status_code == 200 and got.content, path
        assert head.status_code == 200 and head.content == b"", path
    signed_out = site.client()
    assert signed_out.head("/steward").status_code == signed_out.get("/steward").status_code == 303
    assert signed_out.head("/logout").status_code == 405  # POST only: HEAD is GET's, not POST's


def test_head_through_the_real_server(site: WebSite):
    with serving(site) as base, httpx.Client(base_url=base) as client:
        head = client.head("/login")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == len(client.get("/login").content)


def test_many_errors_keep_the_log_folder_bounded(tmp_path: Path):
    big = RuntimeError("x" * 20_000)
    for _ in range(ERROR_LOG_BYTES * (ERROR_LOG_BACKUPS + 3) // 20_000):
        path = log_unexpected(big, tmp_path)
    logs = tmp_path / "logs"
    assert path == (logs / "sakip-errors.log").absolute()
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["sakip-errors.log"] + [f"sakip-errors.log.{n}" for n in range(1, ERROR_LOG_BACKUPS + 1)]
    total = sum(p.stat().st_size for p in logs.iterdir())
    assert total <= (ERROR_LOG_BACKUPS + 1) * (ERROR_LOG_BYTES + 25_000)
    assert "x" * 20_000 in path.read_text(encoding="utf-8")


def test_the_error_log_is_written_again_after_it_was_removed(tmp_path: Path):
    log_unexpected(RuntimeError("first"), tmp_path)
    (tmp_path / "logs" / "sakip-errors.log").unlink()
    path = log_unexpected(RuntimeError("second"), tmp_path)
    assert "second" in path.read_text(encoding="utf-8")
