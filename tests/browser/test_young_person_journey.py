"""A young person answers the voice survey on a phone with the keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.axe import assert_accessible, serious_violations
from tests.browser.pages import click_and_wait, press_enter_and_wait, tab_to

pytestmark = pytest.mark.browser


def test_voice_survey_on_a_phone_with_the_keyboard_only(phone: Any, server_url: str) -> None:
    page = phone
    page.goto(f"{server_url}/")
    assert_accessible(page)
    tab_to(page, "a[href='/s/young-people-voice']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/s/young-people-voice$"))
    assert_accessible(page)

    tab_to(page, "button:has-text('Start now')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/page/1$"))
    assert_accessible(page)

    # Choose the same topic twice: a validation error, shown the GOV.UK way.
    tab_to(page, "select[name$='-1']")
    first_select = page.locator("select[name$='-1']").first
    second_select = page.locator("select[name$='-2']").first
    option = first_select.locator("option").nth(1).get_attribute("value")
    first_select.select_option(option)
    second_select.select_option(option)
    tab_to(page, "button:has-text('Continue')")
    press_enter_and_wait(page)
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "There is a problem" in summary.inner_text()
    assert serious_violations(page) == []
    # The error summary link takes keyboard users to the field.
    link = summary.locator("a").first
    href = link.get_attribute("href")
    assert href is not None
    assert href.endswith("-1")

    # Fix it: a different second choice, then continue.
    second_value = second_select.locator("option").nth(2).get_attribute("value")
    page.locator("select[name$='-2']").first.select_option(second_value)
    tab_to(page, "button:has-text('Continue')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/page/2$"))

    # Page 2: answer with the keyboard (arrow keys move between radios).
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")
    tab_to(page, "button:has-text('Continue')")
    press_enter_and_wait(page)

    # Continue through the remaining pages without answering (all optional).
    for _ in range(6):
        if "/check" in page.url:
            break
        tab_to(page, "button:has-text('Continue')")
        press_enter_and_wait(page)
    page.wait_for_url(re.compile(r"/check$"))
    assert_accessible(page)
    assert "Check your answers" in page.locator("h1").inner_text()

    # Change the first answer from the check page, and come back to it.
    tab_to(page, "a.govuk-link:has-text('Change')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/page/1\?change=1"))
    tab_to(page, "button:has-text('Continue')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/check$"))

    tab_to(page, "button:has-text('Send my answers')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/done$"))
    assert "your answers have been sent" in page.locator("h1").inner_text().lower()
    assert_accessible(page)
    # Nothing that could tie this browser to the response survives submission.
    assert [c for c in page.context.cookies() if c["name"] == "vs_draft"] == []


def test_survey_page_fits_a_320_px_screen(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{server_url}/s/sexual-health-young-people")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/page/1$"))
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"
    assert_accessible(page)
    context.close()


def test_pages_work_without_javascript(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server_url}/s/make-your-mark")
    click_and_wait(page, "Start now")
    click_and_wait(page, "Continue")
    assert page.title().startswith("Error: ")
    page.locator("input[type=radio]").first.check()
    click_and_wait(page, "Continue")
    while "/check" not in page.url:
        click_and_wait(page, "Continue")
    click_and_wait(page, "Send my answers")
    assert page.url.endswith("/done")
    context.close()


def test_axe_scan_reports_a_real_violation(phone: Any) -> None:
    """The accessibility check can fail: a button with no name is a critical violation."""
    phone.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><main><button></button></main></body></html>"
    )
    assert any(line.startswith("button-name") for line in serious_violations(phone))
