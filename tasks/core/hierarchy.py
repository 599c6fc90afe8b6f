"""The budget tree of a staged realization workbook: which row is whose parent.

Rows are program / kegiatan / sub kegiatan (parents by code prefix), expenditure accounts (parent:
the nearest enclosing account under the same sub kegiatan, else the sub kegiatan) and the total row.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: Length of a parent's code: program ``2.17.01`` -> urusan ``2.17``; kegiatan ``2.17.01.2.01`` -> program;
#: sub kegiatan ``2.17.01.2.01.01`` or ``.0001`` -> kegiatan (codes are fixed-width when well formed).
#: Segments of a code kept by its parent (``2.17.01.2.01`` -> program ``2.17.01``: 3 of 5).
PARENT_SEGMENTS = {"urusan": 0, "program": 2, "kegiatan": 3, "sub_kegiatan": 5}
_PARENT_LENGTH = {"program": 4, "kegiatan": 7, "sub_kegiatan": 12}


def node_keys(lines: pd.DataFrame) -> pd.Series:
    """A key naming each row as a node of the tree: its code, or ``<sub kegiatan>/<account>`` for accounts."""
    accounts = lines["level"] == "rekening"
    keys = lines["kode"].copy()
    if accounts.any():  # only account rows need the (costly, column-wide) concatenation
        keys[accounts] = lines.loc[accounts, "sub_kegiatan_kode"] + "/" + lines.loc[accounts, "kode"]
    return keys


def _account_parents(codes: list[str], subs: list[str], groups: Sequence[object] | None = None) -> list[str]:
    """Each account's nearest enclosing account under its sub kegiatan (and group), else the sub kegiatan."""
    groups = groups or [""] * len(codes)
    known = {(group, f"{sub}/{code}") for code, sub, group in zip(codes, subs, groups, strict=True)}
    parents = []
    for code, sub, group in zip(codes, subs, groups, strict=True):
        parts = code.split(".")
        candidates = (f"{sub}/{'.'.join(parts[:keep])}" for keep in range(len(parts) - 1, 0, -1))
        parents.append(next((c for c in candidates if (group, c) in known), sub))
    return parents


def parent_codes(lines: pd.DataFrame) -> pd.Series:
    """The node key of each row's parent ("" for top-level rows and the total row).

    An account's parent is the nearest enclosing account row under the same sub kegiatan
    (``5.1.02`` encloses ``5.1.02.01.01.0024``), else the sub kegiatan itself. When ``lines`` stacks
    several files (a ``file`` column), each file is its own tree.
    """
    level = lines["level"]
    files = lines["file"] if "file" in lines.columns else pd.Series("", index=lines.index)
    prefix = [  # one pass in Python beats a masked string slice per level on a province's 300,000 rows
        code[: _PARENT_LENGTH[name]] if name in _PARENT_LENGTH else ""
        for code, name in zip(lines["kode"].tolist(), level.tolist(), strict=True)
    ]
    parents = pd.Series(prefix, index=lines.index, dtype="str")
    with_urusan = set(files[level == "urusan"])
    parents[(level == "program") & ~files.isin(with_urusan)] = ""  # no urusan row: programs are top level
    accounts = level == "rekening"
    if accounts.any():
        parents[accounts] = _account_parents(
            lines.loc[accounts, "kode"].tolist(),
            lines.loc[accounts, "sub_kegiatan_kode"].tolist(),
            files[accounts].astype(str).tolist(),
        )
    return parents


def leaf_accounts(lines: pd.DataFrame, groups: Sequence[object] | None = None) -> pd.Series:
    """True for account rows that no other account row is nested under.

    ``groups`` (one value per row of ``lines``) keeps stacked files apart: each group is its own tree.
    """
    accounts = lines["level"] == "rekening"
    if not accounts.any():
        return accounts
    mask = accounts.to_numpy()
    codes = lines.loc[accounts, "kode"].tolist()
    subs = lines.loc[accounts, "sub_kegiatan_kode"].tolist()
    own = [groups[i] for i in mask.nonzero()[0]] if groups is not None else [""] * len(codes)
    enclosing = set(zip(own, _account_parents(codes, subs, own), strict=True))
    leaf = pd.Series(False, index=lines.index)
    leaf[accounts] = [
        (group, f"{sub}/{code}") not in enclosing for code, sub, group in zip(codes, subs, own, strict=True)
    ]
    return leaf
