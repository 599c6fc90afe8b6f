"""The LKjIP tables, one module each, registered once here in the order of the document.

A new table is a new module (its computation, printed layout, reconciliation rule and place in the
report, see :class:`tasks.report.model.LkjipTable`) added to :data:`REGISTRY`; the table ids, sheet
names and document order below derive from it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from tasks.report.model import ROLES, LkjipTable
from tasks.report.tables import (
    fisik_keuangan,
    formulir_pk,
    murni_perubahan,
    ringkasan,
    silpa_sasaran,
    sumber_dana,
    tabel_2_1,
    tabel_2_2,
    tabel_2_3,
    tabel_3_1,
    tabel_3_2,
    tabel_3_3,
    tabel_3_4,
    tabel_3_5,
    tabel_3_6,
    tabel_3_7,
)

#: Every table a report may hold, in the order of the document (and of the workbook's sheets).
REGISTRY: tuple[LkjipTable, ...] = (
    tabel_2_1.TABLE,
    tabel_2_2.TABLE,
    tabel_2_3.TABLE,
    tabel_3_1.TABLE,
    tabel_3_2.TABLE,
    tabel_3_3.TABLE,
    tabel_3_4.TABLE,
    tabel_3_5.TABLE,
    sumber_dana.TABLE,
    tabel_3_6.TABLE,
    silpa_sasaran.TABLE,
    tabel_3_7.TABLE,
    fisik_keuangan.TABLE,
    murni_perubahan.TABLE,
    ringkasan.KINERJA,
    ringkasan.ANGGARAN_TABLE,
    formulir_pk.PK_SASARAN,
    formulir_pk.PK_PROGRAM,
    formulir_pk.IKU,
)
TABLES: dict[str, LkjipTable] = {table.table_id: table for table in REGISTRY}
#: The chapter II and III tables computed from the year's inputs, in document order.
CHAPTER_TABLE_IDS: tuple[str, ...] = tuple(table.table_id for table in REGISTRY if table.compute is not None)
#: Every table id a report may hold, in the order of its sheets.
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)
#: Sheet name of each known table.
SHEET_NAMES: dict[str, str] = {table.table_id: table.sheet_name for table in REGISTRY}
#: The table playing each role (see :data:`tasks.report.model.ROLES`).
BY_ROLE: dict[str, LkjipTable] = {table.role: table for table in REGISTRY if table.role}
if len(BY_ROLE) != sum(1 for table in REGISTRY if table.role) or not set(BY_ROLE) <= set(ROLES):
    raise ValueError("each role of tasks.report.model.ROLES is played by one registered table at most")


def frame_in_role(tables: Mapping[str, pd.DataFrame], role: str) -> pd.DataFrame | None:
    """The frame, among ``tables``, of the registered table playing ``role`` (None when absent)."""
    if role not in ROLES:
        raise KeyError(f"unknown table role {role!r}")
    table = BY_ROLE.get(role)
    return tables.get(table.table_id) if table is not None else None


def table_id_of(role: str) -> str:
    """The id of the registered table playing ``role``."""
    return BY_ROLE[role].table_id


def renstra_end_year(tables: Mapping[str, pd.DataFrame]) -> int | None:
    """The last year of the Renstra, from the first table of ``tables`` (in registry order) that
    declares one (``LkjipTable.end_year``); None when none does."""
    for table in REGISTRY:
        if table.end_year is not None and table.table_id in tables:
            year = table.end_year(tables[table.table_id])
            if year is not None:
                return year
    return None


def ordered_ids(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Known table ids in document order, then unknown ids in the order given."""
    known = [tid for tid in TABLE_ORDER if tid in tables]
    return known + [tid for tid in tables if tid not in SHEET_NAMES]
