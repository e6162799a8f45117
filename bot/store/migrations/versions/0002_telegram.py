"""telegram: what the bot waits for in the agents' group (ForceReply prompts, resolution drafts)

Revision ID: 0002_telegram
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_telegram"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "telegram_agent_prompts",
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    with op.batch_alter_table("telegram_agent_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_agent_prompts_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_agent_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_agent_prompts_ticket_id"))
    op.drop_table("telegram_agent_prompts")
