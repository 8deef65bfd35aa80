"""initial tables

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# JSON on SQLite, JSONB on PostgreSQL (as advanced_alchemy.types.JsonB maps it).
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_version",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("definition", JSON_TYPE, nullable=False),
        sa.Column("first_seen_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_version")),
        sa.UniqueConstraint("slug", "version", name="uq_survey_version_slug_version"),
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("answers", JSON_TYPE, nullable=False),
        sa.Column("visited", JSON_TYPE, nullable=False),
        sa.Column("submission_key", sa.String(length=128), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_version_id"], ["survey_version.id"], name=op.f("fk_draft_survey_version_id_survey_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "response",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("survey_slug", sa.String(length=100), nullable=False),
        sa.Column("submission_key", sa.String(length=128), nullable=False),
        sa.Column("submitted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("respondent", sa.String(length=20), nullable=False),
        sa.Column("invitation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("linked_response_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_response_id"], ["response.id"], name=op.f("fk_response_linked_response_id_response")
        ),
        sa.ForeignKeyConstraint(
            ["survey_version_id"], ["survey_version.id"], name=op.f("fk_response_survey_version_id_survey_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_response_submission_key")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index("ix_response_survey_slug_submitted_at", ["survey_slug", "submitted_at"], unique=False)

    op.create_table(
        "answer",
        sa.Column("response_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_answer_response_id_response"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", "row_key", "position", name=op.f("pk_answer")),
    )


def downgrade() -> None:
    op.drop_table("answer")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_survey_slug_submitted_at")

    op.drop_table("response")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_updated_at"))

    op.drop_table("draft")
    op.drop_table("survey_version")
