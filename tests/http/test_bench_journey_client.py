"""The journey benchmark's browser reads the real pages and answers them as the service accepts.

If a template change moved the form, its CSRF token or an option, the benchmark would fail its
journeys; this finds that here first, through the same pages on both databases.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import pytest
from litestar.testing import TestClient

BENCH = Path(__file__).resolve().parents[2] / "bench"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def bench_module(name: str) -> ModuleType:
    """A module of bench/ (a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


html_client = bench_module("html_client")


@pytest.mark.parametrize("slug", ["young-people-voice", "sexual-health-young-people"])
def test_the_benchmark_browser_completes_a_survey_through_its_pages(client: TestClient, slug: str) -> None:
    rng = random.Random(13)  # noqa: S311 - picks answers, not a secret
    start = html_client.read_form(client.get(f"/s/{slug}/").text)
    reply = client.post(start.action, data=dict(html_client.answer_form(start, rng)), follow_redirects=False)
    assert reply.status_code == 303
    pages = 0
    while "/page/" in (location := reply.headers["location"]):
        page = html_client.read_form(client.get(location).text)
        assert not page.has_errors
        form = html_client.answer_form(page, rng)
        assert any(name == "_csrf_token" for name, _ in form)
        # Encoded by hand: checkboxes and ranking selects repeat a name, which a dict would lose.
        reply = client.post(page.action, content=urlencode(form), headers=FORM, follow_redirects=False)
        assert reply.status_code == 303, html_client.read_form(reply.text).has_errors
        pages += 1
    assert location.endswith("/check")
    assert pages >= 4  # a page whose questions all depend on an earlier answer may be skipped
    check = html_client.read_form(client.get(location).text)
    fields = html_client.answer_form(check, rng)
    assert dict(fields)["submission_key"]
    reply = client.post(check.action, data=dict(fields), follow_redirects=False)
    assert reply.headers["location"].endswith("/done")
    assert "your answers have been sent" in client.get(reply.headers["location"]).text


def test_a_page_with_an_error_summary_is_seen_as_refused() -> None:
    page = html_client.read_form(
        '<div class="govuk-error-summary"></div><form method="post" action="/s/x/page/1">'
        '<input type="hidden" name="_csrf_token" value="t"></form>'
    )
    assert page.has_errors
    assert page.action == "/s/x/page/1"
    with pytest.raises(html_client.JourneyFailed):
        html_client.read_form("<p>No form here</p>")
