"""Input problems, reported to the data steward with file, sheet, cell and rule.

Messages are in Bahasa Indonesia by default; ``lang="en"`` gives English. Each problem has a stable
``rule`` identifier so that tests and scripts never depend on the wording. A ``{column}`` in a
message is the column as the steward knows it: its label in the column spec
(:func:`tasks.core.columns.label`, ``Anggaran``, English in ``column_en``), never a field name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tasks.core.text import printable

#: rule -> (Indonesian template, English template); templates use ``str.format`` fields of ``params``.
MESSAGES: dict[str, tuple[str, str]] = {
    "file.not_workbook": (
        "Berkas bukan workbook (.xlsx/.xlsm/.xls/.ods) yang dapat dibaca: {detail}; buka berkasnya di "
        "Excel atau LibreOffice, simpan sebagai .xlsx, lalu kirim ulang",
        "Not a readable workbook (.xlsx/.xlsm/.xls/.ods): {detail}; open the file in Excel or LibreOffice, "
        "save it as .xlsx and send it again",
    ),
    "file.too_large": (
        "Berkas terlalu besar untuk dibuka dengan aman: {detail}; simpan ulang berkas hanya berisi tabel yang diperlukan",
        "The file is too large to open safely: {detail}; save it again with only the tables needed",
    ),
    "sheet.too_large": (
        "Area terpakai sheet mencapai sel {cell} ({rows} baris × {columns} kolom), melampaui batas {max_rows} baris, {max_columns} kolom atau {max_cells} sel; kosongkan sel di luar tabel lalu simpan ulang berkas",
        "The sheet's used range reaches cell {cell} ({rows} rows × {columns} columns), beyond the limit of {max_rows} rows, {max_columns} columns or {max_cells} cells; clear the cells outside the table and save the file again",
    ),
    "file.kind_unknown": (
        "Jenis workbook tidak dikenali: tidak ada tabel realisasi anggaran maupun tabel indikator; "
        "kirim workbook laporan yang tabelnya berjudul kolom seperti Kode, Uraian, Anggaran, Realisasi",
        "Unknown workbook kind: neither a budget-realization table nor an indicator table; send the "
        "report's workbook, whose table has headings such as Kode, Uraian, Anggaran, Realisasi",
    ),
    "sheet.not_found": (
        "Tidak ada sheet data yang dapat dipakai; kirim workbook yang memuat tabel laporan",
        "No usable data sheet; send the workbook that holds the report's table",
    ),
    "header.not_found": (
        "Baris judul tabel tidak ditemukan; kolom wajib: {required}; tuliskan judul kolom itu di atas "
        "tabel, lalu kirim ulang berkas",
        "Table header row not found; required columns: {required}; write those headings above the table "
        "and send the file again",
    ),
    "header.missing_column": (
        "Kolom wajib '{column}' tidak ada di baris judul",
        "Required column '{column}' is missing from the header row",
    ),
    "header.meta_missing": (
        "{what} tidak ditemukan di kepala laporan (baris-baris di atas tabel); tuliskan di sana, lalu kirim ulang berkas",
        "{what} not found in the header block (the lines above the table); write it there and send the file again",
    ),
    "header.meta_conflict": (
        "{what} di berkas ({in_file}) berbeda dengan yang diberikan lewat perintah ({given})",
        "{what} in the file ({in_file}) differs from the one given on the command line ({given})",
    ),
    "header.opd_missing": (
        "Kepala laporan tidak menyebut OPD: tambahkan baris 'SKPD : {code} {name}' di atas tabel (mis. di sel A3), lalu kirim ulang berkas ini",
        "The header block names no OPD: add the line 'SKPD : {code} {name}' above the table (e.g. in cell A3), then send the file again",
    ),
    "header.month_unknown": (
        "Nama bulan tidak dikenali: '{value}' (tulis Januari … Desember)",
        "Unknown month name: '{value}' (write Januari … Desember)",
    ),
    "cell.not_number": (
        "Isi sel bukan angka: '{value}'",
        "Cell is not a number: '{value}'",
    ),
    "cell.control_characters": (
        "Karakter kontrol yang tidak terlihat (mis. _x0000_) dihapus dari teks sel ini; periksa isinya",
        "Invisible control characters (such as _x0000_) were removed from this cell's text; check it",
    ),
    "cell.formula_no_value": (
        "Sel berisi rumus tanpa nilai tersimpan; buka dan simpan ulang berkas di Excel",
        "Cell holds a formula with no cached value; open and save the file in Excel",
    ),
    "code.malformed": (
        "Kode '{value}' tidak sesuai format {level}",
        "Code '{value}' is not a well-formed {level} code",
    ),
    "code.orphan": (
        "Kode '{value}' tidak punya induk di atasnya",
        "Code '{value}' has no parent above it",
    ),
    "code.missing": (
        "Baris berisi angka tetapi kolom kode kosong",
        "Row has amounts but an empty code cell",
    ),
    "code.duplicate": (
        "Kode '{value}' muncul lebih dari sekali (juga di baris {other_row})",
        "Code '{value}' appears more than once (also on row {other_row})",
    ),
    "amount.negative": (
        "Nilai negatif tidak diperbolehkan: {value}",
        "Negative value not allowed: {value}",
    ),
    "amount.realization_over_budget": (
        "Realisasi s.d. bulan ini ({value}) melebihi anggaran ({expected})",
        "Realization to date ({value}) exceeds the budget ({expected})",
    ),
    "amount.month_over_cumulative": (
        "Realisasi bulan ini ({value}) melebihi realisasi s.d. bulan ini ({expected})",
        "Realization this month ({value}) exceeds realization to date ({expected})",
    ),
    "amount.subtotal_mismatch": (
        "Subtotal {column} = {value}, jumlah rincian di bawahnya = {expected}",
        "Subtotal {column} = {value}, sum of its children = {expected}",
    ),
    "amount.fisik_range": (
        "Realisasi fisik harus 0–100 %, tertulis {value}",
        "Physical progress must be 0–100 %, found {value}",
    ),
    "amount.missing_realization": (
        "Tidak ada kolom realisasi (bulan ini atau s.d. bulan ini)",
        "No realization column (this month or to date)",
    ),
    "indicator.target_not_positive": (
        "Target indikator harus lebih dari 0, tertulis {value}",
        "Indicator target must be greater than 0, found {value}",
    ),
    "indicator.direction_unknown": (
        "Arah indikator tidak dikenali: '{value}' (Positif/Naik atau Negatif/Turun)",
        "Unknown indicator direction: '{value}' (Positif/Naik or Negatif/Turun)",
    ),
    "indicator.jenis_unknown": (
        "Jenis tidak dikenali: '{value}' (Tujuan, Sasaran, Program, Kegiatan)",
        "Unknown level: '{value}' (Tujuan, Sasaran, Program, Kegiatan)",
    ),
    "indicator.missing_value": (
        "Kolom '{column}' wajib diisi",
        "Column '{column}' is required",
    ),
    "indicator.formula_unknown": (
        "Rumus capaian tidak dikenali: '{value}' (standar atau selisih)",
        "Unknown capaian formula: '{value}' (standar or selisih)",
    ),
    "amount.kas_over_budget": (
        "Anggaran kas s.d. bulan ini ({value}) melebihi anggaran ({expected})",
        "Planned disbursement to date ({value}) exceeds the budget ({expected})",
    ),
    "indicator.duplicate": (
        "Indikator {jenis} nomor {no} muncul lebih dari sekali",
        "Indicator {jenis} number {no} appears more than once",
    ),
    "indicator.quarterly_inconsistent": (
        "Realisasi tahun ({value}) tidak sesuai dengan realisasi triwulan ({expected}, {aggregation})",
        "Year realization ({value}) does not match the quarters ({expected}, {aggregation})",
    ),
    "indicator.capaian_beyond_bound": (
        "Capaian {value} % melebihi batas wajar {expected} %; mohon pastikan target dan realisasi benar",
        "Achievement {value} % is beyond the plausible bound of {expected} %; please confirm target and realization",
    ),
    "period.cumulative_decreased": (
        "Realisasi s.d. bulan ini ({value}) lebih kecil dari bulan sebelumnya ({expected}); "
        "tandai berkas sebagai koreksi bila memang diperbaiki",
        "Realization to date ({value}) is below the previous month's ({expected}); "
        "mark the file as a correction if that is intended",
    ),
    "period.month_inconsistent": (
        "Realisasi bulan ini ({value}) tidak sama dengan selisih realisasi s.d. bulan ini dan bulan lalu ({expected})",
        "Realization this month ({value}) differs from the change in realization to date ({expected})",
    ),
    "period.next_month_inconsistent": (
        "Realisasi s.d. bulan ini ({value}) tidak cocok dengan bulan {next_period} yang sudah dimuat: "
        "realisasi s.d. bulan itu dikurangi realisasi bulan itu = {expected}; "
        "bila bulan ini memang diperbaiki, kirim juga perbaikan bulan {next_period} bersama berkas ini",
        "Realization to date ({value}) does not match month {next_period}, already loaded: its realization "
        "to date minus its realization that month = {expected}; if this month is being corrected, send the "
        "correction of month {next_period} together with this file",
    ),
    "period.budget_changed": (
        "Anggaran berubah dari {expected} (bulan lalu) menjadi {value}; pastikan ini perubahan anggaran (APBD-P)",
        "Budget changed from {expected} (previous month) to {value}; make sure this is the budget amendment",
    ),
    "period.wrong_year": (
        "Tahun di berkas ({value}) bukan tahun yang sedang diproses ({expected}); kirim berkas tahun "
        "{expected}, atau perbaiki tahun di kepala laporan",
        "The file's year ({value}) is not the year being processed ({expected}); send the file of "
        "{expected}, or correct the year in the header block",
    ),
    "period.wrong_month": (
        "Bulan di berkas ({value}) bukan bulan yang sedang diproses ({expected}); kirim berkas bulan "
        "{expected}, atau perbaiki bulan di kepala laporan",
        "The file's month ({value}) is not the month being processed ({expected}); send the file of "
        "month {expected}, or correct the month in the header block",
    ),
    "period.opd_unknown": (
        "OPD '{value}' tidak terdaftar; perbaiki kode OPD di kepala laporan lalu kirim ulang berkas, "
        "atau minta pengelola data mendaftarkan OPD ini",
        "OPD '{value}' is not registered; correct the OPD code in the header block and send the file "
        "again, or ask the data steward to register this OPD",
    ),
    "period.previous_missing": (
        "Berkas hanya memuat salah satu kolom realisasi; bulan sebelumnya ({month}/{year}) belum dimuat",
        "The file gives only one realization column and the previous month ({month}/{year}) is not loaded",
    ),
    "load.database_refused": (
        "Basis data menolak isi berkas ini: {detail}",
        "The database refused this file's content: {detail}",
    ),
    "batch.duplicate_period": (
        "Periode {period} untuk OPD {opd} sudah ada di berkas lain dalam kiriman ini: {other}; kirim "
        "satu berkas per OPD dan bulan",
        "Period {period} for OPD {opd} is already in another file of this batch: {other}; send one file "
        "per OPD and month",
    ),
    # funding-source sections (tasks/extract/sources.py): a table in blocks, one per sumber dana
    "source.total_mismatch": (
        "Blok gabungan ({sources}): {column} = {value}, jumlah blok sumber dananya = {expected}",
        "Combined block ({sources}): {column} = {value}, sum of its funding-source blocks = {expected}",
    ),
    "source.total_code_missing": (
        "Kode '{value}' ada di blok {sources} tetapi tidak ada di blok gabungan ini",
        "Code '{value}' is in the blocks {sources} but not in this combined block",
    ),
    "source.combined_unknown": (
        "Blok gabungan menyebut sumber dana '{value}' yang tidak punya blok sendiri di tabel ini",
        "The combined block names funding source '{value}', which has no block of its own in this table",
    ),
    "source.empty_block": (
        "Judul sumber dana '{value}' tidak diikuti baris program/kegiatan/sub kegiatan",
        "Funding-source heading '{value}' has no program/kegiatan/sub kegiatan rows under it",
    ),
    "source.duplicate": (
        "Sumber dana '{value}' dibuka dua kali (juga di baris {other_row}); gabungkan barisnya dalam satu blok",
        "Funding source '{value}' is opened twice (also on row {other_row}); put its rows in one block",
    ),
    "source.outside_block": (
        "{count} baris berkode berada di atas judul sumber dana pertama (baris {heading_row}); "
        "setiap baris harus berada di bawah judul sumber dananya",
        "{count} coded rows stand above the first funding-source heading (row {heading_row}); "
        "every row must stand under its funding source's heading",
    ),
    # -- the anggaran kas workbook (RAK / DKKB: the year's plan per sub kegiatan and month)
    "cash_plan.quarterly": (
        "Anggaran kas ditulis per triwulan; tulis rencana per bulan (Januari … Desember) agar "
        "deviasi tiap bulan dapat dihitung",
        "The anggaran kas is written per quarter; write the plan per month (Januari … Desember) so "
        "that each month's deviasi can be computed",
    ),
    "cash_plan.duplicate_year": (
        "Anggaran kas OPD {opd} tahun {value} sudah ada di berkas lain dalam kiriman ini: {other}; "
        "kirim satu berkas per OPD dan tahun",
        "The anggaran kas of OPD {opd} for {value} is already in another file of this batch: {other}; "
        "send one file per OPD and year",
    ),
    "cash_plan.months_not_total": (
        "{column} = {value}, tetapi jumlah rencana Januari … Desember = {expected}",
        "{column_en} = {value}, but the plan of Januari … Desember sums to {expected}",
    ),
    "cash_plan.months_not_budget": (
        "{column} = {value}, tetapi jumlah rencana Januari … Desember = {expected}; rencana setahun "
        "harus sama dengan anggaran",
        "{column_en} = {value}, but the plan of Januari … Desember sums to {expected}; the year's plan "
        "must equal the budget",
    ),
    # a year in one workbook, a sheet per month (tasks/extract/month_sheets.py), and the sheets any
    # workbook may have (tasks/extract/limits.py)
    "file.too_many_sheets": (
        "Workbook berisi {count} sheet, melampaui batas {max_sheets} sheet; simpan ulang berkas hanya berisi sheet yang diperlukan",
        "The workbook holds {count} sheets, beyond the limit of {max_sheets}; save it again with only the sheets needed",
    ),
    "sheet.passed_over": (
        "Sheet dilewati: {kind}",
        "Sheet passed over: {kind}",
    ),
    "sheet.month_duplicate": (
        "Bulan {month} dinamai oleh dua sheet: '{first}' dan '{second}'; satu bulan hanya boleh satu sheet",
        "Month {month} is named by two sheets: '{first}' and '{second}'; a month may have only one sheet",
    ),
    "sheet.too_many_months": (
        "Workbook berisi {count} sheet bulan ({sheets}); satu tahun paling banyak 12 bulan",
        "The workbook holds {count} month sheets ({sheets}); a year has at most 12 months",
    ),
    "sheet.month_conflict": (
        "Nama sheet '{sheet}' menunjukkan bulan {sheet_month}, tetapi kepala laporan di sel {cell} menyebut bulan {header_month}; perbaiki salah satunya",
        "The sheet's name '{sheet}' says {sheet_month}, but the header block in cell {cell} says {header_month}; correct one of them",
    ),
    "sheet.year_conflict": (
        "Nama sheet '{sheet}' menyebut tahun {sheet_year}, tetapi tahun anggaran workbook ini {year}",
        "The sheet's name '{sheet}' names the year {sheet_year}, but this workbook's budget year is {year}",
    ),
    "sheet.meta_conflict": (
        "{what} di sheet ini ({in_sheet}) berbeda dengan di sheet '{first_sheet}' ({in_first}); satu workbook hanya untuk satu OPD dan satu tahun",
        "{what} on this sheet ({in_sheet}) differs from sheet '{first_sheet}' ({in_first}); one workbook is for one OPD and one year",
    ),
    # -- a year on one sheet, the months side by side (tasks/extract/month_columns.py)
    "month_columns.month_no_columns": (
        "Judul bulan '{month}' tidak membawahi kolom apa pun: tidak ada sub-judul (DKKB/RAK, Realisasi, Fisik) di bawahnya",
        "Month heading '{month}' is over no columns: no sub-heading (DKKB/RAK, Realisasi, Fisik) under it",
    ),
    "month_columns.no_realization": (
        "Kelompok kolom bulan '{month}' tidak punya kolom Realisasi",
        "The columns of month '{month}' have no Realisasi column",
    ),
    "month_columns.month_twice": (
        "Bulan '{month}' muncul dua kali di baris judul (juga di sel {other})",
        "Month '{month}' appears twice in the header (also in cell {other})",
    ),
    "month_columns.sub_heading_unknown": (
        "Sub-judul '{value}' di bawah bulan '{month}' tidak dikenali (tulis DKKB/RAK/Rencana/Anggaran Kas, Realisasi, Realisasi s.d. atau Fisik)",
        "Sub-heading '{value}' under month '{month}' is not recognised (write DKKB/RAK/Rencana/Anggaran Kas, Realisasi, Realisasi s.d. or Fisik)",
    ),
    "month_columns.sub_heading_twice": (
        "Sub-judul '{value}' muncul dua kali di bawah bulan '{month}'",
        "Sub-heading '{value}' appears twice under month '{month}'",
    ),
    "month_columns.nothing_reported": (
        "Belum ada realisasi di kolom bulan mana pun: tidak ada bulan yang dapat dimuat",
        "No month's realization column holds a value: there is no month to load",
    ),
    # -- the indicator workbook's sheet Narasi: the office's own texts, by part of the report
    "narasi.key_unknown": (
        "Bagian '{value}' tidak menunjuk bagian laporan mana pun; tulis salah satu: {allowed} (nomor tabel, mis. 3.4)",
        "Bagian '{value}' names no part of the report; write one of: {allowed} (a table number, e.g. 3.4)",
    ),
    "narasi.key_missing": (
        "Teks tanpa Bagian: isi kolom Bagian dengan bagian laporan tempat teks ini dicetak (mis. I.A, III.D.3)",
        "A text without a Bagian: fill the Bagian column with the part of the report the text goes under (e.g. I.A, III.D.3)",
    ),
    "narasi.text_missing": (
        "Bagian '{value}' tanpa Teks: isi teksnya atau hapus baris ini",
        "Bagian '{value}' has no Teks: write its text or delete the row",
    ),
    "narasi.text_too_long": (
        "Teks terlalu panjang: {length} karakter, batas {limit} per sel; bagi teks ke beberapa baris dengan Bagian yang sama",
        "The text is too long: {length} characters, the limit is {limit} per cell; split it over several rows with the same Bagian",
    ),
    "narasi.sheet_too_long": (
        "Teks sheet Narasi sampai sel ini melampaui batas {limit} karakter; persingkat teksnya",
        "The texts of sheet Narasi up to this cell exceed the limit of {limit} characters; shorten them",
    ),
}


#: (rule, variant) -> templates: the same rule worded for what the checks concluded together (see
#: :mod:`tasks.validate.typos`): a subtotal that only follows a wrong cell under it, the cell itself.
VARIANTS: dict[tuple[str, str], tuple[str, str]] = {
    ("amount.subtotal_mismatch", "children"): (
        "Subtotal tidak sama dengan jumlah rinciannya; periksa rincian di bawahnya",
        "The subtotal differs from the sum of its rows; check the rows under it",
    ),
    ("amount.subtotal_mismatch", "children_at"): (
        "Subtotal tidak sama dengan jumlah rinciannya; periksa rincian di bawahnya (sel {cells})",
        "The subtotal differs from the sum of its rows; check the rows under it (cell {cells})",
    ),
    ("amount.subtotal_mismatch", "row"): (
        "{column} = {value} membuat subtotal di atasnya (baris {parent_row}) tidak sama dengan jumlah "
        "rinciannya; seharusnya {expected}",
        "{column_en} = {value} makes the subtotal above it (row {parent_row}) differ from the sum of its "
        "rows; it should be {expected}",
    ),
    # a row-arithmetic finding moved to the cell of the row that also breaks its subtotal
    ("period.month_inconsistent", "cell"): (
        "Realisasi s.d. bulan ini ({value}) tidak sama dengan realisasi s.d. bulan lalu ({previous}) "
        "ditambah realisasi bulan ini ({parts}); seharusnya {expected}",
        "Realization to date ({value}) differs from the previous month's to date ({previous}) plus this "
        "month's realization ({parts}); it should be {expected}",
    ),
    ("period.budget_changed", "cell"): (
        "Anggaran berubah dari {previous} (bulan lalu) menjadi {value}, sehingga subtotal di atasnya tidak "
        "sama dengan jumlah rinciannya; seharusnya {expected}",
        "Budget changed from {previous} (previous month) to {value}, so the subtotal above it differs "
        "from the sum of its rows; it should be {expected}",
    ),
    ("cash_plan.months_not_total", "cell"): (
        "{column} = {value}: rencana Januari … Desember berjumlah {parts}, tidak sama dengan "
        "{total_column} ({total}); seharusnya {expected}",
        "{column_en} = {value}: the plan of Januari … Desember sums to {parts}, not to "
        "{total_column_en} ({total}); it should be {expected}",
    ),
    ("cash_plan.months_not_budget", "cell"): (
        "{column} = {value}: rencana Januari … Desember berjumlah {parts}, tidak sama dengan "
        "{total_column} ({total}); seharusnya {expected}",
        "{column_en} = {value}: the plan of Januari … Desember sums to {parts}, not to "
        "{total_column_en} ({total}); it should be {expected}",
    ),
}


@dataclass(frozen=True)
class InputIssue:
    """One problem in one input file, located as precisely as the problem allows."""

    file: str
    rule: str
    sheet: str = ""
    row: int | None = None  # 1-based worksheet row
    column: str = ""  # worksheet column letter
    params: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    severity: str = "error"  # error | warning
    #: a wording of the rule other than its own (a key of :data:`VARIANTS` with the rule); "" for none
    variant: str = ""

    @property
    def cell(self) -> str:
        """The cell address (``D12``), the row (``baris 12``) or "" when not known."""
        if self.column and self.row:
            return f"{self.column}{self.row}"
        return ""

    def message(self, lang: str = "id") -> str:
        """The problem in words, without the location."""
        templates = VARIANTS.get((self.rule, self.variant)) or MESSAGES.get(self.rule, ("{rule}", "{rule}"))
        template = templates[1] if lang == "en" else templates[0]
        params = dict(self.params)
        if lang == "en":  # a parameter may carry its own English text as ``<name>_en``
            params.update({k[:-3]: v for k, v in self.params.items() if k.endswith("_en")})
        # names and cell texts come from the sender: a newline or escape in them must not forge output
        params = {k: printable(v) if isinstance(v, str) else v for k, v in params.items()}
        try:
            return template.format(rule=self.rule, **params)
        except (KeyError, IndexError):
            return f"{template} {self.params}"

    def describe(self, lang: str = "id", *, with_file: bool = True) -> str:
        """``file, sheet 'X', cell D12: message [rule]`` in the chosen language (without the file's
        name: ``sheet 'X', sel D12: message [rule]``, or ``message [rule]`` for a whole file)."""
        parts = [printable(self.file)] if with_file else []
        if self.sheet:
            parts.append(f"sheet '{printable(self.sheet)}'")
        if self.cell:
            parts.append(("cell " if lang == "en" else "sel ") + self.cell)
        elif self.row:
            parts.append(("row " if lang == "en" else "baris ") + str(self.row))
        elif self.column:
            parts.append(("column " if lang == "en" else "kolom ") + self.column)
        where = f"{', '.join(parts)}: " if parts else ""
        return f"{where}{self.message(lang)} [{self.rule}]"


class InputError(Exception):
    """Raised when a file cannot be accepted; carries every problem found."""

    def __init__(self, issues: list[InputIssue]):
        self.issues = issues
        super().__init__("\n".join(issue.describe() for issue in issues))
