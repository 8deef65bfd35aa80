"""Posting forms as a browser does: with the CSRF token from the cookie the service set on a GET."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

#: The contract with voice_service's CSRF protection: cookie name (plain HTTP, then with
#: SECURE_COOKIES) and form field.
CSRF_COOKIE = "vs_csrf"
SECURE_CSRF_COOKIE = "__Host-vs_csrf"
CSRF_FIELD = "_csrf_token"


def csrf_token(client: TestClient, page: str = "/") -> str:
    """The CSRF token for this client, fetching `page` first when no cookie is set yet."""
    token = client.cookies.get(CSRF_COOKIE) or client.cookies.get(SECURE_CSRF_COOKIE)
    if not token:
        client.get(page)
        token = client.cookies.get(CSRF_COOKIE) or client.cookies.get(SECURE_CSRF_COOKIE)
    return token or ""


def with_csrf(client: TestClient, data: dict[str, Any] | None = None, page: str = "/") -> dict[str, Any]:
    """Form data plus the CSRF field, as the page's hidden input would send it."""
    return {**(data or {}), CSRF_FIELD: csrf_token(client, page)}
