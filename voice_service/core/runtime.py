"""What every domain's handlers share: settings and the database engine."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.settings import Settings


class CoreRuntime:
    """Shared, long-lived parts of the service, handed to handlers as one dependency.

    A plain class rather than a dataclass: Litestar would otherwise try to validate its
    fields on every request.
    """

    __slots__ = ("engine", "settings")

    def __init__(self, settings: Settings, engine: AsyncEngine) -> None:
        self.settings = settings
        self.engine = engine
