"""The upload worker: a process that runs the queued uploads' flows, apart from the web server.

``sakip web`` starts ``workers`` of them (:class:`WorkerPool`: restarted when one dies, stopped with the
server); ``sakip web-worker`` runs one on its own (e.g. a second one on PostgreSQL). A worker runs at a
lower CPU priority so the pages stay quick, starts its Prefect server once (the temporary server, one
start at a time per ``PREFECT_HOME``, unless ``PREFECT_API_URL`` names one), and between uploads
sweeps dead jobs and expired files as the web application does.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sakip.web.config import WebSettings
from sakip.web.jobs import process_one, sweep, worker_name
from sakip.web.pipeline import Settings, open_warehouse, start_temporary_server, stop_temporary_server

logger = logging.getLogger("sakip.web.worker")

#: How much lower a worker's CPU priority is than the web server's (``os.nice``).
WORKER_NICENESS = 10
#: Seconds a stopped worker has to put its upload back in the queue before it is killed.
STOP_WAIT_SECONDS = 10.0
#: Seconds between the pool's looks at its workers (a dead one is started again).
WATCH_SECONDS = 1.0
#: The variable naming the ``sakip web`` process whose pool started a worker: a worker whose server was
#: killed (``kill -9``: no chance to stop it) ends after its current upload instead of living on.
POOL_PARENT = "SAKIP_WEB_POOL_PARENT"


def parent_gone(parent: int | None) -> bool:
    """Whether the server that started this worker has ended (its parent is another process now)."""
    return parent is not None and os.getppid() != parent


def pool_parent() -> int | None:
    """The server that started this worker (``SAKIP_WEB_POOL_PARENT``), None for ``sakip web-worker``."""
    value = os.environ.get(POOL_PARENT, "")
    return int(value) if value.isdigit() else None


def _stop_on_sigterm() -> None:
    """SIGTERM ends the worker as Ctrl+C does: its upload goes back to the queue, its server stops."""

    def stop(_signum, _frame) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def run_worker(
    settings: Settings, web: WebSettings, number: int = 0, stop: threading.Event | None = None
) -> int:
    """Process uploads until stopped (SIGTERM, Ctrl+C, or ``stop`` set)."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)
    if threading.current_thread() is threading.main_thread():
        _stop_on_sigterm()
    stop = stop or threading.Event()
    engine = open_warehouse(settings.url)
    worker_id = worker_name(number)
    start_temporary_server()
    print(f"sakip web-worker {worker_id}: siap memproses kiriman", flush=True)
    last_sweep = 0.0
    parent = pool_parent()
    try:
        while not stop.is_set() and not parent_gone(parent):
            if time.monotonic() - last_sweep >= web.sweep_seconds:
                try:
                    sweep(engine, settings, web)
                except Exception as error:  # a busy database: the next sweep tries again
                    logger.warning("sweep failed: %s", error)
                last_sweep = time.monotonic()
            if process_one(engine, settings, web, worker_id) is None:
                stop.wait(web.poll_seconds)
    finally:
        stop_temporary_server()
        engine.dispose()
    return 0


def worker_count(web: WebSettings, database_url: str) -> int:
    """How many workers ``sakip web`` starts: ``workers``, at most one on SQLite (one writer at a time)."""
    if database_url.startswith("sqlite") and web.workers > 1:
        logger.warning("SAKIP_WEB_WORKERS=%d on SQLite: one worker started", web.workers)
        print(f"SAKIP_WEB_WORKERS={web.workers} pada SQLite: satu pemroses dijalankan.", flush=True)
        return 1
    return web.workers


class WorkerPool:
    """The worker processes of ``sakip web``: started with it, started again when one dies, stopped
    with it."""

    def __init__(self, workdir: Path, count: int):
        self.command = [sys.executable, "-m", "sakip.cli", "web-worker", "--workdir", str(workdir)]
        self.count = count
        self.processes: list[subprocess.Popen | None] = [None] * count
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None

    def _spawn(self, number: int) -> subprocess.Popen:
        """Start worker ``number``."""
        env = {**os.environ, POOL_PARENT: str(os.getpid())}
        return subprocess.Popen([*self.command, "--number", str(number)], env=env)

    def start(self) -> None:
        """Start every worker and a thread that starts again those that end."""
        for number in range(self.count):
            self.processes[number] = self._spawn(number)
        self._watch = threading.Thread(target=self._keep_running, name="sakip-worker-pool", daemon=True)
        self._watch.start()

    def _keep_running(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            for number, process in enumerate(self.processes):
                if process is not None and process.poll() is not None and not self._stop.is_set():
                    logger.warning("worker %d ended (status %s): started again", number, process.returncode)
                    self.processes[number] = self._spawn(number)

    def stop(self) -> None:
        """Stop every worker (SIGTERM: its upload goes back to the queue), killing those that linger."""
        self._stop.set()
        if self._watch is not None:
            self._watch.join()
        running = [p for p in self.processes if p is not None and p.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
