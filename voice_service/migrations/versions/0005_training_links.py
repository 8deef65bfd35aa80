"""training: personal link tokens, session links and invitation sending state

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    # Why a table of links: a reminder carries a fresh link while the first email's link keeps working.
    op.create_table(
        "invitation_link",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invitation_id", GUID, nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("purpose IN ('email', 'browser')", name=op.f("ck_invitation_link_purpose")),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_invitation_link_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_invitation_link")),
    )
    with op.batch_alter_table("invitation_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_link_invitation_id"), ["invitation_id"], unique=False)
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint("uq_invitation_token_hash", type_="unique")
        batch_op.drop_column("token_hash")
        batch_op.add_column(sa.Column("last_reminded_at", UTC_TIME, nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=100), nullable=True))
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_code", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_training_session_link_code"), ["link_code"])
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_invitation_id"), ["invitation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_invitation_id"))
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_training_session_link_code"), type_="unique")
        batch_op.drop_column("link_code")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("failure")
        batch_op.drop_column("last_reminded_at")
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_invitation_token_hash", ["token_hash"])
    with op.batch_alter_table("invitation_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_link_invitation_id"))
    op.drop_table("invitation_link")
