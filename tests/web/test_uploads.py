"""Uploads through the monthly Prefect flow: what loads, what is refused and why, who may see what."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.fixtures.web import (
    AGENCY,
    OTHER_AGENCY,
    WebSite,
    make_site,
    other_agency_workbook,
    over_budget_workbook,
    run_queue,
    sign_in,
)
from warehouse.models import LoadBatch, WebUploadFile

pytestmark = pytest.mark.prefect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Uploaded:
    """Two uploads of the agency's user: January and a broken February, then another agency's workbook."""

    site: WebSite
    dinas: TestClient
    first: str  # result page of the first upload
    second: str  # result page of the second
    january: bytes  # the file sent, as sent


def _send(site: WebSite, client: TestClient, token: str, files: list[tuple[str, bytes]]) -> str:
    """Upload ``files`` (name, content) and let a worker process them; the result page's address."""
    answer = client.post(
        "/upload", data={"csrf_token": token}, files=[("files", (name, data, XLSX)) for name, data in files]
    )
    assert answer.status_code == 303, answer.text
    run_queue(site)
    return answer.headers["location"]


@pytest.fixture(scope="module")
def uploaded(prefect_server, sample_2022, site_template, tmp_path_factory) -> Uploaded:
    folder = tmp_path_factory.mktemp("web-uploads")
    site = make_site(site_template, folder / "work")
    january = sample_2022.realization[0].read_bytes()
    february = over_budget_workbook(
        sample_2022.realization[1], folder / "realisasi_2022_02.xlsx"
    ).read_bytes()
    foreign = other_agency_workbook(
        sample_2022.realization[2], folder / "realisasi_2022_03.xlsx"
    ).read_bytes()
    dinas = site.client()
    token = sign_in(dinas, "dinas")
    first = _send(
        site,
        dinas,
        token,
        [("../../realisasi_2022_01.xlsx", january), ("realisasi <img src=x>02.xlsx", february)],
    )
    second = _send(site, dinas, token, [("realisasi_2022_03.xlsx", foreign)])
    return Uploaded(site, dinas, first, second, january)


def _files(site: WebSite) -> dict[str, object]:
    """The recorded upload files by their name as sent."""
    with site.engine.connect() as conn:
        return {row.original_name: row for row in conn.execute(select(WebUploadFile)).all()}


def test_a_good_workbook_loads_and_a_bad_one_shows_its_failed_cell(uploaded: Uploaded):
    page = uploaded.dinas.get(uploaded.first)
    assert page.status_code == 200
    text = page.text
    assert text.count("DITOLAK") == 1 and "dimuat" in text
    assert "realisasi &lt;img src=x&gt;02.xlsx" in text and "<img" not in text
    # the failed cell, its rule and the value it should not exceed
    assert '<td class="cell">G12</td>' in text
    assert "amount.realization_over_budget" in text
    assert "Realisasi s.d. bulan ini (2.000.000) melebihi anggaran (886.349)" in text
    assert "<td>886.349</td>" in text
    with uploaded.site.engine.connect() as conn:
        months = conn.execute(
            select(LoadBatch.month, LoadBatch.status, LoadBatch.loaded_by).where(LoadBatch.opd_code == AGENCY)
        ).all()
    # the other agency's workbook (third) is refused under its sender's agency, its month unread
    assert sorted(months, key=lambda m: m.month or 0) == [
        (None, "rejected", "dinas"),
        (1, "loaded", "dinas"),
        (2, "rejected", "dinas"),
    ]


def test_upload_copies_live_under_generated_folders_and_the_sent_file_is_untouched(uploaded: Uploaded):
    files = _files(uploaded.site)
    root = (uploaded.site.settings.workdir / "uploads").resolve()
    stored = Path(files["realisasi_2022_01.xlsx"].stored_path).resolve()
    assert stored.is_relative_to(root) and stored.name == "realisasi_2022_01.xlsx"
    assert stored.parent.name == files["realisasi_2022_01.xlsx"].public_id  # a generated folder per file
    assert stored.read_bytes() == uploaded.january
    assert Path(files["realisasi <img src=x>02.xlsx"].stored_path).name == "realisasi_img_src_x_02.xlsx"
    assert not (uploaded.site.settings.workdir.parent / "realisasi_2022_01.xlsx").exists()


def test_the_annotated_copy_downloads_for_the_agency_only(uploaded: Uploaded):
    page = uploaded.dinas.get(uploaded.first).text
    link = next(part.split('"')[0] for part in page.split('href="') if part.startswith("/files/"))
    answer = uploaded.dinas.get(link)
    assert answer.status_code == 200
    assert 'filename="realisasi_img_src_x_02.annotated.xlsx"' in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames[0] == "Catatan Validasi"
    assert "amount.realization_over_budget" in book["Realisasi"]["G12"].comment.text
    other = uploaded.site.client()
    sign_in(other, "lain")
    assert other.get(link).status_code == 403
    assert other.get(uploaded.first).status_code == 403
    steward = uploaded.site.client()
    sign_in(steward, "steward")
    assert steward.get(link).status_code == 200


def test_the_data_docs_page_of_the_validation_is_served_to_its_agency(uploaded: Uploaded):
    page = uploaded.dinas.get(uploaded.first).text
    links = {
        part.split('"')[0] for part in page.split('href="') if part.startswith("/data-docs/validations/")
    }
    assert links
    for link in links:
        answer = uploaded.dinas.get(link)
        assert answer.status_code == 200 and "realisasi_bulanan" in answer.text
        assert answer.headers["content-security-policy"].startswith("sandbox")
        other = uploaded.site.client()
        sign_in(other, "lain")
        assert other.get(link).status_code == 403
    ours = {part.split('"')[0] for part in page.split('href="') if '">Hasil validasi</a>' in part}
    assert ours and all(link.startswith("/validations/file/") for link in ours)
    for link in ours:  # sakip's own page of the run, for the agency
        answer = uploaded.dinas.get(link, follow_redirects=True)
        assert (
            answer.status_code == 200 and "Pemeriksaan" in answer.text and "/validations/" in str(answer.url)
        )


def test_another_agencys_workbook_is_refused_and_nothing_loads(uploaded: Uploaded):
    page = uploaded.dinas.get(uploaded.second).text
    assert "DITOLAK" in page
    assert f"Workbook ini untuk OPD {OTHER_AGENCY}, sedangkan akun Anda hanya untuk OPD {AGENCY}" in page
    assert "Tidak ada data yang dimuat" in page
    with uploaded.site.engine.connect() as conn:
        loaded = conn.execute(
            select(LoadBatch.opd_code, LoadBatch.month).where(LoadBatch.status == "loaded")
        ).all()
    assert loaded == [(AGENCY, 1)]
    assert (
        _files(uploaded.site)["realisasi_2022_03.xlsx"].agency_code == AGENCY
    )  # its sender's, not the file's


def test_agency_page_shows_months_rejections_and_monitoring(uploaded: Uploaded):
    page = uploaded.dinas.get(f"/agencies/{AGENCY}").text
    assert "Monitoring bulan terakhir: Januari 2022 (TW I)" in page
    assert "Realisasi s.d. Januari 2022 sebesar Rp 601.856.660 (2,30 %)" in page
    assert "<td>Januari 2022</td>" in page and '<td class="num">2,30</td>' in page
    assert "realisasi &lt;img src=x&gt;02.xlsx" in page  # among the refused files, as it was sent
    assert uploaded.dinas.get(f"/agencies/{OTHER_AGENCY}").status_code == 403


def test_steward_sees_each_agencys_state_quarantine_and_validations(uploaded: Uploaded):
    steward = uploaded.site.client()
    sign_in(steward, "steward")
    january = steward.get("/steward", params={"year": 2022, "month": 1}).text
    february = steward.get("/steward", params={"year": 2022, "month": 2}).text

    def state(page: str, code: str) -> str:
        row = page.split(f'href="/agencies/{code}"', 1)[1].split("</tr>", 1)[0]
        return row.split('<span class="badge ', 1)[1].split('"', 1)[0]

    assert state(january, AGENCY) == "dimuat" and state(january, OTHER_AGENCY) == "belum"
    assert state(february, AGENCY) == "ditolak"
    quarantine = steward.get("/steward/quarantine").text
    assert "realisasi_img_src_x_02.annotated.xlsx" in quarantine
    link = next(p.split('"')[0] for p in quarantine.split('href="') if p.startswith("/steward/quarantine/"))
    assert steward.get(link).status_code == 200
    validations = steward.get("/steward/validations?failed=1").text
    assert "realisasi &lt;img src=x&gt;02.xlsx" in validations and "/data-docs/validations/" in validations
    assert "realisasi_img_src_x_02.xlsx" not in validations  # the name as sent, not the stored one


def test_xls_and_ods_pass_the_door_and_are_judged_by_their_content(uploaded: Uploaded):
    client = uploaded.site.client()
    token = sign_in(client, "dinas")
    page = client.get(_send(uploaded.site, client, token, [("catatan.ods", b"bukan workbook\n")])).text
    assert page.count("DITOLAK") == 1
    assert "Berkas bukan workbook (.xlsx/.xlsm/.xls/.ods) yang dapat dibaca" in page
    assert "yang diterima (berkas ini" not in page  # not refused for its suffix
    assert 'accept=".xlsx,.xlsm,.xls,.ods"' in client.get("/upload").text
