"""Done when: from course set-up to the six-month follow-up, with the due work run at chosen times.

A training administrator sets up a course and a session and imports attendees (a bad file first)
in a desktop window; `voice-service jobs run-due --now` moves the clock; a delegate answers the
evaluation and, six months on, the follow-up from the emailed links on a phone. Every email goes
once, reminders skip whoever answered, and used and expired links say so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import csp_violations
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.browser.test_training_pages import BAD, EMAIL, GOOD, PASSWORD, choose_file
from tests.support.live_server import live_server
from tests.support.outbox import messages, text_of
from voice_service.core.settings import Settings
from voice_service.training import timing

pytestmark = pytest.mark.browser

CLI = Path(sys.executable).with_name("voice-service")
LINK = re.compile(r"https?://\S+/t/[A-Za-z0-9_-]+")


class Service:
    """The running service, its database and outbox, and the CLI with the same settings."""

    def __init__(self, base: str, database_url: str, outbox: Path) -> None:
        self.base = base
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "OUTBOX_DIR": str(outbox),
            "BASE_URL": base,
            "SECRET_KEY": "browser-tests",
        }
        self.outbox = outbox

    def cli(self, *args: str, stdin: str = "") -> str:
        """Run the real CLI with this service's settings; returns what it printed."""
        done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(CLI), *args], input=stdin, text=True, env=self.env, check=True, capture_output=True
        )
        return done.stdout

    def run_due(self, when: datetime) -> None:
        """Do the due work as if it were `when`, as an operator rehearsing would."""
        self.cli("jobs", "run-due", "--now", when.isoformat())

    def emails_to(self, address: str) -> list[tuple[str, str]]:
        """(subject, link) of every email to this address, oldest first."""
        found = []
        for message in messages(self.outbox):
            if message["To"] == address:
                (link,) = LINK.findall(text_of(message))
                found.append((str(message["Subject"]), link))
        return found


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The real service with a training administrator; due work only when the test runs it."""
    folder = tmp_path_factory.mktemp("training-emails")
    url = f"sqlite+aiosqlite:///{folder / 'training.db'}"
    outbox = folder / "outbox"
    with live_server(url, env={"JOBS_IN_PROCESS": "false", "OUTBOX_DIR": str(outbox)}) as base:
        running = Service(base, url, outbox)
        running.cli(
            "users", "create", EMAIL, "--role", "training_admin", "--name", "Tina Training", stdin=PASSWORD + "\n"
        )
        yield running


def sign_in(page: Any) -> None:
    """On the sign-in page: the training administrator's email and password, with the keyboard."""
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)


def set_up_course(page: Any, service: Service, day: date, tmp_path: Path) -> None:
    """Sign in, create a course and a session on `day`, import a bad file then a good one."""
    (tmp_path / "bad.csv").write_bytes(BAD)
    (tmp_path / "good.csv").write_bytes(GOOD)
    page.goto(f"{service.base}/staff/training")
    sign_in(page)
    tab_to(page, "a:has-text('Create a course')")
    press_enter_and_wait(page)
    tab_to(page, "#name")
    page.keyboard.type("Safeguarding Children: Working Together A")
    tab_to(page, "#evaluation_survey")
    page.keyboard.press("Space")
    tab_to(page, "#follow_up_survey")
    page.keyboard.press("Space")
    tab_to(page, "button:has-text('Save course')")
    press_enter_and_wait(page)
    tab_to(page, "a:has-text('Add a session')")
    press_enter_and_wait(page)
    for field, value in (("#date-day", day.day), ("#date-month", day.month), ("#date-year", day.year)):
        tab_to(page, field)
        page.keyboard.type(str(value))
    tab_to(page, "#mode")
    page.keyboard.press("Space")
    tab_to(page, "#trainer")
    page.keyboard.type("CYSCP training team")
    tab_to(page, "#capacity")
    page.keyboard.type("20")
    tab_to(page, "button:has-text('Save session')")
    press_enter_and_wait(page)
    tab_to(page, "a:has-text('Import delegates from a CSV file')")
    press_enter_and_wait(page)
    choose_file(page, tmp_path / "bad.csv")
    tab_to(page, "button:has-text('Check the file')")
    press_enter_and_wait(page)
    assert "nothing was imported" in page.locator(".govuk-error-summary").inner_text()
    assert page.locator("#problems tbody tr td:first-child").all_inner_texts() == ["3", "3", "4", "4"]
    tab_to(page, "a:has-text('Upload a corrected file')")
    press_enter_and_wait(page)
    choose_file(page, tmp_path / "good.csv")
    tab_to(page, "button:has-text('Check the file')")
    press_enter_and_wait(page)
    tab_to(page, "button:has-text('Import 3 delegates')")
    press_enter_and_wait(page)
    assert "3 delegates added or updated" in page.locator(".govuk-notification-banner").inner_text()


def answer_every_page(page: Any) -> None:
    """From the survey's start page: Start now, pick the first answer of every question shown, send."""
    page.get_by_role("button", name="Start now").click()
    for _ in range(12):
        page.wait_for_load_state()
        if page.get_by_role("button", name="Send my answers").count():
            break
        assert_accessible(page)
        names = page.locator("input[type=radio]").evaluate_all("els => [...new Set(els.map(e => e.name))]")
        for name in names:
            page.locator(f"input[type=radio][name='{name}']").first.check()
        for box in page.locator("textarea").all():
            box.fill("I now ask the school nurse to every strategy meeting.")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.url.endswith("/done")


def test_from_course_set_up_to_the_six_month_follow_up(browser: Any, service: Service, tmp_path: Path) -> None:
    day = datetime.now(UTC).date()
    send_time = timing.evaluation_due(day, Settings())
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    delegate_context = browser.new_context(viewport={"width": 375, "height": 812})
    phone = delegate_context.new_page()
    refused = csp_violations(phone)
    set_up_course(admin, service, day, tmp_path)
    session_page = admin.url.split("?")[0]

    # Without a link the evaluation does not open; the page says how to get one.
    stranger = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    stranger.goto(f"{service.base}/s/working-together-a-evaluation")
    assert stranger.locator("h1").inner_text() == "Open this survey from your link"
    assert_accessible(stranger)

    # In the room: the printable session link with its QR code. Cy, listed as not attending, uses it.
    tab_to(admin, "a:has-text('Session link and QR code for the room')")
    press_enter_and_wait(admin)
    assert admin.locator(".app-room-link__qr svg").count() == 1
    assert_accessible(admin)
    # The page prints BASE_URL's address (the default here); this test's server listens elsewhere.
    room_url = admin.locator(".app-room-link__url").inner_text().strip()
    assert room_url.startswith("http://127.0.0.1:8000/t/s/")
    room = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    room.goto(service.base + room_url.removeprefix("http://127.0.0.1:8000"))
    assert_accessible(room)
    room.get_by_label("Your work email").fill("CY@example.org")
    with room.expect_navigation():
        room.get_by_role("button", name="Continue to the evaluation").click()
    assert re.search(r"/s/[a-z0-9-]+-evaluation$", room.url), room.url
    answer_every_page(room)

    # The day before and a minute early: nothing. At the send time: one email to each who attended.
    service.run_due(send_time - timedelta(days=1))
    service.run_due(send_time - timedelta(minutes=1))
    assert list(service.outbox.glob("*.eml")) == []
    service.run_due(send_time)
    service.run_due(send_time + timedelta(minutes=5))
    ann, bob = service.emails_to("ann@example.org"), service.emails_to("bob@example.org")
    assert len(ann) == len(bob) == 1
    # Cy answered in the room: no evaluation email for Cy.
    assert service.emails_to("cy@example.org") == []

    # Ann answers on her phone from the emailed link; the address she lands on has no token.
    (_, ann_link) = ann[0]
    phone.goto(ann_link)
    assert "/t/" not in phone.url
    assert_accessible(phone)
    answer_every_page(phone)
    phone.goto(ann_link)
    assert phone.locator("h1").inner_text() == "You have already answered"

    # A week on, only Bob is reminded; after the link's 30 days his link has expired.
    service.run_due(send_time + timedelta(days=7, minutes=1))
    assert len(service.emails_to("ann@example.org")) == 1
    assert [s.startswith("Reminder") for s, _ in service.emails_to("bob@example.org")] == [False, True]
    service.run_due(send_time + timedelta(days=30, minutes=1))
    bob_page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    bob_page.goto(bob[0][1])
    assert bob_page.locator("h1").inner_text() == "This link is not working"
    assert_accessible(bob_page)

    # Six months on, the follow-up: Ann answers it too, and it is paired with her evaluation.
    follow_up_time = timing.follow_up_due(day, 182, Settings())
    service.run_due(follow_up_time)
    service.run_due(follow_up_time + timedelta(minutes=1))
    (_, follow_up) = service.emails_to("ann@example.org")
    assert follow_up[0].startswith("Six months on")
    phone.goto(follow_up[1])
    answer_every_page(phone)
    assert len(service.emails_to("bob@example.org")) == 3
    # Cy, who answered from the room link, is sent the follow-up like everyone who attended.
    assert [s.startswith("Six months on") for s, _ in service.emails_to("cy@example.org")] == [True]
    service.run_due(follow_up_time + timedelta(days=7, minutes=1))
    assert len(service.emails_to("ann@example.org")) == 2

    # The session page shows both answers.
    # Running the due work six months ahead also ended the administrator's session (idle too long
    # at that moment), as it would on a rehearsal copy: sign in again.
    admin.goto(session_page)
    sign_in(admin)

    def row(key: str) -> str:
        return str(admin.locator(".govuk-summary-list__row", has_text=key).locator("dd").first.inner_text())

    assert row("Evaluations received") == "2 (67% of those who attended)"
    assert row("Follow-ups received") == "1 (33% of those sent)"
    assert_accessible(admin)
    delegate_context.close()
    assert refused == []
