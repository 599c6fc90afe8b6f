"""One settings object: everything a deployment can change, from environment variables and the TOML
file they name (``SAKIP_CONFIG``).

Defaults are safe and embedded: a work folder ``./sakip-data`` holding an SQLite warehouse, the
Permendagri scales. Secrets (a PostgreSQL password) only ever come from the environment, through
``SAKIP_DATABASE_URL``. Loaded by the command line and the flows only; the steps get plain values.

The TOML file's keys are all optional (see ``sakip/sakip.example.toml``):

- ``[capaian] scale``: the category of a capaian, ``{above = 90, label = "Sangat Tinggi"}`` entries
  (exclusive lower bound), highest first; the last label also takes everything below;
- ``[early_warning]``: quarterly bands on cumulative serapan (``[[early_warning.bands]]`` entries with
  ``label`` and ``min_pct = [TW I, TW II, TW III, TW IV]``, inclusive, highest first) and the label
  ``below`` them (SIMONEV, citing Permendagri 55/2010);
- ``[report] absorption_threshold_pct``: the narrative lists programs with serapan under it;
  ``[report] source``: the ``Sumber Data : ...`` line under every table (default: the OPD's name);
- ``[colors]``: the colour of each category label in charts and the html page.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tasks.core.problems import EXIT_USAGE, CommandError
from tasks.core.scales import BELOW_BANDS_LABEL, ReportScales
from tasks.extract.limits import WorkbookLimits
from warehouse.db import warehouse_url


class ConfigError(ValueError):
    """The configuration file cannot be used; the message names the key."""


@dataclass(frozen=True)
class Settings:
    """Deployment settings; build with :func:`load_settings`."""

    workdir: Path = Path("sakip-data")
    database_url: str = ""
    lang: str = "id"
    #: a sasaran is labelled efficient when capaian >= this and serapan < this (the LKjIP 2022 rule)
    efficiency_threshold_pct: float = 100.0
    #: an indicator achievement beyond this asks the steward for confirmation (a warning)
    capaian_bound_pct: float = 300.0
    #: stored Great Expectations results kept per suite (older ones and their pages are deleted)
    gx_keep_results: int = 30
    #: optional CSV (``kode,nama``) of the OPDs allowed to send files; None accepts any OPD code
    opd_register: Path | None = None
    #: optional TOML file a user edits: capaian scale, early-warning bands, report thresholds
    config_file: Path | None = None
    #: folder scheduled runs take workbooks from (default ``<workdir>/inbox``)
    inbox: Path | None = None
    #: files processed in parallel by one run (reading, loading); default: the machine's cores
    workers: int = field(default_factory=lambda: default_workers())
    #: how large a workbook may be before it is opened (see :class:`WorkbookLimits`)
    workbook_limits: WorkbookLimits = field(default_factory=WorkbookLimits)
    #: capaian scale, early-warning bands, absorption threshold and colours (``SAKIP_CONFIG``)
    scales: ReportScales = field(default_factory=ReportScales)
    #: a Dask scheduler (``tcp://host:8786``) the annual flow runs its tasks on; None: this machine
    dask_address: str | None = None

    @property
    def capaian_scale(self) -> tuple[tuple[float, str], ...]:
        """The capaian scale of the reports (from ``scales``)."""
        return self.scales.capaian_scale

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the warehouse (SQLite in the work folder unless configured)."""
        return warehouse_url(self.database_url, self.workdir)

    @property
    def reports_dir(self) -> Path:
        """Default folder of the year-end reports."""
        return self.workdir / "reports"

    @property
    def inbox_dir(self) -> Path:
        """Where scheduled runs look for workbooks: ``<inbox>/<year>/<MM>/`` and the inbox itself."""
        return self.inbox if self.inbox is not None else self.workdir / "inbox"

    @property
    def archive_dir(self) -> Path:
        """Where loaded files of scheduled runs are archived with their sha256."""
        return self.workdir / "archive"

    @property
    def quarantine_dir(self) -> Path:
        """Where rejected files go, with their annotated copies."""
        return self.workdir / "quarantine"

    def known_opds(self) -> list[str] | None:
        """Codes of the registered OPDs, or None when no register is configured."""
        if self.opd_register is None:
            return None
        try:
            lines = self.opd_register.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                "settings.invalid",
                EXIT_USAGE,
                name="SAKIP_OPD_REGISTER",
                value=str(self.opd_register),
                expected=f"berkas CSV kode,nama yang dapat dibaca ({error})",
                expected_en=f"a readable CSV file kode,nama ({error})",
            ) from error
        codes = [line.split(",")[0].strip() for line in lines if line.strip()]
        return [code for code in codes if code and code[0].isdigit()]

    def validation_options(self) -> dict[str, object]:
        """What validating a batch takes from the settings besides the work folder (``validate_batch``)."""
        return {
            "gx_keep_results": self.gx_keep_results,
            "known_opds": self.known_opds(),
            "capaian_bound_pct": self.capaian_bound_pct,
        }

    def with_workdir(self, workdir: Path | str | None) -> Settings:
        """A copy of these settings with another work folder."""
        return self if workdir is None else replace(self, workdir=Path(workdir))


def default_workers() -> int:
    """Parallel files per run without ``SAKIP_WORKERS``: one per core (more only adds switching), up to 8."""
    return max(1, min(8, os.cpu_count() or 1))


def _env_number(
    name: str,
    default: float,
    kind: type = float,
    minimum: float | None = None,
    env: Mapping[str, str] | None = None,
) -> float:
    """The number in environment variable ``name`` (``default`` when unset); a message when it is not one."""
    raw = (os.environ if env is None else env).get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value != value or (minimum is not None and value < minimum):  # value != value: NaN
        low = "" if minimum is None else f" >= {minimum:g}"
        whole = kind is int
        raise CommandError(
            "settings.invalid",
            EXIT_USAGE,
            name=name,
            value=raw,
            expected=("bilangan bulat" if whole else "angka") + low,
            expected_en=("a whole number" if whole else "a number") + low,
        )
    return value


def load_settings(workdir: Path | str | None = None) -> Settings:
    """Settings from ``SAKIP_*`` environment variables and the ``SAKIP_CONFIG`` file; ``workdir`` overrides
    ``SAKIP_WORKDIR``.
    """
    env = os.environ
    chosen = Path(workdir) if workdir is not None else Path(env.get("SAKIP_WORKDIR", "sakip-data"))
    capaian_bound = _env_number("SAKIP_CAPAIAN_BOUND_PCT", 300.0)
    return Settings(
        workdir=chosen,
        database_url=env.get("SAKIP_DATABASE_URL", ""),
        lang=env.get("SAKIP_LANG", "id"),
        efficiency_threshold_pct=_env_number("SAKIP_EFFICIENCY_THRESHOLD_PCT", 100.0),
        capaian_bound_pct=capaian_bound,
        gx_keep_results=int(_env_number("SAKIP_GX_KEEP_RESULTS", 30, int, minimum=0)),
        opd_register=Path(env["SAKIP_OPD_REGISTER"]) if env.get("SAKIP_OPD_REGISTER") else None,
        config_file=Path(env["SAKIP_CONFIG"]) if env.get("SAKIP_CONFIG") else None,
        inbox=Path(env["SAKIP_INBOX"]) if env.get("SAKIP_INBOX") else None,
        workers=max(1, int(_env_number("SAKIP_WORKERS", default_workers(), int))),
        workbook_limits=workbook_limits_from(env),
        scales=replace(load_report_config(env.get("SAKIP_CONFIG") or None), capaian_bound_pct=capaian_bound),
        dask_address=env.get("SAKIP_DASK_ADDRESS", "").strip() or None,
    )


def workbook_limits_from(env: Mapping[str, str]) -> WorkbookLimits:
    """Workbook limits from ``SAKIP_MAX_*`` variables; each one left out keeps its default."""
    defaults = WorkbookLimits()
    values = {
        name: int(_env_number(f"SAKIP_{name.upper()}", getattr(defaults, name), int, minimum=1, env=env))
        for name in (f.name for f in fields(WorkbookLimits))
    }
    return WorkbookLimits(**values)


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


def parse_report_config(data: dict[str, Any]) -> ReportScales:
    """A ReportScales from the parsed TOML document (missing keys keep their defaults)."""
    config = ReportScales()
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
    if "source" in report:
        if not isinstance(report["source"], str):
            raise ConfigError("report.source: expected text")
        config = replace(config, data_source=report["source"].strip())
    colors = data.get("colors", {})
    if colors:
        if not isinstance(colors, dict):
            raise ConfigError('colors: expected a table of label = "#rrggbb"')
        config = replace(config, colors={**config.colors, **{str(k): str(v) for k, v in colors.items()}})
    return config


def load_report_config(path: Path | str | None) -> ReportScales:
    """Read the TOML file at ``path`` (the defaults when None)."""
    if path is None:
        return ReportScales()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error
    try:
        return parse_report_config(data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from error
