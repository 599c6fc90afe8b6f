"""The right agency, over HTTP: the header's OPD (code or name) against the uploader's, a steward's
choice for workbooks naming none, refusals listed under the uploader's agency in Bahasa Indonesia."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.fixtures.web import AGENCY, OTHER_AGENCY, WebSite, make_site, run_queue, sign_in
from warehouse.models import LoadBatch, WebUpload, WebUploadFile

pytestmark = pytest.mark.prefect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER = f"kode,nama\n{AGENCY},Dinas Koperasi dan Usaha Mikro\n{OTHER_AGENCY},Dinas Pendidikan\n"


def _with_header(source: Path, target: Path, skpd: str | None) -> bytes:
    """The sample month with its header's OPD line written as ``skpd`` (None: no OPD line at all)."""
    book = openpyxl.load_workbook(source)
    sheet = book["Realisasi"]
    assert str(sheet["A3"].value).startswith("SKPD")
    sheet["A3"] = skpd
    book.save(target)
    return target.read_bytes()


def _send(
    site: WebSite, client: TestClient, token: str, files: list[tuple[str, bytes]], agency: str = ""
) -> str:
    """Upload ``files`` (with a steward's agency choice) and let a worker process them; the result
    page's address."""
    data = {"csrf_token": token, "agency": agency}
    answer = client.post("/upload", data=data, files=[("files", (n, b, XLSX)) for n, b in files])
    assert answer.status_code == 303, answer.text
    run_queue(site)
    return answer.headers["location"]


@dataclass
class Sent:
    """The uploads of the module: their result pages, and the clients that sent them."""

    site: WebSite
    dinas: TestClient
    lain: TestClient
    steward: TestClient
    foreign_name: str  # lain: a header naming AGENCY by name only
    no_opd: str  # dinas: a header with no OPD line, and a file that is no workbook
    steward_unnamed: str  # steward, no choice: a header with no OPD line
    steward_chosen: str  # steward, AGENCY chosen: the same file
    own_loose: str  # dinas: its own name only, written loosely
    steward_conflict: str  # steward, OTHER_AGENCY chosen: a file naming AGENCY by code


@pytest.fixture(scope="module")
def sent(prefect_server, sample_2022, site_template, tmp_path_factory) -> Sent:
    folder = tmp_path_factory.mktemp("agency-checks")
    site = make_site(site_template, folder / "work")
    register = folder / "opd.csv"
    register.write_text(REGISTER, encoding="utf-8")
    site.settings = site.settings.model_copy(update={"opd_register": register})
    january, february, march = sample_2022.realization[:3]
    by_name = _with_header(january, folder / "a.xlsx", "SKPD : Dinas Koperasi dan Usaha Mikro")
    unnamed = _with_header(january, folder / "b.xlsx", None)
    loose = _with_header(february, folder / "c.xlsx", "SKPD : DIS. KOPERASI & USAHA MIKRO")
    dinas, lain, steward = site.client(), site.client(), site.client()
    dinas_token, lain_token, steward_token = (
        sign_in(dinas, "dinas"),
        sign_in(lain, "lain"),
        sign_in(steward, "steward"),
    )
    return Sent(
        site,
        dinas,
        lain,
        steward,
        foreign_name=_send(site, lain, lain_token, [("realisasi_2022_01.xlsx", by_name)]),
        no_opd=_send(
            site, dinas, dinas_token, [("tanpa_opd_2022_01.xlsx", unnamed), ("rusak.xlsx", b"PK bukan")]
        ),
        steward_unnamed=_send(site, steward, steward_token, [("tanpa_opd.xlsx", unnamed)]),
        steward_chosen=_send(site, steward, steward_token, [("tanpa_opd.xlsx", unnamed)], agency=AGENCY),
        own_loose=_send(site, dinas, dinas_token, [("realisasi_2022_02.xlsx", loose)]),
        steward_conflict=_send(
            site, steward, steward_token, [("maret.xlsx", march.read_bytes())], agency=OTHER_AGENCY
        ),
    )


def _batches(site: WebSite) -> list:
    with site.engine.connect() as conn:
        return conn.execute(
            select(
                LoadBatch.file_name, LoadBatch.opd_code, LoadBatch.month, LoadBatch.status, LoadBatch.message
            ).order_by(LoadBatch.id)
        ).all()


def _upload_files(site: WebSite, name: str) -> list:
    with site.engine.connect() as conn:
        return conn.execute(select(WebUploadFile).where(WebUploadFile.original_name == name)).all()


def test_a_header_naming_another_agency_by_name_is_refused_naming_both(sent: Sent):
    page = sent.lain.get(sent.foreign_name).text
    assert "DITOLAK" in page
    assert (
        "Workbook ini untuk OPD Dinas Koperasi dan Usaha Mikro, sedangkan akun Anda hanya untuk OPD "
        f"{OTHER_AGENCY} (Dinas Pendidikan)"
    ) in page
    assert "Perbaiki sel yang ditandai" not in page  # the whole file is for another agency
    assert "kirim workbook OPD Anda sendiri" in page
    first = _batches(sent.site)[0]
    assert (first.opd_code, first.month, first.status) == (OTHER_AGENCY, 1, "rejected")


def test_a_header_naming_no_agency_is_refused_for_an_agencys_user(sent: Sent):
    page = sent.dinas.get(sent.no_opd).text
    assert page.count("DITOLAK") == 2
    assert (
        "Kepala laporan tidak menyebut OPD: tambahkan baris "
        f"&#39;SKPD : {AGENCY} Dinas Koperasi dan Usaha Mikro&#39;" in page
    )
    assert "Masalahnya ada pada berkas secara keseluruhan" in page
    assert "Perbaiki sel yang ditandai" not in page
    (row,) = _upload_files(sent.site, "tanpa_opd_2022_01.xlsx")
    assert row.agency_code == AGENCY and row.status == "rejected"


def test_refusals_are_listed_under_the_uploaders_agency_in_indonesian(sent: Sent):
    batches = {b.file_name: b for b in _batches(sent.site)}
    assert batches["tanpa_opd_2022_01.xlsx"].opd_code == AGENCY
    assert batches["rusak.xlsx"].opd_code == AGENCY  # no workbook read at all: the uploader's agency
    agency = sent.dinas.get(f"/agencies/{AGENCY}").text
    refused = agency.split("Berkas ditolak", 1)[1]
    assert "tanpa_opd_2022_01.xlsx" in refused and "rusak.xlsx" in refused
    assert "Kepala laporan tidak menyebut OPD" in refused and "Berkas bukan workbook" in refused
    assert "\\n" not in refused and "[header.opd_missing]" in refused
    assert "not found" not in refused and "differs from" not in refused  # no English
    steward = sent.steward.get("/steward", params={"year": 2022, "month": 1}).text
    row = steward.split(f'href="/agencies/{AGENCY}"', 1)[1].split("</tr>", 1)[0]
    refused = row.split('<td class="num rejected">', 1)[1].split("<", 1)[0]
    assert refused == "1"  # January: the file with no OPD line, refused, counted for AGENCY


def test_a_steward_is_asked_which_agency_and_the_choice_loads_it(sent: Sent):
    page = sent.steward.get(sent.steward_unnamed).text
    assert "DITOLAK" in page and "Workbook ini tidak menyebut OPD-nya" in page
    assert "&#34;Untuk OPD&#34;" in page or '"Untuk OPD"' in page
    chosen = sent.steward.get(sent.steward_chosen).text
    assert "DITOLAK" not in chosen and f"OPD {AGENCY}" in chosen
    with sent.site.engine.connect() as conn:
        uploads = conn.execute(select(WebUpload.agency_code).order_by(WebUpload.id)).scalars().all()
    assert uploads[2:4] == [None, AGENCY]  # the steward's uploads: no choice, then AGENCY
    loaded = [(b.opd_code, b.month) for b in _batches(sent.site) if b.status == "loaded"]
    assert loaded == [(AGENCY, 1), (AGENCY, 2)]


def test_its_own_name_written_loosely_loads(sent: Sent):
    page = sent.dinas.get(sent.own_loose).text
    assert "DITOLAK" not in page and "dimuat" in page


def test_a_steward_choice_does_not_relabel_a_workbook_naming_another_agency(sent: Sent):
    page = sent.steward.get(sent.steward_conflict).text
    assert (
        f"Workbook ini untuk OPD {AGENCY} (Dinas Koperasi dan Usaha Mikro), sedangkan Anda memilih OPD"
        in page
    )
    assert f"{OTHER_AGENCY} (Dinas Pendidikan)" in page
    assert not [b for b in _batches(sent.site) if b.status == "loaded" and b.month == 3]


def test_the_steward_form_offers_the_agencies_and_refuses_an_unknown_one(sent: Sent):
    form = sent.steward.get("/upload").text
    assert '<select name="agency">' in form and "Untuk OPD (jika workbook tidak menyebut OPD)" in form
    assert f'<option value="{OTHER_AGENCY}">{OTHER_AGENCY} Dinas Pendidikan</option>' in form
    assert '<select name="agency">' not in sent.dinas.get("/upload").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = sent.steward.post(
        "/upload",
        data={"csrf_token": token, "agency": "9.99.9.99"},
        files=[("files", ("a.xlsx", b"PK", XLSX))],
    )
    assert answer.status_code == 422 and "OPD yang dipilih tidak dikenal" in answer.text


def test_a_file_refused_at_the_door_says_what_to_do_with_the_file(site: WebSite):
    client = site.client()
    token = sign_in(client, "dinas")
    page = client.get(_send(site, client, token, [("laporan.pdf", b"%PDF-1.4")])).text
    assert "DITOLAK" in page and "upload.suffix" in page
    assert "Masalahnya ada pada berkas secara keseluruhan" in page
    assert "Perbaiki sel yang ditandai" not in page
