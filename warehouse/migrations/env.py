"""Alembic environment: migrates the warehouse at the URL the caller put in Alembic's configuration
(``sqlalchemy.url``: sakip's own callers, :func:`warehouse.db.alembic_config`) or gave with
``alembic -x url=...``.

Only the bare ``alembic`` command with neither has no caller to hand the URL down: for it alone this
script reads the two variables that name the configured warehouse, as the settings
(:mod:`tasks.settings`) read them, so ``alembic -c warehouse/alembic.ini upgrade head`` migrates the
warehouse the commands use.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context

from warehouse.db import warehouse_url
from warehouse.models import Base

config = context.config
target_metadata = Base.metadata
if not config.get_main_option("sqlalchemy.url"):
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:  # the bare ``alembic`` command: the warehouse the environment names
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
