"""Report configuration a user edits: capaian scale, early-warning bands, narrative thresholds.

The file is one TOML file named by ``SAKIP_CONFIG`` (``Settings.config_file``); every key is optional
and the defaults are the Permendagri ones (see ``sakip/sakip.example.toml``):

- ``[capaian] scale``: the category of a capaian, ``{above = 90, label = "Sangat Tinggi"}`` entries
  (exclusive lower bound), highest first; the last label also takes everything below;
- ``[early_warning]``: quarterly bands on cumulative serapan (``[[early_warning.bands]]`` entries with
  ``label`` and ``min_pct = [TW I, TW II, TW III, TW IV]``, inclusive, highest first) and the label
  ``below`` them (SIMONEV, citing Permendagri 55/2010);
- ``[report] absorption_threshold_pct``: the narrative lists programs with serapan under it;
- ``[colors]``: the colour of each category label in charts and the html page.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sakip.settings import Settings
from tasks.core.calendar import quarter_of
from tasks.core.metrics import PERMENDAGRI_86_2017_SCALE

#: Early-warning bands (SIMONEV, citing Permendagri 55/2010): label and minimum cumulative serapan
#: (inclusive) in TW I..IV, highest band first.
PERMENDAGRI_55_2010_BANDS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("Sangat Tinggi", (23.0, 45.0, 79.0, 98.0)),
    ("Tinggi", (20.0, 39.0, 70.0, 95.0)),
    ("Sedang", (17.0, 33.0, 61.0, 92.0)),
    ("Rendah", (13.0, 26.0, 51.0, 88.0)),
)
BELOW_BANDS_LABEL = "Sangat Rendah"

#: Colours of the default category labels (green to red).
DEFAULT_COLORS: dict[str, str] = {
    "Sangat Tinggi": "#1a9850",
    "Tinggi": "#91cf60",
    "Sedang": "#fee08b",
    "Rendah": "#fc8d59",
    "Sangat Rendah": "#d73027",
}
_FALLBACK_COLORS = ("#4575b4", "#74add1", "#abd9e9", "#fdae61", "#f46d43", "#a50026")


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the key."""


@dataclass(frozen=True)
class ReportConfig:
    """What a user may change about the reports, with the Permendagri defaults."""

    capaian_scale: tuple[tuple[float, str], ...] = PERMENDAGRI_86_2017_SCALE
    warning_bands: tuple[tuple[str, tuple[float, float, float, float]], ...] = PERMENDAGRI_55_2010_BANDS
    warning_below: str = BELOW_BANDS_LABEL
    absorption_threshold_pct: float = 80.0
    colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_COLORS))
    source: Path | None = None

    def color(self, label: str) -> str:
        """The colour of a category label (a stable fallback for labels without one)."""
        if label in self.colors:
            return self.colors[label]
        if not label:
            return "#bdbdbd"
        return _FALLBACK_COLORS[sum(map(ord, label)) % len(_FALLBACK_COLORS)]

    def warning_category(self, serapan_pct: float, month: int) -> str:
        """Early-warning category of a cumulative serapan in the month's quarter (June -> TW II)."""
        if serapan_pct is None or (isinstance(serapan_pct, float) and math.isnan(serapan_pct)):
            return ""
        quarter = quarter_of(month)
        for label, minima in self.warning_bands:
            if serapan_pct >= minima[quarter - 1]:
                return label
        return self.warning_below

    @property
    def warning_labels(self) -> list[str]:
        """Every early-warning label, best first."""
        return [label for label, _ in self.warning_bands] + [self.warning_below]


def _number(value: Any, key: str) -> float:
    """A number from the file, or a ConfigError naming the key."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{key}: expected a number, got {value!r}")
    return float(value)


def _scale(entries: Any) -> tuple[tuple[float, str], ...]:
    """The capaian scale from ``[[capaian.scale]]`` entries, checked to run highest first."""
    if not isinstance(entries, list) or not entries:
        raise ConfigError("capaian.scale: expected a non-empty list of {above, label}")
    scale: list[tuple[float, str]] = []
    for i, entry in enumerate(entries):
        label = str(entry.get("label", "")).strip() if isinstance(entry, dict) else ""
        if not label:
            raise ConfigError(f"capaian.scale[{i}]: label missing")
        above = entry.get("above")
        bound = float("-inf") if above is None else _number(above, f"capaian.scale[{i}].above")
        scale.append((bound, label))
    bounds = [b for b, _ in scale]
    if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
        raise ConfigError("capaian.scale: bounds must decrease strictly (highest first)")
    if scale[-1][0] != float("-inf"):
        scale.append((float("-inf"), scale[-1][1]))
    return tuple(scale)


def _bands(entries: Any) -> tuple[tuple[str, tuple[float, float, float, float]], ...]:
    """Early-warning bands from ``[[early_warning.bands]]`` entries."""
    if not isinstance(entries, list) or not entries:
        raise ConfigError("early_warning.bands: expected a non-empty list of {label, min_pct}")
    bands = []
    for i, entry in enumerate(entries):
        label = str(entry.get("label", "")).strip() if isinstance(entry, dict) else ""
        minima = entry.get("min_pct") if isinstance(entry, dict) else None
        if not label:
            raise ConfigError(f"early_warning.bands[{i}]: label missing")
        if not isinstance(minima, list) or len(minima) != 4:
            raise ConfigError(f"early_warning.bands[{i}].min_pct: expected four numbers (TW I..IV)")
        values = tuple(_number(v, f"early_warning.bands[{i}].min_pct") for v in minima)
        bands.append((label, values))
    for quarter in range(4):
        column = [minima[quarter] for _, minima in bands]
        if column != sorted(column, reverse=True):
            raise ConfigError(f"early_warning.bands: TW {quarter + 1} minima must decrease (highest first)")
    return tuple(bands)  # type: ignore[return-value]


def parse_report_config(data: dict[str, Any], source: Path | None = None) -> ReportConfig:
    """A ReportConfig from the parsed TOML document (missing keys keep their defaults)."""
    config = ReportConfig(source=source)
    capaian = data.get("capaian", {})
    if "scale" in capaian:
        config = replace(config, capaian_scale=_scale(capaian["scale"]))
    warning = data.get("early_warning", {})
    if "bands" in warning:
        config = replace(config, warning_bands=_bands(warning["bands"]))
    if "below" in warning:
        config = replace(config, warning_below=str(warning["below"]).strip() or BELOW_BANDS_LABEL)
    report = data.get("report", {})
    if "absorption_threshold_pct" in report:
        threshold = _number(report["absorption_threshold_pct"], "report.absorption_threshold_pct")
        config = replace(config, absorption_threshold_pct=threshold)
    colors = data.get("colors", {})
    if colors:
        if not isinstance(colors, dict):
            raise ConfigError('colors: expected a table of label = "#rrggbb"')
        config = replace(config, colors={**config.colors, **{str(k): str(v) for k, v in colors.items()}})
    return config


def load_report_config(path: Path | str | None) -> ReportConfig:
    """Read the TOML file at ``path`` (the defaults when None)."""
    if path is None:
        return ReportConfig()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error
    try:
        return parse_report_config(data, source=path)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error


def report_config(settings: Settings) -> ReportConfig:
    """The configuration named by the settings (``SAKIP_CONFIG``), or the defaults."""
    return load_report_config(settings.config_file)


def configured_settings(settings: Settings) -> Settings:
    """The settings with the capaian scale of the configuration file applied."""
    return replace(settings, capaian_scale=report_config(settings).capaian_scale)
