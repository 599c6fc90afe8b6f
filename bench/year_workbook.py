"""Year-workbook benchmark: a large agency's year in one workbook against its twelve monthly files.

``make bench-year`` (``python -m bench.year_workbook --help``) writes, for one agency of about 600 table
rows, its twelve monthly workbooks (``bench/generate.py``) and the same twelve months as a year
workbook in each layout of INPUTS.md §1b (a sheet per month; the months side by side on one sheet),
then takes each into an empty SQLite warehouse with the monthly Prefect flow as users run it (reading,
Great Expectations validation, loading), median of ``--repeat`` runs each, and prints the seconds and,
last, ``year workbook / twelve monthly files: X.XX`` per layout (the target is below 2). It also
checks that every layout loads the same facts, to the rupiah, as the monthly files.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# a busy machine starts the temporary Prefect server slowly
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

YEAR = 2023


def large_agency(rows: int, seed: int = 7):
    """The first generated agency whose table has at least ``rows`` rows (the generator clips at 599)."""
    from bench.generate import plan_agency

    for number in range(1, 500):
        agency = plan_agency(number, seed=seed, rows_mean=rows)
        if len(agency.kode) >= min(rows, 590):
            return agency
    raise RuntimeError(f"no agency of {rows} rows among the first 500")


def facts_of(url: str) -> list[tuple]:
    """Every fact row of the warehouse (OPD, period, sub kegiatan, amounts), sorted."""
    from sqlalchemy import select

    from warehouse.db import engine_for
    from warehouse.models import BudgetItem, FactRealization, Opd, Period

    query = (
        select(
            Opd.code,
            Period.year,
            Period.month,
            BudgetItem.code,
            FactRealization.anggaran_rp,
            FactRealization.realisasi_bulan_ini_rp,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.anggaran_kas_sd_bulan_ini_rp,
        )
        .join(Opd, Opd.id == FactRealization.opd_id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
    )
    with engine_for(url).connect() as conn:
        return sorted(tuple(row) for row in conn.execute(query))


def timed_ingest(paths: list[Path], root: Path) -> tuple[float, list[tuple], int]:
    """Seconds of one ingest flow run on ``paths`` into a new SQLite warehouse; its facts; months loaded."""
    from flows.ingest import ingest_flow

    work = Path(tempfile.mkdtemp(dir=root))
    url = f"sqlite:///{work / 'warehouse.db'}"
    os.environ["SAKIP_DATABASE_URL"] = url
    started = time.perf_counter()
    outcomes = ingest_flow([str(p) for p in paths], workdir=str(work))
    seconds = time.perf_counter() - started
    loaded = sum(o.status == "loaded" for o in outcomes)
    return seconds, facts_of(url), loaded


def main(argv: list[str] | None = None) -> None:
    """Write the files, time each way in, print the comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, default=600, help="table rows of the agency (at most 599 written)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from bench.generate import write_workbook
    from bench.run import warm_up
    from sakip.layouts.month_columns import write_month_columns
    from sakip.layouts.month_sheets import write_month_sheets
    from tasks.extract.reading import read_workbook

    agency = large_agency(args.rows)
    with tempfile.TemporaryDirectory(prefix="sakip-bench-year-") as tmp:
        root = Path(tmp)
        monthly_dir = root / "monthly"
        monthly_dir.mkdir()
        monthly = [monthly_dir / f"realisasi_{YEAR}_{month:02d}.xlsx" for month in range(1, 13)]
        for month, path in enumerate(monthly, start=1):
            write_workbook(agency, path, YEAR, month)
        months = [read_workbook(path).workbook for path in monthly]
        layouts: dict[str, Callable[..., Path]] = {
            "a sheet per month": write_month_sheets,
            "months side by side": write_month_columns,
        }
        files = {"twelve monthly files": monthly}
        for name, write in layouts.items():
            files[name] = [write(months, root / f"{name.replace(' ', '_')}.xlsx")]
        warm_up()
        print(f"# year workbook of one agency: {len(agency.kode)} table rows x 12 months, SQLite")
        print(f"median of {args.repeat} run(s) of the monthly flow each")
        medians: dict[str, float] = {}
        expected: list[tuple] | None = None
        for name, paths in files.items():
            runs, same = [], True
            for _ in range(args.repeat):
                seconds, facts, loaded = timed_ingest(paths, root)
                runs.append(seconds)
                expected = facts if expected is None else expected
                same = same and facts == expected and loaded == 12
            medians[name] = statistics.median(runs)
            shown = " ".join(f"{s:.1f}" for s in runs)
            verdict = "yes" if same else "NO"
            print(f"{name:22s} {medians[name]:6.1f} s  runs {shown}  same facts as monthly: {verdict}")
        for name in layouts:
            ratio = medians[name] / medians["twelve monthly files"]
            print(f"year workbook ({name}) / twelve monthly files: {ratio:.2f}")


if __name__ == "__main__":
    main()
