"""How long the commands a steward types take, cold and with the work folder's Prefect server running.

``make bench-cli`` (``python -m bench.cli_speed [--repeat N]``) times, in one run on this machine:

- ``sakip ingest`` of one new month of the 2022 sample, ``sakip report --year 2022 --opd <code>`` (every
  format), ``sakip validations`` and ``sakip revisions``;
- each twice over: with ``sakip server start`` running ("server") and without it ("cold": the command
  starts and stops Prefect's temporary server when it runs a flow);
- their floors, measured in the same run, each just before its command (so a machine busy with other
  work slows both alike): ``python -c "import great_expectations, prefect, pandas, python_calamine,
  sqlalchemy"`` for ingest and report, ``python -c "import pandas, sqlalchemy"`` for the listings, and
  the temporary server's start and stop (what a cold flow command cannot avoid).

Each time is the median of ``--repeat`` runs (each ingest a month not loaded yet, so at most 3). It
prints one markdown table: command, mode, seconds, floor, ratio and the target.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PYTHON = sys.executable
SAKIP = str(Path(sys.executable).with_name("sakip"))
HEAVY_FLOOR = "import great_expectations, prefect, pandas, python_calamine, sqlalchemy"
LIGHT_FLOOR = "import pandas, sqlalchemy"
#: Start and stop of the temporary server as a cold command starts it (printed by the child).
TEMPORARY_SERVER = """
import os, time
from sakip.prefect_server import apply_prefect_defaults, start_temporary_server, stop_temporary_server
apply_prefect_defaults()
started = time.perf_counter()
start_temporary_server()
stop_temporary_server()
print(time.perf_counter() - started)
"""
#: Months loaded before the timed runs; the timed ingests take the next ones.
SETUP_MONTHS = 6
MAX_REPEAT = (12 - SETUP_MONTHS) // 2


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    command: str
    mode: str
    seconds: float
    floor_name: str
    floor: float
    target: str
    limit: float

    @property
    def ratio(self) -> float:
        """Seconds over the floor."""
        return self.seconds / self.floor

    @property
    def met(self) -> bool:
        """Whether the target is met."""
        return self.seconds <= self.limit


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def timed(args: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one command (it must succeed)."""
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def median(values: list[float]) -> float:
    """The median, rounded for the table."""
    return statistics.median(values)


def sakip(*args: str) -> list[str]:
    """A ``sakip`` command line."""
    return [SAKIP, *args]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help=f"runs per command, 1-{MAX_REPEAT} (default 2)")
    args = parser.parse_args(argv)
    repeat = max(1, min(MAX_REPEAT, args.repeat))
    with tempfile.TemporaryDirectory(prefix="sakip-bench-cli-") as folder:
        work = Path(folder) / "work"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SAKIP_"))}
        env |= {
            "PREFECT_HOME": str(work / "prefect"),  # the server's database: the temporary one reuses it
            "PREFECT_SERVER_API_PORT": str(free_port()),
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        wd = ["--workdir", str(work)]
        print(f"# sakip bench-cli: {os.cpu_count()} cores, median of {repeat} run(s)", flush=True)
        timed(sakip("sample", "--year", "2022", *wd), env)
        sample = work / "sample" / "2022"
        months = iter(sorted(sample.glob("realisasi_2022_*.xlsx")))
        setup = [next(months) for _ in range(SETUP_MONTHS)]
        timed(sakip("server", "start", *wd), env)
        try:
            timed(sakip("ingest", str(sample / "indikator_2022.xlsx"), *[str(p) for p in setup], *wd), env)
            opd = opd_code(work)
            server = measure(work, opd, months, repeat, env)
        finally:
            timed(sakip("server", "stop", *wd), env)
        temporary = median([float(run_child(TEMPORARY_SERVER, env)) for _ in range(repeat)])
        cold = measure(work, opd, months, repeat, env)
    rows = []
    for mode, times in (("server", server), ("cold", cold)):
        for command, (seconds, floor) in times.items():
            flow = command.startswith(("ingest", "report"))
            floor_name = "import GX, prefect, …" if flow else "import pandas, sqlalchemy"
            if mode == "server" or not flow:
                target, limit = "≤ 1.5 × floor", 1.5 * floor
            else:
                target, limit = "≤ floor + temporary server", floor + temporary
            rows.append(Row(command, mode, seconds, floor_name, floor, target, limit))
    print(render(rows, temporary))
    return 0


def opd_code(work: Path) -> str:
    """The OPD of the sample (the only one with data)."""
    from tasks.settings import load_settings
    from warehouse.db import make_engine
    from warehouse.queries import list_opds

    engine = make_engine(load_settings(work).url)
    try:
        return list_opds(engine, 2022)[0]
    finally:
        engine.dispose()


def measure(work: Path, opd: str, months, repeat: int, env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Each command's median seconds and the median of its floor, each run right after its floor.

    Command and floor alternate, so a machine busy with something else slows both alike.
    """
    wd = ["--workdir", str(work)]
    commands = {
        "ingest (one new month)": (HEAVY_FLOOR, lambda: sakip("ingest", str(next(months)), *wd)),
        f"report --year 2022 --opd {opd}": (
            HEAVY_FLOOR,
            lambda: sakip("report", "--year", "2022", "--opd", opd, *wd),
        ),
        "validations": (LIGHT_FLOOR, lambda: sakip("validations", *wd)),
        "revisions": (LIGHT_FLOOR, lambda: sakip("revisions", *wd)),
    }
    results = {}
    for name, (floor, make) in commands.items():
        floors, times = [], []
        for _ in range(repeat):
            floors.append(timed([PYTHON, "-c", floor], env))
            times.append(timed(make(), env))
        results[name] = (median(times), median(floors))
    return results


def run_child(code: str, env: dict[str, str]) -> str:
    """The last line a Python child prints."""
    done = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def render(rows: list[Row], temporary: float) -> str:
    """The markdown table."""
    lines = [
        'floors: `python -c "import great_expectations, prefect, pandas, python_calamine, sqlalchemy"` '
        '(ingest, report) and `python -c "import pandas, sqlalchemy"` (listings), each timed just before '
        f"its command; the temporary server's start and stop: {temporary:.2f} s",
        "",
        "| command | mode | s | floor | floor s | ratio | target | met |",
        "| --- | --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        lines.append(
            f"| `{row.command}` | {row.mode} | {row.seconds:.2f} | {row.floor_name} | {row.floor:.2f} | "
            f"{row.ratio:.2f} | {row.target} ({row.limit:.2f} s) | {'yes' if row.met else 'no'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
