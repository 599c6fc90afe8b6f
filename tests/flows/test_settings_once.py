"""The settings are built once per entry point and handed down; who loads a file is a flow parameter."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

import tasks.settings
from sakip.cli import main
from tests.fixtures.web import AGENCY, PASSWORDS, make_site, run_queue, sign_in
from warehouse.db import engine_for
from warehouse.models import LoadBatch

pytestmark = pytest.mark.prefect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How many times each settings model is built from here on (by the one loader, by model name)."""
    counted: Counter = Counter()
    real = tasks.settings.build

    def counting(model, **given):
        counted[model.__name__] += 1
        return real(model, **given)

    monkeypatch.setattr(tasks.settings, "build", counting)
    return counted


@pytest.fixture
def inbox(sample_2022, tmp_path: Path) -> Path:
    """An inbox holding January 2022 of the sample agency in its period folder."""
    folder = tmp_path / "inbox" / "2022" / "01"
    folder.mkdir(parents=True)
    shutil.copy(sample_2022.realization[0], folder)
    return tmp_path / "inbox"


@pytest.fixture
def site_template(tmp_path: Path) -> Path:
    """A work folder with a migrated warehouse and the agency's user."""
    from sakip.web.accounts import add_user
    from warehouse.db import open_warehouse

    folder = tmp_path / "template"
    engine = open_warehouse(f"sqlite:///{(folder / 'sakip.db').resolve()}")
    add_user(engine, "dinas", PASSWORDS["dinas"], "opd", AGENCY)
    engine.dispose()
    return folder


def loaded_by(workdir: Path) -> list[tuple[str, str]]:
    """(status, loaded_by) of every batch the work folder's warehouse recorded."""
    engine = engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(LoadBatch.status, LoadBatch.loaded_by)).all()]


def test_sakip_inbox_builds_the_settings_once(prefect_server, inbox, tmp_path, loads, monkeypatch):
    monkeypatch.setenv("SAKIP_USER", "ani")
    workdir = tmp_path / "work"
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(
            ["inbox", "--inbox", str(inbox), "--year", "2022", "--month", "1", "--workdir", str(workdir)]
        )
    assert status == 0, err.getvalue()
    assert "loaded: 1" in out.getvalue()
    # the command built them; the inbox flow and its ingest run took them as they were
    assert loads == Counter({"Settings": 1})
    assert loaded_by(workdir) == [("loaded", "ani")]


def test_a_flow_run_without_settings_builds_them_once_at_its_entry(
    prefect_server, inbox, tmp_path, loads, monkeypatch
):
    from flows.inbox import inbox_flow

    monkeypatch.setenv("SAKIP_USER", "jadwal")
    workdir = tmp_path / "work"
    counts = inbox_flow(inbox=str(inbox), year=2022, month=1, workdir=str(workdir))
    assert counts["loaded"] == 1
    assert loads == Counter({"Settings": 1})  # the inbox flow's entry; its ingest run was handed them
    assert loaded_by(workdir) == [("loaded", "jadwal")]


def test_an_upload_loads_as_the_signed_in_user_without_touching_the_environment(
    prefect_server, sample_2022, site_template, tmp_path, loads, monkeypatch
):
    monkeypatch.setenv("SAKIP_USER", "proses-web")
    site = make_site(site_template, tmp_path / "work")  # the application's entry: settings built here
    assert loads == Counter({"Settings": 1, "WebSettings": 1})
    seen: list[str | None] = []
    from flows import ingest

    real_load = ingest.load_workbooks

    def watching(engine, staged, who=""):
        seen.append(os.environ.get("SAKIP_USER"))
        return real_load(engine, staged, who)

    monkeypatch.setattr(ingest, "load_workbooks", watching)
    client = site.client()
    token = sign_in(client, "dinas")
    january = sample_2022.realization[0]
    answer = client.post(
        "/upload",
        data={"csrf_token": token},
        files=[("files", (january.name, january.read_bytes(), XLSX))],
    )
    assert answer.status_code == 303, answer.text
    run_queue(site)  # as the worker runs it
    # no settings built for the upload, and the process's environment never named the user
    assert loads == Counter({"Settings": 1, "WebSettings": 1})
    assert seen == ["proses-web"]
    with site.engine.connect() as conn:
        batches = conn.execute(
            select(LoadBatch.status, LoadBatch.loaded_by).where(LoadBatch.opd_code == AGENCY)
        ).all()
    assert [tuple(b) for b in batches] == [("loaded", "dinas")]


def test_a_flow_run_stores_its_settings_without_the_database_password(tmp_path):
    from flows.ingest import ingest_flow

    settings = tasks.settings.load_settings(tmp_path).model_copy(
        update={"database_url": SecretStr("postgresql://sakip:rahasia@db.example/sakip")}
    )
    stored = ingest_flow.serialize_parameters({"paths": [], "settings": settings})
    assert "rahasia" not in repr(stored)
    assert stored["settings"]["database_url"] == "**********"
    assert stored["settings"]["workdir"] == str(tmp_path)
