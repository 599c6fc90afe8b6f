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

The work folder's own long-running server (``sakip server``) is :mod:`sakip.local_server`.

A command starts the same server program itself (:class:`OwnTemporaryServer`, under the same lock)
when it can name it to Prefect before Prefect is imported: importing Prefect's server module to
start it costs the command seconds of the time its own imports need.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Container, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
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
#: The loopback address the servers of this machine's commands listen on.
LOOPBACK = "127.0.0.1"
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
        raise _not_started(error, timeout) from error


def _not_started(error: BaseException, timeout: float) -> TemporaryServerError:
    """The message of a temporary server that did not start, with what to do about it."""
    return TemporaryServerError(
        f"The temporary Prefect server did not start ({error}). On a slow machine raise "
        f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (now {timeout:.0f}), or set PREFECT_API_URL "
        "to a running server (`sakip server start`)."
    )


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
    begin = OwnTemporaryServer(environ).start if _own_server_possible(environ) else start_temporary_server

    def start() -> None:
        try:
            begin()
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
            probe.bind((LOOPBACK, 0))
            self.port = probe.getsockname()[1]
        self.environ = environ
        self.process: subprocess.Popen | None = None
        environ["PREFECT_API_URL"] = f"http://{LOOPBACK}:{self.port}/api"
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
            LOOPBACK,
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
            raise _not_started(error, timeout) from error

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


def api_answers(port: int, timeout: float = 1.0) -> bool:
    """Whether a Prefect API answers ``GET /api/health`` on the loopback port (a raw socket: no imports)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout) as conn:
            conn.sendall(f"GET /api/health HTTP/1.0\r\nHost: {LOOPBACK}:{port}\r\n\r\n".encode("ascii"))
            return conn.recv(64).split(b"\r\n", 1)[0].split(b" ")[1:2] == [b"200"]
    except (OSError, IndexError):
        return False
