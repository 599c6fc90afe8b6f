"""The annual flow: compute the LKjIP tables of a year from the warehouse and write them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from sakip.settings import load_settings
from tasks.report_tables import build_tables, list_opds, report_scope
from tasks.reports import write_report
from warehouse.db import engine_for, open_warehouse


@task(name="list_opds", cache_policy=NO_CACHE)
def list_opds_task(url: str, year: int) -> list[str]:
    """Codes of the OPDs with data for the year."""
    return list_opds(engine_for(url), year)


@task(name="build_tables", cache_policy=NO_CACHE)
def build_tables_task(url: str, opd_code: str, year: int, workdir: str | None) -> dict[str, pd.DataFrame]:
    """Every LKjIP table of one OPD and year."""
    return build_tables(engine_for(url), opd_code, year, load_settings(workdir))


@task(name="write_report", cache_policy=NO_CACHE)
def write_report_task(
    url: str, tables: dict[str, pd.DataFrame], out_dir: Path, opd_code: str, year: int
) -> list[Path]:
    """The tables as CSV files and one formatted workbook."""
    scope = report_scope(engine_for(url), opd_code, year)
    return write_report(tables, out_dir, opd_name=scope.opd_name or opd_code, year=year)


@flow(name="sakip-annual", log_prints=True)
def annual_flow(
    year: int, opd: str | None = None, out_dir: str | None = None, workdir: str | None = None
) -> list[str]:
    """Write the year's LKjIP tables of one OPD, or of every OPD with data, under ``out_dir``."""
    settings = load_settings(workdir)
    open_warehouse(settings.url)
    base = Path(out_dir) if out_dir else settings.reports_dir
    opd_codes = [opd] if opd else list_opds_task(settings.url, year)
    written: list[str] = []
    for opd_code in opd_codes:
        tables = build_tables_task(settings.url, opd_code, year, workdir)
        paths = write_report_task(settings.url, tables, base / str(year) / opd_code, opd_code, year)
        written += [str(path) for path in paths]
    return written
