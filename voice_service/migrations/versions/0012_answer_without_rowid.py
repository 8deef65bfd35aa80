"""surveys: answer WITHOUT ROWID on SQLite; response's invitation and respondent-key indexes only where set

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Why: on SQLite every stored answer was two B-tree inserts, the rowid table and its primary key's
index, although the key is the only way answers are found; WITHOUT ROWID keeps the row in the key's
B-tree. Every anonymous response (nearly all of them) put a NULL into the invitation and
respondent-key indexes, which are only ever searched for set values. Both measured per survey16
submission on the SQLite writer's thread (docs/benchmarks.md, 2026-12-03, migration 0012).
SQLite cannot change a table to WITHOUT ROWID, so `answer` is rebuilt: a new table, every row
copied in key order, the old one dropped, the new one renamed, 0009's trigger made again.
PostgreSQL keeps its tables; only the two indexes become partial there too.
"""

from __future__ import annotations

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)

#: 0009's trigger on `answer`, made again after the rebuild (dropping a table drops its triggers).
SQLITE_TRIGGER = """
CREATE TRIGGER tr_answer_deleted_drops_measures AFTER DELETE ON answer
BEGIN
    DELETE FROM response_measures WHERE response_id = OLD.response_id;
END
"""
#: The indexed columns that are NULL for every anonymous response.
SET_ONLY = ("invitation_id", "respondent_key")


def _rebuild_answer(with_rowid: bool) -> None:
    """SQLite: `answer` made again with or without a rowid, keeping every row, key, reference and trigger."""
    op.create_table(
        "answer_rebuilt",
        sa.Column("response_id", GUID, nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name="fk_answer_response_id_response", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "question_id", "row_key", "position", name="pk_answer"),
        sqlite_with_rowid=with_rowid,
    )
    # Why in key order: the new table's B-tree is then filled from left to right.
    op.execute(
        "INSERT INTO answer_rebuilt (response_id, question_id, row_key, position, value_text, value_number) "
        "SELECT response_id, question_id, row_key, position, value_text, value_number FROM answer "
        "ORDER BY response_id, question_id, row_key, position"
    )
    op.execute("DROP TRIGGER IF EXISTS tr_answer_deleted_drops_measures")
    op.drop_table("answer")
    op.rename_table("answer_rebuilt", "answer")
    op.execute(SQLITE_TRIGGER)


def _index(column: str, set_only: bool) -> None:
    """The response index on `column` made again, over set values only or over every row."""
    name = f"ix_response_{column}"
    op.drop_index(name, table_name="response")
    if set_only:
        condition = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "response", [column], sqlite_where=condition, postgresql_where=condition)
    else:
        op.create_index(name, "response", [column])


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_answer(with_rowid=False)
    for column in SET_ONLY:
        _index(column, set_only=True)


def downgrade() -> None:
    for column in SET_ONLY:
        _index(column, set_only=False)
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_answer(with_rowid=True)
