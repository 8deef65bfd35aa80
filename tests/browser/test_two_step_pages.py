"""An admin sets up two-step verification, signs in with a code and a recovery code, turns it off: keyboard only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

PASSWORD = "lantern orchard two step 2026"
CLI = Path(sys.executable).with_name("voice-service")
HUB = "/staff/account/two-step-verification"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The real service with its default settings (two-step verification required for admins)."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('two-step-browser') / 'staff.db'}"
    with live_server(url) as base:
        yield base, url


def _create_admin(database_url: str, email: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(CLI), "users", "create", email, "--role", "admin", "--name", "Tess Twostep"],
        input=PASSWORD + "\n",
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/staff/login")
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)


def _sign_out(page: Any) -> None:
    if page.locator(".govuk-service-navigation__toggle").is_visible():
        tab_to(page, ".govuk-service-navigation__toggle")
        page.keyboard.press("Enter")
    tab_to(page, "button:has-text('Sign out')")
    press_enter_and_wait(page)


def _type_into(page: Any, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)
    press_enter_and_wait(page)


def _wrong_code(secret: str) -> str:
    now = datetime.now(UTC)
    near = {pyotp.TOTP(secret).at(now + timedelta(seconds=30 * n)) for n in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near)


def test_two_step_verification_with_the_keyboard_only(window: Any, server: tuple[str, str]) -> None:
    page = window
    base, database_url = server
    email = f"two.step.{page.viewport_size['width']}@example.org"
    _create_admin(database_url, email)

    # The password is right, but an admin must set up two-step verification first.
    _sign_in(page, base, email)
    page.wait_for_url(re.compile(re.escape(HUB) + "$"))
    assert "you must set up two-step verification" in page.locator("main").inner_text()
    assert page.locator(".govuk-service-navigation").count() == 0
    assert_accessible(page)
    tab_to(page, "button:has-text('Set up two-step verification')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Set up two-step verification"
    assert page.locator(".vs-qr svg").is_visible()
    assert_accessible(page)
    secret = page.locator("#secret").inner_text().replace(" ", "")

    # A wrong code, then the right one: the recovery codes, once.
    _type_into(page, "#code", _wrong_code(secret))
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    _type_into(page, "#code", pyotp.TOTP(secret).now())
    assert page.locator("h1").inner_text() == "Your recovery codes"
    assert len(page.locator("#recovery-codes code").all_inner_texts()) == 10
    assert_accessible(page)
    tab_to(page, "a:has-text('I have saved my recovery codes')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Staff area"

    # New recovery codes, after the password again.
    page.goto(f"{base}/staff/account")
    tab_to(page, "a:has-text('Manage two-step verification')")
    press_enter_and_wait(page)
    assert page.locator(".govuk-summary-list").inner_text().count("10 of 10") == 1
    assert_accessible(page)
    tab_to(page, "a:has-text('Make new recovery codes')")
    press_enter_and_wait(page)
    assert_accessible(page)
    _type_into(page, "#password", PASSWORD)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)

    # Signing in again takes a code; a wrong one first.
    page.goto(f"{base}/staff/")
    _sign_out(page)
    _sign_in(page, base, email)
    page.wait_for_url(re.compile(r"/staff/login/second-factor$"))
    assert_accessible(page)
    _type_into(page, "#code", _wrong_code(secret))
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    # Why the next step's code: the current one may be the code that turned it on, and codes work once.
    _type_into(page, "#code", pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30)))
    page.wait_for_url(re.compile(r"/staff/$"))

    # Or a recovery code, which works once.
    _sign_out(page)
    _sign_in(page, base, email)
    tab_to(page, "a:has-text('use a recovery code')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Enter a recovery code"
    assert_accessible(page)
    _type_into(page, "#recovery_code", codes[0])
    assert "you have 9 left" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    # Turning it off: the admin is asked to set it up again at once.
    tab_to(page, "a:has-text('Turn off two-step verification')")
    press_enter_and_wait(page)
    assert "set it up again straight away" in page.locator("main").inner_text()
    assert_accessible(page)
    _type_into(page, "#password", PASSWORD)
    assert "Two-step verification is off" in page.locator(".govuk-notification-banner").inner_text()
    assert "you must set up two-step verification" in page.locator("main").inner_text()
    assert_accessible(page)
    _sign_out(page)
    assert "You have signed out" in page.locator(".govuk-notification-banner").inner_text()
