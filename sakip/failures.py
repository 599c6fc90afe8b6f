"""Problems that stop a command, told to the person in words, with an exit status a script can act on.

Each problem has a stable ``rule`` and a message in Bahasa Indonesia (English with ``lang="en"``).
The steps raise them by kind (:mod:`tasks.core.problems`); the exit statuses live here, and
:func:`exit_status` maps each kind to its status. :func:`explain` turns what the machine refused
(a full disk, a read-only folder, a damaged or unreachable warehouse, an unusable setting) into a
:class:`CommandError`; anything it cannot explain is written to a log file and told in one line that
says where that file is.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import tempfile
import threading
import traceback
from pathlib import Path

from tasks.core.calendar import format_moment, now_utc
from tasks.core.problems import (
    MONTH_RANGE,
    YEAR_RANGE,
    EnvironmentProblem,
    NoDataProblem,
    Problem,
    UsageProblem,
    error_chain,
    explain_cause,
    explain_connection,
    os_reason,
)
from tasks.settings import ConfigError

#: Exit statuses of the ``sakip`` command.
EXIT_OK = 0
EXIT_REJECTED = 1  # a file was rejected, or there is no data for what was asked
EXIT_USAGE = 2  # an option or path the command cannot use
EXIT_ENVIRONMENT = 3  # the machine refused: disk full, folder read-only, warehouse damaged or unreachable
EXIT_INTERNAL = 4  # an unexpected error; details in the log file

#: The exit status of each kind of problem a step raises.
EXIT_STATUSES: dict[type[Problem], int] = {
    NoDataProblem: EXIT_REJECTED,
    UsageProblem: EXIT_USAGE,
    EnvironmentProblem: EXIT_ENVIRONMENT,
}


class CommandError(Problem):
    """A problem that stops a command, with the exit status the command ends with."""

    def __init__(self, rule: str, status: int, **params: object):
        self.status = status
        super().__init__(rule, **params)

    def __reduce__(self):
        """Pickle by rule, status and parameters."""
        return (_rebuild_command_error, (self.rule, self.status, self.params))


def _rebuild_command_error(rule: str, status: int, params: dict[str, object]) -> CommandError:
    """A :class:`CommandError` back from its pickled parts."""
    return CommandError(rule, status, **params)


def exit_status(problem: Problem) -> int:
    """The exit status of a problem: its own for a :class:`CommandError`, else its kind's."""
    if isinstance(problem, CommandError):
        return problem.status
    return next(
        (status for kind, status in EXIT_STATUSES.items() if isinstance(problem, kind)), EXIT_INTERNAL
    )


def as_command_error(problem: Problem) -> CommandError:
    """The problem as the command tells it: the same rule and words, with its exit status."""
    if isinstance(problem, CommandError):
        return problem
    return CommandError(problem.rule, exit_status(problem), **problem.params)


def check_year(value: int | None, option: str = "--year") -> None:
    """Refuse a year outside :data:`YEAR_RANGE` (None passes)."""
    low, high = YEAR_RANGE
    if value is not None and not low <= value <= high:
        raise CommandError("option.year", EXIT_USAGE, option=option, value=value, low=low, high=high)


def check_month(value: int | None, option: str = "--month") -> None:
    """Refuse a month outside 1–12 (None passes)."""
    if value is not None and not MONTH_RANGE[0] <= value <= MONTH_RANGE[1]:
        raise CommandError("option.month", EXIT_USAGE, option=option, value=value)


def ensure_writable(folder: Path, rule: str = "folder.read_only") -> Path:
    """Create ``folder`` if needed and prove a file can be written in it; else ``rule`` (read-only)."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".sakip-write-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except (FileExistsError, NotADirectoryError) as error:
        raise CommandError("input.not_folder", EXIT_USAGE, path=str(folder)) from error
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CommandError("disk.full", EXIT_ENVIRONMENT, path=str(folder)) from error
        raise CommandError(rule, EXIT_ENVIRONMENT, path=str(folder), detail=os_reason(error)) from error
    return folder


def explain(error: BaseException, *, database: str = "") -> CommandError | None:
    """The problem a person can act on behind ``error`` (disk, folder, warehouse, setting), or None."""
    from sakip.prefect_server import TemporaryServerError

    for cause in error_chain(error):
        if isinstance(cause, TemporaryServerError):
            detail = str(cause.__cause__ or cause).strip().splitlines()
            return CommandError("prefect.server_start", EXIT_ENVIRONMENT, detail=detail[0] if detail else "")
        if isinstance(cause, ConfigError):
            return CommandError("settings.config", EXIT_USAGE, detail=str(cause))
        problem = explain_cause(cause, database)
        if problem is not None:
            return as_command_error(problem)
    problem = explain_connection(error)
    return None if problem is None else as_command_error(problem)


#: The error log's size before it is rotated, and how many rotated files are kept beside it
ERROR_LOG_BYTES = 1024 * 1024
ERROR_LOG_BACKUPS = 5
_error_logs: dict[Path, logging.Handler] = {}
_error_logs_lock = threading.Lock()


class _ErrorLog(logging.handlers.RotatingFileHandler):
    """A rotating log file whose write errors reach the caller (who then tries another folder)."""

    def handleError(self, record: logging.LogRecord) -> None:
        """Re-raise the error being handled instead of printing it."""
        raise


def _error_log(path: Path) -> logging.Handler:
    """The one rotating handler of ``path`` in this process (opened on first use, and again when the
    file was removed meanwhile)."""
    with _error_logs_lock:
        handler = _error_logs.get(path)
        if handler is not None and not path.exists():
            handler.close()
            handler = None
        if handler is None:
            handler = _ErrorLog(
                path, maxBytes=ERROR_LOG_BYTES, backupCount=ERROR_LOG_BACKUPS, encoding="utf-8"
            )
            handler.setFormatter(logging.Formatter("%(message)s"))
            _error_logs[path] = handler
        return handler


def log_unexpected(error: BaseException, folder: Path | None) -> Path:
    """Append the error's traceback to ``<folder>/logs/sakip-errors.log`` (or the temp folder); its path.

    The file is rotated at :data:`ERROR_LOG_BYTES`, keeping :data:`ERROR_LOG_BACKUPS` older files
    (``sakip-errors.log.1`` …), so repeated errors cannot fill the disk.
    """
    text = "".join(traceback.format_exception(error))
    stamp = format_moment(now_utc())
    record = logging.makeLogRecord({"msg": f"--- {stamp}\n{text}", "levelno": logging.ERROR})
    candidates = [Path(folder) / "logs"] if folder is not None else []
    candidates.append(Path(tempfile.gettempdir()))
    for where in candidates:
        path = (where / "sakip-errors.log").absolute()
        try:
            where.mkdir(parents=True, exist_ok=True)
            _error_log(path).handle(record)
        except OSError:
            continue
        return path
    return Path(os.devnull)
