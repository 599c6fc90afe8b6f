"""The annual flow: compute the LKjIP tables of a year from the warehouse and write the report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.entry import run_settings
from tasks.core.calendar import parse_moment
from tasks.core.scales import ReportScales
from tasks.report.build import build_all_tables, build_tables
from tasks.report.inputs import report_opds
from tasks.report.writer import parse_formats, write_reports
from tasks.settings import Settings
from warehouse.db import engine_for, open_warehouse


@task(name="list_opds", cache_policy=NO_CACHE)
def list_opds_task(url: str, year: int, opd: str | None = None, as_of: datetime | None = None) -> list[str]:
    """Codes of the OPDs the report covers, each with data (at ``as_of``); an error naming what is missing."""
    return report_opds(engine_for(url), year, opd, as_of)


@task(name="build_tables", cache_policy=NO_CACHE)
def build_tables_task(
    url: str,
    opd_codes: list[str],
    year: int,
    capaian_scale: tuple[tuple[float, str], ...],
    efficiency_threshold_pct: float,
    as_of: datetime | None = None,
) -> dict[str, dict[str, pd.DataFrame]]:
    """The LKjIP tables of the given OPDs, as of a moment."""
    engine = engine_for(url)
    return {
        code: build_tables(engine, code, year, capaian_scale, efficiency_threshold_pct, as_of)
        for code in opd_codes
    }


@task(name="build_all_tables", cache_policy=NO_CACHE)
def build_all_tables_task(
    url: str, year: int, capaian_scale: tuple[tuple[float, str], ...], efficiency_threshold_pct: float
) -> dict[str, dict[str, pd.DataFrame]]:
    """The LKjIP tables of every OPD with data for the year, computed together."""
    return build_all_tables(engine_for(url), year, capaian_scale, efficiency_threshold_pct)


@task(name="write_reports", cache_policy=NO_CACHE)
def write_reports_task(
    url: str,
    tables: dict[str, dict[str, pd.DataFrame]],
    base: Path,
    year: int,
    formats: tuple[str, ...],
    scales: ReportScales,
    as_of: datetime | None = None,
    workers: int = 1,
    template: Path | None = None,
) -> list[Path]:
    """Every OPD's report files in the chosen formats, under ``base/<year>/<opd-code>/[as-of-<date>/]``,
    written in ``workers`` processes (the docx and the PDF in the office's ``template``, if any).
    """
    return write_reports(
        engine_for(url), tables, base, year, formats, scales, as_of, workers=workers, template=template
    )


@flow(name="sakip-annual", log_prints=True)
def annual_flow(
    year: int,
    opd: str | None = None,
    out_dir: str | None = None,
    workdir: str | None = None,
    formats: str = "all",
    as_of: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Write the year's LKjIP report of one OPD, or of every OPD with data, under ``out_dir``.

    ``formats`` is a comma list of csv, xlsx, docx, html, pdf ("all": every one but the PDF, with the
    murni-perubahan table and the charts; the PDF, printed by LibreOffice, only when named). The
    docx and the PDF are written in the office's template when ``SAKIP_REPORT_TEMPLATE`` names one.
    ``as_of`` (``YYYY-MM-DD`` or an ISO date-time) reports the data as it stood then: corrected months
    as they were before the correction, written apart in ``<opd-code>/as-of-<date>/``. With no data
    for the year, the OPD or the moment, the run fails with a message saying which.

    The OPDs' reports are written in ``SAKIP_WORKERS`` processes; with ``SAKIP_DASK_ADDRESS`` the
    tasks run on that Dask cluster instead (:func:`annual_dask_flow`), with the same files as a result.
    ``settings``: the caller's, else loaded here once.
    """
    settings = run_settings(settings, workdir)
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner

        on_cluster = annual_dask_flow.with_options(task_runner=DaskTaskRunner(address=settings.dask_address))
        return on_cluster(year, opd, out_dir, None, formats, as_of, settings)
    return _annual(settings, year, opd, out_dir, formats, as_of, on_cluster=False)


@flow(name="sakip-annual-dask", log_prints=True)
def annual_dask_flow(
    year: int,
    opd: str | None = None,
    out_dir: str | None = None,
    workdir: str | None = None,
    formats: str = "all",
    as_of: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """The annual flow's tasks on the Dask cluster of ``SAKIP_DASK_ADDRESS`` (the task runner the
    annual flow gives it): the OPDs' reports written in shares, one task per share, on the workers.
    """
    return _annual(run_settings(settings, workdir), year, opd, out_dir, formats, as_of, on_cluster=True)


#: Tasks a Dask run splits the OPDs' reports into (at most): enough to keep many workers busy and
#: even out large and small OPDs, few enough that each task writes several OPDs of a province.
DASK_SHARES = 64


def _annual(
    settings: Settings,
    year: int,
    opd: str | None,
    out_dir: str | None,
    formats: str,
    as_of: str | None,
    *,
    on_cluster: bool,
) -> list[str]:
    """The steps of the annual flow; ``on_cluster``: each task submitted to the flow's task runner."""
    open_warehouse(settings.url)
    chosen = parse_formats(formats)
    moment = parse_moment(as_of) if as_of else None
    base = Path(out_dir) if out_dir else settings.reports_dir
    scale, threshold = settings.capaian_scale, settings.efficiency_threshold_pct
    url = settings.url

    def run(step, *args):  # on the cluster: submitted to the task runner; here: in this process
        return step.submit(*args).result() if on_cluster else step(*args)

    opd_codes = run(list_opds_task, url, year, opd, moment)
    if opd is None and moment is None:
        tables = run(build_all_tables_task, url, year, scale, threshold)
    else:
        tables = run(build_tables_task, url, opd_codes, year, scale, threshold, moment)
    if not on_cluster:
        written = write_reports_task(
            url,
            tables,
            base,
            year,
            chosen,
            settings.scales,
            moment,
            settings.workers,
            settings.report_template,
        )
        return [str(path) for path in written]
    codes = list(tables)
    size = max(1, -(-len(codes) // DASK_SHARES))
    shares = [codes[i : i + size] for i in range(0, len(codes), size)]
    futures = [
        write_reports_task.submit(
            url,
            {code: tables[code] for code in share},
            base,
            year,
            chosen,
            settings.scales,
            moment,
            1,
            settings.report_template,
        )
        for share in shares
    ]
    return [str(path) for future in futures for path in future.result()]
