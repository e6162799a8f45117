"""rule_answers.person_asked_at: whether the user asked for a person after a rule answer (for the metrics)

Revision ID: 0018_rule_answers_person_asked
Revises: 0017_platform_api

Earlier answers have no record of it, so they count as answered without a person.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018_rule_answers_person_asked"
down_revision = "0017_platform_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rule_answers") as table:
        table.add_column(sa.Column("person_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        table.create_index("ix_rule_answers_at", ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rule_answers") as table:
        table.drop_index("ix_rule_answers_at")
        table.drop_column("person_asked_at")
