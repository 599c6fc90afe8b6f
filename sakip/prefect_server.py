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
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Iterator, MutableMapping
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
