"""The report's PDF against its Word document: ``sakip report --format pdf`` of one OPD timed against
``sakip report --format docx`` and LibreOffice's bare start.

``make bench-pdf [REPEAT=3]`` (or ``python -m bench.pdf --repeat 3``):

1. generates the 2022 sample (``sakip sample``) and ingests it (``sakip ingest``) into a fresh
   SQLite work folder;
2. times, ``--repeat`` times in turn, each as a process of its own as a user runs it (the command
   line's start and its temporary Prefect server included): ``sakip report --year 2022 --opd <code>
   --format docx``, the same with ``--format pdf``, and LibreOffice started and ended with a new
   profile (``soffice --headless --terminate_after_init``, what each PDF conversion pays first);
3. prints the medians, the target (1.5 × the docx-only report + LibreOffice's start) and, last,
   ``pdf / target: X.XX`` (within the target at 1.00 or less).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.report import timed

OPD = "2.17.0.00.0.00.01.0000"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind, their median reported")
    args = parser.parse_args(argv)
    from tasks.report.render.pdf import find_converter

    soffice = find_converter().soffice
    folder = Path(tempfile.mkdtemp(prefix="sakip-bench-pdf-"))
    sakip = str(Path(sys.executable).with_name("sakip"))
    env = {
        **os.environ,
        "SAKIP_WORKDIR": str(folder / "work"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    for name in ("SAKIP_DASK_ADDRESS", "SAKIP_DATABASE_URL", "SAKIP_REPORT_TEMPLATE"):
        env.pop(name, None)
    try:
        timed([sakip, "sample", "--year", "2022"], env)
        timed([sakip, "ingest", str(folder / "work" / "sample" / "2022")], env)
        runs: dict[str, list[float]] = {"docx": [], "pdf": [], "soffice": []}
        for n in range(max(1, args.repeat)):
            for kind in ("docx", "pdf"):
                out = folder / f"{kind}-{n}"
                argv = [sakip, "report", "--year", "2022", "--opd", OPD, "--format", kind, "--out", str(out)]
                runs[kind].append(timed(argv, env)[0])
                assert (out / "2022" / OPD / f"lkjip_2022.{kind}").is_file()
            profile = folder / f"profile-{n}"
            start = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--terminate_after_init",
            ]
            runs["soffice"].append(timed(start, env)[0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    docx, pdf, start = (statistics.median(runs[k]) for k in ("docx", "pdf", "soffice"))
    target = 1.5 * docx + start
    for kind, label in (
        ("docx", "report, docx only"),
        ("pdf", "report, pdf"),
        ("soffice", "LibreOffice start"),
    ):
        shown = " ".join(f"{value:.1f}" for value in runs[kind])
        print(f"{label:<20} median {statistics.median(runs[kind]):6.2f} s   runs: {shown}")
    print(f"target: 1.5 x {docx:.2f} + {start:.2f} = {target:.2f} s")
    print(f"pdf / target: {pdf / target:.2f}")


if __name__ == "__main__":
    main()
