"""Deterministic sample inputs: the 2022 workbooks of Dinas Koperasi dan Usaha Mikro Kota Semarang.

Writes twelve monthly realization workbooks (SIPD LRA-like, INPUTS.md §1) and one indicator workbook
(INPUTS.md §2) rebuilt from the published LKjIP 2022 (the CSVs in ``sakip/sample_data``):

* indicators: Tables 2.1, 3.1 and 3.5, with the optional texts of Table 2.2 (definisi operasional,
  formula, penanggung jawab, sumber data), of Table 3.3 (analisis penyebab, solusi; sasaran 2's
  faktor pendukung and penghambat are the two halves of its analysis) and the reasons for the unspent
  budget of programs 2.17.01 and 2.17.07 (keterangan SILPA: chapter III.D.3 and Table 3.4);
* the office's texts (sheet ``Narasi``, ``narasi_2022.csv``): chapter I (gambaran umum, tupoksi, isu
  strategis), II.A.3 (strategi dan kebijakan), II.C (instrumen pendukung), III.C (what the capaian
  came from), IV.B (progres isu strategis) and IV.C (saran), as the report writes them, shortened;

* structure and revised budget (anggaran perubahan) / December realization per sub kegiatan: Table 3.6,
  with the obvious name misprints fixed (``apbd_2022_sub_kegiatan.csv``: commas printed as full stops,
  program 2.17.04 "Ksp/Usk" -> "KSP/USP", "Dan" -> "dan");
* funding sources: chapter III.D.2 of the report (``sumber_dana_rincian_2022.csv``). Sub kegiatan with
  more than one source get expenditure-account rows, one per source. The report's DAU detail sums to
  820.184.200, 1.000 short of its own DAU total 820.185.200 (= 720.185.200 perlindungan sosial +
  100.000.000 sembako, so the gap is in the three perlindungan sosial items): the 1.000 is added to the
  largest of them, sub kegiatan 2.17.07.2.01.04 (429.872.810 -> 429.873.810), taken from its PAD part;
* original budget (anggaran murni): known per program only (Perjanjian Kinerja annex). The DAU money
  (inflation social protection, adopted with the APBD Perubahan in September) has no murni; each
  program's murni is spread over its other leaf rows proportionally to their revised budget
  (largest remainder, exact integer program sums);
* monthly profile: seeded and integer-only, so every run gives the same bytes.

Only 2022 has sample data; other years raise ``ValueError``.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from tasks.core import columns
from tasks.core.calendar import BULAN

SAMPLE_YEAR = 2022
OPD_KODE = "2.17.0.00.0.00.01.0000"
OPD_NAMA = "Dinas Koperasi dan Usaha Mikro"
#: first month whose `Anggaran` is the revised budget (APBD Perubahan adopted in September)
PERUBAHAN_MONTH = 9
SEED = 20220101
GAJI_KODE = "2.17.01.2.02.01"  # Penyediaan Gaji dan Tunjangan ASN

# Realization weights per month (relative, integers). Gaji: even, plus THR (April) and gaji ke-13 (June).
_GAJI_WEIGHTS = (100, 100, 100, 200, 100, 200, 100, 100, 100, 100, 100, 100)
# Everything else: back-loaded, little in Q1, most in Q3-Q4, a December spike.
_UMUM_WEIGHTS = (1, 2, 4, 5, 6, 7, 8, 10, 12, 14, 15, 26)
# DAU (added with the APBD Perubahan): spent in October..December only.
_DAU_WEIGHTS = (0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 30, 50)
# Anggaran kas (RAK) plans: ahead of the realization profiles above, ending at the budget.
_GAJI_PLAN = _GAJI_WEIGHTS
_UMUM_PLAN = (1, 2, 4, 6, 7, 8, 9, 10, 11, 12, 14, 16)
_DAU_PLAN = (0, 0, 0, 0, 0, 0, 0, 0, 10, 30, 30, 30)

_MONEY_FORMAT = "#,##0"
_PERCENT_FORMAT = "0.00"


@dataclass(frozen=True)
class SampleFiles:
    """Paths of the generated sample workbooks."""

    realization: list[Path]
    indicators: Path


@dataclass
class _Row:
    """One budget row (urusan, program, kegiatan, sub kegiatan or expenditure account) with its series."""

    kode: str
    level: str
    uraian: str
    anggaran: int = 0
    realisasi: int = 0
    sumber_dana: str = ""
    murni: int = 0
    children: list[_Row] = field(default_factory=list)
    to_date: list[int] = field(default_factory=lambda: [0] * 12)
    rak: list[int] = field(default_factory=lambda: [0] * 12)
    fisik: list[float] | None = None

    def budget(self, month: int) -> int:
        """The `Anggaran` of this row in a month (murni before the APBD Perubahan, revised after)."""
        return self.murni if month < PERUBAHAN_MONTH else self.anggaran


def _read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV shipped in ``sakip/sample_data``."""
    text = resources.files("sakip").joinpath("sample_data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))  # a text may run over several lines


def _build_tree() -> _Row:
    """The urusan row with programs, kegiatan, sub kegiatan and account rows, amounts on the leaves."""
    rows = _read_csv("apbd_2022_sub_kegiatan.csv")
    accounts: dict[str, list[dict[str, str]]] = {}
    for acc in _read_csv("sumber_dana_rincian_2022.csv"):
        accounts.setdefault(acc["sub_kegiatan_kode"], []).append(acc)
    printed: dict[str, tuple[int, int]] = {}
    parent_level = {"program": "urusan", "kegiatan": "program", "sub_kegiatan": "kegiatan"}
    last: dict[str, _Row] = {}
    root: _Row | None = None
    for r in rows:
        node = _Row(kode=r["kode"], level=r["level"], uraian=r["uraian"])
        printed[node.kode] = (int(r["anggaran_rp"]), int(r["realisasi_sd_bulan_ini_rp"]))
        if node.level == "urusan":
            root = node
        else:
            last[parent_level[node.level]].children.append(node)
        last[node.level] = node
        if node.level != "sub_kegiatan":
            continue
        node.anggaran, node.realisasi = printed[node.kode]
        for acc in accounts.pop(node.kode, []):
            node.children.append(
                _Row(
                    kode=acc["kode_rekening"],
                    level="rekening",
                    uraian=acc["uraian"],
                    anggaran=int(acc["anggaran_rp"]),
                    realisasi=int(acc["realisasi_sd_bulan_ini_rp"]),
                    sumber_dana=acc["sumber_dana"],
                )
            )
        if node.children:
            if (sum(c.anggaran for c in node.children), sum(c.realisasi for c in node.children)) != (
                node.anggaran,
                node.realisasi,
            ):
                raise ValueError(f"accounts of {node.kode} do not add up to the sub kegiatan")
        else:
            node.sumber_dana = "PAD"
    if root is None or accounts:
        raise ValueError("sample data: no urusan row, or accounts of an unknown sub kegiatan")
    _sum_up(root, ("anggaran", "realisasi"))
    for node in _walk(root):
        if printed.get(node.kode, (node.anggaran, node.realisasi)) != (node.anggaran, node.realisasi):
            raise ValueError(f"sample data: {node.kode} differs from the sum of its children")
    return root


def _walk(node: _Row) -> list[_Row]:
    """The node and all its descendants, in print order."""
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _leaves(node: _Row) -> list[_Row]:
    """Rows without children (sub kegiatan without accounts, and account rows)."""
    return [n for n in _walk(node) if not n.children]


def _sum_up(node: _Row, attrs: tuple[str, ...]) -> None:
    """Set every parent's scalar attributes to the sum of its children's, bottom-up."""
    for child in node.children:
        _sum_up(child, attrs)
    if node.children:
        for attr in attrs:
            setattr(node, attr, sum(getattr(c, attr) for c in node.children))


def _sum_up_series(node: _Row) -> None:
    """Set every parent's monthly series to the month-wise sum of its children's, bottom-up."""
    for child in node.children:
        _sum_up_series(child)
    if node.children:
        node.to_date = [sum(c.to_date[m] for c in node.children) for m in range(12)]
        node.rak = [sum(c.rak[m] for c in node.children) for m in range(12)]


def _largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split an integer total proportionally to integer weights, the parts summing exactly to it."""
    wsum = sum(weights)
    parts = [total * w // wsum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % wsum), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _distribute_murni(root: _Row) -> None:
    """Spread each program's Perjanjian Kinerja budget over its non-DAU leaves by revised budget."""
    pk = {
        r["program_kode"]: int(r["anggaran_pk"])
        for r in _read_csv("perjanjian_kinerja_2022_anggaran_murni.csv")
    }
    for program in root.children:
        leaves = [leaf for leaf in _leaves(program) if leaf.sumber_dana != "DAU"]
        for leaf, part in zip(
            leaves, _largest_remainder(pk[program.kode], [x.anggaran for x in leaves]), strict=True
        ):
            leaf.murni = part
    _sum_up(root, ("murni",))


def _cumulate(weights: list[int] | tuple[int, ...]) -> list[int]:
    """Running sums of monthly weights."""
    out, acc = [], 0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _schedule(leaf: _Row, rng: random.Random) -> None:
    """Set the monthly to-date realization and anggaran kas of a leaf row (integers, non-decreasing)."""
    if leaf.sumber_dana == "DAU":
        weights = [w * rng.randint(80, 120) for w in _DAU_WEIGHTS]
        plan = _DAU_PLAN
    elif leaf.kode == GAJI_KODE:
        weights = [w + rng.randint(-4, 4) for w in _GAJI_WEIGHTS]
        plan = _GAJI_PLAN
    else:
        weights = [w * rng.randint(60, 140) for w in _UMUM_WEIGHTS]
        for m in range(11):  # some months without any SP2D
            if rng.random() < 0.2:
                weights[m] = 0
        plan = _UMUM_PLAN
    cum, cum_plan = _cumulate(weights), _cumulate(plan)
    leaf.to_date = [leaf.realisasi * c // cum[-1] for c in cum]
    leaf.rak = [
        max(leaf.to_date[m], min(leaf.anggaran * cum_plan[m] // cum_plan[-1], leaf.budget(m + 1)))
        for m in range(12)
    ]


def _fisik(sub: _Row) -> list[float]:
    """Physical progress (%) of a sub kegiatan per month: 100 in December when absorption is high."""
    if sub.realisasi == 0 or sub.anggaran == 0:
        return [0.0] * 12
    absorption_bp = sub.realisasi * 10000 // sub.anggaran  # hundredths of a percent
    final_bp = 10000 if absorption_bp >= 7500 else min(10000, absorption_bp + 1500)
    # halfway between the financial to-date share and a linear calendar share
    return [
        final_bp * (sub.to_date[m] * 12 + (m + 1) * sub.realisasi) // (24 * sub.realisasi) / 100
        for m in range(12)
    ]


def _check(root: _Row) -> None:
    """Invariants of the series: to-date within the month's budget, RAK within budget, RAK ends at it."""
    for node in _walk(root):
        for m in range(12):
            budget = node.budget(m + 1)
            if node.to_date[m] > budget or node.rak[m] > budget:
                raise AssertionError(f"{node.kode} month {m + 1}: realization or RAK above the budget")
            if m and node.to_date[m] < node.to_date[m - 1]:
                raise AssertionError(f"{node.kode} month {m + 1}: to-date realization decreases")
        if node.to_date[11] != node.realisasi or node.rak[11] != node.anggaran:
            raise AssertionError(f"{node.kode}: December does not close on the year values")


def build_sample(year: int = SAMPLE_YEAR) -> _Row:
    """The budget tree of the sample year with every monthly series filled in."""
    if year != SAMPLE_YEAR:
        raise ValueError(f"no sample data for year {year}; only {SAMPLE_YEAR} is available")
    root = _build_tree()
    _distribute_murni(root)
    rng = random.Random(SEED)
    for leaf in _leaves(root):
        _schedule(leaf, rng)
    _sum_up_series(root)
    for node in _walk(root):
        if node.level == "sub_kegiatan":
            node.fisik = _fisik(node)
    _check(root)
    return root


def _export_time(year: int, month: int) -> datetime:
    """Fixed creation time of a workbook: the 5th of the month after the reported one, 08:00."""
    return datetime(year + 1, 1, 5, 8, 0) if month == 12 else datetime(year, month + 1, 5, 8, 0)


def _new_workbook(path: Path, title: str, created: datetime) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook with fixed document properties (stable bytes)."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties(
        {"title": title, "author": "SIPD", "company": "Pemerintah Kota Semarang", "created": created}
    )
    return workbook


def _write_realization(root: _Row, path: Path, year: int, month: int) -> None:
    """One monthly LRA workbook: header block (rows 1-5), two-row table header (rows 7-8), data from row 9."""
    workbook = _new_workbook(path, f"Realisasi Anggaran {BULAN[month - 1]} {year}", _export_time(year, month))
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#D9E1F2",
        }
    )
    styles = {}
    for level, is_bold in (("total", True), ("parent", True), ("leaf", False)):
        styles[level] = (
            workbook.add_format({"bold": is_bold, "border": 1, "valign": "top"}),
            workbook.add_format({"bold": is_bold, "border": 1, "valign": "top", "text_wrap": True}),
            workbook.add_format({"bold": is_bold, "border": 1, "valign": "top", "num_format": _MONEY_FORMAT}),
            workbook.add_format(
                {"bold": is_bold, "border": 1, "valign": "top", "num_format": _PERCENT_FORMAT}
            ),
        )
    ws: Worksheet = workbook.add_worksheet("Realisasi")
    ws.set_column("A:A", 20)
    ws.set_column("B:B", 60)
    ws.set_column("C:G", 18)
    ws.set_column("H:H", 10)
    ws.set_column("I:I", 15)
    ws.write(0, 0, "PEMERINTAH KOTA SEMARANG", bold)
    ws.write(1, 0, "LAPORAN REALISASI ANGGARAN BELANJA PER SUB KEGIATAN", bold)
    ws.write(2, 0, f"SKPD : {OPD_KODE} {OPD_NAMA}")
    ws.write(3, 0, f"Tahun Anggaran : {year}")
    ws.write(4, 0, f"Bulan : {BULAN[month - 1]}")
    write_table_header(ws, 6, REALIZATION_LAYOUT, head)
    ws.freeze_panes(8, 2)

    m = month - 1
    row = 8
    for node in _walk(root):
        style = styles["parent" if node.children else "leaf"]
        month_value = node.to_date[m] - (node.to_date[m - 1] if m else 0)
        values = {
            "kode": node.kode,
            "uraian": node.uraian,
            "anggaran_murni_rp": node.murni,
            "anggaran_rp": node.budget(month),
            "anggaran_kas_sd_bulan_ini_rp": node.rak[m],
            "realisasi_bulan_ini_rp": month_value,
            "realisasi_sd_bulan_ini_rp": node.to_date[m],
            "fisik_pct": node.fisik[m] if node.fisik is not None else None,
            "sumber_dana": node.sumber_dana,
        }
        for col, name in enumerate(REALIZATION_LAYOUT):
            _write_value(ws, row, col, name, values.get(name), style)
        row += 1
    total = styles["total"]
    ws.merge_range(row, 0, row, 1, "JUMLAH", total[0])
    month_value = root.to_date[m] - (root.to_date[m - 1] if m else 0)
    totals = {
        "anggaran_murni_rp": root.murni,
        "anggaran_rp": root.budget(month),
        "anggaran_kas_sd_bulan_ini_rp": root.rak[m],
        "realisasi_bulan_ini_rp": month_value,
        "realisasi_sd_bulan_ini_rp": root.to_date[m],
    }
    for col, name in enumerate(REALIZATION_LAYOUT[2:], 2):
        _write_value(ws, row, col, name, totals.get(name), total)
    workbook.close()


#: The columns of a sample realization workbook, in order: every column of the column spec (a column
#: the sample has no figures for stays blank).
REALIZATION_LAYOUT: tuple[str, ...] = columns.names(columns.REALIZATION)
#: The word over a group of columns in a two-row header: ``Realisasi`` over ``Bulan Ini`` and
#: ``s.d. Bulan Ini``; every other heading spans both rows.
GROUP_WORD = "Realisasi "


def header_cells(layout: tuple[str, ...]) -> list[tuple[int, int, str, str]]:
    """The two-row header of a realization workbook from the column spec's headings: per group of
    columns (first column, last column, the heading over them, "") or per grouped column (its
    column, its column, "", the heading under the group)."""
    cells: list[tuple[int, int, str, str]] = []
    headings = [columns.column(columns.REALIZATION, name).headings[0] for name in layout]
    col = 0
    while col < len(layout):
        heading = headings[col]
        if not heading.startswith(GROUP_WORD):
            cells.append((col, col, heading, ""))
            col += 1
            continue
        last = col
        while last + 1 < len(layout) and headings[last + 1].startswith(GROUP_WORD):
            last += 1
        if last == col:  # a group of one: its whole heading over both rows
            cells.append((col, col, heading, ""))
            col += 1
            continue
        cells.append((col, last, GROUP_WORD.strip(), ""))
        cells.extend((c, c, "", headings[c][len(GROUP_WORD) :]) for c in range(col, last + 1))
        col = last + 1
    return cells


def write_table_header(ws: Worksheet, row: int, layout: tuple[str, ...], head) -> None:
    """The two-row table header (rows ``row`` and ``row + 1``) of the layout's columns."""
    for first, last, top, bottom in header_cells(layout):
        if bottom:
            ws.write(row + 1, first, bottom, head)
        elif last > first:
            ws.merge_range(row, first, row, last, top, head)
        else:
            ws.merge_range(row, first, row + 1, last, top, head)


def _write_value(ws: Worksheet, row: int, col: int, name: str, value: object, style: tuple) -> None:
    """One cell of a realization row: codes and texts as text (the name wrapped), amounts and
    percentages as numbers, blank where there is no value."""
    kind = columns.column(columns.REALIZATION, name).type
    if value is None or value == "":
        ws.write_blank(row, col, None, style[3 if kind == "percent" else 0])
    elif kind in ("code", "text"):
        ws.write_string(row, col, str(value), style[1 if name == "uraian" else 0])
    else:
        ws.write_number(row, col, value, style[3 if kind == "percent" else 2])


def indicator_layout() -> tuple[str, ...]:
    """The columns of the sample indicator sheet: those of ``indikator_2022.csv``, named as the column
    spec names them, in the CSV's order."""
    known = set(columns.names(columns.INDICATOR))
    header = _read_csv_header("indikator_2022.csv")
    unknown = [name for name in header if name not in known]
    if unknown:
        raise ValueError(f"indikator_2022.csv: columns the column spec does not know: {unknown}")
    return tuple(header)


def _read_csv_header(name: str) -> list[str]:
    """The header of a CSV shipped in ``sakip/sample_data``."""
    text = resources.files("sakip").joinpath("sample_data", name).read_text(encoding="utf-8")
    return next(csv.reader(text.splitlines()))


#: Indicator columns written as numbers (the spec's numbers, and the indicator's number).
_NUMERIC_FIELDS = frozenset({"no", *columns.names(columns.INDICATOR, types=("number", "percent"))})


def _number(text: str) -> int | float:
    """A CSV number as int when integral, else float."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _write_indicators(path: Path, year: int) -> None:
    """The indicator workbook: sheets `Indikator` and `Renstra` (header row 5) and `Narasi` (header row 3)."""
    workbook = _new_workbook(path, f"Indikator Kinerja {year}", datetime(year + 1, 1, 20, 8, 0))
    bold = workbook.add_format({"bold": True})
    head = workbook.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#D9E1F2",
        }
    )
    text = workbook.add_format({"border": 1, "valign": "top", "text_wrap": True})
    num = workbook.add_format({"border": 1, "valign": "top"})

    indikator = _read_csv("indikator_2022.csv")
    ws = workbook.add_worksheet("Indikator")
    ws.set_column("A:B", 9)
    ws.set_column("C:D", 45)
    ws.set_column("E:N", 11)
    ws.set_column("O:O", 40)
    ws.set_column("P:X", 50)
    ws.write(0, 0, "DATA CAPAIAN INDIKATOR KINERJA", bold)
    ws.write(1, 0, f"SKPD : {OPD_KODE} {OPD_NAMA}")
    ws.write(2, 0, f"Tahun : {year}")
    layout = indicator_layout()
    for col, key in enumerate(layout):
        ws.write_string(4, col, columns.column(columns.INDICATOR, key).headings[0], head)
    for row, rec in enumerate(indikator, 5):
        for col, key in enumerate(layout):
            value = rec[key]
            if value == "":
                ws.write_blank(row, col, None, num)
            elif key in _NUMERIC_FIELDS:
                ws.write_number(row, col, _number(value), num)
            else:
                ws.write_string(row, col, value, text)
    ws.freeze_panes(5, 0)

    names = {(r["jenis"].lower(), r["no"]): r for r in indikator}
    ws = workbook.add_worksheet("Renstra")
    ws.set_column("A:B", 9)
    ws.set_column("C:D", 45)
    ws.set_column("E:J", 12)
    ws.write(0, 0, "TARGET KINERJA RENSTRA 2021-2026", bold)
    ws.write(1, 0, f"SKPD : {OPD_KODE} {OPD_NAMA}")
    renstra = [columns.column(columns.RENSTRA, name).headings[0] for name in columns.names(columns.RENSTRA)]
    for col, name in enumerate([*renstra, *(f"Target {y}" for y in range(2022, 2027))]):
        ws.write_string(4, col, name, head)
    for row, rec in enumerate(_read_csv("tabel_2_1_renstra_target.csv"), 5):
        same = names[(rec["jenis"], rec["no"])]  # same statement and indicator text as sheet Indikator
        ws.write_string(row, 0, same["jenis"], text)
        ws.write_number(row, 1, int(rec["no"]), num)
        ws.write_string(row, 2, same["uraian"], text)
        ws.write_string(row, 3, same["indikator"], text)
        values = [rec["data_awal"]] + [rec[f"target_{y}"] for y in range(2022, 2027)]
        for col, value in enumerate(values, 4):
            if value == "":
                ws.write_blank(row, col, None, num)  # printed NA
            else:
                ws.write_number(row, col, _number(value), num)

    ws = workbook.add_worksheet("Narasi")
    ws.set_column("A:A", 10)
    ws.set_column("B:B", 120)
    ws.write(0, 0, f"NARASI LAPORAN KINERJA TAHUN {year}", bold)
    for col, name in enumerate(columns.names(columns.NARASI)):
        ws.write_string(2, col, columns.column(columns.NARASI, name).headings[0], head)
    for row, rec in enumerate(_read_csv("narasi_2022.csv"), 3):
        ws.write_string(row, 0, rec["bagian"], text)
        ws.write_string(row, 1, rec["teks"], text)
    workbook.close()


def write_sample(out_dir: Path, year: int = SAMPLE_YEAR) -> SampleFiles:
    """Write the 12 monthly realization workbooks and the indicator workbook of the sample year."""
    root = build_sample(year)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    realization = []
    for month in range(1, 13):
        path = out_dir / f"realisasi_{year}_{month:02d}.xlsx"
        _write_realization(root, path, year, month)
        realization.append(path)
    indicators = out_dir / f"indikator_{year}.xlsx"
    _write_indicators(indicators, year)
    return SampleFiles(realization=realization, indicators=indicators)
