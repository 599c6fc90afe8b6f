"""What an LKjIP table is, once: its computation, its printed layout and its reconciliation rule.

Each table of the report is one module of :mod:`tasks.report.tables` exposing a :class:`LkjipTable`;
the registry there lists them in document order, and everything that needs "every table" (the
builder, the CSV and xlsx writers, the printed form for docx/html, the reconciliation) reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tasks.report.checks import TableSpec

Text = tuple[str, str]  # (Bahasa Indonesia, English)


@dataclass(frozen=True)
class Col:
    """One printed column: frame column, heading, kind of cell, width, optional group heading."""

    key: str
    heading: Text
    kind: str  # no | code | text | label | amount | number
    width: float
    group: Text | None = None
    #: the frame column holding the value's unit: printed beside it where the document does (``76%``)
    unit: str = ""


@dataclass(frozen=True)
class Layout:
    """How one table is printed: title lines, columns and options."""

    titles: list[Text]
    cols: list[Col]
    numbering: bool = False  # a row "1 2 3 ..." under the headings, as the document prints
    hierarchy: bool = False  # rows carry a budget level (3.6, 3.7)
    sections: bool = False  # rows grouped by jenis under "TUJUAN :" lines (3.5)
    bold_total: bool = False  # the JUMLAH row printed bold in the docx and html (murni-perubahan)


@dataclass(frozen=True)
class LayoutContext:
    """What a layout's titles and headings name: the OPD, the report year, the Renstra end year, and
    the government the OPD belongs to in title form (``Kota Semarang``; "" when unknown)."""

    opd: str
    year: int
    end_year: int | None = None
    government: str = ""

    @property
    def opd_named(self) -> str:
        """``<OPD> <government>`` (``Dinas Koperasi dan Usaha Mikro Kota Semarang``), or the OPD alone."""
        return f"{self.opd} {self.government}" if self.government else self.opd

    @property
    def opd_year(self) -> Text:
        """``<OPD> <government> Tahun <year>``."""
        return (f"{self.opd_named} Tahun {self.year}", f"{self.opd_named}, {self.year}")

    @property
    def opd_budget_year(self) -> Text:
        """``<OPD> <government> Tahun Anggaran <year>``."""
        return (f"{self.opd_named} Tahun Anggaran {self.year}", f"{self.opd_named}, Fiscal Year {self.year}")

    @property
    def renstra_period(self) -> Text:
        """`` Tahun <start> - <end>`` of the Renstra (five years ending in its end year), or the report
        year's ``Tahun <year>`` when the end year is not known."""
        if self.end_year:
            period = f"{self.end_year - 5} - {self.end_year}"
            return (f"Tahun {period}", period)
        return (f"Tahun {self.year}", str(self.year))

    @property
    def end_text(self) -> Text:
        """`` Tahun <end year>`` of the Renstra, or nothing when it is not known."""
        return (f" Tahun {self.end_year}", f" {self.end_year}") if self.end_year else ("", "")


#: Columns several tables print alike.
NO = Col("no", ("No", "No"), "no", 6)
INDICATOR = Col("indikator", ("Indikator Kinerja", "Performance Indicator"), "text", 36)
SASARAN = Col("sasaran", ("Sasaran", "Objective"), "text", 36)
SATUAN = Col("satuan", ("Satuan", "Unit"), "label", 10)
KODE = Col("kode", ("Kode", "Code"), "code", 18)
URAIAN = Col("uraian", ("Program/Kegiatan/Sub Kegiatan", "Program/Activity/Sub-activity"), "text", 58)
ANGGARAN = Col("anggaran", ("Anggaran (Rp)", "Budget (Rp)"), "amount", 18)
REALISASI_RP = Col("realisasi", ("Realisasi (Rp)", "Realization (Rp)"), "amount", 18)


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """An optional text column of the indicators ("" where the column or the value is absent)."""
    if name not in frame.columns:
        return pd.Series("", index=frame.index, dtype="object")
    return frame[name].astype("object").where(frame[name].notna(), "").astype(str)


#: The columns every table of the Perjanjian Kinerja's sasaran starts with, by their indicator column.
_SASARAN_COLUMNS = {
    "no": "no",
    "sasaran": "uraian",
    "indikator": "indikator",
    "satuan": "satuan",
    "target": "target",
}


def sasaran_table(
    indicators: pd.DataFrame, more: Callable[[pd.DataFrame], Mapping[str, pd.Series]] | None = None
) -> pd.DataFrame:
    """The sasaran indicators of the Perjanjian Kinerja, numbered from 0: their number, sasaran,
    indicator, unit and this year's target, then the columns ``more`` gives from the sasaran rows."""
    sasaran = indicators[indicators["jenis"] == "sasaran"]
    columns = {name: sasaran[source] for name, source in _SASARAN_COLUMNS.items()}
    if more is not None:
        columns.update(more(sasaran))
    return pd.DataFrame(columns).reset_index(drop=True)


#: Columns naming the OPD of a line when the lines of several OPDs are computed together.
OPD_COLUMNS: tuple[str, ...] = ("opd_code",)


def opd_columns(frame: pd.DataFrame) -> list[str]:
    """The OPD columns a frame of several OPDs' lines carries (none for one OPD's)."""
    return [column for column in OPD_COLUMNS if column in frame.columns]


@dataclass(frozen=True)
class TableInputs:
    """What the tables of one OPD-year are computed from (plain values, no configuration object)."""

    #: the OPD's indicators of the year (see :func:`tasks.report.inputs.indicator_rows`); None without
    indicators: pd.DataFrame | None
    #: budget lines rolled up from sub kegiatan to urusan (kode, level, uraian, anggaran_rp,
    #: realisasi_sd_bulan_ini_rp, fisik: the column spec's names); None when no month of the year is
    #: loaded. Lines of several OPDs (an ``opd_code`` column) are computed together by the tables that
    #: need nothing else, and keep that column
    budget: pd.DataFrame | None
    capaian_scale: tuple[tuple[float, str], ...]
    efficiency_threshold_pct: float
    #: budget and realization per sub kegiatan and funding source (kode, uraian, sumber_dana,
    #: anggaran_rp, realisasi_sd_bulan_ini_rp) at the same month as ``budget``; None when unknown. Rows
    #: of several OPDs carry an ``opd_code`` column, as ``budget`` does
    funding: pd.DataFrame | None = None


@dataclass(frozen=True)
class Heading:
    """One heading of the report: its key (a table's place), level and title, and its own text.

    The key names chapter, section and subsection: ``"III"`` (BAB III, Heading 1), ``"III.D"`` (its
    section D, Heading 2), ``"III.D.2"`` (subsection 2 of D, Heading 3). ``{year}`` in a title is the
    report year. ``narrative`` lists the narrative sections (keys of ``Narrative.sections``) printed
    right under the heading, before its tables. A heading with no table, no narrative and no
    sub-heading with content is not printed.
    """

    key: str
    level: int
    title: Text
    narrative: tuple[str, ...] = ()

    def text(self, year: int, lang_ix: int = 0) -> str:
        """The heading as printed for a report year."""
        return self.title[lang_ix].replace("{year}", str(year))


#: The report's terms, spelled one way everywhere (headings, narrative, tables' titles).
TERMS: dict[str, str] = {
    "analisis": "Analisis",
    "capaian": "Capaian",
    "serapan": "Serapan",
    "sisa_anggaran": "sisa anggaran",
    "silpa": "SiLPA",
    "silpa_long": "Sisa Lebih Pembiayaan Anggaran",
    "faktor_pendukung": "Faktor Pendukung",
    "faktor_penghambat": "Faktor Penghambat",
    "solusi": "Alternatif Solusi",
    "lkjip": "Laporan Kinerja Instansi Pemerintah (LKjIP)",
}

#: The chapters and sections of the LKjIP in document order, as the published LKjIP titles them. A
#: table names its place by one of these keys; the office's texts (``tasks.core.outline``) name them
#: too. Sections only the office can write (the agency's description, its strategic issues, its
#: advice) are printed when it wrote them.
OUTLINE: tuple[Heading, ...] = (
    Heading("IKHTISAR", 1, ("IKHTISAR EKSEKUTIF", "EXECUTIVE SUMMARY"), narrative=("ikhtisar",)),
    Heading("I", 1, ("BAB I PENDAHULUAN", "CHAPTER I INTRODUCTION")),
    Heading("I.A", 2, ("A. Gambaran Umum Perangkat Daerah", "A. The Agency")),
    Heading("I.B", 2, ("B. Tugas Pokok dan Fungsi", "B. Duties and Functions")),
    Heading("I.C", 2, ("C. Isu Strategis", "C. Strategic Issues")),
    Heading(
        "I.D",
        2,
        ("D. Sistematika Penulisan LKjIP", "D. Outline of the Report"),
        narrative=("sistematika",),
    ),
    Heading("II", 1, ("BAB II PERENCANAAN KINERJA", "CHAPTER II PERFORMANCE PLANNING")),
    Heading("II.A", 2, ("A. Perencanaan Strategis", "A. Strategic Planning")),
    Heading("II.A.1", 3, ("1. Tujuan dan Sasaran", "1. Goals and Objectives")),
    Heading(
        "II.A.2",
        3,
        ("2. Program, Kegiatan dan Sub Kegiatan", "2. Programs, Activities and Sub-activities"),
        narrative=("program_list",),
    ),
    Heading("II.A.3", 3, ("3. Strategi dan Kebijakan", "3. Strategy and Policy")),
    Heading(
        "II.B",
        2,
        ("B. Perjanjian Kinerja Tahun {year}", "B. Performance Agreement {year}"),
        narrative=("perjanjian",),
    ),
    Heading("II.C", 2, ("C. Instrumen Pendukung Pengelolaan Kinerja", "C. Performance Management Tools")),
    Heading(
        "III",
        1,
        ("BAB III AKUNTABILITAS KINERJA TAHUN {year}", "CHAPTER III PERFORMANCE ACCOUNTABILITY {year}"),
    ),
    Heading(
        "III.A",
        2,
        ("A. Metode Pengukuran Capaian Kinerja", "A. How Performance Is Measured"),
        narrative=("metode",),
    ),
    Heading("III.B", 2, ("B. Capaian Kinerja Organisasi", "B. Organisational Performance")),
    Heading(
        "III.C",
        2,
        (
            f"C. {TERMS['analisis']} Capaian Kinerja Tujuan dan Sasaran Tahun {{year}}",
            "C. Goals and Objectives {year}",
        ),
    ),
    Heading("III.D", 2, ("D. Akuntabilitas Anggaran", "D. Budget Accountability")),
    Heading(
        "III.D.1",
        3,
        ("1. Target dan Realisasi Pendapatan", "1. Revenue Target and Realization"),
        narrative=("pendapatan",),
    ),
    Heading(
        "III.D.2",
        3,
        ("2. Alokasi Anggaran dan Realisasi Belanja Tahun {year}", "2. Budget and Spending {year}"),
    ),
    Heading("III.D.3", 3, ("3. Sisa Anggaran", "3. Unspent Budget")),
    Heading("IV", 1, ("BAB IV PENUTUP", "CHAPTER IV CLOSING")),
    Heading(
        "IV.A",
        2,
        ("A. Kesimpulan Umum Capaian Kinerja", "A. General Conclusion"),
        narrative=("kesimpulan",),
    ),
    Heading("IV.B", 2, ("B. Progres Penyelesaian Isu Strategis", "B. Progress on Strategic Issues")),
    Heading("IV.C", 2, ("C. Saran", "C. Recommendations")),
    Heading("LAMPIRAN", 1, ("LAMPIRAN", "APPENDIX")),
)
#: Heading of each outline key.
HEADINGS: dict[str, Heading] = {heading.key: heading for heading in OUTLINE}
#: Where a table with no known place goes.
APPENDIX = "LAMPIRAN"


def chapter_number(key: str) -> int | None:
    """The chapter of an outline key as a number (``"III.D.2"`` -> 3), None for the appendix."""
    numerals = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
    return numerals.get(key.split(".", 1)[0])


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart a table's rows give: one bar per row it takes (``rows``, given the row's values by
    frame column), named by the ``label`` column, as long as the ``value`` column (a percentage).

    The report's picture of it (``tasks.report.render.charts``, by ``chart_id``) and the workbook's
    native chart of the table's sheet are both drawn from it.
    """

    chart_id: str
    label: str
    value: str
    rows: Callable[[Mapping[str, Any]], bool]

    def takes(self, frame: pd.DataFrame) -> bool:
        """Whether any row of ``frame`` is a bar."""
        return any(self.rows(record) for record in frame.to_dict("records"))


#: The roles a table plays for the narrative and the charts (``LkjipTable.role``).
ROLES: tuple[str, ...] = (
    "renstra_targets",  # tujuan and sasaran with the Renstra's targets by year (2.1)
    "pk_capaian",  # capaian of the Perjanjian Kinerja's indicators (3.1)
    "renstra_progress",  # progress against the Renstra's end target (3.2)
    "analysis",  # the office's analysis of each sasaran indicator (3.3)
    "efficiency",  # capaian against serapan per sasaran (3.4)
    "indicator_capaian",  # capaian of every tujuan, sasaran and program indicator (3.5)
    "funding_sources",  # transfer funds by source and sub kegiatan
    "program_budget",  # budget, realization and serapan by budget line (3.6)
    "sasaran_silpa",  # remaining budget per sasaran
    "program_silpa",  # remaining budget by budget line (3.7)
    "budget_change",  # original against revised budget (murni-perubahan)
    "performance_summary",  # chapter IV: indicators per level
    "budget_summary",  # chapter IV: the year's budget
    "pk_form",  # the Perjanjian Kinerja form: sasaran, indicators and targets (Lampiran)
    "pk_programs",  # the Perjanjian Kinerja form: programs and their budget (Lampiran)
)


@dataclass(frozen=True)
class LkjipTable:
    """One table of the LKjIP: its id, computation, printed layout, reconciliation and place in the report."""

    table_id: str
    sheet_name: str
    #: the table from the year's inputs (None when the inputs do not give it); None for a table the
    #: report computes from the warehouse itself (the murni-perubahan table)
    compute: Callable[[TableInputs], pd.DataFrame | None] | None
    layout: Callable[[pd.DataFrame, LayoutContext], Layout]
    #: how the published (printed) table is compared with the data; None when it is not reconciled
    reconcile: Callable[[int, list[str]], TableSpec] | None = None
    #: derives the printed columns the frame does not hold directly
    prepare: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    #: where the table is printed: the key of its heading in :data:`OUTLINE` (``"III.D.2"``: BAB III,
    #: section D, subsection 2); the Word document and the html page print the tables of one heading
    #: in REGISTRY order under it. An empty or unknown place prints the table under LAMPIRAN.
    place: str = ""
    #: narrative sections printed before / after the table (see ``Narrative.sections``)
    narrative_before: tuple[str, ...] = ()
    narrative_after: tuple[str, ...] = ()
    #: charts shown after the table, in the Word document and in the html page alike
    charts_after: tuple[str, ...] = ()
    #: what the narrative and the charts know the table as (one of :data:`ROLES`; "" for none): they
    #: find a table by its role in the registry, never by its id
    role: str = ""
    #: charts drawn from this table's rows
    charts_from: tuple[ChartSpec, ...] = ()
    #: the last year of the Renstra the table's frame gives (every table's titles name it), or None
    end_year: Callable[[pd.DataFrame], int | None] | None = None
    #: a signature block follows the table (the forms of the Lampiran, signed by the head of the OPD)
    signed: bool = False


def plain_layout(table_id: str, df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The layout of a table no module describes: the frame's own columns, numbers with two decimals."""
    cols = [
        Col(
            str(c),
            (str(c), str(c)),
            "number"
            if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            else "text",
            14 if pd.api.types.is_numeric_dtype(df[c]) else 30,
        )
        for c in df.columns
    ]
    return Layout(titles=[(str(table_id), str(table_id)), ctx.opd_year], cols=cols)
