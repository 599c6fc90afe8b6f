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
    _add_workdir(report)

    validations = commands.add_parser("validations", help="list the validation runs of the warehouse")
    validations.add_argument("--failed", action="store_true", help="only files that failed a suite")
    validations.add_argument("--year", type=int, default=None)
    validations.add_argument("--month", type=int, default=None)
    _add_workdir(validations)

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


def cmd_report(year: int, opd: str | None, out: Path | None, workdir: str | None) -> int:
    """Run the annual flow and print where the report landed."""
    from flows.annual import annual_flow

    settings = load_settings(workdir)
    written = annual_flow(
        year=year, opd=opd, out_dir=str(out) if out else None, workdir=str(settings.workdir)
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
        return cmd_report(args.year, args.opd, args.out, args.workdir)
    if args.command == "validations":
        return cmd_validations(args.failed, args.year, args.month, args.workdir)
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
