"""The training reports in a real browser on the demo data: keyboard only, axe, 320 px, print on A4, downloads.

The dashboard and the annual report are scanned by axe on a desktop-sized and a phone-sized window;
their SVG charts must load under the page's CSP (which fails the test if it refuses anything).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import press_enter_and_wait, tab_to
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

EMAIL = "rita.reports@example.org"
PASSWORD = "copper meadow violin 2026"
CLI = Path(sys.executable).with_name("voice-service")


@pytest.fixture(scope="module")
def reports_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real service with the demo data and one training administrator, set up as the README says."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('reports-browser') / 'reports.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    for command, given in (
        (["db", "upgrade"], None),
        (["demo", "load", "--per-survey", "2"], None),
        (["users", "create", EMAIL, "--role", "training_admin", "--name", "Rita Reports"], PASSWORD + "\n"),
    ):
        subprocess.run([str(CLI), *command], input=given, text=True, env=env, check=True, capture_output=True)  # noqa: S603
    with live_server(url) as base:
        yield base


def sign_in(page: Any, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    page.wait_for_url(re.compile(r"/staff/login\?next="))
    tab_to(page, "#email")
    page.keyboard.type(EMAIL)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)


def charts_loaded(page: Any) -> int:
    """How many chart images loaded (an SVG refused or broken has no natural width)."""
    return int(
        page.evaluate("[...document.querySelectorAll('img.vs-chart__image')].filter(i => i.naturalWidth > 0).length")
    )


def overflows(page: Any) -> bool:
    """Whether the page is wider than the window (a horizontal scroll for the whole page)."""
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


def test_dashboard_annual_report_and_downloads_with_the_keyboard(window: Any, reports_server: str) -> None:
    page = window
    sign_in(page, reports_server, "/staff/reports/training")
    page.wait_for_url(re.compile(r"/staff/reports/training$"))
    assert page.locator("h1").inner_text() == "Training reports"
    assert "29 sessions, 410 attendees and 313 evaluations." in page.inner_text("main")
    assert charts_loaded(page) == 6
    assert not overflows(page)
    assert_accessible(page)

    # A table downloads from the keyboard.
    tab_to(page, "a:has-text('Download courses as CSV')")
    with page.expect_download() as caught:
        page.keyboard.press("Enter")
    download = caught.value
    assert download.suggested_filename.startswith("training-courses-")
    content = Path(download.path()).read_bytes().decode("utf-8")
    assert content.startswith("\ufeffCourse,Sessions,Attendees,Evaluations")
    assert "Safeguarding Children: Working Together A,8,160,126" in content

    # The same table for publication, as a workbook, from the keyboard.
    tab_to(page, "a:has-text('Download courses for publication (XLSX')")
    with page.expect_download() as caught:
        page.keyboard.press("Enter")
    download = caught.value
    assert download.suggested_filename.endswith("-for-publication.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    assert sheet is not None
    assert [cell.value for cell in sheet[3]][:3] == ["Course", "Sessions", "Attendees"]

    # Trends by quarter: the period switch, from the top of the page.
    page.goto(f"{reports_server}/staff/reports/training")
    # Tab reaches the group's chosen radio; an arrow key moves the choice, as in any radio group.
    tab_to(page, "#period")
    page.keyboard.press("ArrowRight")
    assert page.locator("#period-2").is_checked()
    tab_to(page, "button:has-text('Show these dates')")
    press_enter_and_wait(page)
    assert "period=quarter" in page.url
    main = page.inner_text("main")
    assert "Course Impact Score by quarter" in main
    assert "By quarter" in main
    assert charts_loaded(page) == 6
    assert not overflows(page)
    assert_accessible(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 700})
    assert not overflows(page)
    assert_accessible(page)
    page.set_viewport_size(size)

    # The annual report for 2022/23, from its link.
    tab_to(page, "a:has-text('Training in 2022/23')")
    press_enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Multi-agency training in 2022/23"
    main = page.inner_text("main")
    assert "Out of 160 delegates who attended the training 126 completed the evaluation survey." in main
    assert "76% of delegates who answered said they were likely or very likely" in main
    assert charts_loaded(page) == 5
    assert not overflows(page)
    assert_accessible(page)


def test_the_annual_report_fits_320_px_and_prints_on_a4(phone: Any, reports_server: str) -> None:
    page = phone
    page.set_viewport_size({"width": 320, "height": 700})
    sign_in(page, reports_server, "/staff/reports/training/annual?year=2022/23")
    page.wait_for_url(re.compile(r"/staff/reports/training/annual"))
    assert not overflows(page)
    assert_accessible(page)
    # A4 less 15 mm margins is 180 mm, about 680 CSS pixels: nothing may be wider than the page.
    page.set_viewport_size({"width": 680, "height": 1000})
    page.emulate_media(media="print")
    assert not overflows(page)
    boxes = "[...document.querySelectorAll('.vs-table-scroll, .vs-chart')]"
    cut = page.evaluate(boxes + ".filter(e => e.scrollWidth > e.clientWidth + 1).length")
    assert cut == 0
    assert not page.locator(".govuk-service-navigation").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
