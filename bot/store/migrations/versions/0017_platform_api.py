"""platform API: its audit trail, the first results of idempotent writes, and the platform's account actions

Revision ID: 0017_platform_api
Revises: 0016_api_keys
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017_platform_api"
down_revision = "0016_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_api_calls_key_name", "api_calls", ["key_name"], unique=False)
    op.create_table(
        "api_idempotency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_name", "idempotency_key", name="uq_api_idempotency_key"),
    )
    op.create_table(
        "account_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("account_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason_category", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("rule_entries", sa.JSON(), nullable=False),
        sa.Column("public_explanation", sa.Text(), nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=True),
        sa.Column("acting_staff", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("chat_identity", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("user_told", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_actions_account_key", "account_actions", ["account_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_account_actions_account_key", table_name="account_actions")
    op.drop_table("account_actions")
    op.drop_table("api_idempotency")
    op.drop_index("ix_api_calls_key_name", table_name="api_calls")
    op.drop_table("api_calls")
