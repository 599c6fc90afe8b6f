"""Corrections: superseded realization rows, revision records with row-level diffs, every indicator
version kept, and at most one current batch per OPD-month (a partial unique index).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 03:25:17.591590
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "fact_realization_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("budget_item_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("anggaran_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
        sa.Column("anggaran_murni_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True),
        sa.Column(
            "realisasi_bulan_ini_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column(
            "realisasi_sd_bulan_ini_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column(
            "anggaran_kas_sd_bulan_ini_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True
        ),
        sa.Column("fisik_pct", sa.Float(), nullable=True),
        sa.Column("sumber_dana", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_fact_realization_history_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["budget_item_id"],
            ["budget_item.id"],
            name=op.f("fk_fact_realization_history_budget_item_id_budget_item"),
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_realization_history_opd_id_opd")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_fact_realization_history_period_id_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_realization_history")),
        sa.UniqueConstraint("batch_id", "budget_item_id", name=op.f("uq_fact_realization_history_batch_id")),
    )
    with op.batch_alter_table("fact_realization_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fact_realization_history_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("old_batch_id", sa.Integer(), nullable=False),
        sa.Column("new_batch_id", sa.Integer(), nullable=False),
        sa.Column("old_file", sa.String(length=500), nullable=False),
        sa.Column("new_file", sa.String(length=500), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["new_batch_id"], ["load_batch.id"], name=op.f("fk_revision_new_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["old_batch_id"], ["load_batch.id"], name=op.f("fk_revision_old_batch_id_load_batch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.create_table(
        "revision_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("kode", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True),
        sa.Column("new_value", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_revision_line_revision_id_revision"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision_line")),
    )
    with op.batch_alter_table("revision_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_line_revision_id"), ["revision_id"], unique=False)

    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_indicator_opd_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_indicator_batch_id"), ["batch_id", "jenis", "no"])

    with op.batch_alter_table("load_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("loaded_by", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_load_batch_current",
        "load_batch",
        ["kind", "opd_code", "year", sa.text("coalesce(month, 0)")],
        unique=True,
        sqlite_where=sa.text("status = 'loaded'"),
        postgresql_where=sa.text("status = 'loaded'"),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_index("uq_load_batch_current", table_name="load_batch")
    with op.batch_alter_table("load_batch", schema=None) as batch_op:
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("loaded_by")

    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_indicator_batch_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_indicator_opd_id"), ["opd_id", "year", "jenis", "no"]
        )

    with op.batch_alter_table("revision_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_line_revision_id"))

    op.drop_table("revision_line")
    op.drop_table("revision")
    with op.batch_alter_table("fact_realization_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fact_realization_history_batch_id"))

    op.drop_table("fact_realization_history")
