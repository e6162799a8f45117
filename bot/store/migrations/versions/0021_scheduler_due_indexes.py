"""scheduler due indexes: the scheduler reads only what is due, so these keep a run's cost to that

Revision ID: 0021_scheduler_due_indexes
Revises: 0020_link_codes
"""

from __future__ import annotations

from alembic import op

revision = "0021_scheduler_due_indexes"
down_revision = "0020_link_codes"
branch_labels = None
depends_on = None

TICKETS = {
    "ix_tickets_status_first_response_due": ["status", "first_response_due"],
    "ix_tickets_status_resolution_due": ["status", "resolution_due"],
    "ix_tickets_status_last_user_update_at": ["status", "last_user_update_at"],
}


def upgrade() -> None:
    for name, columns in TICKETS.items():
        op.create_index(name, "tickets", columns)
    op.create_index("ix_conversations_mode_updated_at", "conversations", ["mode", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_conversations_mode_updated_at", table_name="conversations")
    for name in TICKETS:
        op.drop_index(name, table_name="tickets")
