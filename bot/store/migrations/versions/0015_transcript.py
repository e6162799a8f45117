"""transcript: the messages of chats whose history no platform keeps (the web chat)

Revision ID: 0015_transcript
Revises: 0014_outbox_failures
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015_transcript"
down_revision = "0014_outbox_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("chat_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat_id", "key", name="uq_transcript_key"),
    )
    op.create_index("ix_transcript_chat", "transcript", ["channel", "chat_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_transcript_chat", table_name="transcript")
    op.drop_table("transcript")
