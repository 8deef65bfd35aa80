"""Error responses: JSON under /api, GOV.UK-style pages elsewhere. Nothing a user typed is logged."""

from __future__ import annotations

import logging
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template

log = logging.getLogger("voice_service.errors")

TITLES = {
    400: "Sorry, there is a problem with that request",
    404: "Page not found",
    405: "Sorry, that is not allowed here",
    410: "This survey is closed",
    413: "That was too much to send",
    500: "Sorry, there is a problem with the service",
}


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/health", "/schema")


def _body_errors(exc: ValidationException) -> tuple[int, dict[str, Any]]:
    """Map Litestar's body validation to our API shape: 400 for an unusable body, 422 per field."""
    errors: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        key = str(item.get("key", "body")) if isinstance(item, dict) else "body"
        message = str(item.get("message", "")) if isinstance(item, dict) else ""
        if key == "data":
            if "missing required field `answers`" in message:
                errors["answers"] = "answers is required: an object of question id to answer"
                continue
            return 400, {"status_code": 400, "detail": "The body must be a JSON object like {\"answers\": {...}}"}
        errors[key] = message.replace("`", "'") or "is not valid"
    if not errors:
        return 400, {"status_code": 400, "detail": "The request is not valid"}
    return 422, {"errors": errors}


def handle_http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Known HTTP errors: a clear message, no stack trace."""
    if isinstance(exc, ValidationException) and _is_api(request):
        status, body = _body_errors(exc)
        return Response(body, status_code=status, media_type=MediaType.JSON)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else TITLES[500]
    # Why: a 405 must say which methods are allowed (RFC 9110), so keep the exception's headers.
    headers = getattr(exc, "headers", None) or {}
    if _is_api(request):
        body = {"status_code": status, "detail": detail}
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    return Template(
        "errors/error.html",
        context={"status": status, "title": TITLES.get(status, TITLES[400]), "detail": detail},
        status_code=status,
        headers=headers,
    )


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An unexpected failure: logged by type and route only, never with request data."""
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.scope.get("path_template", "?"))
    if _is_api(request):
        return Response({"status_code": 500, "detail": TITLES[500]}, status_code=500, media_type=MediaType.JSON)
    return Template(
        "errors/error.html", context={"status": 500, "title": TITLES[500], "detail": ""}, status_code=500
    )
