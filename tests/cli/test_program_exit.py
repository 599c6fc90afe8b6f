"""The ``sakip`` program ends without the garbage collector's walk over what the command left alive."""

from __future__ import annotations

import gc
import tomllib

import pytest

from sakip import cli
from tests.fixtures.paths import REPO


def test_the_installed_program_is_run_not_main():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["sakip"] == "sakip.cli:run"


def test_run_freezes_the_collector_after_the_command_and_exits_with_its_status(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(cli, "main", lambda: calls.append("main") or 1)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))

    with pytest.raises(SystemExit) as exited:
        cli.run()

    assert exited.value.code == 1
    assert calls == ["main", "freeze"]


def test_main_leaves_the_collector_alone(monkeypatch):
    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    monkeypatch.setattr(cli, "run_command", lambda _args, _settings: 0)
    monkeypatch.setattr(cli, "use_running_server", lambda _workdir: None)

    assert cli.main(["validations"]) == 0
    assert frozen == []
