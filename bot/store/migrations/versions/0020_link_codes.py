"""link codes: one-time codes from the platform, the verified owners they make, and failed guesses

Revision ID: 0020_link_codes
Revises: 0019_retention
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0020_link_codes"
down_revision = "0019_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("account_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("code_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["used_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_sha256"),
    )
    op.create_table(
        "verified_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("account_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("link_code_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["link_code_id"], ["link_codes.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "account_key", name="uq_verified_owner"),
    )
    op.create_index("ix_verified_owners_user_id", "verified_owners", ["user_id"], unique=False)
    op.create_index("ix_verified_owners_account_key", "verified_owners", ["account_key"], unique=False)
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_attempts_user_at", "link_attempts", ["user_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_link_attempts_user_at", table_name="link_attempts")
    op.drop_table("link_attempts")
    op.drop_index("ix_verified_owners_account_key", table_name="verified_owners")
    op.drop_index("ix_verified_owners_user_id", table_name="verified_owners")
    op.drop_table("verified_owners")
    op.drop_table("link_codes")
