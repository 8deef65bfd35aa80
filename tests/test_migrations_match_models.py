"""The tables the migrations build are the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from advanced_alchemy.types import GUID
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, String, Table, types
from sqlalchemy.engine import Connection

from voice_service.core.db.base import Base
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.migrations.tables import register_tables


def guid_aware_compare_type(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: types.TypeEngine[Any],
    metadata_type: types.TypeEngine[Any],
) -> bool | None:
    """Treat GUID as equal to what the database reflects for it; every other type is compared as usual.

    Why: GUID is BINARY(16) on SQLite (reflected as NUMERIC/BINARY) and UUID on PostgreSQL;
    alembic cannot know these are the same type.
    """
    if isinstance(metadata_type, GUID):
        reflected = type(inspected_type).__name__.upper()
        expected = {"sqlite": ("NUMERIC", "BINARY", "BLOB"), "postgresql": ("UUID",)}.get(context.dialect.name, ())
        return reflected not in expected
    return None  # alembic's own comparison


def differences(url: str, metadata: MetaData) -> list[Any]:
    """What alembic's autogenerate would change to make the database match `metadata`."""

    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": guid_aware_compare_type, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))

    async def run() -> list[Any]:
        engine = create_engine(Settings(database_url=url))
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_migrated_database_matches_every_model(migrated_url: str) -> None:
    register_tables()
    assert differences(migrated_url, Base.metadata) == []


def test_the_comparison_notices_a_changed_type_a_missing_column_and_a_missing_table(migrated_url: str) -> None:
    register_tables()
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    # A GUID where the database has text must still count as a difference.
    changed.tables["audit_event"].c.target_id.type = GUID()
    changed.tables["job"].append_column(Column("extra_note", String(20), nullable=True))
    Table("not_migrated", changed, Column("id", Integer, primary_key=True))

    found = differences(migrated_url, changed)

    kinds = {(diff[0] if isinstance(diff, tuple) else diff[0][0]) for diff in found}
    assert {"add_table", "add_column", "modify_type"} <= kinds, found
    assert any(
        isinstance(d, list) and d[0][0] == "modify_type" and d[0][2:4] == ("audit_event", "target_id") for d in found
    )


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_guid_is_equal_only_to_its_own_reflected_form(dialect: str) -> None:
    class Context:
        class dialect:  # mimics MigrationContext.dialect
            name = ""

    Context.dialect.name = dialect
    own = types.NUMERIC(16) if dialect == "sqlite" else types.UUID()
    assert guid_aware_compare_type(Context, None, None, own, GUID()) is False  # type: ignore[arg-type]
    assert guid_aware_compare_type(Context, None, None, types.VARCHAR(36), GUID()) is True  # type: ignore[arg-type]
    assert guid_aware_compare_type(Context, None, None, types.INTEGER(), types.String()) is None  # type: ignore[arg-type]
