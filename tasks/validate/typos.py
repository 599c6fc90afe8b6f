"""Which cell the steward typed wrong when a subtotal and the rows under it disagree.

One wrong figure in a sub kegiatan breaks its kegiatan's subtotal, and often its own row's arithmetic
(realisasi s.d. bulan ini = s.d. bulan lalu + bulan ini). Reported as checked, the subtotal comes
first with "should be" the sum of its children, which carries the typo upwards, and the row rule
blames "bulan ini" even when "s.d. bulan ini" was typed wrong. :func:`find_typed_cells` looks for the
single change that makes every failing check pass:

- a subtotal that disagrees with its children while its own parent disagrees by the opposite amount
  is itself the cell to fix (its children and its siblings agree with each other);
- a subtotal whose parent agrees with it is right; a cell under it is wrong: the row whose own
  arithmetic (:data:`ROW_RELATIONS`) fails by the subtotal's gap, several rows whose gaps add up to
  it, or the subtotal's only child. The subtotal is then only a consequence.
- a top row (the total) that disagrees with children that agree with each other is the cell to fix.

Plain functions over the stacked staged frame of a batch (``file``, ``row``, ``node_key``,
``parent_key`` and the amount columns); only rows with a failing subtotal are looked at, so a large
batch costs one grouping.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tasks.core.columns import CASH_PLAN_MONTHS
from tasks.core.subtotals import RUPIAH_TOLERANCE, sums_of_children

#: Two amounts closer than this are the same figure (each is rounded to the sen; a gap is a sum of them).
MATCH_TOLERANCE = 0.011

#: A cell as (file label, worksheet row, field).
Cell = tuple[str, int, str]


@dataclass(frozen=True)
class RowRelation:
    """A row's arithmetic checked by ``rule`` on the rows of ``level``: ``total = before + sum(parts)``.

    ``total`` and ``parts`` are cells of the row (a blank part counts 0, as the suite's rules count it);
    ``before``, when given, is a figure from elsewhere (last month's). ``named`` is the cell the rule
    reports; the typo may be in any of the others. ``joint``: several broken rows under one subtotal
    may be its typos together; else only a single row whose change closes the subtotal's gap is (for a
    relation that may break for good reasons, such as a budget moved between sub kegiatan).
    """

    rule: str
    level: str
    total: str
    parts: tuple[str, ...]
    named: str
    before: str = ""
    joint: bool = True


#: The arithmetic of a row the suites check, each as its rule reports it: realisasi s.d. bulan ini =
#: s.d. bulan lalu + bulan ini (``period.month_inconsistent``, worded as a check of bulan ini), the
#: budget as last month's (``period.budget_changed``, a warning: a budget may change, so only the one
#: row whose change of budget is the subtotal's gap is taken), and an anggaran kas row's twelve months
#: against its Jumlah and its Anggaran.
ROW_RELATIONS: tuple[RowRelation, ...] = (
    RowRelation(
        rule="period.month_inconsistent",
        level="sub_kegiatan",
        total="realisasi_sd_bulan_ini_rp",
        parts=("realisasi_bulan_ini_rp",),
        named="realisasi_bulan_ini_rp",
        before="prev_realisasi_sd_bulan_ini_rp",
    ),
    RowRelation(
        rule="period.budget_changed",
        level="sub_kegiatan",
        total="anggaran_rp",
        parts=(),
        named="anggaran_rp",
        before="prev_anggaran_rp",
        joint=False,
    ),
    RowRelation(
        rule="cash_plan.months_not_total",
        level="sub_kegiatan",
        total="jumlah_rp",
        parts=CASH_PLAN_MONTHS,
        named="jumlah_rp",
    ),
    RowRelation(
        rule="cash_plan.months_not_budget",
        level="sub_kegiatan",
        total="anggaran_rp",
        parts=CASH_PLAN_MONTHS,
        named="anggaran_rp",
    ),
)


@dataclass
class TypedCells:
    """What :func:`find_typed_cells` concluded, cell by cell.

    ``fixes``: the cells to fix and the value each should have;
    ``caused``: subtotals wrong only because of a cell below them, each with the cell to fix when known
    (else ""); ``moved``: row-arithmetic findings that belong to another cell of their row than the
    one their rule names, by (rule, the rule's cell) the cell to fix.
    """

    fixes: dict[Cell, float] = field(default_factory=dict)
    caused: dict[Cell, str] = field(default_factory=dict)
    moved: dict[tuple[str, Cell], Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class _Candidate:
    """A change of one cell that would make its row's arithmetic hold."""

    position: int
    field: str
    value: float
    expected: float
    relation: RowRelation | None

    @property
    def change(self) -> float:
        return self.expected - self.value


def find_typed_cells(
    frame: pd.DataFrame, fields: Sequence[str], letters: dict[str, dict[str, str]]
) -> TypedCells:
    """The cells to fix first, the subtotals that only follow them, and row findings to move.

    ``fields`` are the amount columns the subtotal rule checks; ``letters`` gives per file label the
    worksheet column letter of each field (to name the cell to fix in a subtotal's message).
    """
    found = TypedCells()
    fields = [f for f in fields if f in frame.columns]
    if frame.empty or not fields:
        return found
    values = frame[fields].astype("float64").fillna(0.0)
    sums = sums_of_children(frame, "file", "node_key", "parent_key", fields)
    gaps = values - sums
    wrong = sums.notna() & (gaps.abs() > RUPIAH_TOLERANCE)  # as the subtotal rule decides
    broken_rows = wrong.to_numpy().any(axis=1)
    if not broken_rows.any():
        return found
    # only the files with a failing subtotal: a province's batch is mostly right
    keep = frame["file"].isin(set(frame["file"].to_numpy()[broken_rows])).to_numpy()
    if not keep.all():
        frame, values, gaps, wrong = frame[keep], values[keep], gaps[keep], wrong[keep]
    tree = _Tree(frame)
    candidates = _relation_candidates(frame)
    rows = frame["row"].astype(int).tolist()
    files = frame["file"].astype(str).tolist()
    for name in fields:
        column_wrong = wrong[name].to_numpy()
        positions = [int(p) for p in column_wrong.nonzero()[0]]
        gap = gaps[name].to_numpy()
        value = values[name].to_numpy()
        # first the subtotals that are themselves the typo: their parents only follow them
        for position in positions:
            parent = tree.parent[position]
            if (
                parent is None
                or not column_wrong[parent]
                or abs(gap[position] + gap[parent]) > MATCH_TOLERANCE
            ):
                continue
            file, row = files[position], rows[position]
            found.fixes[(file, row, name)] = float(value[position] - gap[position])
            found.caused[(file, rows[parent], name)] = _letter(letters, file, name) + str(row)
        for position in positions:
            cell = (files[position], rows[position], name)
            if cell in found.fixes or cell in found.caused:
                continue
            _judge_children(found, tree, cell, position, gap, value, column_wrong, candidates, letters, rows)
    for (file, row, name), expected in list(found.fixes.items()):
        position = tree.position_of_row.get((file, row))
        for candidate in candidates.get((position, name), []) if position is not None else []:
            relation = candidate.relation
            if (
                relation is not None
                and name != relation.named
                and abs(candidate.expected - expected) <= MATCH_TOLERANCE
            ):
                found.moved[(relation.rule, (file, row, relation.named))] = (file, row, name)
    return found


class _Tree:
    """Row positions of each node's parent and children, within a file."""

    def __init__(self, frame: pd.DataFrame):
        files = frame["file"].astype(str).tolist()
        keys = frame["node_key"].astype(str).tolist()
        parents = frame["parent_key"].where(frame["parent_key"].notna(), None).tolist()
        self.position = {(f, k): i for i, (f, k) in enumerate(zip(files, keys, strict=True))}
        rows = frame["row"].astype(int).tolist()
        self.position_of_row = {(f, r): i for i, (f, r) in enumerate(zip(files, rows, strict=True))}
        self.parent: list[int | None] = [
            None if p is None else self.position.get((f, str(p))) for f, p in zip(files, parents, strict=True)
        ]
        self.children: dict[int, list[int]] = {}
        for child, parent in enumerate(self.parent):
            if parent is not None and parent != child:
                self.children.setdefault(parent, []).append(child)


def _relation_candidates(frame: pd.DataFrame) -> dict[tuple[int, str], list[_Candidate]]:
    """Per (row position, field): the changes that would make the row's broken arithmetic hold."""
    candidates: dict[tuple[int, str], list[_Candidate]] = {}
    for relation in ROW_RELATIONS:
        needed = (relation.total, *relation.parts, "level", relation.before)
        if not all(name in frame.columns for name in needed if name):
            continue
        total = frame[relation.total].to_numpy(dtype="float64", na_value=np.nan)
        parts = frame[list(relation.parts)].astype("float64").fillna(0.0).to_numpy()
        before = (
            frame[relation.before].to_numpy(dtype="float64", na_value=np.nan)
            if relation.before
            else np.zeros(len(frame))
        )
        with np.errstate(invalid="ignore"):
            residual = total - before - parts.sum(axis=1)  # NaN where the total or last month is unknown
            broken = (frame["level"] == relation.level).to_numpy() & (np.abs(residual) > RUPIAH_TOLERANCE)
        for position in (int(p) for p in broken.nonzero()[0]):
            r = float(residual[position])
            cells = [(relation.total, float(total[position]), -r)]
            cells += [(name, float(parts[position, i]), r) for i, name in enumerate(relation.parts)]
            for name, value, change in cells:
                candidate = _Candidate(position, name, value, value + change, relation)
                candidates.setdefault((position, name), []).append(candidate)
    return candidates


def _judge_children(
    found: TypedCells,
    tree: _Tree,
    cell: Cell,
    position: int,
    gap: np.ndarray,
    value: np.ndarray,
    wrong: np.ndarray,
    candidates: dict[tuple[int, str], list[_Candidate]],
    letters: dict[str, dict[str, str]],
    rows: list[int],
) -> None:
    """A subtotal its parent agrees with: find the cells under it to fix (or itself, at the top)."""
    file, _row, name = cell
    children = tree.children.get(position, [])
    leaves = _leaves_to_fix(children, name, float(gap[position]), candidates)
    if not leaves and len(children) == 1 and not tree.children.get(children[0]):
        only = children[0]  # an only child with nothing under it: it must equal its parent
        leaves = [_Candidate(only, name, float(value[only]), float(value[only] + gap[position]), None)]
    if leaves:
        for leaf in leaves:
            found.fixes[(file, rows[leaf.position], name)] = leaf.expected
        found.caused[cell] = ", ".join(
            _letter(letters, file, name) + str(rows[leaf.position]) for leaf in leaves
        )
        return
    if tree.parent[position] is None and not any(wrong[c] for c in children):
        # a top row (the total) over children that agree with their own rows: the top row is the typo
        found.fixes[cell] = float(value[position] - gap[position])
        return
    found.caused[cell] = ""


def _leaves_to_fix(
    children: Iterable[int], name: str, gap: float, candidates: dict[tuple[int, str], list[_Candidate]]
) -> list[_Candidate]:
    """The children whose row arithmetic, set right in column ``name``, closes the subtotal's gap."""
    # a cell two relations break (a month against Jumlah and Anggaran): the one that closes the gap
    mine = [
        next(
            (c for c in candidates[(child, name)] if abs(c.change - gap) <= MATCH_TOLERANCE),
            candidates[(child, name)][0],
        )
        for child in children
        if (child, name) in candidates
    ]
    if not mine:
        return []
    joint = all(c.relation is None or c.relation.joint for c in mine)
    if joint and abs(sum(c.change for c in mine) - gap) <= MATCH_TOLERANCE * len(mine):
        return mine
    single = [c for c in mine if abs(c.change - gap) <= MATCH_TOLERANCE]
    return single if len(single) == 1 else []


def _letter(letters: dict[str, dict[str, str]], file: str, name: str) -> str:
    """The worksheet column letter of ``name`` in ``file`` ("" when unknown)."""
    return letters.get(file, {}).get(name, "")
