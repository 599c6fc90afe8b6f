"""What an LKjIP table is, once: its computation, its printed layout and its reconciliation rule.

Each table of the report is one module of :mod:`tasks.report.tables` exposing a :class:`LkjipTable`;
the registry there lists them in document order, and everything that needs "every table" (the
builder, the CSV and xlsx writers, the printed form for docx/html, the reconciliation) reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    """What a layout's titles and headings name: the OPD, the report year, the Renstra end year."""

    opd: str
    year: int
    end_year: int | None = None

    @property
    def opd_year(self) -> Text:
        """``<OPD> Tahun <year>``."""
        return (f"{self.opd} Tahun {self.year}", f"{self.opd}, {self.year}")

    @property
    def opd_budget_year(self) -> Text:
        """``<OPD> Tahun Anggaran <year>``."""
        return (f"{self.opd} Tahun Anggaran {self.year}", f"{self.opd}, Fiscal Year {self.year}")

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
    #: budget lines rolled up from sub kegiatan to urusan (kode, level, uraian, anggaran, realisasi); None
    #: when no month of the year is loaded. Lines of several OPDs (an ``opd_code`` column) are computed
    #: together by the tables that need nothing else, and keep that column
    budget: pd.DataFrame | None
    capaian_scale: tuple[tuple[float, str], ...]
    efficiency_threshold_pct: float
    #: budget and realization per sub kegiatan and funding source (kode, uraian, sumber_dana, anggaran,
    #: realisasi) at the same month as ``budget``; None when unknown. Rows of several OPDs carry an
    #: ``opd_code`` column, as ``budget`` does
    funding: pd.DataFrame | None = None


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
    #: chapter heading in the Word document, section heading in the html page
    chapter: str = ""
    section: str = ""
    #: narrative sections printed before / after the table (see ``Narrative.sections``)
    narrative_before: tuple[str, ...] = ()
    narrative_after: tuple[str, ...] = ()
    #: charts shown after the table in the Word document and in the html page
    charts_after_docx: tuple[str, ...] = ()
    charts_after_html: tuple[str, ...] = ()


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
