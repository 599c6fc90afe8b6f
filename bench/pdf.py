"""The report's PDF against its Word document: ``sakip report --format pdf`` of one OPD timed against
``sakip report --format docx`` and LibreOffice's bare start.

``make bench-pdf [REPEAT=3]`` (or ``python -m bench.pdf --repeat 3``):

1. generates the 2022 sample (``sakip sample``) and ingests it (``sakip ingest``) into a fresh
   SQLite work folder;
2. times, ``--repeat`` times in turn, each as a process of its own as a user runs it (the command
   line's start and its temporary Prefect server included): ``sakip report --year 2022 --opd <code>
   --format docx``, the same with ``--format pdf``, and LibreOffice's start: an empty Word document
   printed by ``soffice --headless --convert-to pdf`` with a new profile (what each PDF conversion
   pays besides its document);
3. times the report's writing alone the same way, in this process (``write_reports`` of the OPD as
   docx, then as pdf), where the command's start and its Prefect server do not blur the difference;
4. prints the medians, the targets (1.5 × the docx-only report + LibreOffice's start) and, last,
   ``pdf / target: X.XX`` for the command (within the target at 1.00 or less).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
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
    from docx import Document

    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "kosong.docx"
    Document().save(str(empty))
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
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder / f"empty-{n}"),
                str(empty),
            ]
            runs["soffice"].append(timed(start, env)[0])
        runs.update(in_process(folder / "work" / "sakip.db", folder, max(1, args.repeat)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    start = statistics.median(runs["soffice"])
    labels = {
        "docx": "sakip report, docx",
        "pdf": "sakip report, pdf",
        "soffice": "LibreOffice start",
        "write_docx": "writing, docx",
        "write_pdf": "writing, pdf",
    }
    for kind, label in labels.items():
        shown = " ".join(f"{value:.2f}" for value in runs[kind])
        print(f"{label:<20} median {statistics.median(runs[kind]):6.2f} s   runs: {shown}")
    for docx_kind, pdf_kind in (("write_docx", "write_pdf"), ("docx", "pdf")):
        docx, pdf = statistics.median(runs[docx_kind]), statistics.median(runs[pdf_kind])
        target = 1.5 * docx + start
        print(f"{labels[pdf_kind]}: {pdf:.2f} s, target 1.5 x {docx:.2f} + {start:.2f} = {target:.2f} s")
    print(f"pdf / target: {pdf / target:.2f}")


def in_process(database: Path, folder: Path, repeat: int) -> dict[str, list[float]]:
    """The OPD's report written by ``write_reports`` as docx and as pdf, ``repeat`` times in turn:
    the seconds of each."""
    from tasks.report.build import build_tables
    from tasks.report.writer import write_reports
    from tasks.settings import Settings
    from warehouse.db import open_warehouse

    engine = open_warehouse(f"sqlite:///{database}")
    settings = Settings()
    tables = {OPD: build_tables(engine, OPD, 2022, settings.capaian_scale, settings.efficiency_threshold_pct)}
    runs: dict[str, list[float]] = {"write_docx": [], "write_pdf": []}
    for n in range(repeat):
        for kind in ("docx", "pdf"):
            started = time.perf_counter()
            write_reports(engine, tables, folder / f"write-{kind}-{n}", 2022, (kind,), settings.scales)
            runs[f"write_{kind}"].append(time.perf_counter() - started)
    engine.dispose()
    return runs


if __name__ == "__main__":
    main()
