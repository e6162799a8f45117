"""inbox: platform updates kept before they are acknowledged, until handled

Revision ID: 0007_inbox
Revises: 0006_kb_vectors
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_inbox"
down_revision = "0006_kb_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("update_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("handled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "update_id", name="uq_inbox_update"),
    )


def downgrade() -> None:
    op.drop_table("inbox")
