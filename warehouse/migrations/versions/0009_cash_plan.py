"""Cash plan: ``fact_cash_plan``, the planned disbursement (anggaran kas / RAK) of each sub kegiatan
per month, loaded from an OPD's anggaran kas workbook and replaced whole by its next version.

The monitoring takes a month's plan to date from it when the month's realization workbook had no
``Anggaran Kas s.d. Bulan Ini`` column. Downgrading drops the table (and the plans).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "fact_cash_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("budget_item_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("rencana_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_fact_cash_plan_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["budget_item_id"], ["budget_item.id"], name=op.f("fk_fact_cash_plan_budget_item_id_budget_item")
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_cash_plan_opd_id_opd")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_cash_plan")),
        sa.UniqueConstraint(
            "opd_id", "year", "budget_item_id", "month", name=op.f("uq_fact_cash_plan_opd_id")
        ),
    )
    with op.batch_alter_table("fact_cash_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_cash_plan_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("fact_cash_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_cash_plan_batch_id"))
    op.drop_table("fact_cash_plan")
