"""Table 2.2: the key performance indicators (IKU) of the tujuan and sasaran with their operational
definition, formula, person responsible and data source (optional texts of the indicator workbook),
for the Renstra's period.

An indicator the Perjanjian Kinerja adds without an operational definition (a sasaran measured by
"Nilai AKIP", say) is no IKU of the Renstra: when the workbook defines any indicator, the table
lists the defined ones only, so no row stands with an empty definition.
"""

from __future__ import annotations

import pandas as pd

from tasks.report.model import (
    Col,
    Layout,
    LayoutContext,
    LkjipTable,
    TableInputs,
    text_column,
)

#: The optional texts the table prints, in column order.
TEXTS: tuple[str, ...] = ("definisi_operasional", "formula", "penanggung_jawab", "sumber_data")


def table_2_2(indicators: pd.DataFrame) -> pd.DataFrame:
    """Table 2.2: tujuan and sasaran indicators (numbered through) with their IKU texts."""
    chosen = indicators[indicators["jenis"].isin(["tujuan", "sasaran"])]
    defined = text_column(chosen, "definisi_operasional").str.strip() != ""
    if defined.any():
        chosen = chosen[defined]
    table = pd.DataFrame(
        {
            "jenis": chosen["jenis"],
            "no": chosen["no"],
            "uraian": chosen["uraian"],
            "no_iku": [str(i) for i in range(1, len(chosen) + 1)],
            "indikator": chosen["indikator"],
        }
    )
    for name in TEXTS:
        table[name] = text_column(chosen, name)
    return table.reset_index(drop=True)


def compute(inputs: TableInputs) -> pd.DataFrame | None:
    """The table from the OPD's indicators; None without an indicator workbook."""
    return None if inputs.indicators is None else table_2_2(inputs.indicators)


def layout(df: pd.DataFrame, ctx: LayoutContext) -> Layout:
    """The printed layout: tujuan/sasaran and the IKU side by side, the texts after them."""
    goal = ("Tujuan/Sasaran Strategis", "Goal/Strategic Objective")
    iku = ("Indikator Kinerja Utama", "Key Performance Indicator")
    return Layout(
        titles=[
            ("Tabel 2. 2", "Table 2.2"),
            (
                "Penetapan Indikator Kinerja Utama (IKU)",
                "Key Performance Indicators (IKU)",
            ),
            (f"{ctx.opd_named} {ctx.renstra_period[0]}", f"{ctx.opd_named}, {ctx.renstra_period[1]}"),
        ],
        cols=[
            Col("no", ("No", "No"), "no", 5, goal),
            Col("uraian", ("Uraian", "Statement"), "text", 26, goal),
            Col("no_iku", ("No", "No"), "no", 5, iku),
            Col("indikator", ("Uraian", "Indicator"), "text", 24, iku),
            Col(
                "definisi_operasional",
                ("Uraian / Definisi Operasional", "Operational Definition"),
                "text",
                34,
            ),
            Col("formula", ("Formula Penghitungan", "Formula"), "text", 28),
            Col("penanggung_jawab", ("Penanggung Jawab", "Person Responsible"), "text", 18),
            Col("sumber_data", ("Sumber Data", "Data Source"), "text", 18),
        ],
        numbering=True,
        sections=True,
    )


TABLE = LkjipTable(
    "tabel_2_2",
    "Tabel 2.2",
    compute,
    layout,
    None,
    place="II.B",
)
