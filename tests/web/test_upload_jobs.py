"""Uploads as jobs: the request queues, a worker claims (never two uploads of one agency at once), one
upload waiting per user, dead jobs end "gagal diproses — kirim ulang", old files are removed, and the
month status counts only the month an upload is for."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from sakip.web import jobs
from sakip.web.jobs import claim_upload, fail_stale_uploads, remove_expired_files
from sakip.web.uploads import recent_uploads
from tests.fixtures.web import AGENCY, OTHER_AGENCY, WebSite, form_token, make_site, sign_in
from warehouse.models import WebUpload, WebUploadFile, WebUser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIRD_AGENCY = "3.01.0.00.0.00.01.0000"


def _upload(
    engine: Engine,
    agency: str | None,
    *,
    status: str = "queued",
    minutes_ago: float = 0,
    user_id: int | None = None,
    files: list[dict] | None = None,
) -> int:
    """An upload row (and its file rows) as the request records it; its row id."""
    with engine.begin() as conn:
        upload_pk = conn.execute(
            insert(WebUpload)
            .values(
                public_id=uuid.uuid4().hex,
                user_id=user_id,
                username="x",
                agency_code=agency,
                correction=False,
                status=status,
                uploaded_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            )
            .returning(WebUpload.id)
        ).scalar_one()
        for values in files or []:
            conn.execute(
                insert(WebUploadFile).values(
                    public_id=uuid.uuid4().hex, upload_id=upload_pk, original_name="a.xlsx", **values
                )
            )
    return upload_pk


def _status(engine: Engine, upload_pk: int) -> str:
    with engine.connect() as conn:
        return conn.scalar(select(WebUpload.status).where(WebUpload.id == upload_pk))


def test_a_worker_claims_the_oldest_upload_and_never_two_of_one_agency(warehouse: Engine):
    first = _upload(warehouse, AGENCY, minutes_ago=3)
    second = _upload(warehouse, AGENCY, minutes_ago=2)
    other = _upload(warehouse, OTHER_AGENCY, minutes_ago=1)
    assert claim_upload(warehouse, "w1") == first
    assert claim_upload(warehouse, "w2") == other  # AGENCY has one being processed: its next waits
    assert claim_upload(warehouse, "w3") is None
    assert _status(warehouse, first) == "processing" and _status(warehouse, second) == "queued"
    with warehouse.begin() as conn:
        conn.execute(update(WebUpload).where(WebUpload.id == first).values(status="done"))
    assert claim_upload(warehouse, "w1") == second
    with warehouse.connect() as conn:
        claimed = conn.execute(
            select(WebUpload.claimed_by, WebUpload.heartbeat_at).where(WebUpload.id == second)
        ).one()
    assert claimed.claimed_by == "w1" and claimed.heartbeat_at is not None


def test_the_database_holds_one_unfinished_upload_per_user(warehouse: Engine):
    with warehouse.begin() as conn:
        user = conn.execute(
            insert(WebUser)
            .values(
                username="u", password_hash="x", role="opd", opd_code=AGENCY, created_at=datetime.now(UTC)
            )
            .returning(WebUser.id)
        ).scalar_one()
    _upload(warehouse, AGENCY, user_id=user, status="done")
    _upload(warehouse, AGENCY, user_id=user, status="queued")
    with pytest.raises(IntegrityError):
        _upload(warehouse, AGENCY, user_id=user, status="processing")
    _upload(warehouse, AGENCY, user_id=user, status="failed")  # finished uploads are not limited


def _post(site: WebSite, client, token: str, name: str = "realisasi.xlsx"):
    return client.post("/upload", data={"csrf_token": token}, files=[("files", (name, b"PK", XLSX))])


def test_a_second_upload_while_one_waits_is_answered_429_and_not_kept(site: WebSite):
    client = site.client()
    token = sign_in(client, "dinas")
    first = _post(site, client, token)
    assert first.status_code == 303
    page = client.get(first.headers["location"])
    assert "Menunggu giliran" in page.text and '<meta http-equiv="refresh" content="3">' in page.text
    assert f'href="{first.headers["location"]}">Muat ulang</a>' in page.text
    second = _post(site, client, token, "lagi.xlsx")
    assert second.status_code == 429
    assert "Tunggu pengiriman sebelumnya selesai" in second.text
    assert f'href="{first.headers["location"]}"' in second.text
    with site.engine.connect() as conn:
        assert conn.execute(select(WebUploadFile.original_name)).scalars().all() == ["realisasi.xlsx"]
    stored = [p.name for p in (site.settings.workdir / "uploads").rglob("*") if p.is_file()]
    assert stored == ["realisasi.xlsx"]
    other = site.client()  # another agency's user is not held up
    assert _post(site, other, sign_in(other, "lain")).status_code == 303


def test_a_full_queue_is_answered_503_with_retry_after(site_template: Path, tmp_path: Path):
    site = make_site(site_template, tmp_path / "w", {"SAKIP_WEB_QUEUE_LIMIT": "1"})
    dinas, lain = site.client(), site.client()
    assert _post(site, dinas, sign_in(dinas, "dinas")).status_code == 303
    answer = _post(site, lain, sign_in(lain, "lain"))
    assert answer.status_code == 503 and answer.headers["retry-after"].isdigit()
    assert "Antrean pemrosesan sedang penuh" in answer.text


def test_a_job_without_heartbeat_ends_failed_with_its_files_kept(site: WebSite):
    client = site.client()
    location = _post(site, client, sign_in(client, "dinas")).headers["location"]
    upload_pk = claim_upload(site.engine, "dead-worker")
    assert upload_pk is not None
    assert "Sedang diproses" in client.get(location).text
    assert fail_stale_uploads(site.engine, 60) == []  # its heartbeat is fresh
    with site.engine.begin() as conn:
        old = datetime.now(UTC) - timedelta(minutes=5)
        conn.execute(update(WebUpload).where(WebUpload.id == upload_pk).values(heartbeat_at=old))
    assert fail_stale_uploads(site.engine, 60) == [upload_pk]
    page = client.get(location).text
    assert "Gagal diproses — kirim ulang" in page and "Sedang diproses" not in page
    assert "refresh" not in page
    with site.engine.connect() as conn:
        stored = conn.execute(select(WebUploadFile.stored_path, WebUploadFile.status)).one()
    assert stored.status == "failed" and Path(stored.stored_path).is_file()
    again = _post(site, client, form_token(client.get("/upload").text))  # the user may send again at once
    assert again.status_code == 303


def test_an_upload_whose_recording_fails_ends_failed_instead_of_coming_back(
    site: WebSite, monkeypatch: pytest.MonkeyPatch
):
    client = site.client()
    location = _post(site, client, sign_in(client, "dinas")).headers["location"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("recording failed")

    monkeypatch.setattr(jobs, "run_upload", broken)
    processed = jobs.run_queued_uploads(site.engine, site.settings, site.web, "w1")

    assert processed == [location.rsplit("/", 1)[1]]  # taken once: the loop does not claim it again
    page = client.get(location).text
    assert "karena kesalahan di server" in page
    assert "Sedang diproses" not in page and "refresh" not in page
    with site.engine.connect() as conn:
        assert conn.scalar(select(WebUpload.status)) == "failed"
    assert (site.settings.workdir / "logs" / "sakip-errors.log").is_file()


def test_files_past_their_retention_are_removed_and_the_page_says_so(site: WebSite):
    client = site.client()
    location = _post(site, client, sign_in(client, "dinas")).headers["location"]
    ingest_copy = site.settings.quarantine_dir / "2022" / "01" / "dari_sakip_ingest.xlsx"
    ingest_copy.parent.mkdir(parents=True)
    ingest_copy.write_bytes(b"PK")
    annotated = site.settings.quarantine_dir / "2022" / "01" / "realisasi.annotated.xlsx"
    annotated.write_bytes(b"PK")
    with site.engine.begin() as conn:
        conn.execute(update(WebUploadFile).values(status="rejected", annotated_path=str(annotated)))
        conn.execute(update(WebUpload).values(status="done"))
    with site.engine.connect() as conn:
        stored = Path(conn.scalar(select(WebUploadFile.stored_path)))
    assert remove_expired_files(site.engine, site.settings, 90) == 0  # sent today
    with site.engine.begin() as conn:
        conn.execute(update(WebUpload).values(uploaded_at=datetime.now(UTC) - timedelta(days=91)))
    assert remove_expired_files(site.engine, site.settings, 90) == 1
    assert not stored.exists() and not annotated.exists()
    assert ingest_copy.is_file()  # the quarantine of command-line runs is not the web's to remove
    with site.engine.connect() as conn:
        assert conn.scalar(select(WebUploadFile.kept)) is False
    page = client.get(location).text
    assert "sudah tidak disimpan" in page and "/annotated" not in page


def _state_and_waiting(page: str, code: str) -> tuple[str, bool]:
    row = page.split(f'href="/agencies/{code}"', 1)[1].split("</tr>", 1)[0]
    return row.split('<span class="badge ', 1)[1].split('"', 1)[0], "menunggu giliran" in row


def test_an_upload_in_progress_marks_only_the_month_its_file_is_for(site: WebSite):
    dinas = site.client()
    _post(site, dinas, sign_in(dinas, "dinas"))
    steward = site.client()
    sign_in(steward, "steward")
    may = steward.get("/steward", params={"year": 2022, "month": 5}).text
    assert _state_and_waiting(may, AGENCY) == ("belum", True)  # its month not known yet: waiting
    assert _state_and_waiting(may, OTHER_AGENCY) == ("belum", False)
    claim_upload(site.engine, "w")
    with site.engine.begin() as conn:
        conn.execute(update(WebUploadFile).values(year=2022, month=5))
    may = steward.get("/steward", params={"year": 2022, "month": 5}).text
    december = steward.get("/steward", params={"year": 2022, "month": 12}).text
    assert _state_and_waiting(may, AGENCY) == ("terkirim", False)
    assert _state_and_waiting(december, AGENCY) == ("belum", False)


def test_a_stewards_upload_counts_only_an_agencys_own_files_for_it(site: WebSite):
    files = [
        {"status": "loaded", "agency_code": AGENCY},
        {"status": "loaded", "agency_code": OTHER_AGENCY},
        {"status": "rejected", "agency_code": THIRD_AGENCY},
    ]
    _upload(site.engine, None, status="done", files=files)
    (mine,) = recent_uploads(site.engine, AGENCY)
    assert (mine["files"], mine["loaded"], mine["rejected"]) == (1, 1, 0)
    (theirs,) = recent_uploads(site.engine, THIRD_AGENCY)
    assert (theirs["files"], theirs["loaded"], theirs["rejected"]) == (1, 0, 1)
    (everything,) = recent_uploads(site.engine, None)
    assert (everything["files"], everything["loaded"], everything["rejected"]) == (3, 2, 1)


def test_gx_writes_are_locked_across_processes(tmp_path: Path):
    import fcntl

    from tasks.validate.context import LOCK_NAME, gx_write_lock

    # another open of the file (as another process makes) must wait while the lock is held
    with gx_write_lock(tmp_path), (tmp_path / LOCK_NAME).open("a") as other, pytest.raises(BlockingIOError):
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with (tmp_path / LOCK_NAME).open("a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released at the end of the block


def test_more_than_one_worker_on_sqlite_is_clamped_to_one(site: WebSite):
    from sakip.web.worker import worker_count

    three = site.web.model_copy(update={"workers": 3})
    assert worker_count(three, "sqlite:///sakip.db") == 1
    assert worker_count(three, "postgresql+psycopg://db/sakip") == 3


def test_the_pool_starts_a_worker_again_when_it_dies_and_stops_them_all(tmp_path: Path):
    import sys
    import time

    from sakip.web.worker import WorkerPool

    pool = WorkerPool(tmp_path, 2)
    pool.command = [sys.executable, "-c", "import sys, time; time.sleep(0.3 if sys.argv[-1] == '0' else 600)"]
    pool.start()
    first = pool.processes[0].pid
    deadline = time.monotonic() + 30
    while pool.processes[0].pid == first:  # worker 0 ends at once and is started again
        assert time.monotonic() < deadline, "the dead worker was not started again"
        time.sleep(0.1)
    lasting = pool.processes[1]
    pool.stop()
    assert lasting.poll() is not None and all(p.poll() is not None for p in pool.processes)


def test_a_worker_of_a_killed_server_ends_instead_of_living_on(tmp_path: Path):
    import subprocess
    import sys

    from sakip.web.worker import parent_gone

    assert not parent_gone(None)  # started on its own (sakip web-worker): no server to outlive
    assert not parent_gone(os.getppid())
    # a server that starts a pool, then dies without stopping it (kill -9): its worker sees itself orphaned
    script = (
        "import os, sys, time\n"
        "from sakip.web.worker import WorkerPool, parent_gone, pool_parent\n"
        "if sys.argv[-2] == '--number':\n"
        "    parent = pool_parent()\n"
        "    while not parent_gone(parent): time.sleep(0.05)\n"
        "    open(sys.argv[1], 'w').write('ended')\n"
        "else:\n"
        "    pool = WorkerPool(os.getcwd(), 1)\n"
        "    pool.command = [sys.executable, '-c', sys.argv[2], sys.argv[1]]\n"
        "    pool.start(); time.sleep(600)\n"
    )
    marker = tmp_path / "ended"
    server = subprocess.Popen([sys.executable, "-c", script, str(marker), script], cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not any(p.name() for p in psutil.Process(server.pid).children()):
        assert time.monotonic() < deadline, "the pool started no worker"
        time.sleep(0.05)
    server.kill()
    server.wait()
    while not marker.is_file():
        assert time.monotonic() < deadline, "the orphaned worker did not end"
        time.sleep(0.05)
