"""The measures job reads the survey definitions again only when a file has changed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.apps import edit_definition
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.impact.jobs import current_catalog


async def versions(url: str, slug: str) -> list[str]:
    rows = await database.query_async(
        url, "SELECT version FROM survey_version WHERE slug = :slug ORDER BY id", slug=slug
    )
    return [str(row[0]) for row in rows]


async def test_the_catalog_is_read_once_and_again_after_a_file_changes(engine: AsyncEngine, forms_copy: Path) -> None:
    first = await current_catalog(engine, forms_copy)
    assert await current_catalog(engine, forms_copy) is first, "nothing changed: the same definitions"
    url = engine.url.render_as_string(hide_password=False)
    version = first.surveys["young-people-voice"].version
    assert await versions(url, "young-people-voice") == [version]

    edit_definition(forms_copy, "young-people-voice", "title: Have your say", "title: Tell us")
    changed = await current_catalog(engine, forms_copy)
    assert changed is not first
    new_version = changed.surveys["young-people-voice"].version
    assert new_version != version
    assert await current_catalog(engine, forms_copy) is changed
    # The new version is recorded in the database, so the job's copies use its id.
    assert await versions(url, "young-people-voice") == [version, new_version]
    assert changed.version_id(changed.surveys["young-people-voice"]) != first.version_id(
        first.surveys["young-people-voice"]
    )


async def test_each_engine_gets_its_own_catalog(engine: AsyncEngine, forms_copy: Path, settings: Settings) -> None:
    other = create_engine(settings)
    try:
        assert await current_catalog(other, forms_copy) is not await current_catalog(engine, forms_copy)
    finally:
        await other.dispose()


async def test_an_editors_dangling_lock_file_does_not_stop_the_job(engine: AsyncEngine, forms_copy: Path) -> None:
    # Found with a forms folder as an editor leaves it: ".#x.yaml" is a link to nowhere, and stat() on it raised.
    (forms_copy / ".#young-people-voice.yaml").symlink_to("user@host.123:1700000000")
    (forms_copy / "._young-people-voice.yaml").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    first = await current_catalog(engine, forms_copy)
    assert "young-people-voice" in first.surveys
    assert await current_catalog(engine, forms_copy) is first
