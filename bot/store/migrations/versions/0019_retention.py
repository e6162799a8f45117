"""retention: evidence files purged (the record and its sha256 stay), and indexes for the purges

Revision ID: 0019_retention
Revises: 0018_rule_answers_person_asked
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019_retention"
down_revision = "0018_rule_answers_person_asked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index("ix_processed_updates_processed_at", "processed_updates", ["processed_at"], unique=False)
    op.create_index("ix_outbox_sent_at", "outbox", ["status", "sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_processed_updates_processed_at", table_name="processed_updates")
    with op.batch_alter_table("evidence") as batch:
        batch.drop_column("purged_at")
