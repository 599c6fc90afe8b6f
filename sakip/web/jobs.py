"""Uploads as jobs: a worker claims the oldest waiting upload, keeps a heartbeat while its flow runs,
and records the outcome; sweeps end the jobs whose worker died and remove files past their retention.

:func:`run_queued_uploads` is the loop body every worker runs (and the tests call directly); the
worker process around it is :mod:`sakip.web.worker`. The web application runs :func:`sweep` at start
and at intervals, so an upload whose worker was killed never stays "being processed".
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, update

from sakip.web.config import WebSettings
from sakip.web.pipeline import Settings, WebUpload, WebUploadFile, log_unexpected, now_utc, queries
from sakip.web.uploads import FAILED_MESSAGE, job_of, refusal, run_upload

logger = logging.getLogger("sakip.web.jobs")

#: What a file of an upload whose job died says on its result page.
STALE_MESSAGE = (
    "Gagal diproses — kirim ulang. Pemrosesan berhenti di tengah jalan (server atau pemroses dihentikan); "
    "tidak ada yang dimuat dari berkas ini dan berkasnya masih tersimpan. Kirim ulang berkas yang sama."
)


def worker_name(number: int = 0) -> str:
    """This process's worker id: host, process id and its number in the process."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{number}"


def claim_upload(engine: Engine, worker_id: str) -> int | None:
    """Claim the oldest waiting upload no other worker processes an upload of its agency for; its row id.

    Its files waiting are marked ``processing`` with it (the result page then says so).
    """
    upload_pk = queries.claim_web_upload(engine, worker_id, now_utc())
    if upload_pk is not None:
        with engine.begin() as conn:
            conn.execute(
                update(WebUploadFile)
                .where(WebUploadFile.upload_id == upload_pk, WebUploadFile.status == "queued")
                .values(status="processing")
            )
    return upload_pk


@contextmanager
def heartbeat(engine: Engine, upload_pk: int, worker_id: str, every: float) -> Iterator[None]:
    """Refresh the upload's heartbeat every ``every`` seconds in a thread while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                queries.beat_web_upload(engine, upload_pk, worker_id, now_utc())
            except Exception as error:  # a busy database: the next beat tries again
                logger.warning("heartbeat of upload %s failed: %s", upload_pk, error)

    thread = threading.Thread(target=beat, name=f"sakip-heartbeat-{upload_pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def process_one(engine: Engine, settings: Settings, web: WebSettings, worker_id: str) -> str | None:
    """Claim one waiting upload and run it; its public id, or None when none could be claimed."""
    upload_pk = claim_upload(engine, worker_id)
    if upload_pk is None:
        return None
    job = job_of(engine, upload_pk)
    if job is None:
        return None
    try:
        with heartbeat(engine, upload_pk, worker_id, heartbeat_interval(web)):
            status = run_upload(engine, settings, job)
    except Exception as error:  # recording failed: the upload ends failed rather than coming back for ever
        log_unexpected(error, settings.workdir)
        end_failed(engine, [upload_pk], refusal("upload.failed", FAILED_MESSAGE))
        status = "failed"
    except BaseException:  # stopped (SIGTERM, Ctrl+C: Prefect's signal or ours): the upload waits again
        requeue_upload(engine, upload_pk, worker_id)
        raise
    logger.info("upload %s by %s: %s", job.public_id, job.username, status)
    return job.public_id


def requeue_upload(engine: Engine, upload_pk: int, worker_id: str) -> None:
    """Put an upload this worker was processing back in the queue (the worker stops before its end)."""
    with engine.begin() as conn:
        back = conn.execute(
            update(WebUpload)
            .where(
                WebUpload.id == upload_pk, WebUpload.claimed_by == worker_id, WebUpload.status == "processing"
            )
            .values(status="queued", claimed_by=None, started_at=None, heartbeat_at=None)
        )
        if back.rowcount:
            conn.execute(
                update(WebUploadFile)
                .where(WebUploadFile.upload_id == upload_pk, WebUploadFile.status == "processing")
                .values(status="queued")
            )


def heartbeat_interval(web: WebSettings) -> float:
    """Seconds between heartbeats: several within the time after which a job counts as dead."""
    return max(0.2, min(15.0, web.job_stale_seconds / 4))


def run_queued_uploads(
    engine: Engine, settings: Settings, web: WebSettings, worker_id: str | None = None
) -> list[str]:
    """Process waiting uploads until none can be claimed; the public ids processed, in order."""
    worker_id = worker_id or worker_name()
    done = []
    while (public_id := process_one(engine, settings, web, worker_id)) is not None:
        done.append(public_id)
    return done


def fail_stale_uploads(engine: Engine, stale_seconds: float) -> list[int]:
    """End ``failed`` every upload processing without a heartbeat for ``stale_seconds``; their row ids.

    Their files without an outcome say "Gagal diproses — kirim ulang"; the files stay on disk.
    """
    stale = queries.stale_web_uploads(engine, now_utc() - timedelta(seconds=stale_seconds))
    if not stale:
        return []
    end_failed(engine, stale, refusal("upload.interrupted", STALE_MESSAGE))
    logger.warning("uploads ended failed (no heartbeat for %.0f s): %s", stale_seconds, stale)
    return stale


def end_failed(engine: Engine, uploads: list[int], problem: dict[str, str]) -> None:
    """End ``failed`` these uploads still processing; their files without an outcome get ``problem``."""
    issues = json.dumps([problem], ensure_ascii=False)
    with engine.begin() as conn:
        for upload_pk in uploads:
            ended = conn.execute(
                update(WebUpload)
                .where(WebUpload.id == upload_pk, WebUpload.status == "processing")
                .values(status="failed", finished_at=now_utc())
            )
            if ended.rowcount:
                conn.execute(
                    update(WebUploadFile)
                    .where(
                        WebUploadFile.upload_id == upload_pk,
                        WebUploadFile.status.in_(("queued", "processing")),
                    )
                    .values(status="failed", issues_json=issues)
                )


def remove_expired_files(engine: Engine, settings: Settings, retention_days: float) -> int:
    """Delete the kept files (and annotated copies) of uploads older than ``retention_days``; how many.

    Only the paths recorded on web uploads' rows are deleted (under the uploads and quarantine folders
    of the work folder): the quarantine of ``sakip ingest`` runs is never touched. The rows stay,
    marked no longer kept.
    """
    before = now_utc() - timedelta(days=retention_days)
    roots = [
        (settings.workdir / "uploads").resolve(),
        settings.quarantine_dir.resolve(),
    ]
    removed = 0
    for file_pk, stored, annotated in queries.expired_web_upload_files(engine, before):
        for name in (stored, annotated):
            if name and _inside(Path(name), roots):
                Path(name).unlink(missing_ok=True)
                _remove_empty_parents(Path(name), roots)
        with engine.begin() as conn:
            conn.execute(update(WebUploadFile).where(WebUploadFile.id == file_pk).values(kept=False))
        removed += 1
    return removed


def _inside(path: Path, roots: list[Path]) -> bool:
    """Whether ``path`` lies under one of ``roots``."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


def _remove_empty_parents(path: Path, roots: list[Path]) -> None:
    """Remove the now empty folders above a deleted file, up to (not including) its root."""
    folder = path.resolve().parent
    while folder not in roots and any(folder.is_relative_to(root) for root in roots):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def sweep(engine: Engine, settings: Settings, web: WebSettings) -> None:
    """End dead jobs and remove expired files (at start and at intervals, in the web app and workers)."""
    fail_stale_uploads(engine, web.job_stale_seconds)
    remove_expired_files(engine, settings, web.upload_retention_days)


def start_sweeping(engine: Engine, settings: Settings, web: WebSettings) -> threading.Event:
    """Sweep now and then every ``sweep_seconds`` in a daemon thread; set the event returned to stop."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                sweep(engine, settings, web)
            except Exception as error:  # a busy database: the next sweep tries again
                logger.warning("sweep failed: %s", error)
            if stop.wait(web.sweep_seconds):
                return

    threading.Thread(target=loop, name="sakip-sweep", daemon=True).start()
    return stop
