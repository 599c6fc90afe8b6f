"""The one settings loader: command line and web settings, named variables, the capaian bound in one place,
and the exit status of each kind of problem a step raises."""

from __future__ import annotations

import pickle
import stat
from pathlib import Path

import pytest

from sakip.failures import EXIT_ENVIRONMENT, EXIT_REJECTED, EXIT_USAGE, exit_status
from sakip.web.config import SECRET_FILE, load_web_settings
from tasks.core.problems import EnvironmentProblem, NoDataProblem, Problem, UsageProblem
from tasks.settings import load_settings


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SAKIP_WEB_MAX_FILES", "0", "bilangan bulat >= 1"),
        ("SAKIP_WEB_MAX_UPLOAD_MB", "banyak", "angka >= 0.001"),
        ("SAKIP_WEB_SESSION_HOURS", "nan", "angka >= 0.01"),
        ("SAKIP_MAX_ROWS", "0", "bilangan bulat >= 1"),
        ("SAKIP_EFFICIENCY_THRESHOLD_PCT", "seratus", "angka"),
    ],
)
def test_web_and_command_settings_are_named_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(UsageProblem) as raised:
        load_web_settings(tmp_path) if variable.startswith("SAKIP_WEB_") else load_settings(tmp_path)
    assert raised.value.message() == f"Pengaturan {variable}='{value}' tidak dapat dipakai: {expected}"
    assert exit_status(raised.value) == EXIT_USAGE


def test_a_short_signing_key_is_refused_without_being_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SAKIP_WEB_SECRET", "rahasia-pendek")
    with pytest.raises(UsageProblem) as raised:
        load_web_settings(tmp_path)
    message = raised.value.message()
    assert "rahasia" not in message
    expected = "minimal 32 karakter acak"
    assert message == f"Pengaturan SAKIP_WEB_SECRET='(tersembunyi)' tidak dapat dipakai: {expected}"


def test_without_a_signing_key_one_is_generated_once_per_work_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SAKIP_WEB_SECRET", raising=False)
    first = load_web_settings(tmp_path).secret_key
    assert len(first) >= 32 and load_web_settings(tmp_path).secret_key == first
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    monkeypatch.setenv("SAKIP_WEB_SECRET", "x" * 40)
    assert load_web_settings(tmp_path, max_files="3").secret_key == "x" * 40


def test_the_capaian_bound_is_read_once_into_the_scales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SAKIP_CAPAIAN_BOUND_PCT", "250")
    settings = load_settings(tmp_path)
    assert settings.scales.capaian_bound_pct == 250.0  # what the report reads
    assert settings.validation_options()["capaian_bound_pct"] == 250.0  # what the validation gets


def test_who_loads_is_sakip_user_or_the_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import getpass

    monkeypatch.setenv("SAKIP_USER", "ani")
    assert load_settings(tmp_path).user == "ani"
    monkeypatch.delenv("SAKIP_USER")
    assert load_settings(tmp_path).user == getpass.getuser()


@pytest.mark.parametrize(
    ("kind", "status"),
    [(NoDataProblem, EXIT_REJECTED), (UsageProblem, EXIT_USAGE), (EnvironmentProblem, EXIT_ENVIRONMENT)],
)
def test_the_command_line_maps_each_kind_of_problem_to_its_status(kind: type[Problem], status: int):
    problem = kind("report.no_data", year=2022)
    again = pickle.loads(pickle.dumps(problem))  # Prefect keeps a failed task's exception
    assert type(again) is kind and again.message() == "Belum ada data tahun 2022 di gudang data"
    assert exit_status(again) == status
