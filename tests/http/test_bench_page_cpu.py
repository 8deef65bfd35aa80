"""bench/page_cpu.py walks whole journeys through the app in process and times every page kind."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from tests.http.test_bench_journey_client import bench_module
from voice_service.app import create_app
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.tables import DRAFTS, RESPONSES

SLUG = "young-people-voice"


async def test_every_kind_is_timed_and_every_journey_is_stored(settings: Settings) -> None:
    page_cpu = bench_module("page_cpu")
    unlimited = dataclasses.replace(settings, drafts_per_minute=0, submissions_per_minute=0)
    cpu = await page_cpu.measure(create_app(unlimited), SLUG, journeys=2)
    assert set(cpu) == set(page_cpu.KINDS)
    # Two journeys of the voice survey: one of each kind but its question pages (4 or 5: one is conditional).
    assert all(len(cpu[kind]) == 2 for kind in ("start", "begin", "check", "submit", "done"))
    assert len(cpu["page GET"]) == len(cpu["page POST"]) in range(8, 11)
    assert all(t >= 0 for times in cpu.values() for t in times)
    assert sum(cpu["page GET"]) > 0
    assert SLUG in page_cpu.report(SLUG, cpu)
    engine = create_engine(settings)
    async with engine.connect() as conn:
        stored = await conn.scalar(select(func.count()).select_from(RESPONSES).where(RESPONSES.c.survey_slug == SLUG))
        drafts = await conn.scalar(select(func.count()).select_from(DRAFTS))
    await engine.dispose()
    # The warm-up's journeys are stored too; none leaves a draft.
    assert stored == page_cpu.WARMUP_JOURNEYS + 2
    assert drafts == 0
