"""Web uploads as jobs: an upload waits ``queued`` until a worker claims it (``claimed_by``,
``started_at``) and keeps a heartbeat (``heartbeat_at``) while its flow runs; one upload waiting or
running per user (a partial unique index, on SQLite and PostgreSQL alike); and whether an uploaded
file is still kept on disk (``web_upload_file.kept``, false once the retention period removed it).

Existing uploads keep their status; their files count as kept. Downgrading drops the columns and the
index (an upload still ``queued`` stays so, and nothing processes it).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: the statuses of an upload not yet finished: one per user at a time
ACTIVE = "status IN ('queued', 'processing')"


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_web_upload_status"), ["status"], unique=False)
    op.create_index(
        "uq_web_upload_active_user",
        "web_upload",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )
    with op.batch_alter_table("web_upload_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kept", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("web_upload_file", schema=None) as batch_op:
        batch_op.drop_column("kept")
    op.drop_index("uq_web_upload_active_user", table_name="web_upload")
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_upload_status"))
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("claimed_by")
