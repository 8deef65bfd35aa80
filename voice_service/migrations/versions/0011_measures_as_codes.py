"""surveys: response_measures holds a response's measured choices as one string of codes, other cells as JSON

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Why: the report read each copy's cells as seven text values, and making 1.1 million Python values
was most of its read; one short string per response is decoded by numpy at once. The copies are
made by due work from the answers, so they are dropped, not converted: until the due work has made
them again (minutes after the upgrade) the report reads every cell live, as it did before copies
existed. The trigger of 0009 (an answer deleted drops its response's copy) is unchanged.
"""

from __future__ import annotations

from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
SLOTS = 16


def _create(*columns: sa.Column[Any]) -> None:
    """response_measures with `columns` after its key and layout (a copy per response, keyed by it)."""
    op.create_table(
        "response_measures",
        sa.Column("response_id", GUID, nullable=False),
        sa.Column("layout", sa.String(length=64), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_measures_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_measures")),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    op.drop_table("response_measures")
    _create(sa.Column("codes", sa.Text(), nullable=True), sa.Column("texts", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_table("response_measures")
    _create(*(sa.Column(f"cell_{slot:02d}", sa.Text(), nullable=True) for slot in range(1, SLOTS + 1)))
