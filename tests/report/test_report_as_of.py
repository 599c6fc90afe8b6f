"""Reports as of a moment: written apart, dated in every human format, from the data then in force.

A month is loaded, the moment noted, the month corrected; the report as of that moment must show
the first version in ``<opd>/as-of-<date>/`` with the moment under its titles (xlsx, docx, html;
not in the CSV tables), leave the current report untouched, and refuse a moment before any data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from tasks.core.calendar import format_moment, parse_moment
from tasks.core.problems import NoDataProblem
from tasks.load.realization import load_realization
from tasks.report.build import build_tables
from tasks.report.extras import cumulative_by_month
from tasks.report.extras import murni_perubahan as table_murni_perubahan
from tasks.report.inputs import report_opds
from tasks.report.writer import as_of_folder, write_reports
from tasks.settings import Settings
from tests.fixtures.staged import OPD, realization_lines, realization_workbook
from warehouse.queries import sumber_dana_totals

SUBS = {"2.17.01.2.01.01": (1000.0, 100.0, 100.0), "2.17.02.2.01.01": (2000.0, 250.0, 250.0)}
APRIL = {"2.17.01.2.01.01": (1000.0, 50.0, 150.0), "2.17.02.2.01.01": (2500.0, 0.0, 250.0)}
FIXED = {"2.17.01.2.01.01": (1000.0, 140.0, 140.0), "2.17.02.2.01.01": (2000.0, 250.0, 250.0)}
FORMATS = ("csv", "xlsx", "docx", "html")


def with_murni(subs: dict, murni: float) -> pd.DataFrame:
    """Realization lines whose sub kegiatan carry an original budget (anggaran murni)."""
    lines = realization_lines(subs)
    lines.loc[lines["level"] == "sub_kegiatan", "anggaran_murni_rp"] = murni
    return lines


@pytest.fixture
def corrected(warehouse, clock):
    """March loaded, the moment noted, April loaded and March corrected: (engine, moment between)."""
    before_anything = clock.moment
    clock.advance(minutes=1)
    load_realization(warehouse, realization_workbook(with_murni(SUBS, 900.0), month=3))
    between = clock.advance(minutes=1)
    clock.advance(minutes=1)
    load_realization(warehouse, realization_workbook(with_murni(APRIL, 900.0), month=4))
    load_realization(
        warehouse, realization_workbook(with_murni(FIXED, 900.0), month=3, name="realisasi_koreksi.xlsx")
    )
    return warehouse, between, before_anything


def test_as_of_folder_names():
    assert as_of_folder(parse_moment("2023-02-17")) == "as-of-2023-02-17"
    assert as_of_folder(parse_moment("2023-02-17T08:00")) == "as-of-2023-02-17T0800"
    assert as_of_folder(parse_moment("2023-02-17T08:00:30")) == "as-of-2023-02-17T080030"
    assert as_of_folder(parse_moment("2023-02-17T01:00:00+00:00")) == "as-of-2023-02-17T0800"


def test_report_as_of_is_written_apart_and_dated(corrected, tmp_path: Path):
    engine, between, _ = corrected
    base = tmp_path / "reports"
    settings = Settings()
    current_tables = {
        OPD: build_tables(engine, OPD, 2022, settings.capaian_scale, settings.efficiency_threshold_pct)
    }
    current = write_reports(engine, current_tables, base, 2022, FORMATS, settings.scales)
    folder = base / "2022" / OPD
    current_bytes = {p.name: p.read_bytes() for p in current}

    tables = {
        OPD: build_tables(
            engine, OPD, 2022, settings.capaian_scale, settings.efficiency_threshold_pct, as_of=between
        )
    }
    written = write_reports(engine, tables, base, 2022, FORMATS, settings.scales, as_of=between)

    dated = folder / as_of_folder(between)
    assert dated.name.startswith("as-of-") and "T" in dated.name
    assert written and all(p.parent == dated for p in written)
    assert {p.name: p.read_bytes() for p in current} == current_bytes  # the current report untouched
    assert not [p for p in folder.rglob("*") if ".sakip-report-" in str(p)]  # no staging left
    label = f"Keadaan data per {format_moment(between)}"
    assert label.endswith("+07:00")

    workbook = openpyxl.load_workbook(dated / "lkjip_2022.xlsx")
    for sheet in workbook.worksheets:
        titles = [sheet.cell(row, 1).value for row in range(1, 5)]
        assert label in titles, f"{sheet.title}: {titles}"
    assert all(
        label not in [s.cell(r, 1).value for r in range(1, 5)]
        for s in openpyxl.load_workbook(folder / "lkjip_2022.xlsx").worksheets
    )
    assert label in [p.text for p in docx.Document(str(dated / "lkjip_2022.docx")).paragraphs[:5]]
    assert label in (dated / "lkjip_2022.html").read_text(encoding="utf-8")
    for csv in dated.glob("*.csv"):  # CSV stays machine-readable: header first, no date line
        text = csv.read_text(encoding="utf-8")
        assert "Keadaan data" not in text and text.splitlines()[0] == ",".join(pd.read_csv(csv).columns)

    # the values are the data then in force: March as first sent, April not loaded yet
    def total(path: Path) -> float:
        table = pd.read_csv(path)
        return float(table.loc[table["level"] == "urusan", "realisasi"].iloc[0])

    assert total(dated / "tabel_3_6.csv") == 350.0
    assert total(folder / "tabel_3_6.csv") == 400.0  # now: April to date


def test_as_of_extras_follow_the_data_then(corrected):
    engine, between, _ = corrected
    monthly = cumulative_by_month(engine, OPD, 2022, as_of=between)
    assert sorted(monthly["bulan"].unique()) == [3]
    urusan = monthly[monthly["level"] == "urusan"]
    assert urusan["realisasi_sd_bulan_ini_rp"].tolist() == [350.0]
    assert sorted(cumulative_by_month(engine, OPD, 2022)["bulan"].unique()) == [3, 4]
    then = table_murni_perubahan(engine, OPD, 2022, as_of=between)
    assert then.iloc[-1][["anggaran_murni", "anggaran_perubahan"]].tolist() == [1800.0, 3000.0]
    now = table_murni_perubahan(engine, OPD, 2022)
    assert now.iloc[-1][["anggaran_murni", "anggaran_perubahan"]].tolist() == [1800.0, 3500.0]
    assert sumber_dana_totals(engine, OPD, 2022, 3, as_of=between).to_dict() == {"PAD": 3000.0}


def test_as_of_now_gives_the_current_tables(corrected):
    engine, _, _ = corrected
    now = datetime.now(UTC)
    pd.testing.assert_frame_equal(
        table_murni_perubahan(engine, OPD, 2022, as_of=now), table_murni_perubahan(engine, OPD, 2022)
    )
    pd.testing.assert_frame_equal(
        cumulative_by_month(engine, OPD, 2022, as_of=now).reset_index(drop=True),
        cumulative_by_month(engine, OPD, 2022).reset_index(drop=True),
        check_dtype=False,
    )


def test_no_data_at_that_moment_is_refused(corrected):
    engine, between, before_anything = corrected
    assert report_opds(engine, 2022, as_of=between) == [OPD]
    with pytest.raises(NoDataProblem) as raised:
        report_opds(engine, 2022, as_of=before_anything)
    assert raised.value.rule == "report.no_data_as_of"
    message = raised.value.message()
    assert message.startswith(f"Tidak ada data OPD {OPD} tahun 2022 per {format_moment(before_anything)}")
    assert "pertama dimuat 20" in message and message.endswith("+07:00")
    with pytest.raises(NoDataProblem, match=r"OPD 9\.9\.9 "):
        report_opds(engine, 2022, opd="9.9.9")
