"""The running service as the survey pages see it: the shared core plus the catalog, writer and draft reader."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.runtime import CoreRuntime
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.draft_reads import DraftReader
from voice_service.surveys.gate import ClosedGate, Gate
from voice_service.surveys.submissions import SubmissionWriter


class Runtime(CoreRuntime):
    """The core runtime with the survey catalog, the submission writer and the draft reader."""

    __slots__ = ("catalog", "drafts", "gate", "writer")

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        catalog: SurveyCatalog,
        writer: SubmissionWriter,
        gate: Gate | None = None,
    ):
        super().__init__(settings, engine)
        self.catalog = catalog
        self.writer = writer
        #: Reads the draft a page continues (the pages write drafts through the writer).
        self.drafts = DraftReader(engine)
        #: Who may answer link-only surveys (course evaluations and follow-ups).
        self.gate: Gate = gate or ClosedGate()

    @property
    def draft_max_age(self) -> timedelta:
        """How long an unfinished survey is kept."""
        return timedelta(hours=self.settings.draft_hours)
