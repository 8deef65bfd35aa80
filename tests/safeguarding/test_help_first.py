"""After a flagged answer through the pages, the confirmation shows where to get help first."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.http.helpers import answer_pages, submission_key, submit
from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, VOICE, alerts, words
from tests.support.html import Html
from voice_service.core.settings import Settings


def send(client: TestClient, make_better: str) -> str:
    """Answer the young people's voice survey through its pages; the confirmation page's HTML."""
    walk = answer_pages(client, VOICE, {3: {"make_better": make_better}})
    response = submit(client, VOICE, submission_key(walk.check))
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{VOICE}/done"
    done = client.get(response.headers["location"])
    assert done.status_code == 200
    return done.text


def test_a_flagged_answer_gets_help_first_and_an_alert(client: TestClient, settings: Settings) -> None:
    page = send(client, DISCLOSURE)
    assert Html(page).one(cls="vs-help-first") is not None
    text = words(page)
    assert text.index("If you need help now") < text.index("What happens next")
    assert "0800 1111" in text
    assert "999" in text
    # The marker cookie holds no id, only that help comes first.
    assert client.cookies.get("vs_help") == "1"
    assert len(alerts(settings.database_url)) == 1


def test_an_ordinary_answer_gets_the_smaller_help_block_after(client: TestClient, settings: Settings) -> None:
    page = send(client, ORDINARY)
    assert not Html(page).all(cls="vs-help-first")
    text = words(page)
    assert text.index("What happens next") < text.index("If you need help now")
    assert alerts(settings.database_url) == []


def test_the_next_person_at_the_same_browser_is_not_shown_the_last_ones_help_first(client: TestClient) -> None:
    send(client, DISCLOSURE)
    page = send(client, ORDINARY)
    assert not Html(page).all(cls="vs-help-first")
