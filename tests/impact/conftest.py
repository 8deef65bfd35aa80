"""Fixtures for the impact tests: the annual report's courses with their evaluations, stored for real."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.staff import admin_client, staff_client, staff_users
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.submissions import SubmissionWriter
from voice_service.training.demo import load_training_demo
from voice_service.training.report_demo import load_report_demo

__all__ = ["admin_client", "staff_client", "staff_users"]


async def store_annual_report(settings: Settings) -> int:
    """The 2022/23 courses, sessions and attendees, then their evaluations and follow-ups, through the services."""
    engine = create_engine(settings)
    catalog = SurveyCatalog.from_folder(settings.forms_dir)
    writer = SubmissionWriter(engine)
    try:
        await catalog.sync(engine)
        await load_training_demo(engine, catalog)
        await writer.start()
        try:
            return await load_report_demo(engine, catalog, writer)
        finally:
            await writer.stop()
    finally:
        await engine.dispose()


@pytest.fixture
def annual_report(settings: Settings) -> int:
    """The 2022/23 training data in this test's database; how many responses were stored."""
    return asyncio.run(store_annual_report(settings))
