"""Done when (issue 11): a disclosure typed on a phone gets help first; the alert is in the queue and the outbox.

The real service (its own SQLite file, due work in-process as on a real SQLite deployment), a
young person on a 375 px wide screen, then the safeguarding lead in another browser context.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.pages import click_and_wait
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

LEAD = "dana.lead@example.org"
PASSWORD = "kettle harbour lantern 2026 dsl"
SAFEGUARDING_EMAIL = "safeguarding@york.example"
DISCLOSURE = "my mums boyfriend hits me and i dont feel safe at home"
CLI = Path(sys.executable).with_name("voice-service")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The service with a safeguarding lead and an outbox folder; (base URL, outbox)."""
    folder = tmp_path_factory.mktemp("safeguarding-browser")
    url = f"sqlite+aiosqlite:///{folder / 'sg.db'}"
    outbox = folder / "outbox"
    env = {"SAFEGUARDING_EMAIL": SAFEGUARDING_EMAIL, "OUTBOX_DIR": str(outbox), "JOBS_IN_PROCESS": "true"}
    with live_server(url, env=env) as base:
        subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [str(CLI), "users", "create", LEAD, "--role", "safeguarding_lead", "--name", "Dana Lead"],
            input=PASSWORD + "\n",
            text=True,
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )
        yield base, outbox


def outbox_messages(outbox: Path) -> list[Any]:
    paths = sorted(outbox.glob("*.eml")) if outbox.is_dir() else []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def test_a_disclosure_on_a_phone_gets_help_first_and_reaches_the_lead(
    phone: Any, browser: Any, service: tuple[str, Path]
) -> None:
    base, outbox = service
    page = phone
    page.goto(f"{base}/s/young-people-voice")
    click_and_wait(page, "Start now")
    # Straight to the free-text question: Continue past the pages before it (every question is optional).
    for _ in range(4):
        if page.locator("textarea[name='make_better']").count():
            break
        click_and_wait(page, "Continue")
    page.locator("textarea[name='make_better']").fill(DISCLOSURE)
    started = time.monotonic()
    for _ in range(6):
        if "/check" in page.url:
            break
        click_and_wait(page, "Continue")
    page.wait_for_url(re.compile(r"/check$"))
    click_and_wait(page, re.compile("Send"))
    page.wait_for_url(re.compile(r"/done$"))

    # Help first: the help block comes before "What happens next", with Childline and 999.
    help_block = page.locator("#help-now")
    assert help_block.is_visible()
    assert "0800 1111" in help_block.inner_text()
    assert "999" in help_block.inner_text()
    main = page.locator("main").inner_text()
    assert main.index("help now") < main.index("What happens next")
    box = help_block.bounding_box()
    assert box is not None
    assert box["width"] <= 375
    assert_accessible(page)

    # The email reaches the safeguarding address within a minute (here: seconds), without the words.
    deadline = time.monotonic() + 60
    while not outbox_messages(outbox) and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = outbox_messages(outbox)
    assert time.monotonic() - started < 60
    assert message["To"] == SAFEGUARDING_EMAIL
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "hits" not in body
    link = re.search(r"https?://\S+/staff/safeguarding/alerts/(\S+)", body)
    assert link is not None

    # The lead follows the link in another browser, signs in and finds the alert with the whole answer.
    lead_context = browser.new_context(viewport={"width": 1280, "height": 900})
    lead = lead_context.new_page()
    try:
        lead.goto(f"{base}/staff/safeguarding/alerts/{link.group(1)}")
        lead.wait_for_url(re.compile(r"/staff/login"))
        lead.fill("#email", LEAD)
        lead.fill("#password", PASSWORD)
        click_and_wait(lead, "Sign in")
        lead.wait_for_url(re.compile(r"/staff/safeguarding/alerts/"))
        assert DISCLOSURE in lead.locator("#answer").inner_text()
        assert "Physical abuse" in lead.locator("main").inner_text()
        assert_accessible(lead)
        lead.goto(f"{base}/staff/safeguarding")
        assert "1 alert" in lead.locator("main").inner_text()
        assert_accessible(lead)
    finally:
        lead_context.close()
