"""The ``sakip`` command line: sample, ingest, report and demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
    _add_workdir(ingest)

    report = commands.add_parser("report", help="write the LKjIP tables of a year")
    report.add_argument("--year", type=int, required=True)
    report.add_argument("--opd", default=None, help="OPD code (default: every OPD with data)")
    report.add_argument("--out", type=Path, default=None, help="folder (default <workdir>/reports)")
    _add_workdir(report)

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
        [str(p) for p in paths], workdir=str(settings.workdir), year=year, month=month, opd=opd
    )
    words = STATUS_WORDS[language]
    for outcome in outcomes:
        print(f"{outcome.path}: {words[outcome.status]}" + (f" ({outcome.rows})" if outcome.rows else ""))
        for issue in outcome.issues:
            print(
                f"  - {issue.describe(language)}",
                file=sys.stderr if outcome.status == "rejected" else sys.stdout,
            )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sakip`` command."""
    args = build_parser().parse_args(argv)
    if args.command == "sample":
        return cmd_sample(args.year, args.out, args.workdir)
    if args.command == "ingest":
        return cmd_ingest(
            args.paths, year=args.year, month=args.month, opd=args.opd, workdir=args.workdir, lang=args.lang
        )
    if args.command == "report":
        return cmd_report(args.year, args.opd, args.out, args.workdir)
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
        return status
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
