"""response.respondent_key: the pseudonymous key that pairs a delegate's evaluation and follow-up

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respondent_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_respondent_key"), ["respondent_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_respondent_key"))
        batch_op.drop_column("respondent_key")
