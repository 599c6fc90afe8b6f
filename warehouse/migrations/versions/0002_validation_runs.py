"""Validation runs: one row per Great Expectations suite run on one file, listed by
`sakip validations`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:14:22.838528
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "validation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("suite", sa.String(length=100), nullable=False),
        sa.Column("suite_version", sa.String(length=20), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("data_docs_url", sa.String(length=2000), nullable=False),
        sa.Column("opd_code", sa.String(length=40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_run")),
    )
    with op.batch_alter_table("validation_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_validation_run_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_validation_run_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("validation_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_validation_run_sha256"))
        batch_op.drop_index(batch_op.f("ix_validation_run_run_id"))

    op.drop_table("validation_run")
