"""Shared test harness: warehouses (SQLite and the local PostgreSQL), the 2022 sample, Prefect."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text

from sakip.prefect_server import apply_prefect_defaults
from tests.fixtures.clock import SetClock, install
from tests.fixtures.paths import POSTGRES_SERVER_URL
from warehouse.db import open_warehouse

# Each test process (every pytest-xdist worker) gets a Prefect home of its own, before prefect is
# imported: the workers' servers, locks and results never meet, nor the user's ~/.prefect profile.
# Hypothesis keeps its caches there too, rather than in .hypothesis/ in the repository.
_PROCESS_HOME = tempfile.mkdtemp(prefix="sakip-test-")
atexit.register(shutil.rmtree, _PROCESS_HOME, ignore_errors=True)
os.environ["PREFECT_HOME"] = os.path.join(_PROCESS_HOME, "prefect")
os.mkdir(os.environ["PREFECT_HOME"])
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(_PROCESS_HOME, "hypothesis")
apply_prefect_defaults()  # as the command line does: before prefect is imported, the tests' server quiet

# Property tests: the same examples on every run (derandomized, no example database written into the
# tree), few enough that the suite stays fast, and no per-example deadline, which a loaded machine would
# turn into flaky failures. HYPOTHESIS_PROFILE=explore searches longer and at random, to look for bugs.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("explore", max_examples=2000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SetClock:
    """The time every step reads, standing still at a fixed moment until the test advances it."""
    fake = SetClock()
    install(monkeypatch, fake)
    return fake


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL on a fresh schema of the local PostgreSQL, dropped at the end of the session."""
    schema = f"sakip_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_SERVER_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_SERVER_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated warehouse on SQLite and on PostgreSQL (one schema per test)."""
    if request.param == "sqlite":
        engine = open_warehouse(f"sqlite:///{tmp_path / 'sakip.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"sakip_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_SERVER_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_warehouse(f"{POSTGRES_SERVER_URL}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def sample_2022(tmp_path_factory: pytest.TempPathFactory):
    """The 2022 sample workbooks, generated once per session."""
    from sakip.sample import write_sample

    return write_sample(tmp_path_factory.mktemp("sample") / "2022", 2022)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server for the flows of this session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
