"""Browser fixtures: Debian's Chromium driven by Playwright, against the real server.

Under CI=true a missing Chromium fails the tests; elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import live_server

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() == "true"

pytestmark = pytest.mark.browser


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests need {reason} under CI=true")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module.

    Module scope, not session: Playwright's sync API keeps an event loop running in this
    thread while it is open, which would break tests elsewhere that call asyncio.run().
    """
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        _missing(f"axe-core at {AXE} (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service on a loopback port with its own SQLite database."""
    database = tmp_path_factory.mktemp("browser") / "browser.db"
    with live_server(f"sqlite+aiosqlite:///{database}") as base:
        yield base


def csp_violations(page: Any) -> list[str]:
    """Collects what the page's Content-Security-Policy refuses, as Chromium reports it on the console."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return refused


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context sized like a phone (375 px wide); fails on any CSP refusal."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=True)
    page = context.new_page()
    refused = csp_violations(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused something:\n" + "\n".join(refused)


@pytest.fixture(params=[(1280, 900), (375, 812)], ids=["desktop", "phone"])
def window(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a fresh browser context (no session) at desktop and phone sizes; fails on any CSP refusal."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    refused = csp_violations(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused something:\n" + "\n".join(refused)
