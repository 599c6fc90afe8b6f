"""OPD government: the government's line of the OPD's workbooks (``PEMERINTAH KOTA SEMARANG``), kept
per OPD so the report's titles name the OPD as the document does ("... Kota Semarang Tahun 2022").

Existing OPDs get an empty line until a workbook that carries one is loaded. Downgrading drops the
column (and the lines).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("opd", schema=None) as batch_op:
        batch_op.add_column(sa.Column("government", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("opd", schema=None) as batch_op:
        batch_op.drop_column("government")
