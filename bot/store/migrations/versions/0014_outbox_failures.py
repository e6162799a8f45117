"""outbox: how many attempts failed with no word from the platform on when to try again, for the backoff

Revision ID: 0014_outbox_failures
Revises: 0013_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_outbox_failures"
down_revision = "0013_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failures", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("failures")
