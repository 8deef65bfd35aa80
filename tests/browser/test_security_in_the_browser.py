"""What the security headers and CSRF protection do in a real browser (Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import csp_violations
from tests.browser.pages import click_and_wait

pytestmark = pytest.mark.browser

SLUG = "young-people-voice"
WORDS = "More places to go after school"


def answer_to_check(page: Any, server_url: str) -> None:
    """Start the voice survey, rank one topic, write WORDS on page 3, and reach check your answers."""
    page.goto(f"{server_url}/s/{SLUG}")
    click_and_wait(page, "Start now")
    select = page.locator("select[name$='-1']").first
    select.select_option(select.locator("option").nth(1).get_attribute("value"))
    while "/check" not in page.url:
        if page.locator("textarea[name='make_better']").count():
            page.locator("textarea[name='make_better']").fill(WORDS)
        click_and_wait(page, "Continue")


def test_the_gov_uk_snippet_runs_under_the_policy_and_nothing_is_refused(phone: Any, server_url: str) -> None:
    for path in ("/", f"/s/{SLUG}", "/s/no-such-survey"):
        phone.goto(server_url + path)
        classes = phone.evaluate("document.body.className")
        # The inline snippet ran (its hash is allowed) and GOV.UK Frontend's own check passed.
        assert "js-enabled" in classes
        assert "govuk-frontend-supported" in classes
    # The phone fixture fails the test if the policy refused anything on the way.


def test_the_refusal_check_notices_an_inline_script_the_policy_does_not_allow(browser: Any) -> None:
    page = browser.new_page()
    refused = csp_violations(page)
    page.set_content(
        "<html><head><meta http-equiv='Content-Security-Policy' content=\"script-src 'self'\"></head>"
        "<body><script>document.title = 'ran'</script></body></html>"
    )
    page.wait_for_timeout(100)
    assert page.title() != "ran"
    assert refused
    page.close()


def test_back_after_sending_does_not_show_the_answers(phone: Any, server_url: str) -> None:
    page = phone
    answer_to_check(page, server_url)
    assert WORDS in page.locator("main").inner_text()
    click_and_wait(page, "Send my answers")
    assert page.url.endswith("/done")
    for _ in range(3):
        page.go_back()
        main = page.locator("main").inner_text()
        assert WORDS not in main, page.url
        assert "your answers have been sent" in main.lower(), page.url


def test_another_site_cannot_frame_the_service(browser: Any, server_url: str) -> None:
    page = browser.new_page()
    refused = csp_violations(page)
    page.set_content(f"<html><body><iframe src='{server_url}/s/{SLUG}'></iframe></body></html>")
    page.wait_for_timeout(1000)
    frame = page.frames[-1]
    assert "Start now" not in (frame.content() if frame is not page.main_frame else "")
    assert any("frame-ancestors" in line for line in refused), refused
    page.close()


def test_a_form_on_another_site_cannot_restart_a_survey_in_progress(phone: Any, server_url: str) -> None:
    page = phone
    answer_to_check(page, server_url)
    # A page elsewhere (opaque origin) posts the Start now form of the same survey.
    page.goto("about:blank")
    page.set_content(
        f"<html><body><form method='post' action='{server_url}/s/{SLUG}/start'>"
        "<button>Win a prize</button></form></body></html>"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Win a prize").click()
    assert "Sorry, that did not work" in page.locator("h1").inner_text()
    # The answers in progress are still there.
    page.goto(f"{server_url}/s/{SLUG}/check")
    assert re.search(r"/check$", page.url)
    assert WORDS in page.locator("main").inner_text()
