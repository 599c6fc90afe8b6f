"""A second agency, every variant of INPUTS.md §1, loaded on PostgreSQL with eight workers.

Dinas Kesehatan (``1.02.0.00.0.00.01.0000``), 2023: a budget tree of two programs, three kegiatan and
four sub kegiatan (4- and 2-digit suffixes), one of them with two expenditure accounts, a budget
amendment in September, one sub kegiatan spending half rupiahs. Its twelve monthly workbooks are
written here, each in other variants (see ``MONTHS``): sheet choice (``LRA``, ``lra_nov``, a hidden or
an instruction sheet first), header block anywhere in the first rows (``SKPD``/``OPD``/``Perangkat
Daerah``, ``Bulan`` in any case or ``Periode``, or nothing: the command line gives OPD and month),
one- or two-row headers under every accepted column name, with line breaks, ``(Rp)``, extra columns
and any column order, one realization column or both, full or short codes, an urusan row or none,
``JUMLAH`` or ``TOTAL``, amounts as numbers, text (``1.234.567``, ``1.234.567,50``, ``Rp 1.234.567,-``,
``Rp. 1.234.567``, ``-``) or formulas with cached values, percentages as numbers or text.

July arrives first (alone, OPD and month from the command line), then the eleven other months in a
shuffled order, on PostgreSQL with ``SAKIP_WORKERS=8``. What the warehouse holds and the report's
tables are compared with values computed here from the plan, not from the files.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, text

from tests.fixtures.paths import POSTGRES_SERVER_URL
from tests.fixtures.workbooks import Sheet, write_xlsx, write_xlsx_cached
from warehouse.db import engine_for
from warehouse.models import (
    BudgetItem,
    FactBudget,
    FactRealization,
    FactRealizationAccount,
    Opd,
    Period,
)

pytestmark = [pytest.mark.prefect, pytest.mark.postgres]

OPD_B = "1.02.0.00.0.00.01.0000"
NAME_B = "Dinas Kesehatan"
YEAR_B = 2023
AMENDMENT = 9  # the month the revised budget (perubahan) first appears
BULAN = ("", "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")  # fmt: skip
M = 1_000_000.0


@dataclass(frozen=True)
class Leaf:
    """A sub kegiatan without accounts, or an expenditure account: its budgets and monthly spending."""

    code: str
    name: str
    murni: float
    perubahan: float
    spend: tuple[float, ...]
    sumber_dana: str = ""

    def budget(self, month: int) -> float:
        """The budget in force in a month."""
        return self.perubahan if month >= AMENDMENT else self.murni

    def to_date(self, month: int) -> float:
        """Realization to date at the end of a month."""
        return sum(self.spend[:month])

    def kas(self, month: int) -> float:
        """Planned disbursement to date (anggaran kas): an even twelfth per month, whole rupiah."""
        return float(round(self.budget(month) * month / 12))


NAMES = {
    "1.02": "URUSAN PEMERINTAHAN BIDANG KESEHATAN",
    "1.02.01": "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA",
    "1.02.01.2.01": "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah",
    "1.02.01.2.01.0001": "Penyusunan Dokumen Perencanaan Perangkat Daerah",
    "1.02.01.2.01.0002": "Koordinasi dan Penyusunan Dokumen RKA-SKPD",
    "1.02.01.2.02": "Administrasi Keuangan Perangkat Daerah",
    "1.02.01.2.02.01": "Penyediaan Gaji dan Tunjangan ASN",
    "1.02.02": "PROGRAM PEMENUHAN UPAYA KESEHATAN PERORANGAN DAN UPAYA KESEHATAN MASYARAKAT",
    "1.02.02.2.01": "Penyediaan Fasilitas Pelayanan Kesehatan untuk UKM dan UKP Kewenangan Daerah",
    "1.02.02.2.01.0003": "Pembangunan Puskesmas",
}
ACCOUNT_SUB = "1.02.01.2.01.0002"
LEAVES = {
    "1.02.01.2.01.0001": Leaf(
        "1.02.01.2.01.0001", NAMES["1.02.01.2.01.0001"], 150 * M, 140 * M,
        (0, 5 * M, 12.5 * M, 8 * M, 10 * M, 0, 15 * M, 9 * M, 11 * M, 7.5 * M, 20 * M, 25 * M), "PAD",
    ),
    "1.02.01.2.02.01": Leaf(
        "1.02.01.2.02.01", NAMES["1.02.01.2.02.01"], 2_400 * M, 2_400 * M, (195_312_500.5,) * 12, "DAU"
    ),
    "1.02.02.2.01.0003": Leaf(
        "1.02.02.2.01.0003", NAMES["1.02.02.2.01.0003"], 3_000 * M, 2_750 * M,
        (0, 0, 0, 150 * M, 0, 300 * M, 450 * M, 0, 600 * M, 0, 500 * M, 700 * M), "DAK Fisik",
    ),
}  # fmt: skip
ACCOUNTS = (
    Leaf(
        "5.1.02.01.01.0024", "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor", 60 * M, 60 * M,
        (1.2 * M, 0.8 * M, 2.5 * M, 3 * M, 1 * M, 2 * M, 4 * M, 0, 5 * M, 2.5 * M, 6 * M, 7 * M),
    ),
    Leaf(
        "5.1.02.01.01.0026", "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak", 40 * M, 55 * M,
        (0.5 * M, 1 * M, 1.5 * M, 2 * M, 2.5 * M, 3 * M, 3.5 * M, 4 * M, 6 * M, 7 * M, 8 * M, 9 * M),
    ),
)  # fmt: skip
SUB_CODES = sorted([*LEAVES, ACCOUNT_SUB])


def fisik(month: int) -> float:
    """Physical progress of every sub kegiatan in a month, percent."""
    return round(100 * month / 12, 2)


def amounts(code: str, month: int) -> dict[str, float]:
    """A sub kegiatan's (or account's) amounts in a month; the account sub kegiatan sums its accounts."""
    everyone = (*LEAVES.values(), *ACCOUNTS)
    leaves = ACCOUNTS if code == ACCOUNT_SUB else tuple(leaf for leaf in everyone if leaf.code == code)
    return {
        "anggaran": sum(leaf.budget(month) for leaf in leaves),
        "murni": sum(leaf.murni for leaf in leaves),
        "bulan": sum(leaf.spend[month - 1] for leaf in leaves),
        "sd": sum(leaf.to_date(month) for leaf in leaves),
        "kas": sum(leaf.kas(month) for leaf in leaves),
    }


@dataclass(frozen=True)
class Row:
    """One table row of a month's workbook."""

    code: str  # full code ("" for the total row)
    level: str
    name: str
    values: dict[str, float]
    sumber_dana: str = ""
    fisik: float | None = None


def rows_of(month: int, *, accounts: bool, urusan: bool = True, total: str = "JUMLAH") -> list[Row]:
    """The month's table in document order: subtotals summed from the sub kegiatan, a total row last."""
    subs = {code: amounts(code, month) for code in SUB_CODES}

    def summed(prefix: str) -> dict[str, float]:
        return {
            k: sum(v[k] for c, v in subs.items() if c.startswith(prefix + ".")) for k in subs[SUB_CODES[0]]
        }

    rows: list[Row] = [Row("1.02", "urusan", NAMES["1.02"], summed("1.02"))] if urusan else []
    for program in ("1.02.01", "1.02.02"):
        rows.append(Row(program, "program", NAMES[program], summed(program)))
        for kegiatan in sorted({c[:12] for c in SUB_CODES if c.startswith(program + ".")}):
            rows.append(Row(kegiatan, "kegiatan", NAMES[kegiatan], summed(kegiatan)))
            for sub in (c for c in SUB_CODES if c.startswith(kegiatan + ".")):
                source = LEAVES[sub].sumber_dana if sub in LEAVES else "PAD"
                rows.append(Row(sub, "sub_kegiatan", NAMES[sub], subs[sub], source, fisik(month)))
                if sub == ACCOUNT_SUB and accounts:
                    rows += [Row(a.code, "rekening", a.name, amounts(a.code, month)) for a in ACCOUNTS]
    everything = {k: sum(v[k] for v in subs.values()) for k in subs[SUB_CODES[0]]}
    rows.append(Row("", "total", total, everything))
    return rows


def short_code(row: Row) -> str:
    """The code as printed under its parent: kegiatan ``2.01``, sub kegiatan ``0001`` / ``01``."""
    if row.level == "kegiatan":
        return ".".join(row.code.split(".")[3:])
    if row.level == "sub_kegiatan":
        return row.code.split(".")[-1]
    return row.code


def dotted(value: float) -> str:
    """``1.234.567`` or ``1.234.567,50`` (Indonesian), ``-`` for zero."""
    if value == 0:
        return "-"
    whole = f"{int(value):,}".replace(",", ".")
    return whole + (f",{round((value % 1) * 100):02d}" if value % 1 else "")


def rupiah(value: float) -> str:
    """``Rp 1.234.567,-`` (``Rp 1.234.567,50`` with sen)."""
    return f"Rp {dotted(value)}" + ("" if value % 1 else ",-") if value else "Rp 0,-"


def rupiah_dot(value: float) -> str:
    """``Rp. 1.234.567``."""
    return f"Rp. {dotted(value)}" if value else "-"


def number(value: float) -> float:
    """The amount as a number."""
    return value


#: the fields a column can give that are amounts (keys of :func:`amounts`)
AMOUNT_FIELDS = ("anggaran", "murni", "bulan", "sd", "kas")


@dataclass(frozen=True)
class Layout:
    """How one month's workbook is written."""

    columns: tuple[tuple[str, str], ...]  # (header label, field: kode uraian anggaran murni bulan sd kas
    #                                        fisik sumber or "" for an extra column)
    block: tuple[tuple[object, ...], ...]  # header-block rows
    sheet: str = "Realisasi"
    amount: Callable[[float], object] = number
    percent: Callable[[float], object] = number
    short: bool = False
    accounts: bool = False
    urusan: bool = True
    total: str = "JUMLAH"
    offset: int = 0
    two_rows: bool = False  # Realisasi over Bulan Ini / s.d. Bulan Ini, the rest merged over both rows
    blank_between_programs: bool = False
    before: tuple[Sheet, ...] = ()  # sheets in front of the data sheet
    suffix: str = ".xlsx"
    cached_total: bool = False  # the total row as formulas with cached values (xlsxwriter)


def colon(key: str, value: object) -> tuple[object, ...]:
    """A header-block row ``Key : value`` in one cell."""
    return (f"{key} : {value}",)


def block(month: int, opd: str = "SKPD", period: str | None = None) -> tuple[tuple[object, ...], ...]:
    """The usual header block: title, OPD, year, month (or ``Periode``), a blank row."""
    last = ("Periode", period) if period else ("Bulan", BULAN[month])
    return (
        ("LAPORAN REALISASI ANGGARAN",),
        colon(opd, f"{OPD_B} {NAME_B}"),
        colon("Tahun Anggaran", YEAR_B),
        colon(*last),
        (),
    )


BASIC = (
    ("Kode", "kode"),
    ("Uraian", "uraian"),
    ("Anggaran", "anggaran"),
    ("Realisasi Bulan Ini", "bulan"),
    ("Realisasi s.d. Bulan Ini", "sd"),
)
INSTRUCTIONS = Sheet("Petunjuk", [["Isi sheet LRA setiap bulan"], ["Jangan mengubah judul kolom"]])
OLD_DATA = Sheet("Data Lama", [["Kode", "Uraian", "Anggaran", "Realisasi Bulan Ini"]], hidden=True)

#: month -> how its workbook is written (the realization columns each month gives are in ``SHAPE``)
MONTHS: dict[int, Layout] = {
    1: Layout((*BASIC, ("Fisik (%)", "fisik"), ("Sumber Dana", "sumber")), block(1), accounts=True),
    2: Layout(
        (("Kode Rekening", "kode"), ("Program/Kegiatan/Sub Kegiatan", "uraian"), ("Pagu", "anggaran"),
         ("Realisasi Bulan Ini", "bulan")),
        (("LAPORAN REALISASI ANGGARAN",), ("SKPD", ":", f"{OPD_B} {NAME_B}"), ("Tahun Anggaran", ":", YEAR_B),
         ("Bulan", ":", "Februari"), ()),
        sheet="LRA", amount=rupiah, short=True, total="TOTAL", before=(INSTRUCTIONS,),
    ),
    3: Layout(
        (("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran Murni", "murni"), ("Anggaran", "anggaran"),
         ("Bulan Ini", "bulan"), ("s.d. Bulan Ini", "sd"), ("Anggaran Kas s.d. Bulan Ini", "kas"),
         ("Fisik (%)", "fisik"), ("Keterangan", "")),
        (("PEMERINTAH KABUPATEN",), ("Perangkat Daerah", f"{OPD_B} {NAME_B}"), ("Tahun Anggaran", YEAR_B),
         ("Periode", "s.d. 31 Maret 2023"), ()),
        offset=3, two_rows=True, accounts=True,
    ),
    4: Layout(
        (("Realisasi Kumulatif", "sd"), ("Kode Rek", "kode"), ("Nama", "uraian"),
         ("Pagu Anggaran", "anggaran"), ("Sumber Dana", "sumber")),
        (("LAPORAN REALISASI",), colon("OPD", f"{OPD_B} {NAME_B}"), colon("Tahun Anggaran", YEAR_B),
         colon("Bulan", "APRIL"), ()),
        amount=dotted, short=True,
    ),
    5: Layout(
        (("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran\n(Rp)", "anggaran"),
         ("Realisasi\nBulan Ini (Rp)", "bulan"), ("Realisasi sd\nBulan Ini (Rp)", "sd"),
         ("RAK s.d. Bulan Ini (Rp)", "kas"), ("Realisasi Fisik", "fisik")),
        block(5), percent=lambda v: f"{v:.2f}".replace(".", ",") + "%", suffix=".xlsm",
    ),
    6: Layout(
        (*BASIC, ("Fisik (%)", "fisik")), block(6), amount=rupiah_dot, percent=lambda v: f"{v:.2f}",
        cached_total=True,
    ),
    7: Layout(BASIC, (("LAPORAN REALISASI ANGGARAN",), colon("Tahun Anggaran", YEAR_B), ())),
    8: Layout(
        (("No", ""), ("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran", "anggaran"),
         ("Realisasi Bulan Ini", "bulan"), ("Keterangan", "")),
        block(8, period="Agustus 2023"), short=True, blank_between_programs=True,
    ),
    9: Layout(
        (("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran Sebelum Perubahan", "murni"),
         ("Anggaran Setelah Perubahan", "anggaran"), ("Realisasi Bulan Ini", "bulan"),
         ("Realisasi s.d. Bulan Ini", "sd"), ("Anggaran Kas s.d. Bulan Ini", "kas"),
         ("Sumber Dana", "sumber")),
        block(9, opd="Perangkat Daerah"), amount=dotted, accounts=True,
    ),
    10: Layout(
        (("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran", "anggaran"),
         ("Realisasi s.d. Bulan Ini", "sd")),
        block(10), sheet="Realisasi Belanja", amount=rupiah, before=(OLD_DATA,),
    ),
    11: Layout(BASIC, block(11), sheet="lra_nov", urusan=False, accounts=True),
    12: Layout(
        (("Kode", "kode"), ("Uraian", "uraian"), ("Anggaran Murni", "murni"), ("Anggaran", "anggaran"),
         ("Bulan Ini", "bulan"), ("s.d. Bulan Ini", "sd")),
        (("LAPORAN REALISASI ANGGARAN",), colon("SKPD", f"{OPD_B} {NAME_B}"), colon("Tahun Anggaran", YEAR_B),
         colon("Bulan", "desember"), ()),
        two_rows=True, short=True,
    ),
}  # fmt: skip


def given(month: int) -> set[str]:
    """The fields a month's workbook gives."""
    return {field for _, field in MONTHS[month].columns if field}


def write_month(folder: Path, month: int) -> Path:
    """Write the month's workbook as its layout says."""
    layout = MONTHS[month]
    header = [label for label, _ in layout.columns]
    sheet_rows: list[list[object]] = [[] for _ in range(layout.offset)]
    sheet_rows += [list(row) for row in layout.block]
    merges: list[str] = []
    if layout.two_rows:
        top = len(sheet_rows) + 1
        first_realization = next(i for i, (_, f) in enumerate(layout.columns) if f in ("bulan", "sd"))
        upper = [None if f in ("bulan", "sd") else label for label, f in layout.columns]
        lower = [label if f in ("bulan", "sd") else None for label, f in layout.columns]
        upper[first_realization] = "Realisasi"
        sheet_rows += [upper, lower]
        for i, (_, f) in enumerate(layout.columns):
            letter = chr(ord("A") + i)
            if f not in ("bulan", "sd"):
                merges.append(f"{letter}{top}:{letter}{top + 1}")
        merges.append(
            f"{chr(ord('A') + first_realization)}{top}:{chr(ord('A') + first_realization + 1)}{top}"
        )
    else:
        sheet_rows.append(header)
    formulas: dict[str, tuple[str, object]] = {}
    for row in rows_of(month, accounts=layout.accounts, urusan=layout.urusan, total=layout.total):
        if layout.blank_between_programs and row.level == "program":
            sheet_rows.append([])
        cells: list[object] = []
        for i, (_, field) in enumerate(layout.columns):
            if field == "kode":  # the total row: its label in the Uraian column, no code
                cells.append((short_code(row) if layout.short else row.code) or None)
            elif field == "uraian":
                cells.append(row.name)
            elif field in AMOUNT_FIELDS:
                value = row.values[field]
                if row.level == "total" and layout.cached_total:
                    cell = f"{chr(ord('A') + i)}{len(sheet_rows) + 1}"
                    formulas[f"{layout.sheet}!{cell}"] = (f"=SUBTOTAL(9,{chr(ord('A') + i)}1:{cell})", value)
                    cells.append(None)
                else:
                    cells.append(layout.amount(value))
            elif field == "fisik":
                cells.append(layout.percent(row.fisik) if row.fisik is not None else None)
            elif field == "sumber":
                cells.append(row.sumber_dana or None)
            else:
                cells.append("x" if row.level == "sub_kegiatan" else None)  # an extra column
        sheet_rows.append(cells)
    data = Sheet(layout.sheet, sheet_rows, merges=merges)
    path = folder / f"lra_dinkes_{YEAR_B}_{month:02d}{layout.suffix}"
    if layout.cached_total:
        return write_xlsx_cached(path, *layout.before, data, formulas=formulas)
    return write_xlsx(path, *layout.before, data)


@pytest.fixture(scope="module")
def agency_b(prefect_server, tmp_path_factory) -> Iterator[dict[str, object]]:
    """July alone (OPD and month from the command line), then the other months shuffled; the report."""
    from flows.annual import annual_flow
    from flows.ingest import ingest_flow

    root = tmp_path_factory.mktemp("dinkes")
    files = {month: write_month(root, month) for month in MONTHS}
    others = [str(files[m]) for m in MONTHS if m != 7]
    random.Random(YEAR_B).shuffle(others)
    schema = f"sakip_dinkes_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_SERVER_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_SERVER_URL}?options=-csearch_path%3D{schema}"
    workdir = root / "work"
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SAKIP_DATABASE_URL", url)
            env.setenv("SAKIP_WORKERS", "8")
            july = ingest_flow([str(files[7])], workdir=str(workdir), year=YEAR_B, month=7, opd=OPD_B)
            rest = ingest_flow(others, workdir=str(workdir), year=YEAR_B)
            annual_flow(year=YEAR_B, opd=OPD_B, workdir=str(workdir), formats="csv")
        yield {
            "outcomes": july + rest,
            "engine": engine_for(url),
            "out": workdir / "reports" / str(YEAR_B) / OPD_B,
        }
    finally:
        engine_for(url).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_every_month_loads_without_a_word(agency_b):
    outcomes = agency_b["outcomes"]
    assert sorted((o.month, o.status) for o in outcomes) == [(m, "loaded") for m in range(1, 13)]
    assert [(o.month, i.rule, i.cell) for o in outcomes for i in o.issues] == []
    with agency_b["engine"].connect() as conn:
        assert conn.scalar(select(Opd.name).where(Opd.code == OPD_B)) == NAME_B  # July named no OPD


def test_every_month_holds_the_plan(agency_b):
    with agency_b["engine"].connect() as conn:
        rows = conn.execute(
            select(
                Period.month,
                BudgetItem.code,
                FactRealization.anggaran_rp,
                FactRealization.realisasi_bulan_ini_rp,
                FactRealization.realisasi_sd_bulan_ini_rp,
                FactRealization.anggaran_kas_sd_bulan_ini_rp,
                FactRealization.fisik_pct,
                FactRealization.sumber_dana,
            )
            .join(Period, Period.id == FactRealization.period_id)
            .join(BudgetItem, BudgetItem.id == FactRealization.budget_item_id)
            .where(Period.year == YEAR_B)
        ).all()
    held = {(month, code): tuple(rest) for month, code, *rest in rows}
    expected = {}
    for month in MONTHS:
        for code in SUB_CODES:
            plan = amounts(code, month)
            source = (
                (LEAVES[code].sumber_dana if code in LEAVES else "PAD") if "sumber" in given(month) else ""
            )
            expected[(month, code)] = (
                plan["anggaran"],
                plan["bulan"],
                plan["sd"],
                plan["kas"] if "kas" in given(month) else None,
                fisik(month) if "fisik" in given(month) else None,
                source,
            )
    assert held == expected


def test_account_rows_hold_the_plan(agency_b):
    with agency_b["engine"].connect() as conn:
        rows = conn.execute(
            select(
                Period.month,
                FactRealizationAccount.kode_rekening,
                FactRealizationAccount.anggaran_rp,
                FactRealizationAccount.realisasi_bulan_ini_rp,
                FactRealizationAccount.realisasi_sd_bulan_ini_rp,
            ).join(Period, Period.id == FactRealizationAccount.period_id)
        ).all()
    expected = sorted(
        (month, a.code, a.budget(month), a.spend[month - 1], a.to_date(month))
        for month, layout in MONTHS.items()
        if layout.accounts
        for a in ACCOUNTS
    )
    assert sorted(tuple(row) for row in rows) == expected


def test_budget_of_the_year_murni_and_perubahan(agency_b):
    with agency_b["engine"].connect() as conn:
        rows = conn.execute(
            select(
                BudgetItem.code,
                FactBudget.anggaran_murni_rp,
                FactBudget.anggaran_perubahan_rp,
                FactBudget.as_of_month,
            ).join(BudgetItem, BudgetItem.id == FactBudget.budget_item_id)
        ).all()
    assert sorted(tuple(r) for r in rows) == sorted(
        (code, amounts(code, 12)["murni"], amounts(code, 12)["anggaran"], 12) for code in SUB_CODES
    )


def expected_table_3_6() -> pd.DataFrame:
    """Table 3.6 from the plan: December's to date against the revised budget, by hierarchy level."""
    subs = {code: amounts(code, 12) for code in SUB_CODES}
    rows = []
    for code in sorted(NAMES, key=lambda c: [int(p) for p in c.split(".")]):
        level = {2: "urusan", 3: "program", 5: "kegiatan", 6: "sub_kegiatan"}[len(code.split("."))]
        members = [v for c, v in subs.items() if c == code or c.startswith(code + ".")]
        anggaran = sum(v["anggaran"] for v in members)
        realisasi = sum(v["sd"] for v in members)
        rows.append((code, level, NAMES[code], anggaran, realisasi, realisasi / anggaran * 100))
    return pd.DataFrame(rows, columns=["kode", "level", "uraian", "anggaran", "realisasi", "serapan"])


def test_table_3_6_and_3_7(agency_b):
    expected = expected_table_3_6()
    actual = pd.read_csv(agency_b["out"] / "tabel_3_6.csv", dtype={"kode": str})
    assert (
        actual[["kode", "level", "uraian"]].values.tolist()
        == expected[["kode", "level", "uraian"]].values.tolist()
    )
    assert actual["anggaran"].tolist() == expected["anggaran"].tolist()
    assert actual["realisasi"].tolist() == pytest.approx(expected["realisasi"].tolist(), abs=0.005)
    assert actual["serapan"].tolist() == pytest.approx(expected["serapan"].tolist())
    silpa = pd.read_csv(agency_b["out"] / "tabel_3_7.csv", dtype={"kode": str})
    assert silpa["silpa"].tolist() == pytest.approx(
        (expected["anggaran"] - expected["realisasi"]).tolist(), abs=0.005
    )
    total = silpa.iloc[0]
    assert total["kode"] == "1.02"
    assert total["persen_silpa"] == pytest.approx(100 - expected["serapan"].iloc[0])


def test_program_budgets_before_and_after_the_amendment(agency_b):
    table = pd.read_csv(agency_b["out"] / "tabel_murni_perubahan.csv", dtype={"kode": str})
    subs = {code: amounts(code, 12) for code in SUB_CODES}
    expected = []
    for program in ("1.02.01", "1.02.02"):
        murni = sum(v["murni"] for c, v in subs.items() if c.startswith(program + "."))
        perubahan = sum(v["anggaran"] for c, v in subs.items() if c.startswith(program + "."))
        expected.append((program, murni, perubahan, perubahan - murni))
    assert table[["kode", "anggaran_murni", "anggaran_perubahan", "perubahan"]].values.tolist()[:2] == [
        list(row) for row in expected
    ]
    assert table["uraian"].iloc[-1] == "JUMLAH"
