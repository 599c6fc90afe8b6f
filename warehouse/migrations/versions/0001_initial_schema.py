"""Initial schema: agency, budget hierarchy, period and indicator dimensions, realization,
budget and indicator facts, and the load-batch record.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 02:53:53.760325
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "budget_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("parent_code", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_item")),
        sa.UniqueConstraint("code", name=op.f("uq_budget_item_code")),
    )
    op.create_table(
        "load_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("opd_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message", sa.String(length=4000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_batch")),
    )
    with op.batch_alter_table("load_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_load_batch_sha256"), ["sha256"], unique=False)

    op.create_table(
        "opd",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opd")),
        sa.UniqueConstraint("code", name=op.f("uq_opd_code")),
    )
    op.create_table(
        "period",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period")),
        sa.UniqueConstraint("year", "month", name=op.f("uq_period_year")),
    )
    op.create_table(
        "fact_budget",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("budget_item_id", sa.Integer(), nullable=False),
        sa.Column("anggaran_murni_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
        sa.Column(
            "anggaran_perubahan_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column("as_of_month", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_item_id"], ["budget_item.id"], name=op.f("fk_fact_budget_budget_item_id_budget_item")
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_budget_opd_id_opd")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_budget")),
        sa.UniqueConstraint("opd_id", "year", "budget_item_id", name=op.f("uq_fact_budget_opd_id")),
    )
    op.create_table(
        "fact_realization",
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
            ["batch_id"], ["load_batch.id"], name=op.f("fk_fact_realization_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["budget_item_id"],
            ["budget_item.id"],
            name=op.f("fk_fact_realization_budget_item_id_budget_item"),
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_realization_opd_id_opd")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_fact_realization_period_id_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_realization")),
        sa.UniqueConstraint("opd_id", "period_id", "budget_item_id", name=op.f("uq_fact_realization_opd_id")),
    )
    op.create_table(
        "fact_realization_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("budget_item_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kode_rekening", sa.String(length=40), nullable=False),
        sa.Column("uraian", sa.String(length=500), nullable=False),
        sa.Column("sumber_dana", sa.String(length=200), nullable=False),
        sa.Column("anggaran_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False),
        sa.Column(
            "realisasi_bulan_ini_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False
        ),
        sa.Column(
            "realisasi_sd_bulan_ini_rp", sa.Numeric(precision=18, scale=2, asdecimal=False), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_fact_realization_account_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(
            ["budget_item_id"],
            ["budget_item.id"],
            name=op.f("fk_fact_realization_account_budget_item_id_budget_item"),
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_fact_realization_account_opd_id_opd")),
        sa.ForeignKeyConstraint(
            ["period_id"], ["period.id"], name=op.f("fk_fact_realization_account_period_id_period")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_realization_account")),
        sa.UniqueConstraint(
            "opd_id",
            "period_id",
            "budget_item_id",
            "kode_rekening",
            name=op.f("uq_fact_realization_account_opd_id"),
        ),
    )
    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opd_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("jenis", sa.String(length=20), nullable=False),
        sa.Column("no", sa.String(length=20), nullable=False),
        sa.Column("uraian", sa.String(length=1000), nullable=False),
        sa.Column("indikator", sa.String(length=1000), nullable=False),
        sa.Column("satuan", sa.String(length=50), nullable=False),
        sa.Column("arah", sa.String(length=10), nullable=False),
        sa.Column("rumus_capaian", sa.String(length=10), nullable=False),
        sa.Column("kode_program", sa.String(length=500), nullable=False),
        sa.Column("data_awal", sa.Float(), nullable=True),
        sa.Column("target_akhir_renstra", sa.Float(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["load_batch.id"], name=op.f("fk_indicator_batch_id_load_batch")
        ),
        sa.ForeignKeyConstraint(["opd_id"], ["opd.id"], name=op.f("fk_indicator_opd_id_opd")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
        sa.UniqueConstraint("opd_id", "year", "jenis", "no", name=op.f("uq_indicator_opd_id")),
    )
    op.create_table(
        "fact_indicator_realization",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("realisasi", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_fact_indicator_realization_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_indicator_realization")),
        sa.UniqueConstraint(
            "indicator_id", "tahun", "triwulan", name=op.f("uq_fact_indicator_realization_indicator_id")
        ),
    )
    op.create_table(
        "fact_indicator_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_fact_indicator_target_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_indicator_target")),
        sa.UniqueConstraint("indicator_id", "tahun", name=op.f("uq_fact_indicator_target_indicator_id")),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("fact_indicator_target")
    op.drop_table("fact_indicator_realization")
    op.drop_table("indicator")
    op.drop_table("fact_realization_account")
    op.drop_table("fact_realization")
    op.drop_table("fact_budget")
    op.drop_table("period")
    op.drop_table("opd")
    with op.batch_alter_table("load_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_load_batch_sha256"))

    op.drop_table("load_batch")
    op.drop_table("budget_item")
