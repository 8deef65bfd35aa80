"""training: course, training_session, delegate, invitation

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("id", GUID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("evaluation_survey", sa.String(length=100), nullable=False),
        sa.Column("follow_up_survey", sa.String(length=100), nullable=False),
        sa.Column("follow_up_days", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
        sa.UniqueConstraint("name_key", name=op.f("uq_course_name_key")),
    )
    op.create_table(
        "training_session",
        sa.Column("id", GUID, nullable=False),
        sa.Column("course_id", GUID, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("trainer", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("mode IN ('online', 'face_to_face', 'e_learning')", name=op.f("ck_training_session_mode")),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_training_session_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index("ix_training_session_course_id_date", ["course_id", "date"], unique=False)

    op.create_table(
        "delegate",
        sa.Column("id", GUID, nullable=False),
        sa.Column("session_id", GUID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("erased_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["training_session.id"], name=op.f("fk_delegate_session_id_training_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegate")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_delegate_pseudonym")),
        sa.UniqueConstraint("session_id", "email", name="uq_delegate_session_id_email"),
    )
    op.create_table(
        "invitation",
        sa.Column("id", GUID, nullable=False),
        sa.Column("delegate_id", GUID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("expires_at", UTC_TIME, nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("answered_response_id", GUID, nullable=True),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("kind IN ('evaluation', 'follow_up')", name=op.f("ck_invitation_kind")),
        sa.CheckConstraint(
            "state IN ('scheduled', 'sent', 'failed', 'answered', 'expired')", name=op.f("ck_invitation_state")
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegate.id"], name=op.f("fk_invitation_delegate_id_delegate"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("delegate_id", "kind", name="uq_invitation_delegate_id_kind"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index("ix_invitation_state_due_at", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index("ix_invitation_state_due_at")
    op.drop_table("invitation")
    op.drop_table("delegate")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_course_id_date")
    op.drop_table("training_session")
    op.drop_table("course")
