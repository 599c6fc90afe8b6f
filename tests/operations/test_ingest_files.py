"""``ingest`` never takes a user's file, never reads back what sakip wrote, and names every file safely.

End to end through the command line and the monthly flow: the folder given keeps every file
byte-identical (good and bad files, the listing unchanged) while quarantine receives copies; a work
folder given as input has its reports, quarantine and other outputs passed over (and said so); only
the inbox flow, which owns its inbox, moves files; a full disk while quarantining leaves no partial
copy and still reports what loaded; a file name with control characters cannot forge a line.
"""

from __future__ import annotations

import errno
import io
import logging
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sakip.cli import EXIT_ENVIRONMENT, EXIT_REJECTED, main
from tasks.core.text import printable
from warehouse.db import engine_for
from warehouse.models import FactRealization, LoadBatch

pytestmark = pytest.mark.prefect


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes): the listing and the content."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def facts(workdir: Path) -> int:
    """Rows of fact_realization in the work folder's warehouse."""
    with engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}").connect() as conn:
        return conn.scalar(select(func.count()).select_from(FactRealization))


def user_folder(sample_2022, root: Path) -> Path:
    """A user's folder: a good month, a month that breaks a rule, a file that is no workbook, a subfolder."""
    import openpyxl

    folder = root / "kiriman"
    (folder / "dinas").mkdir(parents=True)
    shutil.copy(sample_2022.realization[0], folder / "realisasi_2022_01.xlsx")
    book = openpyxl.load_workbook(sample_2022.realization[1])
    book.active["A5"] = "Bulan : Februarri"  # a misspelled month: rejected at extraction, annotated
    book.save(folder / "dinas" / "realisasi_2022_02.xlsx")
    (folder / "catatan.xlsx").write_bytes(b"bukan workbook")
    (folder / "README.txt").write_text("bukan masukan", encoding="utf-8")
    return folder


def test_ingest_leaves_its_inputs_byte_identical_in_place(prefect_server, sample_2022, tmp_path: Path):
    folder = user_folder(sample_2022, tmp_path)
    before = snapshot(folder)
    workdir = tmp_path / "work"

    status, out, err = run("ingest", str(folder), "--workdir", str(workdir))

    assert status == EXIT_REJECTED
    assert snapshot(folder) == before  # nothing moved, nothing changed, nothing added
    assert f"{folder / 'realisasi_2022_01.xlsx'}: dimuat (38)" in out
    assert f"{folder / 'catatan.xlsx'}: DITOLAK" in out
    quarantine = workdir / "quarantine"
    copies = {p.name: p for p in quarantine.rglob("*.xlsx") if ".annotated." not in p.name}
    assert copies["catatan.xlsx"].read_bytes() == before["catatan.xlsx"]
    assert copies["realisasi_2022_02.xlsx"].read_bytes() == before["dinas/realisasi_2022_02.xlsx"]
    assert f"salinan dikarantina di {copies['catatan.xlsx'].parent}" in err
    summary = copies["realisasi_2022_02.xlsx"].with_suffix(".txt").read_text(encoding="utf-8")
    assert (
        "Berkas asli (tetap di tempatnya; yang ada di sini salinannya): "
        f"{(folder / 'dinas' / 'realisasi_2022_02.xlsx').resolve()}"
    ) in summary
    assert not [p for p in quarantine.rglob("*") if ".part-" in p.name]

    # the same folder again: the good month is unchanged, the bad files are copied again, still in place
    status, out, _ = run("ingest", str(folder), "--workdir", str(workdir))
    assert status == EXIT_REJECTED
    assert "realisasi_2022_01.xlsx: tidak berubah" in out
    assert snapshot(folder) == before


def test_ingest_of_the_work_folder_passes_over_what_sakip_wrote(prefect_server, sample_2022, tmp_path: Path):
    workdir = tmp_path / "work"
    folder = user_folder(sample_2022, tmp_path)
    assert run("ingest", str(folder), "--workdir", str(workdir))[0] == EXIT_REJECTED
    assert run("report", "--year", "2022", "--format", "xlsx", "--workdir", str(workdir))[0] == 0
    assert run("monthly", "--year", "2022", "--month", "1", "--workdir", str(workdir))[0] == 0
    shutil.copy(sample_2022.realization[2], workdir / "realisasi_2022_03.xlsx")  # a workbook put there
    (workdir / "uploads" / "a1b2").mkdir(parents=True)  # a copy the web application ran the flow on
    shutil.copy(sample_2022.realization[3], workdir / "uploads" / "a1b2" / "realisasi_2022_04.xlsx")
    outputs = {name: snapshot(workdir / name) for name in ("reports", "quarantine", "uploads")}
    assert list((workdir / "reports").rglob("lkjip_2022.xlsx"))
    assert list((workdir / "reports").rglob("monitoring_*.xlsx"))
    with engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}").connect() as conn:
        batches = conn.scalar(select(func.count()).select_from(LoadBatch))

    status, out, err = run("ingest", str(workdir), "--workdir", str(workdir))

    assert status == 0, err
    assert f"{workdir / 'realisasi_2022_03.xlsx'}: dimuat (38)" in out
    assert (
        f"Dilewati 2 berkas di {workdir / 'reports'}: folder keluaran sakip (laporan), bukan masukan" in out
    )
    assert f"di {workdir / 'quarantine'}: folder keluaran sakip (karantina), bukan masukan" in out
    uploads = f"Dilewati 1 berkas di {workdir / 'uploads'}: folder keluaran sakip (kiriman lewat web)"
    assert f"{uploads}, bukan masukan" in out
    assert "lkjip_2022" not in out + err and "monitoring_" not in out + err
    for name, files in outputs.items():
        assert snapshot(workdir / name) == files, f"{name} changed"
    with engine_for(f"sqlite:///{(workdir / 'sakip.db').resolve()}").connect() as conn:
        assert conn.scalar(select(func.count()).select_from(LoadBatch)) == batches + 1  # month 3 only


def test_the_inbox_flow_moves_the_files_it_owns(prefect_server, sample_2022, tmp_path: Path):
    from flows.inbox import inbox_flow

    inbox = tmp_path / "inbox"
    period = inbox / "2022" / "01"
    period.mkdir(parents=True)
    shutil.copy(sample_2022.realization[0], period / "realisasi_2022_01.xlsx")
    (period / "catatan.xlsx").write_bytes(b"bukan workbook")
    workdir = tmp_path / "work"

    counts = inbox_flow(inbox=str(inbox), year=2022, month=1, workdir=str(workdir))

    assert counts == {"loaded": 1, "unchanged": 0, "rejected": 1}
    assert list(period.iterdir()) == []  # both left the inbox
    assert (workdir / "quarantine" / "2022" / "01" / "catatan.xlsx").read_bytes() == b"bukan workbook"
    summary = (workdir / "quarantine" / "2022" / "01" / "catatan.txt").read_text(encoding="utf-8")
    assert f"Berkas asli (dipindahkan ke sini dari {period.resolve()}): catatan.xlsx" in summary
    assert len(list((workdir / "archive" / "2022" / "01").glob("realisasi_2022_01.*.xlsx"))) == 1


def test_a_full_disk_while_quarantining_still_reports_the_loaded_month(
    prefect_server, sample_2022, tmp_path: Path, monkeypatch
):
    folder = tmp_path / "kiriman"
    folder.mkdir()
    shutil.copy(sample_2022.realization[0], folder / "realisasi_2022_01.xlsx")
    (folder / "catatan.xlsx").write_bytes(b"bukan workbook " * 1000)
    before = snapshot(folder)
    workdir = tmp_path / "work"

    real_copyfile = shutil.copyfile

    def copy_half_then_fill_the_disk(source, target, *args, **kwargs):
        if "quarantine" not in Path(target).parts:  # the disk fills up just as the quarantine is written
            return real_copyfile(source, target, *args, **kwargs)
        data = Path(source).read_bytes()
        Path(target).write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(shutil, "copyfile", copy_half_then_fill_the_disk)
    status, out, err = run("ingest", str(folder), "--workdir", str(workdir))

    assert status == EXIT_ENVIRONMENT
    assert f"{folder / 'realisasi_2022_01.xlsx'}: dimuat (38)" in out  # the user learns month 1 loaded
    assert f"{folder / 'catatan.xlsx'}: DITOLAK" in out
    assert f"karantina gagal: Disk penuh saat menulis {workdir / 'quarantine'}; kosongkan ruang disk" in err
    assert facts(workdir) == 38
    assert snapshot(folder) == before
    quarantine = workdir / "quarantine"
    assert not [p for p in quarantine.rglob("*") if p.is_file()]  # no partial copy, no summary


@pytest.mark.parametrize(
    "name",
    [
        "x.xlsx\nrealisasi_2022_09.xlsx: dimuat (38)\n.xlsx",
        "y\r\x1b[2K\x1b[1Arealisasi_2022_09.xlsx: dimuat (38).xlsx",
        "z\u202excod.xlsx",
        "w\x85\x9b31m\tmerah.xlsx",
    ],
)
def test_a_file_name_cannot_forge_a_line_of_output(prefect_server, tmp_path: Path, name: str):
    folder = tmp_path / "kiriman"
    folder.mkdir()
    (folder / name).write_bytes(b"bukan workbook")
    workdir = tmp_path / "work"
    records: list[logging.LogRecord] = []
    collector = logging.Handler(logging.INFO)
    collector.emit = records.append
    watched = [logging.getLogger("prefect"), logging.getLogger("tasks"), logging.getLogger()]
    for logger in watched:
        logger.addHandler(collector)
    try:
        status, out, err = run("ingest", str(folder), "--workdir", str(workdir))
    finally:
        for logger in watched:
            logger.removeHandler(collector)

    assert status == EXIT_REJECTED
    everything = out + err
    lines = everything.splitlines()
    assert not any(line.startswith("realisasi_2022_09.xlsx: dimuat") for line in lines)
    control = [c for c in everything if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F]
    assert control == [] and "\u202e" not in everything
    shown = name.encode("unicode_escape").decode("ascii")  # \n, \x1b, \u202e: one visible line
    assert printable(name) == shown
    assert f"{printable(folder)}/{shown}: DITOLAK" in lines
    summaries = [p.read_text(encoding="utf-8") for p in (workdir / "quarantine").rglob("*.txt")]
    assert len(summaries) == 1
    first = summaries[0].splitlines()
    assert first[0].startswith("Berkas: ") and "\x1b" not in summaries[0] and "\u202e" not in summaries[0]
    messages = [record.getMessage() for record in records]
    assert any(shown in message for message in messages)  # the flow's log names the file, escaped
    assert not [m for m in messages if "\n" in m or "\x1b" in m or "\u202e" in m]
