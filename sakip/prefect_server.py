"""Prefect for the command line: quiet, patient defaults and one temporary-server start at a time.

Without ``PREFECT_API_URL`` every command that runs a flow uses Prefect's temporary server, which the
Prefect client starts (a uvicorn subprocess, stopped when the process ends) on the SQLite database in
``PREFECT_HOME``. Left to Prefect's defaults:

- the first start on a new ``PREFECT_HOME`` creates that database by running every Alembic migration
  of the Prefect server, up to a minute on a busy 2-core machine, and Prefect waits only 20 s for it;
- two servers starting together on one new database both run those migrations; Prefect's migration
  lock is a thread lock, so the second fails (``duplicate column name``), and its exit status 3 makes
  Prefect retry it on another port as if the port had been taken, until the 20 s are gone;
- the server's telemetry service writes a session row in a read-then-write transaction (a concurrent
  writer makes SQLite refuse it at once with ``database is locked``, whatever the busy timeout) and
  then fails to send it without a network, printing a traceback and "Failed to send telemetry".

So :func:`apply_prefect_defaults` sets a longer startup timeout and turns analytics off through
Prefect's public setting names (before Prefect is imported: the client reads ``DO_NOT_TRACK`` on
import), and :func:`start_temporary_server` has the Prefect client start its server
(``get_client``) under an exclusive file lock in ``PREFECT_HOME``: the database is created and
migrated by one server while the others wait, then each starts on a database that is ready.

The work folder's own long-running server (``sakip server``) is :mod:`sakip.local_server`.
"""

from __future__ import annotations

import os
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager, suppress
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
#: Longest wait for a stopped temporary server to end before it is killed (Prefect's own: 5 s).
STOP_WAIT_SECONDS = 5.0

#: The API addresses of the temporary servers this process started (to stop them on request).
_started_here: set[str] = set()


class TemporaryServerError(RuntimeError):
    """The temporary Prefect server could not be started."""


def prefect_profile(environ: MutableMapping[str, str]) -> dict[str, object]:
    """The settings of the active Prefect profile (``PREFECT_PROFILE`` or the file's ``active``), or {}.

    Read from Prefect's documented ``profiles.toml`` without importing Prefect (its import reads
    ``DO_NOT_TRACK``, and the read-only commands never import it).
    """
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


def api_answers(port: int, timeout: float = 2.0) -> bool:
    """Whether a Prefect API on the loopback port answers ``GET /api/health`` with 200 (httpx; Prefect
    is not imported)."""
    import httpx

    try:
        return httpx.get(f"http://{LOOPBACK}:{port}/api/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def start_temporary_server() -> None:
    """Have Prefect start its temporary server for this process, one start at a time per ``PREFECT_HOME``.

    Nothing to do when ``PREFECT_API_URL`` names a server, the temporary server is turned off or this
    process started it already (the web application asks before each upload). The Prefect client
    starts the server (``get_client``); the flows of this process then use it, and Prefect stops it
    when the process ends. A server that does not start or answer raises :class:`TemporaryServerError`.
    """
    from prefect import get_client
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled or _started_here:
        return  # a named server, none wanted, or this process's own started already
    timeout = settings.server.ephemeral.startup_timeout_seconds
    lock = settings.home / LOCK_NAME
    try:
        with exclusive_lock(lock, LOCK_WAIT_SECONDS), get_client(sync_client=True) as client:
            problem = client.api_healthcheck()
            api_url = str(client.api_url)
    except (RuntimeError, TimeoutError, OSError) as error:
        raise _not_started(error, timeout) from error
    if problem is not None:
        raise _not_started(problem, timeout)
    _started_here.add(api_url)


def _not_started(error: BaseException, timeout: float) -> TemporaryServerError:
    """The message of a temporary server that did not start, with what to do about it."""
    return TemporaryServerError(
        f"The temporary Prefect server did not start ({error}). On a slow machine raise "
        f"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS (now {timeout:.0f}), or set PREFECT_API_URL "
        "to a running server (`sakip server start`)."
    )


def start_temporary_server_early() -> Callable[[], None]:
    """Begin :func:`start_temporary_server` in a thread; returns the function that waits for it.

    The server boots in its own process while this one imports the flow (Great Expectations alone
    takes seconds). The function returned must be called before the flow runs (and before the command
    ends); it raises what the start raised.
    """
    failures: list[BaseException] = []

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


def stop_temporary_server() -> None:
    """Stop the temporary Prefect server(s) this process had started (a server named by
    ``PREFECT_API_URL`` is left alone): the child processes listening on their ports are terminated,
    then killed after :data:`STOP_WAIT_SECONDS`."""
    import psutil
    from httpx import URL

    ports = {URL(url).port for url in _started_here}
    _started_here.clear()
    if not ports:
        return
    servers = []
    for child in psutil.Process().children(recursive=True):
        try:
            listening = {c.laddr.port for c in child.net_connections("tcp") if c.status == psutil.CONN_LISTEN}
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if listening & ports:
            servers.append(child)
    stop_processes(servers, STOP_WAIT_SECONDS)


def stop_processes(processes: list, wait: float) -> None:
    """Terminate ``processes`` (psutil ``Process`` objects), kill those still alive after ``wait`` seconds."""
    import psutil

    for process in processes:
        with suppress(psutil.NoSuchProcess):
            process.terminate()
    _gone, alive = psutil.wait_procs(processes, timeout=wait)
    for process in alive:
        with suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(alive, timeout=wait)
