"""The ``sakip`` command line: sample, ingest, report, monitoring, reconcile and the listings.

Every problem that stops a command is told in one message (Bahasa Indonesia, English with ``--lang en``
or ``SAKIP_LANG=en``) with an exit status: 0 done, 1 a file rejected or no data for what was asked,
2 an option or path the command cannot use, 3 the machine refused (disk full, folder read-only,
warehouse damaged or unreachable), 4 an unexpected error (its traceback in the log file named).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sakip.config import Settings, load_settings
from sakip.failures import check_month, check_year, ensure_writable, explain, log_unexpected
from sakip.prefect_server import apply_prefect_defaults, start_temporary_server
from tasks.core.calendar import format_moments
from tasks.core.problems import (
    EXIT_ENVIRONMENT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
)
from tasks.core.text import printable

__all__ = ["EXIT_ENVIRONMENT", "EXIT_INTERNAL", "EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "main"]

STATUS_WORDS = {
    "id": {"loaded": "dimuat", "unchanged": "tidak berubah (sudah dimuat)", "rejected": "DITOLAK"},
    "en": {"loaded": "loaded", "unchanged": "unchanged (already loaded)", "rejected": "REJECTED"},
}


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
        help="comma list of xlsx, docx, html, csv (default all)",
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
    ):
        add(commands)
    return parser


def _usable_workdir(settings: Settings) -> Settings:
    """The settings, once their work folder is known to be writable (the warehouse and outputs live there)."""
    ensure_writable(settings.workdir, "workdir.read_only")
    return settings


def _database_label(settings: Settings) -> str:
    """The SQLite file of the warehouse, or "" for a server database (for messages)."""
    url = settings.url
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""


def _open_warehouse(settings: Settings):
    """The migrated warehouse engine; a damaged or unreachable one becomes a message, not a traceback."""
    from warehouse.db import open_warehouse

    database = _database_label(settings)
    try:
        return open_warehouse(settings.url)
    except Exception as error:
        problem = explain(error, database=database)
        if problem is None:
            raise
        if problem.rule == "warehouse.unreachable" and database:  # SQLite: most often a read-only folder
            ensure_writable(Path(database).parent, "workdir.read_only")
        raise problem from error


def cmd_sample(year: int, out: Path | None, workdir: str | None) -> int:
    """Write the sample workbooks and list them."""
    from sakip.sample import write_sample

    check_year(year)
    settings = load_settings(workdir)
    if out is None:
        _usable_workdir(settings)
    folder = ensure_writable(out or settings.workdir / "sample" / str(year))
    files = write_sample(folder, year)
    for path in [*files.realization, files.indicators]:
        print(printable(path))
    return EXIT_OK


def _print_skipped(skipped: dict[Path, tuple[str, int]], language: str) -> None:
    """One line per folder sakip writes that a folder given holds: passed over, and why."""
    from tasks.operations.intake import OUTPUT_FOLDERS

    for folder, (what, count) in skipped.items():
        words = OUTPUT_FOLDERS.get(what, (what, what))
        note = CommandError(
            "input.skipped", EXIT_OK, folder=str(folder), count=count, what=words[0], what_en=words[1]
        )
        print(note.message(language))


def cmd_ingest(
    paths: Sequence[Path],
    *,
    year: int | None,
    month: int | None,
    opd: str | None,
    workdir: str | None,
    lang: str | None,
    correction: bool = False,
) -> int:
    """Run the ingest flow on the paths and report every file's outcome.

    The files stay where they are: a rejected one is copied to quarantine, never moved.
    """
    check_year(year)
    check_month(month)
    settings = load_settings(workdir)
    language = lang or settings.lang
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CommandError("input.not_found", EXIT_USAGE, paths=", ".join(missing))
    from tasks.operations.intake import find_workbooks, output_folders

    folders = output_folders(
        settings.workdir, settings.reports_dir, settings.quarantine_dir, settings.archive_dir
    )
    search = find_workbooks(list(paths), folders)
    _print_skipped(search.skipped, language)
    if not search.files:
        raise CommandError("input.none_found", EXIT_USAGE, paths=", ".join(str(p) for p in paths))
    settings.known_opds()  # an unreadable OPD register: said now, not half-way through the run
    _usable_workdir(settings)
    _open_warehouse(settings)
    from flows.ingest import ingest_flow

    start_temporary_server()
    outcomes = ingest_flow(
        [str(p) for p in paths],
        workdir=str(settings.workdir),
        year=year,
        month=month,
        opd=opd,
        corrections=correction,
        lang=language,
    )
    words = STATUS_WORDS[language]
    for outcome in outcomes:
        print(
            f"{printable(outcome.path)}: {words[outcome.status]}"
            + (f" ({outcome.rows})" if outcome.rows else "")
        )
        stream = sys.stderr if outcome.status == "rejected" else sys.stdout
        for issue in outcome.issues:
            print(f"  - {issue.describe(language)}", file=stream)
        if outcome.quarantined is not None:
            where = "salinan dikarantina di" if language == "id" else "copy quarantined in"
            print(f"  {where} {printable(outcome.quarantined.parent)}", file=stream)
            if outcome.annotated is not None:
                label = "salinan beranotasi" if language == "id" else "annotated copy"
                print(f"  {label}: {printable(outcome.annotated)}", file=stream)
        if outcome.quarantine_failure:
            label = "karantina gagal" if language == "id" else "quarantine failed"
            print(f"  {label}: {outcome.quarantine_failure}", file=stream)
    rejected = sum(o.status == "rejected" for o in outcomes)
    if rejected:
        print(
            (
                f"{rejected} berkas ditolak; tidak ada data dari berkas itu yang dimuat."
                if language == "id"
                else f"{rejected} file(s) rejected; nothing from them was loaded."
            ),
            file=sys.stderr,
        )
    if any(o.quarantine_failure for o in outcomes):
        return EXIT_ENVIRONMENT
    return EXIT_REJECTED if rejected else EXIT_OK


def cmd_report(
    year: int,
    opd: str | None,
    out: Path | None,
    workdir: str | None,
    formats: str = "all",
    as_of: str | None = None,
) -> int:
    """Run the annual flow and print where the report landed."""
    from tasks.core.calendar import parse_moment
    from tasks.report.inputs import report_opds
    from tasks.report.writer import REPORT_FORMATS, parse_formats

    check_year(year)
    try:
        chosen = ",".join(parse_formats(formats))
    except ValueError as error:
        unknown = sorted({f.strip().lower() for f in formats.split(",")} - {*REPORT_FORMATS, "all", ""})
        raise CommandError(
            "option.formats", EXIT_USAGE, unknown=", ".join(unknown), choices=", ".join(REPORT_FORMATS)
        ) from error
    try:
        moment = parse_moment(as_of) if as_of else None
    except ValueError as error:
        raise CommandError("option.as_of", EXIT_USAGE, value=as_of) from error
    settings = _usable_workdir(load_settings(workdir))  # a malformed SAKIP_CONFIG is said here
    report_opds(_open_warehouse(settings), year, opd, moment)  # no data: say so before any flow runs
    if out is not None:
        ensure_writable(out)
    from flows.annual import annual_flow

    start_temporary_server()
    written = annual_flow(
        year=year,
        opd=opd,
        out_dir=str(out) if out else None,
        workdir=str(settings.workdir),
        formats=chosen,
        as_of=as_of,
    )
    for path in written:
        print(printable(path))
    return EXIT_OK


def cmd_validations(failed: bool, year: int | None, month: int | None, workdir: str | None) -> int:
    """Print the stored validation runs as a table (times in Jakarta, with the offset)."""
    from warehouse.queries import list_validation_runs

    check_year(year)
    check_month(month)
    settings = load_settings(workdir)
    runs = list_validation_runs(_open_warehouse(settings), failed_only=failed, year=year, month=month)
    if runs.empty:
        print("Tidak ada berkas yang gagal validasi." if failed else "Belum ada hasil validasi.")
        return EXIT_OK
    periods = [
        f"{int(m):02d}/{int(y)}" if pd.notna(m) else ("" if pd.isna(y) else str(int(y)))
        for y, m in zip(runs["year"], runs["month"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "waktu": format_moments(runs["validated_at"]),
            "berkas": runs["file_name"].map(printable),
            "periode": periods,
            "suite": runs["suite"] + " " + runs["suite_version"],
            "lulus": runs["success"].map({True: "ya", False: "tidak"}),
            "gagal": runs["failed"].astype(str) + "/" + runs["evaluated"].astype(str),
            "galat": runs["errors"],
            "peringatan": runs["warnings"],
            "data_docs": runs["data_docs_url"].map(printable),
        }
    )
    print(table.to_string(index=False))
    return EXIT_OK


def cmd_inbox(inbox: Path | None, year: int | None, month: int | None, workdir: str | None) -> int:
    """Run the scheduled monthly flow once, now."""
    check_year(year)
    check_month(month)
    if (year is None) != (month is None):
        raise CommandError("option.period_pair", EXIT_USAGE)
    settings = _usable_workdir(load_settings(workdir))
    _open_warehouse(settings)
    from flows.inbox import inbox_flow

    start_temporary_server()
    counts = inbox_flow(
        inbox=str(inbox) if inbox else None, year=year, month=month, workdir=str(settings.workdir)
    )
    print(", ".join(f"{status}: {count}" for status, count in counts.items()))
    return EXIT_REJECTED if counts.get("rejected") else EXIT_OK


def cmd_consolidate(year: int, month: int, out: Path | None, workdir: str | None) -> int:
    """Write and print the city-level absorption of one month."""
    from tasks.operations.consolidation import consolidated_absorption, write_consolidated

    check_year(year)
    check_month(month)
    settings = _usable_workdir(load_settings(workdir))
    table = consolidated_absorption(_open_warehouse(settings), year, month)
    if table.empty:
        raise CommandError("monthly.no_data", EXIT_REJECTED, period=f"{month:02d}/{year}")
    if out is not None:
        ensure_writable(out)
    for path in write_consolidated(table, out or settings.reports_dir / str(year), year, month):
        print(printable(path))
    shown = table[["kode_opd", "nama_opd", "serapan", "deviasi_poin"]].round(2)
    shown["nama_opd"] = shown["nama_opd"].map(printable)
    print(shown.to_string(index=False))
    return EXIT_OK


def cmd_revisions(
    opd: str | None, year: int | None, month: int | None, detail: bool, workdir: str | None
) -> int:
    """Print the revision history (corrections) of the warehouse, times in Jakarta with the offset."""
    from warehouse.queries import list_revisions

    check_year(year)
    check_month(month)
    settings = load_settings(workdir)
    table = list_revisions(_open_warehouse(settings), opd_code=opd, year=year, month=month, detail=detail)
    if table.empty:
        print("Belum ada koreksi.")
        return EXIT_OK
    table["changed_at"] = format_moments(table["changed_at"])
    for column in ("old_file", "new_file", "changed_by"):
        table[column] = table[column].map(printable)
    print(table.to_string(index=False))
    return EXIT_OK


def _opds_for(engine, year: int, opd: str | None) -> list[str]:
    """The OPD asked for (it must have data for the year), or every OPD with data for the year."""
    from warehouse.queries import list_opds

    known = list_opds(engine, year)
    if opd is not None and opd not in known:
        raise CommandError(
            "report.opd_no_data", EXIT_REJECTED, opd=opd, year=year, known=", ".join(known) or "-"
        )
    return [opd] if opd else known


def cmd_monitoring(year: int, month: int, opd: str | None, out: Path | None, workdir: str | None) -> int:
    """Write the monthly monitoring report (xlsx + html) of each OPD and print the lagging programs."""
    from tasks.operations.monitoring import monitoring_summary, monitoring_table, write_monitoring_report
    from warehouse.queries import report_scope

    check_year(year)
    check_month(month)
    settings = _usable_workdir(load_settings(workdir))
    engine = _open_warehouse(settings)
    config = settings.scales
    if out is not None:
        ensure_writable(out)
    written = 0
    for code in _opds_for(engine, year, opd):
        name = report_scope(engine, code, year).opd_name or code
        folder = (out or settings.reports_dir) / str(year) / code
        paths = write_monitoring_report(engine, code, name, year, month, folder, config)
        written += len(paths)
        for path in paths:
            print(printable(path))
        if paths:
            print(
                "\n".join(
                    monitoring_summary(monitoring_table(engine, code, year, month, config), year, month)
                )
            )
    if not written:
        raise CommandError("monthly.no_data", EXIT_REJECTED, period=f"{month:02d}/{year}")
    return EXIT_OK


def cmd_reconcile(year: int, published: Path, opd: str | None, out: Path | None, workdir: str | None) -> int:
    """List every printed cell of a published report that differs from the data; write them as CSV."""
    from tasks.report.reconcile import findings_text, reconcile_warehouse
    from tasks.report.render.csv import csv_safe

    check_year(year)
    if not published.exists():
        raise CommandError("input.not_found", EXIT_USAGE, paths=str(published))
    if not published.is_dir():
        raise CommandError("input.not_folder", EXIT_USAGE, path=str(published))
    settings = _usable_workdir(load_settings(workdir))
    engine = _open_warehouse(settings)
    codes = _opds_for(engine, year, opd)
    if not codes:
        raise CommandError("report.no_data", EXIT_REJECTED, year=year)
    if len(codes) != 1:
        raise CommandError("reconcile.choose_opd", EXIT_USAGE, year=year, known=", ".join(codes))
    findings = reconcile_warehouse(
        engine, codes[0], year, published, settings.capaian_scale, settings.efficiency_threshold_pct
    )
    target = out or settings.reports_dir / str(year) / codes[0] / f"rekonsiliasi_{year}.csv"
    ensure_writable(target.parent)
    csv_safe(findings).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
    print(findings_text(findings))
    print(printable(target))
    return EXIT_OK


def cmd_demo(workdir: str | None, lang: str | None) -> int:
    """``sample`` + ``ingest`` + ``report`` for 2022, then where the report and Data Docs are."""
    settings = load_settings(workdir)
    workdir = str(settings.workdir)
    sample_dir = settings.workdir / "sample" / "2022"
    status = cmd_sample(2022, sample_dir, workdir)
    status = status or cmd_ingest([sample_dir], year=2022, month=None, opd=None, workdir=workdir, lang=lang)
    status = status or cmd_report(2022, None, None, workdir)
    if status == EXIT_OK:
        report = settings.reports_dir.resolve() / "2022"
        print(f"\nLKjIP 2022 report: {printable(report)}")
        docs = (settings.workdir / "data-docs" / "index.html").resolve()
        print(f"Data Docs (validation results): {printable(docs)}")
    return status


def _language(argv: Sequence[str]) -> str:
    """The language of messages: ``--lang`` when given, else ``SAKIP_LANG`` (Bahasa Indonesia by default)."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "en" if argv[index + 1] == "en" else "id"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "id"
    return "en" if os.environ.get("SAKIP_LANG", "id") == "en" else "id"


def _workdir_of(args: argparse.Namespace) -> Path | None:
    """The work folder a command runs in, for the error log (None when it cannot be told)."""
    try:
        return load_settings(args.workdir).workdir
    except Exception:
        return None


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command; its exit status."""
    if args.command == "sample":
        return cmd_sample(args.year, args.out, args.workdir)
    if args.command == "ingest":
        return cmd_ingest(
            args.paths,
            year=args.year,
            month=args.month,
            opd=args.opd,
            workdir=args.workdir,
            lang=args.lang,
            correction=args.correction,
        )
    if args.command == "report":
        return cmd_report(args.year, args.opd, args.out, args.workdir, args.formats, args.as_of)
    if args.command in ("monitoring", "monthly"):
        return cmd_monitoring(args.year, args.month, args.opd, args.out, args.workdir)
    if args.command == "reconcile":
        return cmd_reconcile(args.year, args.published, args.opd, args.out, args.workdir)
    if args.command == "validations":
        return cmd_validations(args.failed, args.year, args.month, args.workdir)
    if args.command == "inbox":
        return cmd_inbox(args.inbox, args.year, args.month, args.workdir)
    if args.command == "consolidate":
        return cmd_consolidate(args.year, args.month, args.out, args.workdir)
    if args.command == "revisions":
        return cmd_revisions(args.opd, args.year, args.month, args.detail, args.workdir)
    if args.command == "demo":
        return cmd_demo(args.workdir, args.lang)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sakip``: a problem is one message and an exit status, never a traceback."""
    apply_prefect_defaults()  # before prefect is imported (the flows import it when a command needs them)
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _language(argv)
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except CommandError as problem:
        print(problem.message(language), file=sys.stderr)
        return problem.status
    except Exception as error:
        problem = explain(error)
        if problem is None:
            log = log_unexpected(error, _workdir_of(args))
            detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            problem = CommandError("internal", EXIT_INTERNAL, detail=detail.rstrip(": "), log=str(log))
        print(problem.message(language), file=sys.stderr)
        return problem.status


if __name__ == "__main__":
    sys.exit(main())
