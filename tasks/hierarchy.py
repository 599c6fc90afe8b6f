"""The budget tree of a staged realization workbook: which row is whose parent.

Rows are program / kegiatan / sub kegiatan (parents by code prefix), expenditure accounts (parent:
the nearest enclosing account under the same sub kegiatan, else the sub kegiatan) and the total row.
"""

from __future__ import annotations

import pandas as pd

_PARENT_SEGMENTS = {"program": 2, "kegiatan": 3, "sub_kegiatan": 5}


def node_keys(lines: pd.DataFrame) -> pd.Series:
    """A key naming each row as a node of the tree: its code, or ``<sub kegiatan>/<account>`` for accounts."""
    accounts = lines["level"] == "rekening"
    return lines["kode"].where(~accounts, lines["sub_kegiatan_kode"] + "/" + lines["kode"])


def parent_codes(lines: pd.DataFrame) -> pd.Series:
    """The node key of each row's parent ("" for top-level rows and the total row).

    An account's parent is the nearest enclosing account row under the same sub kegiatan
    (``5.1.02`` encloses ``5.1.02.01.01.0024``), else the sub kegiatan itself.
    """
    parents = pd.Series("", index=lines.index, dtype="str")
    segments = lines["kode"].str.split(".")
    for level, keep in _PARENT_SEGMENTS.items():
        mask = lines["level"] == level
        parents[mask] = segments[mask].str[:keep].str.join(".")
    if not (lines["level"] == "urusan").any():
        parents[lines["level"] == "program"] = ""
    accounts = lines["level"] == "rekening"
    if accounts.any():
        known = set(node_keys(lines)[accounts])
        for idx in lines.index[accounts]:
            sub, parts = lines.at[idx, "sub_kegiatan_kode"], lines.at[idx, "kode"].split(".")
            parent = sub
            for keep in range(len(parts) - 1, 0, -1):
                candidate = f"{sub}/{'.'.join(parts[:keep])}"
                if candidate in known:
                    parent = candidate
                    break
            parents[idx] = parent
    return parents


def leaf_accounts(lines: pd.DataFrame) -> pd.Series:
    """True for account rows that no other account row is nested under."""
    accounts = lines["level"] == "rekening"
    if not accounts.any():
        return accounts
    return accounts & ~node_keys(lines).isin(set(parent_codes(lines)[accounts]))
