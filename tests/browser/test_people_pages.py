"""An admin manages people and reads the audit log, and a new colleague sets a password, with the keyboard only.

Every page on the way is scanned by axe (no serious or critical findings) on a desktop-sized
window and on a phone-sized one. The set-password link is read from the real outbox.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.support.live_server import live_server
from tests.support.outbox import link_path, messages, password_link

pytestmark = pytest.mark.browser

EMAIL = "people.admin@example.org"
PASSWORD = "lantern orchard keyboard 2026"
NEW_PASSWORD = "heron quarry pebble autumn"
CLI = Path(sys.executable).with_name("voice-service")


@pytest.fixture(scope="module")
def people_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real service with one admin (made by the CLI) and its outbox folder."""
    folder = tmp_path_factory.mktemp("people-browser")
    url = f"sqlite+aiosqlite:///{folder / 'people.db'}"
    outbox = folder / "outbox"
    # Why two-step off: this walk is about the people pages; test_two_step_pages.py walks the required setup.
    env = {"REQUIRE_TOTP_FOR_ADMIN": "false", "OUTBOX_DIR": str(outbox)}
    with live_server(url, env=env) as base:
        subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(CLI), "users", "create", EMAIL, "--role", "admin", "--name", "Pia Admin"],
            input=PASSWORD + "\n",
            text=True,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        yield base, outbox


@pytest.fixture(params=[(1280, 900), (375, 812)], ids=["desktop", "phone"])
def browser_context(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh context of each size; fails on any CSP refusal in any of its pages."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    refused: list[str] = []
    context.on(
        "page",
        lambda page: page.on(
            "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
        ),
    )
    yield context
    context.close()
    assert refused == [], "the Content-Security-Policy refused something:\n" + "\n".join(refused)


def _open_menu(page: Any) -> None:
    """On a phone the service navigation is behind its Menu button."""
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible():
        tab_to(page, ".govuk-service-navigation__toggle")
        page.keyboard.press("Enter")


def _wait_for_link(outbox: Path, to: str, count: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sent = [m for m in messages(outbox) if m["To"] == to]
        if len(sent) >= count:
            return link_path(password_link(sent[count - 1]))
        time.sleep(0.1)
    raise AssertionError(f"no email number {count} to {to}")


def test_people_and_audit_pages_with_the_keyboard_only(
    browser_context: Any, people_server: tuple[str, Path], request: pytest.FixtureRequest
) -> None:
    base, outbox = people_server
    size = "phone" if "phone" in request.node.callspec.id else "desktop"
    colleague = f"sam.{size}@example.org"
    page = browser_context.new_page()

    # Sign in, then reach the people list from the navigation.
    page.goto(f"{base}/staff/people")
    page.wait_for_url(re.compile(r"/staff/login\?next="))
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/staff/people$"))
    assert page.locator("h1").inner_text() == "People and roles"
    assert_accessible(page)

    # Add a person: first with nothing filled in, then properly.
    tab_to(page, "a:has-text('Add a person')")
    press_enter_and_wait(page)
    assert_accessible(page)
    tab_to(page, "button:has-text('Add person and send link')")
    press_enter_and_wait(page)
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    tab_to(page, "#name")
    page.keyboard.type("Sam Colleague")
    tab_to(page, "#email")
    page.keyboard.type(colleague)
    tab_to(page, "#roles")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Add person and send link')")
    press_enter_and_wait(page)
    assert "Account added" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    person_url = page.url.split("?")[0]

    # Change their roles.
    tab_to(page, "a:has-text('Change')")
    press_enter_and_wait(page)
    assert_accessible(page)
    tab_to(page, "#roles")
    page.keyboard.press("Space")  # untick administrator
    tab_to(page, "#roles-2")
    page.keyboard.press("Space")  # tick training administrator
    tab_to(page, "button:has-text('Save roles')")
    press_enter_and_wait(page)
    assert "Roles saved" in page.locator(".govuk-notification-banner").inner_text()
    assert "Training administrator" in page.locator(".govuk-summary-list").inner_text()

    # The colleague sets a password through the emailed link, in a browser of their own.
    link = _wait_for_link(outbox, colleague, 1)
    theirs = browser_context.browser.new_context(viewport=browser_context.pages[0].viewport_size).new_page()
    theirs.goto(f"{base}{link}")
    assert theirs.locator("h1").inner_text() == "Choose your password"
    assert_accessible(theirs)
    tab_to(theirs, "#password")
    theirs.keyboard.type("password")
    press_enter_and_wait(theirs)
    assert theirs.locator(".govuk-error-summary").is_visible()
    assert_accessible(theirs)
    tab_to(theirs, "#password")
    theirs.keyboard.press("Control+A")
    theirs.keyboard.type(NEW_PASSWORD)
    press_enter_and_wait(theirs)
    theirs.wait_for_url(re.compile(r"/staff/login\?password_set=true$"))
    assert "Your password is set" in theirs.locator(".govuk-notification-banner").inner_text()
    assert_accessible(theirs)
    theirs.goto(f"{base}{link}")
    assert theirs.locator("h1").inner_text() == "This link cannot be used"
    assert_accessible(theirs)
    theirs.context.close()

    # Send another link, then disable the account after confirming.
    page.goto(person_url)
    tab_to(page, "button:has-text('Send a set-password link')")
    press_enter_and_wait(page)
    assert "new link" in page.locator(".govuk-notification-banner").inner_text()
    _wait_for_link(outbox, colleague, 2)
    tab_to(page, "a:has-text('Disable this account')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Disable the account of Sam Colleague?"
    assert_accessible(page)
    tab_to(page, "button:has-text('Disable account')")
    press_enter_and_wait(page)
    assert "Account disabled" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    # ... and turn it back on, again after confirming.
    tab_to(page, "a:has-text('Turn this account back on')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Turn the account of Sam Colleague back on?"
    assert_accessible(page)
    tab_to(page, "button:has-text('Turn account back on')")
    press_enter_and_wait(page)
    assert "Account turned back on" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    # The audit log: from the navigation, a search with an impossible date, then a good one.
    _open_menu(page)
    tab_to(page, ".govuk-service-navigation__link:has-text('Audit log')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Audit log"
    assert_accessible(page)
    tab_to(page, "#person")
    page.keyboard.type(EMAIL)
    tab_to(page, "#from-day")
    page.keyboard.type("31")
    tab_to(page, "#from-month")
    page.keyboard.type("2")
    tab_to(page, "#from-year")
    page.keyboard.type("2026")
    tab_to(page, "button:has-text('Search the log')")
    press_enter_and_wait(page)
    assert page.title().startswith("Error: ")
    assert "From date must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    tab_to(page, "#from-day")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    tab_to(page, "#from-month")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    tab_to(page, "#from-year")
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    tab_to(page, "button:has-text('Search the log')")
    press_enter_and_wait(page)
    table = page.locator("table.govuk-table").inner_text()
    assert "user.disable" in table
    assert "user.enable" in table
    assert "user.create" in table
    assert_accessible(page)
    assert page.locator("a:has-text('as CSV')").get_attribute("href").startswith("/staff/audit.csv?person=")
