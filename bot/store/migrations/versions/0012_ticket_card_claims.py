"""ticket_cards: a card is claimed before its first post, so two workers post it once

Revision ID: 0012_ticket_card_claims
Revises: 0011_inbox_attempts
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012_ticket_card_claims"
down_revision = "0011_inbox_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_cards", schema=None) as batch_op:
        batch_op.alter_column("message_id", existing_type=sa.String(length=128), nullable=True)
        batch_op.add_column(sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM ticket_cards WHERE message_id IS NULL")
    with op.batch_alter_table("ticket_cards", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.alter_column("message_id", existing_type=sa.String(length=128), nullable=False)
