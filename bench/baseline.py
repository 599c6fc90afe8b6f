"""The cheapest correct way to do the monthly flow's work: the bar the real pipeline is measured against.

``run_baseline(paths, url)`` reads, validates and loads a batch of monthly realization workbooks of the
fixed layout that every benchmark file shares (``sakip.sample``: header block ``SKPD : <code> <name>`` /
``Tahun Anggaran : <year>`` / ``Bulan : <month>`` in A3:A5, a two-row table header in rows 7-8, columns
A Kode, B Uraian, C Anggaran Murni, D Anggaran, E Anggaran Kas s.d. Bulan Ini, F Realisasi Bulan Ini,
G Realisasi s.d. Bulan Ini, H Fisik (%), I Sumber Dana, data from row 9 down to the ``JUMLAH`` row, full
codes, numeric amounts), in one process, serially, without Prefect and without Great Expectations:

1. **read**: each file's bytes once (their sha256), python-calamine for the cell values, the header
   block from its fixed cells, the table from its fixed columns; all files stacked into ONE DataFrame.
   Text work (code shape, parent codes, cleaning) is done once per distinct value (``pd.factorize``),
   never per row.
2. **validate**: the rules of ``expectations/suites/realisasi_bulanan.json`` (+ ``expectations/custom.py``)
   as vectorized numpy/pandas over the stacked frame; tree keys are integer ids, so "parent present",
   "no duplicate" and "subtotal = sum of children" are ``isin`` / ``duplicated`` / ``groupby`` on int64
   keys. The month-to-month rules follow the pipeline's order: periods oldest first, a month's
   predecessor counts only when it passed (else the warehouse's copy of that month, if any).
3. **load**: ONE transaction for the batch; each table gets ONE bulk insert. Dimensions and
   ``load_batch``: one ``executemany`` of ``insert(Table).returning(id)`` each. Fact tables, by
   ``insert_method``: ``executemany`` (``conn.execute(insert(Table), list_of_dicts)``), ``driver`` (SQLite:
   one ``cursor.executemany`` of row tuples, without SQLAlchemy's per-row parameter processing) or
   ``copy`` (PostgreSQL: ``COPY ... FROM STDIN (FORMAT csv)`` through psycopg ``cursor.copy``, the CSV
   written by pandas). Measured on 600 files (12 sample months x 50 OPDs, 22,800 fact rows), load stage:
   SQLite ``driver`` ~0.17 s vs ``executemany`` ~0.33 s; PostgreSQL ``copy`` ~0.8 s vs ``executemany``
   ~1.4 s (most of what remains is the server checking foreign keys and unique indexes). ``auto`` picks
   the faster: ``copy`` on PostgreSQL, ``driver`` on SQLite.

The warehouse is written exactly as ``tasks.load.realization.load_realization`` (plus
``record_rejection`` for the rejected files) would leave it after loading the same files into it:
``opd``, ``period`` and ``budget_item`` rows when new, one ``load_batch`` per file (``loaded``, or
``rejected`` with the broken rules as message), ``fact_realization`` per sub kegiatan,
``fact_realization_account`` per leaf account, ``fact_budget`` per OPD-year recomputed over every loaded
month of the year. Replacing an OPD-month that is already loaded (revision history) is outside the
baseline: it raises ``NotImplementedError``.

Deliberate simplifications, valid for the fixed layout: the sheet XML is not scanned for formulas
without a cached value; amounts are numbers (text that is not a plain number rejects the file);
``d.dd`` codes are urusan (no short codes).

Run ``python bench/baseline.py FILES... --url URL`` to print the stage times.
"""

from __future__ import annotations

import argparse
import getpass
import io
import math
import os
import re
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine
from sqlalchemy import Connection, Engine, delete, insert, select, tuple_

from sakip.sample import REALIZATION_LAYOUT, header_cells
from tasks.core.codes import CODE_PATTERNS, TOTAL_PATTERN
from tasks.core.columns import REALIZATION, column
from tasks.core.files import sha256_of
from tasks.core.staging import CORRECTION_MARKERS, HIERARCHY_LEVELS
from tasks.core.subtotals import RUPIAH_TOLERANCE
from tasks.extract.fields import MONTHS
from warehouse.db import make_engine
from warehouse.models import (
    BudgetItem,
    FactBudget,
    FactRealization,
    FactRealizationAccount,
    LoadBatch,
    Opd,
    Period,
)

#: the columns of every benchmark file, in sheet order (``sakip.sample``'s layout, named by the spec)
LAYOUT = REALIZATION_LAYOUT
#: the amount columns, in sheet order (C..G), and their indexes
AMOUNTS = tuple(name for name in LAYOUT if column(REALIZATION, name).type == "amount")
AMOUNT_COLUMNS = [LAYOUT.index(name) for name in AMOUNTS]
CODE_COLUMN, NAME_COLUMN = LAYOUT.index("kode"), LAYOUT.index("uraian")
FISIK_COLUMN, SOURCE_COLUMN = LAYOUT.index("fisik_pct"), LAYOUT.index("sumber_dana")
FIRST_DATA_ROW = 9  # 1-based
WIDTH = len(LAYOUT)  # columns A..I
#: normalized labels of header rows 7 and 8, from the spec's headings (a file of another layout is
#: rejected, never misread): row 8 holds the labels under a group, between its first and last column
_CELLS = header_cells(LAYOUT)
HEADER_ROW_7 = tuple(
    next((top.lower() for first, _last, top, _bottom in _CELLS if first == col and top), "")
    for col in range(WIDTH)
)
_GROUPED = [(first, bottom.lower()) for first, _last, _top, bottom in _CELLS if bottom]
GROUPED_COLUMNS = slice(_GROUPED[0][0], _GROUPED[-1][0] + 1)
HEADER_ROW_8 = tuple(label for _first, label in _GROUPED)
#: the level patterns of tasks.core.codes, tried in order (first match wins); the suite's
#: ``code.malformed`` rule checks the same patterns (expectations.custom uses them too)
LEVEL_PATTERNS = tuple((level, re.compile(pattern)) for level, pattern in CODE_PATTERNS.items())
SUITE_PATTERNS = dict(LEVEL_PATTERNS)
HIERARCHY = HIERARCHY_LEVELS
PARENT_SEGMENTS = {"urusan": 0, "program": 2, "kegiatan": 3, "sub_kegiatan": 5}
BUDGET_SOURCE = ("opd_id", "year", "budget_item_id", "month", "anggaran_rp", "anggaran_murni_rp")
TOLERANCE = RUPIAH_TOLERANCE

# level codes in the frame (small ints; LEVEL_NAMES[code])
LEVEL_NAMES = ("", "urusan", "program", "kegiatan", "sub_kegiatan", "rekening", "total")
NONE, URUSAN, PROGRAM, KEGIATAN, SUB, REKENING, TOTAL = range(7)

_OPD = re.compile(
    r"^(?:nama\s+)?(?:skpd|opd|perangkat\s+daerah)\b\.?\s*:?\s*(\d+(?:\.\d+){2,})\s*[-–:]?\s*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_YEAR = re.compile(r"^tahun(?:\s+anggaran)?\b\.?\s*:?.*?\b((?:19|20)\d{2})\b", re.IGNORECASE | re.DOTALL)
_MONTH = re.compile(r"^bulan\b\.?\s*:?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_TOTAL = TOTAL_PATTERN
_SPACES = re.compile(r"\s+")


@dataclass
class BaselineResult:
    """Seconds per stage and what the batch held."""

    read: float
    validate: float
    load: float
    files: int
    rows: int  # table rows read (all files, header block excluded, total rows included)
    rejected: int  # files failing a check (not loaded)
    loaded: int = 0
    warnings: int = 0  # rows breaking the suite's warning rule (period.budget_changed); not blocking
    insert_method: str = ""
    fact_rows: int = 0  # fact_realization rows written
    issues: dict[str, list[str]] = field(default_factory=dict)  # rejected file name -> broken rules

    @property
    def total(self) -> float:
        """Seconds of the three stages together."""
        return self.read + self.validate + self.load


# --------------------------------------------------------------------------------------------------
# read


@dataclass
class _Batch:
    """The stacked table of a batch and one entry per file."""

    frame: pd.DataFrame  # one row per table row
    names: list[str]
    sha256: list[str]
    opd_code: list[str]
    opd_name: list[str]
    year: np.ndarray  # int64, 0 when unknown
    month: np.ndarray
    issues: list[set[str]]  # per file, rules broken (read stage first)
    kode_text: np.ndarray  # object: kode id -> cleaned code text
    kode_level: np.ndarray  # int8: kode id -> level code


def _text(value: object) -> str:
    """Cell text as the reader shows it: spaces collapsed, integral floats without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return _SPACES.sub(" ", str(value)).strip()


def _label(value: object) -> str:
    """A header label, lower case with single spaces."""
    return _SPACES.sub(" ", str(value or "")).strip().lower()


def _header(rows: list[list[object]], issues: set[str]) -> tuple[str, str, int, int]:
    """(OPD code, OPD name, year, month) from the fixed header cells A3, A4, A5."""
    cell = [_text(rows[r][0]) if r < len(rows) and rows[r] else "" for r in range(8)]
    opd = _OPD.match(cell[2])
    year = _YEAR.match(cell[3])
    month_key = _MONTH.match(cell[4])
    months = (
        [MONTHS[w] for w in re.findall(r"[a-z]+", month_key.group(1).lower()) if w in MONTHS]
        if month_key
        else []
    )
    if not opd or not year or not month_key:
        issues.add("header.meta_missing")
    elif not months:
        issues.add("header.month_unknown")
    labels7 = tuple(_label(v) for v in (rows[6] if len(rows) > 6 else ())[:WIDTH])
    labels8 = tuple(_label(v) for v in (rows[7] if len(rows) > 7 else ())[GROUPED_COLUMNS])
    if labels7 != HEADER_ROW_7 or labels8 != HEADER_ROW_8:
        issues.add("header.layout")
    return (
        opd.group(1) if opd else "",
        opd.group(2).strip(" -–:") if opd else "",
        int(year.group(1)) if year else 0,
        months[0] if months else 0,
    )


def _read_files(paths: Sequence[Path]) -> tuple[list, list[int], dict[str, list]]:
    """Per file: the table cells as an (n, 9) object array; the header fields and read issues."""
    tables: list[np.ndarray] = []
    lengths: list[int] = []
    meta: dict[str, list] = {k: [] for k in ("names", "sha256", "opd_code", "opd_name", "year", "month")}
    meta["issues"] = []
    for path in paths:
        path = Path(path)
        issues: set[str] = set()
        table = np.empty((0, WIDTH), dtype=object)
        header = ("", "", 0, 0)
        sha = ""
        try:
            data = path.read_bytes()
            sha = sha256_of(data)
            # one read of the bytes serves the hash and calamine (faster than from_path + a second read)
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception:  # calamine raises several types for a file that is not a workbook
            issues.add("file.not_workbook")
        else:
            header = _header(rows, issues)
            if len(rows) >= FIRST_DATA_ROW:
                table = np.array(rows[FIRST_DATA_ROW - 1 :], dtype=object)
                if table.ndim != 2:  # ragged rows (calamine pads, so not expected)
                    table = np.array([list(r[:WIDTH]) + [""] * (WIDTH - len(r)) for r in table], dtype=object)
                if table.shape[1] < WIDTH:
                    pad = np.full((len(table), WIDTH - table.shape[1]), "", dtype=object)
                    table = np.hstack([table, pad])
                table = table[:, :WIDTH]
        tables.append(table)
        lengths.append(len(table))
        for key, value in zip(
            ("names", "sha256", "opd_code", "opd_name", "year", "month", "issues"),
            (path.name, sha, *header, issues),
            strict=True,
        ):
            meta[key].append(value)
    return tables, lengths, meta


def _clean_code(value: object) -> str:
    """A code cell as text without spaces and without a trailing dot."""
    if isinstance(value, str):
        return _SPACES.sub("", value).rstrip(".")
    return _text(value)


def _level(code: str) -> int:
    """Level code of a cleaned code text (NONE when it fits no level)."""
    if not code:
        return NONE
    if _TOTAL.match(code):
        return TOTAL
    for number, (_name, pattern) in enumerate(LEVEL_PATTERNS, start=1):
        if pattern.fullmatch(code):
            return number
    return NONE


def _numbers(cells: np.ndarray, blank: float) -> tuple[np.ndarray, np.ndarray]:
    """Float array of numeric cells (empty -> ``blank``) and the mask of cells that are not numbers."""
    empty = (cells == "") | pd.isna(cells)
    filled = np.where(empty, blank, cells)
    try:
        return filled.astype(np.float64), np.zeros(cells.shape, dtype=bool)
    except (TypeError, ValueError):  # some text: the slow path, still vectorized per column
        dash = np.isin(cells, ["-", "–", "—"])
        filled = np.where(dash, blank, filled)
        frame = pd.DataFrame(filled).apply(pd.to_numeric, errors="coerce")
        values = frame.to_numpy(dtype=np.float64).reshape(cells.shape)
        is_bool = np.vectorize(lambda v: isinstance(v, bool), otypes=[bool])(cells) if cells.size else empty
        bad = (np.isnan(values) & ~empty & ~dash) | is_bool
        return np.where(bad, np.nan, values), bad


def _factorized_text(cells: np.ndarray) -> pd.Categorical:
    """Cells as categorical display text, cleaned once per distinct value."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=False)
    texts = pd.Index([_text(v) for v in uniques], dtype=object)
    clean_codes, clean_uniques = pd.factorize(texts, use_na_sentinel=False)
    return pd.Categorical.from_codes(clean_codes[codes], categories=pd.Index(clean_uniques, dtype=object))


def read_batch(paths: Sequence[Path]) -> _Batch:
    """Read every file and stack its table rows (row 9 down to the JUMLAH row) into one frame."""
    tables, lengths, meta = _read_files(paths)
    lengths_arr = np.asarray(lengths, dtype=np.int64)
    cells = np.concatenate(tables) if tables else np.empty((0, WIDTH), dtype=object)
    fid = np.repeat(np.arange(len(tables), dtype=np.int64), lengths_arr)
    starts = np.concatenate([[0], np.cumsum(lengths_arr)[:-1]]) if len(tables) else np.zeros(0, np.int64)
    row = np.arange(len(cells), dtype=np.int64) - np.repeat(starts, lengths_arr) + FIRST_DATA_ROW

    raw_ids, raw_uniques = pd.factorize(cells[:, CODE_COLUMN], use_na_sentinel=False)
    clean = pd.Index([_clean_code(v) for v in raw_uniques], dtype=object)
    clean_ids, kode_text = pd.factorize(clean, use_na_sentinel=False)
    kode_text = np.asarray(kode_text, dtype=object)
    kode_level = np.array([_level(c) for c in kode_text], dtype=np.int8)
    kode_id = clean_ids[raw_ids]
    level = kode_level[kode_id] if len(kode_id) else np.zeros(0, np.int8)
    uraian = _factorized_text(cells[:, NAME_COLUMN])
    blank_code = kode_text[kode_id] == "" if len(kode_id) else np.zeros(0, bool)
    # a row without a code whose uraian reads JUMLAH/TOTAL is the total row
    if blank_code.any():
        total_names = np.array([bool(_TOTAL.match(c)) for c in uraian.categories], dtype=bool)
        level = np.where(blank_code & total_names[uraian.codes], TOTAL, level).astype(np.int8)

    # keep rows up to the file's first total row
    is_total = (level == TOTAL).astype(np.int64)
    running = np.cumsum(is_total)
    totals_before_file = np.concatenate([[0], running])[starts]
    inside = running - is_total - np.repeat(totals_before_file, lengths_arr) == 0

    amounts, bad_amounts = _numbers(cells[:, AMOUNT_COLUMNS], 0.0)
    fisik, bad_fisik = _numbers(cells[:, FISIK_COLUMN], math.nan)
    has_amount = (amounts != 0).any(axis=1) | bad_amounts.any(axis=1)
    no_code = (level == NONE) & blank_code
    malformed = (level == NONE) & ~blank_code
    issues: list[set[str]] = meta["issues"]
    keep = inside & ~no_code
    for rule, mask in (
        ("code.missing", inside & no_code & has_amount),
        ("code.malformed", keep & malformed),
        ("cell.not_number", keep & (bad_amounts.any(axis=1) | bad_fisik)),
    ):
        for f in np.unique(fid[mask]):
            issues[f].add(rule)

    fid, row, kode_id, level = fid[keep], row[keep], kode_id[keep], level[keep]
    amounts, fisik = amounts[keep], fisik[keep]
    sumber = _factorized_text(cells[keep, SOURCE_COLUMN])
    uraian = uraian[keep]
    # the sub kegiatan of each account row: the last sub kegiatan above it, reset by any higher level
    n = len(fid)
    first = np.ones(n, dtype=bool)
    first[1:] = fid[1:] != fid[:-1]
    marker = np.where(level == SUB, kode_id, np.where((level == REKENING) & ~first, -2, -1))
    position = np.where(marker != -2, np.arange(n), 0)
    np.maximum.accumulate(position, out=position)
    sub_id = np.where(level == REKENING, marker[position], np.where(level == SUB, kode_id, -1))
    for f in np.unique(fid[(level == REKENING) & (sub_id < 0)]):
        issues[f].add("code.orphan")

    # text columns are categoricals over the distinct values: no per-row strings are ever built
    shown_codes = pd.Index(np.where(kode_level == TOTAL, "", kode_text), dtype=object)
    frame = pd.DataFrame(
        {
            "file": pd.Categorical.from_codes(fid, categories=pd.RangeIndex(len(tables))).rename_categories(
                lambda i: meta["names"][i]
            )
            if len(set(meta["names"])) == len(meta["names"])
            else np.asarray(meta["names"], dtype=object)[fid],
            "row": row,
            "kode": pd.Categorical.from_codes(kode_id, dtype=pd.CategoricalDtype(shown_codes.unique()))
            if shown_codes.is_unique
            else shown_codes[kode_id],
            "level": pd.Categorical.from_codes(level, categories=pd.Index(LEVEL_NAMES, dtype=object)),
            "uraian": uraian,
            "sub_kegiatan_kode": pd.Categorical.from_codes(
                sub_id, categories=pd.Index(kode_text, dtype=object)
            ),
            **{name: amounts[:, i] for i, name in enumerate(AMOUNTS)},
            "fisik_pct": fisik,
            "sumber_dana": sumber,
            # integer twins of the columns above, for the vectorized rules
            "fid": fid,
            "kode_id": kode_id,
            "level_code": level,
            "sub_id": sub_id,
        }
    )
    return _Batch(
        frame=frame,
        names=meta["names"],
        sha256=meta["sha256"],
        opd_code=meta["opd_code"],
        opd_name=meta["opd_name"],
        year=np.asarray(meta["year"], dtype=np.int64),
        month=np.asarray(meta["month"], dtype=np.int64),
        issues=issues,
        kode_text=kode_text,
        kode_level=kode_level,
    )


# --------------------------------------------------------------------------------------------------
# validate


@dataclass
class _Tree:
    """Integer tree keys per row: node and parent key ids (-1: no parent) and leaf accounts."""

    node: np.ndarray
    parent: np.ndarray
    leaf_account: np.ndarray
    vocabulary: dict[str, int]


def _tree(batch: _Batch) -> _Tree:
    """Node key and parent key of every row as ids of one vocabulary of key strings (tasks.core.hierarchy)."""
    frame = batch.frame
    fid = frame["fid"].to_numpy()
    level = frame["level_code"].to_numpy()
    kode_id = frame["kode_id"].to_numpy()
    sub_id = frame["sub_id"].to_numpy()
    vocabulary: dict[str, int] = {}

    def key(text: str) -> int:
        return vocabulary.setdefault(text, len(vocabulary))

    texts = batch.kode_text
    levels = batch.kode_level
    node_of_kode = np.array(
        [key("" if lv == TOTAL else t) for t, lv in zip(texts, levels, strict=True)], dtype=np.int64
    )
    parent_of_kode = np.full(len(texts), -1, dtype=np.int64)
    for i, (t, lv) in enumerate(zip(texts, levels, strict=True)):
        name = LEVEL_NAMES[lv]
        if name in PARENT_SEGMENTS:
            parent_of_kode[i] = key(".".join(t.split(".")[: PARENT_SEGMENTS[name]]))
    empty_key = key("")
    node = node_of_kode[kode_id] if len(kode_id) else np.zeros(0, np.int64)
    parent = parent_of_kode[kode_id] if len(kode_id) else np.zeros(0, np.int64)
    # a program's parent is "" in a file without urusan rows
    has_urusan = np.bincount(fid[level == URUSAN], minlength=len(batch.names)) > 0
    parent = np.where((level == PROGRAM) & ~has_urusan[fid], empty_key, parent)

    accounts = np.flatnonzero((level == REKENING) & (sub_id >= 0))
    leaf = np.zeros(len(frame), dtype=bool)
    if len(accounts):
        n_kode = len(texts)
        pair = sub_id[accounts] * n_kode + kode_id[accounts]
        pairs, inverse = np.unique(pair, return_inverse=True)
        pair_sub, pair_kode = pairs // n_kode, pairs % n_kode
        pair_node = np.array(
            [key(f"{texts[s]}/{texts[k]}") for s, k in zip(pair_sub, pair_kode, strict=True)], dtype=np.int64
        )
        node[accounts] = pair_node[inverse]
        depth = max(texts[k].count(".") + 1 for k in pair_kode)
        # candidate parents, nearest first: "<sub>/<code cut to k segments>" (-1 when never a key)
        candidates = np.full((len(pairs), depth), -1, dtype=np.int64)
        for j, (s, k) in enumerate(zip(pair_sub, pair_kode, strict=True)):
            parts = texts[k].split(".")
            for cut in range(len(parts) - 1, 0, -1):
                candidates[j, len(parts) - 1 - cut] = vocabulary.get(
                    f"{texts[s]}/{'.'.join(parts[:cut])}", -1
                )
        v = len(vocabulary)
        known = np.unique(fid[accounts] * v + node[accounts])
        found = np.full(len(accounts), -1, dtype=np.int64)
        for step in range(depth):
            cand = candidates[inverse, step]
            hit = (found < 0) & (cand >= 0) & np.isin(fid[accounts] * v + cand, known)
            found[hit] = cand[hit]
        parent[accounts] = np.where(found >= 0, found, node_of_kode[sub_id[accounts]])
        parents_of_accounts = np.unique(fid[accounts] * v + parent[accounts])
        leaf[accounts] = ~np.isin(fid[accounts] * v + node[accounts], parents_of_accounts)
    parent = np.where(level == TOTAL, -1, parent)
    return _Tree(node=node, parent=parent, leaf_account=leaf, vocabulary=vocabulary)


def _files_of(fid: np.ndarray, mask: np.ndarray, n_files: int) -> np.ndarray:
    """Per file: True when any of its rows is in ``mask``."""
    return np.bincount(fid[mask], minlength=n_files) > 0


def _previous_from_warehouse(conn: Connection | None, batch: _Batch) -> pd.DataFrame:
    """Sub kegiatan rows already in the warehouse for the batch's OPDs and years (opd, year, month, kode)."""
    columns = ["opd_code", "year", "month", "kode", "prev_sd", "prev_anggaran"]
    if conn is None or not batch.opd_code:
        return pd.DataFrame(columns=columns)
    query = (
        select(
            Opd.code,
            Period.year,
            Period.month,
            BudgetItem.code,
            FactRealization.realisasi_sd_bulan_ini_rp,
            FactRealization.anggaran_rp,
        )
        .join(FactRealization, FactRealization.opd_id == Opd.id)
        .join(Period, Period.id == FactRealization.period_id)
        .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
        .where(
            Opd.code.in_(sorted(set(batch.opd_code))), Period.year.in_(sorted({int(y) for y in batch.year}))
        )
    )
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


def validate_batch(
    batch: _Batch,
    conn: Connection | None = None,
    *,
    year: int | None = None,
    month: int | None = None,
    known_opds: Collection[str] | None = None,
    corrections: bool = False,
) -> tuple[np.ndarray, _Tree, int]:
    """Per file: True when it passes every blocking rule; the tree keys; the number of warning rows."""
    frame = batch.frame
    n_files = len(batch.names)
    fid = frame["fid"].to_numpy()
    level = frame["level_code"].to_numpy()
    tree = _tree(batch)
    v = max(len(tree.vocabulary), 1)
    node_key = fid * v + tree.node
    amounts = frame[list(AMOUNTS)].to_numpy()
    murni, anggaran, kas, bulan, sd = amounts.T
    fisik = frame["fisik_pct"].to_numpy()
    failed: dict[str, np.ndarray] = {}

    # code.malformed: every code fits the suite's pattern of its level
    fits = np.array(
        [
            lv in (NONE, TOTAL) or bool(SUITE_PATTERNS[LEVEL_NAMES[lv]].fullmatch(t))
            for t, lv in zip(batch.kode_text, batch.kode_level, strict=True)
        ],
        dtype=bool,
    )
    failed["code.malformed"] = ~fits[frame["kode_id"].to_numpy()] | (level == NONE)
    # code.duplicate: one row per node key and file (the total row aside)
    not_total = level != TOTAL
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[not_total] = pd.Series(node_key[not_total]).duplicated(keep=False).to_numpy()
    failed["code.duplicate"] = duplicate
    # code.orphan: the parent is a row of the same file
    top = (tree.parent < 0) | (tree.parent == tree.vocabulary.get("", -1))
    failed["code.orphan"] = ~top & ~np.isin(fid * v + tree.parent, node_key)
    # amounts
    failed["amount.negative"] = (amounts < 0).any(axis=1)
    failed["amount.realization_over_budget"] = sd > anggaran
    failed["amount.month_over_cumulative"] = bulan > sd
    failed["amount.kas_over_budget"] = kas > anggaran
    failed["amount.fisik_range"] = (fisik < 0) | (fisik > 100)
    # amount.subtotal_mismatch: groupby (file, parent) against (file, node)
    has_parent = tree.parent >= 0
    sums = pd.DataFrame(np.nan_to_num(amounts[has_parent])).groupby((fid * v + tree.parent)[has_parent]).sum()
    position = sums.index.get_indexer(node_key)
    with_children = position >= 0
    expected = sums.to_numpy()[position[with_children]]
    mismatch = np.zeros(len(frame), dtype=bool)
    mismatch[with_children] = (np.abs(np.nan_to_num(amounts[with_children]) - expected) > TOLERANCE).any(
        axis=1
    )
    failed["amount.subtotal_mismatch"] = mismatch

    per_file = {rule: _files_of(fid, mask, n_files) for rule, mask in failed.items()}
    opd = np.asarray(batch.opd_code, dtype=object)
    per_file["header.meta_missing"] = ~np.array([bool(re.fullmatch(r"\d+(?:\.\d+)+", c)) for c in opd], bool)
    if year is not None:
        per_file["period.wrong_year"] = batch.year != year
    if month is not None:
        per_file["period.wrong_month"] = batch.month != month
    if known_opds is not None:
        per_file["period.opd_unknown"] = ~np.isin(opd, list(known_opds))
    read_ok = np.array([not issues for issues in batch.issues], dtype=bool)
    files = pd.DataFrame({"opd": opd, "year": batch.year, "month": batch.month})
    duplicate_period = np.zeros(n_files, dtype=bool)
    duplicate_period[read_ok] = files[read_ok].duplicated(keep="first").to_numpy()
    per_file["batch.duplicate_period"] = duplicate_period
    for rule, bad in per_file.items():
        for f in np.flatnonzero(bad & read_ok):
            batch.issues[f].add(rule)
    ok = read_ok & ~np.logical_or.reduce(list(per_file.values()))

    # month to month: periods oldest first; the previous month counts when it passed (else the warehouse's)
    subs = frame.loc[level == SUB, ["fid", "kode_id", "anggaran_rp", "realisasi_bulan_ini_rp"]].copy()
    subs["realisasi_sd_bulan_ini_rp"] = sd[level == SUB]
    subs["anggaran_murni_rp"] = murni[level == SUB]
    subs_fid = subs["fid"].to_numpy()
    subs["opd"], subs["year"], subs["month"] = opd[subs_fid], batch.year[subs_fid], batch.month[subs_fid]
    stored = _previous_from_warehouse(conn, batch)
    kode_ids = {text: i for i, text in enumerate(batch.kode_text)}
    stored["kode_id"] = stored["kode"].map(kode_ids)
    stored = stored.dropna(subset=["kode_id"]).astype(
        {"kode_id": np.int64, "year": np.int64, "month": np.int64}
    )
    correction = np.array(
        [corrections or any(m in Path(n).stem.lower() for m in CORRECTION_MARKERS) for n in batch.names]
    )
    passed_periods: set[tuple[str, int, int]] = set()
    pool: list[pd.DataFrame] = []
    warnings = 0
    periods = sorted(
        {(int(y), int(m)) for y, m, r in zip(batch.year, batch.month, read_ok, strict=True) if r}
    )
    for y, m in periods:
        group = np.flatnonzero(read_ok & (batch.year == y) & (batch.month == m))
        current = subs[np.isin(subs_fid, group)]
        if m > 1:
            from_batch = pd.concat(pool) if pool else subs.iloc[:0]
            from_batch = from_batch[(from_batch["year"] == y) & (from_batch["month"] == m - 1)]
            in_batch = {o for o, yy, mm in passed_periods if (yy, mm) == (y, m - 1)}
            from_store = stored[
                (stored["year"] == y) & (stored["month"] == m - 1) & ~stored["opd_code"].isin(in_batch)
            ]
            previous = pd.concat(
                [
                    from_batch[["opd", "kode_id", "realisasi_sd_bulan_ini_rp", "anggaran_rp"]].set_axis(
                        ["opd", "kode_id", "prev_sd", "prev_anggaran"], axis=1
                    ),
                    from_store[["opd_code", "kode_id", "prev_sd", "prev_anggaran"]].rename(
                        columns={"opd_code": "opd"}
                    ),
                ]
            ).drop_duplicates(["opd", "kode_id"], keep="last")
            merged = current.merge(previous, on=["opd", "kode_id"], how="left")
            prev_sd = merged["prev_sd"].to_numpy(dtype=np.float64)
            prev_anggaran = merged["prev_anggaran"].to_numpy(dtype=np.float64)
        else:
            prev_sd = np.zeros(len(current))
            prev_anggaran = np.full(len(current), np.nan)
        cur_fid = current["fid"].to_numpy()
        cur_sd = current["realisasi_sd_bulan_ini_rp"].to_numpy()
        cur_bulan = current["realisasi_bulan_ini_rp"].to_numpy()
        decreased = ~correction[cur_fid] & (cur_sd < prev_sd)
        inconsistent = ~np.isnan(prev_sd) & (np.abs(cur_bulan - (cur_sd - prev_sd)) > TOLERANCE)
        # period.budget_changed (warning): the budget moves only at the amendment
        cur_anggaran = current["anggaran_rp"].to_numpy()
        cur_murni = current["anggaran_murni_rp"].to_numpy()
        amendment = (
            ~np.isnan(cur_murni)
            & (np.abs(prev_anggaran - cur_murni) <= TOLERANCE)
            & (np.abs(cur_anggaran - cur_murni) > TOLERANCE)
        )
        warnings += int((~amendment & ~np.isnan(prev_anggaran) & (cur_anggaran != prev_anggaran)).sum())
        for rule, mask in (
            ("period.cumulative_decreased", decreased),
            ("period.month_inconsistent", inconsistent),
        ):
            for f in np.unique(cur_fid[mask]):
                batch.issues[f].add(rule)
                ok[f] = False
        passing = group[ok[group]]
        pool.append(subs[np.isin(subs_fid, passing)])
        passed_periods |= {(opd[f], y, m) for f in passing}
    return ok, tree, warnings


# --------------------------------------------------------------------------------------------------
# load


def _current_user() -> str:
    """Who is loading (tasks.load.batches.current_user)."""
    try:
        return os.environ.get("SAKIP_USER") or getpass.getuser()
    except OSError:
        return ""


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of Python values, NaN as None."""
    nullable = [c for c in frame.columns if frame[c].dtype.kind == "f" and frame[c].isna().any()]
    if nullable:
        frame = frame.astype({c: object for c in nullable})
        for c in nullable:
            frame[c] = frame[c].where(frame[c].notna(), None)
    return frame.to_dict("records")


def _copy(conn: Connection, table, frame: pd.DataFrame) -> None:
    """PostgreSQL ``COPY table (columns) FROM STDIN`` of a frame, as CSV written by pandas."""
    integral = {
        c: "Int64"
        for c in frame.columns
        if frame[c].dtype.kind == "f"
        and bool(np.all(np.isnan(a := frame[c].to_numpy()) | ((a == np.floor(a)) & (np.abs(a) < 2**53))))
    }
    buffer = io.StringIO()
    # whole rupiah written as integers: exact, and twice as fast to format as floats
    frame.astype(integral).to_csv(buffer, header=False, index=False, na_rep="\\N")
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(
        f"COPY \"{table.__tablename__}\" ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
    ) as copy:
        copy.write(buffer.getvalue())


def _columns(frame: pd.DataFrame) -> list[list[object]]:
    """Each column as a list of Python values (NaN as None)."""
    values = []
    for name in frame.columns:
        array = frame[name].to_numpy()
        if array.dtype.kind == "f" and np.isnan(array).any():
            array = np.where(np.isnan(array), None, array.astype(object))
        values.append(array.tolist())
    return values


def _driver_executemany(conn: Connection, table, frame: pd.DataFrame) -> None:
    """ONE ``cursor.executemany`` of row tuples with the driver's positional parameters (SQLite)."""
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" * len(frame.columns))
    rows = list(zip(*_columns(frame), strict=True))
    conn.exec_driver_sql(f'INSERT INTO "{table.__tablename__}" ({columns}) VALUES ({marks})', rows)


def _bulk(conn: Connection, table, frame: pd.DataFrame, method: str) -> None:
    """ONE bulk insert of a frame: executemany of ``insert(table)``, the driver's executemany, or COPY."""
    if frame.empty:
        return
    if method == "copy":
        _copy(conn, table, frame)
    elif method == "driver":
        _driver_executemany(conn, table, frame)
    else:
        conn.execute(insert(table), _records(frame))


def _insert_returning(conn: Connection, table, rows: pd.DataFrame, *returned) -> list:
    """ONE executemany insert returning columns in parameter order."""
    if rows.empty:
        return []
    statement = insert(table).returning(*returned, sort_by_parameter_order=True)
    return conn.execute(statement, _records(rows)).all()


def _ensure(conn: Connection, table, wanted: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Ids of dimension rows by key, inserting the missing ones (one select, one executemany)."""
    columns = [getattr(table, k) for k in keys]
    found = []
    for start in range(0, len(wanted), 5000):  # one statement takes at most 65,535 parameters
        part = wanted.iloc[start : start + 5000]
        if len(keys) == 1:
            query = select(table.id, *columns).where(columns[0].in_(part[keys[0]].tolist()))
        else:
            query = select(table.id, *columns).where(
                tuple_(*columns).in_(list(part[keys].itertuples(index=False, name=None)))
            )
        found += conn.execute(query).all()
    known = pd.DataFrame(found, columns=["id", *keys])
    merged = wanted.merge(known, on=keys, how="left")
    new = merged[merged["id"].isna()].drop(columns="id")
    if len(new):
        inserted = _insert_returning(conn, table, new, table.id)
        merged.loc[merged["id"].isna(), "id"] = [r[0] for r in inserted]
    return merged.astype({"id": np.int64})


def load_batch(
    conn: Connection, batch: _Batch, ok: np.ndarray, tree: _Tree, method: str = "executemany"
) -> int:
    """Write the batch in the open transaction ``conn``; returns the number of fact_realization rows."""
    frame = batch.frame
    n_files = len(batch.names)
    fid_all = frame["fid"].to_numpy()
    level_all = frame["level_code"].to_numpy()
    opd = np.asarray(batch.opd_code, dtype=object)
    loaded = np.flatnonzero(ok)
    already = conn.execute(
        select(LoadBatch.opd_code, LoadBatch.year, LoadBatch.month).where(
            LoadBatch.kind == "realization",
            LoadBatch.status == "loaded",
            LoadBatch.opd_code.in_(sorted(set(opd[loaded]))),
        )
    ).all()
    if {tuple(r) for r in already} & {(opd[f], int(batch.year[f]), int(batch.month[f])) for f in loaded}:
        raise NotImplementedError(
            "the baseline does not replace OPD-months already loaded (revision history)"
        )

    files = pd.DataFrame(
        {"opd": opd, "name": batch.opd_name, "year": batch.year, "month": batch.month, "ok": ok}
    )
    opd_ids = _ensure(
        conn,
        Opd,
        files.loc[ok, ["opd", "name"]].drop_duplicates("opd").set_axis(["code", "name"], axis=1),
        ["code"],
    )
    period_ids = _ensure(conn, Period, files.loc[ok, ["year", "month"]].drop_duplicates(), ["year", "month"])

    in_loaded = ok[fid_all]
    hierarchy = in_loaded & np.isin(level_all, [URUSAN, PROGRAM, KEGIATAN, SUB])
    items = frame.loc[hierarchy, ["kode_id", "level_code", "uraian"]].drop_duplicates("kode_id")
    texts = batch.kode_text[items["kode_id"].to_numpy()]
    levels = np.asarray(LEVEL_NAMES, dtype=object)[items["level_code"].to_numpy()]
    items = pd.DataFrame(
        {
            "code": texts,
            "level": levels,
            "name": items["uraian"].astype(object).to_numpy(),
            "parent_code": [
                ".".join(t.split(".")[: PARENT_SEGMENTS[lv]]) for t, lv in zip(texts, levels, strict=True)
            ],
            "kode_id": items["kode_id"].to_numpy(),
        }
    )
    item_ids = _ensure(conn, BudgetItem, items.drop(columns="kode_id"), ["code"])
    item_of_kode = np.full(len(batch.kode_text), -1, dtype=np.int64)
    item_of_kode[items["kode_id"].to_numpy()] = item_ids["id"].to_numpy()

    subs_mask = in_loaded & (level_all == SUB)
    fact_count = np.bincount(fid_all[subs_mask], minlength=n_files)
    now = datetime.now(UTC)
    who = _current_user()[:100]
    batches = pd.DataFrame(
        {
            "file_name": batch.names,
            "sha256": batch.sha256,
            "kind": "realization",
            "opd_code": opd,
            "year": batch.year,
            "month": batch.month,
            "rows": np.where(ok, fact_count, 0),
            "loaded_at": pd.Series([now] * n_files, dtype=object),
            "status": np.where(ok, "loaded", "rejected"),
            "message": [
                "" if good else "\n".join(sorted(i))[:4000] for good, i in zip(ok, batch.issues, strict=True)
            ],
            "loaded_by": who,
        }
    )
    batches["year"] = batches["year"].astype(object).where(batches["year"] > 0, None)
    batches["month"] = batches["month"].astype(object).where(batches["month"] > 0, None)
    batch_id = np.array(
        [r[0] for r in _insert_returning(conn, LoadBatch, batches, LoadBatch.id)], dtype=np.int64
    )

    opd_id_of_file = np.full(n_files, -1, dtype=np.int64)
    period_id_of_file = np.full(n_files, -1, dtype=np.int64)
    loaded_files = files.loc[ok].reset_index()
    opd_id_of_file[loaded_files["index"]] = loaded_files.merge(
        opd_ids.rename(columns={"code": "opd"}), on="opd", how="left"
    )["id"].to_numpy()
    period_id_of_file[loaded_files["index"]] = loaded_files.merge(
        period_ids, on=["year", "month"], how="left"
    )["id"].to_numpy()

    subs = frame.loc[subs_mask]
    sub_fid = subs["fid"].to_numpy()
    facts = pd.DataFrame(
        {
            "opd_id": opd_id_of_file[sub_fid],
            "period_id": period_id_of_file[sub_fid],
            "budget_item_id": item_of_kode[subs["kode_id"].to_numpy()],
            "batch_id": batch_id[sub_fid],
            "anggaran_rp": subs["anggaran_rp"].to_numpy(),
            "anggaran_murni_rp": subs["anggaran_murni_rp"].to_numpy(),
            "realisasi_bulan_ini_rp": subs["realisasi_bulan_ini_rp"].to_numpy(),
            "realisasi_sd_bulan_ini_rp": subs["realisasi_sd_bulan_ini_rp"].to_numpy(),
            "anggaran_kas_sd_bulan_ini_rp": subs["anggaran_kas_sd_bulan_ini_rp"].to_numpy(),
            "fisik_pct": subs["fisik_pct"].to_numpy(),
            "sumber_dana": subs["sumber_dana"].astype(object).to_numpy(),
        }
    )
    months = facts.assign(year=batch.year[sub_fid], month=batch.month[sub_fid])[list(BUDGET_SOURCE)]
    pairs = sorted(
        {(int(o), int(y)) for o, y in months[["opd_id", "year"]].drop_duplicates().itertuples(index=False)}
    )
    stored = _stored_months(conn, pairs) if pairs else months.iloc[:0]
    _bulk(conn, FactRealization, facts, method)

    accounts = frame.loc[in_loaded & tree.leaf_account]
    acc_fid = accounts["fid"].to_numpy()
    _bulk(
        conn,
        FactRealizationAccount,
        pd.DataFrame(
            {
                "opd_id": opd_id_of_file[acc_fid],
                "period_id": period_id_of_file[acc_fid],
                "budget_item_id": item_of_kode[accounts["sub_id"].to_numpy()],
                "batch_id": batch_id[acc_fid],
                "kode_rekening": batch.kode_text[accounts["kode_id"].to_numpy()],
                "uraian": accounts["uraian"].astype(object).to_numpy(),
                "sumber_dana": accounts["sumber_dana"].astype(object).to_numpy(),
                "anggaran_rp": accounts["anggaran_rp"].fillna(0.0).to_numpy(),
                "realisasi_bulan_ini_rp": accounts["realisasi_bulan_ini_rp"].fillna(0.0).to_numpy(),
                "realisasi_sd_bulan_ini_rp": accounts["realisasi_sd_bulan_ini_rp"].fillna(0.0).to_numpy(),
            }
        ),
        method,
    )
    _refresh_budgets(conn, pd.concat([stored, months]) if len(stored) else months, pairs, method)
    return len(facts)


def _stored_months(conn: Connection, pairs: list[tuple[int, int]]) -> pd.DataFrame:
    """Budgets of the months already loaded for these (opd_id, year) pairs (empty on a fresh warehouse)."""
    rows = conn.execute(
        select(
            FactRealization.opd_id,
            Period.year,
            FactRealization.budget_item_id,
            Period.month,
            FactRealization.anggaran_rp,
            FactRealization.anggaran_murni_rp,
        )
        .join(Period, Period.id == FactRealization.period_id)
        .where(tuple_(FactRealization.opd_id, Period.year).in_(pairs))
    ).all()
    return pd.DataFrame(rows, columns=BUDGET_SOURCE)


def _refresh_budgets(
    conn: Connection, months: pd.DataFrame, pairs: list[tuple[int, int]], method: str
) -> None:
    """fact_budget of every OPD-year of the batch over all its loaded months (as tasks.load.budgets does).

    Perubahan is the budget of the latest month; murni the original budget of the latest month that has
    one, else the budget of the earliest month.
    """
    keys = ["opd_id", "year", "budget_item_id"]
    months = months.sort_values([*keys, "month"], kind="stable")
    grouped = months.groupby(keys, sort=False)
    latest_murni = grouped["anggaran_murni_rp"].last()  # last non-null
    earliest = grouped["anggaran_rp"].first()
    latest = months.drop_duplicates(keys, keep="last").set_index(keys)
    budgets = pd.DataFrame(
        {
            "anggaran_murni_rp": latest_murni.where(latest_murni.notna(), earliest),
            "anggaran_perubahan_rp": latest["anggaran_rp"],
            "as_of_month": latest["month"],
        }
    ).reset_index()
    conn.execute(delete(FactBudget).where(tuple_(FactBudget.opd_id, FactBudget.year).in_(pairs)))
    _bulk(
        conn,
        FactBudget,
        budgets[[*keys, "anggaran_murni_rp", "anggaran_perubahan_rp", "as_of_month"]],
        method,
    )


# --------------------------------------------------------------------------------------------------
# the whole run


def run_baseline(
    paths: Sequence[Path],
    url: str,
    *,
    year: int | None = None,
    month: int | None = None,
    known_opds: Collection[str] | None = None,
    corrections: bool = False,
    insert_method: str = "auto",
    engine: Engine | None = None,
) -> BaselineResult:
    """Read, validate and load ``paths`` into the warehouse at ``url`` (schema made by ``open_warehouse``).

    ``insert_method`` for the three fact tables: ``executemany`` (``conn.execute(insert(Table), rows)``),
    ``driver`` (SQLite: the DBAPI ``cursor.executemany`` of tuples), ``copy`` (PostgreSQL: ``COPY FROM
    STDIN``), or ``auto`` (the fastest measured: ``copy`` on PostgreSQL, ``driver`` on SQLite,
    ``executemany`` elsewhere). ``year``/``month``/``known_opds`` are the run's expectations (None: any);
    ``corrections`` marks every file as a correction (else a name with koreksi/perbaikan/revisi).
    """
    own_engine = engine is None
    engine = engine or make_engine(url)
    if insert_method == "auto":
        insert_method = {"postgresql": "copy", "sqlite": "driver"}.get(engine.dialect.name, "executemany")
    if insert_method == "copy" and engine.dialect.name != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    if insert_method == "driver" and engine.dialect.paramstyle != "qmark":
        raise ValueError("the driver executemany is written for qmark parameters (SQLite)")
    try:
        started = time.perf_counter()
        batch = read_batch([Path(p) for p in paths])
        read_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with engine.connect() as conn:
            ok, tree, warnings = validate_batch(
                batch, conn, year=year, month=month, known_opds=known_opds, corrections=corrections
            )
        validate_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with engine.begin() as conn:
            fact_rows = load_batch(conn, batch, ok, tree, insert_method)
        load_seconds = time.perf_counter() - started
    finally:
        if own_engine:
            engine.dispose()
    return BaselineResult(
        read=read_seconds,
        validate=validate_seconds,
        load=load_seconds,
        files=len(batch.names),
        rows=len(batch.frame),
        rejected=int((~ok).sum()),
        loaded=int(ok.sum()),
        warnings=warnings,
        insert_method=insert_method,
        fact_rows=fact_rows,
        issues={
            name: sorted(i) for name, i, good in zip(batch.names, batch.issues, ok, strict=True) if not good
        },
    )


def main() -> None:
    """Print the stage times of one run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", type=Path, help="workbooks, or folders of workbooks")
    parser.add_argument("--url", required=True, help="warehouse URL (schema created by open_warehouse)")
    parser.add_argument("--insert-method", default="auto", choices=["auto", "executemany", "driver", "copy"])
    args = parser.parse_args()
    paths = sorted(
        p for path in args.paths for p in (sorted(path.glob("*.xlsx")) if path.is_dir() else [path])
    )
    result = run_baseline(paths, args.url, insert_method=args.insert_method)
    print(
        f"{result.files} files, {result.rows} rows, {result.rejected} rejected, {result.fact_rows} fact rows "
        f"({result.insert_method})\nread {result.read:.3f} s  validate {result.validate:.3f} s  "
        f"load {result.load:.3f} s  total {result.total:.3f} s"
    )


if __name__ == "__main__":
    main()
