"""Problems that stop a run: a stable rule and its message in Bahasa Indonesia or English.

Raised by the steps themselves (no data for the year asked, no published table to compare, a disk that
refused) as much as by the command line, so they live below both. A step says what kind of problem
it met by the class it raises (:class:`NoDataProblem`, :class:`UsageProblem`,
:class:`EnvironmentProblem`); the exit statuses a script acts on belong to the command line, which
maps these classes to them (:mod:`sakip.failures`).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator

from tasks.core.text import printable

#: Years a command accepts (the range the workbook reader accepts as a year).
YEAR_RANGE = (1900, 2100)
#: Months of a year.
MONTH_RANGE = (1, 12)

#: rule -> (Indonesian template, English template), ``str.format`` fields from the problem's params.
MESSAGES: dict[str, tuple[str, str]] = {
    "option.year": (
        "{option} harus tahun {low}–{high}, tertulis {value}",
        "{option} must be a year {low}–{high}, got {value}",
    ),
    "option.month": (
        "{option} harus bulan 1–12, tertulis {value}",
        "{option} must be a month 1–12, got {value}",
    ),
    "option.period_pair": (
        "Berikan --year dan --month bersama-sama (atau keduanya tidak sama sekali: bulan lalu)",
        "Give --year and --month together (or neither: last month)",
    ),
    "option.as_of": (
        "--as-of tidak dapat dibaca: '{value}' (tulis YYYY-MM-DD, atau tanggal-waktu ISO seperti "
        "2023-02-17T08:00; waktu Jakarta bila tanpa zona)",
        "--as-of cannot be read: '{value}' (write YYYY-MM-DD, or an ISO date-time such as "
        "2023-02-17T08:00; Jakarta time without a zone)",
    ),
    "option.formats": (
        "--format tidak dikenal: {unknown} (pilih dari {choices})",
        "unknown --format: {unknown} (choose from {choices})",
    ),
    "report.template": (
        "Templat laporan tidak dapat dipakai: {path}: {reason}",
        "The report template cannot be used: {path}: {reason}",
    ),
    "report.pdf_unavailable": (
        "PDF memerlukan LibreOffice Writer ({detail}): pasang paket libreoffice-writer dan python3-uno "
        "(Debian/Ubuntu: sudo apt-get install libreoffice-writer python3-uno), atau tunjuk program "
        "soffice dengan SAKIP_SOFFICE; tanpa PDF: --format xlsx,docx,html,csv",
        "A PDF needs LibreOffice Writer ({detail}): install the packages libreoffice-writer and "
        "python3-uno (Debian/Ubuntu: sudo apt-get install libreoffice-writer python3-uno), or name the "
        "soffice program in SAKIP_SOFFICE; without the PDF: --format xlsx,docx,html,csv",
    ),
    "input.not_found": ("Tidak ditemukan: {paths}", "Not found: {paths}"),
    "input.none_found": (
        "Tidak ada workbook (.xlsx, .xlsm, .xls, .ods) untuk dimuat di {paths}",
        "No workbook (.xlsx, .xlsm, .xls, .ods) to load in {paths}",
    ),
    "input.skipped": (
        "Dilewati {count} berkas di {folder}: folder keluaran sakip ({what}), bukan masukan",
        "Skipped {count} file(s) in {folder}: a folder sakip writes ({what}), not an input",
    ),
    "input.not_folder": ("Bukan folder: {path}", "Not a folder: {path}"),
    "report.no_data": (
        "Belum ada data tahun {year} di gudang data",
        "No data for {year} in the warehouse",
    ),
    "report.opd_no_data": (
        "Tidak ada data OPD {opd} tahun {year} di gudang data (OPD dengan data {year}: {known})",
        "No data of OPD {opd} for {year} in the warehouse (OPDs with {year} data: {known})",
    ),
    "report.no_data_as_of": (
        "Tidak ada data OPD {opd} tahun {year} per {moment}: data tahun itu pertama dimuat {first}",
        "No data of OPD {opd} for {year} as of {moment}: that year's data was first loaded {first}",
    ),
    "monthly.no_data": (
        "Belum ada data realisasi {period} di gudang data",
        "No realization data for {period} in the warehouse",
    ),
    "reconcile.choose_opd": (
        "Pilih satu OPD dengan --opd (data {year}: {known})",
        "Choose one OPD with --opd ({year} data: {known})",
    ),
    "reconcile.no_tables": (
        "Tidak ada tabel LKjIP terbitan (CSV) di {folder}: tidak ada berkas seperti {patterns}; "
        "tidak ada yang dapat dibandingkan",
        "No published LKjIP table (CSV) in {folder}: no file such as {patterns}; nothing to compare",
    ),
    "warehouse.damaged": (
        "Gudang data {where} rusak atau bukan basis data SQLite ({detail}). Pulihkan dari cadangan "
        "(README, Backups), atau pindahkan berkas itu dan muat ulang arsip (<workdir>/archive)",
        "The warehouse {where} is damaged or not an SQLite database ({detail}). Restore it from a backup "
        "(README, Backups), or move the file aside and load the archive (<workdir>/archive) again",
    ),
    "warehouse.unreachable": (
        "Gudang data tidak dapat dibuka ({detail}); periksa SAKIP_DATABASE_URL dan servernya",
        "The warehouse cannot be opened ({detail}); check SAKIP_DATABASE_URL and its server",
    ),
    "workdir.read_only": (
        "Folder kerja {path} tidak dapat ditulisi ({detail}); sakip menyimpan gudang data dan hasilnya "
        "di sana: pilih folder lain dengan --workdir atau SAKIP_WORKDIR",
        "The work folder {path} is not writable ({detail}); sakip keeps its warehouse and outputs "
        "there: choose another one with --workdir or SAKIP_WORKDIR",
    ),
    "folder.read_only": (
        "Tidak dapat menulis {path} ({detail}): folder hanya-baca atau tanpa izin tulis",
        "Cannot write {path} ({detail}): the folder is read-only or not writable",
    ),
    "disk.full": (
        "Disk penuh saat menulis {path}; kosongkan ruang disk lalu jalankan perintah ini lagi",
        "The disk is full (writing {path}); free some space and run the command again",
    ),
    "write.failed": (
        "Tidak dapat menulis {path}: {detail}",
        "Cannot write {path}: {detail}",
    ),
    "settings.invalid": (
        "Pengaturan {name}='{value}' tidak dapat dipakai: {expected}",
        "Setting {name}='{value}' cannot be used: {expected}",
    ),
    "settings.config": (
        "Berkas konfigurasi SAKIP_CONFIG tidak dapat dipakai: {detail}",
        "The SAKIP_CONFIG file cannot be used: {detail}",
    ),
    "prefect.server_start": (
        "Server Prefect sementara tidak dapat dijalankan ({detail}). Pada mesin yang lambat naikkan "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, atau jalankan server tetap "
        "(`prefect server start`) dan isi PREFECT_API_URL",
        "The temporary Prefect server could not be started ({detail}). On a slow machine raise "
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run a lasting server (`prefect server start`) "
        "and set PREFECT_API_URL",
    ),
    "server.port_taken": (
        "Port {port} sudah dipakai program lain; pilih port lain dengan PREFECT_SERVER_API_PORT",
        "Port {port} is already used by another program; choose another with PREFECT_SERVER_API_PORT",
    ),
    "server.port_invalid": (
        "PREFECT_SERVER_API_PORT harus nomor port 1–65535, tertulis {value}",
        "PREFECT_SERVER_API_PORT must be a port number 1–65535, got {value}",
    ),
    "server.not_started": (
        "Server Prefect tidak menjawab dalam {seconds} detik dan dihentikan. Catatan di {log}:\n{tail}",
        "The Prefect server did not answer within {seconds} s and was stopped. Its log, {log}:\n{tail}",
    ),
    "server.no_deployments": (
        "--worker memerlukan {path} (folder sumber sakip)",
        "--worker needs {path} (the sakip source folder)",
    ),
    "server.worker_failed": (
        "Worker Prefect tidak dapat disiapkan (server tetap berjalan). Catatan di {log}:\n{tail}",
        "The Prefect worker could not be set up (the server keeps running). Its log, {log}:\n{tail}",
    ),
    "internal": (
        "Galat tak terduga ({detail}). Rincian lengkap di {log}",
        "Unexpected error ({detail}). Full details in {log}",
    ),
}


class Problem(Exception):
    """A problem that stops a run: a stable rule and its parameters (the words are in :data:`MESSAGES`)."""

    def __init__(self, rule: str, **params: object):
        self.rule = rule
        self.params = params
        super().__init__(self.message("en"))

    def __reduce__(self):
        """Pickle by class, rule and parameters (Prefect stores a failed task's exception)."""
        return (_rebuild, (type(self), self.rule, self.params))

    def message(self, lang: str = "id") -> str:
        """The problem in words, in ``lang`` (Bahasa Indonesia unless ``"en"``)."""
        templates = MESSAGES.get(self.rule, ("{rule}", "{rule}"))
        params = dict(self.params)
        if lang == "en":  # a parameter may carry its own English text as ``<name>_en``
            params.update({k[:-3]: v for k, v in self.params.items() if k.endswith("_en")})
        params = {k: printable(v) if isinstance(v, str) else v for k, v in params.items()}
        try:
            return templates[1 if lang == "en" else 0].format(rule=self.rule, **params)
        except (KeyError, IndexError):
            return f"{self.rule} {params}"


class NoDataProblem(Problem):
    """What was asked for is not there: no data for the year, the OPD or the moment."""


class UsageProblem(Problem):
    """Something given cannot be used: an option, a path, a setting, a folder of published tables."""


class EnvironmentProblem(Problem):
    """The machine refused: disk full, folder read-only, warehouse damaged or unreachable."""


def _rebuild(kind: type[Problem], rule: str, params: dict[str, object]) -> Problem:
    """A :class:`Problem` back from its pickled parts."""
    return kind(rule, **params)


def os_reason(error: OSError) -> str:
    """The operating system's words for an error (``Read-only file system``), without the path."""
    return error.strerror or type(error).__name__


def error_chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it was raised from or during, and a database error's driver error."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [getattr(current, "orig", None), current.__cause__, current.__context__]


_DAMAGED = ("file is not a database", "database disk image is malformed", "file is encrypted")


_FULL = ("database or disk is full", "no space left on device", "disk full")


_READ_ONLY = ("attempt to write a readonly database", "readonly database", "read-only file system")


def explain_cause(cause: BaseException, database: str = "") -> Problem | None:
    """The problem one error (not its causes) stands for: disk, folder or SQLite warehouse; else None."""
    if isinstance(cause, Problem):
        return cause
    if isinstance(cause, OSError) and not isinstance(cause, ConnectionError):
        path = cause.filename or ""
        if cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return EnvironmentProblem("disk.full", path=str(path))
        if cause.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return EnvironmentProblem("folder.read_only", path=str(path), detail=os_reason(cause))
    if isinstance(cause, sqlite3.Error):
        text = str(cause).lower()
        where = database or "(SQLite)"
        if any(marker in text for marker in _DAMAGED):
            return EnvironmentProblem("warehouse.damaged", where=where, detail=str(cause))
        if any(marker in text for marker in _FULL):
            return EnvironmentProblem("disk.full", path=where)
        if any(marker in text for marker in _READ_ONLY):
            return EnvironmentProblem("folder.read_only", path=where, detail=str(cause))
        if "unable to open database file" in text:
            return EnvironmentProblem("warehouse.unreachable", detail=f"{where}: {cause}")
    return None


def explain_environment(error: BaseException, *, database: str = "") -> Problem | None:
    """The problem a person can act on behind ``error`` (disk, folder, warehouse), or None."""
    for cause in error_chain(error):
        problem = explain_cause(cause, database)
        if problem is not None:
            return problem
    return explain_connection(error)


def explain_connection(error: BaseException) -> Problem | None:
    """A PostgreSQL server that cannot be reached (refused, unknown host, authentication)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    for cause in error_chain(error):
        if isinstance(cause, OperationalError | InterfaceError) and "sqlite" not in str(cause).lower():
            first = str(getattr(cause, "orig", cause)).strip().splitlines()
            return EnvironmentProblem(
                "warehouse.unreachable", detail=first[0] if first else type(cause).__name__
            )
    return None
