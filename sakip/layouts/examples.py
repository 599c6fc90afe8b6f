"""``sakip sample --layouts``: a small example of each workbook layout, made from the sample's months.

Each example holds the same figures as the sample's monthly workbooks, so ingesting an example into a
warehouse that has the monthly files finds its months unchanged, and into an empty one gives the same
facts. The file names say the layout in the steward's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tasks.core.staging import RealizationWorkbook
from tasks.extract.reading import read_workbook

#: file name of each example (Bahasa Indonesia, as a steward would name it)
EXAMPLE_NAMES = {
    "month_sheets": "contoh_setahun_satu_sheet_per_bulan.xlsx",
    "month_columns": "contoh_setahun_bulan_berdampingan.xlsx",
    "funding_sections": "contoh_bulanan_per_sumber_dana.xlsx",
    "cash_plan": "contoh_anggaran_kas.xlsx",
}


def sample_months(monthly: Sequence[Path]) -> list[RealizationWorkbook]:
    """The sample's monthly workbooks, read as the pipeline reads them."""
    months = []
    for path in monthly:
        staged = read_workbook(path)
        if staged.workbook is None or staged.errors:
            raise ValueError(f"the sample's month {path.name} does not read: {staged.errors}")
        months.append(staged.workbook)
    return months


def write_layout_examples(monthly: Sequence[Path], folder: Path) -> list[Path]:
    """One example per layout in ``folder``, from the sample's monthly workbooks; the paths written."""
    from sakip.layouts.cash_plan import write_cash_plan
    from sakip.layouts.month_columns import write_month_columns
    from sakip.layouts.month_sheets import write_month_sheets
    from sakip.layouts.sources import write_funding_sections

    months = sample_months(monthly)
    folder.mkdir(parents=True, exist_ok=True)
    first_quarter = months[:3]
    march = months[2]
    # the sample's first sub kegiatan funded by two sources, as offices' sections show one
    subs = march.lines[march.lines["level"] == "sub_kegiatan"]
    split = {str(subs["kode"].iloc[0]): [("PAD", 0.7), ("DAU", 0.3)]}
    return [
        write_month_sheets(first_quarter, folder / EXAMPLE_NAMES["month_sheets"]),
        write_month_columns(
            first_quarter,
            folder / EXAMPLE_NAMES["month_columns"],
            budget_columns=("ANGGARAN MURNI", "ANGGARAN PERUBAHAN"),
            sumber_dana=True,
        ),
        write_funding_sections(
            march, folder / EXAMPLE_NAMES["funding_sections"], split=split, combined=[("PAD", "DAU")]
        ),
        write_cash_plan(months, folder / EXAMPLE_NAMES["cash_plan"]),
    ]
