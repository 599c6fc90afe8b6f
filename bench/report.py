"""Year-end report benchmark: ``sakip report`` of N agencies in CSV only and in every format.

``make bench-report AGENCIES=40 [DASK=1]`` (or ``python -m bench.report --agencies 40 [--dask]``):

1. generates N agencies x 12 months of 2024 (``bench/generate.py``) and ingests them (``sakip
   ingest``) into a fresh SQLite warehouse;
2. times ``sakip report --year 2024 --format csv`` and ``sakip report --year 2024`` (every format:
   csv, xlsx, docx, html and the charts) as users run them, each a process of its own (the command
   line's start and its temporary Prefect server included), ``--repeat`` times in turn (default 3:
   on a shared machine one run can be a fifth slower than the next), and takes the median of each;
3. with ``--dask``, the every-format run again on a local Dask cluster of two worker processes
   (``SAKIP_DASK_ADDRESS``), and checks its files against the local run's;

and prints the wall times, the cost per agency of every format (beyond the CSV run), the peak memory
of the process tree (the command and its worker processes, sampled) and, last,
``every format / csv only: X.XX``. ``--keep DIR`` keeps the work folder there.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import psutil

YEAR = 2024


def tree_rss(root: psutil.Process) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total = 0
    for process in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):  # ended between listing and reading
            total += process.memory_info().rss
    return total


def timed(argv: list[str], env: Mapping[str, str], watch: psutil.Process | None = None) -> tuple[float, int]:
    """Run a command; its wall seconds and the peak resident memory of its process tree (sampled every
    0.1 s; ``watch``: the tree sampled instead, for a command whose work runs in other processes).
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        argv, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = watch or psutil.Process(child.pid)
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(root))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err[-4000:]}")
    return seconds, peak


def same_reports(one: Path, other: Path) -> bool:
    """The same files with the same content: workbooks cell by cell, Word documents part by part (their
    zip entries carry the time they were written), every other file byte for byte.
    """
    import zipfile

    import openpyxl

    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file()):
        return False
    for name in files:
        a, b = one / name, other / name
        if name.suffix == ".xlsx":
            books = [openpyxl.load_workbook(path) for path in (a, b)]
            same = [[list(ws.iter_rows(values_only=True)) for ws in book.worksheets] for book in books]
            if same[0] != same[1]:
                return False
        elif name.suffix == ".docx":
            parts = []
            for path in (a, b):
                with zipfile.ZipFile(path) as archive:
                    parts.append({n: archive.read(n) for n in archive.namelist()})
            if parts[0] != parts[1]:
                return False
        elif a.read_bytes() != b.read_bytes():
            return False
    return True


def _runs(seconds: list[float]) -> str:
    """Each run's seconds, as run."""
    return " ".join(f"{value:.1f}" for value in seconds)


def main(argv: list[str] | None = None) -> None:
    """Generate, ingest, time the year-end report; print the results, the ratio last."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=40)
    parser.add_argument("--dask", action="store_true", help="also on a local cluster of two Dask workers")
    parser.add_argument(
        "--keep", type=Path, default=None, help="work folder to keep (default: a temporary one)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each kind, their median reported (default 3)"
    )
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sakip-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    sakip = str(Path(sys.executable).with_name("sakip"))
    env = {
        **os.environ,
        "SAKIP_WORKDIR": str(folder / "work"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    env.pop("SAKIP_DASK_ADDRESS", None)
    env.pop("SAKIP_DATABASE_URL", None)
    workers = os.environ.get("SAKIP_WORKERS") or str(os.cpu_count() or 1)
    # the local Dask cluster's workers inherit this environment: no task-run lines among the results
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    logging.getLogger("distributed").setLevel(logging.ERROR)

    def say(line: str = "") -> None:
        print(line, flush=True)

    try:
        from bench.generate import generate

        started = time.perf_counter()
        paths = generate(folder / "workbooks", args.agencies, range(1, 13), YEAR)
        say(f"generated {len(paths)} workbooks in {time.perf_counter() - started:.1f} s")
        seconds, _ = timed([sakip, "ingest", str(folder / "workbooks")], env)
        say(f"ingested them in {seconds:.1f} s")

        report = [sakip, "report", "--year", str(YEAR)]
        csv_runs, all_runs, csv_peak, all_peak = [], [], 0, 0
        for _ in range(repeat):  # in pairs: both kinds of run see the machine as it is at the time
            for out in (folder / "csv", folder / "all"):
                shutil.rmtree(out, ignore_errors=True)  # every run writes its files anew
            seconds, peak = timed([*report, "--format", "csv", "--out", str(folder / "csv")], env)
            csv_runs.append(seconds)
            csv_peak = max(csv_peak, peak)
            seconds, peak = timed([*report, "--out", str(folder / "all")], env)
            all_runs.append(seconds)
            all_peak = max(all_peak, peak)
        csv_s, all_s = statistics.median(csv_runs), statistics.median(all_runs)
        per_agency = (all_s - csv_s) / args.agencies
        say()
        say(f"year-end report of {args.agencies} agencies, {workers} worker processes (SAKIP_WORKERS)")
        say(f"median of {repeat} run(s) each, csv and every format in turn")
        say(f"csv only:     {csv_s:7.1f} s  peak memory {csv_peak / 2**20:5.0f} MiB  runs {_runs(csv_runs)}")
        say(f"every format: {all_s:7.1f} s  peak memory {all_peak / 2**20:5.0f} MiB  runs {_runs(all_runs)}")
        say(f"every format beyond csv, per agency: {per_agency:.3f} s wall ({workers} processes)")
        if args.dask:
            from distributed import LocalCluster

            with LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster:
                dask_env = {**env, "SAKIP_DASK_ADDRESS": cluster.scheduler_address}
                dask_s, dask_peak = timed(
                    [*report, "--out", str(folder / "dask")], dask_env, watch=psutil.Process()
                )
            same = same_reports(folder / "all", folder / "dask")
            say(
                f"every format on a local Dask cluster (2 workers): {dask_s:.1f} s   peak memory "
                f"{dask_peak / 2**20:.0f} MiB (cluster included)   same files as the local run: "
                f"{'yes' if same else 'NO'}"
            )
        say(f"every format / csv only: {all_s / csv_s:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
