"""The annual flow: compute the LKjIP tables of a year from the warehouse and write the report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sakip.report_config import configured_settings, report_config
from sakip.settings import load_settings
from tasks.report_tables import build_tables, list_opds, parse_as_of, report_scope
from tasks.reports import ReportExtras, parse_formats, report_extras, write_report
from warehouse.db import engine_for, open_warehouse


@task(name="list_opds", cache_policy=NO_CACHE)
def list_opds_task(url: str, year: int) -> list[str]:
    """Codes of the OPDs with data for the year."""
    return list_opds(engine_for(url), year)


@task(name="build_tables", cache_policy=NO_CACHE)
def build_tables_task(
    url: str, opd_code: str, year: int, workdir: str | None, as_of: datetime | None = None
) -> dict[str, pd.DataFrame]:
    """Every LKjIP table of one OPD and year (capaian scale from the configuration file), as of a moment."""
    return build_tables(engine_for(url), opd_code, year, configured_settings(load_settings(workdir)), as_of)


@task(name="gather_report_extras", cache_policy=NO_CACHE)
def gather_report_extras_task(url: str, opd_code: str, year: int) -> ReportExtras:
    """Monthly series, funding sources and murni budgets for the charts, narrative and murni table."""
    engine = engine_for(url)
    return report_extras(engine, opd_code, year, report_scope(engine, opd_code, year).month)


@task(name="write_report", cache_policy=NO_CACHE)
def write_report_task(
    url: str,
    tables: dict[str, pd.DataFrame],
    out_dir: Path,
    opd_code: str,
    year: int,
    formats: tuple[str, ...] = ("csv", "xlsx"),
    extras: ReportExtras | None = None,
    workdir: str | None = None,
) -> list[Path]:
    """The report files of one OPD in the chosen formats."""
    scope = report_scope(engine_for(url), opd_code, year)
    return write_report(
        tables,
        out_dir,
        opd_name=scope.opd_name or opd_code,
        year=year,
        formats=formats,
        extras=extras,
        config=report_config(load_settings(workdir)),
    )


@flow(name="sakip-annual", log_prints=True)
def annual_flow(
    year: int,
    opd: str | None = None,
    out_dir: str | None = None,
    workdir: str | None = None,
    formats: str = "all",
    as_of: str | None = None,
) -> list[str]:
    """Write the year's LKjIP report of one OPD, or of every OPD with data, under ``out_dir``.

    ``formats`` is a comma list of csv, xlsx, docx, html ("all": every one, with the murni-perubahan
    table and the charts). ``as_of`` (``YYYY-MM-DD`` or an ISO date-time) reports the data as it stood
    then: corrected months as they were before the correction.
    """
    settings = load_settings(workdir)
    open_warehouse(settings.url)
    chosen = parse_formats(formats)
    moment = parse_as_of(as_of) if as_of else None
    base = Path(out_dir) if out_dir else settings.reports_dir
    opd_codes = [opd] if opd else list_opds_task(settings.url, year)
    written: list[str] = []
    for opd_code in opd_codes:
        tables = build_tables_task(settings.url, opd_code, year, workdir, moment)
        extras = (
            gather_report_extras_task(settings.url, opd_code, year) if set(chosen) - {"csv", "xlsx"} else None
        )
        paths = write_report_task(
            settings.url, tables, base / str(year) / opd_code, opd_code, year, chosen, extras, workdir
        )
        written += [str(path) for path in paths]
    return written
