"""The user-edited TOML configuration: capaian scale, early-warning bands, narrative threshold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tasks.core import metrics
from tasks.core.calendar import quarter_of
from tasks.core.metrics import PERMENDAGRI_86_2017_SCALE
from tasks.core.scales import PERMENDAGRI_55_2010_BANDS, ReportScales
from tasks.operations.monitoring import monitoring_measures
from tasks.report.render.narrative import category_count_paragraphs, low_absorption_paragraph
from tasks.settings import ConfigError, Settings, load_report_config
from tests.fixtures.paths import REPO

EXAMPLE = REPO / "sakip" / "sakip.example.toml"

SIX_TIERS = """
[[capaian.scale]]
above = 100
label = "Melampaui"
[[capaian.scale]]
above = 85
label = "Baik"
[[capaian.scale]]
above = 70
label = "Cukup"
[[capaian.scale]]
label = "Kurang"

[early_warning]
below = "Merah"
[[early_warning.bands]]
label = "Hijau"
min_pct = [20, 40, 70, 95]
[[early_warning.bands]]
label = "Kuning"
min_pct = [10, 25, 50, 80]

[report]
absorption_threshold_pct = 75
"""


def test_example_file_is_the_default(tmp_path: Path) -> None:
    config = load_report_config(EXAMPLE)
    assert config.capaian_scale == PERMENDAGRI_86_2017_SCALE
    assert config.warning_bands == PERMENDAGRI_55_2010_BANDS
    assert config.warning_below == "Sangat Rendah"
    assert config.absorption_threshold_pct == 80
    assert load_report_config(None) == ReportScales()


def test_default_bands_by_quarter() -> None:
    config = ReportScales()
    assert [quarter_of(m) for m in (1, 3, 4, 6, 7, 9, 10, 12)] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert config.warning_category(45.0, 6) == "Sangat Tinggi"  # TW II: >= 45
    assert config.warning_category(44.99, 6) == "Tinggi"
    assert config.warning_category(33.0, 6) == "Sedang"
    assert config.warning_category(25.99, 6) == "Sangat Rendah"
    assert config.warning_category(25.99, 3) == "Sangat Tinggi"  # TW I: >= 23
    assert config.warning_category(88.0, 12) == "Rendah"
    assert config.warning_category(float("nan"), 6) == ""


def test_custom_scale_and_bands_change_the_categories(tmp_path: Path) -> None:
    path = tmp_path / "sakip.toml"
    path.write_text(SIX_TIERS, encoding="utf-8")
    config = load_report_config(path)
    capaian = [100.84, 95.0, 80.0, 65.0]
    assert [metrics.kategori(v, PERMENDAGRI_86_2017_SCALE) for v in capaian] == [
        "Sangat Tinggi",
        "Sangat Tinggi",
        "Tinggi",
        "Rendah",
    ]
    assert [metrics.kategori(v, config.capaian_scale) for v in capaian] == [
        "Melampaui",
        "Baik",
        "Cukup",
        "Kurang",
    ]
    assert [config.warning_category(v, 6) for v in (38.47, 25.0, 17.6)] == ["Kuning", "Kuning", "Merah"]
    assert [ReportScales().warning_category(v, 6) for v in (38.47, 25.0, 17.6)] == [
        "Sedang",
        "Sangat Rendah",
        "Sangat Rendah",
    ]
    settings = Settings(config_file=path, scales=config)
    assert settings.capaian_scale == config.capaian_scale
    # the monitoring and the narrative follow the file
    rows = pd.DataFrame(
        {
            "kode": ["2.17.01"],
            "level": ["program"],
            "uraian": ["P"],
            "anggaran": [100.0],
            "realisasi_bulan_ini": [1.0],
            "realisasi_sd_bulan_ini": [41.0],
            "anggaran_kas_sd_bulan_ini": [50.0],
        }
    )
    assert monitoring_measures(rows, 6, config)["kategori"].tolist() == ["Hijau"]
    assert monitoring_measures(rows, 6, ReportScales())["kategori"].tolist() == ["Tinggi"]
    programs = pd.DataFrame({"level": ["program"] * 2, "uraian": ["A", "B"], "serapan": [76.97, 71.55]})
    assert low_absorption_paragraph(programs, config.absorption_threshold_pct) == (
        "Satu program menyerap anggaran di bawah 75%, yaitu B (71,55%)."
    )
    indicators = pd.DataFrame(
        {"jenis": ["program"] * 2, "kategori": ["Melampaui", "Cukup"], "capaian": [120.0, 80.0]}
    )
    text = category_count_paragraphs(indicators, config)[0]
    assert text == (
        "Dari dua indikator kinerja program, satu mencapai atau melampaui target; menurut kategori "
        "capaian, satu berkategori Melampaui dan satu berkategori Cukup."
    )


def test_settings_file_reaches_the_flow_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tasks.settings import load_settings

    path = tmp_path / "sakip.toml"
    path.write_text(SIX_TIERS, encoding="utf-8")
    monkeypatch.setenv("SAKIP_CONFIG", str(path))
    assert load_settings(tmp_path).capaian_scale[0] == (100.0, "Melampaui")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[[capaian.scale]]\nabove = 50\nlabel = 'A'\n[[capaian.scale]]\nabove = 60\nlabel = 'B'\n",
            "decrease",
        ),
        ("[[capaian.scale]]\nabove = 'x'\nlabel = 'A'\n", r"capaian\.scale\[0\]\.above"),
        ("[[early_warning.bands]]\nlabel = 'A'\nmin_pct = [1, 2, 3]\n", "four numbers"),
        (
            "[[early_warning.bands]]\nlabel='A'\nmin_pct=[1,2,3,4]\n[[early_warning.bands]]\nlabel='B'\n"
            "min_pct=[2,1,1,1]\n",
            "TW 1",
        ),
        ("[report]\nabsorption_threshold_pct = true\n", "absorption_threshold_pct"),
        ("[report]\nsource = 5\n", r"report\.source"),
        ("not = [valid", "not valid TOML"),
    ],
)
def test_bad_configuration_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_report_config(path)
