"""The deletion log for admins: what retention deleted, when and how many (no content), as a page and JSON."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.response import Template

from voice_service.accounts.identity import Identity
from voice_service.core.runtime import CoreRuntime
from voice_service.safeguarding.api_routes import REFUSALS
from voice_service.safeguarding.retention import list_deletions

BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]


class DeletionOut(msgspec.Struct):
    """One line of the deletion log."""

    at: datetime
    what: str
    count: int
    rule: str


class DeletionLogController(Controller):
    """The deletion log page."""

    path = "/staff/deletions"
    include_in_schema = False

    @get("/", name="deletion-log")
    async def deletions(self, runtime: NamedDependency[CoreRuntime], staff: NamedDependency[Identity]) -> Template:
        """The latest deletions, newest first."""
        rows, total = await list_deletions(runtime.engine)
        context = {"staff": staff, "nav": "/staff/deletions", "rows": rows, "total": total}
        return Template("staff/deletions.html", context=context)


class DeletionLogApiController(Controller):
    """The deletion log as JSON."""

    path = "/api/staff/deletions"
    tags = ["retention"]
    security = BEARER

    @get("/", summary="What retention deleted, newest first", responses=REFUSALS)
    async def deletions(self, runtime: NamedDependency[CoreRuntime]) -> list[DeletionOut]:
        """The latest 200 lines: what, when, how many and by which rule; never any content."""
        rows, _ = await list_deletions(runtime.engine)
        return [DeletionOut(r.at, r.what, r.count, r.rule) for r in rows]
