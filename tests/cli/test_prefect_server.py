"""The temporary Prefect server of the command line: defaults the user can override, one start at a time.

The end-to-end test runs the real ``sakip`` command twice at once on a never-used ``PREFECT_HOME``,
with an environment cleared of every Prefect setting, as a new user's first commands would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sakip.prefect_server import PREFECT_DEFAULTS, apply_prefect_defaults, exclusive_lock

SAKIP = Path(sys.executable).with_name("sakip")
#: What must never appear in a command's normal output.
NOISE = ("Traceback", "database is locked", "telemetry", "Timed out", "ERROR")


def test_defaults_fill_only_what_the_user_left_unset(tmp_path: Path):
    (tmp_path / "profiles.toml").write_text(
        'active = "mine"\n[profiles.mine]\nPREFECT_SERVER_ANALYTICS_ENABLED = "true"\n', encoding="utf-8"
    )
    environ = {"PREFECT_HOME": str(tmp_path), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300"}

    applied = apply_prefect_defaults(environ)

    assert applied == {"DO_NOT_TRACK": "1"}
    assert environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] == "300"
    assert "PREFECT_SERVER_ANALYTICS_ENABLED" not in environ  # the profile's value stays in force
    fresh = {"PREFECT_HOME": str(tmp_path / "new")}
    assert apply_prefect_defaults(fresh) == PREFECT_DEFAULTS
    assert fresh["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"


def test_the_start_lock_admits_one_holder_at_a_time(tmp_path: Path):
    lock = tmp_path / "home" / "start.lock"
    released = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with exclusive_lock(lock, timeout=5):
            holding.set()
            released.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    with pytest.raises(TimeoutError), exclusive_lock(lock, timeout=0.5):
        pass
    released.set()
    started = time.monotonic()
    with exclusive_lock(lock, timeout=10):
        assert time.monotonic() - started < 5
    holder.join(10)


@pytest.mark.prefect
def test_two_commands_at_once_on_a_new_prefect_home(sample_2022, tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "SAKIP_")) and key != "DO_NOT_TRACK"
    }
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")  # never used: the server creates its database
    commands = {
        "demo": [str(SAKIP), "demo", "--workdir", str(tmp_path / "a")],
        "ingest": [str(SAKIP), "ingest", str(sample_2022.realization[0]), "--workdir", str(tmp_path / "b")],
    }
    logs = {name: (tmp_path / f"{name}.out", tmp_path / f"{name}.err") for name in commands}
    running = {}
    for name, argv in commands.items():  # files, not pipes: neither command may block on a full pipe
        with logs[name][0].open("w") as out, logs[name][1].open("w") as err:
            running[name] = subprocess.Popen(
                argv, cwd=tmp_path, env=env, stdout=out, stderr=err, start_new_session=True
            )
    try:
        results = {
            name: (process.wait(timeout=600), logs[name][0].read_text(), logs[name][1].read_text())
            for name, process in running.items()
        }
    finally:  # a command that hangs is stopped with the server it started
        for process in running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    for name, (status, out, err) in results.items():
        assert status == 0, f"{name}: exit {status}\n{out}\n{err}"
        for word in NOISE:
            assert word not in out + err, f"{name} printed {word!r}:\n{out}\n{err}"
    assert "LKjIP 2022 report:" in results["demo"][1]
    assert "realisasi_2022_01.xlsx: dimuat (38)" in results["ingest"][1]


COLD_START = """
import json, os, sys
import httpx
from sakip.prefect_server import apply_prefect_defaults, start_temporary_server_early, stop_temporary_server
apply_prefect_defaults()
wait = start_temporary_server_early()
wait()
from prefect import get_client
with get_client(sync_client=True) as client:
    url = str(client.api_url).rstrip("/")
health = httpx.get(url + "/health", timeout=10).text
stop_temporary_server()
try:
    after = httpx.get(url + "/health", timeout=5).status_code
except httpx.HTTPError:
    after = None
print(json.dumps({"url": url, "health": health, "after_stop": after}))
"""


def clean_environment(home: Path) -> dict[str, str]:
    """This environment without Prefect or sakip settings, on the Prefect home ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SAKIP_"))}
    return env | {"PREFECT_HOME": str(home)}


@pytest.mark.prefect
def test_a_cold_command_has_prefect_start_its_server_and_stops_it(tmp_path: Path):
    """The command's early start: Prefect's temporary server answers on the loopback, its database is
    created in PREFECT_HOME, and stop_temporary_server ends it."""
    import json

    env = clean_environment(tmp_path / "prefect-home")
    done = subprocess.run(
        [sys.executable, "-c", COLD_START], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["health"] == "true"
    assert result["url"].startswith("http://127.0.0.1:") and result["url"].endswith("/api")
    assert (tmp_path / "prefect-home" / "prefect.db").exists()  # Prefect's own database, migrated
    assert result["after_stop"] is None  # nothing answers there any more


NOT_STARTED = """
from sakip.prefect_server import TemporaryServerError, start_temporary_server
try:
    start_temporary_server()
except TemporaryServerError as error:
    print(error)
"""


@pytest.mark.prefect
def test_a_server_that_does_not_start_in_time_is_said_plainly(tmp_path: Path):
    env = clean_environment(tmp_path / "prefect-home")  # a new home: its database takes seconds
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", NOT_STARTED], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert "The temporary Prefect server did not start" in done.stdout
    assert "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (now 1)" in done.stdout
    assert "sakip server start" in done.stdout


def test_a_server_the_user_names_is_left_to_prefect():
    import psutil
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from sakip.prefect_server import start_temporary_server, stop_temporary_server

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with temporary_settings(updates={PREFECT_API_URL: "http://example.invalid/api"}):
        start_temporary_server()  # nothing started, nothing asked of example.invalid
        stop_temporary_server()
    assert {child.pid for child in psutil.Process().children(recursive=True)} <= before


def test_a_process_that_started_its_server_does_not_wait_on_the_lock_again(monkeypatch):
    """The web application asks before each upload: once started, no lock and no client again."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    import sakip.prefect_server as prefect_server

    def locked_again(*args, **kwargs):
        raise AssertionError("the start lock was taken again")

    monkeypatch.setattr(prefect_server, "exclusive_lock", locked_again)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        with pytest.raises(AssertionError, match="taken again"):  # not started yet: it would lock
            prefect_server.start_temporary_server()
        monkeypatch.setattr(prefect_server, "_started_here", {"http://127.0.0.1:9/api"})
        prefect_server.start_temporary_server()
