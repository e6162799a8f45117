"""outbox: the message a row answers, for channels that show a message as a reply to another

Revision ID: 0010_outbox_reply_to
Revises: 0009_outbox_parts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_outbox_reply_to"
down_revision = "0009_outbox_parts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("reply_to")
