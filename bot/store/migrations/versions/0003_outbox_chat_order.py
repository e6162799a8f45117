"""outbox: an index to find a chat's earlier pending rows, so each chat is delivered in order

Revision ID: 0003_outbox_chat_order
Revises: 0002_telegram
"""

from __future__ import annotations

from alembic import op

revision = "0003_outbox_chat_order"
down_revision = "0002_telegram"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_chat_order", ["channel", "chat_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_chat_order")
