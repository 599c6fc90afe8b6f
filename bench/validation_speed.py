"""How long validating one monthly workbook of the 2022 sample takes, after imports.

Run: ``.venv/bin/python bench/validation_speed.py [--repeat N]`` (or ``make bench-validation``).
Reads the workbook once, then times ``validate_batch`` on it (the Great Expectations checkpoint run,
mapping the results to cells, and the Data Docs page) ``N`` times after one warm-up run that builds
the GX context.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sakip.sample import write_sample
from tasks.extract.reading import read_workbook
from tasks.operations.intake import validate_batch
from tasks.settings import load_settings
from warehouse.db import open_warehouse


def main() -> None:
    """Print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sample = write_sample(work / "sample", 2022)
        settings = load_settings(work / "work")
        engine = open_warehouse(settings.url)
        checks = {
            "gx_keep_results": settings.gx_keep_results,
            "known_opds": settings.known_opds(),
            "capaian_bound_pct": settings.capaian_bound_pct,
        }
        started = time.perf_counter()
        staged = [read_workbook(sample.realization[5])]
        read_seconds = time.perf_counter() - started
        started = time.perf_counter()
        validate_batch(staged, engine, settings.workdir, **checks)
        first = time.perf_counter() - started
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            checked, runs = validate_batch(staged, engine, settings.workdir, **checks)
            timings.append(time.perf_counter() - started)
        assert not checked[0].errors, checked[0].errors
        rows = len(staged[0].workbook.lines)
        print(
            f"workbook: {sample.realization[5].name} ({rows} rows), suite {runs[0].suite} "
            f"{runs[0].suite_version} ({runs[0].evaluated} expectations)"
        )
        print(f"read (calamine):                 {read_seconds:.3f} s")
        print(f"first validation (GX context):   {first:.3f} s")
        print(f"validation, median of {args.repeat}:      {statistics.median(timings):.3f} s")
        print(f"validation, slowest of {args.repeat}:     {max(timings):.3f} s")


if __name__ == "__main__":
    main()
