"""The README's picture of a printed page: the 2022 sample's Word report as LibreOffice prints it,
the page where BAB III starts, as a PNG.

``make docs-pictures`` (or ``python -m tests.report.page_picture docs/lkjip-page.png``) generates the
2022 sample, loads it into a temporary warehouse, writes its Word report, prints it to PDF with
LibreOffice (headless, a profile of its own) and draws that page at 100 dpi. Not a test: the tests
of the printed report (``test_rendering.py``) only read the PDF.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

SOFFICE = "/usr/bin/soffice"


def print_to_pdf(docx: Path, folder: Path, *, timeout: float = 180) -> Path:
    """The Word document printed to PDF by LibreOffice (headless, a profile of its own in ``folder``);
    the PDF's path (AssertionError with LibreOffice's output when it wrote none)."""
    assert Path(SOFFICE).is_file(), "LibreOffice is missing: `make test` installs libreoffice-writer"
    profile = folder / "lo-profile"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    path = folder / "pdf" / f"{docx.stem}.pdf"
    assert path.is_file(), result.stdout + result.stderr
    return path


def sample_report(folder: Path) -> Path:
    """The 2022 sample loaded into a warehouse in ``folder`` and its Word report written; its path."""
    from sakip.sample import write_sample
    from tasks.core.scales import ReportScales
    from tasks.extract.reading import read_workbook
    from tasks.operations.intake import discover_workbooks, load_workbook
    from tasks.report.build import build_all_tables
    from tasks.report.writer import write_reports
    from warehouse.db import open_warehouse

    sample = write_sample(folder / "sample" / "2022", 2022)
    engine = open_warehouse(f"sqlite:///{folder / 'sakip.db'}")
    for path in discover_workbooks([sample.indicators.parent]):
        load_workbook(engine, read_workbook(path))
    scales = ReportScales()
    tables = build_all_tables(engine, 2022, scales.capaian_scale, 100.0)
    (docx,) = [
        path
        for path in write_reports(engine, tables, folder / "reports", 2022, ("docx",), scales)
        if path.suffix == ".docx"
    ]
    engine.dispose()
    return docx


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, nargs="?", default=Path("docs/lkjip-page.png"))
    args = parser.parse_args(argv)
    import pdfplumber

    with tempfile.TemporaryDirectory(prefix="sakip-page-") as work:
        folder = Path(work)
        pdf = print_to_pdf(sample_report(folder), folder)
        with pdfplumber.open(pdf) as document:
            page = next(p for p in document.pages if "BAB III" in (p.extract_text() or ""))
            page.to_image(resolution=100, antialias=True).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
