"""GET /health: whether the service is up and can reach its database."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Response, get
from litestar.di import NamedDependency
from sqlalchemy import text

from voice_service.core.runtime import CoreRuntime

HEALTH_TIMEOUT_SECONDS = 5


@get("/health", tags=["service"], summary="Service and database health")
async def health(runtime: NamedDependency[CoreRuntime]) -> Response[dict[str, Any]]:
    """200 when the database answers, 503 when it does not."""
    try:
        # Why: a database host that drops packets must not hold the health check for a minute.
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:  # any failure means unreachable: asyncpg raises its own errors on connect
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})
