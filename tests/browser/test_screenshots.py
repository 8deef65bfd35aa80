"""Every page of the voice survey and Make Your Mark at 320 px, as a new young person meets them.

Each page is photographed and scanned with axe; with UPDATE_SCREENSHOTS=1 the pictures are written to
docs/screenshots/ (shown in docs/young-people-pages.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import csp_violations
from tests.browser.pages import click_and_wait

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE = os.environ.get("UPDATE_SCREENSHOTS") == "1"


@pytest.fixture
def narrow(browser: Any, tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    """A 320 px wide page and the folder its pictures go to."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    refused = csp_violations(page)
    folder = DOCS if UPDATE else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    yield page, folder
    context.close()
    assert refused == []


def shoot(page: Any, folder: Path, name: str) -> None:
    """Scan the page, then save the whole page as a PNG."""
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} scrolls sideways at 320 px"
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def test_every_page_of_the_voice_survey(narrow: tuple[Any, Path], server_url: str) -> None:
    page, folder = narrow
    page.goto(f"{server_url}/s/young-people-voice")
    shoot(page, folder, "voice-1-start")
    click_and_wait(page, "Start now")
    page.locator("select[name=what_matters-2]").select_option("school")
    click_and_wait(page, "Continue")
    shoot(page, folder, "voice-2-ranking-error")
    page.locator("select[name=what_matters-1]").select_option("feeling_safe")
    click_and_wait(page, "Continue")
    page.get_by_role("radio", name="Sometimes").check()
    shoot(page, folder, "voice-3-faces")
    click_and_wait(page, "Continue")
    page.get_by_role("checkbox", name="I wouldn't talk to anyone").check()
    shoot(page, folder, "voice-4-who-would-you-talk-to")
    click_and_wait(page, "Continue")
    assert re.search(r"/page/4$", page.url)
    shoot(page, folder, "voice-5-easier-to-talk")
    click_and_wait(page, "Continue")
    shoot(page, folder, "voice-6-about-you")
    click_and_wait(page, "Continue")
    shoot(page, folder, "voice-7-check")
    click_and_wait(page, "Send my answers")
    shoot(page, folder, "voice-8-sent")


def test_every_page_of_make_your_mark(narrow: tuple[Any, Path], server_url: str) -> None:
    page, folder = narrow
    page.goto(f"{server_url}/s/make-your-mark")
    shoot(page, folder, "vote-1-start")
    click_and_wait(page, "Start now")
    click_and_wait(page, "Continue")
    shoot(page, folder, "vote-2-error")
    page.get_by_role("radio", name="Environment").check()
    click_and_wait(page, "Continue")
    shoot(page, folder, "vote-3-about-you")
    click_and_wait(page, "Continue")
    shoot(page, folder, "vote-4-check")
    click_and_wait(page, "Send my answers")
    shoot(page, folder, "vote-5-sent")
    page.goto(f"{server_url}/s/make-your-mark")
    shoot(page, folder, "vote-6-start-after-voting")
