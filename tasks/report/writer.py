"""Writing one OPD-year's report: CSV tables, the formatted workbook, the Word document, the html page
and the charts (the renderers in :mod:`tasks.report.render`).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from tasks.core.calendar import format_moment, local_time
from tasks.core.outline import OfficeTexts
from tasks.core.scales import ReportScales
from tasks.report.extras import ReportExtras, murni_perubahan, report_extras
from tasks.report.render.csv import write_csv_tables
from tasks.report.render.printed import printed_tables
from tasks.report.render.xlsx import write_xlsx_report
from tasks.report.tables import table_id_of
from warehouse.queries import opd_headings, report_scope

_log = logging.getLogger(__name__)

#: Every output format of ``sakip report``, in the order they are written.
REPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "docx", "html", "pdf")
#: What "all" (and no choice) means: every format sakip writes by itself. The PDF, printed by
#: LibreOffice (:mod:`tasks.report.render.pdf`), is written only when named (``docx,pdf``, ``all,pdf``).
ALL_FORMATS: tuple[str, ...] = ("csv", "xlsx", "docx", "html")
#: What a caller that names no formats gets (the report's original contract: CSV and the workbook).
DEFAULT_WRITE_FORMATS: tuple[str, ...] = ("csv", "xlsx")
#: Held while a report's charts are drawn: a Dask worker runs tasks in threads of one process.
_DRAWING = threading.Lock()


def parse_formats(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """``"xlsx,docx"`` -> ("xlsx", "docx") in REPORT_FORMATS order; None or "all" -> ALL_FORMATS
    (``"all,pdf"``: those and the PDF)."""
    if text is None:
        return ALL_FORMATS
    parts = text.split(",") if isinstance(text, str) else list(text)
    chosen = {p.strip().lower() for p in parts if p.strip()}
    if not chosen:
        return ALL_FORMATS
    if "all" in chosen:
        chosen = (chosen - {"all"}) | set(ALL_FORMATS)
    unknown = sorted(chosen - set(REPORT_FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(unknown)} (choose from {', '.join(REPORT_FORMATS)})")
    return tuple(f for f in REPORT_FORMATS if f in chosen)


def as_of_folder(moment: datetime) -> str:
    """``as-of-2023-02-17`` for the end of a day (Jakarta), ``as-of-2023-02-17T0800`` for another time."""
    local = local_time(moment)
    if (local.hour, local.minute, local.second, local.microsecond) == (23, 59, 59, 999_999):
        return f"as-of-{local:%Y-%m-%d}"
    return f"as-of-{local:%Y-%m-%dT%H%M}" + (f"{local:%S}" if local.second else "")


def as_of_label(moment: datetime, lang: str = "id") -> str:
    """The line a report as of a moment carries under its title: ``Keadaan data per <moment>``."""
    return ("Data as of " if lang == "en" else "Keadaan data per ") + format_moment(moment)


def write_report(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    opd_name: str,
    year: int,
    lang: str = "id",
    formats: Iterable[str] = DEFAULT_WRITE_FORMATS,
    extras: ReportExtras | None = None,
    scales: ReportScales | None = None,
    note: str = "",
    government: str = "",
    template: Path | None = None,
) -> list[Path]:
    """Write the report in the chosen formats under ``out_dir``; returns the paths written (see
    :func:`stage_report`, then its PDF printed and the files moved in).

    ``out_dir/tabel_*.csv``, ``lkjip_<year>.xlsx``, ``lkjip_<year>.docx``, ``lkjip_<year>.html``,
    ``lkjip_<year>.pdf`` (the Word document printed by LibreOffice) and, with docx, html or pdf, the
    charts ``grafik_*.png``. ``template``: the office's Word template the document is written in.
    With ``extras``, the murni-perubahan table joins the tables (``tabel_murni_perubahan``) when
    original budgets are known. ``note`` (the moment of a report as of a date) is printed under the
    title of the workbook's sheets, the docx and the html.
    ``government`` (the government's line of the OPD's workbooks, ``PEMERINTAH KOTA SEMARANG``) names
    the OPD in the tables' titles (``... Kota Semarang Tahun 2022``); "" names the OPD alone.

    Every file is written in a temporary folder beside ``out_dir`` first and moved in only once all
    are written: a failure (a full disk) leaves the previous report as it was, never half a file.
    """
    staged = stage_report(
        tables,
        out_dir,
        opd_name=opd_name,
        year=year,
        lang=lang,
        formats=formats,
        extras=extras,
        scales=scales,
        note=note,
        government=government,
        template=template,
    )
    return commit_reports([staged])


@dataclass(frozen=True)
class StagedReport:
    """A report written in its staging folder beside ``out_dir``, not yet moved in: the files it
    moves (the PDFs among them still to print) and the Word documents to print them from."""

    staging: Path
    out_dir: Path
    written: tuple[Path, ...]
    #: (docx, pdf) pairs LibreOffice prints
    to_print: tuple[tuple[Path, Path], ...] = ()

    def commit(self) -> list[Path]:
        """Move every file in (renames within one file system: each file whole), the staging
        folder removed; the paths in ``out_dir``."""
        for path in self.written:
            os.replace(path, self.out_dir / path.name)
        self.discard()
        return [self.out_dir / path.name for path in self.written]

    def discard(self) -> None:
        """Remove the staging folder and what is left in it."""
        shutil.rmtree(self.staging, ignore_errors=True)


def stage_report(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    opd_name: str,
    year: int,
    lang: str = "id",
    formats: Iterable[str] = DEFAULT_WRITE_FORMATS,
    extras: ReportExtras | None = None,
    scales: ReportScales | None = None,
    note: str = "",
    government: str = "",
    template: Path | None = None,
) -> StagedReport:
    """:func:`write_report`'s files written in a temporary folder beside ``out_dir`` (its PDF not
    yet printed); nothing is moved in until :func:`commit_reports`, so that a failure (a full disk,
    LibreOffice) leaves the previous report as it was, never half a file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sakip-report-", dir=out_dir))
    to_print: list[tuple[Path, Path]] = []
    try:
        written = _write_report_files(
            tables,
            staging,
            opd_name=opd_name,
            year=year,
            lang=lang,
            formats=formats,
            extras=extras,
            scales=scales,
            note=note,
            government=government,
            template=template,
            to_print=to_print,
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedReport(staging, out_dir, tuple(written), tuple(to_print))


def commit_reports(staged: list[StagedReport], processes: int = 1) -> list[Path]:
    """Print the staged reports' PDFs (their documents shared among ``processes`` LibreOffice
    starts, each converting its share in one start) and move every report's files in; the paths, in
    the reports' order. Nothing is moved in unless every PDF printed."""
    try:
        pairs = [pair for report in staged for pair in report.to_print]
        if pairs:
            from tasks.report.render.pdf import convert_to_pdf

            shares = [pairs[i :: max(1, processes)] for i in range(min(max(1, processes), len(pairs)))]
            if len(shares) == 1:
                convert_to_pdf(shares[0])
            else:
                with ThreadPoolExecutor(max_workers=len(shares)) as pool:
                    list(pool.map(convert_to_pdf, shares))
        return [path for report in staged for path in report.commit()]
    finally:
        for report in staged:
            report.discard()


def _write_report_files(
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    opd_name: str,
    year: int,
    lang: str,
    formats: Iterable[str],
    extras: ReportExtras | None,
    scales: ReportScales | None,
    note: str,
    government: str = "",
    template: Path | None = None,
    to_print: list[tuple[Path, Path]] | None = None,
) -> list[Path]:
    """:func:`write_report` into ``out_dir`` directly; returns the paths written (a PDF's Word
    document, when docx is not asked for, is written in ``out_dir/.pdf`` and not returned). With
    ``to_print``, the PDF is not printed here: its (docx, pdf) pair is added there, its path
    returned as if written."""
    formats = parse_formats(list(formats))
    scales = scales or ReportScales()
    tables = dict(tables)
    if extras is not None and not extras.murni.empty:
        tables[table_id_of("budget_change")] = extras.murni
    paths: list[Path] = []
    if "csv" in formats:
        paths += write_csv_tables(tables, out_dir)
    if "xlsx" in formats:
        title = f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}"
        paths.append(
            write_xlsx_report(
                tables,
                out_dir / f"lkjip_{year}.xlsx",
                title=title,
                opd_name=opd_name,
                year=year,
                lang=lang,
                note=note,
                government=government,
            )
        )
    if {"docx", "html", "pdf"} & set(formats):
        from tasks.report.render.charts import write_charts
        from tasks.report.render.narrative import build_narrative

        monthly = extras.monthly if extras is not None else pd.DataFrame(columns=["level"])
        with _DRAWING:  # pyplot's figures and rc settings are global: one chart at a time per process
            charts = write_charts(tables, monthly, out_dir, scales, opd_name=opd_name, year=year)
        paths += list(charts.values())
        narrative = build_narrative(
            tables,
            scales,
            opd_name=opd_name,
            year=year,
            sumber_dana=extras.sumber_dana if extras else None,
            government=government,
        )
        printed = printed_tables(tables, opd_name=opd_name, year=year, lang=lang, government=government)
        texts = extras.texts if extras is not None else OfficeTexts()
        if "docx" in formats or "pdf" in formats:
            from tasks.report.render.docx import write_docx_report

            docx = out_dir / ("" if "docx" in formats else ".pdf") / f"lkjip_{year}.docx"
            write_docx_report(
                printed,
                narrative,
                charts,
                docx,
                opd_name=opd_name,
                year=year,
                note=note,
                source=scales.data_source,
                scales=scales,
                texts=texts,
                government=government,
                template=template,
            )
            if "docx" in formats:
                paths.append(docx)
        if "html" in formats:
            from tasks.report.render.html import write_html_report

            paths.append(
                write_html_report(
                    printed,
                    narrative,
                    charts,
                    out_dir / f"lkjip_{year}.html",
                    opd_name=opd_name,
                    year=year,
                    colors=scales.colors,
                    note=note,
                    source=scales.data_source,
                    scales=scales,
                    texts=texts,
                    government=government,
                )
            )
        if "pdf" in formats:
            pair = (docx, out_dir / f"lkjip_{year}.pdf")
            if to_print is not None:
                to_print.append(pair)
                paths.append(pair[1])
            else:
                from tasks.report.render.pdf import convert_to_pdf

                paths += convert_to_pdf([pair])
    return paths


def write_reports(
    engine: Engine,
    tables: dict[str, dict[str, pd.DataFrame]],
    base: Path,
    year: int,
    formats: Iterable[str],
    scales: ReportScales,
    as_of: datetime | None = None,
    *,
    workers: int = 1,
    template: Path | None = None,
) -> list[Path]:
    """Each OPD's report under ``base/<year>/<opd-code>/`` with its murni-perubahan table; the paths written.

    Charts, the docx and the html also need the monthly series and funding sources, read per OPD only
    when one of those formats is asked for. A report ``as_of`` a moment is written apart, in
    ``base/<year>/<opd-code>/as-of-<date>/``, from the files in force then, with the moment printed
    under its titles (not in the CSV tables, which stay plain data).

    With ``workers`` > 1 and more than one OPD, the OPDs are written in that many worker processes
    (at most one per core), each OPD whole by one process, each process reading the warehouse on its
    own connection; the files and the list returned are the same as one process writes.
    ``template``: the office's Word template of the docx and the PDF.
    """
    chosen = tuple(formats)
    headings = opd_headings(engine, list(tables))
    jobs = [(code, own, *_named(code, headings.get(code))) for code, own in tables.items()]
    processes = min(max(1, workers), os.cpu_count() or 1, len(jobs))
    if "pdf" in chosen:  # every OPD staged, their PDFs printed together, then all moved in
        staged = _stage_opd_reports(engine, jobs, processes, base, year, chosen, scales, as_of, template)
        return commit_reports(staged, max(1, min(workers, os.cpu_count() or 1)))
    if processes <= 1:
        return [
            path
            for code, own, name, government in jobs
            for path in write_opd_report(
                engine, code, own, name, base, year, chosen, scales, as_of, government, template
            )
        ]
    url = engine.url.render_as_string(hide_password=False)
    write = partial(
        _write_opd_report_at,
        url,
        base=base,
        year=year,
        formats=chosen,
        scales=scales,
        as_of=as_of,
        template=template,
    )
    context = _worker_context(chosen)
    # one OPD per call, the largest first: the processes finish together instead of one writing the
    # last large OPD while the others wait; the paths are returned in the OPDs' order
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i][1]))
    with ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_worker_started) as pool:
        written = dict(zip(order, pool.map(write, [jobs[i] for i in order]), strict=True))
    return [path for i in range(len(jobs)) for path in written[i]]


def _stage_opd_reports(
    engine: Engine,
    jobs: list[tuple[str, dict[str, pd.DataFrame], str, str]],
    processes: int,
    base: Path,
    year: int,
    formats: tuple[str, ...],
    scales: ReportScales,
    as_of: datetime | None,
    template: Path | None,
) -> list[StagedReport]:
    """Every OPD's report staged (:func:`stage_report`), in this process or ``processes`` worker
    processes as :func:`write_reports` writes them; a failure discards what was staged."""
    if processes <= 1:
        staged: list[StagedReport] = []
        try:
            for code, own, name, government in jobs:
                staged.append(
                    write_opd_report(
                        engine,
                        code,
                        own,
                        name,
                        base,
                        year,
                        formats,
                        scales,
                        as_of,
                        government,
                        template,
                        stage=True,
                    )
                )
        except BaseException:
            for report in staged:
                report.discard()
            raise
        return staged
    url = engine.url.render_as_string(hide_password=False)
    write = partial(
        _write_opd_report_at,
        url,
        base=base,
        year=year,
        formats=formats,
        scales=scales,
        as_of=as_of,
        template=template,
        stage=True,
    )
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i][1]))
    done: dict[int, StagedReport] = {}
    futures: dict = {}
    try:
        with ProcessPoolExecutor(
            max_workers=processes, mp_context=_worker_context(formats), initializer=_worker_started
        ) as pool:
            futures = {pool.submit(write, jobs[i]): i for i in order}
            for future, i in futures.items():
                done[i] = future.result()
    except BaseException:
        for future in futures:
            if future.done() and future.exception() is None:
                future.result().discard()
        raise
    return [done[i] for i in range(len(jobs))]


def _size(own: dict[str, pd.DataFrame]) -> int:
    """How much an OPD's report has to write: the rows of its tables."""
    return sum(len(frame) for frame in own.values())


def _named(code: str, heading: tuple[str, str] | None) -> tuple[str, str]:
    """An OPD's name (its code when it has none) and its government's line."""
    name, government = heading or ("", "")
    return name or code, government


#: What every worker process imports once, before the first OPD (the fork server preloads it, and
#: the worker processes are forked from it with all of it imported): the writers of the tables and,
#: when the report has charts, the document renderers and matplotlib (which the charts module
#: imports only when it draws: a third of a second).
_PRELOAD = ("tasks.report.writer",)
_PRELOAD_DOCUMENTS = (
    "tasks.report.render.charts",
    "tasks.report.render.docx",
    "tasks.report.render.html",
    "tasks.report.render.narrative",
    "matplotlib.pyplot",
    "PIL.Image",
    "PIL.PngImagePlugin",
)


def _worker_context(formats: Iterable[str]) -> multiprocessing.context.ForkServerContext:
    """The start method of the report's worker processes: forked from a server that has imported what
    writing ``formats`` needs (started by :func:`start_worker_server`, or with the first pool; a
    process has one fork server, the first start decides what it imports)."""
    documents = bool(set(formats) & {"docx", "html", "pdf"})
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*_PRELOAD, *(_PRELOAD_DOCUMENTS if documents else ())])
    return context


#: How many new objects a worker process makes between two collections of the young ones (Python's
#: default: 700). Drawing a chart makes and drops tens of thousands of small objects.
_WORKER_GC_THRESHOLD = 10_000


def _worker_started() -> None:
    """A worker process's garbage collector, set up before its first OPD: what the fork server
    imported (matplotlib, pandas, python-docx: a million objects) is frozen out of its reach, and
    young objects are collected in larger batches. The collector then walks what the OPDs' reports
    make, not the libraries, each time: without this it takes a tenth of a worker's time."""
    gc.freeze()
    gc.set_threshold(_WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def start_worker_server(formats: Iterable[str]) -> None:
    """Start the server the report's worker processes are forked from, now, without waiting for it.

    It imports what writing ``formats`` needs (for documents, the renderers and matplotlib: a second
    of one core) in a process of its own: started before the run, as ``sakip report`` does while its
    temporary Prefect server boots, that second overlaps the wait instead of delaying the first OPD.
    Started once per process; a run that uses no worker processes leaves it idle (it ends with the
    process).
    """
    import multiprocessing.forkserver

    _worker_context(formats)
    try:
        multiprocessing.forkserver.ensure_running()
    except OSError as error:  # the pool tries again when it starts, and says what fails then
        _log.debug("the report workers' fork server did not start early: %s", error)


def _write_opd_report_at(
    url: str,
    job: tuple[str, dict[str, pd.DataFrame], str, str],
    *,
    base: Path,
    year: int,
    formats: tuple[str, ...],
    scales: ReportScales,
    as_of: datetime | None,
    template: Path | None = None,
    stage: bool = False,
) -> list[Path] | StagedReport:
    """:func:`write_opd_report` in a worker process, on that process's engine for ``url``."""
    from warehouse.db import engine_for

    code, own, name, government = job
    return write_opd_report(
        engine_for(url),
        code,
        own,
        name,
        base,
        year,
        formats,
        scales,
        as_of,
        government,
        template,
        stage=stage,
    )


def write_opd_report(
    engine: Engine,
    opd_code: str,
    own: dict[str, pd.DataFrame],
    opd_name: str,
    base: Path,
    year: int,
    formats: tuple[str, ...],
    scales: ReportScales,
    as_of: datetime | None = None,
    government: str = "",
    template: Path | None = None,
    *,
    stage: bool = False,
) -> list[Path] | StagedReport:
    """One OPD's report (see :func:`write_reports`), with what it reads from the warehouse: the
    paths written, or with ``stage`` the :class:`StagedReport` not yet moved in."""
    extras = None
    if set(formats) - {"csv", "xlsx"}:
        month = report_scope(engine, opd_code, year, as_of).month
        extras = report_extras(engine, opd_code, year, month, as_of)
        murni = extras.murni
    else:
        murni = murni_perubahan(engine, opd_code, year, as_of)
    with_murni = {**own, table_id_of("budget_change"): murni} if not murni.empty else own
    folder = base / str(year) / opd_code
    return (stage_report if stage else write_report)(
        with_murni,
        folder / as_of_folder(as_of) if as_of is not None else folder,
        opd_name=opd_name,
        year=year,
        formats=formats,
        extras=extras,
        scales=scales.for_opd(opd_code),
        note=as_of_label(as_of) if as_of is not None else "",
        government=government,
        template=template,
    )
