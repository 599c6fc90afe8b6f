"""One settings object: everything a deployment can change, from environment variables.

Defaults are safe and embedded: a work folder ``./sakip-data`` holding an SQLite warehouse. Secrets
(a PostgreSQL password) only ever come from the environment, through ``SAKIP_DATABASE_URL``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from tasks.core.metrics import PERMENDAGRI_86_2017_SCALE
from tasks.core.problems import EXIT_USAGE, CommandError
from tasks.extract.limits import WorkbookLimits


@dataclass(frozen=True)
class Settings:
    """Deployment settings; build with :func:`load_settings`."""

    workdir: Path = Path("sakip-data")
    database_url: str = ""
    lang: str = "id"
    capaian_scale: tuple[tuple[float, str], ...] = field(default=PERMENDAGRI_86_2017_SCALE)
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

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the warehouse (SQLite in the work folder unless configured)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workdir / 'sakip.db').resolve()}"

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
    """Settings from ``SAKIP_*`` environment variables; ``workdir`` overrides ``SAKIP_WORKDIR``."""
    env = os.environ
    chosen = Path(workdir) if workdir is not None else Path(env.get("SAKIP_WORKDIR", "sakip-data"))
    return Settings(
        workdir=chosen,
        database_url=env.get("SAKIP_DATABASE_URL", ""),
        lang=env.get("SAKIP_LANG", "id"),
        efficiency_threshold_pct=_env_number("SAKIP_EFFICIENCY_THRESHOLD_PCT", 100.0),
        capaian_bound_pct=_env_number("SAKIP_CAPAIAN_BOUND_PCT", 300.0),
        gx_keep_results=int(_env_number("SAKIP_GX_KEEP_RESULTS", 30, int, minimum=0)),
        opd_register=Path(env["SAKIP_OPD_REGISTER"]) if env.get("SAKIP_OPD_REGISTER") else None,
        config_file=Path(env["SAKIP_CONFIG"]) if env.get("SAKIP_CONFIG") else None,
        inbox=Path(env["SAKIP_INBOX"]) if env.get("SAKIP_INBOX") else None,
        workers=max(1, int(_env_number("SAKIP_WORKERS", default_workers(), int))),
        workbook_limits=workbook_limits_from(env),
    )


def workbook_limits_from(env: Mapping[str, str]) -> WorkbookLimits:
    """Workbook limits from ``SAKIP_MAX_*`` variables; each one left out keeps its default."""
    defaults = WorkbookLimits()
    values = {
        name: int(_env_number(f"SAKIP_{name.upper()}", getattr(defaults, name), int, minimum=1, env=env))
        for name in (f.name for f in fields(WorkbookLimits))
    }
    return WorkbookLimits(**values)
