"""The report's tables as CSV files, for machines: full precision (``.`` decimal, no rounding, NaN as
an empty field), whole numbers without ``.0``.

Text from the data never runs as a formula: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab
or CR gets a leading ``'`` (the OWASP rule against CSV injection); numeric columns stay plain
numbers, negative ones included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from tasks.core.text import csv_text_cell
from tasks.report.tables import ordered_ids


def _safe_file_stem(table_id: str) -> str:
    """A table id usable as a file name."""
    stem = re.sub(r"[^\w.-]+", "_", str(table_id)).strip("._")
    return stem or "tabel"


def write_csv_tables(tables: Mapping[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table to ``<table_id>.csv`` (UTF-8, unrounded, NaN empty) and return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for table_id in ordered_ids(tables):
        path = out_dir / f"{_safe_file_stem(table_id)}.csv"
        csv_safe(_whole_numbers_as_integers(tables[table_id])).to_csv(
            path, index=False, encoding="utf-8", lineterminator="\n"
        )
        paths.append(path)
    return paths


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell neutralised for spreadsheets (:func:`csv_text_cell`).

    Only text columns change (object or string dtype); numbers stay numbers, missing values missing.
    """
    changed = {
        column: frame[column].map(csv_text_cell, na_action="ignore")
        for column in frame.columns
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column])
    }
    return frame.assign(**changed) if changed else frame


def _whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers written without ``.0`` (rupiah amounts, whole targets)."""
    converted = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            present = values.dropna()
            if (present == present.round()).all() and (present.abs() < 2**53).all():
                converted[column] = values.astype("Int64")
    return frame.assign(**converted) if converted else frame
