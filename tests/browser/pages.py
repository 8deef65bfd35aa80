"""Moving through pages as a person would: the Tab key, Enter, and buttons by their names."""

from __future__ import annotations

from typing import Any


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (keyboard only, no clicks)."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def press_enter_and_wait(page: Any) -> None:
    """Press Enter on the focused control and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def click_and_wait(page: Any, name: str) -> None:
    """Click a button by its accessible name and wait for the page it loads (a click alone does not)."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
