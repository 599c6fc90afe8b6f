"""The input columns: each column a workbook may have, declared once.

Every stage reads this spec instead of keeping its own list: the readers match workbook headings with
``headings``, the staging contract (:mod:`tasks.core.staging`) takes its columns and dtypes from it,
the monthly suite's amount rules and its column-type checks are filled from it when the suite is
loaded, the warehouse generates its columns from ``stored``, the revision diff, the select lists of
``warehouse.queries``, the sample and bench writers name their headings and CSV columns after it, and
the steward's messages name a column by ``label``.

One name per column from workbook to report: the name here is the staged column, the warehouse
column and the name of the report's internal frames. Units are in the names (``_rp`` rupiah,
``_pct`` percent). Adding a column: one :class:`InputColumn` below, an Alembic migration when it is
stored, and a test (see "Where a new input column goes" in ``docs/architecture.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tasks.core.calendar import BULAN

#: The kinds of workbook: the monthly budget realization, the yearly indicators, the indicator
#: workbook's optional Renstra and Narasi sheets, and the anggaran kas workbook (the year's plan per
#: month).
REALIZATION = "realization"
INDICATOR = "indicator"
RENSTRA = "renstra"
NARASI = "narasi"
CASH_PLAN = "anggaran_kas"
KINDS: tuple[str, ...] = (REALIZATION, INDICATOR, RENSTRA, CASH_PLAN, NARASI)

#: The warehouse tables whose columns are generated from the spec: the monthly fact of a sub
#: kegiatan (``fact_realization`` and its history ``fact_realization_history``) and ``indicator``.
FACT_REALIZATION = "fact_realization"
INDICATOR_TABLE = "indicator"

#: Types of a column's values: rupiah amounts, percentages, other numbers, text, dotted codes.
TYPES: tuple[str, ...] = ("amount", "percent", "number", "text", "code")

#: The pandas dtype a staged column of each type has.
DTYPES: dict[str, str] = {
    "amount": "float64",
    "percent": "float64",
    "number": "float64",
    "text": "str",
    "code": "str",
}


@dataclass(frozen=True)
class Stored:
    """Where the warehouse keeps a column: a generated column of ``table`` with the column's name.

    ``table`` is ``fact_realization`` (the monthly row of a sub kegiatan, current and superseded) or
    ``indicator``. Amounts are ``NUMERIC(18, 2)``, percentages and numbers ``FLOAT``, text
    ``TEXT`` (``VARCHAR(length)`` on SQLite when ``length`` is given) with ``""`` as default.
    """

    table: str
    nullable: bool = False
    length: int = 0


@dataclass(frozen=True)
class InputColumn:
    """One input column: its name, the headings a workbook may give it, type, unit, whether required,
    which kinds of workbook have it, and the name a data steward reads in messages.

    ``required`` is ``"yes"``, ``"no"``, or ``"one_of"`` (at least one column of the kind marked so);
    ``headings[0]`` is the heading sakip writes (samples, bench files); ``label``/``label_en`` name
    the column in messages.
    """

    name: str
    headings: tuple[str, ...]
    type: str
    kinds: tuple[str, ...]
    label: str
    label_en: str
    unit: str = ""
    required: str = "no"
    stored: Stored | None = None

    @property
    def dtype(self) -> str:
        """The pandas dtype of the staged column."""
        return DTYPES[self.type]


def _quarter_headings(roman: str, digit: str) -> tuple[str, ...]:
    """``TW I``, ``TW 1``, ``Triwulan I`` … with and without ``Realisasi`` in front."""
    return tuple(
        f"{prefix}{word} {number}"
        for prefix in ("", "Realisasi ")
        for word in ("TW", "Triwulan")
        for number in (roman, digit)
    )


_R = (REALIZATION,)
_C = (CASH_PLAN,)
_RC = (REALIZATION, CASH_PLAN)
_I = (INDICATOR,)
_IR = (INDICATOR, RENSTRA)
_FACT = FACT_REALIZATION
_IND = INDICATOR_TABLE

_MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def _cash_plan_months() -> tuple[InputColumn, ...]:
    """The plan of each month (``rencana_01_rp`` … ``rencana_12_rp``), required: all twelve."""
    return tuple(
        InputColumn(
            f"rencana_{month:02d}_rp",
            (name,),
            "amount",
            _C,
            f"Anggaran Kas {name}",
            f"Planned disbursement {english}",
            unit="Rp",
            required="yes",
        )
        for month, (name, english) in enumerate(zip(BULAN, _MONTHS_EN, strict=True), start=1)
    )


#: Every input column, in the order of the staged frames (a realization workbook written by sakip,
#: the sample's and the bench's, has its columns in this order; a new column goes at the end of its kind).
COLUMNS: tuple[InputColumn, ...] = (
    # -- the monthly realization workbook (INPUTS.md §1)
    InputColumn("kode", ("Kode", "Kode Rekening", "Kode Rek"), "code", _RC, "Kode", "Code", required="yes"),
    InputColumn(
        "uraian",
        ("Uraian", "Program/Kegiatan/Sub Kegiatan", "Nama"),
        "text",
        _RC,
        "Uraian",
        "Name",
        required="yes",
    ),
    InputColumn(
        "anggaran_murni_rp",
        ("Anggaran Murni", "Anggaran Sebelum Perubahan"),
        "amount",
        _R,
        "Anggaran Murni",
        "Original budget",
        unit="Rp",
        stored=Stored(_FACT, nullable=True),
    ),
    InputColumn(
        "anggaran_rp",
        (
            "Anggaran",
            "Pagu",
            "Pagu Anggaran",
            "Anggaran Setelah Perubahan",
            "Anggaran Perubahan",
            "Anggaran PAPBD",
        ),
        "amount",
        _R,
        "Anggaran",
        "Budget",
        unit="Rp",
        required="yes",
        stored=Stored(_FACT),
    ),
    InputColumn(
        "anggaran_kas_sd_bulan_ini_rp",
        ("Anggaran Kas s.d. Bulan Ini", "RAK s.d. Bulan Ini"),
        "amount",
        _R,
        "Anggaran Kas s.d. Bulan Ini",
        "Planned disbursement to date",
        unit="Rp",
        stored=Stored(_FACT, nullable=True),
    ),
    InputColumn(
        "realisasi_bulan_ini_rp",
        ("Realisasi Bulan Ini",),
        "amount",
        _R,
        "Realisasi Bulan Ini",
        "Realization this month",
        unit="Rp",
        required="one_of",
        stored=Stored(_FACT),
    ),
    InputColumn(
        "realisasi_sd_bulan_ini_rp",
        ("Realisasi s.d. Bulan Ini", "Realisasi sd Bulan Ini", "Realisasi Kumulatif"),
        "amount",
        _R,
        "Realisasi s.d. Bulan Ini",
        "Realization to date",
        unit="Rp",
        required="one_of",
        stored=Stored(_FACT),
    ),
    InputColumn(
        "fisik_pct",
        ("Fisik (%)", "Realisasi Fisik", "Fisik %", "Realisasi Fisik %"),
        "percent",
        _R,
        "Realisasi Fisik",
        "Physical progress",
        unit="%",
        stored=Stored(_FACT, nullable=True),
    ),
    InputColumn(
        "sumber_dana",
        ("Sumber Dana",),
        "text",
        _R,
        "Sumber Dana",
        "Funding source",
        stored=Stored(_FACT, length=200),
    ),
    # -- the yearly indicator workbook (INPUTS.md §2) and its Renstra sheet
    InputColumn("jenis", ("Jenis",), "text", _IR, "Jenis", "Level", required="yes"),
    InputColumn("no", ("No", "Nomor"), "text", _IR, "No", "Number", required="yes"),
    InputColumn(
        "uraian",
        ("Uraian", "Tujuan/Sasaran", "Uraian Tujuan/Sasaran", "Tujuan", "Sasaran", "Sasaran Strategis"),
        "text",
        _IR,
        "Uraian",
        "Statement",
    ),
    InputColumn(
        "indikator",
        ("Indikator", "Indikator Kinerja", "Indikator Kinerja Utama"),
        "text",
        _IR,
        "Indikator",
        "Indicator",
        required="yes",
    ),
    InputColumn("satuan", ("Satuan",), "text", _I, "Satuan", "Unit"),
    InputColumn("arah", ("Arah",), "text", _I, "Arah", "Direction"),
    InputColumn("rumus_capaian", ("Rumus Capaian",), "text", _I, "Rumus Capaian", "Capaian formula"),
    InputColumn("target", ("Target",), "number", _I, "Target", "Target", required="yes"),
    InputColumn("realisasi", ("Realisasi",), "number", _I, "Realisasi", "Realization", required="one_of"),
    InputColumn("tw1", _quarter_headings("I", "1"), "number", _I, "TW I", "Quarter I", required="one_of"),
    InputColumn("tw2", _quarter_headings("II", "2"), "number", _I, "TW II", "Quarter II", required="one_of"),
    InputColumn(
        "tw3", _quarter_headings("III", "3"), "number", _I, "TW III", "Quarter III", required="one_of"
    ),
    InputColumn("tw4", _quarter_headings("IV", "4"), "number", _I, "TW IV", "Quarter IV", required="one_of"),
    InputColumn(
        "realisasi_tahun_lalu",
        ("Realisasi Tahun Lalu",),
        "number",
        _I,
        "Realisasi Tahun Lalu",
        "Last year's realization",
    ),
    InputColumn(
        "target_akhir_renstra",
        ("Target Akhir Renstra",),
        "number",
        _I,
        "Target Akhir Renstra",
        "Renstra end target",
    ),
    InputColumn("kode_program", ("Kode Program",), "code", _I, "Kode Program", "Program codes"),
    # optional texts of the IKU (Tabel 2.2) and of the analysis of Tabel 3.3 ("" when absent)
    InputColumn(
        "definisi_operasional",
        ("Definisi Operasional", "Uraian / Definisi Operasional", "Difinisi Operasional"),
        "text",
        _I,
        "Definisi Operasional",
        "Operational definition",
        stored=Stored(_IND),
    ),
    InputColumn(
        "formula",
        ("Formula", "Formula Penghitungan", "Formula Perhitungan", "Rumus"),
        "text",
        _I,
        "Formula",
        "Formula",
        stored=Stored(_IND),
    ),
    InputColumn(
        "penanggung_jawab",
        ("Penanggung Jawab", "Penanggungjawab"),
        "text",
        _I,
        "Penanggung Jawab",
        "Person responsible",
        stored=Stored(_IND),
    ),
    InputColumn(
        "sumber_data", ("Sumber Data",), "text", _I, "Sumber Data", "Data source", stored=Stored(_IND)
    ),
    InputColumn(
        "analisis_penyebab",
        (
            "Analisis Penyebab",
            "Analisis Keberhasilan / Kegagalan",
            "Analisis Keberhasilan / Kegagalan Kinerja",
            "Analisis",
        ),
        "text",
        _I,
        "Analisis Penyebab",
        "Analysis of causes",
        stored=Stored(_IND),
    ),
    InputColumn(
        "solusi", ("Solusi", "Alternatif Solusi"), "text", _I, "Solusi", "Solution", stored=Stored(_IND)
    ),
    # optional texts of the analysis of capaian (III.C) and of a program's unspent budget (III.D.3)
    InputColumn(
        "faktor_pendukung",
        ("Faktor Pendukung",),
        "text",
        _I,
        "Faktor Pendukung",
        "Supporting factors",
        stored=Stored(_IND),
    ),
    InputColumn(
        "faktor_penghambat",
        ("Faktor Penghambat",),
        "text",
        _I,
        "Faktor Penghambat",
        "Hindering factors",
        stored=Stored(_IND),
    ),
    InputColumn(
        "keterangan_silpa",
        ("Keterangan SILPA", "Keterangan Sisa Anggaran", "Alasan SILPA"),
        "text",
        _I,
        "Keterangan SILPA",
        "Reasons for the unspent budget",
        stored=Stored(_IND),
    ),
    InputColumn(
        "data_awal", ("Data Awal", "Kondisi Awal", "Baseline"), "number", (RENSTRA,), "Data Awal", "Baseline"
    ),
    # -- the indicator workbook's optional sheet Narasi: the office's own texts, each under the part of
    # the report its Bagian names (tasks.core.outline)
    InputColumn(
        "bagian",
        ("Bagian", "Bab", "Bagian Laporan"),
        "text",
        (NARASI,),
        "Bagian",
        "Part",
        required="yes",
    ),
    InputColumn("teks", ("Teks", "Narasi", "Uraian"), "text", (NARASI,), "Teks", "Text", required="yes"),
    # -- the anggaran kas workbook (INPUTS.md §1b): kode and uraian above, the budget, the plan of
    # each month (a heading is any month word of tasks.extract.fields.MONTHS, possibly under a
    # merged ``Anggaran Kas`` / ``RAK`` / ``DKKB`` heading) and the row's total
    InputColumn(
        "anggaran_rp",
        ("Anggaran", "Pagu", "Pagu Anggaran", "Anggaran Setelah Perubahan", "Anggaran Perubahan"),
        "amount",
        _C,
        "Anggaran",
        "Budget",
        unit="Rp",
    ),
    *_cash_plan_months(),
    InputColumn(
        "jumlah_rp",
        ("Jumlah", "Total", "Jumlah Anggaran Kas", "Total Anggaran Kas"),
        "amount",
        _C,
        "Jumlah",
        "Total",
        unit="Rp",
    ),
)

#: The columns of an anggaran kas workbook holding the plan of each month, January first.
CASH_PLAN_MONTHS: tuple[str, ...] = tuple(f"rencana_{month:02d}_rp" for month in range(1, 13))

#: How a kind's ``one_of`` group is named in messages when none of it is there.
ONE_OF_TITLES: dict[str, tuple[str, str]] = {
    REALIZATION: ("Realisasi Bulan Ini / Realisasi s.d. Bulan Ini", "Realization this month / to date"),
    INDICATOR: ("Realisasi / TW I … TW IV", "Realization / Quarter I … IV"),
}


def of_kind(kind: str) -> tuple[InputColumn, ...]:
    """The columns of one kind of workbook, in spec order."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of workbook: {kind!r}")
    return tuple(column for column in COLUMNS if kind in column.kinds)


def column(kind: str, name: str) -> InputColumn:
    """The column ``name`` of a kind of workbook."""
    for found in of_kind(kind):
        if found.name == name:
            return found
    raise KeyError(f"no column {name!r} in a {kind} workbook")


def names(kind: str, *, types: Iterable[str] | None = None, required: str | None = None) -> tuple[str, ...]:
    """Names of a kind's columns, optionally only those of ``types`` or of one ``required`` value."""
    wanted = None if types is None else set(types)
    return tuple(
        c.name
        for c in of_kind(kind)
        if (wanted is None or c.type in wanted) and (required is None or c.required == required)
    )


def headings(kind: str) -> dict[str, tuple[str, ...]]:
    """Field -> accepted workbook headings, for the readers' header matching."""
    return {c.name: c.headings for c in of_kind(kind)}


def dtypes(kind: str) -> dict[str, str]:
    """Field -> pandas dtype of the staged column."""
    return {c.name: c.dtype for c in of_kind(kind)}


def stored(table: str) -> tuple[InputColumn, ...]:
    """The columns the warehouse keeps in ``table`` (``fact_realization`` or ``indicator``)."""
    return tuple(c for c in COLUMNS if c.stored is not None and c.stored.table == table)


def stored_names(table: str) -> tuple[str, ...]:
    """Names of the columns the warehouse keeps in ``table``."""
    return tuple(c.name for c in stored(table))


def label(name: str, lang: str = "id") -> str:
    """The name a steward reads for a column (any kind; the name itself when it is no input column)."""
    for found in COLUMNS:
        if found.name == name:
            return found.label_en if lang == "en" else found.label
    return name
