"""The work folder's own Prefect server: ``sakip server start|stop|status``.

``start`` runs Prefect's server (UI and API) in the background for one work folder, its state in
``<workdir>/prefect/`` (its ``PREFECT_HOME``), on ``127.0.0.1`` and the port of
``PREFECT_SERVER_API_PORT`` (default 4200), optionally with a process worker serving
``deployments/prefect.yaml``; it records what it started in ``sakip-server.json`` there. Every command
of the folder finds a running server cheaply (the file, the process table through psutil and one
``/api/health`` request; Prefect is not imported) and uses it instead of a temporary server. ``stop``
ends exactly what ``start`` started.

The server is Prefect's own ``prefect server start`` command, run in a session of its own with its
output in ``server.log``. Not ``prefect server start --background``: that leaves the server's output
on a pipe nobody reads (so a server that does not come up leaves nothing to tell why) and returns
before the API answers; and not ``prefect server stop``, which signals the pid of its file without
checking it is still the server's (a pid reused since would get the signal). Processes are told
apart by psutil's start time.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sakip.prefect_server import (
    LOCK_NAME,
    LOCK_WAIT_SECONDS,
    LOOPBACK,
    api_answers,
    apply_prefect_defaults,
    exclusive_lock,
    stop_processes,
)

#: What ``sakip server start`` records in ``<workdir>/prefect/``: the processes it started and the port.
SERVER_FILE = "sakip-server.json"
#: The port of the work folder's server unless ``PREFECT_SERVER_API_PORT`` says otherwise (Prefect's).
DEFAULT_PORT = 4200
#: The address the server listens on: this machine only.
SERVER_HOST = LOOPBACK
#: The process work pool ``deployments/prefect.yaml`` names.
WORK_POOL = "sakip"
#: Longest wait for a stopped process to end before it is killed.
STOP_WAIT_SECONDS = 20.0


class LocalServerError(RuntimeError):
    """The work folder's server could not be started or stopped; ``rule`` names the message."""

    def __init__(self, rule: str, **fields: object):
        super().__init__(rule)
        self.rule = rule
        self.fields = fields


@dataclass(frozen=True)
class LocalServer:
    """A Prefect server (and optionally a worker) started by ``sakip server start`` for one work folder."""

    home: Path
    port: int
    pid: int
    #: the process's start time (psutil's ``create_time``), so a later process with the same pid is not ours
    started: float
    worker_pid: int | None = None
    worker_started: float | None = None

    @property
    def ui_url(self) -> str:
        """The address of the Prefect UI."""
        return f"http://{SERVER_HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value of ``PREFECT_API_URL`` for this server."""
        return f"{self.ui_url}/api"

    def to_json(self) -> str:
        """The record written to ``SERVER_FILE``."""
        return json.dumps({**asdict(self), "home": str(self.home)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> LocalServer:
        """The record read back (``ValueError``/``TypeError``/``KeyError`` when it is not one)."""
        data = json.loads(text)
        return cls(**{**data, "home": Path(data["home"])})


def server_home(workdir: Path | str) -> Path:
    """The folder of the work folder's Prefect server (its ``PREFECT_HOME``): ``<workdir>/prefect``."""
    return Path(workdir).expanduser().resolve() / "prefect"


def server_port(environ: Mapping[str, str] = os.environ) -> int:
    """The port of ``PREFECT_SERVER_API_PORT`` (default 4200); ``ValueError`` when it is not a port."""
    raw = environ.get("PREFECT_SERVER_API_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    port = int(raw)
    if not 0 < port < 65536:
        raise ValueError(raw)
    return port


def process_start(pid: int) -> float | None:
    """The start time of a live process (psutil's ``create_time``), or None when none runs (or a zombie)."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:  # a zombie has ended
            return None
        return process.create_time()
    except psutil.NoSuchProcess:
        return None


def _process_if_ours(pid: int | None, started: float | None):
    """The psutil process ``pid`` when it is still the one started at ``started``, else None."""
    import psutil

    if pid is None or started is None:
        return None
    try:
        process = psutil.Process(pid)
        if process.status() != psutil.STATUS_ZOMBIE and process.create_time() == started:
            return process
    except psutil.NoSuchProcess:
        pass
    return None


def _is_ours(pid: int | None, started: float | None) -> bool:
    """Whether process ``pid`` is still the one started at ``started`` (not a new one reusing the pid)."""
    return _process_if_ours(pid, started) is not None


def read_server(workdir: Path | str) -> LocalServer | None:
    """The record of the work folder's server, or None (none started, or an unreadable record)."""
    try:
        return LocalServer.from_json((server_home(workdir) / SERVER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def running_server(workdir: Path | str) -> LocalServer | None:
    """The work folder's server when the process ``sakip server start`` started still runs, else None."""
    server = read_server(workdir)
    return server if server is not None and _is_ours(server.pid, server.started) else None


def port_is_free(port: int) -> bool:
    """Whether nothing listens on the loopback port (a socket can be bound there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((SERVER_HOST, port))
        except OSError:
            return False
    return True


def use_running_server(workdir: Path | str, environ: MutableMapping[str, str] = os.environ) -> str | None:
    """Point this process's flows at the work folder's running server; its API URL, or None.

    Nothing changes when ``PREFECT_API_URL`` is set (that server is used) or when no server of
    ``sakip server start`` runs and answers for the work folder (commands then start a temporary one).
    Cheap: a file, the process table and one local request; Prefect is not imported.
    """
    if environ.get("PREFECT_API_URL"):
        return None
    server = running_server(workdir)
    if server is None or not api_answers(server.port):
        return None
    environ["PREFECT_API_URL"] = server.api_url
    return server.api_url


def _prefect_program() -> str:
    """The ``prefect`` command of this environment."""
    beside = Path(sys.executable).with_name("prefect")
    return str(beside) if beside.exists() else (shutil.which("prefect") or "prefect")


def _server_environment(home: Path, port: int) -> dict[str, str]:
    """The environment of the server and worker: this one, with the work folder's home and port."""
    environ = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    apply_prefect_defaults(environ)
    environ |= {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_API_HOST": SERVER_HOST,
        "PREFECT_SERVER_API_PORT": str(port),
    }
    return environ


def _spawn(args: list[str], environ: dict[str, str], log: Path, cwd: Path) -> tuple[int, float]:
    """Start ``args`` in the background in a session (process group) of its own; its pid and start time."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            args,
            env=environ,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process.pid, process_start(process.pid) or 0.0


def _log_tail(log: Path, lines: int = 15) -> str:
    """The last lines of a log file (for a message)."""
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop_tree(pid: int | None, started: float | None, wait: float = STOP_WAIT_SECONDS) -> bool:
    """End process ``pid`` and every process under it when it is still ours; whether it was running.

    Terminated first, killed when still alive after ``wait`` seconds (psutil).
    """
    import psutil

    process = _process_if_ours(pid, started)
    if process is None:
        return False
    try:
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    stop_processes(tree, wait)
    return True


def start_local_server(
    workdir: Path | str, port: int, *, timeout: float = 180.0, worker: bool = False
) -> tuple[LocalServer, bool]:
    """Start the work folder's Prefect server (and worker) in the background; returns once the API answers.

    Returns the server and whether it was started now (False: it already ran). Raises
    :class:`LocalServerError` when the port is taken by another program or the server does not come up
    (what it started is stopped again).
    """
    home = server_home(workdir)
    home.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(home / LOCK_NAME, LOCK_WAIT_SECONDS):
        current = running_server(workdir)
        if current is not None:
            if worker and not _is_ours(current.worker_pid, current.worker_started):
                current = _start_worker(current, workdir)
            return current, False
        if not port_is_free(port):
            raise LocalServerError("server.port_taken", port=port)
        environ = _server_environment(home, port)
        log = home / "server.log"
        pid, started = _spawn(
            [_prefect_program(), "server", "start", "--host", SERVER_HOST, "--port", str(port)],
            environ,
            log,
            home,
        )
        server = LocalServer(home=home, port=port, pid=pid, started=started)
        (home / SERVER_FILE).write_text(server.to_json(), encoding="utf-8")
        deadline = time.monotonic() + timeout
        while not api_answers(port):
            if not _is_ours(pid, started) or time.monotonic() > deadline:
                _stop_tree(pid, started)
                (home / SERVER_FILE).unlink(missing_ok=True)
                raise LocalServerError(
                    "server.not_started", seconds=int(timeout), log=log, tail=_log_tail(log)
                )
            time.sleep(0.25)
        if worker:
            server = _start_worker(server, workdir)
        return server, True


def _project_root() -> Path:
    """The source tree holding ``deployments/`` (the worker runs the flows from there)."""
    return Path(__file__).resolve().parent.parent


def _start_worker(server: LocalServer, workdir: Path | str) -> LocalServer:
    """Create the work pool, deploy ``deployments/prefect.yaml`` and start a process worker on the server."""
    root = _project_root()
    recipe = root / "deployments" / "prefect.yaml"
    if not recipe.exists():
        raise LocalServerError("server.no_deployments", path=recipe)
    environ = _server_environment(server.home, server.port) | {
        "PREFECT_API_URL": server.api_url,
        "SAKIP_HOME": str(root),
        "SAKIP_WORKDIR": str(Path(workdir).expanduser().resolve()),
    }
    log = server.home / "worker.log"
    prefect = _prefect_program()
    steps = (
        [prefect, "--no-prompt", "work-pool", "create", WORK_POOL, "--type", "process", "--overwrite"],
        [prefect, "--no-prompt", "deploy", "--all", "--prefect-file", str(recipe)],
    )
    for step in steps:
        done = subprocess.run(step, cwd=root, env=environ, capture_output=True, text=True, check=False)
        with log.open("a", encoding="utf-8") as output:
            output.write(done.stdout + done.stderr)
        if done.returncode != 0:
            raise LocalServerError("server.worker_failed", log=log, tail=_log_tail(log))
    pid, started = _spawn([prefect, "worker", "start", "--pool", WORK_POOL], environ, log, root)
    with_worker = replace(server, worker_pid=pid, worker_started=started)
    (server.home / SERVER_FILE).write_text(with_worker.to_json(), encoding="utf-8")
    return with_worker


def stop_local_server(workdir: Path | str) -> LocalServer | None:
    """Stop what ``sakip server start`` started for the work folder (worker, then server); it, or None.

    Only processes still the ones recorded are stopped (with the processes under them); the record is removed.
    """
    home = server_home(workdir)
    server = read_server(workdir)
    if server is None:
        return None
    _stop_tree(server.worker_pid, server.worker_started)
    running = _stop_tree(server.pid, server.started)
    (home / SERVER_FILE).unlink(missing_ok=True)
    return server if running else None
