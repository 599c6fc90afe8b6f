"""Short human-readable summaries (markdown) of a run, for Prefect artifacts and the console."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from tasks.export import format_percent, format_rupiah

if TYPE_CHECKING:
    from tasks.ingest import FileOutcome
    from tasks.validate import SuiteRun

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def absorption_markdown(summary: pd.DataFrame, opd_code: str, year: int, month: int) -> str:
    """Per-program absorption of one OPD-month as a markdown table (in Bahasa Indonesia)."""
    lines = [
        f"### Serapan anggaran {opd_code} s.d. {BULAN[month - 1]} {year}",
        "",
        "| Kode | Uraian | Anggaran (Rp) | Realisasi s.d. bulan ini (Rp) | Serapan % | RAK % "
        "| Deviasi (poin) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary.itertuples(index=False):
        lines.append(
            f"| {row.kode} | {row.uraian} | {format_rupiah(row.anggaran)} | "
            f"{format_rupiah(row.realisasi_sd_bulan_ini)} | {format_percent(row.serapan)} | "
            f"{format_percent(row.rak_pct)} | {format_percent(row.deviasi_poin)} |"
        )
    return "\n".join(lines)


def validation_table(runs: Sequence[SuiteRun], outcomes: Sequence[FileOutcome]) -> list[dict[str, object]]:
    """One row per file: suite, result, failed expectations, errors, warnings, status and Data Docs page."""
    status = {outcome.name: outcome.status for outcome in outcomes}
    return [
        {
            "berkas": run.file,
            "suite": f"{run.suite} {run.suite_version}",
            "lulus": "ya" if run.success else "tidak",
            "ekspektasi_gagal": f"{run.failed}/{run.evaluated}",
            "galat": run.errors,
            "peringatan": run.warnings,
            "status": status.get(run.file, ""),
            "data_docs": run.data_docs_url,
        }
        for run in runs
    ]
