"""Indicator texts: the optional columns of the indicator workbook kept with each indicator, for the
IKU table (definisi operasional, formula, penanggung jawab, sumber data: Tabel 2.2) and the analysis
of success and failure (analisis penyebab, solusi: Tabel 3.3).

Existing indicators get empty texts. Downgrading drops the columns (and their texts).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: the new text columns of ``indicator``, in table order
COLUMNS: tuple[str, ...] = (
    "definisi_operasional",
    "formula",
    "penanggung_jawab",
    "sumber_data",
    "analisis_penyebab",
    "solusi",
)


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
