"""Text columns whole: what users write (names, uraian, sumber dana, indicator texts, OPD and account
codes, file names) is stored at any length.

On PostgreSQL a ``VARCHAR(n)`` refused a longer value (and an explicit cast cut it without a word),
where SQLite kept it whole; these columns become ``TEXT``. SQLite never enforces a declared length,
so its tables stay as they are. Downgrading cuts longer values to the old lengths.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: table -> (column, its former VARCHAR length)
COLUMNS: dict[str, tuple[tuple[str, int], ...]] = {
    "opd": (("code", 40), ("name", 300)),
    "budget_item": (("name", 500),),
    "load_batch": (("file_name", 500), ("opd_code", 40)),
    "indicator": (("no", 20), ("uraian", 1000), ("indikator", 1000), ("satuan", 50), ("kode_program", 500)),
    "fact_realization": (("sumber_dana", 200),),
    "fact_realization_history": (("sumber_dana", 200),),
    "fact_realization_account": (("kode_rekening", 40), ("uraian", 500), ("sumber_dana", 200)),
    "validation_run": (("file_name", 500), ("data_docs_url", 2000), ("opd_code", 40)),
    "revision": (("opd_code", 40), ("old_file", 500), ("new_file", 500)),
}


def upgrade() -> None:
    """Apply this migration."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column, length in columns:
            op.alter_column(
                table, column, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=False
            )


def downgrade() -> None:
    """Revert this migration (values longer than the old lengths are cut to them)."""
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column, length in columns:
            op.alter_column(
                table,
                column,
                type_=sa.String(length),
                existing_type=sa.Text(),
                existing_nullable=False,
                postgresql_using=f"left({column}, {length})",
            )
