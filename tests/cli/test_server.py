"""``sakip server start|status|stop``: the work folder's Prefect server, and the commands using it.

The end-to-end test starts a real server on a free port in a new work folder, ingests a workbook (its
flow run must be on that server, found through its API), and stops it: the process and its group are
gone. The others are quick: a port already taken, and a recorded pid that is no longer ours.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sakip.local_server import SERVER_FILE, LocalServer, process_start, server_home, stop_local_server

SAKIP = Path(sys.executable).with_name("sakip")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(port: int, home: Path) -> dict[str, str]:
    """This environment without Prefect or sakip settings; the server's port and the commands' home set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SAKIP_"))}
    return env | {"PREFECT_SERVER_API_PORT": str(port), "PREFECT_HOME": str(home)}


def sakip(*args: str, env: dict[str, str], timeout: float = 240) -> subprocess.CompletedProcess:
    """Run the real command."""
    return subprocess.run(
        [str(SAKIP), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def flow_runs(api: str) -> list[dict]:
    """The flow runs the server holds."""
    request = urllib.request.Request(
        f"{api}/flow_runs/filter", data=b"{}", headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.mark.prefect
def test_server_start_runs_the_commands_flows_and_stop_ends_it(sample_2022, tmp_path: Path):
    port = free_port()
    client_home = tmp_path / "client-home"  # where a temporary server would keep its database
    env = environment(port, client_home)
    work = str(tmp_path / "work")
    try:
        started = sakip("server", "start", "--workdir", work, env=env)
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"http://127.0.0.1:{port}" in started.stdout
        record = LocalServer.from_json((tmp_path / "work" / "prefect" / SERVER_FILE).read_text())
        assert record.home == server_home(work) and record.port == port
        status = sakip("server", "status", "--workdir", work, env=env)
        assert status.returncode == 0 and "berjalan" in status.stdout
        assert f"http://127.0.0.1:{port}" in status.stdout

        ingest = sakip("ingest", str(sample_2022.realization[0]), "--workdir", work, env=env)
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        runs = flow_runs(f"http://127.0.0.1:{port}/api")
        assert runs and all(run["state_type"] == "COMPLETED" for run in runs)
        assert not list(client_home.glob("*.db"))  # no temporary server ran
    finally:
        stopped = sakip("server", "stop", "--workdir", work, env=env)
    assert stopped.returncode == 0 and "dihentikan" in stopped.stdout
    assert process_start(record.pid) is None
    with pytest.raises(ProcessLookupError):
        os.killpg(record.pid, 0)  # nothing of its process group is left
    down = sakip("server", "status", "--workdir", work, env=env)
    assert down.returncode == 1 and "tidak berjalan" in down.stdout
    assert not (tmp_path / "work" / "prefect" / SERVER_FILE).exists()


def test_start_says_when_another_program_holds_the_port(tmp_path: Path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = environment(port, tmp_path / "home")
        done = sakip("server", "start", "--workdir", str(tmp_path), env=env, timeout=60)
    assert done.returncode == 3
    assert f"Port {port} sudah dipakai program lain" in done.stderr
    assert not (tmp_path / "prefect" / SERVER_FILE).exists()


def test_stop_never_signals_a_process_that_is_not_the_one_started(tmp_path: Path):
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        home = server_home(tmp_path)
        home.mkdir(parents=True)
        stale = LocalServer(home=home, port=free_port(), pid=other.pid, started=1.0)  # its pid, reused
        (home / SERVER_FILE).write_text(stale.to_json(), encoding="utf-8")

        assert stop_local_server(tmp_path) is None
        time.sleep(0.2)
        assert other.poll() is None  # still running
        assert not (home / SERVER_FILE).exists()  # the stale record is gone
    finally:
        other.send_signal(signal.SIGKILL)
        other.wait(timeout=10)
