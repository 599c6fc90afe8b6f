"""The web application's security rules, over HTTP: sessions, form tokens, guessing, uploads, access."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from sakip.cli import main
from sakip.web.accounts import add_user, find_user
from sakip.web.app import create_app
from sakip.web.auth import FORM_COOKIE, SESSION_COOKIE
from sakip.web.config import load_web_settings
from tasks.settings import load_settings
from tests.fixtures.web import (
    AGENCY,
    OTHER_AGENCY,
    PASSWORDS,
    WebSite,
    form_token,
    make_site,
    run_queue,
    serving,
    sign_in,
)
from warehouse.models import (
    LoadBatch,
    Opd,
    ValidationRun,
    WebLoginAttempt,
    WebSession,
    WebUpload,
    WebUploadFile,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cookie_header(response, name: str) -> str:
    """The Set-Cookie header that sets ``name``."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert headers, response.headers
    return headers[0]


def test_session_cookie_is_signed_httponly_samesite_and_secure_over_https(site):
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        client = site.client(base_url=base)
        page = client.get("/login")
        assert "httponly" in _cookie_header(page, FORM_COOKIE).lower()
        answer = client.post(
            "/login",
            data={"username": "dinas", "password": PASSWORDS["dinas"], "csrf_token": form_token(page.text)},
        )
        header = _cookie_header(answer, SESSION_COOKIE).lower()
        assert "httponly" in header and "samesite=lax" in header
        assert ("secure" in header.split(";")[-1] or "; secure" in header) is secure
        value = client.cookies.get(SESSION_COOKIE)
        assert value.count(".") == 2  # token.timestamp.signature
    forged = site.client()
    forged.cookies.set(SESSION_COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert forged.get("/upload").status_code == 303  # a tampered cookie signs nobody in


def test_logout_ends_the_session_for_a_copied_cookie_too(site):
    client = site.client()
    token = sign_in(client, "dinas")
    stolen = client.cookies.get(SESSION_COOKIE)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    other = site.client()
    other.cookies.set(SESSION_COOKIE, stolen)
    answer = other.get("/upload")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    with site.engine.connect() as conn:
        assert conn.execute(select(WebSession)).all() == []


def test_removing_a_user_ends_its_sessions(site):
    client = site.client()
    sign_in(client, "lain")
    assert client.get("/upload").status_code == 200
    assert main(["user", "remove", "lain", "--workdir", str(site.settings.workdir)]) == 0
    assert client.get("/upload").status_code == 303


@pytest.mark.parametrize("token", [None, "", "salah"])
def test_login_form_token_missing_or_wrong_is_refused(site, token):
    client = site.client()
    client.get("/login")
    data = {"username": "dinas", "password": PASSWORDS["dinas"]}
    if token is not None:
        data["csrf_token"] = token
    answer = client.post("/login", data=data)
    assert answer.status_code == 403
    assert "Formulir kedaluwarsa" in answer.text
    assert SESSION_COOKIE not in client.cookies


def test_a_login_token_without_its_cookie_is_refused(site):
    token = form_token(site.client().get("/login").text)  # another browser's token
    answer = site.client().post(
        "/login", data={"username": "dinas", "password": PASSWORDS["dinas"], "csrf_token": token}
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("token", [None, "salah"])
def test_upload_and_logout_need_the_sessions_form_token(site, token):
    client = site.client()
    sign_in(client, "dinas")
    data = {} if token is None else {"csrf_token": token}
    files = [("files", ("a.xlsx", b"PK", XLSX))]
    answer = client.post("/upload", data=data, files=files)
    assert answer.status_code == 403 and "Formulir kedaluwarsa" in answer.text
    assert client.post("/logout", data=data).status_code == 403
    assert client.get("/upload").status_code == 200  # still signed in
    with site.engine.connect() as conn:
        assert conn.execute(select(WebUpload)).all() == []
    assert not (site.settings.workdir / "uploads").exists()


def test_another_sessions_token_is_refused(site):
    first, second = site.client(), site.client()
    token_first = sign_in(first, "dinas")
    sign_in(second, "dinas")
    answer = second.post(
        "/upload", data={"csrf_token": token_first}, files=[("files", ("a.xlsx", b"PK", XLSX))]
    )
    assert answer.status_code == 403


def test_wrong_passwords_are_limited_per_user_name(site):
    client = site.client()
    for _ in range(site.web.login_limit_user):
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"username": "dinas", "password": "salah-salah", "csrf_token": form_token(page.text)},
        )
        assert answer.status_code == 401 and "Nama pengguna atau kata sandi salah" in answer.text
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "dinas", "password": PASSWORDS["dinas"], "csrf_token": form_token(page.text)},
    )
    assert answer.status_code == 429  # even the right password waits now
    assert "Terlalu banyak percobaan masuk yang gagal" in answer.text and "menit" in answer.text
    assert SESSION_COOKIE not in client.cookies
    assert site.client().get("/login").status_code == 200
    other = site.client()  # another user name from the same address is not blocked by this one
    sign_in(other, "steward")


def test_wrong_passwords_are_limited_per_client_address(site_template: Path, tmp_path: Path):
    site = make_site(site_template, tmp_path / "w", {"SAKIP_WEB_LOGIN_LIMIT_CLIENT": "3"})
    client = site.client()
    for name in ("a1", "a2", "a3"):
        page = client.get("/login")
        answer = client.post(
            "/login", data={"username": name, "password": "x" * 12, "csrf_token": form_token(page.text)}
        )
        assert answer.status_code == 401
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "dinas", "password": PASSWORDS["dinas"], "csrf_token": form_token(page.text)},
    )
    assert answer.status_code == 429 and "coba lagi dalam 15 menit" in answer.text


def test_passwords_are_stored_as_argon2_hashes(site):
    from sqlalchemy import text

    with site.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM web_user WHERE username = 'dinas'")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORDS["dinas"] not in stored


def test_after_login_only_a_path_of_this_site(site):
    for target, expected in (
        ("/agencies", "/agencies"),
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
    ):
        client = site.client()
        page = client.get("/login", params={"next": target})
        answer = client.post(
            "/login",
            data={
                "username": "steward",
                "password": PASSWORDS["steward"],
                "csrf_token": form_token(page.text),
                "next": target,
            },
        )
        assert answer.headers["location"] == expected


def test_pages_need_a_signed_in_user(site):
    client = site.client()
    for path in (
        "/upload",
        "/steward",
        f"/agencies/{AGENCY}",
        "/steward/quarantine",
        "/data-docs/index.html",
    ):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


def test_upload_refuses_other_suffixes_and_shows_names_escaped(site):
    client = site.client()
    token = sign_in(client, "dinas")
    files = [
        ("files", ("<img src=x onerror=alert(1)>.xlsb", b"binary excel", "application/vnd.ms-excel")),
        ("files", ("laporan.csv", b"a,b", "text/csv")),
        ("files", ("../../tanpa akhiran", b"x", "application/octet-stream")),
    ]
    answer = client.post("/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 303
    run_queue(site)
    result = client.get(answer.headers["location"])
    assert result.status_code == 200
    assert "<img src=x" not in result.text
    assert "&lt;img src=x onerror=alert(1)&gt;.xlsb" in result.text
    assert result.text.count("DITOLAK") == 3
    assert "Hanya workbook .xlsx, .xlsm, .xls, atau .ods yang diterima (berkas ini .xlsb)" in result.text
    assert "(berkas ini .csv)" in result.text and "(berkas ini tanpa akhiran)" in result.text
    assert not (site.settings.workdir / "uploads").exists() or not any(
        p.is_file() for p in (site.settings.workdir / "uploads").rglob("*")
    )


def test_a_file_over_the_size_limit_is_refused_and_not_kept(site_template: Path, tmp_path: Path):
    site = make_site(site_template, tmp_path / "w", {"SAKIP_WEB_MAX_UPLOAD_MB": "0.01"})  # 10 KB
    client = site.client()
    token = sign_in(client, "dinas")
    big = b"PK" + b"\0" * 20_000
    answer = client.post("/upload", data={"csrf_token": token}, files=[("files", ("besar.xlsx", big, XLSX))])
    run_queue(site)
    result = client.get(answer.headers["location"])
    assert "DITOLAK" in result.text and "Berkas lebih besar dari batas 10 KB per berkas" in result.text
    with site.engine.connect() as conn:
        row = conn.execute(select(WebUploadFile.stored_path, WebUploadFile.status)).one()
    assert row == ("", "rejected")
    assert not any(p.is_file() for p in (site.settings.workdir / "uploads").rglob("*"))


def test_a_request_over_the_total_limit_is_refused_before_it_is_read(site_template: Path, tmp_path: Path):
    site = make_site(
        site_template, tmp_path / "w", {"SAKIP_WEB_MAX_UPLOAD_MB": "0.01", "SAKIP_WEB_MAX_FILES": "2"}
    )
    client = site.client()
    token = sign_in(client, "dinas")
    big = b"\0" * (site.web.max_request_bytes + 10)  # beyond 2 files of 10 KB and the form around them
    answer = client.post("/upload", data={"csrf_token": token}, files=[("files", ("besar.xlsx", big, XLSX))])
    assert answer.status_code == 413
    assert "Kiriman terlalu besar" in answer.text and "Traceback" not in answer.text
    with site.engine.connect() as conn:
        assert conn.execute(select(WebUpload)).all() == []


def test_too_many_files_is_a_page_not_a_traceback(site_template: Path, tmp_path: Path):
    site = make_site(site_template, tmp_path / "w", {"SAKIP_WEB_MAX_FILES": "2"})
    client = site.client()
    token = sign_in(client, "dinas")
    files = [("files", (f"f{i}.xlsx", b"PK", XLSX)) for i in range(3)]
    answer = client.post("/upload", data={"csrf_token": token}, files=files)
    assert answer.status_code == 413 and "Paling banyak 2 berkas" in answer.text


def test_an_upload_without_files_is_a_422_page(site):
    client = site.client()
    token = sign_in(client, "dinas")
    answer = client.post("/upload", data={"csrf_token": token})
    assert answer.status_code == 422 and "Pilih minimal satu workbook" in answer.text


def test_agency_pages_of_another_agency_are_403(site):
    with site.engine.begin() as conn:
        conn.execute(
            insert(Opd), [{"code": AGENCY, "name": "Dinas A"}, {"code": OTHER_AGENCY, "name": "Dinas B"}]
        )
    client = site.client()
    sign_in(client, "dinas")
    assert client.get(f"/agencies/{AGENCY}").status_code == 200
    refused = [f"/agencies/{OTHER_AGENCY}", "/agencies/9.99.0.00.0.00.01.0000", "/steward"]
    refused += ["/steward/quarantine", "/steward/reports", "/steward/validations"]
    for path in refused:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "<h1>Akses ditolak</h1>" in answer.text
    steward = site.client()
    sign_in(steward, "steward")
    assert steward.get(f"/agencies/{OTHER_AGENCY}").status_code == 200
    assert steward.get("/agencies/9.99.0.00.0.00.01.0000").status_code == 404


def _recorded_upload(site, agency: str, annotated: Path) -> str:
    """An upload file of ``agency`` with an annotated copy, as the upload step records it; its id."""
    with site.engine.begin() as conn:
        upload_id = conn.execute(
            insert(WebUpload)
            .values(
                public_id="u" * 32, username="x", agency_code=agency, correction=False, status="done",
                uploaded_at=datetime.now(UTC),
            )
            .returning(WebUpload.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(WebUploadFile).values(
                public_id="f" * 32, upload_id=upload_id, original_name='laporan "akhir" <x>.xlsx',
                status="rejected", agency_code=agency, annotated_path=str(annotated),
            )
        )  # fmt: skip
    return "f" * 32


def test_annotated_copies_only_for_their_agency_and_by_id(site, tmp_path: Path):
    annotated = tmp_path / "a.annotated.xlsx"
    annotated.write_bytes(b"PK annotated")
    file_id = _recorded_upload(site, OTHER_AGENCY, annotated)
    mine, theirs, steward = site.client(), site.client(), site.client()
    sign_in(mine, "dinas")
    sign_in(theirs, "lain")
    sign_in(steward, "steward")
    assert mine.get(f"/files/{file_id}/annotated").status_code == 403
    assert mine.get("/uploads/" + "u" * 32).status_code == 403
    got = theirs.get(f"/files/{file_id}/annotated")
    assert got.status_code == 200 and got.content == b"PK annotated"
    assert 'filename="laporan_akhir_x.annotated.xlsx"' in got.headers["content-disposition"]
    assert steward.get(f"/files/{file_id}/annotated").status_code == 200
    for path in (
        "/files/../../sakip.db/annotated",
        "/files/%2e%2e%2fweb-secret/annotated",
        "/files/0/annotated",
    ):
        assert theirs.get(path).status_code == 404, path


def test_data_docs_pages_of_another_agency_and_paths_outside_are_refused(site):
    docs = site.settings.workdir / "data-docs"
    page = docs / "validations" / "s" / "r" / "t" / "p.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>hasil</p>", encoding="utf-8")
    (docs / "index.html").write_text("<p>semua</p>", encoding="utf-8")
    (docs / "static").mkdir()
    (docs / "static" / "s.css").write_text("p{}", encoding="utf-8")
    with site.engine.begin() as conn:
        conn.execute(
            insert(ValidationRun).values(
                run_id="r", file_name="f.xlsx", sha256="0" * 64, suite="s", success=False, evaluated=1,
                failed=1, data_docs_url=page.as_uri(), opd_code=OTHER_AGENCY, validated_at=datetime.now(UTC),
            )
        )  # fmt: skip
    mine, theirs, steward = site.client(), site.client(), site.client()
    sign_in(mine, "dinas")
    sign_in(theirs, "lain")
    sign_in(steward, "steward")
    relative = "/data-docs/validations/s/r/t/p.html"
    assert mine.get(relative).status_code == 403
    home = mine.get("/data-docs/index.html")  # GX's "Home": the agency's own validations
    assert home.status_code == 303 and home.headers["location"] == f"/agencies/{AGENCY}/validations"
    answer = theirs.get(relative)
    assert answer.status_code == 200 and "hasil" in answer.text
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert steward.get("/data-docs/index.html").headers["location"] == "/steward/validations"
    assert site.client().get("/data-docs/static/s.css").status_code == 200  # GX's own styles: no data
    outside = ["/data-docs/../sakip.db", "/data-docs/static/../../web-secret", "/data-docs/%2e%2e/web-secret"]
    outside += ["/data-docs/static/..%2f..%2fweb-secret"]
    for path in outside:
        assert steward.get(path).status_code == 404, path
    assert site.client().get("/data-docs/static/..%2findex.html").status_code == 303  # not public


def test_text_from_the_warehouse_is_escaped(site):
    with site.engine.begin() as conn:
        conn.execute(insert(Opd).values(code=AGENCY, name='<script>alert("x")</script>'))
    client = site.client()
    sign_in(client, "steward")
    for path in (f"/agencies/{AGENCY}", "/agencies", "/steward"):
        answer = client.get(path)
        assert '<script>alert("x")</script>' not in answer.text, path
        assert "&lt;script&gt;" in answer.text, path


def test_error_pages_are_indonesian_pages_without_traceback(site, monkeypatch):
    client = site.client(raise_server_exceptions=False)
    answer = client.get("/tidak-ada")
    assert answer.status_code == 404 and "Tidak ditemukan" in answer.text and "<html" in answer.text
    assert client.put("/login").status_code == 405
    sign_in(client, "steward")
    import sakip.web.routes.steward as steward_routes

    def broken(*_args, **_kwargs):
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr(steward_routes, "month_status", broken)
    answer = client.get("/steward")
    assert answer.status_code == 500
    assert "Terjadi kesalahan" in answer.text
    assert "rahasia internal" not in answer.text and "Traceback" not in answer.text
    log = site.settings.workdir / "logs" / "sakip-errors.log"
    assert "rahasia internal" in log.read_text(encoding="utf-8")
    answer = client.get("/steward", params={"year": "dua ribu", "month": 1})
    assert answer.status_code == 422 and "Isian tidak lengkap" in answer.text


def test_pages_carry_protective_headers(site):
    answer = site.client().get("/login")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    assert "server" not in answer.headers


def test_user_commands_add_list_remove(tmp_path: Path, monkeypatch, capsys):
    workdir = str(tmp_path / "w")
    monkeypatch.setenv("SAKIP_PASSWORD", "sandi-yang-panjang")
    assert main(["user", "add", "operator", "--role", "opd", "--opd", AGENCY, "--workdir", workdir]) == 0
    assert main(["user", "add", "kepala", "--role", "steward", "--workdir", workdir]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--workdir", workdir]) == 0
    listed = capsys.readouterr().out
    assert f"operator\topd\t{AGENCY}" in listed and "kepala\tsteward\t-" in listed
    assert "sandi-yang-panjang" not in listed
    assert main(["user", "add", "operator", "--role", "opd", "--opd", AGENCY, "--workdir", workdir]) == 2
    assert "sudah ada" in capsys.readouterr().err
    assert main(["user", "add", "x1", "--role", "opd", "--workdir", workdir]) == 2
    assert "memerlukan --opd" in capsys.readouterr().err
    monkeypatch.setenv("SAKIP_PASSWORD", "pendek")
    assert main(["user", "add", "x2", "--role", "steward", "--workdir", workdir]) == 2
    assert "minimal 10 karakter" in capsys.readouterr().err
    assert main(["user", "remove", "operator", "--workdir", workdir]) == 0
    assert main(["user", "remove", "operator", "--workdir", workdir]) == 2
    from warehouse.db import open_warehouse

    engine = open_warehouse(f"sqlite:///{tmp_path / 'w' / 'sakip.db'}")
    assert find_user(engine, "operator") is None and find_user(engine, "kepala").is_steward


def test_user_add_without_password_and_terminal_is_refused(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.delenv("SAKIP_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115 (closed with the test's process)
    assert main(["user", "add", "x", "--role", "steward", "--workdir", str(tmp_path)]) == 2
    assert "SAKIP_PASSWORD" in capsys.readouterr().err


def test_accounts_sessions_and_limits_on_both_warehouses(warehouse, tmp_path: Path):
    add_user(warehouse, "dinas", PASSWORDS["dinas"], "opd", AGENCY)
    settings = load_settings(tmp_path)
    site = WebSite(settings, load_web_settings(tmp_path, login_limit_user="2"), warehouse)
    client = site.client()
    token = sign_in(client, "dinas")  # a session: stored, found again (zone-aware moments on both)
    assert client.get(f"/agencies/{AGENCY}").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/upload").status_code == 303
    for expected in (401, 401, 429):
        page = client.get("/login")
        answer = client.post(
            "/login",
            data={"username": "dinas", "password": "salah-salah", "csrf_token": form_token(page.text)},
        )
        assert answer.status_code == expected


@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_a_trusted_proxy_saying_https_makes_the_cookie_secure(site, trusted: str, secure: bool):
    with serving(site, trusted) as base, httpx.Client(base_url=base, follow_redirects=False) as client:
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        page = client.get("/login", headers=https)
        form_cookie = _cookie_header(page, FORM_COOKIE).split(";")[0]  # a Secure cookie: sent by hand
        answer = client.post(
            "/login",
            headers={**https, "Cookie": form_cookie},
            data={"username": "dinas", "password": "salah-salah", "csrf_token": form_token(page.text)},
        )
        assert answer.status_code == 401  # a failed sign-in, counted below
        answer = client.post(
            "/login",
            headers={**https, "Cookie": form_cookie},
            data={"username": "dinas", "password": PASSWORDS["dinas"], "csrf_token": form_token(page.text)},
        )
        header = _cookie_header(answer, SESSION_COOKIE).lower()
        assert header.rstrip().endswith("; secure") is secure
        assert ("strict-transport-security" in answer.headers) is secure
    with site.engine.connect() as conn:
        clients = set(conn.execute(select(WebLoginAttempt.client)).scalars().all())
    assert clients == {"203.0.113.7" if secure else "127.0.0.1"}  # failed sign-ins count per real client


def test_the_month_lists_every_registered_agency_missing_ones_included(site_template, tmp_path, monkeypatch):
    register = tmp_path / "opd.csv"
    register.write_text(f"kode,nama\n{AGENCY},Dinas A\n3.01.0.00.0.00.01.0000,Dinas <C>\n", encoding="utf-8")
    monkeypatch.setenv("SAKIP_OPD_REGISTER", str(register))
    site = make_site(site_template, tmp_path / "w")
    with site.engine.begin() as conn:
        conn.execute(
            insert(LoadBatch).values(
                file_name="a.xlsx", sha256="1" * 64, kind="realization", opd_code=AGENCY, year=2022, month=3,
                loaded_at=datetime.now(UTC), status="rejected", loaded_by="dinas",
            )
        )  # fmt: skip
    client = site.client()
    sign_in(client, "steward")
    page = client.get("/steward", params={"year": 2022, "month": 3}).text
    assert "daftar OPD (SAKIP_OPD_REGISTER)" in page
    rows = {
        code: page.split(f'href="/agencies/{code}"', 1)[1].split("</tr>", 1)[0]
        for code in (AGENCY, "3.01.0.00.0.00.01.0000")
    }
    assert "badge ditolak" in rows[AGENCY] and "a.xlsx" in rows[AGENCY]
    assert "badge belum" in rows["3.01.0.00.0.00.01.0000"]
    assert OTHER_AGENCY not in page  # not in the register: not expected


def test_the_web_commands_keep_their_interface():
    from sakip.cli import build_parser

    args = build_parser().parse_args(["web", "--host", "0.0.0.0", "--port", "9000", "--workdir", "w"])
    assert (args.command, args.host, args.port, args.workdir) == ("web", "0.0.0.0", 9000, "w")
    args = build_parser().parse_args(["web"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    args = build_parser().parse_args(["user", "add", "x", "--role", "opd", "--opd", AGENCY])
    assert (args.user_command, args.username, args.role, args.opd) == ("add", "x", "opd", AGENCY)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["user", "add", "x", "--role", "admin"])


def test_the_shutdown_hook_runs_when_the_server_stops(site):
    stopped = []
    app = create_app(site.settings, site.web, site.engine, on_shutdown=lambda: stopped.append(True))
    with TestClient(app) as client:
        assert client.get("/login").status_code == 200
        assert stopped == []
    assert stopped == [True]  # `sakip web` stops its upload workers there
