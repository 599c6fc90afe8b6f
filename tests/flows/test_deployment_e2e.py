"""End to end on a real Prefect server: deploy, start a process worker, run the monthly deployment.

One test, so the whole suite stays within a few minutes: it starts ``prefect server``, creates the
``sakip`` process work pool, applies ``deployments/prefect.yaml`` and the automation of
``deployments/automation-rejected.yaml`` (its notification a webhook this test receives), starts a
worker, triggers the scheduled monthly deployment for March 2022 of the sample with an unreadable file
beside it and waits for it (bounded), then checks the run's Rejected state, the notification, the
warehouse, the archive and the quarantine. It stops what it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fixtures.paths import REPO

PREFECT = Path(sys.executable).with_name("prefect")
pytestmark = pytest.mark.prefect
#: The notification block id in the example automation, for the operator to replace.
PLACEHOLDER_BLOCK = "00000000-0000-0000-0000-000000000000"
#: Saves a webhook notification block posting to the URL given; prints its id.
SAVE_WEBHOOK_BLOCK = """
import sys
from prefect.blocks.notifications import CustomWebhookNotificationBlock
hook = {"text": "{{subject}}|{{body}}"}
print(CustomWebhookNotificationBlock(name="test", url=sys.argv[1], json_data=hook).save("sakip-test-hook"))
"""


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, seconds: float) -> None:
    """Poll the server's health endpoint until it answers (bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"Prefect server at {url} did not start within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a background process and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


class WebhookReceiver(BaseHTTPRequestHandler):
    """Records the body of every POST (the notifications of an automation)."""

    received: list[bytes]

    def do_POST(self) -> None:
        """Keep the body, answer 200."""
        self.received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


def test_monthly_deployment_runs_on_a_real_server_and_worker(sample_2022, tmp_path: Path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "SAKIP_"))}
    env |= {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "SAKIP_HOME": str(REPO),
        "SAKIP_WORKDIR": str(tmp_path / "work"),
        "SAKIP_INBOX": str(tmp_path / "inbox"),
    }
    month = tmp_path / "inbox" / "2022" / "03"
    month.mkdir(parents=True)
    shutil.copy(sample_2022.realization[2], month / "realisasi_2022_03.xlsx")
    (month / "rusak.xlsx").write_bytes(b"PK\x03\x04 truncated")

    def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PREFECT), "--no-prompt", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    logs = tmp_path / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=(logs / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = None
    WebhookReceiver.received = []
    hooks = HTTPServer(("127.0.0.1", 0), WebhookReceiver)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        wait_until_healthy(api, 120)
        pool = run("work-pool", "create", "sakip", "--type", "process")
        assert pool.returncode == 0, pool.stdout + pool.stderr
        deployed = run("deploy", "--all", "--prefect-file", "deployments/prefect.yaml")
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        block = subprocess.run(
            [sys.executable, "-c", SAVE_WEBHOOK_BLOCK, f"http://127.0.0.1:{hooks.server_port}/hook"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        automation = tmp_path / "automation.yaml"
        example = (REPO / "deployments" / "automation-rejected.yaml").read_text(encoding="utf-8")
        automation.write_text(example.replace(PLACEHOLDER_BLOCK, block.stdout.split()[-1]), encoding="utf-8")
        created = run("automation", "create", "--from-file", str(automation))
        assert created.returncode == 0, created.stdout + created.stderr
        worker = subprocess.Popen(
            [str(PREFECT), "worker", "start", "--pool", "sakip", "--limit", "2"],
            cwd=tmp_path,
            env=env,
            stdout=(logs / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started = run(
            "deployment",
            "run",
            "sakip-inbox/inbox-bulanan",
            "-p",
            "year=2022",
            "-p",
            "month=3",
            "--watch",
            "--watch-timeout",
            "240",
            timeout=300,
        )
        worker_log = (logs / "worker.log").read_text()
        assert started.returncode == 0, started.stdout + started.stderr + worker_log
        # Completed (the valid file loaded), named Rejected (the unreadable one was not)
        assert "Flow run finished successfully in 'Rejected'" in started.stdout
        deadline = time.monotonic() + 120
        while not WebhookReceiver.received and time.monotonic() < deadline:
            time.sleep(0.5)
        assert WebhookReceiver.received, "no notification from the automation"
        message = WebhookReceiver.received[0].decode()
        assert "sakip: berkas ditolak" in message and "sakip-inbox" in message  # the scheduled run's
        assert "1 of 2 file(s) rejected" in message
    finally:
        hooks.shutdown()
        if worker is not None:
            stop(worker)
        stop(server)

    work = tmp_path / "work"
    engine = create_engine(f"sqlite:///{work / 'sakip.db'}")
    with engine.connect() as conn:
        facts = conn.execute(
            text(
                "SELECT count(*), sum(realisasi_sd_bulan_ini_rp) FROM fact_realization f "
                "JOIN period p ON p.id = f.period_id WHERE p.year = 2022 AND p.month = 3"
            )
        ).one()
        batches = dict(conn.execute(text("SELECT file_name, status FROM load_batch")).all())
    engine.dispose()
    assert facts[0] == 38 and facts[1] > 0
    assert batches == {"realisasi_2022_03.xlsx": "loaded", "rusak.xlsx": "rejected"}
    assert len(list((work / "archive" / "2022" / "03").glob("realisasi_2022_03.*.xlsx"))) == 1
    assert (work / "quarantine" / "2022" / "03" / "rusak.txt").is_file()  # unreadable: under the run's month
    assert not any(month.iterdir())
