"""A realization month in funding-source sections (INPUTS.md §1b): the table in blocks, one per
sumber dana, each opened by a heading row and repeating the rows that source funds with their own
subtotals and ``JUMLAH``; combined ``TOTAL (A + B)`` blocks repeat rows of the blocks they name.

``split`` maps a sub kegiatan code to its sources and shares (``{"2.17.01.2.01.01": [("PAD", 0.7),
("DAK", 0.3)]}``); a sub kegiatan it does not name has one source: ``default``, or else its own
``sumber_dana``, or else ``PAD``. Each amount of a leaf row (a sub kegiatan, or its leaf expenditure
accounts) is split to the rupiah by largest remainder, so the shares always sum to the whole; every
subtotal of a block is the sum of its children in that block. :func:`split_year` splits a year's
months alike, the realization of the month taken as the change in each source's realization to date,
so a writer of a year workbook can put the same sections on each month's sheet (:func:`section_rows`
gives the rows of one month's table).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xlsxwriter

from tasks.core import columns
from tasks.core.calendar import BULAN
from tasks.core.hierarchy import node_keys, parent_codes
from tasks.core.staging import REALIZATION_COLUMNS, RealizationWorkbook

Split = Mapping[str, Sequence[tuple[str, float]]]
HeadingStyle = Literal["sumber_dana", "sumber_anggaran", "bare"]

#: the source of a sub kegiatan that neither ``split`` nor its own row names
FALLBACK_SOURCE = "PAD"
_AMOUNTS = columns.names(columns.REALIZATION, types=("amount",))
_HEADINGS: dict[str, str] = {"sumber_dana": "SUMBER DANA : {}", "sumber_anggaran": "SUMBER ANGGARAN : {}"}


def split_amount(amount: float, shares: Sequence[float]) -> list[float]:
    """``amount`` split by ``shares`` to the rupiah (to the sen when it has sen), largest remainder first:
    the parts sum exactly to the whole."""
    cents = round(amount * 100)
    unit = 100 if cents % 100 == 0 else 1
    units = cents // unit
    total = float(sum(shares))
    exact = [units * share / total for share in shares] if total else [0.0] * len(shares)
    parts = [int(np.floor(value)) for value in exact]
    order = sorted(range(len(shares)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: units - sum(parts)]:
        parts[i] += 1
    return [part * unit / 100 for part in parts]


def source_blocks(
    month: RealizationWorkbook,
    split: Split,
    *,
    default: str = "",
    previous: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Per source, in order of first appearance, the lines of its block (``REALIZATION_COLUMNS``, no
    total row). With ``previous`` (the month before, as this function gave it) the realization of the
    month is each source's realization to date less the previous month's."""
    lines = month.lines[month.lines["level"] != "total"].reset_index(drop=True)
    keys = node_keys(lines).tolist()
    parents = dict(zip(keys, parent_codes(lines).tolist(), strict=True))
    has_children = {parent for parent in parents.values() if parent}
    by_key = {key: position for position, key in enumerate(keys)}
    given = [name for name in _AMOUNTS if lines[name].notna().any()]
    values: dict[str, dict[str, dict[str, float]]] = {}  # source -> key -> column -> amount
    for position, key in enumerate(keys):
        if key in has_children:
            continue
        row = lines.iloc[position]
        shares = _shares(row, lines, by_key, split, default)
        sources = [source for source, _ in shares]
        parts = {name: split_amount(_number(row[name]), [s for _, s in shares]) for name in given}
        if (
            previous is not None
            and "realisasi_sd_bulan_ini_rp" in parts
            and "realisasi_bulan_ini_rp" in parts
        ):
            parts["realisasi_bulan_ini_rp"] = [
                todate - _previous_todate(previous, source, key)
                for source, todate in zip(sources, parts["realisasi_sd_bulan_ini_rp"], strict=True)
            ]
        for n, source in enumerate(sources):
            leaf = {name: parts[name][n] for name in given}
            node = key
            while node:
                into = values.setdefault(source, {}).setdefault(node, dict.fromkeys(given, 0.0))
                for name in given:
                    into[name] += leaf[name]
                node = parents.get(node, "")
    blocks = {}
    for source, amounts in values.items():
        rows = [by_key[key] for key in keys if key in amounts]
        block = lines.iloc[rows].reset_index(drop=True).copy()
        for name in given:
            block[name] = [amounts[key][name] for key in block_keys(block)]
        block["sumber_dana"] = source
        blocks[source] = block[list(REALIZATION_COLUMNS)]
    return blocks


def block_keys(block: pd.DataFrame) -> list[str]:
    """The node keys of a block's rows (code, or ``<sub kegiatan>/<account>``)."""
    return node_keys(block).tolist()


def split_year(
    months: Sequence[RealizationWorkbook], split: Split, *, default: str = ""
) -> list[dict[str, pd.DataFrame]]:
    """:func:`source_blocks` of each of a year's months (oldest first), each month's realization of
    the month per source the change in its realization to date."""
    blocks: list[dict[str, pd.DataFrame]] = []
    previous: Mapping[str, pd.DataFrame] | None = None
    for month in sorted(months, key=lambda m: m.month):
        previous = source_blocks(month, split, default=default, previous=previous if blocks else None)
        blocks.append(previous)
    return blocks


def section_rows(
    blocks: Mapping[str, pd.DataFrame],
    layout: Sequence[str],
    *,
    combined: Sequence[Sequence[str]] = (),
    heading_style: HeadingStyle = "sumber_dana",
) -> list[tuple[str, list[object]]]:
    """The table's rows, one list of cell values per row in ``layout``'s columns, each with its kind:
    ``heading`` (its text in the first cell), ``line``, ``total``; the real blocks, then the combined."""
    rows: list[tuple[str, list[object]]] = []
    for source, block in blocks.items():
        heading = _HEADINGS[heading_style].format(source) if heading_style in _HEADINGS else source
        rows += _block_rows(heading, block, layout)
    for parts in combined:
        missing = [part for part in parts if part not in blocks]
        if missing:
            raise ValueError(f"combined block names sources without a block: {missing}")
        rows += _block_rows(f"TOTAL ({' + '.join(parts)})", _sum_blocks([blocks[p] for p in parts]), layout)
    return rows


def write_funding_sections(
    month: RealizationWorkbook,
    path: str | Path,
    *,
    split: Split,
    combined: Sequence[Sequence[str]] = (),
    heading_style: HeadingStyle = "sumber_dana",
    default: str = "",
    blocks: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """A monthly workbook of ``month`` with its table in funding-source blocks (``blocks`` when given,
    e.g. a month of :func:`split_year`; else ``source_blocks(month, split)``), block subtotals and
    ``JUMLAH`` rows computed and the ``combined`` blocks written after them."""
    path = Path(path)
    blocks = source_blocks(month, split, default=default) if blocks is None else blocks
    layout = [name for name in columns.names(columns.REALIZATION) if name in month.columns]
    workbook = xlsxwriter.Workbook(str(path))
    try:
        bold = workbook.add_format({"bold": True})
        money = workbook.add_format({"num_format": "#,##0"})
        ws = workbook.add_worksheet("Realisasi")
        top = 0
        if month.government:
            ws.write_string(top, 0, month.government, bold)
            top += 1
        ws.write_string(top, 0, "LAPORAN REALISASI ANGGARAN PER SUMBER DANA", bold)
        ws.write_string(top + 1, 0, f"SKPD : {month.opd_code} {month.opd_name}")
        ws.write_string(top + 2, 0, f"Tahun Anggaran : {month.year}")
        ws.write_string(top + 3, 0, f"Bulan : {BULAN[month.month - 1]}")
        header = top + 5
        for col, name in enumerate(layout):
            ws.write_string(header, col, columns.column(columns.REALIZATION, name).headings[0], bold)
        rows = section_rows(blocks, layout, combined=combined, heading_style=heading_style)
        name_col = layout.index("uraian")
        for r, (kind, values) in enumerate(rows, start=header + 1):
            if kind == "heading":
                text = str(values[0])
                if heading_style == "bare" and not text.startswith("TOTAL ("):
                    ws.write_string(r, name_col, text, bold)
                else:
                    ws.merge_range(r, 0, r, len(layout) - 1, text, bold)
                continue
            for col, value in enumerate(values):
                if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
                    continue
                if isinstance(value, str):
                    ws.write_string(r, col, value, bold if kind == "total" else None)
                else:
                    ws.write_number(r, col, float(value), money)
    finally:
        workbook.close()
    return path


def _shares(
    row: pd.Series, lines: pd.DataFrame, by_key: dict[str, int], split: Split, default: str
) -> list[tuple[str, float]]:
    """The sources and shares of a leaf row: its sub kegiatan's in ``split``, else one source."""
    sub = row["sub_kegiatan_kode"]
    if sub in split:
        return [(source, float(share)) for source, share in split[sub]]
    if default:
        return [(default, 1.0)]
    own = str(row["sumber_dana"] or "")
    if not own and sub in by_key:
        own = str(lines.iloc[by_key[sub]]["sumber_dana"] or "")
    return [(own.split(";")[0].strip() or FALLBACK_SOURCE, 1.0)]


def _previous_todate(previous: Mapping[str, pd.DataFrame], source: str, key: str) -> float:
    """A row's realization to date in the previous month's block of ``source`` (0 when it had none)."""
    block = previous.get(source)
    if block is None:
        return 0.0
    found = block["realisasi_sd_bulan_ini_rp"][[k == key for k in block_keys(block)]]
    return float(found.iloc[0]) if not found.empty else 0.0


def _number(value: object) -> float:
    """An amount cell as a float (0 for a blank)."""
    return 0.0 if value is None or pd.isna(value) else float(value)


def _sum_blocks(blocks: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The rows of ``blocks`` code by code, amounts summed (a combined block's rows)."""
    stacked = pd.concat(blocks, ignore_index=True)
    stacked["_key"] = block_keys(stacked)
    groups = stacked.groupby("_key", sort=False)
    merged = groups.first()
    for name in _AMOUNTS:
        merged[name] = groups[name].sum(min_count=1)
    merged["sumber_dana"] = ""
    merged = merged.reset_index(drop=True)
    # rows in hierarchy order: by code, accounts after their sub kegiatan
    order = sorted(range(len(merged)), key=lambda i: _order_key(merged.iloc[i]))
    return merged.iloc[order].reset_index(drop=True)


def _order_key(row: pd.Series) -> tuple[str, int, str]:
    """Sort key keeping accounts under their sub kegiatan."""
    if row["level"] == "rekening":
        return (row["sub_kegiatan_kode"], 1, row["kode"])
    return (row["kode"], 0, "")


def _block_rows(heading: str, block: pd.DataFrame, layout: Sequence[str]) -> list[tuple[str, list[object]]]:
    """A block's heading, its rows and its ``JUMLAH`` row (the sum of its top-level rows)."""
    rows: list[tuple[str, list[object]]] = [("heading", [heading] + [None] * (len(layout) - 1))]
    for record in block.to_dict("records"):
        rows.append(("line", [record.get(name) for name in layout]))
    top = block[parent_codes(block) == ""]
    total: list[object] = []
    for name in layout:
        if name == "uraian":
            total.append("JUMLAH")
        elif name in _AMOUNTS and block[name].notna().any():
            total.append(float(top[name].sum()))
        else:
            total.append(None)
    rows.append(("total", total))
    return rows
