"""agent_prompts: the pending agent prompts of every channel, keyed by channel (were the Telegram adapter's own)

Revision ID: 0008_agent_prompts
Revises: 0007_inbox
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_agent_prompts"
down_revision = "0007_inbox"
branch_labels = None
depends_on = None

OLD = "telegram_agent_prompts"  # migration 0002's table: only Telegram kept prompts then
COLUMNS = "chat_id, message_id, ticket_id, step, draft"


def upgrade() -> None:
    op.create_table(
        "agent_prompts",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("channel", "chat_id", "message_id"),
    )
    op.create_index(op.f("ix_agent_prompts_ticket_id"), "agent_prompts", ["ticket_id"], unique=False)
    op.execute(f"INSERT INTO agent_prompts (channel, {COLUMNS}) SELECT 'telegram', {COLUMNS} FROM {OLD}")
    op.drop_index(op.f(f"ix_{OLD}_ticket_id"), table_name=OLD)
    op.drop_table(OLD)


def downgrade() -> None:
    op.create_table(
        OLD,
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    op.create_index(op.f(f"ix_{OLD}_ticket_id"), OLD, ["ticket_id"], unique=False)
    op.execute(f"INSERT INTO {OLD} ({COLUMNS}) SELECT {COLUMNS} FROM agent_prompts WHERE channel = 'telegram'")
    op.drop_index(op.f("ix_agent_prompts_ticket_id"), table_name="agent_prompts")
    op.drop_table("agent_prompts")
