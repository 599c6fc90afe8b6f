"""Realistic monthly budget-realization workbooks for a whole province: N agencies (OPD) x M months.

Each workbook has the layout of the 2022 sample (``sakip/sample.py``, INPUTS.md §1): the header block
(``SKPD : <code> <name>``, ``Tahun Anggaran``, ``Bulan``) in rows 1-5, a two-row merged table header in
rows 7-8 (Kode, Uraian, Anggaran Murni, Anggaran, Anggaran Kas s.d. Bulan Ini, Realisasi Bulan Ini /
s.d. Bulan Ini, Fisik (%), Sumber Dana), data from row 9 with full codes, and a ``JUMLAH`` row.

An agency's budget tree and its twelve-month schedule depend only on ``(seed, agency number,
rows_mean)``: the same agency is consistent across the months generated, in one run or in several.
Per agency: one or two urusan, 3-10 programs, kegiatan and sub kegiatan (2- or 4-digit suffixes) for a
table of 50-599 rows (clipped lognormal, mean about ``rows_mean``); about 15 % of the agencies have
2-4 expenditure-account rows under some sub kegiatan. Amounts are whole rupiah; realization to date
never decreases and stays within the budget; the budget never changes (Anggaran Murni = Anggaran);
every subtotal is the exact sum of its children.

Run: ``python bench/generate.py --out DIR --agencies 1400 --months 1 [--year 2023] [--rows 200]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import xlsxwriter

from sakip.sample import REALIZATION_LAYOUT, write_table_header
from tasks.core.calendar import BULAN

#: Urusan codes of Permendagri 90/2019 (concurrent, mandatory/optional, and supporting affairs).
URUSAN = (
    ("1.01", "Pendidikan"),
    ("1.02", "Kesehatan"),
    ("1.03", "Pekerjaan Umum dan Penataan Ruang"),
    ("1.04", "Perumahan dan Kawasan Permukiman"),
    ("1.05", "Ketenteraman, Ketertiban Umum, dan Pelindungan Masyarakat"),
    ("1.06", "Sosial"),
    ("2.07", "Tenaga Kerja"),
    ("2.08", "Pemberdayaan Perempuan dan Pelindungan Anak"),
    ("2.09", "Pangan"),
    ("2.10", "Pertanahan"),
    ("2.11", "Lingkungan Hidup"),
    ("2.12", "Administrasi Kependudukan dan Pencatatan Sipil"),
    ("2.13", "Pemberdayaan Masyarakat dan Desa"),
    ("2.14", "Pengendalian Penduduk dan Keluarga Berencana"),
    ("2.15", "Perhubungan"),
    ("2.16", "Komunikasi dan Informatika"),
    ("2.17", "Koperasi, Usaha Kecil, dan Menengah"),
    ("2.18", "Penanaman Modal"),
    ("2.19", "Kepemudaan dan Olahraga"),
    ("2.20", "Statistik"),
    ("2.21", "Persandian"),
    ("2.22", "Kebudayaan"),
    ("2.23", "Perpustakaan"),
    ("2.24", "Kearsipan"),
    ("3.25", "Kelautan dan Perikanan"),
    ("3.26", "Pariwisata"),
    ("3.27", "Pertanian"),
    ("3.28", "Kehutanan"),
    ("3.29", "Energi dan Sumber Daya Mineral"),
    ("3.30", "Perdagangan"),
    ("3.31", "Perindustrian"),
    ("3.32", "Transmigrasi"),
    ("4.01", "Sekretariat Daerah"),
    ("4.02", "Sekretariat DPRD"),
    ("5.01", "Perencanaan"),
    ("5.02", "Keuangan"),
    ("5.03", "Kepegawaian"),
    ("5.04", "Pendidikan dan Pelatihan"),
    ("5.05", "Penelitian dan Pengembangan"),
    ("6.01", "Inspektorat Daerah"),
    ("8.01", "Kesatuan Bangsa dan Politik"),
)
PENUNJANG = "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH PROVINSI"
PROGRAM_NAMES = (
    "Program Perencanaan, Pengendalian dan Evaluasi",
    "Program Pengelolaan Pendidikan",
    "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
    "Program Pengelolaan Sumber Daya Air",
    "Program Penyelenggaraan Jalan",
    "Program Pemberdayaan Sosial",
    "Program Pelatihan Kerja dan Produktivitas Tenaga Kerja",
    "Program Pengelolaan Informasi dan Komunikasi Publik",
    "Program Pemberdayaan Usaha Menengah, Usaha Kecil, dan Usaha Mikro",
    "Program Pengembangan Iklim Penanaman Modal",
    "Program Pengelolaan Keanekaragaman Hayati",
    "Program Peningkatan Daya Tarik Destinasi Pariwisata",
)
KEGIATAN_NAMES = (
    "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah",
    "Administrasi Keuangan Perangkat Daerah",
    "Administrasi Umum Perangkat Daerah",
    "Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah",
    "Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintahan Daerah",
    "Pengelolaan dan Pengembangan Sistem Informasi",
    "Pembinaan dan Pengawasan Pelaksanaan Program",
    "Fasilitasi dan Koordinasi Lintas Sektor",
)
SUB_KEGIATAN_NAMES = (
    "Penyediaan Gaji dan Tunjangan ASN",
    "Penyusunan Dokumen Perencanaan Perangkat Daerah",
    "Koordinasi dan Penyusunan Laporan Capaian Kinerja dan Ikhtisar Realisasi Kinerja SKPD",
    "Penyediaan Peralatan dan Perlengkapan Kantor",
    "Penyediaan Jasa Komunikasi, Sumber Daya Air dan Listrik",
    "Pemeliharaan/Rehabilitasi Gedung Kantor dan Bangunan Lainnya",
    "Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD",
    "Pelatihan dan Pendampingan Teknis",
    "Sosialisasi dan Bimbingan Teknis",
    "Monitoring, Evaluasi, dan Pelaporan",
    "Pengadaan Sarana dan Prasarana Pendukung",
    "Fasilitasi Kemitraan dan Kerja Sama",
)
#: Expenditure accounts (kode rekening, uraian) that account rows are drawn from.
ACCOUNTS = (
    ("5.1.01.01.01.0001", "Belanja Gaji Pokok ASN"),
    ("5.1.01.01.02.0001", "Belanja Tunjangan Keluarga ASN"),
    ("5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor"),
    ("5.1.02.01.01.0026", "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak"),
    ("5.1.02.01.01.0039", "Belanja Barang untuk Dijual/Diserahkan kepada Masyarakat"),
    ("5.1.02.01.01.0052", "Belanja Makanan dan Minuman Rapat"),
    ("5.1.02.02.01.0026", "Belanja Jasa Tenaga Administrasi"),
    ("5.1.02.02.01.0047", "Belanja Jasa Penyelenggaraan Acara"),
    ("5.1.02.02.12.0001", "Belanja Kursus Singkat/Pelatihan"),
    ("5.1.02.04.01.0001", "Belanja Perjalanan Dinas Biasa"),
    ("5.2.02.05.01.0005", "Belanja Modal Alat Kantor Lainnya"),
    ("5.2.03.01.01.0001", "Belanja Modal Bangunan Gedung Kantor"),
)
SUMBER_DANA = ("PAD", "PAD", "PAD", "DAU", "DAU", "DAK Fisik", "DAK Non Fisik", "DBH")

MIN_ROWS, MAX_ROWS = 50, 599  # data rows without the JUMLAH row (with it: at most 600)
MIN_BUDGET, MAX_BUDGET = 5_000_000, 5_000_000_000  # a sub kegiatan's budget, rupiah
ACCOUNT_SHARE = 0.15  # agencies with expenditure-account rows

# Monthly realization weights (relative): back-loaded, with a December spike; an even profile (salaries).
_UMUM_WEIGHTS = np.array((1, 2, 4, 5, 6, 7, 8, 10, 12, 14, 15, 26), dtype=np.int64)
_EVEN_WEIGHTS = np.array((10, 10, 10, 20, 10, 20, 10, 10, 10, 10, 10, 10), dtype=np.int64)
# Anggaran kas (RAK) plans: ahead of the realization profiles, ending at the budget.
_UMUM_PLAN = np.cumsum(np.array((1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 14, 16), dtype=np.int64))
_EVEN_PLAN = np.cumsum(_EVEN_WEIGHTS)

URUSAN_ROW, PROGRAM_ROW, KEGIATAN_ROW, SUB_ROW, ACCOUNT_ROW = range(5)


@dataclass
class Agency:
    """One OPD's budget tree (print order) with its twelve-month series on every row."""

    number: int
    code: str
    name: str
    kode: list[str]
    uraian: list[str]
    level: np.ndarray  # URUSAN_ROW .. ACCOUNT_ROW
    sumber_dana: list[str]  # "" on subtotal rows
    budget: np.ndarray  # (rows,) int64
    to_date: np.ndarray  # (rows, 12) int64 realization to date
    rak: np.ndarray  # (rows, 12) int64 anggaran kas to date
    fisik: np.ndarray  # (rows, 12) float, NaN except on sub kegiatan rows

    @property
    def rows(self) -> int:
        """Data rows of the table, without the JUMLAH row."""
        return len(self.kode)

    def month_values(self, month: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(realization this month, to date, anggaran kas to date) of every row in a month (1-12)."""
        m = month - 1
        to_date = self.to_date[:, m]
        this_month = to_date - self.to_date[:, m - 1] if m else to_date
        return this_month, to_date, self.rak[:, m]


def opd_code(number: int, second_urusan: str = "") -> tuple[str, str]:
    """The OPD code of agency ``number`` (1-based) and its first urusan; unique for any number.

    ``<urusan>.<second urusan or 0.00>.0.00.<NN>.<unit>``: the urusan cycles through :data:`URUSAN`,
    ``NN`` (01-99) counts agencies of the same urusan and the unit segment takes the overflow.
    """
    index = number - 1
    urusan = URUSAN[index % len(URUSAN)][0]
    serial = index // len(URUSAN)
    second = second_urusan or "0.00"
    return f"{urusan}.{second}.0.00.{serial % 99 + 1:02d}.{serial // 99:04d}", urusan


def _split(rng: np.random.Generator, total: int, parts: int, cap: int) -> np.ndarray:
    """``total`` items over ``parts`` bins, each at least 1 and at most ``cap`` (total >= parts)."""
    counts = 1 + rng.multinomial(total - parts, np.full(parts, 1.0 / parts))
    if counts.max() > cap:  # practically never; fall back to an even split
        counts = np.full(parts, total // parts)
        counts[: total - counts.sum()] += 1
    return counts


def _target_rows(rng: np.random.Generator, rows_mean: int) -> int:
    """Table rows of an agency: lognormal with mean ``rows_mean``, clipped to 50-599."""
    sigma = 0.5
    value = rng.lognormal(np.log(rows_mean) - sigma**2 / 2, sigma)
    return int(np.clip(round(value), MIN_ROWS, MAX_ROWS))


def _structure(rng: np.random.Generator, rows: int, n_urusan: int, with_accounts: bool):
    """Counts of the tree: programs per urusan, kegiatan per program, subs per kegiatan, accounts per sub.

    The tree has exactly ``rows`` rows (urusan, program, kegiatan, sub kegiatan and account rows).
    """
    programs = int(rng.integers(3, 11))
    per_urusan = _split(rng, programs, n_urusan, 10) if n_urusan > 1 else np.array([programs])
    rest = rows - n_urusan - programs  # kegiatan + sub kegiatan + account rows
    subs_per_kegiatan = rng.uniform(2.0, 5.0)
    account_fraction = rng.uniform(0.1, 0.3) if with_accounts else 0.0
    kegiatan = int(
        np.clip(round(rest / (1 + subs_per_kegiatan * (1 + 3 * account_fraction))), programs, 60 * programs)
    )
    leaf_area = rest - kegiatan  # sub kegiatan + account rows
    accounts = np.zeros(0, dtype=np.int64)
    if with_accounts:
        bearing = max(1, round(account_fraction * leaf_area / (1 + 3 * account_fraction)))
        accounts = rng.integers(2, 5, size=bearing)
    subs = leaf_area - int(accounts.sum())
    if subs < max(kegiatan, len(accounts)):  # cannot happen for rows >= 50; keep the invariant explicit
        raise ValueError(f"no tree of {rows} rows: {kegiatan} kegiatan, {subs} sub kegiatan")
    kegiatan_per_program = _split(rng, kegiatan, programs, 99)
    subs_per = _split(rng, subs, kegiatan, 99)
    account_counts = np.zeros(subs, dtype=np.int64)
    account_counts[np.sort(rng.choice(subs, size=len(accounts), replace=False))] = accounts
    return per_urusan, kegiatan_per_program, subs_per, account_counts


def plan_agency(number: int, *, seed: int = 7, rows_mean: int = 200) -> Agency:
    """The budget tree and the twelve-month schedule of agency ``number`` (1-based), from the seed."""
    rng = np.random.default_rng([seed, number])
    n_urusan = 2 if rng.random() < 0.2 else 1
    with_accounts = bool(rng.random() < ACCOUNT_SHARE)
    sub_width = 4 if rng.random() < 0.7 else 2
    rows = _target_rows(rng, rows_mean)
    code, first = opd_code(number)
    urusan_codes = [first]
    if n_urusan == 2:
        others = [u for u, _ in URUSAN if u != first]
        urusan_codes.append(others[int(rng.integers(len(others)))])
        code, _ = opd_code(number, urusan_codes[1])
    per_urusan, kegiatan_per_program, subs_per, account_counts = _structure(
        rng, rows, n_urusan, with_accounts
    )
    urusan_names = dict(URUSAN)

    kode: list[str] = []
    uraian: list[str] = []
    level: list[int] = []
    parent: list[int] = []
    program_index = kegiatan_index = sub_index = 0
    for u, urusan in enumerate(urusan_codes):
        urusan_row = len(kode)
        kode.append(urusan)
        uraian.append(f"URUSAN PEMERINTAHAN BIDANG {urusan_names[urusan].upper()}")
        level.append(URUSAN_ROW)
        parent.append(-1)
        count = int(per_urusan[u])
        numbers = [1] if u == 0 else []
        numbers += sorted(rng.choice(np.arange(2, 20), size=count - len(numbers), replace=False).tolist())
        for number_p in numbers:
            program = f"{urusan}.{number_p:02d}"
            program_row = len(kode)
            kode.append(program)
            uraian.append(PENUNJANG if number_p == 1 else PROGRAM_NAMES[(number_p + u) % len(PROGRAM_NAMES)])
            level.append(PROGRAM_ROW)
            parent.append(urusan_row)
            for k in range(int(kegiatan_per_program[program_index])):
                kegiatan = f"{program}.1.{k + 1:02d}"
                kegiatan_row = len(kode)
                kode.append(kegiatan)
                uraian.append(KEGIATAN_NAMES[(k + number_p) % len(KEGIATAN_NAMES)])
                level.append(KEGIATAN_ROW)
                parent.append(program_row)
                for s in range(int(subs_per[kegiatan_index])):
                    sub_row = len(kode)
                    kode.append(f"{kegiatan}.{s + 1:0{sub_width}d}")
                    uraian.append(SUB_KEGIATAN_NAMES[(s + 3 * k) % len(SUB_KEGIATAN_NAMES)])
                    level.append(SUB_ROW)
                    parent.append(kegiatan_row)
                    n_accounts = int(account_counts[sub_index])
                    if n_accounts:
                        for a in sorted(rng.choice(len(ACCOUNTS), size=n_accounts, replace=False).tolist()):
                            kode.append(ACCOUNTS[a][0])
                            uraian.append(ACCOUNTS[a][1])
                            level.append(ACCOUNT_ROW)
                            parent.append(sub_row)
                    sub_index += 1
                kegiatan_index += 1
            program_index += 1

    levels = np.array(level, dtype=np.int8)
    parents = np.array(parent, dtype=np.int64)
    has_children = np.zeros(len(kode), dtype=bool)
    has_children[parents[parents >= 0]] = True
    leaves = np.flatnonzero(~has_children)
    budget, to_date, rak = _schedule(rng, len(kode), leaves, parents, levels)
    fisik = np.full((len(kode), 12), np.nan)
    subs = levels == SUB_ROW
    fisik[subs] = _fisik(budget[subs], to_date[subs])
    sources = np.array(SUMBER_DANA)[rng.integers(len(SUMBER_DANA), size=len(kode))]
    sumber_dana = [str(s) if leaf else "" for s, leaf in zip(sources.tolist(), ~has_children, strict=True)]
    return Agency(
        number=number,
        code=code,
        name=f"Dinas Uji {number}",
        kode=kode,
        uraian=uraian,
        level=levels,
        sumber_dana=sumber_dana,
        budget=budget,
        to_date=to_date,
        rak=rak,
        fisik=fisik,
    )


def _schedule(
    rng: np.random.Generator, n_rows: int, leaves: np.ndarray, parents: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Budget, realization to date and anggaran kas to date of every row; subtotals summed bottom-up."""
    n = len(leaves)
    # leaf budgets: sub kegiatan budgets lognormal in 5 jt - 5 M (thousands of rupiah); an account-bearing
    # sub kegiatan's budget is split over its accounts in whole rupiah
    raw = np.clip(rng.lognormal(np.log(250e6), 1.2, size=n_rows), MIN_BUDGET, MAX_BUDGET)
    sub_budget = (np.round(raw / 1000) * 1000).astype(np.int64)
    budget = np.zeros(n_rows, dtype=np.int64)
    budget[leaves] = sub_budget[leaves]
    accounts = np.flatnonzero(levels == ACCOUNT_ROW)
    if len(accounts):
        owners = parents[accounts]
        share = rng.uniform(0.2, 1.0, size=len(accounts))
        weight_sum = np.zeros(n_rows)
        np.add.at(weight_sum, owners, share)
        parts = np.floor(sub_budget[owners] * share / weight_sum[owners]).astype(np.int64)
        given = np.zeros(n_rows, dtype=np.int64)
        np.add.at(given, owners, parts)
        first = np.r_[True, owners[1:] != owners[:-1]]  # first account of each sub kegiatan takes the rest
        parts[first] += sub_budget[owners[first]] - given[owners[first]]
        budget[accounts] = parts
    leaf_budget = budget[leaves]

    # realization at year end (per mille of the budget) and the monthly profile
    absorption = np.clip(np.round(rng.normal(920, 60, size=n)), 400, 1000).astype(np.int64)
    even = rng.random(n) < 0.15
    weights = np.where(even[:, None], _EVEN_WEIGHTS, _UMUM_WEIGHTS) * rng.integers(60, 141, size=(n, 12))
    weights[:, :11] *= rng.random((n, 11)) >= np.where(even, 0.0, 0.2)[:, None]  # months without an SP2D
    weights[:, 11] = np.maximum(weights[:, 11], 1)
    cumulative = np.cumsum(weights, axis=1)
    year_end = leaf_budget * absorption // 1000
    leaf_to_date = year_end[:, None] * cumulative // cumulative[:, -1:]
    plan = np.where(even[:, None], _EVEN_PLAN, _UMUM_PLAN)
    leaf_rak = np.maximum(leaf_to_date, leaf_budget[:, None] * plan // plan[:, -1:])

    to_date = np.zeros((n_rows, 12), dtype=np.int64)
    rak = np.zeros((n_rows, 12), dtype=np.int64)
    to_date[leaves], rak[leaves] = leaf_to_date, leaf_rak
    for child_level in (ACCOUNT_ROW, SUB_ROW, KEGIATAN_ROW, PROGRAM_ROW):
        rows = np.flatnonzero(levels == child_level)
        np.add.at(budget, parents[rows], budget[rows])
        np.add.at(to_date, parents[rows], to_date[rows])
        np.add.at(rak, parents[rows], rak[rows])
    return budget, to_date, rak


def _fisik(budget: np.ndarray, to_date: np.ndarray) -> np.ndarray:
    """Physical progress (%) per month: halfway between the financial share and the calendar share."""
    financial = to_date / budget[:, None]
    final = financial[:, -1:]
    calendar = np.arange(1, 13) / 12 * np.minimum(1.0, final + 0.1)
    return np.round(np.clip(50 * financial + 50 * calendar, 0, 100), 2)


def _export_time(year: int, month: int) -> datetime:
    """Fixed creation time of a workbook: the 5th of the month after the reported one, 08:00."""
    return datetime(year + 1, 1, 5, 8, 0) if month == 12 else datetime(year, month + 1, 5, 8, 0)


def write_workbook(agency: Agency, path: Path, year: int, month: int) -> None:
    """One monthly LRA workbook: header block rows 1-5, table header rows 7-8, data from row 9."""
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties(
        {
            "title": f"Realisasi Anggaran {BULAN[month - 1]} {year}",
            "author": "SIPD",
            "created": _export_time(year, month),
        }
    )
    money = workbook.add_format({"num_format": "#,##0"})
    percent = workbook.add_format({"num_format": "0.00"})
    ws = workbook.add_worksheet("Realisasi")
    ws.write_string(0, 0, "PEMERINTAH PROVINSI UJI")
    ws.write_string(1, 0, "LAPORAN REALISASI ANGGARAN BELANJA PER SUB KEGIATAN")
    ws.write_string(2, 0, f"SKPD : {agency.code} {agency.name}")
    ws.write_string(3, 0, f"Tahun Anggaran : {year}")
    ws.write_string(4, 0, f"Bulan : {BULAN[month - 1]}")
    write_table_header(ws, 6, REALIZATION_LAYOUT, None)

    this_month, to_date, rak = agency.month_values(month)
    budget = agency.budget.tolist()
    # the amounts by column name (the budget never changes: murni = anggaran)
    amounts = {
        "anggaran_murni_rp": budget,
        "anggaran_rp": budget,
        "anggaran_kas_sd_bulan_ini_rp": rak.tolist(),
        "realisasi_bulan_ini_rp": this_month.tolist(),
        "realisasi_sd_bulan_ini_rp": to_date.tolist(),
    }
    amount_cols = [(COLUMN[name], values) for name, values in amounts.items()]
    fisik = agency.fisik[:, month - 1].tolist()
    write_string, write_number = ws.write_string, ws.write_number
    code_col, name_col, fisik_col, source_col = (
        COLUMN["kode"],
        COLUMN["uraian"],
        COLUMN["fisik_pct"],
        COLUMN["sumber_dana"],
    )
    row = 8
    for index, (kode, uraian, pct, sumber) in enumerate(
        zip(agency.kode, agency.uraian, fisik, agency.sumber_dana, strict=True)
    ):
        write_string(row, code_col, kode)
        write_string(row, name_col, uraian)
        for col, values in amount_cols:
            write_number(row, col, values[index], money)
        if pct == pct:  # not NaN: sub kegiatan rows
            write_number(row, fisik_col, pct, percent)
        if sumber:
            write_string(row, source_col, sumber)
        row += 1
    top = agency.level == URUSAN_ROW
    ws.merge_range(row, code_col, row, name_col, "JUMLAH")
    for col, values in amount_cols:
        write_number(row, col, int(np.asarray(values)[top].sum()), money)
    workbook.close()


#: Column index of each column of the layout (``sakip.sample``'s, named by the column spec).
COLUMN: dict[str, int] = {name: index for index, name in enumerate(REALIZATION_LAYOUT)}


def workbook_path(out_dir: Path, number: int, year: int, month: int) -> Path:
    """``<out_dir>/<year>/<MM>/realisasi_<nnnn>_<year>_<MM>.xlsx``."""
    return Path(out_dir) / str(year) / f"{month:02d}" / f"realisasi_{number:04d}_{year}_{month:02d}.xlsx"


def generate(
    out_dir: Path,
    agencies: int,
    months: Sequence[int] = (1,),
    year: int = 2023,
    seed: int = 7,
    rows_mean: int = 200,
) -> list[Path]:
    """Write ``agencies`` x ``months`` workbooks under ``out_dir``; paths sorted by month, then agency."""
    months = sorted(set(months))
    if any(not 1 <= m <= 12 for m in months):
        raise ValueError(f"months must be 1-12, got {months}")
    for month in months:
        (Path(out_dir) / str(year) / f"{month:02d}").mkdir(parents=True, exist_ok=True)
    for number in range(1, agencies + 1):
        agency = plan_agency(number, seed=seed, rows_mean=rows_mean)
        for month in months:
            write_workbook(agency, workbook_path(out_dir, number, year, month), year, month)
    return [workbook_path(out_dir, n, year, m) for m in months for n in range(1, agencies + 1)]


def _months(text: str) -> list[int]:
    """Months from ``1``, ``1,2,3`` or ``1-12``."""
    months: list[int] = []
    for part in text.split(","):
        start, _, end = part.partition("-")
        months += range(int(start), int(end or start) + 1)
    return months


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the workbooks and print what was written and how long it took."""
    parser = argparse.ArgumentParser(description="Generate monthly realization workbooks for N agencies.")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--agencies", type=int, required=True, help="number of agencies (OPD)")
    parser.add_argument("--months", type=_months, default=[1], help="months: 1, 1,2,3 or 1-12 (default 1)")
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--rows", type=int, default=200, help="mean table rows per agency (default 200)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, args.agencies, args.months, args.year, args.seed, args.rows)
    seconds = time.perf_counter() - started
    each_ms = 1000 * seconds / max(len(paths), 1)
    print(f"{len(paths)} workbooks in {args.out} in {seconds:.1f} s ({each_ms:.1f} ms each)")


if __name__ == "__main__":
    sys.exit(main())
