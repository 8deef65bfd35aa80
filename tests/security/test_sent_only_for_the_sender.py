"""'Your answers have been sent' is shown only to the browser that sent them."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests.http.helpers import draft_cookie, submit
from tests.security.conftest import SLUG, other_browser, snapshot
from tests.support import database
from tests.support.csrf import with_csrf
from voice_service.core.settings import Settings

BALLOT = "make-your-mark"


def test_a_key_stored_through_the_api_does_not_confirm_a_browser_without_the_draft(
    client: TestClient, settings: Settings
) -> None:
    key = "attacker-chosen-key-0001"
    stored = client.post(
        f"/api/surveys/{BALLOT}/responses", json={"answers": {"vote": "transport"}, "submission_key": key}
    )
    assert stored.status_code == 201
    before = snapshot(settings.database_url)
    with other_browser(client) as child:
        response = submit(child, BALLOT, key)
        assert response.headers["location"] == f"/s/{BALLOT}?expired=1"
        assert "vs_sent" not in response.headers.get("set-cookie", "")
        done = child.get(f"/s/{BALLOT}/done", follow_redirects=False)
        assert done.status_code == 303
    assert snapshot(settings.database_url) == before


@pytest.mark.usefixtures("mid_survey")
def test_a_key_from_the_api_does_not_confirm_a_browser_with_another_draft(
    client: TestClient, settings: Settings
) -> None:
    key = "attacker-chosen-key-0002"
    api = client.post(
        f"/api/surveys/{SLUG}/responses", json={"answers": {"what_matters": ["school"]}, "submission_key": key}
    )
    assert api.status_code == 201
    before = snapshot(settings.database_url)
    response = submit(client, SLUG, key)
    assert response.headers["location"] == f"/s/{SLUG}?expired=1"
    assert snapshot(settings.database_url) == before
    # The child's own draft is untouched and can still be sent.
    assert draft_cookie(client)


def test_the_sender_sees_the_confirmation_and_a_second_click_does_too(client: TestClient, settings: Settings) -> None:
    from tests.http.helpers import answer_pages, submission_key

    walk = answer_pages(client, BALLOT, {1: {"vote": "environment"}})
    key, draft = submission_key(walk.check), draft_cookie(client)
    assert submit(client, BALLOT, key).headers["location"] == f"/s/{BALLOT}/done"
    assert client.get(f"/s/{BALLOT}/done").status_code == 200
    # A second click sent before the first reply arrived carries the old draft cookie only.
    with other_browser(client) as same_browser:
        same_browser.cookies.set("vs_draft", draft, domain="testserver.local", path=f"/s/{BALLOT}")
        again = same_browser.post(
            f"/s/{BALLOT}/submit", data=with_csrf(same_browser, {"submission_key": key}), follow_redirects=False
        )
    assert again.headers["location"] == f"/s/{BALLOT}/done"
    assert database.count(settings.database_url, "response") == 1
