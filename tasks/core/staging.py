"""Staged, typed rows: what extraction hands to validation and loading.

Glossary of the Indonesian terms used in column names (they are the words users know):

- ``anggaran``: budget (pagu). ``anggaran_murni`` is the original budget, the plain ``anggaran`` the
  current one (after the mid-year amendment, *perubahan*, once it has happened).
- ``realisasi``: money actually spent; ``realisasi_bulan_ini`` in the month, ``realisasi_sd_bulan_ini``
  cumulative to the end of the month (*sampai dengan bulan ini*).
- ``anggaran_kas``: the planned disbursement schedule (RAK), cumulative to the end of the month;
  ``rencana`` the plan of one month in an anggaran kas workbook.
- ``fisik``: physical progress of a sub kegiatan, in percent.
- ``sumber_dana``: funding source (PAD, DAU, DAK ...).
- ``urusan`` / ``program`` / ``kegiatan`` / ``sub_kegiatan``: the budget hierarchy of Permendagri
  90/2019; ``rekening`` is an expenditure account (kode rekening ``5.x``) under a sub kegiatan.
- ``tujuan`` / ``sasaran``: goal / strategic objective of the Renstra; ``capaian``: achievement.

Units are in the column names: ``_rp`` for rupiah, ``_pct`` for percent. The input columns are
declared once, in :mod:`tasks.core.columns`; the frames here take their columns from there.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tasks.core import columns
from tasks.core.issues import InputError, InputIssue
from tasks.core.outline import OfficeTexts

#: Levels of a row in a realization workbook, top to bottom.
LEVELS: tuple[str, ...] = ("urusan", "program", "kegiatan", "sub_kegiatan", "rekening", "total")

#: Levels of the budget hierarchy (the rows a ``BudgetItem`` is kept for).
HIERARCHY_LEVELS: tuple[str, ...] = LEVELS[:4]

#: Amount columns of a realization row (rupiah).
AMOUNT_COLUMNS: tuple[str, ...] = columns.names(columns.REALIZATION, types=("amount",))
#: Values of a realization row the warehouse keeps per sub kegiatan (its amounts, fisik, funding source).
FACT_VALUES: tuple[str, ...] = columns.stored_names(columns.FACT_REALIZATION)

#: Columns of ``RealizationWorkbook.lines`` (one row per table row of the workbook, blanks dropped):
#: the worksheet row, the row's level and sub kegiatan, and the input columns of the column spec.
#: ``kode`` is the full dotted code (short codes expanded; "" for the total row); ``level`` one of
#: LEVELS; ``sub_kegiatan_kode`` the row's own code for sub_kegiatan rows, the parent's for rekening
#: rows, else ""; a number column the workbook lacks is NaN, a text column "".
REALIZATION_COLUMNS: dict[str, str] = {
    "row": "int64",  # 1-based worksheet row, for messages
    "kode": columns.column(columns.REALIZATION, "kode").dtype,
    "level": "str",
    "uraian": columns.column(columns.REALIZATION, "uraian").dtype,
    "sub_kegiatan_kode": "str",
    **columns.dtypes(columns.REALIZATION),
}

#: Columns of ``RealizationWorkbook.sources`` (one row per sub kegiatan and funding source of a workbook
#: in funding-source sections): the worksheet row of the sub kegiatan in the source's section, its
#: code, the source as the section names it, and its amounts in that source.
SOURCE_COLUMNS: dict[str, str] = {
    "row": "int64",
    "sub_kegiatan_kode": "str",
    "sumber_dana": "str",
    "anggaran_rp": "float64",
    "anggaran_kas_sd_bulan_ini_rp": "float64",
    "realisasi_bulan_ini_rp": "float64",
    "realisasi_sd_bulan_ini_rp": "float64",
}

#: Columns of ``IndicatorWorkbook.indicators``: the worksheet row and the input columns of the spec.
#: ``jenis`` is tujuan | sasaran | program | kegiatan; ``no`` the number within its jenis as written
#: without the trailing dot; ``uraian`` the tujuan / sasaran statement ("" for program / kegiatan rows
#: without one); ``arah`` positif | negatif; ``rumus_capaian`` standar | selisih (see
#: tasks.core.metrics); ``realisasi`` the year value (NaN when only quarters are given);
#: ``kode_program`` full program codes joined by ";"; a text column the workbook lacks is "".
INDICATOR_COLUMNS: dict[str, str] = {"row": "int64", **columns.dtypes(columns.INDICATOR)}

#: The optional free-text columns of ``IndicatorWorkbook.indicators`` the warehouse keeps on the indicator.
INDICATOR_TEXTS: tuple[str, ...] = columns.stored_names(columns.INDICATOR_TABLE)

#: Columns of ``IndicatorWorkbook.renstra`` (long form, one row per indicator and year): the Renstra
#: sheet's columns (``data_awal``, the baseline, NaN when printed NA), the year and its target.
RENSTRA_COLUMNS: dict[str, str] = {**columns.dtypes(columns.RENSTRA), "tahun": "int64", "target": "float64"}


@dataclass
class RealizationWorkbook:
    """One monthly budget-realization workbook, extracted."""

    path: Path
    sheet: str
    opd_code: str
    opd_name: str
    year: int
    month: int
    lines: pd.DataFrame
    #: worksheet column letter of each field found, e.g. {"anggaran_rp": "D"}
    columns: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    #: header-block cells the OPD, year, month and government were read from, e.g. {"year": "A4"}
    header_cells: dict[str, str] = field(default_factory=dict)
    #: the government's line of the header block (``PEMERINTAH KOTA SEMARANG``); "" when it has none
    government: str = ""
    #: what reading changed and the steward should know (severity ``warning``; the file still loads)
    warnings: list[InputIssue] = field(default_factory=list)
    #: which month of a year workbook this is, as the steward knows it: the month sheet's name
    #: (``MEI 2023``) or the month's column heading (``Mei``); "" for a workbook of one month
    part: str = ""
    #: budget and realization per sub kegiatan and funding source, from the workbook's funding-source
    #: sections (``SOURCE_COLUMNS``); None when it has none
    sources: pd.DataFrame | None = None

    @property
    def key(self) -> tuple[Path, str]:
        """What identifies this month in a batch: the file and its part."""
        return (self.path, self.part)

    @property
    def name(self) -> str:
        """The file's name, with the part of a year workbook: ``realisasi_2023.xlsx [Maret]``."""
        return part_name(self.path.name, self.part)


def month_digest(workbook: RealizationWorkbook) -> str:
    """A SHA-256 of what a month of a year workbook says (period, OPD and its rows, not where they stand).

    The month's own fingerprint: the same year workbook sent again with a month more keeps its
    earlier months' digests, so those months are ``unchanged`` and only the new one loads.
    """
    digest = hashlib.sha256()
    header = (workbook.opd_code, workbook.opd_name, workbook.year, workbook.month, workbook.government)
    digest.update(repr(header).encode())
    digest.update(workbook.lines.drop(columns="row").to_csv(index=False).encode())
    if workbook.sources is not None:
        digest.update(workbook.sources.drop(columns="row").to_csv(index=False).encode())
    return digest.hexdigest()


def part_name(name: str, part: str) -> str:
    """``name [part]``, or ``name`` for a workbook of one month."""
    return f"{name} [{part}]" if part else name


@dataclass
class IndicatorWorkbook:
    """One yearly indicator workbook, extracted."""

    path: Path
    sheet: str
    opd_code: str
    opd_name: str
    year: int
    indicators: pd.DataFrame
    renstra: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    header_cells: dict[str, str] = field(default_factory=dict)
    #: the government's line of the header block (``PEMERINTAH KOTA SEMARANG``); "" when it has none
    government: str = ""
    #: what reading changed and the steward should know (severity ``warning``; the file still loads)
    warnings: list[InputIssue] = field(default_factory=list)
    #: what the office wrote itself for the report (sheet ``Narasi``; empty when it has none)
    texts: OfficeTexts = field(default_factory=OfficeTexts)

    @property
    def key(self) -> tuple[Path, str]:
        """What identifies this workbook in a batch: the file (an indicator workbook is never split)."""
        return (self.path, "")


#: Columns of ``CashPlanWorkbook.lines`` (one row per table row, blanks dropped), wide: the worksheet
#: row, code, level, name and sub kegiatan as in ``REALIZATION_COLUMNS``, then the budget
#: (``anggaran_rp``, NaN when the workbook has no budget column), the plan of each month
#: (``rencana_01_rp`` … ``rencana_12_rp``, a blank month 0) and the row's total (``jumlah_rp``, NaN
#: when the workbook has no such column).
CASH_PLAN_COLUMNS: dict[str, str] = {
    "row": "int64",
    "kode": columns.column(columns.CASH_PLAN, "kode").dtype,
    "level": "str",
    "uraian": columns.column(columns.CASH_PLAN, "uraian").dtype,
    "sub_kegiatan_kode": "str",
    **columns.dtypes(columns.CASH_PLAN),
}


@dataclass
class CashPlanWorkbook:
    """One anggaran kas workbook (RAK / DKKB), extracted: an OPD's planned disbursement per sub
    kegiatan and month for one year. A new version replaces the plan loaded before it."""

    path: Path
    sheet: str
    opd_code: str
    opd_name: str
    year: int
    lines: pd.DataFrame
    #: worksheet column letter of each field found, e.g. {"rencana_03_rp": "F"}
    columns: dict[str, str] = field(default_factory=dict)
    sha256: str = ""
    header_cells: dict[str, str] = field(default_factory=dict)
    #: the government's line of the header block (``PEMERINTAH KOTA SEMARANG``); "" when it has none
    government: str = ""
    #: what reading changed and the steward should know (severity ``warning``; the file still loads)
    warnings: list[InputIssue] = field(default_factory=list)

    @property
    def key(self) -> tuple[Path, str]:
        """What identifies this workbook in a batch: the file (a plan is never split)."""
        return (self.path, "")

    @property
    def name(self) -> str:
        """The file's name."""
        return self.path.name


@dataclass(frozen=True)
class PartError:
    """A month of a year workbook that cannot be read: which part, its month when known, and why."""

    part: str
    month: int | None
    error: InputError


#: A month of a realization workbook as read: its workbook, or why it cannot be read.
MonthRead = RealizationWorkbook | PartError


#: Words in a file name that mark it as a correction of a month already loaded.
CORRECTION_MARKERS: tuple[str, ...] = ("koreksi", "perbaikan", "revisi")


def file_labels(keys: Iterable[tuple[Path, str]]) -> dict[tuple[Path, str], str]:
    """How each file (or month of a year workbook: ``(path, part)``) of a batch is named in messages:
    its name, unique within the batch, with the part of a year workbook (``realisasi.xlsx [Maret]``).

    Files sharing a name (``dinas_a/realisasi_2022_01.xlsx`` and ``dinas_b/realisasi_2022_01.xlsx``)
    are named by their path relative to the folder the clashing files have in common.
    """
    keys = list(dict.fromkeys(keys))
    names = _path_labels(path for path, _ in keys)
    return {(path, part): part_name(names[path], part) for path, part in keys}


def _path_labels(paths: Iterable[Path]) -> dict[Path, str]:
    """Each file's name, or its path from the folder in common where two names clash."""
    by_name: dict[str, list[Path]] = {}
    for path in dict.fromkeys(paths):
        by_name.setdefault(path.name, []).append(path)
    labels: dict[Path, str] = {}
    for name, group in by_name.items():
        if len(group) == 1:
            labels[group[0]] = name
            continue
        absolute = [Path(os.path.abspath(path)) for path in group]
        common = Path(os.path.commonpath(absolute))
        for path, full in zip(group, absolute, strict=True):
            labels[path] = full.relative_to(common).as_posix() if full != common else str(path)
    return labels


@dataclass(frozen=True)
class StagedFile:
    """A file on its way in: its workbook once read, and every issue found so far."""

    path: Path
    kind: str = ""  # realization | indicator | anggaran_kas | "" when unknown
    workbook: RealizationWorkbook | IndicatorWorkbook | CashPlanWorkbook | None = None
    issues: tuple[InputIssue, ...] = ()
    label: str = ""  # the file's name in messages, unique in its batch ("" = its name)
    #: the month of a year workbook this is (see ``RealizationWorkbook.part``); "" for a whole file
    part: str = ""
    #: the agency a file whose workbook could not be read is recorded under (the run's OPD, see
    #: ``tasks.core.agencies.check_agencies``); "" when none was given
    opd_code: str = ""

    @property
    def key(self) -> tuple[Path, str]:
        """What identifies this file, or this month of a year workbook, in a batch."""
        return (self.path, self.part)

    @property
    def name(self) -> str:
        """The file's name in messages: its label, or its name with the part of a year workbook."""
        return self.label or part_name(self.path.name, self.part)

    @property
    def errors(self) -> tuple[InputIssue, ...]:
        """The issues that block loading."""
        return tuple(issue for issue in self.issues if issue.severity == "error")
