"""The ``sakip`` command line: sample, ingest, report and demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sakip.settings import load_settings

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog="sakip", description="Budget realization and LKjIP performance tables."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="write the sample input workbooks of a year")
    sample.add_argument("--year", type=int, default=2022)
    sample.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/sample/<year>)")
    _add_workdir(sample)

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

    monthly = commands.add_parser("monthly", help="monthly monitoring: deviasi against RAK, early warning")
    monthly.add_argument("--year", type=int, required=True)
    monthly.add_argument("--month", type=int, required=True, choices=range(1, 13), metavar="MONTH")
    monthly.add_argument("--opd", default=None, help="OPD code (default: every OPD with data)")
    monthly.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/reports)")
    _add_workdir(monthly)

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

    validations = commands.add_parser("validations", help="list the validation runs of the warehouse")
    validations.add_argument("--failed", action="store_true", help="only files that failed a suite")
    validations.add_argument("--year", type=int, default=None)
    validations.add_argument("--month", type=int, default=None)
    _add_workdir(validations)

    inbox = commands.add_parser("inbox", help="run the scheduled monthly job now (default: last month)")
    inbox.add_argument("--inbox", type=Path, default=None, help="inbox folder (default <workdir>/inbox)")
    inbox.add_argument("--year", type=int, default=None)
    inbox.add_argument("--month", type=int, default=None)
    _add_workdir(inbox)

    consolidate = commands.add_parser("consolidate", help="absorption of every OPD for one month")
    consolidate.add_argument("--year", type=int, required=True)
    consolidate.add_argument("--month", type=int, required=True)
    consolidate.add_argument(
        "--out", type=Path, default=None, help="folder (default <workdir>/reports/<year>)"
    )
    _add_workdir(consolidate)

    revisions = commands.add_parser(
        "revisions", help="corrections: which file replaced which, who, what changed"
    )
    revisions.add_argument("--opd", default=None)
    revisions.add_argument("--year", type=int, default=None)
    revisions.add_argument("--month", type=int, default=None)
    revisions.add_argument("--detail", action="store_true", help="every changed amount")
    _add_workdir(revisions)

    demo = commands.add_parser("demo", help="sample + ingest + report for 2022")
    demo.add_argument("--lang", choices=("id", "en"), default=None)
    _add_workdir(demo)
    return parser


def cmd_sample(year: int, out: Path | None, workdir: str | None) -> int:
    """Write the sample workbooks and list them."""
    from sakip.sample import write_sample

    settings = load_settings(workdir)
    folder = out or settings.workdir / "sample" / str(year)
    files = write_sample(folder, year)
    for path in [*files.realization, files.indicators]:
        print(path)
    return EXIT_OK


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
    """Run the monthly flow on the paths and report every file's outcome."""
    from flows.monthly import monthly_flow

    settings = load_settings(workdir)
    language = lang or settings.lang
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(
            ("Tidak ditemukan: " if language == "id" else "Not found: ") + ", ".join(missing), file=sys.stderr
        )
        return EXIT_USAGE
    outcomes = monthly_flow(
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
        print(f"{outcome.path}: {words[outcome.status]}" + (f" ({outcome.rows})" if outcome.rows else ""))
        stream = sys.stderr if outcome.status == "rejected" else sys.stdout
        for issue in outcome.issues:
            print(f"  - {issue.describe(language)}", file=stream)
        if outcome.quarantined is not None:
            where = "dikarantina di" if language == "id" else "quarantined in"
            print(f"  {where} {outcome.quarantined.parent}", file=stream)
            if outcome.annotated is not None:
                label = "salinan beranotasi" if language == "id" else "annotated copy"
                print(f"  {label}: {outcome.annotated}", file=stream)
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
        return EXIT_REJECTED
    return EXIT_OK


def cmd_report(
    year: int,
    opd: str | None,
    out: Path | None,
    workdir: str | None,
    formats: str = "all",
    as_of: str | None = None,
) -> int:
    """Run the annual flow and print where the report landed."""
    from flows.annual import annual_flow
    from tasks.report_tables import parse_as_of
    from tasks.reports import parse_formats

    settings = load_settings(workdir)
    try:
        chosen = ",".join(parse_formats(formats))
        if as_of:
            parse_as_of(as_of)
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return EXIT_USAGE
    written = annual_flow(
        year=year,
        opd=opd,
        out_dir=str(out) if out else None,
        workdir=str(settings.workdir),
        formats=chosen,
        as_of=as_of,
    )
    if not written:
        print(f"No data for {year} in the warehouse.", file=sys.stderr)
        return EXIT_REJECTED
    for path in written:
        print(path)
    return EXIT_OK


def cmd_validations(failed: bool, year: int | None, month: int | None, workdir: str | None) -> int:
    """Print the stored validation runs as a table."""
    from tasks.ingest import list_validation_runs
    from warehouse.db import open_warehouse

    engine = open_warehouse(load_settings(workdir).url)
    runs = list_validation_runs(engine, failed_only=failed, year=year, month=month)
    if runs.empty:
        print("Tidak ada berkas yang gagal validasi." if failed else "Belum ada hasil validasi.")
        return EXIT_OK
    periods = [
        f"{int(m):02d}/{int(y)}" if pd.notna(m) else ("" if pd.isna(y) else str(int(y)))
        for y, m in zip(runs["year"], runs["month"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "waktu": runs["validated_at"].astype(str).str[:19],
            "berkas": runs["file_name"],
            "periode": periods,
            "suite": runs["suite"] + " " + runs["suite_version"],
            "lulus": runs["success"].map({True: "ya", False: "tidak"}),
            "gagal": runs["failed"].astype(str) + "/" + runs["evaluated"].astype(str),
            "galat": runs["errors"],
            "peringatan": runs["warnings"],
            "data_docs": runs["data_docs_url"],
        }
    )
    print(table.to_string(index=False))
    return EXIT_OK


def cmd_inbox(inbox: Path | None, year: int | None, month: int | None, workdir: str | None) -> int:
    """Run the scheduled monthly flow once, now."""
    from flows.inbox import inbox_flow

    settings = load_settings(workdir)
    counts = inbox_flow(
        inbox=str(inbox) if inbox else None, year=year, month=month, workdir=str(settings.workdir)
    )
    print(", ".join(f"{status}: {count}" for status, count in counts.items()))
    return EXIT_REJECTED if counts.get("rejected") else EXIT_OK


def cmd_consolidate(year: int, month: int, out: Path | None, workdir: str | None) -> int:
    """Write and print the city-level absorption of one month."""
    from tasks.consolidation import write_consolidated
    from tasks.report_tables import consolidated_absorption
    from warehouse.db import open_warehouse

    settings = load_settings(workdir)
    table = consolidated_absorption(open_warehouse(settings.url), year, month)
    if table.empty:
        print(f"Belum ada data realisasi {month:02d}/{year}.", file=sys.stderr)
        return EXIT_REJECTED
    for path in write_consolidated(table, out or settings.reports_dir / str(year), year, month):
        print(path)
    shown = table[["kode_opd", "nama_opd", "serapan", "deviasi_poin"]].round(2)
    print(shown.to_string(index=False))
    return EXIT_OK


def cmd_revisions(
    opd: str | None, year: int | None, month: int | None, detail: bool, workdir: str | None
) -> int:
    """Print the revision history (corrections) of the warehouse."""
    from tasks.load import list_revisions
    from warehouse.db import open_warehouse

    table = list_revisions(
        open_warehouse(load_settings(workdir).url), opd_code=opd, year=year, month=month, detail=detail
    )
    print("Belum ada koreksi." if table.empty else table.to_string(index=False))
    return EXIT_OK


def _opds_for(engine, year: int, opd: str | None) -> list[str]:
    """The OPD asked for, or every OPD with data for the year."""
    from tasks.report_tables import list_opds

    return [opd] if opd else list_opds(engine, year)


def cmd_monthly(year: int, month: int, opd: str | None, out: Path | None, workdir: str | None) -> int:
    """Write the monthly monitoring report (xlsx + html) of each OPD and print the lagging programs."""
    from sakip.report_config import report_config
    from tasks.monitoring import monitoring_summary, monitoring_table, write_monitoring_report
    from tasks.report_tables import report_scope
    from warehouse.db import open_warehouse

    settings = load_settings(workdir)
    engine = open_warehouse(settings.url)
    config = report_config(settings)
    written = 0
    for code in _opds_for(engine, year, opd):
        name = report_scope(engine, code, year).opd_name or code
        folder = (out or settings.reports_dir) / str(year) / code
        paths = write_monitoring_report(engine, code, name, year, month, folder, config)
        written += len(paths)
        for path in paths:
            print(path)
        if paths:
            print(
                "\n".join(
                    monitoring_summary(monitoring_table(engine, code, year, month, config), year, month)
                )
            )
    if not written:
        print(f"Belum ada data realisasi {month:02d}/{year}.", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def cmd_reconcile(year: int, published: Path, opd: str | None, out: Path | None, workdir: str | None) -> int:
    """List every printed cell of a published report that differs from the data; write them as CSV."""
    from sakip.report_config import configured_settings
    from tasks.export import csv_safe
    from tasks.reconcile import findings_text, reconcile_warehouse
    from warehouse.db import open_warehouse

    settings = configured_settings(load_settings(workdir))
    engine = open_warehouse(settings.url)
    codes = _opds_for(engine, year, opd)
    if len(codes) != 1:
        print(
            f"Pilih satu OPD dengan --opd (data {year}: {', '.join(codes) or 'tidak ada'}).", file=sys.stderr
        )
        return EXIT_USAGE
    if not published.is_dir():
        print(f"Tidak ditemukan: {published}", file=sys.stderr)
        return EXIT_USAGE
    findings = reconcile_warehouse(engine, codes[0], year, settings, published)
    target = out or settings.reports_dir / str(year) / codes[0] / f"rekonsiliasi_{year}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    csv_safe(findings).to_csv(target, index=False, encoding="utf-8", lineterminator="\n")
    print(findings_text(findings))
    print(target)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sakip`` command."""
    args = build_parser().parse_args(argv)
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
    if args.command == "monthly":
        return cmd_monthly(args.year, args.month, args.opd, args.out, args.workdir)
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
        settings = load_settings(args.workdir)
        workdir = str(settings.workdir)
        sample_dir = settings.workdir / "sample" / "2022"
        status = cmd_sample(2022, sample_dir, workdir)
        status = status or cmd_ingest(
            [sample_dir], year=2022, month=None, opd=None, workdir=workdir, lang=args.lang
        )
        status = status or cmd_report(2022, None, None, workdir)
        if status == EXIT_OK:
            report = settings.reports_dir.resolve() / "2022"
            print(f"\nLKjIP 2022 report: {report}")
            print(
                f"Data Docs (validation results): {(settings.workdir / 'data-docs' / 'index.html').resolve()}"
            )
        return status
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
