"""Funding-source sections (*sumber dana*) of a realization table.

Some offices keep the month's table in blocks, one per funding source (PAD, DAU, DAK ...): a heading
row opens each block (``SUMBER DANA : PAD``, ``SUMBER ANGGARAN : DBHCHT 2023``, or a bare source name
such as ``DAK FISIK``), and the block repeats the program / kegiatan / sub kegiatan rows that source
funds, with its own subtotals and ``JUMLAH`` row. A combined block (``TOTAL (PAD + DAK)``) repeats
rows already counted in the blocks it names. One sub kegiatan may be split between two sources.

A heading row has no code and no amount; its text stands in the code or name column or in the
columns left of them (merged across the row or not): the texts of those cells, joined, are the
heading. Reading such a table:

1. :func:`find_source_blocks` finds the headings among the table's rows and the block of every row.
   A table with no heading is not sectioned (None; the cost is a look at the rows without a code).
2. :func:`source_lines` checks each block on its own (its subtotals equal the sums of their children,
   the suite's rule ``amount.subtotal_mismatch``; no code twice in a block), each combined block
   against the blocks it names, code by code and amount by amount (``source.total_mismatch``), and
   the headings (a block with no rows, a source opened twice, a combined block naming a source with
   no block, rows above the first heading: errors at their cells). It then merges the real blocks
   into the month's lines, one row per code (amounts summed, ``row`` its first row, ``sumber_dana``
   the sources joined ``"PAD; DAK"``; fisik the budget-weighted mean), so validation and loading see
   one tree, and gives the budget and realization per sub kegiatan and source (``SOURCE_COLUMNS``).
   Combined blocks are checked and never loaded.

A ``TOTAL (A + B)`` row that carries amounts is a combined total row (a block of one row): its
amounts must equal the sum of the named blocks' ``JUMLAH`` rows; it is checked and not loaded.

A source opened twice is an error rather than two blocks merged: the combined blocks could not tell
which of the two they repeat, and a block copied twice would otherwise count twice.

Any reader of a realization table can use the two steps: after ``table_rows`` (rows and codes) call
:func:`find_source_blocks` with the issues list (``amount_cols``: every amount column of the sheet,
all months' when a sheet holds several months side by side); when it finds blocks, read the lines
from its ``sections.table`` (which adds each block's ``JUMLAH`` row) with ``lines_frame``, once per
month with that month's ``fields``, and pass each month's lines to :func:`source_lines` with the same
``fields``: it returns the merged lines and that month's source rows (``RealizationWorkbook.sources``).

"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tasks.core import codes, columns
from tasks.core.formatting import digits_text
from tasks.core.hierarchy import node_keys, parent_codes
from tasks.core.issues import InputIssue
from tasks.core.numbers import parse_amount
from tasks.core.staging import AMOUNT_COLUMNS, REALIZATION_COLUMNS, SOURCE_COLUMNS
from tasks.core.subtotals import RUPIAH_TOLERANCE, subtotal_mismatches, sums_of_children
from tasks.extract.grid import Grid

if TYPE_CHECKING:
    from tasks.extract.realization import TableRows

#: Funding-source names a heading row may give alone (``DAK FISIK``), as budget documents write them.
SOURCE_NAMES: tuple[str, ...] = (
    "PAD",
    "PAD MURNI",
    "DAU",
    "DAK",
    "DAK FISIK",
    "DAK NON FISIK",
    "DBH",
    "DBHCHT",
    "DID",
    "BANKEU",
    "BANTUAN KEUANGAN",
    "BLUD",
    "BOS",
)

#: ``SUMBER DANA : PAD``, ``SUMBER ANGGARAN - DBHCHT 2023``, ``Sumber Pendanaan: DAK Fisik``
_LABELLED = re.compile(
    r"^sumber\s+(?:dana|anggaran|pendanaan)\b\s*[:.\-–]?\s*(?P<source>\S.*)$", re.IGNORECASE
)
#: a bare source name, optionally followed by a year or a note in brackets: ``DAK NON FISIK (2023)``
_BARE = re.compile(
    r"^(?P<source>(?:"
    + "|".join(
        r"\s+".join(map(re.escape, name.split())) for name in sorted(SOURCE_NAMES, key=len, reverse=True)
    )
    + r")(?:\s+\d{4}|\s*\([^()]*\))?)$",
    re.IGNORECASE,
)
#: ``TOTAL (PAD + DAK)``, ``JUMLAH (DBHCHT + PAD MURNI)``
#: (the parts and the ``+`` between them never overlap: no backtracking on a long hostile text)
_COMBINED = re.compile(r"^(?:total|jumlah) ?\((?P<parts>[^()+]*(?:\+[^()+]*)+)\) ?$", re.IGNORECASE)

#: how the merged lines join the sources of a code funded by several
SOURCE_SEPARATOR = "; "


@dataclass(frozen=True)
class SourceBlock:
    """One block of a sectioned table: the source its heading names (for a combined block, the
    sources it names joined by `` + ``), the heading's cell (0-based) and the block's rows, as
    positions in the table's kept rows (the index of the lines frame)."""

    source: str
    parts: tuple[str, ...]
    row: int
    col: int
    lines: tuple[int, ...]

    @property
    def combined(self) -> bool:
        """True for a ``TOTAL (A + B)`` block, which repeats rows of the blocks it names."""
        return bool(self.parts)


@dataclass(frozen=True)
class SourceSections:
    """The blocks of a sectioned table, and the kept rows above its first heading (positions)."""

    blocks: tuple[SourceBlock, ...]
    outside: tuple[int, ...]
    #: the worksheet rows (0-based) of the table's kept rows, for messages
    rows: tuple[int, ...]
    #: the table's rows with every block's total row (``table_rows`` keeps only the first total row
    #: and the coded rows after it): the rows ``lines_frame`` reads
    table: TableRows


def heading_source(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The source a heading text names and, for a combined heading, its parts; None for other text."""
    text = " ".join(text.split())
    combined = _COMBINED.match(text)
    if combined is not None:
        parts = tuple(" ".join(part.split()) for part in combined["parts"].split("+"))
        if len(parts) >= 2 and all(parts):
            return " + ".join(parts), parts
        return None
    labelled = _LABELLED.match(text)
    if labelled is not None:
        return labelled["source"].rstrip(" :.-"), ()
    bare = _BARE.match(text)
    if bare is not None:
        return bare["source"], ()
    return None


def find_source_blocks(
    grid: Grid,
    table: TableRows,
    data_start: int,
    code_col: int,
    name_col: int,
    amount_cols: Sequence[int],
    issues: list[InputIssue],
) -> SourceSections | None:
    """The funding-source blocks of a table read with ``table_rows`` (``table``), or None when the
    table has no source heading.

    Only rows without a usable code are looked at (and total rows, for ``TOTAL (A + B)``). The code
    issues ``table_rows`` gave a heading row (a heading written in the code column reads as a
    malformed code) are taken out of ``issues``.
    """
    kept_rows = table.rows
    coded = {r for r, p in zip(kept_rows, table.keep, strict=True) if table.expanded[p].level != "total"}
    kept = set(kept_rows)
    text_cols = range(max(code_col, name_col) + 1)
    rows = grid.rows
    headings: list[tuple[int, int, str, tuple[str, ...]]] = []
    totals: list[int] = []  # total rows table_rows passed over (a block's JUMLAH after the first one)
    summaries: set[int] = set()  # combined total rows: ``TOTAL (A + B)`` with its amounts
    end = min(table.last_row + 1, len(rows))
    for r in range(max(data_start, 0), end):
        if r in coded:
            continue
        line = rows[r]
        texts, first_col = _row_text(line, text_cols)
        if not texts:
            continue
        found = heading_source(texts)
        if found is None:
            if r not in kept and codes.is_total(_cell(line, name_col) or _cell(line, code_col)):
                totals.append(r)
            continue
        if any(_has_amount(line[c]) for c in amount_cols if c < len(line)):
            if found[1]:  # ``TOTAL (A + B)`` with amounts: a combined total row, a block of one row
                summaries.add(r)
                totals.extend([r] if r not in kept else [])
                headings.append((r, first_col, *found))
            continue
        headings.append((r, first_col, *found))
    if not headings:
        return None
    for r, kind, first_col, found in _closing_rows(rows, end, code_col, name_col, text_cols, amount_cols):
        if r not in kept:
            totals.append(r)
        if kind == "summary":
            summaries.add(r)
            headings.append((r, first_col, *found))
    if totals:
        table = _with_totals(table, totals, [_cell(rows[r], name_col) for r in totals])
        kept_rows = table.rows
    heading_rows = {r for r, *_ in headings}
    issues[:] = [
        issue
        for issue in issues
        if not (
            issue.rule.startswith("code.")
            and issue.sheet == grid.sheet
            and issue.row is not None
            and issue.row - 1 in heading_rows
        )
    ]
    members: list[list[int]] = [[] for _ in headings]
    outside: list[int] = []
    block = -1
    starts = [r for r, *_ in headings]
    for position, r in enumerate(kept_rows):
        while block + 1 < len(starts) and starts[block + 1] <= r:
            block += 1
        if r in heading_rows and r not in summaries:
            continue  # a combined heading is read as a total row
        if block < 0:
            outside.append(position)
        else:
            members[block].append(position)
    blocks = tuple(
        SourceBlock(source, parts, r, c, tuple(lines))
        for (r, c, source, parts), lines in zip(headings, members, strict=True)
    )
    return SourceSections(blocks, tuple(outside), tuple(kept_rows), table)


def _cell(line: Sequence[object], col: int) -> str:
    """The text of a cell of a worksheet row ("" for a blank or a number)."""
    value = line[col] if 0 <= col < len(line) else None
    return " ".join(value.split()) if isinstance(value, str) else ""


def _row_text(line: Sequence[object], cols: range) -> tuple[str, int]:
    """The texts of a row's cells in ``cols`` joined, and the column of the first ("", -1 when none)."""
    texts = []
    first_col = -1
    for c in cols:
        value = line[c] if c < len(line) else None
        if isinstance(value, str) and value.strip():
            texts.append(value)
            first_col = c if first_col < 0 else first_col
    return " ".join(texts), first_col


def _closing_rows(
    rows: Sequence[Sequence[object]],
    start: int,
    code_col: int,
    name_col: int,
    cols: range,
    amount_cols: Sequence[int],
) -> list[tuple[int, str, int, tuple[str, tuple[str, ...]] | None]]:
    """The total rows right below the table's last row read: the last block's ``JUMLAH`` (``total``)
    and combined total rows ``TOTAL (A + B)`` with amounts (``summary``), up to the first other text."""
    found: list[tuple[int, str, int, tuple[str, tuple[str, ...]] | None]] = []
    for r in range(start, len(rows)):
        line = rows[r]
        texts, first_col = _row_text(line, cols)
        if not texts:
            continue
        heading = heading_source(texts)
        if (
            heading is not None
            and heading[1]
            and any(_has_amount(line[c]) for c in amount_cols if c < len(line))
        ):
            found.append((r, "summary", first_col, heading))
        elif codes.is_total(_cell(line, name_col) or _cell(line, code_col)):
            found.append((r, "total", first_col, None))
        else:
            break
    return found


def _with_totals(table: TableRows, totals: Sequence[int], names: Sequence[str]) -> TableRows:
    """``table`` with the total rows ``totals`` (0-based worksheet rows) kept as well."""
    entries = [
        (r, code, name, expanded, p in set(table.keep))
        for p, (r, code, name, expanded) in enumerate(
            zip(table.candidates, table.code_texts, table.names, table.expanded, strict=True)
        )
    ]
    entries += [
        (r, "", name, codes.CodeRow("", "total", ""), True) for r, name in zip(totals, names, strict=True)
    ]
    entries.sort(key=lambda entry: entry[0])
    return replace(
        table,
        candidates=[e[0] for e in entries],
        code_texts=[e[1] for e in entries],
        names=[e[2] for e in entries],
        expanded=[e[3] for e in entries],
        keep=[p for p, e in enumerate(entries) if e[4]],
        last_row=max(table.last_row, *totals),
    )


def source_lines(
    grid: Grid,
    sections: SourceSections,
    lines: pd.DataFrame,
    fields: Mapping[str, int | None],
    issues: list[InputIssue],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the blocks of ``lines`` (the table's staged lines, one per kept row, read with
    ``fields``) and merge them: the month's lines as one tree, and its rows per sub kegiatan and
    source (``SOURCE_COLUMNS``). Problems are appended to ``issues`` at their cells."""
    code_col = fields.get("kode")
    amounts = [name for name in AMOUNT_COLUMNS if fields.get(name) is not None]
    real = [block for block in sections.blocks if not block.combined]
    _check_headings(grid, sections, code_col, issues)
    for number, block in enumerate(sections.blocks):
        part = lines.take(list(block.lines))
        _check_block(grid, part, number, amounts, fields, issues)
    by_name = {block.source.casefold(): block for block in real}
    for block in sections.blocks:
        if block.combined and block.lines:
            named = [_named_block(part, by_name, real) for part in block.parts]
            for part, found in zip(block.parts, named, strict=True):
                if found is None:
                    issues.append(grid.issue("source.combined_unknown", block.row, block.col, value=part))
            if all(found is not None for found in named):
                _check_combined(
                    grid, block, [b for b in named if b is not None], lines, amounts, fields, issues
                )
    return merged_lines(lines, real), source_rows(lines, real)


def merged_lines(lines: pd.DataFrame, blocks: Sequence[SourceBlock]) -> pd.DataFrame:
    """The lines of ``blocks`` as one tree: one row per code, amounts summed, the first row's place
    and names, the sources joined (``SOURCE_SEPARATOR``), fisik weighted by the budget.

    A sub kegiatan's expenditure accounts are kept only when every block holding the sub kegiatan
    lists them: accounts of one source alone would not add up to the merged sub kegiatan.
    """
    positions = [p for block in blocks for p in block.lines]
    part = lines.take(positions).reset_index(drop=True)
    part["_source"] = [block.source for block in blocks for _ in block.lines]
    accounts = part["level"] == "rekening"
    if accounts.any():
        held = part[part["level"] == "sub_kegiatan"].groupby("kode")["_source"].agg(frozenset)
        listed = part[accounts].groupby("sub_kegiatan_kode")["_source"].agg(frozenset)
        partial = [sub for sub, sources in listed.items() if held.get(sub) != sources]
        if partial:
            part = part[~(accounts & part["sub_kegiatan_kode"].isin(partial))].reset_index(drop=True)
    source = part["_source"].tolist()
    part["_key"] = node_keys(part)
    groups = part.groupby("_key", sort=False)
    merged = groups[["row", "kode", "level", "uraian", "sub_kegiatan_kode"]].first()
    merged["row"] = groups["row"].min()
    for name in columns.names(columns.REALIZATION, types=("amount",)):
        merged[name] = groups[name].sum(min_count=1)
    weight = part["anggaran_rp"].astype("float64").fillna(0.0)
    for name in columns.names(columns.REALIZATION, types=("percent", "number")):
        values = part[name].astype("float64")
        weighted = (values * weight).groupby(part["_key"], sort=False).sum(min_count=1)
        total = weight.where(values.notna()).groupby(part["_key"], sort=False).sum()
        mean = values.groupby(part["_key"], sort=False).mean()
        merged[name] = (weighted / total.where(total > 0)).fillna(mean)
    for name in columns.names(columns.REALIZATION, types=("text",)):
        if name in ("kode", "uraian"):
            continue
        if name == "sumber_dana":
            joined = pd.Series(source, index=part.index).groupby(part["_key"], sort=False).agg(_joined)
            merged[name] = joined
        else:
            merged[name] = groups[name].agg(lambda texts: next((t for t in texts if t), ""))
    return merged.reset_index(drop=True)[list(REALIZATION_COLUMNS)].astype(REALIZATION_COLUMNS)


def source_rows(lines: pd.DataFrame, blocks: Sequence[SourceBlock]) -> pd.DataFrame:
    """One row per sub kegiatan and source of ``blocks`` (``SOURCE_COLUMNS``)."""
    frames = []
    for block in blocks:
        part = lines.take(list(block.lines))
        subs = part[part["level"] == "sub_kegiatan"]
        frames.append(subs.assign(sumber_dana=block.source)[list(SOURCE_COLUMNS)])
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in SOURCE_COLUMNS.items()})
    return pd.concat(frames, ignore_index=True).astype(SOURCE_COLUMNS)


def _joined(sources: pd.Series) -> str:
    """The distinct sources of a code, in block order, joined."""
    return SOURCE_SEPARATOR.join(dict.fromkeys(sources))


def _named_block(
    part: str, by_name: dict[str, SourceBlock], real: Sequence[SourceBlock]
) -> SourceBlock | None:
    """The real block a combined heading's part names: the same name (any case), else the one block
    whose name starts with it (``DBHCHT`` for ``DBHCHT 2023``)."""
    key = part.casefold()
    if key in by_name:
        return by_name[key]
    starting = [block for block in real if block.source.casefold().startswith(key + " ")]
    return starting[0] if len(starting) == 1 else None


def _check_headings(
    grid: Grid, sections: SourceSections, code_col: int | None, issues: list[InputIssue]
) -> None:
    """Rows above the first heading, empty blocks and a source opened twice, at their cells."""
    if sections.outside:
        first = sections.rows[sections.outside[0]]
        issues.append(
            grid.issue(
                "source.outside_block",
                first,
                code_col,
                count=len(sections.outside),
                heading_row=sections.blocks[0].row + 1,
            )
        )
    opened: dict[str, SourceBlock] = {}
    for block in sections.blocks:
        if not block.lines:
            issues.append(grid.issue("source.empty_block", block.row, block.col, value=block.source))
        key = block.source.casefold()
        if key in opened:
            issues.append(
                grid.issue(
                    "source.duplicate",
                    block.row,
                    block.col,
                    value=block.source,
                    other_row=opened[key].row + 1,
                )
            )
        else:
            opened[key] = block


def _tree(part: pd.DataFrame) -> pd.DataFrame:
    """``part`` with the node and parent keys of the validation frames (one tree, file ``0``)."""
    frame = part.reset_index(drop=True)
    frame = frame.assign(file=0, node_key=node_keys(frame))
    frame["parent_key"] = parent_codes(frame).where(frame["level"] != "total", None)
    return frame


def _check_block(
    grid: Grid,
    part: pd.DataFrame,
    number: int,
    amounts: list[str],
    fields: Mapping[str, int | None],
    issues: list[InputIssue],
) -> None:
    """One block's subtotals against the sums of their children, and no code twice in it."""
    if part.empty:
        return
    frame = _tree(part)
    seen: dict[str, int] = {}
    for key, row in zip(frame["node_key"], frame["row"], strict=True):
        if key and key in seen:
            issues.append(
                grid.issue("code.duplicate", int(row) - 1, fields.get("kode"), value=key, other_row=seen[key])
            )
        seen.setdefault(key, int(row))
    if not amounts:
        return
    wrong = subtotal_mismatches(frame, "file", "node_key", "parent_key", amounts)
    if not wrong.to_numpy().any():
        return
    expected = sums_of_children(frame, "file", "node_key", "parent_key", amounts)
    for position, name in zip(*np.nonzero(wrong.to_numpy()), strict=True):
        field = amounts[name]
        issues.append(
            grid.issue(
                "amount.subtotal_mismatch",
                int(frame["row"].iloc[position]) - 1,
                fields.get(field),
                column=columns.label(field),
                column_en=columns.label(field, "en"),
                value=_amount(frame[field].iloc[position]),
                expected=_amount(expected[field].iloc[position]),
            )
        )


def _check_combined(
    grid: Grid,
    block: SourceBlock,
    parts: Sequence[SourceBlock],
    lines: pd.DataFrame,
    amounts: list[str],
    fields: Mapping[str, int | None],
    issues: list[InputIssue],
) -> None:
    """A combined block's rows against the sum of the blocks it names, code by code and amount by
    amount; a code of those blocks missing from it at its heading."""
    combined = lines.take(list(block.lines)).reset_index(drop=True)
    named = lines.take([p for part in parts for p in part.lines]).reset_index(drop=True)
    combined_keys = node_keys(combined)
    named_keys = node_keys(named)
    expected = named[amounts].astype("float64").fillna(0.0).groupby(named_keys.to_numpy()).sum()
    sources = " + ".join(part.source for part in parts)
    summary = bool((combined["level"] == "total").all())  # a combined total row alone: its total only
    for key in dict.fromkeys(named_keys):
        if key not in set(combined_keys) and not summary:
            shown = key or "JUMLAH"
            issues.append(
                grid.issue("source.total_code_missing", block.row, block.col, value=shown, sources=sources)
            )
    for position, key in enumerate(combined_keys):
        row = int(combined["row"].iloc[position]) - 1
        for field in amounts:
            value = combined[field].iloc[position]
            want = expected[field].get(key, 0.0)
            given = 0.0 if pd.isna(value) else float(value)
            if abs(given - want) > RUPIAH_TOLERANCE:
                issues.append(
                    grid.issue(
                        "source.total_mismatch",
                        row,
                        fields.get(field),
                        column=columns.label(field),
                        column_en=columns.label(field, "en"),
                        value=_amount(value),
                        expected=_amount(want),
                        sources=sources,
                    )
                )


def _amount(value: object) -> str:
    """An amount in a message as the validation messages print it (``1.234.567``, ``1.234,5``)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    text = digits_text(float(value), 2)
    return text.removesuffix(",00")


def _has_amount(value: object) -> bool:
    """True for a cell holding a non-zero amount or text that is not an amount."""
    try:
        return parse_amount(value) != 0
    except ValueError:
        return True
