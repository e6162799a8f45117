"""waiting for the user: when the response clock was paused, and when the user was reminded

Revision ID: 0005_waiting_for_user
Revises: 0004_replies_in_outbox
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_waiting_for_user"
down_revision = "0004_replies_in_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("waiting_reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # tickets already waiting start their pause now, so they get their reminder and their clock back
    op.execute("UPDATE tickets SET waiting_since = CURRENT_TIMESTAMP WHERE status = 'awaiting_user'")


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("waiting_reminded_at")
        batch_op.drop_column("waiting_since")
