"""The office's texts kept with the year's data: the Narasi texts of an indicator workbook load with
its batch, a newer workbook replaces them, a moment in the past gets the texts in force then; the
indicator text columns reach the report's indicators; a refused Narasi cell loads nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import func, select

from tasks.core.outline import OfficeTexts
from tasks.extract.reading import read_workbook
from tasks.load.indicators import load_indicators
from tasks.operations.intake import load_workbook
from tasks.report.extras import report_extras
from tasks.report.inputs import indicator_rows
from tests.fixtures.staged import OPD, indicator_workbook
from tests.fixtures.workbooks import INDICATOR_HEADER, Sheet, indicator_block, write_xlsx
from warehouse.models import Indicator, IndicatorNarrative, LoadBatch
from warehouse.queries import office_texts

ROWS = [
    {
        "jenis": "sasaran",
        "no": "1",
        "indikator": "Persentase koperasi Aktif",
        "target": 76.0,
        "realisasi": 76.64,
        "analisis_penyebab": "Pelatihan dan pendampingan",
        "faktor_pendukung": "Sistem updating kelembagaan",
        "faktor_penghambat": "Pandemi",
        "solusi": "Pendampingan berkala",
    },
    {
        "jenis": "program",
        "no": "1",
        "indikator": "Persentase fasilitasi",
        "target": 100.0,
        "realisasi": 100.0,
        "kode_program": "2.17.08",
        "keterangan_silpa": "Pengajuan HAKI tidak lolos verifikasi",
    },
]

INDIKATOR_ROWS = [
    *indicator_block(),
    INDICATOR_HEADER,
    ["Sasaran", 1, "Sasaran satu", "Persentase A", "%", None, 76, 80],
]
FIRST = OfficeTexts({"I.A": ("Gambaran umum.", "Paragraf kedua."), "IV.C": ("Saran.",)})
SECOND = OfficeTexts({"I.A": ("Gambaran umum yang diperbaiki.",), "3.4": ("Sasaran 2: HAKI.",)})


def with_texts(texts: OfficeTexts, digest: str) -> object:
    """The staged workbook of ``ROWS`` with ``texts``, as a file of its own (``digest``)."""
    return dataclasses.replace(indicator_workbook(ROWS), texts=texts, sha256=digest)


def test_texts_load_with_their_workbook_and_a_newer_one_replaces_them(warehouse, clock):
    assert office_texts(warehouse, OPD, 2022) == OfficeTexts()  # nothing loaded yet
    before_anything = clock.moment
    clock.advance(minutes=1)
    load_indicators(warehouse, with_texts(FIRST, "a" * 64))
    between = clock.advance(minutes=1)
    clock.advance(minutes=1)
    load_indicators(warehouse, with_texts(SECOND, "b" * 64))

    assert office_texts(warehouse, OPD, 2022) == SECOND
    assert office_texts(warehouse, OPD, 2022, as_of=between) == FIRST
    assert office_texts(warehouse, OPD, 2022, as_of=before_anything) == OfficeTexts()
    assert office_texts(warehouse, OPD, 2023) == OfficeTexts()
    with warehouse.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(IndicatorNarrative)) == 5  # both versions kept


def test_a_workbook_without_texts_clears_them(warehouse, clock):
    load_indicators(warehouse, with_texts(FIRST, "a" * 64))
    clock.advance(minutes=1)
    load_indicators(warehouse, with_texts(OfficeTexts(), "c" * 64))
    assert office_texts(warehouse, OPD, 2022) == OfficeTexts()


def test_report_extras_carry_the_texts_in_force(warehouse, clock):
    load_indicators(warehouse, with_texts(FIRST, "a" * 64))
    assert report_extras(warehouse, OPD, 2022, None).texts == FIRST


def test_indicator_text_columns_reach_the_report_s_indicators(warehouse):
    load_indicators(warehouse, with_texts(OfficeTexts(), "a" * 64))
    frame = indicator_rows(warehouse, OPD, 2022).set_index("jenis")
    assert frame.loc["sasaran", "analisis_penyebab"] == "Pelatihan dan pendampingan"
    assert frame.loc["sasaran", "faktor_pendukung"] == "Sistem updating kelembagaan"
    assert frame.loc["sasaran", "faktor_penghambat"] == "Pandemi"
    assert frame.loc["sasaran", "solusi"] == "Pendampingan berkala"
    assert frame.loc["sasaran", "keterangan_silpa"] == ""  # "" where absent
    assert frame.loc["program", "keterangan_silpa"] == "Pengajuan HAKI tidak lolos verifikasi"
    assert frame.loc["program", "faktor_pendukung"] == ""


def test_a_workbook_read_with_its_narasi_loads_its_texts(warehouse, tmp_path: Path):
    indikator = Sheet("Indikator", INDIKATOR_ROWS)
    narasi = Sheet("Narasi", [["Bagian", "Teks"], ["BAB IV.B", "Upaya pertama.\n\nUpaya kedua."]])
    staged = read_workbook(write_xlsx(tmp_path / "indikator_2022.xlsx", indikator, narasi), opd=OPD)
    outcome = load_workbook(warehouse, staged)
    assert outcome.status == "loaded", outcome.issues
    assert office_texts(warehouse, OPD, 2022) == OfficeTexts({"IV.B": ("Upaya pertama.", "Upaya kedua.")})


def test_a_refused_narasi_cell_loads_nothing(warehouse, tmp_path: Path):
    indikator = Sheet("Indikator", INDIKATOR_ROWS)
    narasi = Sheet("Narasi", [["Bagian", "Teks"], ["I.A", "Gambaran umum."], ["Bab Lima", "Tidak ada."]])
    staged = read_workbook(write_xlsx(tmp_path / "indikator_2022.xlsx", indikator, narasi), opd=OPD)
    outcome = load_workbook(warehouse, staged)
    assert outcome.status == "rejected"
    assert [(i.rule, i.sheet, i.cell) for i in outcome.issues] == [("narasi.key_unknown", "Narasi", "A3")]
    with warehouse.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Indicator)) == 0
        assert conn.scalar(select(func.count()).select_from(IndicatorNarrative)) == 0
        assert conn.execute(select(LoadBatch.status)).scalars().all() == ["rejected"]


def test_the_sample_s_texts_load(warehouse, sample_2022):
    staged = read_workbook(sample_2022.indicators)
    assert load_workbook(warehouse, staged).status == "loaded"
    texts = office_texts(warehouse, staged.workbook.opd_code, 2022)
    assert texts == staged.workbook.texts
    assert list(texts.sections) == ["I.A", "I.B", "I.C", "II.A.3", "II.C", "III.C", "IV.B", "IV.C"]
    assert texts.under("I.C")[-1].splitlines()[0].startswith("1. Masih terbatasnya kualitas")
    frame = indicator_rows(warehouse, staged.workbook.opd_code, 2022)
    reasons = frame.loc[frame["keterangan_silpa"] != "", ["jenis", "kode_program"]]
    assert reasons.values.tolist() == [["program", "2.17.01"], ["program", "2.17.07"]]
