"""The ``sakip`` command line: sample, ingest, report, monitoring, reconcile and the listings.

Every problem that stops a command is told in one message (Bahasa Indonesia, English with ``--lang en``
or ``SAKIP_LANG=en``) with an exit status: 0 done, 1 a file rejected or no data for what was asked,
2 an option or path the command cannot use, 3 the machine refused (disk full, folder read-only,
warehouse damaged or unreachable), 4 an unexpected error (its traceback in the log file named).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from sakip.commands import (
    cmd_consolidate,
    cmd_demo,
    cmd_inbox,
    cmd_ingest,
    cmd_monitoring,
    cmd_reconcile,
    cmd_report,
    cmd_revisions,
    cmd_sample,
    cmd_server,
    cmd_validations,
)
from sakip.failures import (
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    exit_status,
    explain,
    log_unexpected,
)
from sakip.local_server import use_running_server
from sakip.prefect_server import apply_prefect_defaults
from sakip.web import commands as web_commands
from tasks.core.problems import Problem
from tasks.settings import Settings, load_settings

__all__ = ["EXIT_ENVIRONMENT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "main"]


def _add_workdir(parser: argparse.ArgumentParser) -> None:
    """The option every command takes."""
    parser.add_argument(
        "--workdir",
        default=None,
        help="work folder holding the warehouse and outputs (default ./sakip-data or SAKIP_WORKDIR)",
    )


def _add_sample(commands) -> None:
    """``sakip sample``."""
    sample = commands.add_parser("sample", help="write the sample input workbooks of a year")
    sample.add_argument("--year", type=int, default=2022)
    sample.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/sample/<year>)")
    sample.add_argument(
        "--layouts",
        action="store_true",
        help="also write a small example of each workbook layout accepted (in <out>/layouts)",
    )
    _add_workdir(sample)


def _add_ingest(commands) -> None:
    """``sakip ingest``."""
    ingest = commands.add_parser("ingest", help="validate and load workbooks or folders of them")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--year", type=int, default=None, help="expected year (checked against the file)")
    ingest.add_argument(
        "--month", type=int, default=None, help="expected month 1-12 (checked against the file)"
    )
    ingest.add_argument("--opd", default=None, help="expected OPD code (checked against the file)")
    ingest.add_argument(
        "--lang", choices=("id", "en"), default=None, help="language of messages (default id)"
    )
    ingest.add_argument(
        "--correction",
        action="store_true",
        help="the files correct months already loaded (realization to date may go down)",
    )
    _add_workdir(ingest)


def _add_report(commands) -> None:
    """``sakip report``."""
    report = commands.add_parser("report", help="write the LKjIP tables of a year")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--opd", default=None, help="OPD code (default: every OPD with data)")
    report.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/reports)")
    report.add_argument(
        "--format",
        dest="formats",
        default="xlsx,docx,html,csv",
        help="comma list of xlsx, docx, html, csv, pdf (default all: every one but pdf; pdf needs "
        "LibreOffice Writer and python3-uno)",
    )
    report.add_argument(
        "--template",
        type=Path,
        default=None,
        help="the office's Word template (.docx): its styles, headers, footers and pages kept, the report "
        "where a paragraph reads {{ LKJIP }} (default SAKIP_REPORT_TEMPLATE, else the built-in one)",
    )
    report.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="report the data as it stood at YYYY-MM-DD (end of day, Jakarta) or an ISO date-time",
    )
    _add_workdir(report)


def _add_monitoring(commands) -> None:
    """``sakip monitoring`` (``sakip monthly`` is the same command, kept for scripts)."""
    monitoring = commands.add_parser(
        "monitoring", aliases=["monthly"], help="monthly monitoring: deviasi against RAK, early warning"
    )
    monitoring.add_argument("--year", type=int, required=True)
    monitoring.add_argument("--month", type=int, required=True, metavar="MONTH", help="month 1-12")
    monitoring.add_argument("--opd", default=None, help="OPD code (default: every OPD with data)")
    monitoring.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/reports)")
    _add_workdir(monitoring)


def _add_reconcile(commands) -> None:
    """``sakip reconcile``."""
    reconcile = commands.add_parser("reconcile", help="list where a published LKjIP differs from the data")
    reconcile.add_argument("--year", type=int, required=True)
    reconcile.add_argument("--published", type=Path, required=True, help="folder of the printed tables (CSV)")
    reconcile.add_argument("--opd", default=None, help="OPD code (default: the only OPD with data)")
    reconcile.add_argument(
        "--out",
        type=Path,
        default=None,
        help="CSV (default <workdir>/reports/<year>/<opd>/rekonsiliasi_<year>.csv)",
    )
    _add_workdir(reconcile)


def _add_validations(commands) -> None:
    """``sakip validations``."""
    validations = commands.add_parser("validations", help="list the validation runs of the warehouse")
    validations.add_argument("--failed", action="store_true", help="only files that failed a suite")
    validations.add_argument("--year", type=int, default=None)
    validations.add_argument("--month", type=int, default=None)
    _add_workdir(validations)


def _add_inbox(commands) -> None:
    """``sakip inbox``."""
    inbox = commands.add_parser("inbox", help="run the scheduled monthly job now (default: last month)")
    inbox.add_argument("--inbox", type=Path, default=None, help="inbox folder (default <workdir>/inbox)")
    inbox.add_argument("--year", type=int, default=None)
    inbox.add_argument("--month", type=int, default=None)
    _add_workdir(inbox)


def _add_consolidate(commands) -> None:
    """``sakip consolidate``."""
    consolidate = commands.add_parser("consolidate", help="absorption of every OPD for one month")
    consolidate.add_argument("--year", type=int, required=True)
    consolidate.add_argument("--month", type=int, required=True)
    consolidate.add_argument(
        "--out", type=Path, default=None, help="folder (default <workdir>/reports/<year>)"
    )
    _add_workdir(consolidate)


def _add_revisions(commands) -> None:
    """``sakip revisions``."""
    revisions = commands.add_parser(
        "revisions", help="corrections: which file replaced which, who, what changed"
    )
    revisions.add_argument("--opd", default=None)
    revisions.add_argument("--year", type=int, default=None)
    revisions.add_argument("--month", type=int, default=None)
    revisions.add_argument("--detail", action="store_true", help="every changed amount")
    _add_workdir(revisions)


def _add_demo(commands) -> None:
    """``sakip demo``."""
    demo = commands.add_parser("demo", help="sample + ingest + report for 2022")
    demo.add_argument("--lang", choices=("id", "en"), default=None)
    _add_workdir(demo)


def _add_server(commands) -> None:
    """``sakip server start|stop|status``."""
    server = commands.add_parser(
        "server", help="the work folder's Prefect server (UI and API) in the background"
    )
    actions = server.add_subparsers(dest="server_command", required=True)
    start = actions.add_parser("start", help="start it; returns once its API answers")
    start.add_argument(
        "--worker",
        action="store_true",
        help="also deploy deployments/prefect.yaml and run a process worker (the monthly schedule)",
    )
    _add_workdir(start)
    _add_workdir(actions.add_parser("stop", help="stop what start started"))
    _add_workdir(actions.add_parser("status", help="the UI address and whether it is up"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="sakip", description="Budget realization and LKjIP performance tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for add in (
        _add_sample,
        _add_ingest,
        _add_report,
        _add_monitoring,
        _add_reconcile,
        _add_validations,
        _add_inbox,
        _add_consolidate,
        _add_revisions,
        _add_demo,
        _add_server,
    ):
        add(commands)
    web_commands.add_commands(commands, _add_workdir)
    return parser


def _language(argv: Sequence[str]) -> str:
    """The language of messages: ``--lang`` when given, else ``SAKIP_LANG`` (Bahasa Indonesia by default)."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "en" if argv[index + 1] == "en" else "id"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "id"
    return "en" if os.environ.get("SAKIP_LANG", "id") == "en" else "id"


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run the parsed command with the settings built for it; its exit status."""
    if args.command == "sample":
        return cmd_sample(args.year, args.out, settings, layouts=args.layouts)
    if args.command == "ingest":
        return cmd_ingest(
            args.paths,
            year=args.year,
            month=args.month,
            opd=args.opd,
            settings=settings,
            lang=args.lang,
            correction=args.correction,
        )
    if args.command == "report":
        return cmd_report(args.year, args.opd, args.out, settings, args.formats, args.as_of, args.template)
    if args.command in ("monitoring", "monthly"):
        return cmd_monitoring(args.year, args.month, args.opd, args.out, settings)
    if args.command == "reconcile":
        return cmd_reconcile(args.year, args.published, args.opd, args.out, settings)
    if args.command == "validations":
        return cmd_validations(args.failed, args.year, args.month, settings)
    if args.command == "inbox":
        return cmd_inbox(args.inbox, args.year, args.month, settings)
    if args.command == "consolidate":
        return cmd_consolidate(args.year, args.month, args.out, settings)
    if args.command == "revisions":
        return cmd_revisions(args.opd, args.year, args.month, args.detail, settings)
    if args.command == "demo":
        return cmd_demo(settings, args.lang)
    if args.command == "server":
        return cmd_server(args.server_command, settings, worker=getattr(args, "worker", False))
    if args.command in web_commands.COMMANDS:
        return web_commands.run_command(args, settings)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sakip``: a problem is one message and an exit status, never a traceback."""
    apply_prefect_defaults()  # before prefect is imported (the flows import it when a command needs them)
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _language(argv)
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings(args.workdir)  # once: every step of the command gets these
        if args.command != "server":  # flows run on the work folder's server when it runs
            use_running_server(settings.workdir)
        return run_command(args, settings)
    except Problem as problem:
        print(problem.message(language), file=sys.stderr)
        return exit_status(problem)
    except Exception as error:
        problem = explain(error)
        if problem is None:
            log = log_unexpected(error, settings.workdir if settings is not None else None)
            detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            problem = CommandError("internal", EXIT_INTERNAL, detail=detail.rstrip(": "), log=str(log))
        print(problem.message(language), file=sys.stderr)
        return exit_status(problem)


def run() -> NoReturn:
    """The ``sakip`` program: :func:`main`, then the exit, without the garbage collector's last walk.

    When the interpreter ends it collects every object still alive: once Great Expectations and Prefect
    are imported that is millions of them and about a second (as long as a listing takes). The command
    is done by then, so they are frozen out of the collector's reach first; the exit handlers still
    run (Prefect sends its last logs and events, the temporary server stops) and the operating system
    takes the memory back. Only the program does this: :func:`main` called in a process that goes on
    (the tests) leaves the collector as it is.
    """
    status = main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    run()
