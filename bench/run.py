"""Province-scale benchmark: the pipeline as users run it against the cheapest correct way.

``make bench FILES=1400 DB=sqlite`` (or ``DB=postgresql``; ``python -m bench.run --help``) runs, in
one process and on the same files:

1. the pipeline: the monthly Prefect flow on every file of the month (reading, Great Expectations
   validation, loading, quarantine), then the annual flow writing the year-end CSV tables of every
   agency;
2. the baseline (``bench/baseline.py``): calamine reads, the same checks as vectorized pandas, one
   bulk insert per table in one transaction;

and prints seconds per stage, rows/s, peak memory and, last, ``pipeline/baseline ratio: X.XX`` (the
monthly work: read + validate + load). ``--scaling 100,400,1400`` repeats the monthly flow on a
one-file batch and at several sizes to show what each further file costs. ``--results
bench/results.md`` also writes the tables as markdown. Stage times of the pipeline are the wall time
of its task runs, read back from the Prefect API.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

# the temporary Prefect server must not try to reach the internet from this closed machine
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# flow logs would bury the results (and the server's shutdown line would follow the ratio)
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
POSTGRES_SERVER = os.environ.get(
    "SAKIP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
STAGES = {
    "read": ("read_workbooks",),
    "validate": ("validate_batch",),
    "load": ("load_workbooks", "quarantine"),
}


@dataclass
class PipelineRun:
    """Timings of one pipeline run."""

    files: int
    rows: int
    loaded: int
    seconds: dict[str, float]
    monthly_wall: float
    annual_wall: float
    #: the monthly flow run's own duration as Prefect records it (start to final state): the wall time
    #: without creating the run and without waiting for Prefect's heartbeat thread, which sleeps in
    #: whole seconds and so adds 0 to 1 s to the end of every run
    monthly_run: float = 0.0


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A URL on an empty database: an SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return
    schema = f"sakip_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_SERVER)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def peak_memory_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


async def _task_runs(flow_run_id) -> list:
    """The task runs of a flow run and its subflows, from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        return await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])), limit=200
        )


def flow_run_seconds(flow_run_id) -> float:
    """A flow run's duration from its start to its final state, from the Prefect API."""
    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            return await client.read_flow_run(flow_run_id)

    run = asyncio.run(read())
    return (run.end_time - run.start_time).total_seconds() if run.start_time and run.end_time else 0.0


def stage_seconds(flow_run_id, names: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """Per stage, the wall time from the first of its task runs starting to the last one ending."""
    runs: list = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # task runs reach the API a moment after the flow returns
        runs = asyncio.run(_task_runs(flow_run_id))
        if runs and all(r.end_time for r in runs if r.start_time):
            break
        time.sleep(1)
    seconds = {}
    for stage, prefixes in names.items():
        own = [r for r in runs if r.name.startswith(prefixes) and r.start_time and r.end_time]
        seconds[stage] = (
            (max(r.end_time for r in own) - min(r.start_time for r in own)).total_seconds() if own else 0.0
        )
    return seconds


def run_pipeline(paths: list[Path], url: str, workdir: Path, *, annual: bool = True) -> PipelineRun:
    """The monthly flow on every file, then (``annual``) the annual flow writing the CSV of every agency."""
    from flows.annual import annual_flow
    from flows.ingest import ingest_flow
    from warehouse.db import engine_for
    from warehouse.models import FactRealization

    os.environ["SAKIP_DATABASE_URL"] = url
    folder = paths[0].parent
    started = time.perf_counter()
    state = ingest_flow([str(folder)], workdir=str(workdir), year=2023, month=1, return_state=True)
    monthly_wall = time.perf_counter() - started
    outcomes = state.result()
    seconds = stage_seconds(state.state_details.flow_run_id, STAGES)
    monthly_run = flow_run_seconds(state.state_details.flow_run_id)
    annual_wall = 0.0
    if annual:
        started = time.perf_counter()
        year_end = annual_flow(year=2023, workdir=str(workdir), formats="csv", return_state=True)
        annual_wall = time.perf_counter() - started
        seconds |= stage_seconds(
            year_end.state_details.flow_run_id,
            {"metrics": ("build_all_tables",), "report": ("write_reports",)},
        )
    with engine_for(url).connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(FactRealization))
    return PipelineRun(
        files=len(paths),
        rows=int(rows or 0),
        loaded=sum(o.status == "loaded" for o in outcomes),
        seconds=seconds,
        monthly_wall=monthly_wall,
        annual_wall=annual_wall,
        monthly_run=monthly_run,
    )


def scaling_table(runs: dict[int, PipelineRun], sizes: list[int]) -> list[str]:
    """The cost per file at each size: wall / files, and what each file adds beyond a one-file run.

    A monthly run has a fixed cost whatever its size (the Prefect flow run, the GX context, Data Docs,
    artifacts). ``(run(n) - run(1)) / (n - 1)``, on the flow run's own duration, is what every further
    file costs: the number that shows whether cost grows linearly. The last line gives its spread.
    """
    one = runs[1]
    lines = [
        f"fixed cost (a one-file run): {one.monthly_wall:.2f} s wall, {one.monthly_run:.2f} s flow run",
        "",
        "| files | monthly flow wall (s) | flow run (s) | ms per file (wall / files) "
        "| ms per file beyond the one-file run |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    marginal = {}
    for size in sizes:
        run = runs[size]
        marginal[size] = 1000 * (run.monthly_run - one.monthly_run) / max(1, size - 1)
        lines.append(
            f"| {size} | {run.monthly_wall:.2f} | {run.monthly_run:.2f} | "
            f"{1000 * run.monthly_wall / size:.1f} | {marginal[size]:.1f} |"
        )
    mean = sum(marginal.values()) / len(marginal)
    spread = max(abs(value - mean) for value in marginal.values()) / mean * 100 if mean > 0 else 0.0
    lines += ["", f"per-file cost beyond the fixed cost: {mean:.1f} ms ± {spread:.0f} % over {sizes}"]
    return lines


def warm_up() -> None:
    """Start the Prefect API (a temporary server) and import the heavy modules before timing anything."""
    from prefect import flow

    import expectations.custom  # noqa: F401 - Great Expectations import cost, paid once

    @flow(name="sakip-bench-warm-up")
    def nothing() -> None:
        return None

    nothing()


def main() -> None:
    """Generate, run both, print the comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1400)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=200, help="mean table rows per workbook")
    parser.add_argument("--scaling", default="", help="comma list of sizes for the per-file cost check")
    parser.add_argument("--results", type=Path, default=None, help="also write the tables as markdown here")
    args = parser.parse_args()

    from bench.baseline import run_baseline
    from bench.generate import generate
    from tasks.settings import load_settings

    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory(prefix="sakip-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        paths = generate(root / "inbox", args.files, months=(1,), rows_mean=args.rows)
        generated = time.perf_counter() - started
        warm_up()
        say(f"# sakip benchmark: {args.files} workbooks, 1 month, {args.db}")
        say()
        say(
            f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"workers {load_settings().workers}; "
            f"generated in {generated:.1f} s (not timed below)"
        )
        with fresh_database(args.db, root) as url:
            pipeline = run_pipeline(paths, url, root / "work")
        with fresh_database(args.db, root) as url:
            from warehouse.db import open_warehouse

            open_warehouse(url)
            baseline = run_baseline(paths, url)
        own, children = peak_memory_mib()
        monthly_baseline = baseline.read + baseline.validate + baseline.load
        say()
        say("| stage | pipeline (s) | baseline (s) |")
        say("| --- | ---: | ---: |")
        for stage, base in (
            ("read", baseline.read),
            ("validate", baseline.validate),
            ("load", baseline.load),
        ):
            say(f"| {stage} | {pipeline.seconds[stage]:.2f} | {base:.2f} |")
        say(f"| monthly flow, wall (incl. Prefect) | {pipeline.monthly_wall:.2f} | {monthly_baseline:.2f} |")
        say(f"| metrics (year-end tables, all agencies) | {pipeline.seconds['metrics']:.2f} | |")
        say(f"| report (CSV of every agency) | {pipeline.seconds['report']:.2f} | |")
        say(f"| annual flow, wall | {pipeline.annual_wall:.2f} | |")
        say()
        say(
            f"files: {pipeline.files} ({pipeline.loaded} loaded by the pipeline, "
            f"{baseline.files - baseline.rejected} by the baseline); table rows read: {baseline.rows}; "
            f"fact rows: {pipeline.rows}"
        )
        say(
            f"rows/s (monthly flow wall): pipeline {baseline.rows / pipeline.monthly_wall:,.0f}, "
            f"baseline {baseline.rows / monthly_baseline:,.0f}"
        )
        say(f"peak memory: {own:,.0f} MiB this process, {children:,.0f} MiB largest worker process")
        if args.scaling:
            sizes = [int(n) for n in args.scaling.split(",") if n.strip()]
            runs = {}
            for size in [1, *sizes]:
                subset = generate(root / f"scale-{size}", size, months=(1,), rows_mean=args.rows)
                with fresh_database(args.db, root) as url:
                    runs[size] = run_pipeline(subset, url, root / f"work-{size}", annual=False)
            for line in scaling_table(runs, sizes):
                say(line)
        say()
        say(f"pipeline/baseline ratio: {pipeline.monthly_wall / monthly_baseline:.2f}")
    if args.results:
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
