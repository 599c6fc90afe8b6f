"""Every command that cannot do what it was asked says why in one message, with a meaningful exit status.

None of these needs a flow run: options out of range, paths with nothing to take, an OPD or a moment
without data, a damaged or unreachable warehouse, a read-only work folder, a full disk, unusable
settings, and the last resort for anything unexpected. Each test also checks that nothing was lost
(the inputs are byte-identical) and nothing was half-written (no output appeared).
"""

from __future__ import annotations

import errno
import io
import os
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from sakip.cli import EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_REJECTED, EXIT_USAGE, main
from sakip.failures import CommandError, explain
from tasks.load.realization import load_realization
from tests.fixtures.staged import OPD, realization_lines, realization_workbook
from warehouse.db import engine_for, open_warehouse

SUBS = {"2.17.01.2.01.01": (1000.0, 100.0, 100.0), "2.17.02.2.01.01": (2000.0, 250.0, 250.0)}


def run(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A work folder whose SQLite warehouse holds month 3 of 2022 of the test OPD; its path."""
    workdir = tmp_path / "work"
    engine = open_warehouse(f"sqlite:///{(workdir / 'sakip.db').resolve()}")
    load_realization(engine, realization_workbook(realization_lines(SUBS), month=3))
    engine.dispose()
    return workdir


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder with one workbook-named file (its content never matters: nothing may read it)."""
    folder = tmp_path / "kiriman"
    folder.mkdir()
    (folder / "realisasi_2022_03.xlsx").write_bytes(b"PK\x03\x04 kiriman")
    return folder


# -------------------------------------------------------------------------------------------------
# options out of range


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "{inputs}", "--month", "13"], "--month harus bulan 1–12, tertulis 13"),
        (["ingest", "{inputs}", "--month", "0"], "--month harus bulan 1–12, tertulis 0"),
        (["ingest", "{inputs}", "--year", "20222"], "--year harus tahun 1900–2100, tertulis 20222"),
        (["consolidate", "--year", "2022", "--month", "13"], "--month harus bulan 1–12, tertulis 13"),
        (["monthly", "--year", "2022", "--month", "13"], "--month harus bulan 1–12, tertulis 13"),
        (["validations", "--month", "-1"], "--month harus bulan 1–12, tertulis -1"),
        (["revisions", "--year", "22"], "--year harus tahun 1900–2100, tertulis 22"),
        (["report", "--year", "3000"], "--year harus tahun 1900–2100, tertulis 3000"),
        (["reconcile", "--year", "0", "--published", "{inputs}"], "--year harus tahun 1900–2100, tertulis 0"),
        (["sample", "--year", "1800", "--out", "{inputs}/s"], "--year harus tahun 1900–2100, tertulis 1800"),
        (["inbox", "--year", "2022"], "Berikan --year dan --month bersama-sama"),
        (["inbox", "--year", "2022", "--month", "13"], "--month harus bulan 1–12, tertulis 13"),
        (["report", "--year", "2022", "--as-of", "kemarin"], "--as-of tidak dapat dibaca: 'kemarin'"),
        (["report", "--year", "2022", "--as-of", "2023-02-30"], "--as-of tidak dapat dibaca: '2023-02-30'"),
        (["report", "--year", "2022", "--format", "rtf,csv"], "--format tidak dikenal: rtf (pilih dari"),
    ],
)
def test_options_out_of_range_are_refused_with_a_message(
    loaded: Path, inputs: Path, argv: list[str], message: str
):
    before, work_before = snapshot(inputs), snapshot(loaded)
    argv = [a.replace("{inputs}", str(inputs)) for a in argv]
    status, out, err = run(*argv, "--workdir", str(loaded))
    assert status == EXIT_USAGE, err
    assert message in err
    assert "Traceback" not in out + err
    assert snapshot(inputs) == before and snapshot(loaded) == work_before


def test_messages_in_english_with_lang_en(inputs: Path, tmp_path: Path):
    status, _, err = run("ingest", str(inputs), "--month", "13", "--lang", "en", "--workdir", str(tmp_path))
    assert status == EXIT_USAGE
    assert err.strip() == "--month must be a month 1–12, got 13"


def test_month_13_never_reaches_the_files(inputs: Path, tmp_path: Path):
    """The run used to go ahead and quarantine every file as being of the wrong month."""
    before = snapshot(inputs)
    status, _out, _err = run("ingest", str(inputs), "--month", "13", "--workdir", str(tmp_path / "w"))
    assert status == EXIT_USAGE
    assert snapshot(inputs) == before
    assert not (tmp_path / "w").exists()  # nothing written, not even the work folder


# -------------------------------------------------------------------------------------------------
# nothing to take, nothing to report


def test_ingest_of_an_empty_folder_says_no_workbook_was_found(tmp_path: Path):
    empty = tmp_path / "kosong"
    empty.mkdir()
    (empty / "catatan.txt").write_text("bukan workbook")
    status, _out, err = run("ingest", str(empty), "--workdir", str(tmp_path / "w"))
    assert status == EXIT_USAGE
    assert f"Tidak ada workbook (.xlsx, .xlsm, .xls, .ods) untuk dimuat di {empty}" in err


def test_ingest_of_a_missing_path_names_it(tmp_path: Path):
    status, _, err = run("ingest", str(tmp_path / "tidak-ada.xlsx"), "--workdir", str(tmp_path / "w"))
    assert status == EXIT_USAGE
    assert f"Tidak ditemukan: {tmp_path / 'tidak-ada.xlsx'}" in err


def test_report_of_an_opd_without_data(loaded: Path):
    status, _out, err = run("report", "--year", "2022", "--opd", "9.9.9", "--workdir", str(loaded))
    assert status == EXIT_REJECTED
    assert err.strip() == (
        f"Tidak ada data OPD 9.9.9 tahun 2022 di gudang data (OPD dengan data 2022: {OPD})"
    )
    assert not (loaded / "reports").exists()


def test_monthly_of_an_opd_without_data(loaded: Path):
    status, _, err = run(
        "monthly", "--year", "2022", "--month", "3", "--opd", "9.9.9", "--workdir", str(loaded)
    )
    assert status == EXIT_REJECTED
    assert "Tidak ada data OPD 9.9.9 tahun 2022" in err


def test_report_of_a_year_without_data(loaded: Path):
    status, _, err = run("report", "--year", "2021", "--workdir", str(loaded))
    assert status == EXIT_REJECTED
    assert err.strip() == "Belum ada data tahun 2021 di gudang data"


def test_report_as_of_before_the_first_load(loaded: Path):
    status, _out, err = run("report", "--year", "2022", "--as-of", "2020-01-01", "--workdir", str(loaded))
    assert status == EXIT_REJECTED
    assert (
        f"Tidak ada data OPD {OPD} tahun 2022 per 2020-01-01 23:59:59 +07:00: data tahun itu pertama dimuat "
        in err
    )
    assert err.rstrip().endswith("+07:00")  # the first load, in Jakarta time with its offset
    assert not (loaded / "reports").exists()  # no near-empty report folder


def test_consolidate_of_a_month_without_data(loaded: Path):
    status, _, err = run("consolidate", "--year", "2022", "--month", "4", "--workdir", str(loaded))
    assert status == EXIT_REJECTED
    assert err.strip() == "Belum ada data realisasi 04/2022 di gudang data"


def test_reconcile_against_an_empty_folder_finds_no_published_tables(loaded: Path, tmp_path: Path):
    empty = tmp_path / "terbitan"
    empty.mkdir()
    status, out, err = run("reconcile", "--year", "2022", "--published", str(empty), "--workdir", str(loaded))
    assert status == EXIT_USAGE
    assert f"Tidak ada tabel LKjIP terbitan (CSV) di {empty}" in err
    assert "Tidak ada perbedaan" not in out
    assert not list(loaded.rglob("rekonsiliasi_*.csv"))


def test_reconcile_published_must_be_a_folder(loaded: Path, inputs: Path):
    file = inputs / "realisasi_2022_03.xlsx"
    status, _, err = run("reconcile", "--year", "2022", "--published", str(file), "--workdir", str(loaded))
    assert status == EXIT_USAGE
    assert f"Bukan folder: {file}" in err


# -------------------------------------------------------------------------------------------------
# the warehouse


def _damaged_by_random_bytes(workdir: Path) -> Path:
    """A work folder whose sakip.db is 64 KiB of random bytes."""
    workdir.mkdir(parents=True)
    (workdir / "sakip.db").write_bytes(os.urandom(65536))
    return workdir


def _damaged_by_truncation(workdir: Path) -> Path:
    """The loaded warehouse cut to a third of its size (a copy interrupted, a disk that failed)."""
    database = workdir / "sakip.db"
    with sqlite3.connect(database) as conn:  # the whole database in the main file first
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    engine_for(f"sqlite:///{database.resolve()}").dispose()
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return workdir


@pytest.mark.parametrize("damage", ["random", "truncated"])
@pytest.mark.parametrize(
    "argv",
    [
        ["validations"],
        ["revisions"],
        ["report", "--year", "2022"],
        ["consolidate", "--year", "2022", "--month", "3"],
        ["ingest", "{inputs}"],
    ],
)
def test_a_damaged_warehouse_is_named_and_left_as_it_is(
    loaded: Path, inputs: Path, tmp_path: Path, damage: str, argv: list[str]
):
    workdir = (
        _damaged_by_random_bytes(tmp_path / "rusak") if damage == "random" else _damaged_by_truncation(loaded)
    )
    database = workdir / "sakip.db"
    before, inputs_before = database.read_bytes(), snapshot(inputs)
    argv = [a.replace("{inputs}", str(inputs)) for a in argv]
    status, out, err = run(*argv, "--workdir", str(workdir))
    assert status == EXIT_ENVIRONMENT
    assert f"Gudang data {database.resolve()} rusak atau bukan basis data SQLite" in err
    assert "Pulihkan dari cadangan" in err and "Traceback" not in out + err
    assert database.read_bytes() == before  # nothing was written into the damaged file
    assert snapshot(inputs) == inputs_before


def test_an_unreachable_database_server(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SAKIP_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/tidak_ada")
    status, _, err = run("validations", "--workdir", str(tmp_path))
    assert status == EXIT_ENVIRONMENT
    assert err.startswith("Gudang data tidak dapat dibuka (") and "SAKIP_DATABASE_URL" in err


# -------------------------------------------------------------------------------------------------
# the machine refuses: a read-only work folder, a full disk


def _refuse_writes_under(monkeypatch, folder: Path, code: int) -> None:
    """Make every file or folder creation under ``folder`` fail as the OS would (EROFS, ENOSPC ...).

    Tests run as root, for whom a chmod changes nothing, so the refusal is put where Python creates
    files: ``os.open`` with a create flag and ``os.mkdir``.
    """
    real_open, real_mkdir = os.open, os.mkdir
    inside = str(folder.resolve())

    def refused(path) -> bool:
        return os.path.abspath(os.fspath(path)).startswith(inside)

    def guarded_open(path, flags, *args, **kwargs):
        if flags & os.O_CREAT and refused(path):
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if refused(path):
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "{inputs}"],
        ["report", "--year", "2022"],
        ["monthly", "--year", "2022", "--month", "3"],
        ["consolidate", "--year", "2022", "--month", "3"],
        ["inbox", "--year", "2022", "--month", "3"],
        ["sample"],
    ],
)
def test_a_read_only_work_folder_is_named(loaded: Path, inputs: Path, monkeypatch, argv: list[str]):
    before, inputs_before = snapshot(loaded), snapshot(inputs)
    _refuse_writes_under(monkeypatch, loaded, errno.EROFS)
    argv = [a.replace("{inputs}", str(inputs)) for a in argv]
    status, out, err = run(*argv, "--workdir", str(loaded))
    assert status == EXIT_ENVIRONMENT
    assert f"Folder kerja {loaded} tidak dapat ditulisi (Read-only file system)" in err
    assert "--workdir atau SAKIP_WORKDIR" in err and "Traceback" not in out + err
    assert snapshot(loaded) == before and snapshot(inputs) == inputs_before


def test_a_new_work_folder_that_cannot_be_created(tmp_path: Path, inputs: Path, monkeypatch):
    _refuse_writes_under(monkeypatch, tmp_path / "baru", errno.EACCES)
    status, _, err = run("ingest", str(inputs), "--workdir", str(tmp_path / "baru"))
    assert status == EXIT_ENVIRONMENT
    assert f"Folder kerja {tmp_path / 'baru'} tidak dapat ditulisi (Permission denied)" in err


def test_a_read_only_out_folder_is_named(loaded: Path, tmp_path: Path, monkeypatch):
    _refuse_writes_under(monkeypatch, tmp_path / "keluar", errno.EROFS)
    status, _, err = run(
        "report", "--year", "2022", "--out", str(tmp_path / "keluar"), "--workdir", str(loaded)
    )
    assert status == EXIT_ENVIRONMENT
    assert f"Tidak dapat menulis {tmp_path / 'keluar'} (Read-only file system)" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "--year", "2022", "--out", "{file}"],
        ["monthly", "--year", "2022", "--month", "3", "--out", "{file}"],
        ["consolidate", "--year", "2022", "--month", "3", "--out", "{file}"],
        ["sample", "--out", "{file}"],
        ["ingest", "{file}", "--workdir", "{file}"],
    ],
)
def test_an_out_folder_that_is_a_file(loaded: Path, inputs: Path, argv: list[str]):
    file = inputs / "realisasi_2022_03.xlsx"
    before = snapshot(inputs)
    argv = [a.replace("{file}", str(file)) for a in argv]
    status, _, err = run(*argv, *([] if "--workdir" in argv else ["--workdir", str(loaded)]))
    assert status == EXIT_USAGE
    assert err.strip() == f"Bukan folder: {file}"
    assert snapshot(inputs) == before


def test_a_full_disk_before_anything_is_written(loaded: Path, inputs: Path, monkeypatch):
    before = snapshot(loaded)
    _refuse_writes_under(monkeypatch, loaded, errno.ENOSPC)
    status, _, err = run("ingest", str(inputs), "--workdir", str(loaded))
    assert status == EXIT_ENVIRONMENT
    assert (
        err.strip()
        == f"Disk penuh saat menulis {loaded}; kosongkan ruang disk lalu jalankan perintah ini lagi"
    )
    assert snapshot(loaded) == before


def test_disk_and_database_errors_are_explained():
    full = explain(OSError(errno.ENOSPC, "No space left on device", "/data/x.xlsx"))
    assert (full.rule, full.status, full.params["path"]) == ("disk.full", EXIT_ENVIRONMENT, "/data/x.xlsx")
    from sqlalchemy.exc import OperationalError

    sqlite_full = OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
    assert explain(sqlite_full, database="/w/sakip.db").rule == "disk.full"
    wrapped = RuntimeError("task failed")
    wrapped.__cause__ = OSError(errno.EROFS, "Read-only file system", "/w/gx/x.json")
    assert explain(wrapped).message() == (
        "Tidak dapat menulis /w/gx/x.json (Read-only file system): folder hanya-baca atau tanpa izin tulis"
    )
    assert explain(ValueError("something else")) is None


def test_a_temporary_server_that_does_not_start_is_one_message():
    from sakip.prefect_server import TemporaryServerError

    try:
        try:
            raise TimeoutError("no answer within 180 s")
        except TimeoutError as cause:
            raise TemporaryServerError("The temporary Prefect server did not start") from cause
    except TemporaryServerError as error:
        problem = explain(error)
    assert (problem.rule, problem.status) == ("prefect.server_start", EXIT_ENVIRONMENT)
    assert problem.message().startswith(
        "Server Prefect sementara tidak dapat dijalankan (no answer within 180 s)."
    )


# -------------------------------------------------------------------------------------------------
# settings


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SAKIP_WORKERS", "banyak", "bilangan bulat"),
        ("SAKIP_GX_KEEP_RESULTS", "-3", "bilangan bulat >= 0"),
        ("SAKIP_CAPAIAN_BOUND_PCT", "tiga ratus", "angka"),
    ],
)
def test_unusable_settings_are_named(loaded: Path, monkeypatch, variable: str, value: str, expected: str):
    monkeypatch.setenv(variable, value)
    status, _, err = run("validations", "--workdir", str(loaded))
    assert status == EXIT_USAGE
    assert err.strip() == f"Pengaturan {variable}='{value}' tidak dapat dipakai: {expected}"


def test_a_missing_opd_register_is_named_before_the_run(inputs: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SAKIP_OPD_REGISTER", str(tmp_path / "opd.csv"))
    status, _, err = run("ingest", str(inputs), "--workdir", str(tmp_path / "w"))
    assert status == EXIT_USAGE
    assert f"Pengaturan SAKIP_OPD_REGISTER='{tmp_path / 'opd.csv'}' tidak dapat dipakai" in err


def test_a_malformed_config_file_is_named_before_the_run(loaded: Path, tmp_path: Path, monkeypatch):
    config = tmp_path / "sakip.toml"
    config.write_text("[capaian]\nscale = 5\n", encoding="utf-8")
    monkeypatch.setenv("SAKIP_CONFIG", str(config))
    status, _, err = run("report", "--year", "2022", "--workdir", str(loaded))
    assert status == EXIT_USAGE
    assert "Berkas konfigurasi SAKIP_CONFIG tidak dapat dipakai" in err and "capaian.scale" in err
    assert not (loaded / "reports").exists()


# -------------------------------------------------------------------------------------------------
# the last resort


def test_an_unexpected_error_is_one_line_and_a_log(loaded: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("warehouse.queries.list_validation_runs", broken)
    status, _out, err = run("validations", "--workdir", str(loaded))
    log = loaded / "logs" / "sakip-errors.log"
    assert status == EXIT_INTERNAL
    assert err == f"Galat tak terduga (RuntimeError: boom). Rincian lengkap di {log}\n"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom" in text
    assert "+07:00" in text.splitlines()[0]


def test_command_errors_survive_pickling():
    """Prefect keeps a failed task's exception; it must come back whole."""
    import pickle

    problem = CommandError("report.no_data", EXIT_REJECTED, year=2022)
    again = pickle.loads(pickle.dumps(problem))
    assert (again.rule, again.status, again.message()) == (problem.rule, problem.status, problem.message())


@pytest.mark.parametrize("command", ["monitoring", "monthly"])
def test_monitoring_answers_to_its_name_and_to_its_older_one(loaded: Path, tmp_path: Path, command: str):
    """``sakip monitoring`` writes the monitoring; ``sakip monthly``, kept for scripts, is the same."""
    out_dir = tmp_path / command
    status, _, err = run(
        command, "--year", "2022", "--month", "3", "--out", str(out_dir), "--workdir", str(loaded)
    )
    assert status == 0, err
    assert (out_dir / "2022" / OPD / "monitoring_2022_03.xlsx").is_file()
    assert (out_dir / "2022" / OPD / "monitoring_2022_03.html").is_file()
    status, _, err = run(command, "--year", "2022", "--month", "4", "--workdir", str(loaded))
    assert status == EXIT_REJECTED and "Belum ada data realisasi 04/2022" in err
