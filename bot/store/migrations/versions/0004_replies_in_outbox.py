"""replies in the outbox: the message a reply edits in place, and what answer it expects

Revision ID: 0004_replies_in_outbox
Revises: 0003_outbox_chat_order
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_replies_in_outbox"
down_revision = "0003_outbox_chat_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edit_message_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("expects", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("expects")
        batch_op.drop_column("edit_message_id")
