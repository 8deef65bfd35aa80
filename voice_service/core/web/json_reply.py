"""A JSON reply that is sent as two ASGI messages built here instead of through Litestar's ASGIResponse.

Why: on the submission route, Litestar's `Response.to_asgi_response` (merging headers, choosing a
serializer, a `MutableScopeHeaders` filled through the generic `setdefault`) cost about 20 us per
reply, more than validating a 16-question survey (docs/benchmarks.md, issue 13). The messages are
the ones Litestar sends: the handler's headers, then `content-type` and `content-length`, names in
lower case; the security headers are still added as the start message is sent (a before_send hook).
Anything this does not cover (cookies, a background task, headers from a layer, HEAD) goes
Litestar's own way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Scope, Send, TypeEncodersMap

_ENCODER = msgspec.json.Encoder()
_JSON = (b"content-type", MediaType.JSON.value.encode("latin-1"))


class JsonReply(Response[Any]):
    """A `Response` of a msgspec-encodable value, sent as plain ASGI messages when nothing else applies."""

    def to_asgi_response(
        self,
        app: Any,
        request: Request[Any, Any, Any],
        *,
        background: BackgroundTask | BackgroundTasks | None = None,
        cookies: Iterable[Cookie] | None = None,
        encoded_headers: Iterable[tuple[bytes, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        is_head_response: bool = False,
        media_type: MediaType | str | None = None,
        status_code: int | None = None,
        type_encoders: TypeEncodersMap | None = None,
    ) -> ASGIResponse:
        """Plain messages for the usual case; Litestar's ASGIResponse for anything else."""
        plain = (
            app is None
            and background is None
            and self.background is None
            and not cookies
            and not self.cookies
            and encoded_headers is None
            and not headers
            and not is_head_response
            and (self.media_type or media_type or MediaType.JSON) == MediaType.JSON
            and self.encoding == "utf-8"
        )
        status = self.status_code or status_code
        if not plain or status is None or status < 200 or status in (204, 304):
            return super().to_asgi_response(
                app,
                request,
                background=background,
                cookies=cookies,
                encoded_headers=encoded_headers,
                headers=headers,
                is_head_response=is_head_response,
                media_type=media_type,
                status_code=status_code,
                type_encoders=type_encoders,
            )
        # Why no enc_hook: the content's types are ones msgspec encodes itself, as Litestar's encoder would.
        body = _ENCODER.encode(self.content)
        sent = [(name.lower().encode("latin-1"), str(value).encode("latin-1")) for name, value in self.headers.items()]
        names = {name for name, _ in sent}
        if b"content-type" not in names:
            sent.append(_JSON)
        if b"content-length" not in names:
            sent.append((b"content-length", b"%d" % len(body)))
        return _PlainReply(status, sent, body)  # type: ignore[return-value]


class _PlainReply:
    """The two ASGI messages of a reply with a body."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status_code: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the start (status and headers) and the whole body."""
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})
