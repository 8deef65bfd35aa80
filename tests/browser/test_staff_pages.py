"""A member of staff signs in, makes and revokes a token and signs out, with the keyboard only.

Every staff page on the way is scanned by axe (no serious or critical findings) on a desktop-
sized window and on a phone-sized one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

EMAIL = "keyboard.admin@example.org"
PASSWORD = "lantern orchard keyboard 2026"
CLI = Path(sys.executable).with_name("voice-service")


@pytest.fixture(scope="module")
def staff_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service with one admin, created the way the README says."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('staff-browser') / 'staff.db'}"
    # Why off: this walk is about the pages every person uses; test_two_step_pages.py walks the required setup.
    with live_server(url, env={"REQUIRE_TOTP_FOR_ADMIN": "false"}) as base:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(CLI), "users", "create", EMAIL, "--role", "admin", "--role", "training_admin", "--name", "Kay Admin"],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            check=True,
            capture_output=True,
        )
        yield base


def test_staff_pages_with_the_keyboard_only(window: Any, staff_server: str) -> None:
    page = window
    page.goto(f"{staff_server}/staff/account")
    page.wait_for_url(re.compile(r"/staff/login\?next="))
    assert_accessible(page)

    # A wrong password first: the error summary, then the right one.
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type("not the password at all")
    press_enter_and_wait(page)
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/staff/account$"))
    assert_accessible(page)

    # Make a token: it is shown once.
    tab_to(page, "#name")
    page.keyboard.type("keyboard script")
    tab_to(page, "button:has-text('Create token')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Your new API token"
    assert page.locator("code.vs-token").inner_text().startswith("vst_")
    assert_accessible(page)

    # Back to the account page, and revoke it.
    tab_to(page, "a:has-text('Back to your account')")
    press_enter_and_wait(page)
    tab_to(page, "button:has-text('Revoke')")
    press_enter_and_wait(page)
    assert "The token was revoked" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    # The start page lists what the roles allow; then sign out.
    page.goto(f"{staff_server}/staff/")
    assert page.locator("h1").inner_text() == "Staff area"
    assert "Training" in page.locator("main").inner_text()
    assert_accessible(page)
    if page.locator(".govuk-service-navigation__toggle").is_visible():
        tab_to(page, ".govuk-service-navigation__toggle")
        page.keyboard.press("Enter")
    tab_to(page, "button:has-text('Sign out')")
    press_enter_and_wait(page)
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
