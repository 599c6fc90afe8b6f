"""A year on one sheet, the months side by side (INPUTS.md §1b): reading its months.

Offices keep a year's realization as one table (a UPT's "DKKB dan Realisasi", a "Laporan RFK"):
code, name and budget columns, then for each month a group of columns under the month's name (merged
over the group, or repeated over each column) with the month's planned disbursement (DKKB / RAK /
Rencana / Anggaran Kas, *anggaran kas*: the cash plan), its realization (*realisasi*, of the month
or to date) and sometimes its physical progress (*fisik*); a ``JUMLAH`` column may close the row.

Each month with a value in its realization column (and each month before it: an empty column there
is a month with nothing spent) becomes one ``RealizationWorkbook``, its ``part`` the month heading as
written. The rows are read once for the sheet (``table_rows``), the lines once per month
(``lines_frame``). A per-month plan is cumulated into ``anggaran_kas_sd_bulan_ini_rp``; a plan given
to date is taken as is. Of several budget columns the last holding values is ``anggaran_rp`` and the
first ``anggaran_murni_rp``. The header block gives OPD and year; a month it names (``Bulan``, a
title ``s.d. Bulan Mei``) is not read: the realization columns say which months are reported.

A bad cell of a month's columns refuses that month alone; a problem of the header, the codes or the
budget columns (which every month shares) refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tasks.core.calendar import BULAN
from tasks.core.issues import InputError, InputIssue
from tasks.core.staging import MonthRead, PartError, RealizationWorkbook
from tasks.extract.book import Book
from tasks.extract.cells import cell_at, cell_text, column_letter, is_empty, normalize_label
from tasks.extract.fields import COLUMN_TITLES, HEADER_SEARCH_ROWS, MONTHS
from tasks.extract.grid import (
    Grid,
    Header,
    cleaned_cells,
    column_values,
    number_column,
    skip_number_row,
    sorted_issues,
    xml_issues,
)
from tasks.extract.header_block import header_cell_refs, read_meta, resolve_number, resolve_opd
from tasks.extract.kind import REALIZATION_MATCH
from tasks.extract.realization import lines_frame, table_rows
from tasks.extract.sources import find_source_blocks, source_lines

_MONTH_HEADING = re.compile(r"(?:bulan )?([a-z]+)(?:[ -]'?(?:\d{2}|\d{4}))?")
_BUDGET = re.compile(r"(?:anggaran|pagu)\b(?! kas)")
_FIXED_FIELDS = ("kode", "uraian", "sumber_dana")
_PLAN = re.compile(r"\b(?:dkkb|rak|rencana|anggaran kas|target|rpd)\b")
_REALIZATION = re.compile(r"\b(?:realisasi|kumulatif|komulatif|keuangan|spj)\b")
_TO_DATE = re.compile(r"\b(?:sd|kumulatif|komulatif|sampai dengan|akumulasi)\b")
_PERCENT = re.compile(r"%|\b(?:persen|prosentase|persentase)\b")
_IGNORED = re.compile(r"\b(?:deviasi|selisih|sisa|keterangan|ket)\b")
#: rows after the month row that may still be header rows (sub-headings, then units)
_SUB_ROWS = 2


#: the first three letters of a month heading: a cell starting otherwise is no month (a quick test)
_STARTS = frozenset(word[:3] for word in (*MONTHS, "bulan"))


def month_of_heading(value: object) -> int | None:
    """The month a month-row cell names (``JAN``, ``Januari``, ``MEI 2023``, ``Sept.``, a date), or None."""
    if isinstance(value, dt.date):
        return value.month
    if type(value) is not str or len(value) > 20 or value.lstrip()[:3].lower() not in _STARTS:
        return None
    match = _MONTH_HEADING.fullmatch(normalize_label(value))
    return MONTHS.get(match.group(1)) if match else None


def find_month_row(grid: Grid) -> int | None:
    """The first row of the header area with two or more month headings (0-based), or None."""
    for r in range(min(len(grid.rows), HEADER_SEARCH_ROWS)):
        found = 0
        for value in grid.rows[r]:
            if type(value) is str:
                if (
                    len(value) > 20
                    or value.lstrip()[:3].lower() not in _STARTS
                    or not month_of_heading(value)
                ):
                    continue
            elif not isinstance(value, dt.date):
                continue
            found += 1
            if found == 2:
                return r
    return None


@dataclass
class MonthGroup:
    """The columns of one month: its heading cell, and the column of each thing the month gives."""

    month: int
    heading: str
    row: int
    col: int
    columns: list[int] = field(default_factory=list)
    #: ``realisasi_bulan_ini_rp`` and/or ``realisasi_sd_bulan_ini_rp`` -> column
    realization: dict[str, int] = field(default_factory=dict)
    plan: int | None = None
    plan_to_date: bool = False
    fisik: int | None = None

    @property
    def letters(self) -> set[str]:
        """Column letters of the group."""
        return {column_letter(c) for c in self.columns}


@dataclass
class MonthColumnsHeader:
    """The header of a months-side-by-side table: fixed columns, budget columns, the month groups."""

    data_start: int
    fixed: dict[str, int]
    budgets: list[int]
    groups: list[MonthGroup]


#: (row, col) -> (the top-left value of the merged range over the cell, its first row, its first column)
Merges = dict[tuple[int, int], tuple[object, int, int]]


def _merged_values(grid: Grid, rows: range) -> Merges:
    """The merged cells in ``rows`` (see ``Merges``)."""
    lookup: Merges = {}
    for (r0, c0), (r1, c1) in grid.merged:
        if r1 < rows.start or r0 >= rows.stop:
            continue
        value = cell_at(grid.rows, r0, c0)
        for r in range(max(r0, rows.start), min(r1, rows.stop - 1) + 1):
            for c in range(c0, c1 + 1):
                lookup[(r, c)] = (value, r0, c0)
    return lookup


def _sub_rows(grid: Grid, month_row: int, code_col: int) -> int:
    """How many rows under the month row are header rows: the sub-headings, and a row of units."""
    below = month_row + 2
    line = grid.rows[below] if below < len(grid.rows) else []
    texts = [v for v in line if not is_empty(v)]
    if (
        texts
        and is_empty(cell_at(grid.rows, below, code_col))
        and all(isinstance(v, str) and not re.search(r"\d", v) for v in texts)
    ):
        return 2
    return 1


def _column_text(grid: Grid, merges: Merges, rows: range, col: int, above: int) -> tuple[str, int]:
    """The header texts of a column over ``rows`` (merges read once; cells of merges starting at or
    above row ``above`` left out), and the row of the first text."""
    texts: list[str] = []
    first = -1
    for r in rows:
        value, start, _ = merges.get((r, col), (cell_at(grid.rows, r, col), r, col))
        if start <= above and r > above:
            continue
        text = cell_text(value)
        if text and text not in texts:
            texts.append(text)
            first = r if first < 0 else first
    return " ".join(texts), first


def _month_groups(grid: Grid, month_row: int, merges: Merges) -> list[MonthGroup]:
    """The month groups of the month row: a month merged over its columns, repeated over them, or
    written once over columns with sub-headings; any other text closes the group."""
    width = max((len(grid.rows[r]) for r in range(month_row, min(month_row + 3, len(grid.rows)))), default=0)
    groups: list[MonthGroup] = []
    current: MonthGroup | None = None
    for c in range(width):
        value, start, anchor = merges.get((month_row, c), (cell_at(grid.rows, month_row, c), month_row, c))
        month = month_of_heading(value) if not is_empty(value) else None
        if month is not None:
            if (
                current is not None
                and current.month == month
                and current.columns[-1] == c - 1
                # the same merged range, or the name repeated over unmerged cells
                and (
                    anchor == current.col
                    if (month_row, c) in merges
                    else (month_row, current.col) not in merges
                )
            ):
                current.columns.append(c)
                continue
            heading = cell_text(value) if isinstance(value, str) else BULAN[month - 1]
            current = MonthGroup(month, heading, start, anchor, [c])
            groups.append(current)
        elif is_empty(value) and current is not None and current.columns[-1] == c - 1:
            if any(not is_empty(cell_at(grid.rows, r, c)) for r in range(month_row + 1, month_row + 3)):
                current.columns.append(c)
            else:
                current = None
        else:
            current = None
    return groups


def _classify(label: str, raw: str) -> tuple[str, bool] | None:
    """What a sub-heading names: (``plan`` | ``realization`` | ``fisik`` | ``ignored``, to date), or None."""
    to_date = bool(_TO_DATE.search(label))
    if "fisik" in label:
        return ("ignored", False) if _PLAN.search(label) else ("fisik", False)
    if _PLAN.search(label):
        return "plan", to_date
    if _PERCENT.search(raw) or _PERCENT.search(label) or _IGNORED.search(label):
        return "ignored", False
    if _REALIZATION.search(label):
        return "realization", to_date
    return None


def _read_groups(grid: Grid, groups: list[MonthGroup], merges: Merges, month_row: int, rows: range) -> None:
    """Fill each group's columns from its sub-headings; a group that cannot be told is an InputError."""
    issues: list[InputIssue] = []
    seen: dict[int, MonthGroup] = {}
    for group in groups:
        where = (group.row, group.col)
        if group.month in seen:
            other = seen[group.month]
            issues.append(
                grid.issue(
                    "month_columns.month_twice",
                    *where,
                    month=group.heading,
                    other=f"{column_letter(other.col)}{other.row + 1}",
                )
            )
            continue
        seen[group.month] = group
        told = 0
        for c in group.columns:
            raw, first = _column_text(grid, merges, rows, c, month_row)
            if not raw:
                continue
            told += 1
            kind = _classify(normalize_label(raw), raw)
            if kind is None:
                issues.append(
                    grid.issue("month_columns.sub_heading_unknown", first, c, value=raw, month=group.heading)
                )
                continue
            what, to_date = kind
            name = {
                "realization": "realisasi_sd_bulan_ini_rp" if to_date else "realisasi_bulan_ini_rp",
                "plan": "plan",
                "fisik": "fisik",
            }.get(what)
            if name is None:
                continue
            taken = group.realization.get(name) if what == "realization" else getattr(group, name)
            if taken is not None:
                issues.append(
                    grid.issue("month_columns.sub_heading_twice", first, c, value=raw, month=group.heading)
                )
            elif what == "realization":
                group.realization[name] = c
            elif what == "plan":
                group.plan, group.plan_to_date = c, to_date
            else:
                group.fisik = c
        if not told:
            issues.append(grid.issue("month_columns.month_no_columns", *where, month=group.heading))
        elif not group.realization and not any(i.column in group.letters for i in issues):
            issues.append(grid.issue("month_columns.no_realization", *where, month=group.heading))
    if issues:
        raise InputError(issues)


def read_header(grid: Grid) -> MonthColumnsHeader | None:
    """The header of a sheet with the months side by side; None when the sheet has no such header.

    The sheet has it when a row of the header area names two or more months and a code column stands
    left of them; a header that has it but cannot be read (a month twice, a month over no columns, a
    sub-heading not told, no name or budget column) is an InputError naming the cell.
    """
    month_row = find_month_row(grid)
    if month_row is None:
        return None
    merges = _merged_values(grid, range(max(month_row - 1, 0), month_row + 1 + _SUB_ROWS))
    groups = _month_groups(grid, month_row, merges)
    if len(groups) < 2:
        return None
    first_month_col = min(group.columns[0] for group in groups)
    fixed: dict[str, int] = {}
    budgets: list[int] = []
    for top in range(month_row, max(month_row - 2, -1), -1):  # over the month row, else one row above
        fixed, budgets = {}, []
        for c in range(first_month_col):
            label = normalize_label(_column_text(grid, merges, range(top, month_row + 2), c, -1)[0])
            name = REALIZATION_MATCH(label) if label else None
            if name in ("anggaran_rp", "anggaran_murni_rp") or (label and _BUDGET.match(label)):
                budgets.append(c)
            elif name in _FIXED_FIELDS and name not in fixed:
                fixed[name] = c
        if "kode" in fixed:
            break
    if "kode" not in fixed:
        return None
    sub_count = _sub_rows(grid, month_row, fixed["kode"])
    sub_range = range(month_row + 1, month_row + 1 + sub_count)
    missing = [
        grid.issue("header.missing_column", month_row, column=COLUMN_TITLES[name])
        for name, found in (("uraian", "uraian" in fixed), ("anggaran_rp", bool(budgets)))
        if not found
    ]
    if missing:
        raise InputError(missing)
    _read_groups(grid, groups, merges, month_row, sub_range)
    header = Header(month_row, sub_range.stop, [])
    skip_number_row(grid, header)
    return MonthColumnsHeader(header.data_start, fixed, budgets, sorted(groups, key=lambda g: g.month))


def _filled(values: Sequence[object]) -> bool:
    """True when any of ``values`` is a non-empty cell."""
    return any(not is_empty(v) for v in values)


def read_month_columns(
    book: Book, sheet: str, *, opd: str | None = None, year: int | None = None
) -> list[MonthRead] | None:
    """The months of a sheet with the months side by side, oldest first; None when it is not one.

    A month that cannot be read is a ``PartError`` beside the others; a problem of the header, the
    header block, the codes or the budget columns raises ``InputError`` (the whole file).
    """
    grid = book.grid(sheet)
    header = read_header(grid)
    if header is None:
        return None
    meta = read_meta(grid, min(g.row for g in header.groups), with_month=False)
    issues = list(meta.issues)
    opd_code, opd_name = resolve_opd(grid, meta, opd, issues)
    the_year = resolve_number(grid, meta.year, None if year is None else int(year), "Tahun anggaran", issues)
    fixed = header.fixed
    month_cols = [c for group in header.groups for c in group.columns]
    realization_cols = [c for group in header.groups for c in group.realization.values()]
    table = table_rows(
        grid,
        header.data_start,
        fixed["kode"],
        fixed["uraian"],
        sorted({*fixed.values(), *header.budgets, *month_cols}),
        [*header.budgets, *realization_cols],
        issues,
    )
    sections = find_source_blocks(
        grid,
        table,
        header.data_start,
        fixed["kode"],
        fixed["uraian"],
        [*header.budgets, *realization_cols],
        issues,
    )
    if sections is not None:  # funding-source sections: each month's blocks checked and merged below
        table = sections.table
    rows = table.rows
    shared: list[InputIssue] = []  # bad cells every month shares: the budgets
    budgets = {c: number_column(grid, rows, c, False, shared) for c in header.budgets}
    cell_range = range(header.data_start, table.last_row + 1)
    xml = xml_issues(grid, cell_range, sorted({*fixed.values(), *header.budgets, *month_cols}))
    shared.extend(i for i in xml if not any(i.column in g.letters for g in header.groups))
    issues.extend(sorted_issues(shared))
    if issues:
        raise InputError(issues)
    in_force = next((c for c in reversed(header.budgets) if np.any(budgets[c] != 0)), header.budgets[-1])
    base = {**fixed, "anggaran_rp": in_force}
    if len(header.budgets) > 1:
        base["anggaran_murni_rp"] = header.budgets[0]

    own_xml = {g.month: [i for i in xml if i.column in g.letters] for g in header.groups}
    reported = [
        g
        for g in header.groups
        if own_xml[g.month] or any(_filled(column_values(grid, rows, c)) for c in g.realization.values())
    ]
    if not reported:
        raise InputError([grid.issue("month_columns.nothing_reported", header.data_start)])
    last = max(g.month for g in reported)
    plans = _month_plans(grid, rows, header.groups, last)
    found: list[MonthRead] = []
    for group in header.groups:
        if group.month > last:
            break
        fields: dict[str, int | None] = {**base, **group.realization, "fisik_pct": group.fisik}
        if group.plan is not None and group.plan_to_date:
            fields["anggaran_kas_sd_bulan_ini_rp"] = group.plan
        month_issues: list[InputIssue] = []
        lines = lines_frame(grid, table, fields, month_issues)
        month_issues.extend(own_xml[group.month])
        cumulated, plan_issues = plans.get(group.month, (None, []))
        month_issues.extend(plan_issues)
        if cumulated is not None and not month_issues:
            lines["anggaran_kas_sd_bulan_ini_rp"] = cumulated
            fields["anggaran_kas_sd_bulan_ini_rp"] = group.plan
        sources = None
        if sections is not None and not month_issues:  # blocks are checked on readable amounts only
            lines, sources = source_lines(grid, sections, lines, fields, month_issues)
        if month_issues:
            found.append(PartError(group.heading, group.month, InputError(sorted_issues(month_issues))))
            continue
        found.append(
            RealizationWorkbook(
                warnings=cleaned_cells(grid),
                path=book.path,
                sheet=grid.sheet,
                opd_code=opd_code,
                opd_name=opd_name,
                year=the_year,
                month=group.month,
                lines=lines,
                columns={
                    name: column_letter(col)
                    for name, col in sorted(fields.items(), key=lambda kv: kv[1] or 0)
                    if col is not None
                },
                sha256=book.sha256,
                header_cells={
                    **header_cell_refs(meta),
                    "month": f"{column_letter(group.col)}{group.row + 1}",
                },
                government=meta.government.value if meta.government else "",
                part=group.heading,
                sources=sources,
            )
        )
    return found


def _month_plans(
    grid: Grid, rows: list[int], groups: list[MonthGroup], last: int
) -> dict[int, tuple[np.ndarray | None, list[InputIssue]]]:
    """Per month up to ``last`` given a per-month plan: the plan cumulated to that month, and the bad
    plan cells it sums (a month's plan is known when every month up to it gives one; else None)."""
    by_month = {g.month: g for g in groups}
    plans: dict[int, tuple[np.ndarray | None, list[InputIssue]]] = {}
    total: np.ndarray | None = np.zeros(len(rows))
    issues: list[InputIssue] = []
    for month in range(1, last + 1):
        group = by_month.get(month)
        if group is None or group.plan is None or group.plan_to_date:
            total = None
        else:
            values = number_column(grid, rows, group.plan, False, issues)
            total = None if total is None else total + np.nan_to_num(values)
        if group is not None and group.plan is not None and not group.plan_to_date:
            plans[month] = (total, list(issues))
    return plans
