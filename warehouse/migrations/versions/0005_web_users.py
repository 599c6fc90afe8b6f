"""Users of the web application and what it keeps about them: accounts (steward or an OPD's
operator, password as an argon2 hash), signed-in sessions, sign-in attempts (to limit guessing) and
the uploads with each file's outcome.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "web_login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_login_attempt")),
    )
    with op.batch_alter_table("web_login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_login_attempt_attempted_at"), ["attempted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_login_attempt_client"), ["client"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_login_attempt_username"), ["username"], unique=False)

    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("opd_code", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("username", name=op.f("uq_web_user_username")),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_user.id"], name=op.f("fk_web_session_user_id_web_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.Text(), nullable=True),
        sa.Column("correction", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_user.id"], name=op.f("fk_web_upload_user_id_web_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_upload")),
        sa.UniqueConstraint("public_id", name=op.f("uq_web_upload_public_id")),
    )
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_upload_uploaded_at"), ["uploaded_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_upload_user_id"), ["user_id"], unique=False)

    op.create_table(
        "web_upload_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("stored_path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("opd_code", sa.Text(), nullable=False),
        sa.Column("agency_code", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("issues_json", sa.Text(), nullable=False),
        sa.Column("annotated_path", sa.Text(), nullable=False),
        sa.Column("data_docs_url", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["web_upload.id"],
            name=op.f("fk_web_upload_file_upload_id_web_upload"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_upload_file")),
        sa.UniqueConstraint("public_id", name=op.f("uq_web_upload_file_public_id")),
    )
    with op.batch_alter_table("web_upload_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_upload_file_agency_code"), ["agency_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_upload_file_upload_id"), ["upload_id"], unique=False)


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("web_upload_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_upload_file_upload_id"))
        batch_op.drop_index(batch_op.f("ix_web_upload_file_agency_code"))

    op.drop_table("web_upload_file")
    with op.batch_alter_table("web_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_upload_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_upload_uploaded_at"))

    op.drop_table("web_upload")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))

    op.drop_table("web_session")
    op.drop_table("web_user")
    with op.batch_alter_table("web_login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_login_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_web_login_attempt_client"))
        batch_op.drop_index(batch_op.f("ix_web_login_attempt_attempted_at"))

    op.drop_table("web_login_attempt")
