"""Text from cells reaches the warehouse whole and the same on SQLite and PostgreSQL.

Long texts (an uraian of 1,200 characters, an OPD name of 400, an indicator of 1,500) are stored
whole; control characters that Excel writes as ``_x0000_``-style escapes (NUL, ESC ...) are removed
when the file is read, each cell reported as a warning, and the file loads. Workbooks are generated
with openpyxl (which writes the escapes literally, as Excel does).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tasks.core.text import strip_control_characters
from tasks.extract.reading import read_workbook
from tasks.settings import load_settings
from tests.fixtures.staged import ingest_batch
from tests.fixtures.workbooks import (
    INDICATOR_HEADER,
    REALIZATION_BODY,
    Sheet,
    header_block,
    indicator_block,
    realization_sheet,
    write_xlsx,
)
from warehouse.models import BudgetItem, FactRealization, FactRealizationAccount, Indicator, Opd

OPD = "2.17.0.00.0.00.01.0000"
LONG_URAIAN = "Penyusunan Dokumen Perencanaan " + "dan Evaluasi Kinerja Perangkat Daerah " * 31
LONG_OPD = "Dinas Koperasi dan Usaha Mikro " + "Bidang Pemberdayaan " * 19
LONG_ACCOUNT = "Belanja Alat Tulis Kantor untuk " + "kegiatan rapat koordinasi " * 30
LONG_INDICATOR = "Persentase koperasi aktif yang " + "telah melaksanakan rapat anggota tahunan " * 36


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    """Settings of a work folder whose GX project the tests share."""
    return load_settings(str(tmp_path_factory.mktemp("work")))


def realization_file(folder: Path) -> Path:
    """A month whose texts are long and carry control characters (row 9 on: the table body)."""
    body = [list(row) for row in REALIZATION_BODY]
    body[3][1] = LONG_URAIAN  # sub kegiatan 01
    body[4][1] = LONG_ACCOUNT  # its account row
    body[5][1] = "Koordinasi_x0000_ Penyusunan_x001B_ RKA"  # sub kegiatan 02, NUL and ESC
    body[5][6] = "DAU_x0000_"
    sheet = realization_sheet(block=header_block(opd=f"{OPD} {LONG_OPD}"), body=body)
    return write_xlsx(folder / "realisasi_2022_03.xlsx", sheet)


def indicator_file(folder: Path) -> Path:
    """An indicator workbook with a long indicator and a NUL in a unit."""
    rows = [
        *indicator_block(opd=f"{OPD} Dinas Koperasi dan Usaha Mikro"),
        INDICATOR_HEADER,
        ["Sasaran", 1, "Meningkatnya kualitas koperasi", LONG_INDICATOR, "%", "Positif", 76, "76,64"],
        ["Sasaran", 2, "Meningkatnya kinerja_x0000_", "Nilai AKIP", "nilai_x0000_", None, "77,20", 79.71],
    ]
    return write_xlsx(folder / "indikator_2022.xlsx", Sheet("Indikator", rows))


def test_control_characters_are_removed_in_place_and_reported():
    rows: list[list[object]] = [["a\x00b", 1.5, None], ["ok\nline", "tab\there", "x\x1by\x7f\x85"]]
    assert strip_control_characters(rows) == [(0, 0), (1, 2)]
    assert rows == [["ab", 1.5, None], ["ok\nline", "tab\there", "xy"]]


def test_long_and_control_texts_load_the_same_on_both_databases(warehouse, settings, tmp_path):
    # longer than the former VARCHAR columns: budget_item.name 500, opd.name 300, indikator 1000 ...
    lengths = (len(LONG_URAIAN), len(LONG_OPD), len(LONG_ACCOUNT), len(LONG_INDICATOR))
    assert all(n > limit for n, limit in zip(lengths, (1000, 300, 500, 1000), strict=True))
    files = [read_workbook(realization_file(tmp_path)), read_workbook(indicator_file(tmp_path))]
    outcomes = ingest_batch(warehouse, files, settings, workers=2)
    assert [o.status for o in outcomes] == ["loaded", "loaded"], [o.issues for o in outcomes]
    realization, indicators = outcomes
    assert [(i.rule, i.cell, i.severity) for i in realization.issues] == [
        ("cell.control_characters", "B12", "warning"),
        ("cell.control_characters", "G12", "warning"),
    ]
    assert "_x0000_" in realization.issues[0].describe() and "sel B12" in realization.issues[0].describe()
    assert [(i.rule, i.cell) for i in indicators.issues] == [
        ("cell.control_characters", "C7"),
        ("cell.control_characters", "E7"),
    ]
    with warehouse.connect() as conn:
        names = dict(conn.execute(select(BudgetItem.code, BudgetItem.name)).all())
        opd_name = conn.scalar(select(Opd.name).where(Opd.code == OPD))
        accounts = conn.execute(select(FactRealizationAccount.uraian)).scalars().all()
        funds = sorted(conn.execute(select(FactRealization.sumber_dana)).scalars().all())
        texts = conn.execute(select(Indicator.indikator, Indicator.uraian, Indicator.satuan)).all()
    assert names["2.17.01.2.01.01"] == " ".join(LONG_URAIAN.split())
    assert names["2.17.01.2.01.02"] == "Koordinasi Penyusunan RKA"
    assert opd_name == " ".join(LONG_OPD.split())
    assert accounts == [" ".join(LONG_ACCOUNT.split())]
    assert funds == ["DAU", "PAD"]
    assert sorted(texts) == sorted(
        [
            (" ".join(LONG_INDICATOR.split()), "Meningkatnya kualitas koperasi", "%"),
            ("Nilai AKIP", "Meningkatnya kinerja", "nilai"),
        ]
    )
