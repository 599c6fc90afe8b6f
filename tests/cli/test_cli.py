"""The command line end to end: a batch with bad files loads the good ones and names every problem."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from sakip.cli import main
from warehouse.db import engine_for
from warehouse.models import FactRealization, LoadBatch

pytestmark = pytest.mark.prefect


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr).

    Output is captured with plain buffers, not capsys: Prefect's console log handler keeps the stream it
    first saw, and a capsys stream is closed after its test.
    """
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def _cell_of_code(sheet, code: str, column: str) -> str:
    """Address of ``column`` on the row whose Kode is ``code``."""
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == code:
            return f"{column}{row[0].row}"
    raise AssertionError(f"{code} not in sheet")


def test_ingest_batch_with_bad_files(prefect_server, sample_2022, tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample_2022.realization[0], inbox / "realisasi_2022_01.xlsx")
    book = openpyxl.load_workbook(sample_2022.realization[1])
    sheet = book.active
    over = _cell_of_code(sheet, "2.17.01.2.06.03", "G")
    sheet[over] = 999_999_999_999
    book.save(inbox / "realisasi_2022_02.xlsx")
    (inbox / "catatan.xlsx").write_text("this is not a workbook")
    workdir = tmp_path / "work"

    status, out, err = run("ingest", str(inbox), "--workdir", str(workdir))

    assert status == 1
    assert "realisasi_2022_01.xlsx: dimuat" in out
    assert "realisasi_2022_02.xlsx: DITOLAK" in out
    assert f"realisasi_2022_02.xlsx, sheet 'Realisasi', sel {over}" in err
    assert "[amount.realization_over_budget]" in err
    assert "catatan.xlsx" in err and "[file.not_workbook]" in err
    engine = engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(FactRealization)) == 38  # January only
        statuses = dict(conn.execute(select(LoadBatch.file_name, LoadBatch.status)).all())
    assert statuses == {
        "realisasi_2022_01.xlsx": "loaded",
        "realisasi_2022_02.xlsx": "rejected",
        "catatan.xlsx": "rejected",
    }

    status, listing, _ = run("validations", "--failed", "--workdir", str(workdir))
    assert status == 0
    assert "realisasi_2022_02.xlsx" in listing and "realisasi_2022_01.xlsx" not in listing
    _, everything, _ = run("validations", "--year", "2022", "--month", "1", "--workdir", str(workdir))
    assert "realisasi_2022_01.xlsx" in everything and "file://" in everything


def test_ingest_messages_in_english_on_request(prefect_server, tmp_path: Path):
    junk = tmp_path / "x.xlsx"
    junk.write_bytes(b"PK\x03\x04 truncated")
    status, out, err = run("ingest", str(junk), "--workdir", str(tmp_path / "w"), "--lang", "en")
    assert status == 1
    assert "x.xlsx: REJECTED" in out
    assert "Not a readable workbook" in err


def test_ingest_refuses_a_period_that_disagrees_with_the_file(prefect_server, sample_2022, tmp_path):
    march = shutil.copy(sample_2022.realization[2], tmp_path / "realisasi_2022_03.xlsx")
    sent = Path(march).read_bytes()
    status, _, err = run("ingest", str(march), "--month", "4", "--workdir", str(tmp_path / "w"))
    assert status == 1
    assert (
        "sel A5: Bulan di berkas (3) bukan bulan yang sedang diproses (4); kirim berkas bulan 4, atau "
        "perbaiki bulan di kepala laporan [period.wrong_month]"
    ) in err
    quarantined = tmp_path / "w" / "quarantine" / "2022" / "03"
    assert f"salinan dikarantina di {quarantined}" in err
    assert Path(march).read_bytes() == sent  # the sender's file stays; quarantine holds a copy
    assert (quarantined / "realisasi_2022_03.xlsx").is_file()
    assert (quarantined / "realisasi_2022_03.annotated.xlsx").is_file()
    assert "period.wrong_month" in (quarantined / "realisasi_2022_03.txt").read_text(encoding="utf-8")


def test_sample_and_report_commands(prefect_server, tmp_path: Path):
    workdir = tmp_path / "w"
    assert run("sample", "--year", "2022", "--out", str(tmp_path / "s"), "--workdir", str(workdir))[0] == 0
    assert len(list((tmp_path / "s").glob("*.xlsx"))) == 13
    status, out, _ = run("ingest", str(tmp_path / "s" / "indikator_2022.xlsx"), "--workdir", str(workdir))
    assert status == 0  # warnings only: the file loads and the warnings are shown
    assert "indikator_2022.xlsx: dimuat" in out
    assert "Capaian 382,67 % melebihi batas wajar 300 %" in out and "[indicator.capaian_beyond_bound]" in out
    status, out, _ = run("report", "--year", "2022", "--workdir", str(workdir), "--out", str(tmp_path / "r"))
    assert status == 0
    folder = tmp_path / "r" / "2022" / "2.17.0.00.0.00.01.0000"
    assert str(folder / "tabel_3_1.csv") in out
    assert not (folder / "tabel_3_6.csv").exists()  # no realization loaded: no budget tables
    assert (folder / "lkjip_2022.xlsx").is_file()


def test_ingest_opd_checks_the_headers_agency_name_and_fills_in_a_missing_one(
    prefect_server, sample_2022, tmp_path, monkeypatch
):
    """``--opd CODE``: a header naming another agency by name is refused (the register names both);
    a header naming none is read as CODE's, as documented."""
    agency, other = "2.17.0.00.0.00.01.0000", "1.01.0.00.0.00.01.0000"
    register = tmp_path / "opd.csv"
    register.write_text(f"kode,nama\n{agency},Dinas Koperasi dan Usaha Mikro\n{other},Dinas Pendidikan\n")
    monkeypatch.setenv("SAKIP_OPD_REGISTER", str(register))
    workdir = tmp_path / "w"
    files = {}
    for name, skpd in (("nama_saja.xlsx", "SKPD : Dinas Koperasi dan Usaha Mikro"), ("tanpa_opd.xlsx", None)):
        book = openpyxl.load_workbook(sample_2022.realization[0])
        book["Realisasi"]["A3"] = skpd
        book.save(tmp_path / name)
        files[name] = tmp_path / name
    status, _, err = run("ingest", str(files["nama_saja.xlsx"]), "--opd", other, "--workdir", str(workdir))
    assert status == 1
    assert (
        "sel A3: OPD di berkas (Dinas Koperasi dan Usaha Mikro) berbeda dengan yang diberikan lewat perintah "
        f"({other} (Dinas Pendidikan)) [header.meta_conflict]"
    ) in err
    status, _out, err = run(
        "ingest", str(files["tanpa_opd.xlsx"]), "--opd", agency, "--workdir", str(workdir)
    )
    assert status == 0, err
    with engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}").connect() as conn:
        batches = conn.execute(select(LoadBatch.opd_code, LoadBatch.status).order_by(LoadBatch.id)).all()
    assert batches == [(other, "rejected"), (agency, "loaded")]
