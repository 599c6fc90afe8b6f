"""Alembic environment: migrates the warehouse at the URL the caller configured."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context

from warehouse.db import warehouse_url
from warehouse.models import Base

config = context.config
target_metadata = Base.metadata
if not config.get_main_option("sqlalchemy.url"):  # the ``alembic`` command run by hand: this script is
    # its entry point, so it reads the two variables that name the warehouse (see sakip.config)
    workdir = Path(os.environ.get("SAKIP_WORKDIR") or "sakip-data")
    url = warehouse_url(os.environ.get("SAKIP_DATABASE_URL", ""), workdir)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))


def run_migrations_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over a connection given by the caller, or one made from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from warehouse.db import make_engine  # creates the SQLite file's folder, sets its pragmas

    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
