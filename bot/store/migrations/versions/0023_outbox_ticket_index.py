"""outbox: an index for a ticket's messages by template and status (a status update still waiting to go out)

Revision ID: 0023_outbox_ticket_index
Revises: 0022_abuse_limits
"""

from __future__ import annotations

from alembic import op

revision = "0023_outbox_ticket_index"
down_revision = "0022_abuse_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_ticket", "outbox", ["ticket_id", "template", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_ticket", table_name="outbox")
