"""Error responses: JSON under /api, GOV.UK-style pages elsewhere. Nothing a user typed is logged."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from sqlalchemy.exc import DBAPIError

from voice_service.core.web.header_checks import refused_headers
from voice_service.core.web.security import csrf_refused, is_csrf_failure

log = logging.getLogger("voice_service.errors")

TITLES = {
    400: "Sorry, there is a problem with that request",
    404: "Page not found",
    401: "Sign in to use this page",
    403: "You cannot use this page",
    405: "Sorry, that is not allowed here",
    410: "This survey is closed",
    413: "That was too much to send",
    415: "Sorry, that kind of content is not accepted here",
    429: "Lots of people are using this at the same time",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

#: Field names as clients know them, for body and header validation messages.
FIELD_NAMES = {"idempotency_key": "Idempotency-Key"}
#: Friendly messages for fields whose raw validation message would show a regular expression.
FIELD_MESSAGES = {
    "submission_key": "must be 8 to 128 characters: letters, digits, '.', '_', ':' or '-'",
    "idempotency_key": "must be 8 to 128 characters: letters, digits, '.', '_', ':' or '-'",
}
#: What to say when a required body field is missing, where "<field> is required" is not enough.
REQUIRED_MESSAGES = {"answers": "answers is required: an object of question id to answer"}
MISSING_FIELD = re.compile(r"missing required field `(\w+)`")
UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(.+)`")
#: Every endpoint shares this handler, so the message names no one endpoint's fields.
NOT_AN_OBJECT = "The body must be a JSON object with the fields given in /schema"
#: Failures that mean the database (or the network to it) is down rather than a bug.
#: asyncpg raises its own errors while connecting, before SQLAlchemy can wrap them.
UNAVAILABLE = (DBAPIError, OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/health", "/schema")


def _body_errors(items: list[Any]) -> tuple[int, dict[str, Any]]:
    """Map Litestar's body validation to our API shape: 400 for an unusable body, 422 per field."""
    errors: dict[str, str] = {}
    for item in items:
        key = str(item.get("key", "body")) if isinstance(item, dict) else "body"
        message = str(item.get("message", "")) if isinstance(item, dict) else ""
        if key == "data":
            if missing := MISSING_FIELD.search(message):
                field = missing.group(1)
                errors[field] = REQUIRED_MESSAGES.get(field, f"{field} is required")
                continue
            if unknown := UNKNOWN_FIELD.search(message):
                # Why 422 naming it: a client sending a name or email by mistake must learn at once.
                field = unknown.group(1)
                errors[field] = f"'{field}' is not a field of this request: remove it (nothing else is stored)"
                continue
            return 400, {"status_code": 400, "detail": NOT_AN_OBJECT}
        errors[FIELD_NAMES.get(key, key)] = FIELD_MESSAGES.get(key) or message.replace("`", "'") or "is not valid"
    if not errors:
        return 400, {"status_code": 400, "detail": "The request is not valid"}
    return 422, {"errors": errors}


def handle_http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Known HTTP errors: a clear message, no stack trace."""
    if is_csrf_failure(exc):
        return csrf_refused(request)
    if isinstance(exc, ValidationException) and _is_api(request):
        # Why headers last: Litestar's signature model listed a refused header parameter after the body's errors.
        status, body = _body_errors(
            [*(exc.extra if isinstance(exc.extra, list) else []), *refused_headers(request.scope)]
        )
        return Response(body, status_code=status, media_type=MediaType.JSON)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else TITLES[500]
    if isinstance(exc, ValidationException):
        # Why: on a page, "Validation failed for GET ..." is developer language; say it plainly.
        detail = "The web address has a part we do not understand. Check it, or start again from the list of surveys."
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


#: The body's bytes inside a JSON string were not UTF-8 (msgspec raises UnicodeDecodeError, not a DecodeError).
NOT_UTF8 = "The body is not UTF-8 text: send the JSON encoded as UTF-8"


def handle_undecodable(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    """Text in a request that is not UTF-8 (a Latin-1 'café' in a JSON string): a 400 saying so, not a 500."""
    return handle_http_error(request, HTTPException(status_code=400, detail=NOT_UTF8))


def handle_server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """An unexpected failure: logged by type and route only, never with request data.

    A database that cannot be reached is a 503 (try again later), not a 500 (a bug).
    """
    status = 503 if isinstance(exc, UNAVAILABLE) else 500
    log.error("%s %s on %s %s", status, type(exc).__name__, request.method, request.scope.get("path_template", "?"))
    if _is_api(request):
        return Response(
            {"status_code": status, "detail": TITLES[status]}, status_code=status, media_type=MediaType.JSON
        )
    return Template(
        "errors/error.html", context={"status": status, "title": TITLES[status], "detail": ""}, status_code=status
    )
