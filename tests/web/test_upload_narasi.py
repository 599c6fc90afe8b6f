"""An indicator workbook sent through the web goes the path ``sakip ingest`` takes: a Narasi row naming
no part of the report refuses the workbook at its cell, shown on the result page and marked in the
annotated copy; the sample's workbook loads with its texts."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.fixtures.web import AGENCY, WebSite, make_site, run_queue, sign_in
from warehouse.models import LoadBatch
from warehouse.queries import office_texts

pytestmark = pytest.mark.prefect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(site: WebSite, client: TestClient, token: str, name: str, data: bytes) -> str:
    """Upload one file and let a worker process it; the result page's address."""
    answer = client.post("/upload", data={"csrf_token": token}, files=[("files", (name, data, XLSX))])
    assert answer.status_code == 303, answer.text
    run_queue(site)
    return answer.headers["location"]


def _with_bad_key(source: Path, target: Path) -> str:
    """The sample's indicator workbook with one more Narasi row naming a chapter the report has not;
    the cell of that key."""
    shutil.copy(source, target)
    book = openpyxl.load_workbook(target)
    sheet = book["Narasi"]
    row = sheet.max_row + 1
    sheet.cell(row=row, column=1, value="BAB V")
    sheet.cell(row=row, column=2, value="Bab yang tidak ada.")
    book.save(target)
    return f"A{row}"


def test_a_refused_narasi_cell_shows_on_the_result_page(prefect_server, sample_2022, site_template, tmp_path):
    site = make_site(site_template, tmp_path / "work")
    client = site.client()
    token = sign_in(client, "dinas")
    cell = _with_bad_key(sample_2022.indicators, tmp_path / "indikator_2022.xlsx")

    refused = client.get(
        _send(site, client, token, "indikator_2022.xlsx", (tmp_path / "indikator_2022.xlsx").read_bytes())
    )
    assert refused.status_code == 200
    assert "DITOLAK" in refused.text
    assert f'<td class="cell">{cell}</td>' in refused.text
    assert "narasi.key_unknown" in refused.text
    assert "BAB V" in refused.text and "tidak menunjuk bagian laporan mana pun" in refused.text
    link = next(part.split('"')[0] for part in refused.text.split('href="') if part.startswith("/files/"))
    annotated = openpyxl.load_workbook(io.BytesIO(client.get(link).content))
    assert "narasi.key_unknown" in annotated["Narasi"][cell].comment.text
    assert office_texts(site.engine, AGENCY, 2022).sections == {}  # nothing loaded

    sample = sample_2022.indicators.read_bytes()
    loaded = client.get(_send(site, client, token, "indikator_2022.xlsx", sample))
    assert "DITOLAK" not in loaded.text
    with site.engine.connect() as conn:
        batches = conn.execute(select(LoadBatch.file_name, LoadBatch.status, LoadBatch.kind)).all()
    assert sorted(b.status for b in batches) == ["loaded", "rejected"]  # the refused file recorded
    assert [b.kind for b in batches if b.status == "loaded"] == ["indicator"]
    assert "IV.C" in office_texts(site.engine, AGENCY, 2022).sections
