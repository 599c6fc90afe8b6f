"""Engines, migrations and transactions for the warehouse (SQLite by default, any SQLAlchemy URL)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

#: The Alembic settings (script location); shipped with the package, usable with the ``alembic`` command.
ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
#: The migration scripts (``revision`` and ``down_revision`` of each are read without importing Alembic).
VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", re.MULTILINE)


def warehouse_url(database_url: str, workdir: Path) -> str:
    """The SQLAlchemy URL of the warehouse: the one configured, else SQLite ``sakip.db`` in the workdir."""
    if database_url:
        return database_url
    return f"sqlite:///{(Path(workdir) / 'sakip.db').resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL journal and a busy timeout so parallel writers wait instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_manual_transactions(dbapi_connection, _record) -> None:
    """Let SQLAlchemy, not the driver, open SQLite transactions (so writers can take the lock first)."""
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn) -> None:
    """BEGIN IMMEDIATE for write transactions (the database write lock, taken up front), else BEGIN."""
    immediate = conn.get_execution_options().get("write_lock", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for the warehouse URL; the SQLite file's folder is created when missing.

    On PostgreSQL the models get their PostgreSQL-only options (a partial index's predicate).
    """
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        from warehouse.models import declare_postgresql_options

        declare_postgresql_options()
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _sqlite_manual_transactions)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextmanager
def write_transaction(
    engine: Engine, lock_key: str, extra_lock_keys: Sequence[str] = ()
) -> Iterator[Connection]:
    """One write transaction holding the locks of ``lock_key`` and ``extra_lock_keys`` until it ends.

    PostgreSQL: transaction-level advisory locks on the keys (e.g. an OPD-month and the OPD-year whose
    budget the load rewrites), all taken up front, in one statement, in one global order, so two
    writers never wait on each other crosswise; writers of other keys run in parallel. SQLite:
    ``BEGIN IMMEDIATE``, the database's single write lock.
    """
    with engine.connect() as plain:
        conn = plain.execution_options(write_lock=True)
        with conn.begin():
            if engine.dialect.name == "postgresql":
                numbers = sorted({advisory_lock_number(key) for key in (lock_key, *extra_lock_keys)})
                conn.execute(
                    text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"),
                    {"keys": numbers},
                )
            yield conn


def advisory_lock_number(key: str) -> int:
    """The 64-bit PostgreSQL advisory-lock number of a lock key (the first 8 bytes of its sha256)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big", signed=True)


def alembic_config(url: str) -> Config:
    """The Alembic configuration of ``alembic.ini`` (the project's migrations) with the given URL."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` on the engine's database."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade_database(engine: Engine, revision: str = "base") -> None:
    """Revert migrations down to ``revision``."""
    from alembic import command

    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@cache
def script_heads(versions: Path = VERSIONS) -> frozenset[str]:
    """The head revisions of the migration scripts: those no other script names as its ``down_revision``.

    Read from the scripts' text (their ``revision = "..."`` and ``down_revision = ...`` lines), so
    knowing whether a warehouse is up to date costs neither Alembic's import nor its script loading.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in versions.glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return frozenset(revisions - parents)


def database_revisions(engine: Engine) -> frozenset[str]:
    """The revisions recorded in the warehouse's ``alembic_version`` table (empty for a new database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return frozenset()
        return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def is_up_to_date(engine: Engine) -> bool:
    """Whether the warehouse's schema is at the head of the migration scripts."""
    heads = script_heads()
    return bool(heads) and database_revisions(engine) == heads


def open_warehouse(url: str) -> Engine:
    """An engine on a warehouse migrated to the newest schema (migrations run only when it is behind)."""
    engine = make_engine(url)
    if not is_up_to_date(engine):
        upgrade_database(engine)
    return engine


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One shared engine per URL in this process (engines pool their connections)."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]
