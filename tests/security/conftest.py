"""Fixtures for the security tests: what the database holds, an HTTPS client, a browser mid-survey."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.http.helpers import answer_pages, submission_key
from tests.support import database
from tests.support.apps import ClientFactory, forms_copy, make_client
from voice_service.core.settings import Settings

SLUG = "young-people-voice"
#: Answers that reach the check page of young-people-voice, with free text to look for later.
WORDS = "My teacher listens when I am upset"
ANSWERS = {1: {"what_matters-1": "school"}, 3: {"make_better": WORDS}}
__all__ = ["forms_copy", "make_client"]

ORIGIN = {"origin": "https://attacker.example", "referer": "https://attacker.example/page"}


def snapshot(url: str) -> dict[str, Any]:
    """Everything a forged request could change: row counts, drafts and their answers, stored keys."""
    return {
        **database.counts(url),
        "drafts": sorted(map(tuple, database.query(url, "SELECT id, answers, visited, submission_key FROM draft"))),
        "keys": sorted(r[0] for r in database.query(url, "SELECT submission_key FROM response")),
    }


@pytest.fixture
def unchanged(settings: Settings, client: TestClient) -> Iterator[None]:
    """Assert the rest of the test stores and changes nothing (counted once the app has started)."""
    before = snapshot(settings.database_url)
    yield
    assert snapshot(settings.database_url) == before


@contextmanager
def other_browser(client: TestClient) -> Iterator[TestClient]:
    """The same app seen from a browser with none of this client's cookies (restored afterwards)."""
    saved = list(client.cookies.jar)
    client.cookies.clear()
    try:
        yield client
    finally:
        client.cookies.clear()
        for cookie in saved:
            client.cookies.jar.set_cookie(cookie)


@pytest.fixture
def mid_survey(client: TestClient) -> str:
    """The client has answered every page and is on check your answers; returns the submission key."""
    return submission_key(answer_pages(client, SLUG, ANSWERS).check)


@pytest.fixture
def secure_client(make_client: ClientFactory) -> Iterator[TestClient]:
    """The app with SECURE_COOKIES=true, reached over HTTPS."""
    with make_client(secure_cookies=True, base_url="https://testserver.local") as client:
        yield client


def concrete(path: str) -> str:
    """A route's path with its parameters filled in: a real survey, page 1, otherwise a plain word."""

    def fill(match: re.Match[str]) -> str:
        name, _, kind = match.group(1).partition(":")
        if name == "slug":
            return SLUG
        return {"int": "1", "uuid": "00000000-0000-0000-0000-000000000000"}.get(kind, "x")

    return re.sub(r"\{([^}]+)\}", fill, path)


#: Paths that serve no HTML pages: JSON, files, and the benchmark route.
NOT_PAGES = ("/api", "/schema", "/health", "/assets", "/bench")


def page_routes(app: Litestar) -> list[str]:
    """Every GET route that may answer with an HTML page, read from the app itself."""
    paths = set()
    for route in app.routes:
        if "GET" in getattr(route, "methods", ()) and not route.path.startswith(NOT_PAGES):
            paths.add(concrete(route.path))
    return sorted(paths)


def post_routes(app: Litestar) -> list[str]:
    """Every route outside the JSON API that takes a POST (a form), read from the app itself."""
    paths = set()
    for route in app.routes:
        methods = set(getattr(route, "methods", ())) & {"POST", "PUT", "PATCH", "DELETE"}
        if methods and not route.path.startswith(NOT_PAGES):
            paths.add(concrete(route.path))
    return sorted(paths)
