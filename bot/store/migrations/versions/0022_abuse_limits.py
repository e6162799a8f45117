"""abuse limits: each user's message window, and an index for counting an account's appeals

Revision ID: 0022_abuse_limits
Revises: 0021_scheduler_due_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0022_abuse_limits"
down_revision = "0021_scheduler_due_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_windows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("told", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_tickets_account_created", "tickets", ["account_key", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tickets_account_created", table_name="tickets")
    op.drop_table("message_windows")
