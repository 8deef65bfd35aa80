"""surveys: response_measures, a keyed response's measured cells in one row for the training report

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
SLOTS = 16

# Why a trigger: retention deletes typed answers (and a deleted response takes its answers with it);
# whichever code deletes an answer, the response's copy goes too, so no deleted text lingers there.
SQLITE_TRIGGER = """
CREATE TRIGGER tr_answer_deleted_drops_measures AFTER DELETE ON answer
BEGIN
    DELETE FROM response_measures WHERE response_id = OLD.response_id;
END
"""
POSTGRES_FUNCTION = """
CREATE FUNCTION answer_deleted_drops_measures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM response_measures WHERE response_id = OLD.response_id;
    RETURN NULL;
END
$$
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER tr_answer_deleted_drops_measures AFTER DELETE ON answer
FOR EACH ROW EXECUTE FUNCTION answer_deleted_drops_measures()
"""


def upgrade() -> None:
    op.create_table(
        "response_measures",
        sa.Column("response_id", GUID, nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        *(sa.Column(f"cell_{slot:02d}", sa.Text(), nullable=True) for slot in range(1, SLOTS + 1)),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_measures_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_measures")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tr_answer_deleted_drops_measures ON answer")
        op.execute("DROP FUNCTION IF EXISTS answer_deleted_drops_measures()")
    else:
        op.execute("DROP TRIGGER IF EXISTS tr_answer_deleted_drops_measures")
    op.drop_table("response_measures")
