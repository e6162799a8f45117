"""kb_vectors: cached embedding vectors per knowledge entry revision and model

Revision ID: 0006_kb_vectors
Revises: 0005_waiting_for_user
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_kb_vectors"
down_revision = "0005_waiting_for_user"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_vectors",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("vectors", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["kb_revisions.id"]),
        sa.PrimaryKeyConstraint("revision_id", "model"),
    )


def downgrade() -> None:
    op.drop_table("kb_vectors")
