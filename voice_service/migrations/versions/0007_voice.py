"""voice: You Said / We Did records, their history and feedback; answer sentiment

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
STATES = "state IN ('draft', 'submitted', 'returned', 'approved', 'published', 'closed')"


def upgrade() -> None:
    op.create_table(
        "voice_record",
        sa.Column("id", GUID, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("said", sa.Text(), nullable=False),
        sa.Column("people_count", sa.Integer(), nullable=True),
        sa.Column("evidence_kind", sa.String(length=20), nullable=False),
        sa.Column("evidence_survey", sa.String(length=100), nullable=True),
        sa.Column("evidence_question", sa.String(length=64), nullable=True),
        sa.Column("evidence_period", sa.String(length=100), nullable=False),
        sa.Column("evidence_detail", sa.Text(), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("owner_organisation", sa.String(length=200), nullable=False),
        sa.Column("owner_officer", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("feedback_given_on", sa.Date(), nullable=True),
        sa.Column("easy_read", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("drafted_by", GUID, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint(STATES, name=op.f("ck_voice_record_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_record")),
    )
    with op.batch_alter_table("voice_record", schema=None) as batch_op:
        batch_op.create_index("ix_voice_record_state_due_on", ["state", "due_on"], unique=False)

    op.create_table(
        "voice_record_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", GUID, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", GUID, nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=False),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["voice_record.id"],
            name=op.f("fk_voice_record_event_record_id_voice_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_record_event")),
    )
    with op.batch_alter_table("voice_record_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_record_event_record_id"), ["record_id"], unique=False)

    op.create_table(
        "voice_feedback",
        sa.Column("id", GUID, nullable=False),
        sa.Column("record_id", GUID, nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.CheckConstraint("answer IN ('yes', 'a_bit', 'no')", name=op.f("ck_voice_feedback_answer")),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["voice_record.id"],
            name=op.f("fk_voice_feedback_record_id_voice_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_feedback")),
    )
    with op.batch_alter_table("voice_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_voice_feedback_record_id"), ["record_id"], unique=False)

    op.create_table(
        "answer_sentiment",
        sa.Column("response_id", GUID, nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("survey_slug", sa.String(length=100), nullable=False),
        sa.Column("polarity", sa.Float(), nullable=False),
        sa.Column("subjectivity", sa.Float(), nullable=False),
        sa.Column("scored_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("response_id", "question_id", "row_key", "position", name=op.f("pk_answer_sentiment")),
    )
    with op.batch_alter_table("answer_sentiment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_answer_sentiment_survey_slug_question_id", ["survey_slug", "question_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("answer_sentiment", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_sentiment_survey_slug_question_id")
    op.drop_table("answer_sentiment")
    with op.batch_alter_table("voice_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_feedback_record_id"))
    op.drop_table("voice_feedback")
    with op.batch_alter_table("voice_record_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_voice_record_event_record_id"))
    op.drop_table("voice_record_event")
    with op.batch_alter_table("voice_record", schema=None) as batch_op:
        batch_op.drop_index("ix_voice_record_state_due_on")
    op.drop_table("voice_record")
