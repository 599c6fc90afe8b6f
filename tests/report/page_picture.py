"""The README's picture of printed pages: the 2022 sample's Word report as ``sakip report --format
pdf`` prints it (LibreOffice), the first two pages of BAB III side by side, as a PNG.

``make docs-pictures`` (or ``python -m tests.report.page_picture docs/lkjip-page.png``) generates the
2022 sample, loads it into a temporary warehouse, writes its Word report and its PDF and draws those
pages at 80 dpi. Not a test: the tests of the printed report (``test_rendering.py``) read the PDF.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path


def sample_report(folder: Path, formats: tuple[str, ...] = ("docx",)) -> dict[str, Path]:
    """The 2022 sample loaded into a warehouse in ``folder`` and its report written in ``formats``;
    the files written by suffix (``".docx"``, ``".pdf"``)."""
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
    written = write_reports(engine, tables, folder / "reports", 2022, formats, scales)
    engine.dispose()
    return {path.suffix: path for path in written if path.suffix in (".docx", ".pdf")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, nargs="?", default=Path("docs/lkjip-page.png"))
    args = parser.parse_args(argv)
    import pdfplumber
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="sakip-page-") as work:
        pdf = sample_report(Path(work), ("docx", "pdf"))[".pdf"]
        with pdfplumber.open(pdf) as document:
            first = next(
                i
                for i, page in enumerate(document.pages)
                if (page.extract_text() or "").startswith("BAB III")
            )
            pages = [
                page.to_image(resolution=80, antialias=True).original.convert("RGB")
                for page in document.pages[first : first + 2]
            ]
    gap = 16
    width = sum(page.width for page in pages) + gap * (len(pages) + 1)
    height = max(page.height for page in pages) + 2 * gap
    sheet = Image.new("RGB", (width, height), (200, 200, 200))
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
