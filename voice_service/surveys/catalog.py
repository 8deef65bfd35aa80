"""The survey catalog: current definitions from files, every version ever served from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey, load_surveys, parse_survey
from voice_service.core.db.upsert import insert_ignoring_conflicts
from voice_service.surveys.tables import SURVEY_VERSIONS as VERSIONS


@dataclass
class SurveyCatalog:
    """Current surveys by slug, and any stored version by id."""

    surveys: dict[str, Survey]
    version_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_version_id: dict[int, Survey] = field(default_factory=dict)

    @classmethod
    def from_folder(cls, folder: Path) -> SurveyCatalog:
        """Load every definition in a folder (raises DefinitionError listing every problem)."""
        return cls(load_surveys(folder))

    def current(self, slug: str) -> Survey | None:
        """The current definition of a survey."""
        return self.surveys.get(slug)

    def public(self) -> list[Survey]:
        """Open surveys listed on the public home page, by title."""
        return sorted((s for s in self.surveys.values() if s.listed and s.open), key=lambda s: s.title)

    def version_id(self, survey: Survey) -> int:
        """The database id of a survey's current version (after `sync`)."""
        return self.version_ids[(survey.slug, survey.version)]

    async def sync(self, engine: AsyncEngine) -> None:
        """Record every current version in the database (a new file version gets a new row)."""
        rows = [
            {
                "slug": s.slug,
                "version": s.version,
                "title": s.title,
                "definition": s.to_json(),
                "first_seen_at": datetime.now(UTC),
            }
            for s in self.surveys.values()
        ]
        async with engine.begin() as conn:
            if rows:
                await conn.execute(insert_ignoring_conflicts(VERSIONS, conn.dialect.name, ["slug", "version"]), rows)
            result = await conn.execute(select(VERSIONS.c.id, VERSIONS.c.slug, VERSIONS.c.version))
            self.version_ids = {(slug, version): vid for vid, slug, version in result}
        for survey in self.surveys.values():
            self._by_version_id[self.version_id(survey)] = survey

    async def by_version_id(self, engine: AsyncEngine, version_id: int) -> Survey | None:
        """The definition a response or draft was made against, even if the file has changed since."""
        if version_id not in self._by_version_id:
            async with engine.connect() as conn:
                definition = await conn.scalar(select(VERSIONS.c.definition).where(VERSIONS.c.id == version_id))
            if definition is None:
                return None
            self._by_version_id[version_id] = parse_survey(definition, f"survey_version {version_id}", stored=True)
        return self._by_version_id[version_id]
