"""Prefect for the command line: quiet, patient defaults and one temporary-server start at a time.

Without ``PREFECT_API_URL`` every command that runs a flow starts Prefect's temporary server (a
uvicorn subprocess) on the SQLite database in ``PREFECT_HOME``. Left to Prefect's defaults:

- the first start on a new ``PREFECT_HOME`` creates that database by running every Alembic migration
  of the Prefect server, up to a minute on a busy 2-core machine, and Prefect waits only 20 s for it;
- two servers starting together on one new database both run those migrations; Prefect's migration
  lock is a thread lock, so the second fails (``duplicate column name``), and its exit status 3 makes
  Prefect retry it on another port as if the port had been taken, until the 20 s are gone;
- the server's telemetry service writes a session row in a read-then-write transaction (a concurrent
  writer makes SQLite refuse it at once with ``database is locked``, whatever the busy timeout) and
  then fails to send it without a network, printing a traceback and "Failed to send telemetry".

So :func:`apply_prefect_defaults` sets a longer startup timeout and turns analytics off (before
Prefect is imported: the client reads ``DO_NOT_TRACK`` on import), and :func:`start_temporary_server`
starts the server under an exclusive file lock in ``PREFECT_HOME``: the database is created and
migrated by one server while the others wait, then each starts on a database that is ready.

A command starts the same server program itself (:class:`OwnTemporaryServer`, under the same lock)
when it can name it to Prefect before Prefect is imported: importing Prefect's server module to
start it costs the command seconds of the time its own imports need.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Container, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: commands there start their servers unlocked
    fcntl = None  # type: ignore[assignment]

#: Settings applied unless the user set them (environment or active Prefect profile), and why.
PREFECT_DEFAULTS: dict[str, str] = {
    # a new database is migrated on the first start: up to a minute on a busy machine (Prefect waits 20 s)
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    # the server's telemetry: fails offline, and its transaction can hit "database is locked"
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # the client's usage events (read when prefect is imported)
    "DO_NOT_TRACK": "1",
}
#: The lock file, in ``PREFECT_HOME``, held while a command's temporary server starts.
LOCK_NAME = "sakip-server-start.lock"
#: Longest wait for other commands' servers to start before this one gives up.
LOCK_WAIT_SECONDS = 600.0


class TemporaryServerError(RuntimeError):
    """The temporary Prefect server could not be started."""


def prefect_profile(environ: MutableMapping[str, str]) -> dict[str, object]:
    """The settings of the active Prefect profile (``PREFECT_PROFILE`` or the file's ``active``), or {}."""
    home = Path(environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    active = environ.get("PREFECT_PROFILE") or profiles.get("active")
    chosen = profiles.get("profiles", {}).get(active, {}) if isinstance(active, str) else {}
    return chosen if isinstance(chosen, dict) else {}


def apply_prefect_defaults(environ: MutableMapping[str, str] = os.environ) -> dict[str, str]:
    """Set each of :data:`PREFECT_DEFAULTS` the user has not set; returns the ones set.

    Call before ``prefect`` is imported. A variable in the environment or a setting in the active
    Prefect profile (``prefect config set ...``) wins over these defaults.
    """
    profile = prefect_profile(environ)
    applied = {
        name: value for name, value in PREFECT_DEFAULTS.items() if name not in environ and name not in profile
    }
    environ.update(applied)
    return applied


@contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed), waiting at most ``timeout`` seconds.

    The operating system releases the lock when its holder exits, even after a crash.
    """
    if fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{path} still locked after {timeout:.0f} s") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_temporary_server() -> None:
    """Start Prefect's temporary server for this process, one start at a time per ``PREFECT_HOME``.

    Nothing to do when ``PREFECT_API_URL`` names a server, or when the server already runs; the flows
    of this process then use this server (Prefect keeps one per process and stops it at exit).
    """
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    if server.running:
        return
    timeout = settings.server.ephemeral.startup_timeout_seconds
    lock = settings.home / LOCK_NAME
    try:
        with exclusive_lock(lock, LOCK_WAIT_SECONDS):
            server.start(timeout=timeout)
    except (RuntimeError, TimeoutError) as error:
        raise TemporaryServerError(
            f"The temporary Prefect server did not start ({error}). On a slow machine raise "
            f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (now {timeout}), or set PREFECT_API_URL "
            "to a running server (`prefect server start`)."
        ) from error


def start_temporary_server_early(environ: MutableMapping[str, str] = os.environ) -> Callable[[], None]:
    """Begin a temporary server before Prefect is imported; returns the function that waits for it.

    The server boots in its own process while this one imports the flow (Great Expectations alone
    takes seconds): on two cores the two overlap. When this process has not imported Prefect and the
    user names no server (``PREFECT_API_URL``, environment or profile), the server is the one Prefect
    would start (uvicorn serving ``prefect.server.api.server:create_app`` on the database in
    ``PREFECT_HOME``, without the UI), started here without importing Prefect's server, which costs
    this process seconds its flow's imports need: ``PREFECT_API_URL`` names it for Prefect, and it is
    stopped when the command ends. Otherwise Prefect's own temporary server is started in a thread.
    The function returned must be called before the flow runs (and before the command ends); it
    raises what the start raised.
    """
    failures: list[BaseException] = []
    if _own_server_possible(environ):
        server = OwnTemporaryServer(environ)

        def start() -> None:
            try:
                server.start()
            except BaseException as error:  # handed to the caller's thread
                failures.append(error)

    else:

        def start() -> None:
            try:
                start_temporary_server()
            except BaseException as error:  # handed to the caller's thread
                failures.append(error)

    thread = threading.Thread(target=start, name="sakip-temporary-server", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if failures:
            raise failures[0]

    return wait


#: Settings with which the user names a server or turns the temporary one off: Prefect decides then.
_USER_SERVER_SETTINGS = (
    "PREFECT_API_URL",
    "PREFECT_SERVER_EPHEMERAL_ENABLED",
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE",
)


def _own_server_possible(environ: Mapping[str, str], modules: Container[str] = sys.modules) -> bool:
    """Whether this command may start the temporary server itself (see start_temporary_server_early)."""
    if "prefect" in modules:  # its settings are read: PREFECT_API_URL set now would be missed
        return False
    profile = prefect_profile(dict(environ))
    return not any(name in environ or name in profile for name in _USER_SERVER_SETTINGS)


class OwnTemporaryServer:
    """Prefect's temporary server, started by this process without importing Prefect's server.

    The same program Prefect's ``SubprocessASGIServer`` runs, with the same environment; a free
    loopback port is chosen and ``PREFECT_API_URL`` set at once (before Prefect is imported), the
    process started under the start lock of ``PREFECT_HOME`` and waited for until ``/api/health``
    answers; it is stopped (terminated, killed after 5 s) when this process exits.
    """

    def __init__(self, environ: MutableMapping[str, str]) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.environ = environ
        self.process: subprocess.Popen | None = None
        environ["PREFECT_API_URL"] = f"http://127.0.0.1:{self.port}/api"
        # no UI is served (as with Prefect's own temporary server): no "View at" link to a page that
        # does not exist
        environ.setdefault("PREFECT_UI_URL", "")

    def start(self) -> None:
        """Start the server and wait until its API answers; :class:`TemporaryServerError` if it does not."""
        import importlib.util

        spec = importlib.util.find_spec("prefect")
        if spec is None or not spec.submodule_search_locations:
            raise TemporaryServerError(
                "The temporary Prefect server did not start (prefect is not installed)."
            )
        app_dir = Path(next(iter(spec.submodule_search_locations))).parent
        child = {key: value for key, value in self.environ.items() if key != "PREFECT_API_URL"}
        child |= {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        home = Path(self.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
        home.mkdir(parents=True, exist_ok=True)
        timeout = float(self.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 180)
        args = [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(app_dir),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        try:
            with exclusive_lock(home / LOCK_NAME, LOCK_WAIT_SECONDS):
                self.process = subprocess.Popen(args, env=child, stdin=subprocess.DEVNULL)
                atexit.register(self.stop)
                deadline = time.monotonic() + timeout
                while not api_answers(self.port, timeout=1.0):
                    if self.process.poll() is not None:
                        raise RuntimeError(f"the server process ended with status {self.process.returncode}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no answer within {timeout:.0f} s")
                    time.sleep(0.1)
        except (RuntimeError, TimeoutError, OSError) as error:
            self.stop()
            raise TemporaryServerError(
                f"The temporary Prefect server did not start ({error}). On a slow machine raise "
                f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (now {timeout:.0f}), or set "
                "PREFECT_API_URL to a running server (`sakip server start`)."
            ) from error

    def stop(self) -> None:
        """Stop the server (terminate, then kill after 5 s); nothing when it is not running."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The work folder's own Prefect server (``sakip server start|stop|status``) -------------------------

#: What ``sakip server start`` records in ``<workdir>/prefect/``: the processes it started and the port.
SERVER_FILE = "sakip-server.json"
#: The port of the work folder's server unless ``PREFECT_SERVER_API_PORT`` says otherwise (Prefect's).
DEFAULT_PORT = 4200
#: The address the server listens on: this machine only.
SERVER_HOST = "127.0.0.1"
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
    #: the process's start time (``/proc/<pid>/stat``), so a later process with the same pid is not ours
    started: str
    worker_pid: int | None = None
    worker_started: str | None = None

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


def process_start(pid: int) -> str | None:
    """The start time of a live process (clock ticks since boot, from ``/proc``), or None when none runs.

    Without ``/proc`` (not Linux): "" for any live process.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return _alive_elsewhere(pid)
    fields = stat.rsplit(")", 1)[-1].split()
    if not fields or fields[0] in ("Z", "X"):  # a zombie has ended
        return None
    return fields[19]


def _alive_elsewhere(pid: int) -> str | None:
    """ "" when a process ``pid`` exists (no start time known), else None."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return ""
    return ""


def _is_ours(pid: int | None, started: str | None) -> bool:
    """Whether process ``pid`` is still the one started at ``started`` (not a new one reusing the pid)."""
    return pid is not None and started is not None and process_start(pid) == started


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


def api_answers(port: int, timeout: float = 1.0) -> bool:
    """Whether a Prefect API answers ``GET /api/health`` on the loopback port (a raw socket: no imports)."""
    try:
        with socket.create_connection((SERVER_HOST, port), timeout=timeout) as conn:
            conn.sendall(f"GET /api/health HTTP/1.0\r\nHost: {SERVER_HOST}:{port}\r\n\r\n".encode("ascii"))
            return conn.recv(64).split(b"\r\n", 1)[0].split(b" ")[1:2] == [b"200"]
    except (OSError, IndexError):
        return False


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
    Cheap: a file, ``/proc`` and one local socket; Prefect is not imported.
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


def _spawn(args: list[str], environ: dict[str, str], log: Path, cwd: Path) -> tuple[int, str]:
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
    return process.pid, process_start(process.pid) or ""


def _log_tail(log: Path, lines: int = 15) -> str:
    """The last lines of a log file (for a message)."""
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop_group(pid: int | None, started: str | None, wait: float = STOP_WAIT_SECONDS) -> bool:
    """End process ``pid`` and every process of its group when it is still ours; whether it was running.

    SIGTERM first, SIGKILL for what is left after ``wait`` seconds.
    """
    if pid is None or not _is_ours(pid, started):
        return False
    try:
        leads_group = os.getpgid(pid) == pid  # started in a session of its own: the whole group goes
    except ProcessLookupError:
        return False

    def send(sig: int) -> None:
        os.killpg(pid, sig) if leads_group else os.kill(pid, sig)

    def gone() -> bool:
        if not leads_group:
            return not _is_ours(pid, started)
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        return False

    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            send(sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if gone():
                return True
            time.sleep(0.1)
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
                _stop_group(pid, started)
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

    Only processes still the ones recorded are signalled (their process groups); the record is removed.
    """
    home = server_home(workdir)
    server = read_server(workdir)
    if server is None:
        return None
    _stop_group(server.worker_pid, server.worker_started)
    running = _stop_group(server.pid, server.started)
    (home / SERVER_FILE).unlink(missing_ok=True)
    return server if running else None
