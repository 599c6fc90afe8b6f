"""The settings: everything a deployment can change, from ``SAKIP_*`` environment variables and the TOML
file ``SAKIP_CONFIG`` names, read by one loader (:func:`load_settings`, :func:`load_web_settings`).

A layer of its own, between the flows and the steps: each entry point (a command, a flow run that was
given no settings, the web application) builds the settings once and hands them down; the steps get
plain values (the scale, thresholds, folders, limits, who loads) and never read the environment.

Defaults are safe and embedded: a work folder ``./sakip-data`` holding an SQLite warehouse, the
Permendagri scales. Secrets (a PostgreSQL password, the web signing key) only ever come from the
environment and are never shown (``SecretStr``: a flow run's stored parameters hold ``**********``).

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

import csv
import getpass
import os
import tomllib
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

from annotated_types import Ge
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tasks.core.calendar import BULAN
from tasks.core.problems import UsageProblem
from tasks.core.scales import BELOW_BANDS_LABEL, ReportScales, Signature
from tasks.extract.limits import WorkbookLimits
from warehouse.db import warehouse_url


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the key.

    Not a ``ValueError``: raised while the settings are validated, it reaches the caller as it is.
    """


def default_workers() -> int:
    """Parallel files per run without ``SAKIP_WORKERS``: one per core (more only adds switching), up to 8."""
    return max(1, min(8, os.cpu_count() or 1))


def default_user() -> str:
    """Who loads when ``SAKIP_USER`` is not set: the account running the process ("" if it has none)."""
    try:
        return getpass.getuser()
    except OSError:
        return ""


_LIMITS = WorkbookLimits()
#: A workbook limit from ``SAKIP_MAX_*``: a whole number, at least 1.
Limit = Annotated[int, Ge(1)]


class Settings(BaseSettings):
    """Deployment settings; build with :func:`load_settings` (once per entry point)."""

    model_config = SettingsConfigDict(
        env_prefix="SAKIP_",
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        allow_inf_nan=False,
    )

    workdir: Path = Path("sakip-data")
    #: the warehouse's SQLAlchemy URL (may hold a password); "": SQLite in the work folder
    database_url: SecretStr = SecretStr("")
    lang: str = "id"
    #: who loads the files of this process's runs (``SAKIP_USER``, else the account running it)
    user: str = Field(default_factory=default_user)
    #: a sasaran is labelled efficient when capaian >= this and serapan < this (the LKjIP 2022 rule)
    efficiency_threshold_pct: float = 100.0
    #: an indicator achievement beyond this asks for confirmation (``SAKIP_CAPAIAN_BOUND_PCT``); read
    #: once into ``scales.capaian_bound_pct``, where the validation and the report both take it
    capaian_bound_pct: float = Field(300.0, exclude=True, repr=False)
    #: stored Great Expectations results kept per suite (older ones and their pages are deleted)
    gx_keep_results: Annotated[int, Ge(0)] = 30
    #: optional CSV (``kode,nama``) of the OPDs allowed to send files; None accepts any OPD code
    opd_register: Path | None = None
    #: optional TOML file a user edits: capaian scale, early-warning bands, report thresholds
    config_file: Path | None = Field(None, validation_alias="SAKIP_CONFIG")
    #: folder scheduled runs take workbooks from (default ``<workdir>/inbox``)
    inbox: Path | None = None
    #: files processed in parallel by one run (reading, loading); default: the machine's cores
    workers: int = Field(default_factory=default_workers)
    #: how large a workbook may be before it is opened (see :class:`WorkbookLimits`), ``SAKIP_MAX_*``
    max_rows: Limit = _LIMITS.max_rows
    max_columns: Limit = _LIMITS.max_columns
    max_cells: Limit = _LIMITS.max_cells
    max_part_mb: Limit = _LIMITS.max_part_mb
    max_workbook_mb: Limit = _LIMITS.max_workbook_mb
    max_annotated_cells: Limit = _LIMITS.max_annotated_cells
    max_sheets: Limit = _LIMITS.max_sheets
    #: capaian scale, early-warning bands, absorption threshold and colours (from ``SAKIP_CONFIG``)
    scales: ReportScales = Field(default_factory=ReportScales)
    #: a Dask scheduler (``tcp://host:8786``) the annual flow runs its tasks on; None: this machine
    dask_address: str | None = None
    #: the office's Word template (.docx) the report's document is written in (``SAKIP_REPORT_TEMPLATE``,
    #: ``sakip report --template``); None: the built-in one
    report_template: Path | None = None

    @field_validator("workers")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        return max(1, value)

    @field_validator("dask_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @model_validator(mode="after")
    def _read_scales(self) -> Settings:
        """The scales of the configuration file (unless given), carrying the capaian bound."""
        scales = self.scales if "scales" in self.model_fields_set else load_report_config(self.config_file)
        # the model is frozen once built; this is its last step of building
        object.__setattr__(self, "scales", replace(scales, capaian_bound_pct=self.capaian_bound_pct))
        return self

    @property
    def workbook_limits(self) -> WorkbookLimits:
        """How large a workbook may be before it is opened."""
        return WorkbookLimits(**{f.name: getattr(self, f.name) for f in fields(WorkbookLimits)})

    @property
    def capaian_scale(self) -> tuple[tuple[float, str], ...]:
        """The capaian scale of the reports (from ``scales``)."""
        return self.scales.capaian_scale

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the warehouse (SQLite in the work folder unless configured)."""
        return warehouse_url(self.database_url.get_secret_value(), self.workdir)

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
        register = self.registered_opds()
        return None if register is None else list(register)

    def registered_opds(self) -> dict[str, str] | None:
        """Code -> name of the registered OPDs (in the register's order; "" when it gives no name),
        or None when no register is configured."""
        if self.opd_register is None:
            return None
        try:
            lines = self.opd_register.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise UsageProblem(
                "settings.invalid",
                name="SAKIP_OPD_REGISTER",
                value=str(self.opd_register),
                expected=f"berkas CSV kode,nama yang dapat dibaca ({error})",
                expected_en=f"a readable CSV file kode,nama ({error})",
            ) from error
        register: dict[str, str] = {}
        for row in csv.reader(line for line in lines if line.strip()):
            code = row[0].strip() if row else ""
            if code and code[0].isdigit():
                register.setdefault(code, ",".join(row[1:]).strip())
        return register

    def validation_options(self) -> dict[str, object]:
        """What validating a batch takes from the settings besides the work folder (``validate_batch``)."""
        return {
            "gx_keep_results": self.gx_keep_results,
            "known_opds": self.known_opds(),
            "capaian_bound_pct": self.scales.capaian_bound_pct,
        }

    def with_workdir(self, workdir: Path | str | None) -> Settings:
        """A copy of these settings with another work folder."""
        return self if workdir is None else self.model_copy(update={"workdir": Path(workdir)})


#: The key signing the web application's cookies: at least this many characters.
SECRET_MIN_LENGTH = 32


class WebSettings(BaseSettings):
    """What a deployment of the web application can change (``SAKIP_WEB_*``)."""

    model_config = SettingsConfigDict(
        env_prefix="SAKIP_WEB_", env_ignore_empty=True, extra="ignore", frozen=True, allow_inf_nan=False
    )

    #: key signing the session and form cookies (``SAKIP_WEB_SECRET``; without it the web application
    #: generates one per work folder, see ``sakip.web.config``)
    secret: SecretStr | None = None
    #: largest file accepted by ``/upload``, in MB (``SAKIP_WEB_MAX_UPLOAD_MB``)
    max_upload_mb: Annotated[float, Ge(0.001)] = 20.0
    #: most files in one upload (``SAKIP_WEB_MAX_FILES``)
    max_files: Annotated[int, Ge(1)] = 20
    #: hours a sign-in lasts (``SAKIP_WEB_SESSION_HOURS``)
    session_hours: Annotated[float, Ge(0.01)] = 8.0
    #: failed sign-ins allowed per user name, and per client address, within the window
    login_limit_user: Annotated[int, Ge(1)] = 5
    login_limit_client: Annotated[int, Ge(1)] = 20
    login_window_minutes: Annotated[float, Ge(1)] = 15.0
    #: addresses of reverse proxies whose X-Forwarded-* headers are believed (``SAKIP_WEB_TRUSTED_PROXIES``)
    trusted_proxies: str = "127.0.0.1"
    #: worker processes ``sakip web`` starts for the uploads' flows (``SAKIP_WEB_WORKERS``; 0: none, run
    #: ``sakip web-worker`` apart). On SQLite more than one is clamped to one (one writer at a time).
    workers: Annotated[int, Ge(0)] = 1
    #: uploads waiting at most (``SAKIP_WEB_QUEUE_LIMIT``): beyond it an upload is refused with 503
    queue_limit: Annotated[int, Ge(1)] = 300
    #: seconds without a worker's heartbeat after which an upload being processed counts as dead
    #: (``SAKIP_WEB_JOB_STALE_SECONDS``): it ends "gagal diproses — kirim ulang"
    job_stale_seconds: Annotated[float, Ge(1)] = 120.0
    #: seconds between the sweeps that end dead jobs and remove expired files (``SAKIP_WEB_SWEEP_SECONDS``)
    sweep_seconds: Annotated[float, Ge(0.1)] = 30.0
    #: days an uploaded file (and its annotated copy) is kept (``SAKIP_WEB_UPLOAD_RETENTION_DAYS``)
    upload_retention_days: Annotated[float, Ge(0)] = 90.0
    #: seconds a worker waits between looks at an empty queue (``SAKIP_WEB_POLL_SECONDS``)
    poll_seconds: Annotated[float, Ge(0.05)] = 1.0

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < SECRET_MIN_LENGTH:
            raise ValueError("too short")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        return value.strip() or "127.0.0.1"

    @property
    def secret_key(self) -> str:
        """The signing key (set by the web application before it serves)."""
        if self.secret is None:
            raise ValueError("no signing key: see sakip.web.config.load_web_settings")
        return self.secret.get_secret_value()

    @property
    def max_upload_bytes(self) -> int:
        """The per-file limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def max_request_bytes(self) -> int:
        """The largest request body: every file at its limit, plus the form around them."""
        return self.max_files * self.max_upload_bytes + 1024 * 1024


Model = TypeVar("Model", Settings, WebSettings)

#: What a setting must be, in words (Indonesian, English), where its type does not say it.
_EXPECTED = {
    ("WebSettings", "secret"): ("minimal 32 karakter acak", "at least 32 random characters"),
}
#: Settings whose value is never shown.
_HIDDEN = {"secret", "database_url"}


def _variable(model: type[BaseSettings], name: str) -> str:
    """The environment variable of a field (``SAKIP_WORKERS``, ``SAKIP_CONFIG``, ``SAKIP_WEB_MAX_FILES``)."""
    alias = model.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else f"{model.model_config.get('env_prefix', '')}{name}".upper()


def _expected(model: type[BaseSettings], name: str) -> tuple[str, str]:
    """What the field takes, in words: ``bilangan bulat >= 1`` / ``a whole number >= 1``."""
    if (model.__name__, name) in _EXPECTED:
        return _EXPECTED[model.__name__, name]
    field = model.model_fields[name]
    whole = field.annotation is int
    low = "".join(f" >= {m.ge:g}" for m in field.metadata if isinstance(m, Ge))
    if field.annotation in (int, float):
        return ("bilangan bulat" if whole else "angka") + low, (
            "a whole number" if whole else "a number"
        ) + low
    return "nilai yang sah", "a valid value"


def _problem(model: type[BaseSettings], error: ValidationError) -> UsageProblem | ConfigError:
    """The first unusable setting of ``error``, named by its variable and told in words."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else ""
    if name not in model.model_fields:
        return ConfigError(str(error))
    raw = first.get("input")
    value = "(tersembunyi)" if name in _HIDDEN else ("" if raw is None else str(raw))
    expected, expected_en = _expected(model, name)
    return UsageProblem(
        "settings.invalid",
        name=_variable(model, name),
        value=value,
        expected=expected,
        expected_en=expected_en,
    )


def build(model: type[Model], **given: Any) -> Model:
    """The one loader: ``model`` from the environment (``given`` values first); an unusable variable
    is a :class:`~tasks.core.problems.UsageProblem` naming it, a bad ``SAKIP_CONFIG`` a :class:`ConfigError`.
    """
    try:
        return model(**{key: value for key, value in given.items() if value is not None})
    except ValidationError as error:
        raise _problem(model, error) from None


def load_settings(workdir: Path | str | None = None) -> Settings:
    """Settings from ``SAKIP_*`` environment variables and the ``SAKIP_CONFIG`` file; ``workdir`` overrides
    ``SAKIP_WORKDIR``.
    """
    return build(Settings, workdir=workdir)


def load_web_settings(**given: Any) -> WebSettings:
    """Web settings from ``SAKIP_WEB_*`` environment variables (``given`` values, by field name, first)."""
    return build(WebSettings, **given)


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
    if "signature" in report:
        signature, per_opd = _signatures(report["signature"])
        config = replace(config, signature=signature, signatures=per_opd)
    colors = data.get("colors", {})
    if colors:
        if not isinstance(colors, dict):
            raise ConfigError('colors: expected a table of label = "#rrggbb"')
        config = replace(config, colors={**config.colors, **{str(k): str(v) for k, v in colors.items()}})
    return config


_SIGNATURE_KEYS = tuple(f.name for f in fields(Signature))


def _signatures(table: Any) -> tuple[Signature, dict[str, Signature]]:
    """``[report.signature]``: the deployment's signature, and ``[report.signature."<opd code>"]``
    tables for the OPDs that sign with their own."""
    if not isinstance(table, dict):
        raise ConfigError("report.signature: expected a table (place, date, position, name, rank, nip)")
    own = {key: value for key, value in table.items() if not isinstance(value, dict)}
    per_opd = {
        str(code): _signature(value, f'report.signature."{code}"')
        for code, value in table.items()
        if isinstance(value, dict)
    }
    return _signature(own, "report.signature"), per_opd


def _signature(table: dict[str, Any], where: str) -> Signature:
    """One signature table: known keys only, each text (a TOML date for ``date``)."""
    unknown = sorted(set(table) - set(_SIGNATURE_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected {', '.join(_SIGNATURE_KEYS)}"
        )
    values: dict[str, str] = {}
    for key, value in table.items():
        if key == "date" and isinstance(value, date):
            value = f"{value.day} {BULAN[value.month - 1]} {value.year}"
        if not isinstance(value, str):
            raise ConfigError(f"{where}.{key}: expected text")
        values[key] = value.strip()
    return Signature(**values)


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
