"""Request headers checked by a middleware from the raw ASGI headers, refused as Litestar's parameters are.

Why: for a route that declares a header parameter Litestar builds a `Headers` multidict on every
request (31k instructions on the submission route). A middleware that already scans the raw
headers can check the header itself and leave what it refused here; the error handler reports it
first among the request's field errors, where Litestar's signature model put it.
"""

from __future__ import annotations

from typing import Any

from litestar.types import Scope

#: Where the refusals wait in the request's ASGI state (a fresh dict per request).
REFUSED = "voice_service.refused_headers"


def refuse_header(scope: Scope, field: str, message: str) -> None:
    """Record that a header failed its check; `field` is its parameter name (errors.py names it for clients)."""
    scope["state"].setdefault(REFUSED, []).append({"key": field, "message": message, "source": "header"})


def refused_headers(scope: Scope) -> list[dict[str, Any]]:
    """The headers refused for this request, in the order they were checked."""
    refused: list[dict[str, Any]] = scope.get("state", {}).get(REFUSED, [])
    return refused
