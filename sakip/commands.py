"""The commands of ``sakip``: each takes the settings the command line built once, checks its options,
runs its flow or step (handing the settings down) and prints what a person needs; a problem is raised
as a :class:`~sakip.failures.CommandError`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sakip.failures import (
    EXIT_ENVIRONMENT,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    CommandError,
    check_month,
    check_year,
    ensure_writable,
    explain,
)
from sakip.local_server import (
    WORK_POOL,
    LocalServerError,
    running_server,
    server_port,
    start_local_server,
    stop_local_server,
)
from sakip.prefect_server import api_answers, start_temporary_server_early
from tasks.core.calendar import format_moments
from tasks.core.staging import part_name
from tasks.core.text import printable
from tasks.settings import Settings

STATUS_WORDS = {
    "id": {"loaded": "dimuat", "unchanged": "tidak berubah (sudah dimuat)", "rejected": "DITOLAK"},
    "en": {"loaded": "loaded", "unchanged": "unchanged (already loaded)", "rejected": "REJECTED"},
}


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


def cmd_sample(year: int, out: Path | None, settings: Settings, *, layouts: bool = False) -> int:
    """Write the sample workbooks (and, with ``layouts``, an example of each layout) and list them."""
    from sakip.sample import write_sample

    check_year(year)
    if out is None:
        _usable_workdir(settings)
    folder = ensure_writable(out or settings.workdir / "sample" / str(year))
    files = write_sample(folder, year)
    written = [*files.realization, files.indicators]
    if layouts:
        from sakip.layouts.examples import write_layout_examples

        written += write_layout_examples(files.realization, folder / "layouts")
    for path in written:
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
    settings: Settings,
    lang: str | None,
    correction: bool = False,
) -> int:
    """Run the ingest flow on the paths and report every file's outcome.

    The files stay where they are: a rejected one is copied to quarantine, never moved.
    """
    check_year(year)
    check_month(month)
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
    server_ready = start_temporary_server_early()  # boots while the flow and GX are imported
    try:
        import expectations.custom  # noqa: F401 (Great Expectations: imported by the run anyway)
        from flows.ingest import ingest_flow
    finally:
        server_ready()
    outcomes = ingest_flow(
        [str(p) for p in paths],
        year=year,
        month=month,
        opd=opd,
        corrections=correction,
        lang=language,
        settings=settings,
    )
    words = STATUS_WORDS[language]
    for outcome in outcomes:
        print(
            f"{printable(part_name(str(outcome.path), outcome.part))}: {words[outcome.status]}"
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
    settings: Settings,
    formats: str = "all",
    as_of: str | None = None,
    template: Path | None = None,
) -> int:
    """Run the annual flow and print where the report landed.

    ``template`` (else ``SAKIP_REPORT_TEMPLATE``): the office's Word template, refused before any
    flow runs when it is not a readable .docx; a PDF asked for without LibreOffice is refused then too.
    """
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
    settings = _report_document_ready(settings, template, parse_formats(chosen))
    _usable_workdir(settings)
    opds = report_opds(_open_warehouse(settings), year, opd, moment)  # no data: say so before any flow runs
    if out is not None:
        ensure_writable(out)
    server_ready = start_temporary_server_early()  # boots while the flow is imported
    try:
        from flows.annual import annual_flow

        if len(opds) > 1 and settings.workers > 1 and not settings.dask_address:
            from tasks.report.writer import start_worker_server

            # the worker processes' imports, while this process waits for the server's boot
            start_worker_server(parse_formats(chosen))
    finally:
        server_ready()
    written = annual_flow(
        year=year,
        opd=opd,
        out_dir=str(out) if out else None,
        formats=chosen,
        as_of=as_of,
        settings=settings,
    )
    for path in written:
        print(printable(path))
    return EXIT_OK


def _report_document_ready(settings: Settings, template: Path | None, formats: tuple[str, ...]) -> Settings:
    """The settings with the template the report uses (``--template`` wins over the setting), once it
    and LibreOffice (for a PDF) are known to be usable; else the problem, exit 2."""
    if template is not None:
        settings = settings.model_copy(update={"report_template": Path(template).resolve()})
    if settings.report_template is not None and {"docx", "pdf"} & set(formats):
        from tasks.report.render.template import TemplateError, check_template

        try:
            check_template(settings.report_template)
        except TemplateError as error:
            raise CommandError(
                "report.template", EXIT_USAGE, path=printable(error.path), reason=error.reason
            ) from error
    if "pdf" in formats:
        from tasks.report.render.pdf import PdfUnavailable, find_converter

        try:
            find_converter()
        except PdfUnavailable as error:
            raise CommandError("report.pdf_unavailable", EXIT_USAGE, detail=str(error)) from error
    return settings


def cmd_validations(failed: bool, year: int | None, month: int | None, settings: Settings) -> int:
    """Print the stored validation runs as a table (times in Jakarta, with the offset)."""
    from warehouse.queries import list_validation_runs

    check_year(year)
    check_month(month)
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


def cmd_inbox(inbox: Path | None, year: int | None, month: int | None, settings: Settings) -> int:
    """Run the scheduled monthly flow once, now."""
    check_year(year)
    check_month(month)
    if (year is None) != (month is None):
        raise CommandError("option.period_pair", EXIT_USAGE)
    _usable_workdir(settings)
    _open_warehouse(settings)
    server_ready = start_temporary_server_early()  # boots while the flow is imported
    try:
        from flows.inbox import inbox_flow
    finally:
        server_ready()
    counts = inbox_flow(inbox=str(inbox) if inbox else None, year=year, month=month, settings=settings)
    print(", ".join(f"{status}: {count}" for status, count in counts.items()))
    return EXIT_REJECTED if counts.get("rejected") else EXIT_OK


def cmd_consolidate(year: int, month: int, out: Path | None, settings: Settings) -> int:
    """Write and print the city-level absorption of one month."""
    from tasks.operations.consolidation import consolidated_absorption, write_consolidated

    check_year(year)
    check_month(month)
    _usable_workdir(settings)
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
    opd: str | None, year: int | None, month: int | None, detail: bool, settings: Settings
) -> int:
    """Print the revision history (corrections) of the warehouse, times in Jakarta with the offset."""
    from warehouse.queries import list_revisions

    check_year(year)
    check_month(month)
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


def cmd_monitoring(year: int, month: int, opd: str | None, out: Path | None, settings: Settings) -> int:
    """Write the monthly monitoring report (xlsx + html) of each OPD and print the lagging programs."""
    from tasks.operations.monitoring import monitoring_summary, monitoring_table, write_monitoring_report
    from warehouse.queries import report_scope

    check_year(year)
    check_month(month)
    engine = _open_warehouse(_usable_workdir(settings))
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


def cmd_reconcile(year: int, published: Path, opd: str | None, out: Path | None, settings: Settings) -> int:
    """List every printed cell of a published report that differs from the data; write them as CSV."""
    from tasks.report.reconcile import findings_text, reconcile_warehouse
    from tasks.report.render.csv import csv_safe

    check_year(year)
    if not published.exists():
        raise CommandError("input.not_found", EXIT_USAGE, paths=str(published))
    if not published.is_dir():
        raise CommandError("input.not_folder", EXIT_USAGE, path=str(published))
    engine = _open_warehouse(_usable_workdir(settings))
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


def cmd_demo(settings: Settings, lang: str | None) -> int:
    """``sample`` + ``ingest`` + ``report`` for 2022, then where the report and Data Docs are."""
    sample_dir = settings.workdir / "sample" / "2022"
    status = cmd_sample(2022, sample_dir, settings)
    status = status or cmd_ingest([sample_dir], year=2022, month=None, opd=None, settings=settings, lang=lang)
    status = status or cmd_report(2022, None, None, settings)
    if status == EXIT_OK:
        report = settings.reports_dir.resolve() / "2022"
        print(f"\nLKjIP 2022 report: {printable(report)}")
        docs = (settings.workdir / "data-docs" / "index.html").resolve()
        print(f"Data Docs (validation results): {printable(docs)}")
    return status


def cmd_server(action: str, settings: Settings, *, worker: bool = False) -> int:
    """``sakip server start|stop|status``: the work folder's Prefect server in the background.

    ``status`` exits 0 when the server answers, 1 when it does not run.
    """
    if action == "status":
        server = running_server(settings.workdir)
        if server is None:
            print(
                f"Server Prefect folder kerja ini tidak berjalan (mulai: sakip server start --workdir "
                f"{printable(settings.workdir)})."
            )
            return EXIT_REJECTED
        up = api_answers(server.port)
        state = "berjalan" if up else "tidak menjawab"
        print(f"Server Prefect {state}: {server.ui_url} (pid {server.pid}, data di {printable(server.home)})")
        if server.worker_pid is not None:
            print(f"Worker kolam '{WORK_POOL}': pid {server.worker_pid}")
        return EXIT_OK if up else EXIT_REJECTED
    if action == "stop":
        stopped = stop_local_server(settings.workdir)
        print(f"Server Prefect {stopped.ui_url} dihentikan." if stopped else "Server Prefect tidak berjalan.")
        return EXIT_OK
    _usable_workdir(settings)
    try:
        port = server_port()
    except ValueError as error:
        raise CommandError("server.port_invalid", EXIT_USAGE, value=str(error)) from error
    try:
        server, started = start_local_server(settings.workdir, port, worker=worker)
    except LocalServerError as problem:
        raise CommandError(problem.rule, EXIT_ENVIRONMENT, **problem.fields) from problem
    print(f"Server Prefect {'berjalan' if started else 'sudah berjalan'}: {server.ui_url}")
    if server.worker_pid is not None:
        print(
            f"Worker kolam '{WORK_POOL}' berjalan (pid {server.worker_pid}): "
            "jadwal deployments/prefect.yaml aktif."
        )
    print(
        f"Perintah sakip dengan --workdir {printable(settings.workdir)} memakai server ini; "
        "hentikan dengan: sakip server stop"
    )
    return EXIT_OK
