"""axe-core on every public page of every shipped survey, as shown and with its errors, in Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from forms import load_surveys
from forms.questions import QUESTION_TYPES
from tests.browser.axe import assert_accessible
from tests.browser.pages import click_and_wait
from tests.conftest import FORMS_DIR
from tests.support.delegates import link_cookie_for
from tests.support.live_server import live_server
from voice_service.surveys.gate import needs_link

pytestmark = pytest.mark.browser

SURVEYS = load_surveys(FORMS_DIR)
SLUGS = sorted(SURVEYS)
#: Where the module's server keeps its database (course surveys need a delegate's link made in it).
SITE: dict[str, str] = {}
CLOSED = "closed-ballot"

#: Fills every field of the page's form with something acceptable: the first choice of each
#: radio or checkbox group, distinct options for the places of a ranking, a small number or
#: a few words. Why generic: a new question type or survey is then scanned with no test change.
FILL_EVERY_FIELD = """
() => {
  const form = document.querySelector("main form");
  const groups = new Set();
  const places = {};
  for (const el of form.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit") continue;
    if (el.type === "radio" || el.type === "checkbox") {
      if (!groups.has(el.name)) { el.checked = true; groups.add(el.name); }
    } else if (el.tagName === "SELECT") {
      const question = el.name.replace(/-\\d+$/, "");
      places[question] = (places[question] || 0) + 1;
      el.selectedIndex = Math.min(places[question], el.options.length - 1);
    } else if (el.inputMode === "numeric" || el.inputMode === "decimal") {
      el.value = "3";
    } else {
      el.value = "It was useful";
    }
  }
}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service on the shipped surveys plus one closed survey."""
    folder = tmp_path_factory.mktemp("a11y")
    forms = folder / "surveys"
    shutil.copytree(FORMS_DIR, forms)
    ballot = (forms / "make-your-mark.yaml").read_text(encoding="utf-8")
    assert ballot.count("slug: make-your-mark") == 1
    assert ballot.count("open: true") == 1
    closed = ballot.replace("slug: make-your-mark", f"slug: {CLOSED}").replace("open: true", "open: false")
    (forms / f"{CLOSED}.yaml").write_text(closed, encoding="utf-8")
    SITE["database_url"] = f"sqlite+aiosqlite:///{folder / 'a11y.db'}"
    with live_server(SITE["database_url"], env={"FORMS_DIR": str(forms)}) as base:
        yield base


def visit(page: Any, url: str) -> int:
    """Go to a page; its HTTP status."""
    reply = page.goto(url)
    assert reply is not None
    return int(reply.status)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_of_a_survey_has_no_serious_violations(phone: Any, site: str, slug: str) -> None:
    """Start page, each question page (empty, then with its errors), check answers and done."""
    page = phone
    if needs_link(SURVEYS[slug]):
        # A course survey opens only through a delegate's link: first the page for someone without one.
        page.goto(f"{site}/s/{slug}")
        assert page.locator("h1").inner_text() == "Open this survey from your link"
        assert_accessible(page)
        # In another thread: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(1) as worker:
            secret = worker.submit(link_cookie_for, SITE["database_url"], slug, FORMS_DIR).result()
        page.context.add_cookies([{"name": "vs_link", "value": secret, "url": f"{site}/s/{slug}"}])
    page.goto(f"{site}/s/{slug}")
    assert_accessible(page)
    click_and_wait(page, "Start now")
    answer_pages(page, slug, scan=True)
    assert_accessible(page)
    if page.get_by_role("button", name="Send my answers").count() == 0:
        # Every question was optional and left blank: the check page asked for an answer. Give them.
        with page.expect_navigation():
            page.get_by_role("link", name="Go to the first question").click()
        answer_pages(page, slug, scan=False)
    click_and_wait(page, "Send my answers")
    assert page.url.endswith("/done")
    assert_accessible(page)


def answer_pages(page: Any, slug: str, *, scan: bool) -> None:
    """Continue to "Check your answers": scanning each page and its errors, or filling every field."""
    for _ in range(30):
        if page.url.endswith("/check"):
            return
        assert re.search(r"/page/\d+(\?.*)?$", page.url), page.url
        if scan:
            assert_accessible(page)
            click_and_wait(page, "Continue")
            if not page.title().startswith("Error: "):
                continue
            assert page.locator(".govuk-error-summary").is_visible()
            assert_accessible(page)
        page.evaluate(FILL_EVERY_FIELD)
        click_and_wait(page, "Continue")
        assert not page.title().startswith("Error: "), f"{slug}: the filled-in page was refused: {page.url}"
    raise AssertionError(f"{slug}: still not at 'Check your answers' after 30 pages")


def test_the_home_page_a_closed_survey_and_a_missing_page(phone: Any, site: str) -> None:
    page = phone
    page.goto(f"{site}/")
    assert_accessible(page)
    assert visit(page, f"{site}/s/{CLOSED}") == 200
    assert "This survey is closed" in page.locator("main").inner_text()
    assert_accessible(page)
    assert visit(page, f"{site}/s/no-such-survey") == 404
    assert_accessible(page)
    assert visit(page, f"{site}/s/{SLUGS[0]}/page/99") < 500
    assert_accessible(page)


def test_the_shipped_surveys_use_every_question_type() -> None:
    """So the crawl above scans every question template, with and without its error."""
    used = {q.type_code for survey in load_surveys(FORMS_DIR).values() for q in survey.questions}
    assert used == set(QUESTION_TYPES)
