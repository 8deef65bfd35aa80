"""Migration 0011 on SQLite and PostgreSQL: up with copies stored, down, and up again.

Copies made before 0011 are dropped (the due work makes them again; the report reads live meanwhile).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text

from tests.conftest import _create_pg_database
from tests.support.database import insert_survey_version
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.migrations.runner import upgrade
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import refresh_measures
from voice_service.surveys.tables import ANSWERS, RESPONSES

FORMS = Path(__file__).resolve().parents[2] / "forms" / "surveys"
EVALUATION = "working-together-a-evaluation"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of its own (it is migrated down and up)."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    return _create_pg_database(request.getfixturevalue("postgres_server"), f"voice_mig_{uuid.uuid4().hex[:8]}")


async def _store_and_copy(url: str) -> None:
    """A keyed evaluation, copied as the code of the migrated revision copies it."""
    engine = create_engine(Settings(database_url=url, forms_dir=FORMS))
    catalog = SurveyCatalog.from_folder(FORMS)
    await catalog.sync(engine)
    survey = catalog.current(EVALUATION)
    assert survey is not None
    rid = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(RESPONSES).values(
                id=rid, survey_version_id=catalog.version_id(survey), survey_slug=EVALUATION,
                submission_key=uuid.uuid4().hex, submitted_at=datetime.now(UTC), respondent="delegate",
                respondent_key="k1",
            )
        )  # fmt: skip
        await conn.execute(
            insert(ANSWERS).values(
                response_id=rid, question_id="change_intent", row_key="", position=0, value_text="likely"
            )
        )
    assert await refresh_measures(engine, catalog) == 1
    await engine.dispose()


async def _count(url: str, columns: str) -> tuple[int, str]:
    """How many copies there are, and one row of `columns` (raw SQL: the shape differs by revision)."""
    engine = create_engine(Settings(database_url=url))
    async with engine.connect() as conn:
        count = int((await conn.execute(select(func.count()).select_from(text("response_measures")))).scalar_one())
        row = (await conn.execute(text(f"SELECT {columns} FROM response_measures"))).first()
    await engine.dispose()
    return count, "" if row is None else str(tuple(row))


def test_0011_drops_old_copies_and_goes_down_and_up_again(empty_url: str) -> None:
    settings = Settings(database_url=empty_url)
    upgrade(settings, "0010")
    engine_url = empty_url
    # A copy in 0009's shape, as a service at 0010 would have stored it.
    asyncio.run(_store_old_copy(engine_url))
    assert asyncio.run(_count(engine_url, "cell_01"))[0] == 1
    upgrade(settings)
    assert asyncio.run(_count(engine_url, "codes, texts")) == (0, ""), "old copies are dropped, not misread"
    asyncio.run(_store_and_copy(engine_url))
    assert asyncio.run(_count(engine_url, "codes, texts"))[0] == 1
    command_downgrade(settings, "0010")
    assert asyncio.run(_count(engine_url, "cell_01")) == (0, "")
    upgrade(settings)
    assert asyncio.run(_count(engine_url, "codes, texts")) == (0, "")


async def _store_old_copy(url: str) -> None:
    """A response and its copy in 0009's slots."""
    engine = create_engine(Settings(database_url=url))
    rid = uuid.uuid4()
    async with engine.begin() as conn:
        version = await insert_survey_version(conn)
        await conn.execute(
            insert(RESPONSES).values(
                id=rid, survey_version_id=version, survey_slug="s", submission_key=uuid.uuid4().hex,
                submitted_at=datetime.now(UTC), respondent="delegate", respondent_key="k0",
            )
        )  # fmt: skip
        await conn.execute(
            text("INSERT INTO response_measures (response_id, layout, cell_01) VALUES (:rid, 'old', 'likely')"),
            {"rid": rid.bytes if conn.dialect.name == "sqlite" else rid},
        )
    await engine.dispose()


def command_downgrade(settings: Settings, revision: str) -> None:
    """Alembic's downgrade, configured as `upgrade` is."""
    from alembic import command

    from voice_service.migrations.runner import alembic_config

    command.downgrade(alembic_config(settings), revision)
