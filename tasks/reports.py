"""Writing one OPD-year's report: the tables as CSV files and together as one formatted workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tasks.export import write_csv_tables, write_xlsx_report


def write_report(
    tables: dict[str, pd.DataFrame], out_dir: Path, *, opd_name: str, year: int, lang: str = "id"
) -> list[Path]:
    """``out_dir/tabel_*.csv`` and ``out_dir/lkjip_<year>.xlsx``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = write_csv_tables(tables, out_dir)
    title = f"Laporan Kinerja Instansi Pemerintah (LKjIP) Tahun {year}"
    paths.append(
        write_xlsx_report(
            tables, out_dir / f"lkjip_{year}.xlsx", title=title, opd_name=opd_name, year=year, lang=lang
        )
    )
    return paths
