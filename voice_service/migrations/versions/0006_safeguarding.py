"""safeguarding: alerts, their status changes, and the retention deletion log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
# JSON on SQLite, JSONB on PostgreSQL (as advanced_alchemy.types.JsonB maps it).
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "safeguarding_alert",
        sa.Column("id", GUID, nullable=False),
        sa.Column("response_id", GUID, nullable=False),
        sa.Column("survey_slug", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("categories", JSON, nullable=False),
        sa.Column("matches", JSON, nullable=False),
        sa.Column("created_on", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("notified_at", UTC_TIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_safeguarding_alert_response_id_response")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_alert")),
        sa.UniqueConstraint("response_id", "question_id", name="uq_safeguarding_alert_response_question"),
    )
    with op.batch_alter_table("safeguarding_alert", schema=None) as batch_op:
        batch_op.create_index("ix_safeguarding_alert_status_created_on", ["status", "created_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_safeguarding_alert_notified_at"), ["notified_at"], unique=False)

    op.create_table(
        "safeguarding_alert_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", GUID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor_id", GUID, nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["safeguarding_alert.id"],
            name=op.f("fk_safeguarding_alert_change_alert_id_safeguarding_alert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_alert_change")),
    )
    with op.batch_alter_table("safeguarding_alert_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safeguarding_alert_change_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "deletion_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("what", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_log")),
    )
    with op.batch_alter_table("deletion_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deletion_log_at"), ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("deletion_log")
    op.drop_table("safeguarding_alert_change")
    op.drop_table("safeguarding_alert")
