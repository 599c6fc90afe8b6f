"""Office texts: ``indicator_narrative``, the paragraphs an office writes for its report in the
indicator workbook's sheet ``Narasi``, kept with the workbook's load batch; and the indicator's
optional texts of the analysis of capaian (faktor pendukung, faktor penghambat) and of a program's
unspent budget (keterangan SILPA).

Existing indicators get empty texts. Downgrading drops the table and the columns (and their texts).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: the new text columns of ``indicator``, in table order
COLUMNS: tuple[str, ...] = ("faktor_pendukung", "faktor_penghambat", "keterangan_silpa")


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), server_default="", nullable=False))
    op.create_table(
        "indicator_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("bagian", sa.String(length=20), nullable=False),
        sa.Column("teks", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_indicator_narrative_batch_id_load_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_narrative")),
        sa.UniqueConstraint("batch_id", "position", name=op.f("uq_indicator_narrative_batch_id")),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("indicator_narrative")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
