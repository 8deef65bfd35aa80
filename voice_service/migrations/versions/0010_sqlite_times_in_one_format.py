"""core: times the SQLite fast write path stored as "... 07:00:00+00:00" rewritten as SQLAlchemy stores them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The batch writers bound datetimes through sqlite3's adapter, whose text sorts before SQLAlchemy's
text of the same instant ("... 07:00:00.000000"), so `submitted_at >= :hour` missed responses
stored at exactly that hour. The writers now bind SQLAlchemy's format; this rewrites what they
stored before. PostgreSQL stores real timestamps and is untouched.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The columns the SQLite batch writers (responses, drafts, safeguarding alerts) wrote.
WRITTEN_BY_BATCHES = (
    ("response", "submitted_at"),
    ("draft", "updated_at"),
    ("safeguarding_alert", "created_on"),
    ("safeguarding_alert", "closed_at"),
    ("safeguarding_alert", "notified_at"),
)
#: "YYYY-MM-DD HH:MM:SS+00:00": the adapter leaves out a zero microsecond.
WHOLE_SECOND = len("2026-12-02 07:00:00+00:00")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, column in WRITTEN_BY_BATCHES:
        op.execute(
            f"UPDATE {table} SET {column} = CASE WHEN length({column}) = {WHOLE_SECOND} "  # noqa: S608 - fixed names above  # nosec B608
            f"THEN substr({column}, 1, 19) || '.000000' ELSE substr({column}, 1, length({column}) - 6) END "
            f"WHERE {column} LIKE '%+00:00'"
        )


def downgrade() -> None:
    # Why nothing: both texts read back as the same instant; the old format was only a sort hazard.
    pass
