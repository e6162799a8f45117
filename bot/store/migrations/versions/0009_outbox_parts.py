"""outbox: how many parts of a long message are out, and whether it is retried as plain text

Revision ID: 0009_outbox_parts
Revises: 0008_agent_prompts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_outbox_parts"
down_revision = "0008_agent_prompts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("as_plain_text", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("as_plain_text")
        batch_op.drop_column("parts_sent")
