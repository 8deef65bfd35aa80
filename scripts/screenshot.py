"""Take the README screenshot: a survey page on a phone-sized screen, in Debian's Chromium.

Usage: .venv/bin/python scripts/screenshot.py [BASE_URL]  (with `make run` serving BASE_URL)
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshot-survey.png"


def main(base: str) -> None:
    """Open the young people's survey, ask for an answer that is missing, capture the page."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=1)
        page.goto(f"{base}/s/young-people-voice")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("button", name="Continue").click()
        page.screenshot(path=str(OUT), full_page=True)
        browser.close()
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
