"""The tables of every OPD computed together equal the tables computed one OPD at a time."""

from __future__ import annotations

import openpyxl
import pandas as pd

from tasks.extract.reading import read_workbook
from tasks.operations.intake import load_workbook
from tasks.report.build import build_all_tables, build_tables
from tasks.settings import Settings

SECOND_OPD = "2.17.0.00.0.00.02.0000"


def test_all_opds_at_once_match_one_at_a_time(warehouse, sample_2022, tmp_path):
    second = tmp_path / "realisasi_opd2_2022_06.xlsx"
    book = openpyxl.load_workbook(sample_2022.realization[5])
    book.active["A3"] = f"SKPD : {SECOND_OPD} Dinas Kedua"
    book.save(second)
    for path in [*sample_2022.realization, sample_2022.indicators, second]:
        assert load_workbook(warehouse, read_workbook(path)).status == "loaded"
    settings = Settings()

    together = build_all_tables(warehouse, 2022, settings.capaian_scale, settings.efficiency_threshold_pct)

    assert set(together) == {"2.17.0.00.0.00.01.0000", SECOND_OPD}
    # no indicator workbook: the budget tables and the transfer funds' use
    assert set(together[SECOND_OPD]) == {
        "tabel_sumber_dana",
        "tabel_3_6",
        "tabel_3_7",
        "tabel_fisik_keuangan",
        "tabel_ringkasan_anggaran",
    }
    for opd_code, tables in together.items():
        alone = build_tables(
            warehouse, opd_code, 2022, settings.capaian_scale, settings.efficiency_threshold_pct
        )
        assert list(tables) == list(alone)
        for table_id, table in tables.items():
            pd.testing.assert_frame_equal(
                table.reset_index(drop=True),
                alone[table_id].reset_index(drop=True),
                check_dtype=False,
                obj=f"{opd_code} {table_id}",
            )
    june = together[SECOND_OPD]["tabel_3_6"]
    assert june["level"].value_counts()["sub_kegiatan"] == 38
