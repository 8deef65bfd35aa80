"""The young person's experience in Chromium: faces, the "none" checkbox, a light header at 320 px, axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.axe import assert_accessible, violations
from tests.browser.conftest import csp_violations
from tests.browser.pages import click_and_wait, press_enter_and_wait, tab_to

pytestmark = pytest.mark.browser

YPV = "young-people-voice"


@pytest.fixture
def small_phone(browser: Any) -> Iterator[Any]:
    """A 320 px wide page with JavaScript on; fails on any CSP refusal."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    refused = csp_violations(page)
    yield page
    context.close()
    assert refused == [], "the Content-Security-Policy refused something:\n" + "\n".join(refused)


def to_page(page: Any, base: str, number: int) -> None:
    """Start the voice survey and continue (answering nothing) to page `number`."""
    page.goto(f"{base}/s/{YPV}")
    click_and_wait(page, "Start now")
    while not page.url.endswith(f"/page/{number}"):
        click_and_wait(page, "Continue")


def test_the_faces_scale_works_with_the_keyboard_and_stores_the_scale_value(small_phone: Any, server_url: str) -> None:
    page = small_phone
    to_page(page, server_url, 2)
    faces = page.locator(".vs-faces input[type=radio]")
    assert faces.count() == 5
    # Each face is a picture for sighted users only; its words are the radio's name.
    names = [page.get_by_role("radio", name=label).count() for label in ("Never", "Hardly ever", "Always")]
    assert names == [1, 1, 1]
    assert page.locator(".vs-faces svg[aria-hidden=true]").count() == 5
    # Big targets: each face's label is at least 44 px tall and fits the screen.
    for box in (page.locator(".vs-faces__label").nth(i).bounding_box() for i in range(5)):
        assert box is not None
        assert box["height"] >= 44
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 320
    assert_accessible(page)
    tab_to(page, ".vs-faces input[type=radio]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_by_role("radio", name="Sometimes").is_checked()
    # The focused face is visibly marked (GOV.UK focus yellow).
    colour = page.evaluate("getComputedStyle(document.activeElement.nextElementSibling).backgroundColor")
    assert colour == "rgb(255, 221, 0)"
    assert_accessible(page)
    tab_to(page, "button:has-text('Continue')")
    press_enter_and_wait(page)
    while "/check" not in page.url:
        click_and_wait(page, "Continue")
    rows = page.locator(".govuk-summary-list__row", has_text="Do adults listen to you")
    assert "Sometimes" in rows.inner_text()


def test_ticking_none_clears_the_others_and_the_others_clear_none(small_phone: Any, server_url: str) -> None:
    page = small_phone
    to_page(page, server_url, 3)
    friend = page.get_by_role("checkbox", name="A friend")
    no_one = page.get_by_role("checkbox", name="I wouldn't talk to anyone")
    assert page.locator(".govuk-checkboxes__divider").inner_text().strip() == "or"
    friend.check()
    page.get_by_role("checkbox", name="A parent or carer").check()
    no_one.check()
    assert no_one.is_checked()
    assert not friend.is_checked()
    assert page.locator("input[name=talk_to]:checked").count() == 1
    friend.check()
    assert not no_one.is_checked()
    assert_accessible(page)


def test_without_javascript_both_ticked_is_a_clear_error(browser: Any, server_url: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    to_page(page, server_url, 3)
    page.get_by_role("checkbox", name="A friend").check()
    page.get_by_role("checkbox", name="I wouldn't talk to anyone").check()
    click_and_wait(page, "Continue")
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "You ticked 'I wouldn't talk to anyone' and someone else. Untick one of them" in summary
    assert page.get_by_role("checkbox", name="A friend").is_checked()
    context.close()


def test_the_header_is_light_and_the_caption_is_two_lines_at_320_px(small_phone: Any, server_url: str) -> None:
    page = small_phone
    to_page(page, server_url, 1)
    header = page.locator("header").bounding_box()
    assert header is not None
    assert header["height"] <= 80, f"the header takes {header['height']} of 640 px"
    survey, step = page.locator(".vs-caption__survey").bounding_box(), page.locator(".vs-caption__step").bounding_box()
    assert survey is not None
    assert step is not None
    assert step["y"] >= survey["y"] + survey["height"] - 1  # the count starts below the title, never after it
    heading = page.locator("h1").bounding_box()
    assert heading is not None
    assert heading["y"] < 320, "the page's heading should be in the top half of a small phone"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_the_start_page_has_the_easy_read_introduction_and_what_happens_if_not_safe(
    small_phone: Any, server_url: str
) -> None:
    page = small_phone
    page.goto(f"{server_url}/s/{YPV}")
    easy = page.locator(".vs-easy-read li")
    assert easy.count() >= 4
    assert all(len(text.split()) <= 15 for text in easy.all_inner_texts())
    headings = page.locator("h2").all_inner_texts()
    assert headings.index("In short") < headings.index("If you tell us you are not safe")
    assert_accessible(page)
    # The start page, read as one conversation: no sentence said twice.
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", page.locator("main").inner_text()) if s.strip()]
    assert len(sentences) == len(set(sentences)), sentences


def test_axe_now_fails_on_a_moderate_finding(small_phone: Any) -> None:
    """The bar is any impact: a banner inside a header (moderate) is a failure, as it was on every page."""
    small_phone.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body>"
        "<header><div role='banner'>x</div></header><main><h1>t</h1></main></body></html>"
    )
    found = violations(small_phone)
    assert any(line.startswith("landmark") and "(moderate)" in line for line in found), found
