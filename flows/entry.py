"""What every flow does first: take the settings its caller built, or build them once when run alone."""

from __future__ import annotations

from pathlib import Path

from prefect.settings import get_current_settings

from tasks.settings import Settings, load_settings


def run_settings(settings: Settings | None, workdir: str | None) -> Settings:
    """The caller's settings (a command, the web application, a parent flow), with ``workdir`` when
    given; without them (a deployment's scheduled run) the settings loaded here, once for the run.
    """
    if settings is None:
        return load_settings(workdir)
    return settings.with_workdir(workdir)


def prefect_home() -> Path:
    """Prefect's own folder (``PREFECT_HOME``) as Prefect resolves it: never an input folder."""
    return Path(get_current_settings().home).expanduser()
