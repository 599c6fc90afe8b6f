"""A corpus of bad input files: one fault per file, each with the rule, sheet and cell it must be reported at.

Every faulty workbook is a copy of a 2022 sample workbook (``sakip.sample.write_sample``) changed with
openpyxl, or a few bytes written by hand. Cells are located by searching the ``Kode`` column for the code
changed (indicator rows by ``Jenis`` and ``No``, columns by their header names); no row number is
hard-coded. Where a fault changes an amount, the parents (kegiatan, program, urusan and the JUMLAH row)
are shifted by the same amount so that the file breaks one rule only, unless the fault is about subtotals.

Months used: the batch of ``tests/test_bad_inputs.py`` first loads the good months 1–5, so that the
period faults have their previous month in the warehouse, and offers the good month 6 in the same batch.
Every fault file that extraction can read has a period of its own, so that a fault which slips through
validation never makes another one look like a duplicated period (and is not hidden by one):

- month 1: fisik out of range; month 2: subtotal mismatch; month 3: realization to date below month 2's;
  month 4: month realization inconsistent with the change since month 3; month 5: budget changed without
  an amendment (warning only, loads); month 6: the duplicated month (a second, slightly different
  month-6 file after the good one); month 7: realization over budget; month 8: orphan code; month 9:
  negative amount; month 10: month realization over realization to date; month 11: anggaran kas over
  budget; month 12: duplicate code; month 2 of an unregistered OPD: the unknown OPD;
- files that extraction rejects (uncached formula, text amount, misspelled month, wrong year, malformed
  code, missing column) are copies of month 2 (the misspelled month: month 8);
- files that would exhaust a reader's memory (one value in ``XFD1048576``; shared strings inflating to
  1 GiB under a false declared size) are copies of month 2, refused before they are read and
  quarantined without an annotated copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from sakip.sample import OPD_KODE, OPD_NAMA, SampleFiles
from tests.hostile import far_cell_workbook, zip_bomb_workbook

#: sheet names of the sample workbooks
REALISASI = "Realisasi"
INDIKATOR = "Indikator"

# Realization columns of the sample (INPUTS.md §1; sakip/sample.py writes them in this order).
KODE, MURNI, ANGGARAN, KAS, BULAN_INI, SD_BULAN_INI, FISIK = "A", "C", "D", "E", "F", "G", "H"

#: months of the good sample loaded before the faulty batch, and the good month offered with it
PRELOADED_MONTHS = (1, 2, 3, 4, 5)
BATCH_GOOD_MONTH = 6

# The lower-level codes whose rows the faults change (all sub kegiatan without account rows).
SUB_A = "2.17.01.2.06.03"  # Penyediaan Peralatan Rumah Tangga
SUB_B = "2.17.01.2.06.04"  # Penyediaan Bahan Logistik Kantor
SUB_C = "2.17.01.2.06.05"  # Penyediaan Barang Cetak dan Penggandaan (no SP2D in month 3)
SUB_D = "2.17.01.2.06.09"  # Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD
SUB_E = "2.17.01.2.09.02"  # Pemeliharaan Kendaraan Dinas Operasional
SUB_F = "2.17.03.2.01.01"  # Pengawasan Koperasi
SUB_G = "2.17.03.2.01.02"  # Pemeriksaan Kepatuhan Koperasi
SUB_H = "2.17.07.2.01.01"  # Pendataan Potensi Usaha Mikro
KEGIATAN_ORPHANED = "2.17.03.2.01"  # its two sub kegiatan lose their parent in the orphan fault


#: the faults ``build_corpus`` writes, in order (file ``<name>.xlsx``; ``.xls`` for the legacy one)
FAULT_NAMES: tuple[str, ...] = (
    "f01_not_workbook",
    "f02_truncated",
    "f03_password_protected",
    "f04_legacy_xls",
    "f05_empty_sheet",
    "f06_header_renamed",
    "f07_formula_no_value",
    "f08_text_amount",
    "f09_month_misspelled",
    "f10_duplicate_month",
    "f11_wrong_year",
    "f12_subtotal_mismatch",
    "f13_realization_over_budget",
    "f14_negative_amount",
    "f15_month_over_cumulative",
    "f16_fisik_range",
    "f17_kas_over_budget",
    "f18_duplicate_code",
    "f19_malformed_code",
    "f20_orphan_code",
    "f21_missing_column",
    "f22_cumulative_decreased",
    "f23_month_inconsistent",
    "f24_budget_changed",
    "f25_target_zero",
    "f26_direction_unknown",
    "f27_quarterly_inconsistent",
    "f28_capaian_beyond_bound",
    "f29_indicator_duplicate",
    "f30_opd_unknown",
    "f31_far_cell",
    "f32_zip_bomb",
)


@dataclass(frozen=True)
class Fault:
    """One faulty file and where the pipeline must report it."""

    name: str
    path: Path
    rule: str
    sheet: str = ""  # "" when the problem has no sheet (the file cannot be opened, no usable sheet)
    cell: str = ""  # "G14", or "" for row-, column- and file-level problems
    severity: str = "error"  # "warning" for warning-only faults
    loads: bool = False  # True only for warning-only faults: the file is loaded nonetheless
    annotated: bool = True  # False when the file is too large to load for an annotated copy

    @property
    def file_name(self) -> str:
        """The name of the faulty file (as it appears in outcomes and the load_batch table)."""
        return self.path.name


# --------------------------------------------------------------------------------------------------
# locating and changing cells


def row_of_code(ws: Worksheet, code: str) -> int:
    """Worksheet row whose Kode cell holds ``code`` (JUMLAH for the total row)."""
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str) and cell.value.strip() == code:
            return cell.row
    raise LookupError(f"code {code} not in sheet {ws.title}")


def cell_with_text(ws: Worksheet, starts_with: str, max_row: int = 15) -> str:
    """Address of the first cell in the top rows whose text starts with ``starts_with`` (case ignored)."""
    for row in ws.iter_rows(min_row=1, max_row=max_row):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip().lower().startswith(starts_with.lower()):
                return cell.coordinate
    raise LookupError(f"no cell starting with {starts_with!r} in sheet {ws.title}")


def header_cell(ws: Worksheet, label: str, max_row: int = 15) -> str:
    """Address of the header cell reading exactly ``label``."""
    for row in ws.iter_rows(min_row=1, max_row=max_row):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == label:
                return cell.coordinate
    raise LookupError(f"no header cell {label!r} in sheet {ws.title}")


def ancestors(code: str) -> list[str]:
    """Codes of the kegiatan, program and urusan above a sub kegiatan or kegiatan code, nearest first."""
    parts = code.split(".")
    keep = {6: (5, 3, 2), 5: (3, 2), 3: (2,)}.get(len(parts), ())
    return [".".join(parts[:n]) for n in keep]


def shift(ws: Worksheet, code: str, column: str, delta: float) -> int:
    """Add ``delta`` to ``column`` on the row of ``code`` and on its parents and the JUMLAH row.

    Keeps every subtotal equal to the sum of its children; returns the row of ``code``.
    """
    row = row_of_code(ws, code)
    for r in [row] + [row_of_code(ws, parent) for parent in ancestors(code)] + [row_of_code(ws, "JUMLAH")]:
        ws[f"{column}{r}"] = (ws[f"{column}{r}"].value or 0) + delta
    return row


def value(ws: Worksheet, code: str, column: str) -> float:
    """The number in ``column`` on the row of ``code``."""
    return ws[f"{column}{row_of_code(ws, code)}"].value or 0


def edit(src: Path, dst: Path, sheet: str, change: Callable[[Worksheet], str]) -> tuple[Path, str]:
    """Copy ``src`` to ``dst`` changing sheet ``sheet`` with ``change``; (dst, what ``change`` returned)."""
    book = openpyxl.load_workbook(src)
    found = change(book[sheet])
    book.save(dst)
    return dst, found


def indicator_columns(ws: Worksheet) -> tuple[int, dict[str, str]]:
    """(header row, column letter of each header label) of the indicator table."""
    row = ws[header_cell(ws, "Jenis")].row
    return row, {c.value.strip(): c.column_letter for c in ws[row] if isinstance(c.value, str)}


def indicator_row(ws: Worksheet, jenis: str, no: int) -> int:
    """Worksheet row of the indicator with this Jenis and No."""
    header, columns = indicator_columns(ws)
    for r in range(header + 1, ws.max_row + 1):
        got_jenis, got_no = ws[f"{columns['Jenis']}{r}"].value, ws[f"{columns['No']}{r}"].value
        if str(got_jenis).strip().lower() == jenis.lower() and str(got_no).strip() == str(no):
            return r
    raise LookupError(f"no indicator {jenis} {no}")


# --------------------------------------------------------------------------------------------------
# the corpus


def _ole_file(path: Path, encrypted: bool) -> Path:
    """An OLE2 compound file (Excel 97-2003 or a password-protected workbook): magic, padding, marker."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    if encrypted:
        body += "EncryptedPackage".encode("utf-16-le")  # the stream an encrypted .xlsx is stored in
    else:
        body += "Workbook".encode("utf-16-le")
    path.write_bytes(body + b"\x00" * (4096 - len(body)))
    return path


def build_corpus(sample: SampleFiles, out_dir: Path) -> list[Fault]:
    """Write one faulty file per fault into ``out_dir`` and return the faults."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    months = {m: sample.realization[m - 1] for m in range(1, 13)}
    month_2 = months[2]
    faults: list[Fault] = []

    def add(name: str, path: Path, rule: str, sheet: str = "", cell: str = "", warning: bool = False) -> None:
        faults.append(
            Fault(name, path, rule, sheet, cell, severity="warning" if warning else "error", loads=warning)
        )

    def realization(name: str, month: int, change: Callable[[Worksheet], str]) -> tuple[Path, str]:
        return edit(months[month], out_dir / f"{name}.xlsx", REALISASI, change)

    def indicators(name: str, change: Callable[[Worksheet], str]) -> tuple[Path, str]:
        return edit(sample.indicators, out_dir / f"{name}.xlsx", INDIKATOR, change)

    # 1-4: files that are no readable xlsx workbook
    path = out_dir / "f01_not_workbook.xlsx"
    path.write_text("Laporan realisasi Januari 2022\nlihat lampiran\n", encoding="utf-8")
    add("f01_not_workbook", path, "file.not_workbook")

    path = out_dir / "f02_truncated.xlsx"
    data = month_2.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    add("f02_truncated", path, "file.not_workbook")

    add(
        "f03_password_protected",
        _ole_file(out_dir / "f03_password_protected.xlsx", True),
        "file.not_workbook",
    )
    add("f04_legacy_xls", _ole_file(out_dir / "f04_legacy_xls.xls", False), "file.not_workbook")

    # 5: a workbook with one empty sheet: tasks.extract.detect_kind gives file.kind_unknown (no sheet)
    path = out_dir / "f05_empty_sheet.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(path)
    add("f05_empty_sheet", path, "file.kind_unknown")

    # 6: Kode and Uraian renamed: the table is still recognised by its amount columns, and the steward is
    # told which required columns the header row lacks
    def rename_code_and_name(ws: Worksheet) -> str:
        ws[header_cell(ws, "Kode")] = "Nomor Urut"
        ws[header_cell(ws, "Uraian")] = "Keterangan"
        return ""

    path, _ = realization("f06_header_renamed", 2, rename_code_and_name)
    add("f06_header_renamed", path, "header.missing_column", REALISASI)

    # 7: a formula without a cached value in an amount cell (openpyxl writes no cached values)
    def uncached_formula(ws: Worksheet) -> str:
        row = row_of_code(ws, SUB_B)
        ws[f"{SD_BULAN_INI}{row}"] = f"={ANGGARAN}{row}*0.5"
        return f"{SD_BULAN_INI}{row}"

    path, cell = realization("f07_formula_no_value", 2, uncached_formula)
    add("f07_formula_no_value", path, "cell.formula_no_value", REALISASI, cell)

    # 8: words in an amount cell
    def words_for_amount(ws: Worksheet) -> str:
        cell = f"{BULAN_INI}{row_of_code(ws, SUB_G)}"
        ws[cell] = "seratus ribu"
        return cell

    path, cell = realization("f08_text_amount", 2, words_for_amount)
    add("f08_text_amount", path, "cell.not_number", REALISASI, cell)

    # 9: misspelled month name in the header block
    def misspell_month(ws: Worksheet) -> str:
        cell = cell_with_text(ws, "Bulan")
        ws[cell] = "Bulan : Agustsu"
        return cell

    path, cell = realization("f09_month_misspelled", 8, misspell_month)
    add("f09_month_misspelled", path, "header.month_unknown", REALISASI, cell)

    # 10: a second month-6 file in the batch (otherwise valid: one sub kegiatan spent 1.000 more),
    # reported once, at the header-block cell naming the month
    def spend_more(ws: Worksheet) -> str:
        shift(ws, SUB_H, BULAN_INI, 1000)
        shift(ws, SUB_H, SD_BULAN_INI, 1000)
        return cell_with_text(ws, "Bulan")

    path, cell = realization("f10_duplicate_month", BATCH_GOOD_MONTH, spend_more)
    add("f10_duplicate_month", path, "batch.duplicate_period", REALISASI, cell)

    # 11: a 2023 file in a 2022 batch, reported at the Tahun Anggaran cell. (Should the flow pass the
    # batch year to extraction again, extraction would report header.meta_conflict at that same cell.)
    def next_year(ws: Worksheet) -> str:
        cell = cell_with_text(ws, "Tahun Anggaran")
        ws[cell] = "Tahun Anggaran : 2023"
        return cell

    path, cell = realization("f11_wrong_year", 2, next_year)
    add("f11_wrong_year", path, "period.wrong_year", REALISASI, cell)

    # 12: a kegiatan's Anggaran one rupiah above the sum of its sub kegiatan
    def subtotal_off(ws: Worksheet) -> str:
        cell = f"{ANGGARAN}{row_of_code(ws, ancestors(SUB_A)[0])}"
        ws[cell] = ws[cell].value + 1
        return cell

    path, cell = realization("f12_subtotal_mismatch", 2, subtotal_off)
    add("f12_subtotal_mismatch", path, "amount.subtotal_mismatch", REALISASI, cell)

    # 13: realization to date 1.000 over the budget (month realization and parents shifted alike)
    def over_budget(ws: Worksheet) -> str:
        delta = value(ws, SUB_A, ANGGARAN) + 1000 - value(ws, SUB_A, SD_BULAN_INI)
        shift(ws, SUB_A, BULAN_INI, delta)
        return f"{SD_BULAN_INI}{shift(ws, SUB_A, SD_BULAN_INI, delta)}"

    path, cell = realization("f13_realization_over_budget", 7, over_budget)
    add("f13_realization_over_budget", path, "amount.realization_over_budget", REALISASI, cell)

    # 14: a negative anggaran kas
    def negative(ws: Worksheet) -> str:
        return f"{KAS}{shift(ws, SUB_D, KAS, -1000 - value(ws, SUB_D, KAS))}"

    path, cell = realization("f14_negative_amount", 9, negative)
    add("f14_negative_amount", path, "amount.negative", REALISASI, cell)

    # 15: month realization 1.000 above realization to date
    def month_over(ws: Worksheet) -> str:
        delta = value(ws, SUB_E, SD_BULAN_INI) + 1000 - value(ws, SUB_E, BULAN_INI)
        return f"{BULAN_INI}{shift(ws, SUB_E, BULAN_INI, delta)}"

    path, cell = realization("f15_month_over_cumulative", 10, month_over)
    add("f15_month_over_cumulative", path, "amount.month_over_cumulative", REALISASI, cell)

    # 16: physical progress 150 %
    def fisik_150(ws: Worksheet) -> str:
        cell = f"{FISIK}{row_of_code(ws, SUB_F)}"
        ws[cell] = 150
        return cell

    path, cell = realization("f16_fisik_range", 1, fisik_150)
    add("f16_fisik_range", path, "amount.fisik_range", REALISASI, cell)

    # 17: anggaran kas to date 1.000 over the budget
    def kas_over(ws: Worksheet) -> str:
        delta = value(ws, SUB_H, ANGGARAN) + 1000 - value(ws, SUB_H, KAS)
        return f"{KAS}{shift(ws, SUB_H, KAS, delta)}"

    path, cell = realization("f17_kas_over_budget", 11, kas_over)
    add("f17_kas_over_budget", path, "amount.kas_over_budget", REALISASI, cell)

    # 18: a sub kegiatan's code copied onto its next sibling (reported on the second occurrence)
    def duplicate_code(ws: Worksheet) -> str:
        cell = f"{KODE}{row_of_code(ws, '2.17.01.2.01.02')}"
        ws[cell] = "2.17.01.2.01.01"
        return cell

    path, cell = realization("f18_duplicate_code", 12, duplicate_code)
    add("f18_duplicate_code", path, "code.duplicate", REALISASI, cell)

    # 19: a sub kegiatan code with a three-digit last segment
    def malformed(ws: Worksheet) -> str:
        cell = f"{KODE}{row_of_code(ws, '2.17.01.2.01.03')}"
        ws[cell] = "2.17.01.2.01.003"
        return cell

    path, cell = realization("f19_malformed_code", 2, malformed)
    add("f19_malformed_code", path, "code.malformed", REALISASI, cell)

    # 20: a kegiatan row renumbered, so the sub kegiatan below it have no parent (first one reported)
    def orphan(ws: Worksheet) -> str:
        first_child = row_of_code(ws, f"{KEGIATAN_ORPHANED}.01")
        ws[f"{KODE}{row_of_code(ws, KEGIATAN_ORPHANED)}"] = "2.17.03.2.02"
        return f"{KODE}{first_child}"

    path, cell = realization("f20_orphan_code", 8, orphan)
    add("f20_orphan_code", path, "code.orphan", REALISASI, cell)

    # 21: the Anggaran header cell emptied (a header-row problem: row, no cell)
    def drop_budget_header(ws: Worksheet) -> str:
        ws[header_cell(ws, "Anggaran")] = None
        return ""

    path, _ = realization("f21_missing_column", 2, drop_budget_header)
    add("f21_missing_column", path, "header.missing_column", REALISASI)

    # 22: month 3 with realization to date 1.000 below month 2's (this sub kegiatan spent nothing in
    # month 3, so its to-date equals month 2's; the month realization stays 0)
    def decreasing(ws: Worksheet) -> str:
        before = value(ws, SUB_C, SD_BULAN_INI)
        if value(ws, SUB_C, BULAN_INI) != 0 or before != _value_in(months[2], SUB_C, SD_BULAN_INI):
            raise AssertionError(f"the sample changed: {SUB_C} spends in month 3")
        return f"{SD_BULAN_INI}{shift(ws, SUB_C, SD_BULAN_INI, -1000)}"

    path, cell = realization("f22_cumulative_decreased", 3, decreasing)
    add("f22_cumulative_decreased", path, "period.cumulative_decreased", REALISASI, cell)

    # 23: month 4 realization 1.000 above the change of realization to date since month 3
    def month_inconsistent(ws: Worksheet) -> str:
        return f"{BULAN_INI}{shift(ws, SUB_G, BULAN_INI, 1000)}"

    path, cell = realization("f23_month_inconsistent", 4, month_inconsistent)
    add("f23_month_inconsistent", path, "period.month_inconsistent", REALISASI, cell)

    # 24: month 5 budget 1.000.000 above month 4's, Anggaran Murni alike: a budget change that is not the
    # amendment (at the amendment the old budget becomes Anggaran Murni). A warning; the file loads.
    def budget_changed(ws: Worksheet) -> str:
        shift(ws, SUB_A, MURNI, 1_000_000)
        return f"{ANGGARAN}{shift(ws, SUB_A, ANGGARAN, 1_000_000)}"

    path, cell = realization("f24_budget_changed", 5, budget_changed)
    add("f24_budget_changed", path, "period.budget_changed", REALISASI, cell, warning=True)

    # 25-29: indicator workbook faults
    def set_indicator(
        jenis: str, no: int, values: dict[str, object], report: str
    ) -> Callable[[Worksheet], str]:
        def change(ws: Worksheet) -> str:
            row = indicator_row(ws, jenis, no)
            columns = indicator_columns(ws)[1]
            for label, new in values.items():
                ws[f"{columns[label]}{row}"] = new
            return f"{columns[report]}{row}"

        return change

    path, cell = indicators("f25_target_zero", set_indicator("Sasaran", 1, {"Target": 0}, "Target"))
    add("f25_target_zero", path, "indicator.target_not_positive", INDIKATOR, cell)

    path, cell = indicators("f26_direction_unknown", set_indicator("Tujuan", 2, {"Arah": "Mendatar"}, "Arah"))
    add("f26_direction_unknown", path, "indicator.direction_unknown", INDIKATOR, cell)

    # a % indicator takes its year value from TW IV; here TW IV (45) differs from Realisasi (50,55)
    path, cell = indicators(
        "f27_quarterly_inconsistent", set_indicator("Program", 5, {"TW IV": 45}, "Realisasi")
    )
    add("f27_quarterly_inconsistent", path, "indicator.quarterly_inconsistent", INDIKATOR, cell)

    # realization 10x the target (TW IV alike, so the quarters stay consistent): capaian 1000 %
    path, cell = indicators(
        "f28_capaian_beyond_bound",
        set_indicator("Sasaran", 1, {"TW IV": 760, "Realisasi": 760}, "Realisasi"),
    )
    add("f28_capaian_beyond_bound", path, "indicator.capaian_beyond_bound", INDIKATOR, cell, warning=True)

    # Program 2 renumbered 1 with Program 1's indicator: two rows Program / 1 (second one reported)
    def duplicate_indicator(ws: Worksheet) -> str:
        columns = indicator_columns(ws)[1]
        first, second = indicator_row(ws, "Program", 1), indicator_row(ws, "Program", 2)
        ws[f"{columns['No']}{second}"] = 1
        ws[f"{columns['Indikator']}{second}"] = ws[f"{columns['Indikator']}{first}"].value
        return f"{columns['No']}{second}"

    path, cell = indicators("f29_indicator_duplicate", duplicate_indicator)
    add("f29_indicator_duplicate", path, "indicator.duplicate", INDIKATOR, cell)

    # 30: an OPD code missing from the register (see write_opd_register), reported at the SKPD cell
    def unknown_opd(ws: Worksheet) -> str:
        cell = cell_with_text(ws, "SKPD")
        ws[cell] = "SKPD : 9.99.9.99.9.99.99.9999 Dinas Tidak Ada"
        return cell

    path, cell = realization("f30_opd_unknown", 2, unknown_opd)
    add("f30_opd_unknown", path, "period.opd_unknown", REALISASI, cell)

    # 31-32: files built to exhaust memory, refused before their cells or parts are read
    path = far_cell_workbook(month_2, out_dir / "f31_far_cell.xlsx")
    faults.append(Fault("f31_far_cell", path, "sheet.too_large", REALISASI, "XFD1048576", annotated=False))
    path = zip_bomb_workbook(month_2, out_dir / "f32_zip_bomb.xlsx", declared=1000)
    faults.append(Fault("f32_zip_bomb", path, "file.too_large", annotated=False))

    if tuple(f.name for f in faults) != FAULT_NAMES:
        raise AssertionError("build_corpus and FAULT_NAMES disagree")
    return faults


def _value_in(path: Path, code: str, column: str) -> float:
    """The number in ``column`` on the row of ``code`` in the realization workbook at ``path``."""
    return value(openpyxl.load_workbook(path)[REALISASI], code, column)


def write_opd_register(path: Path) -> Path:
    """An OPD register (``SAKIP_OPD_REGISTER``, CSV ``kode,nama``) holding the sample OPD only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"kode,nama\n{OPD_KODE},{OPD_NAMA}\n", encoding="utf-8")
    return path


def copy_good_months(sample: SampleFiles, out_dir: Path, months: tuple[int, ...]) -> list[Path]:
    """Copy the good sample workbooks of ``months`` into ``out_dir`` (names unchanged)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(sample.realization[m - 1], out_dir)) for m in months]
