"""A training administrator sets up a course and a session and imports attendees, with the keyboard only.

A bad file first (nothing imported, every bad line listed), then a good one. Every page on the way
is scanned by axe (no serious or critical findings) on a desktop-sized window and a phone-sized one.
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

EMAIL = "tina.training@example.org"
PASSWORD = "orchard kettle lantern 2026"
CLI = Path(sys.executable).with_name("voice-service")
BAD = (
    b"Full name,Email address,Organisation,Sector,Attended\r\n"
    b"Ann Able,ann@example.org,Clifton Primary,Schools,yes\r\n"
    b"Bob Baker,not-an-email,York Hospital,Fire brigade,yes\r\n"
    b",cy@example.org,North Yorkshire Police,police,maybe\r\n"
)
GOOD = (
    b"Full name,Email address,Organisation,Sector,Attended\r\n"
    b"Ann Able,ann@example.org,Clifton Primary,Schools,yes\r\n"
    b"Bob Baker,bob@example.org,York Hospital,Health,yes\r\n"
    b"Cy Cole,cy@example.org,North Yorkshire Police,police,no\r\n"
)


@pytest.fixture(scope="module")
def training_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service with one training administrator, created the way the README says."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('training-browser') / 'training.db'}"
    with live_server(url) as base:
        subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(CLI), "users", "create", EMAIL, "--role", "training_admin", "--name", "Tina Training"],
            input=PASSWORD + "\n",
            text=True,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        yield base


def choose_file(page: Any, path: Path) -> None:
    """Open the file chooser from the focused file input with the keyboard (Space, else Enter) and pick a file."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    tab_to(page, "#file")

    def pick(chooser: Any) -> None:
        chooser.set_files(str(path))

    # Why: the handler stays registered until a file is chosen. A chooser that opens after a
    # timed-out wait would otherwise become a native dialog that never closes, and Chromium opens
    # no other chooser while it is pending (CI saw the next import page fail that way).
    page.on("filechooser", pick)
    try:
        for key in ("Space", "Enter", "Space"):
            page.keyboard.press(key)
            try:
                page.wait_for_function("() => document.querySelector('#file').files.length > 0", timeout=15_000)
            except PlaywrightTimeout:
                continue  # Why: under load Chromium has been seen to miss a key; a person would press again.
            return
    finally:
        page.remove_listener("filechooser", pick)
    raise AssertionError("the file input did not open a file chooser from the keyboard")


def test_course_session_and_import_with_the_keyboard_only(window: Any, training_server: str, tmp_path: Path) -> None:
    page = window
    course_name = f"Working Together A ({page.viewport_size['width']} px)"
    (tmp_path / "bad.csv").write_bytes(BAD)
    (tmp_path / "good.csv").write_bytes(GOOD)

    page.goto(f"{training_server}/staff/training")
    page.wait_for_url(re.compile(r"/staff/login\?next="))
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/staff/training$"))
    assert page.locator("h1").inner_text() == "Training"
    assert_accessible(page)

    # A course: name, the first evaluation survey, the follow-up survey, the default delay.
    tab_to(page, "a:has-text('Create a course')")
    press_enter_and_wait(page)
    assert_accessible(page)
    tab_to(page, "#name")
    page.keyboard.type(course_name)
    tab_to(page, "#evaluation_survey")
    page.keyboard.press("Space")
    tab_to(page, "#follow_up_survey")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Save course')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == course_name
    assert "The course was created" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)

    # A session, with a mistake first: the error summary, then the fix.
    tab_to(page, "a:has-text('Add a session')")
    press_enter_and_wait(page)
    tab_to(page, "#date-day")
    page.keyboard.type("31")
    tab_to(page, "#date-month")
    page.keyboard.type("2")
    tab_to(page, "#date-year")
    page.keyboard.type("2024")
    tab_to(page, "button:has-text('Save session')")
    press_enter_and_wait(page)
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    tab_to(page, "#date-day")
    page.keyboard.press("Control+a")
    page.keyboard.type("27")
    tab_to(page, "#date-month")
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    tab_to(page, "#mode")
    page.keyboard.press("Space")
    tab_to(page, "#trainer")
    page.keyboard.type("CYSCP training team")
    tab_to(page, "#capacity")
    page.keyboard.type("20")
    tab_to(page, "button:has-text('Save session')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Session on 27 March 2024"
    assert_accessible(page)

    # A bad file: nothing imported, every bad line listed.
    tab_to(page, "a:has-text('Import delegates from a CSV file')")
    press_enter_and_wait(page)
    assert_accessible(page)
    choose_file(page, tmp_path / "bad.csv")
    tab_to(page, "button:has-text('Check the file')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Problems in the file"
    assert "nothing was imported" in page.locator(".govuk-error-summary").inner_text()
    lines = page.locator("#problems tbody tr td:first-child").all_inner_texts()
    assert lines == ["3", "3", "4", "4"]
    assert_accessible(page)

    # The corrected file: a preview, then the import.
    tab_to(page, "a:has-text('Upload a corrected file')")
    press_enter_and_wait(page)
    choose_file(page, tmp_path / "good.csv")
    tab_to(page, "button:has-text('Check the file')")
    press_enter_and_wait(page)
    assert page.locator("#counts").inner_text() == "3 new delegates, 0 to update, 0 already on the list, 0 problems"
    assert_accessible(page)
    tab_to(page, "button:has-text('Import 3 delegates')")
    press_enter_and_wait(page)
    assert "3 delegates added or updated" in page.locator(".govuk-notification-banner").inner_text()
    names = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert names == ["Ann Able", "Bob Baker", "Cy Cole"]
    assert_accessible(page)
