"""After sending, Back must not show a child's answers again (a shared school computer)."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.http.helpers import answer_pages, submission_key, submit
from tests.security.conftest import ANSWERS, SLUG, WORDS
from tests.support.html import Html


def test_pages_that_show_answers_are_never_stored_by_the_browser(client: TestClient) -> None:
    walk = answer_pages(client, SLUG, ANSWERS)
    assert WORDS in walk.check.source
    check = client.get(f"/s/{SLUG}/check")
    page = client.get(f"/s/{SLUG}/page/3")
    assert WORDS in page.text
    for response in (check, page):
        assert response.headers["cache-control"] == "no-store"


def test_back_after_sending_shows_the_confirmation_not_the_answers(client: TestClient) -> None:
    walk = answer_pages(client, SLUG, ANSWERS)
    assert submit(client, SLUG, submission_key(walk.check)).headers["location"] == f"/s/{SLUG}/done"
    # Back re-requests each page (no-store); none of them shows the answers, and none says they were lost.
    for path in (f"/s/{SLUG}/check", *(f"/s/{SLUG}/page/{n}" for n in reversed(walk.pages))):
        back = client.get(path)
        assert back.status_code == 200
        assert WORDS not in back.text, path
        assert "Thank you: your answers have been sent" in Html(back.text).one(cls="govuk-panel").text
        assert back.headers["cache-control"] == "no-store"


def test_once_the_sent_marker_expires_back_offers_a_fresh_start(client: TestClient) -> None:
    walk = answer_pages(client, SLUG, ANSWERS)
    submit(client, SLUG, submission_key(walk.check))
    client.cookies.delete("vs_sent", domain="testserver.local", path=f"/s/{SLUG}")
    back = client.get(f"/s/{SLUG}/check", follow_redirects=False)
    assert back.headers["location"] == f"/s/{SLUG}?expired=1"
