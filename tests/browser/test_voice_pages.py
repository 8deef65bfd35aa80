"""The whole "You Said / We Did" loop in a real browser, by keyboard only, every page scanned by axe.

An editor drafts a record from a theme in young people's answers, a reviewer returns it, the editor
resubmits, the reviewer approves and publishes it; it shows (escaped, small numbers suppressed) on
the public page, where a young person answers "Did this make a difference?", and the dashboard counts it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

CLI = Path(sys.executable).with_name("voice-service")
PASSWORD = "orchard kettle lantern 2026 voice"
EDITOR = "eve.editor@example.org"
REVIEWER = "rex.reviewer@example.org"
TYPED = [
    "More buses at night because the bus home is horrible",
    "Cheaper buses please",
    "Mental health support at school",
]


def _cli(url: str, *args: str, stdin: str = "") -> str:
    result = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(CLI), *args],
        input=stdin,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    return result.stdout


def _answer(base: str, text: str) -> None:
    body = json.dumps({"answers": {"make_better": text}, "submission_key": uuid.uuid4().hex}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback test server
        f"{base}/api/surveys/young-people-voice/responses", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - loopback test server
        assert reply.status == 201


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service with an editor and a reviewer, and young people's typed answers scored for sentiment."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('voice-browser') / 'voice.db'}"
    with live_server(url) as base:
        _cli(url, "users", "create", EDITOR, "--role", "voice_editor", "--name", "Eve Editor", stdin=PASSWORD + "\n")
        _cli(
            url,
            "users",
            "create",
            REVIEWER,
            "--role",
            "voice_reviewer",
            "--name",
            "Rex Reviewer",
            stdin=PASSWORD + "\n",
        )
        for text in TYPED:
            _answer(base, text)
        assert _cli(url, "voice", "score-sentiment").strip() == "answers with sentiment: 3"
        yield base


def sign_in(page: Any, base: str, email: str, then: str) -> None:
    """Sign in with the keyboard (a fresh session: the last person's cookies are gone) and go to a page."""
    page.context.clear_cookies()
    page.goto(f"{base}{then}")
    page.wait_for_url(re.compile(r"/staff/login\?next="))
    tab_to(page, "#email")
    page.keyboard.type(email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    page.wait_for_url(re.compile(re.escape(then) + "$"))
    assert_accessible(page)


def choose(page: Any, name: str, value: str, within: str = "") -> None:
    """Pick a radio button by keyboard: Tab into the group, then the arrow keys until `value` is chosen."""
    tab_to(page, f"{within} input[name='{name}']".strip())
    page.keyboard.press("Space")
    target = page.locator(f"{within} input[name='{name}'][value='{value}']".strip())
    for _ in range(10):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not choose {value} with the arrow keys")


def move(page: Any, to: str, comment: str = "") -> None:
    """Move the open record to another state with a comment, by keyboard."""
    choose(page, "to", to)
    if comment:
        tab_to(page, "#comment")
        page.keyboard.type(comment)
    tab_to(page, "button:has-text('Confirm')")
    press_enter_and_wait(page)
    assert_accessible(page)


def test_the_you_said_we_did_loop_with_the_keyboard_only(window: Any, voice_server: str) -> None:
    page, base = window, voice_server
    width = page.viewport_size["width"]

    # The editor reads the themes, the quotes behind one (with sentiment), and drafts a record from it.
    themes = "/staff/you-said-we-did/themes?survey=young-people-voice&question=make_better"
    sign_in(page, base, EDITOR, themes)
    tab_to(page, "a:has-text('Read the answers about Transport')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Answers about Transport"
    assert "Negative" in page.locator("table").inner_text()
    assert_accessible(page)
    page.go_back()
    tab_to(page, "button:has-text('Draft a record about Transport')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Change the record"
    assert page.locator("#evidence_survey").input_value() == "young-people-voice"
    assert_accessible(page)
    tab_to(page, "#done")
    page.keyboard.type("Bus companies now run a later <b>night bus</b>.")
    tab_to(page, "#owner_organisation")
    page.keyboard.type("City of York Council")
    tab_to(page, "#easy_read")
    page.keyboard.type(f"You asked for buses at night. Now there is a later bus ({width}).")
    tab_to(page, "button:has-text('Save record')")
    press_enter_and_wait(page)
    record_url = page.url.split("?")[0]
    move(page, "submitted")
    assert "sent for review" in page.locator(".govuk-notification-banner").inner_text()

    # The reviewer finds it in the queue and returns it with a comment.
    sign_in(page, base, REVIEWER, "/staff/you-said-we-did/review")
    tab_to(page, f"a[href='{record_url.removeprefix(base)}']")
    press_enter_and_wait(page)
    assert_accessible(page)
    move(page, "returned", "Say which bus route")

    # The editor reads the comment in the history and sends it again.
    sign_in(page, base, EDITOR, record_url.removeprefix(base))
    assert "Say which bus route" in page.locator(".govuk-list").last.inner_text()
    move(page, "submitted", "Route 10 added")

    # The reviewer approves it, then publishes it.
    sign_in(page, base, REVIEWER, record_url.removeprefix(base))
    move(page, "approved")
    move(page, "published")
    assert "published on the public page" in page.locator(".govuk-notification-banner").inner_text()
    history = page.locator(".govuk-list").last.inner_text()
    assert history.count("Waiting for review") == 2
    assert "Returned to the editor" in history

    # A young person, not signed in, reads it on the public page and answers.
    page.context.clear_cookies()
    page.goto(f"{base}/you-said-we-did")
    assert_accessible(page)
    record_id = record_url.rsplit("/", 1)[-1]
    card = page.locator(f"#record-{record_id}")
    assert card.locator("p").first.inner_text() == f"You asked for buses at night. Now there is a later bus ({width})."
    text = card.inner_text()
    assert "<b>night bus</b>" in text  # typed markup shows as text
    assert card.locator("b").count() == 0
    assert "This is what fewer than 5 young people told us." in text
    # Readable at 320 px: nothing wider than the screen.
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size(size)
    choose(page, "answer", "yes", within=f"#record-{record_id}")
    tab_to(page, f"#record-{record_id} button:has-text('Send my answer')")
    press_enter_and_wait(page)
    assert "Your answer has been counted" in page.locator(f"#record-{record_id}").inner_text()
    assert_accessible(page)

    # The dashboard counts it.
    sign_in(page, base, REVIEWER, "/staff/you-said-we-did/dashboard")
    rows = page.locator("table tbody tr").all_inner_texts()
    public = [r for r in rows if r.startswith("\u201cYou said, we did\u201d page") and "All years" in r]
    assert len(public) == 1
    assert page.locator("img").first.get_attribute("alt").startswith("Share of young people")

    # The other voice pages pass axe too (the reviewer is still signed in).
    for path in ("/staff/you-said-we-did", "/staff/you-said-we-did/ballots", "/staff/you-said-we-did/report"):
        page.goto(f"{base}{path}")
        assert_accessible(page)
    page.goto(f"{base}/staff/you-said-we-did/ballots/make-your-mark?electorate=400")
    assert page.locator("h1").inner_text().startswith("Make Your Mark")
    assert_accessible(page)
