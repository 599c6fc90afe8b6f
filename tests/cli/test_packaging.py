"""The package as built for a plain (non-editable) install: quiet, and with every data file it needs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.fixtures.paths import REPO
from warehouse.db import alembic_config

ROOT = REPO
PACKAGES = ("sakip", "flows", "tasks", "expectations", "warehouse")
#: data files the installed package reads: sample data, suites, Alembic settings and migrations
DATA = (
    "sakip/sample_data/*.csv",
    "sakip/sakip.example.toml",
    "sakip/web/templates/*.html",
    "sakip/web/static/*.css",
    "expectations/suites/*.json",
    "warehouse/alembic.ini",
    "warehouse/migrations/script.py.mako",
    "warehouse/migrations/env.py",
    "warehouse/migrations/versions/*.py",
)


def test_build_is_quiet_and_ships_the_data_files(tmp_path: Path):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path / "built"

    result = subprocess.run(
        [sys.executable, "-W", "always", "-c", "from setuptools import setup; setup()", "build_py",
         "--build-lib", str(built)],
        cwd=source, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for complaint in ("absent from the `packages`", "as data is deprecated", "would be ignored"):
        assert complaint not in output, output
    for pattern in DATA:
        wanted = {p.relative_to(ROOT) for p in ROOT.glob(pattern)}
        assert wanted, pattern
        assert {p.relative_to(built) for p in built.glob(pattern)} == wanted, pattern
    assert not list(built.glob("tests")) and not list(built.glob("bench"))


def test_migrations_are_found_through_the_shipped_alembic_ini():
    config = alembic_config("sqlite://")
    assert Path(config.config_file_name) == ROOT / "warehouse" / "alembic.ini"
    scripts = Path(config.get_main_option("script_location"))
    assert (scripts / "env.py").is_file() and list((scripts / "versions").glob("0001_*.py"))
