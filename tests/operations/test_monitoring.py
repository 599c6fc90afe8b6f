"""Monthly monitoring: deviasi against RAK, weighted fisik, early warning, and the monthly flow's artifact."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tasks.operations.monitoring import lagging_first, monitoring_markdown, monitoring_measures, period_label
from tasks.settings import ReportScales

OPD = "2.17.0.00.0.00.01.0000"


def _rows() -> pd.DataFrame:
    """Two programs and the OPD total, rolled up as the monitoring rolls them up."""
    return pd.DataFrame(
        {
            "kode": ["2.17", "2.17.01", "2.17.02"],
            "level": ["urusan", "program", "program"],
            "uraian": ["U", "Program A", "Program B"],
            "anggaran": [300.0, 100.0, 200.0],
            "realisasi_bulan_ini": [10.0, 5.0, 5.0],
            "realisasi_sd_bulan_ini": [110.0, 50.0, 60.0],
            "anggaran_kas_sd_bulan_ini": [140.0, 40.0, 100.0],
            "_fisik_x_anggaran": [100.0 * 60 + 200.0 * 30, 100.0 * 60, 200.0 * 30],
            "_anggaran_fisik": [300.0, 100.0, 200.0],
        }
    )


def test_deviasi_in_points_and_relative_to_rak() -> None:
    table = monitoring_measures(_rows(), 6, ReportScales())
    b = table.set_index("kode").loc["2.17.02"]
    assert b["realisasi_pct"] == pytest.approx(30.0)
    assert b["rak_pct"] == pytest.approx(50.0)
    assert b["deviasi_poin"] == pytest.approx(-20.0)
    assert b["deviasi_relatif_pct"] == pytest.approx(-40.0)
    assert b["kategori"] == "Rendah"  # TW II: 26 <= 30 < 33
    a = table.set_index("kode").loc["2.17.01"]
    assert (a["deviasi_poin"], a["kategori"]) == (pytest.approx(10.0), "Sangat Tinggi")
    total = table.set_index("kode").loc["2.17"]
    assert total["fisik_pct"] == pytest.approx(40.0)  # (100 × 60 + 200 × 30) / 300


def test_lagging_first_and_no_plan() -> None:
    rows = _rows()
    rows.loc[1, "anggaran_kas_sd_bulan_ini"] = 0.0  # nothing planned yet: no relative deviasi
    table = monitoring_measures(rows, 2, ReportScales())
    ordered = lagging_first(table, "program")
    assert ordered["kode"].tolist() == ["2.17.02", "2.17.01"]
    assert math.isnan(ordered.set_index("kode").loc["2.17.01", "deviasi_relatif_pct"])
    assert period_label(2022, 6) == "Juni 2022 (TW II)"
    text = monitoring_markdown(table, OPD, 2022, 2)
    assert text.index("| 2.17.02 |") < text.index("| 2.17.01 |")
    assert "s.d. Februari 2022 (TW I)" in text


@pytest.mark.prefect
def test_monthly_flow_publishes_the_monitoring_artifact(prefect_server, sample_2022, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.ingest import ingest_flow
    from tasks.extract.reading import read_workbook
    from tasks.operations.intake import load_workbook
    from warehouse.db import open_warehouse

    workdir = tmp_path / "work"
    workdir.mkdir()
    engine = open_warehouse(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    for path in sample_2022.realization[:5]:  # January to May straight in; June through the flow
        assert load_workbook(engine, read_workbook(path)).status == "loaded"
    outcomes = ingest_flow([str(sample_2022.realization[5])], workdir=str(workdir), year=2022, month=6)
    assert [o.status for o in outcomes] == ["loaded"]
    key = f"monitoring-{OPD.replace('.', '-')}-2022-06"
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))
    assert artifacts, "no monitoring artifact"
    text = artifacts[0].data
    assert "s.d. Juni 2022 (TW II)" in text
    lines = [line for line in text.splitlines() if line.startswith("| 2.17.")]
    assert [line.split(" | ")[0].strip("| ") for line in lines][:3] == ["2.17.08", "2.17.04", "2.17.02"]
    assert lines[0].endswith("| -11,53 | 34,57 | Sangat Rendah |")
