"""The demo training data: the annual report's courses, 29 sessions and 410 attendees, loaded once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.training import courses
from voice_service.training.demo import load_training_demo


async def test_the_demo_has_the_reports_numbers_and_loads_once(engine: AsyncEngine, settings: Settings) -> None:
    catalog = SurveyCatalog.from_folder(settings.forms_dir)
    assert await load_training_demo(engine, catalog) == 410 + 29
    listed = {c.name: (c.sessions, c.attendees) for c in await courses.list_courses(engine)}
    assert listed["Safeguarding Children: Working Together A"] == (8, 160)
    assert listed["Developing an Understanding of Harmful Sexual Behaviour"] == (10, 63)
    assert sum(s for s, _a in listed.values()) == 29
    assert sum(a for _s, a in listed.values()) == 410
    assert await load_training_demo(engine, catalog) == 0
    emails = await database.query_async(settings.database_url, "SELECT email FROM delegate")
    assert all(row.email.endswith("@example.org") for row in emails)
