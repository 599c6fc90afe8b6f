"""The schema comes from named, reversible migrations that match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.schema import CreateIndex

from warehouse import db
from warehouse.db import (
    alembic_config,
    database_revisions,
    downgrade_database,
    make_engine,
    open_warehouse,
    script_heads,
    upgrade_database,
)
from warehouse.models import CURRENT_BATCH_INDEX, Base, LoadBatch


def test_migrations_match_the_models(warehouse):
    with warehouse.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_migrations_downgrade_and_upgrade_again(warehouse):
    downgrade_database(warehouse, "base")
    assert set(inspect(warehouse).get_table_names()) <= {"alembic_version"}
    upgrade_database(warehouse)
    assert set(Base.metadata.tables) <= set(inspect(warehouse).get_table_names())


def test_the_cheap_head_is_alembic_s_own():
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script_heads() == frozenset(scripts.get_heads())


def test_migrations_run_only_when_the_warehouse_is_behind(warehouse, monkeypatch):
    url = warehouse.url.render_as_string(hide_password=False)
    heads = script_heads()
    upgrades: list[str] = []

    def counted(engine, revision="head"):
        upgrades.append(revision)
        upgrade_database(engine, revision)

    monkeypatch.setattr(db, "upgrade_database", counted)
    open_warehouse(url).dispose()  # at the head: nothing to do
    assert upgrades == []

    downgrade_database(warehouse, "-1")  # behind by one migration
    assert database_revisions(warehouse) and database_revisions(warehouse) != heads
    open_warehouse(url).dispose()
    assert upgrades == ["head"]
    assert database_revisions(warehouse) == heads


def test_the_models_do_not_import_the_postgresql_dialect():
    code = "import sys, warehouse.models; print('sqlalchemy.dialects.postgresql' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_postgresql_engine_gives_the_current_batch_index_its_predicate():
    engine = make_engine("postgresql+psycopg://sakip@127.0.0.1:1/none")  # no connection is made
    index = next(i for i in LoadBatch.__table__.indexes if i.name == CURRENT_BATCH_INDEX)
    ddl = str(CreateIndex(index).compile(dialect=engine.dialect))
    assert ddl.endswith("WHERE status = 'loaded'"), ddl
