"""What the running service holds: settings, database engine, survey catalog and writer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.services.catalog import SurveyCatalog
from voice_service.services.submissions import SubmissionWriter
from voice_service.settings import Settings


class Runtime:
    """Shared, long-lived parts of the service, handed to handlers as one dependency.

    A plain class rather than a dataclass: Litestar would otherwise try to validate its
    fields (the whole survey catalog) on every request.
    """

    __slots__ = ("catalog", "engine", "settings", "writer")

    def __init__(self, settings: Settings, engine: AsyncEngine, catalog: SurveyCatalog, writer: SubmissionWriter):
        self.settings = settings
        self.engine = engine
        self.catalog = catalog
        self.writer = writer

    @property
    def draft_max_age(self) -> timedelta:
        """How long an unfinished survey is kept."""
        return timedelta(hours=self.settings.draft_hours)
