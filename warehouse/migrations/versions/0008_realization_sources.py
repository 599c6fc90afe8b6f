"""Realization per funding source: a sub kegiatan's month per sumber dana, from workbooks kept in
funding-source sections (``fact_realization_source``), written and replaced with the month's facts.

Downgrading drops the table (and the split by source; the sub kegiatan facts stay).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_RUPIAH = sa.Numeric(precision=18, scale=2, asdecimal=False)


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "fact_realization_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("budget_item_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("sumber_dana", sa.Text().with_variant(sa.String(length=200), "sqlite"), nullable=False),
        sa.Column("anggaran_rp", _RUPIAH, nullable=False),
        sa.Column("anggaran_kas_sd_bulan_ini_rp", _RUPIAH, nullable=True),
        sa.Column("realisasi_bulan_ini_rp", _RUPIAH, nullable=False),
        sa.Column("realisasi_sd_bulan_ini_rp", _RUPIAH, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_fact_realization_source_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["budget_item_id"],
            ["budget_item.id"],
            name=op.f("fk_fact_realization_source_budget_item_id_budget_item"),
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_realization_source_opd_id_opd")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_fact_realization_source_period_id_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_realization_source")),
        sa.UniqueConstraint(
            "opd_id",
            "period_id",
            "budget_item_id",
            "sumber_dana",
            name=op.f("uq_fact_realization_source_opd_id"),
        ),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("fact_realization_source")
