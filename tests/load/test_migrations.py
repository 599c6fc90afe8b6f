"""The schema comes from named, reversible migrations that match the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from warehouse.db import downgrade_database, upgrade_database
from warehouse.models import Base


def test_migrations_match_the_models(warehouse):
    with warehouse.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_migrations_downgrade_and_upgrade_again(warehouse):
    downgrade_database(warehouse, "base")
    assert set(inspect(warehouse).get_table_names()) <= {"alembic_version"}
    upgrade_database(warehouse)
    assert set(Base.metadata.tables) <= set(inspect(warehouse).get_table_names())
