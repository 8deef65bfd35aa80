"""The "You Said / We Did" staff pages through HTTP: draft, queue, return, resubmit, approve, publish, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.voice.conftest import audit_actions, snapshot
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]
HOME = "/staff/you-said-we-did"
FORM = {
    "source": "Care Experienced Young People",
    "theme": "Housing",
    "said": "<p>We want help with housing.</p>\nAnd a single protocol.",
    "people_count": "14",
    "evidence_kind": "meeting",
    "evidence_detail": "Corporate Parenting Board, November 2022",
    "done": "The Housing Team wrote a Housing Protocol.",
    "owner_organisation": "City of York Council",
    "owner_officer": "",
    "due_on-day": "1",
    "due_on-month": "2",
    "due_on-year": "2021",
    "easy_read": "You told us about housing. We made new housing rules.",
}


def post(client: TestClient, url: str, data: dict[str, Any]) -> httpx.Response:
    """A form post as the browser sends it (with the CSRF field), not following redirects."""
    return client.post(url, data=with_csrf(client, data, page=HOME), follow_redirects=False)


def draft(client: TestClient, **changes: str) -> str:
    """Draft a record through the form; its page's URL."""
    response = post(client, f"{HOME}/new", {**FORM, **changes})
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


def test_editor_drafts_reviewer_returns_editor_resubmits_reviewer_publishes(
    staff_client: StaffClient, settings: Settings
) -> None:
    client = staff_client("voice_editor")
    url = draft(client)
    page = Html(client.get(f"{url}?done=created").text)
    assert page.h1 == "Housing"
    assert "<p>We want help with housing.</p>" in page.one(cls="govuk-summary-list").text
    assert "&lt;p&gt;We want help" in client.get(url).text
    assert post(client, f"{url}/move", {"to": "submitted", "comment": ""}).status_code == 303

    client = staff_client("voice_reviewer")
    queue = Html(client.get(f"{HOME}/review").text)
    assert [a.text for a in queue.all("a") if a.attrs.get("href") == url] == ["Housing"]
    assert "Overdue" in queue.one("table").text
    refused = post(client, f"{url}/move", {"to": "returned", "comment": ""})
    assert refused.status_code == 400
    assert Html(refused.text).error_summary == [
        ("#comment", "Say what the editor should change before you return the record")
    ]
    assert post(client, f"{url}/move", {"to": "returned", "comment": "Name the officer"}).status_code == 303

    client = staff_client("voice_editor")
    assert client.get(f"{url}/edit").status_code == 200
    changed = post(client, f"{url}/edit", {**FORM, "owner_officer": "Corporate Parenting Advisor"})
    assert changed.status_code == 303
    assert post(client, f"{url}/move", {"to": "submitted", "comment": "Officer named"}).status_code == 303

    client = staff_client("voice_reviewer")
    assert post(client, f"{url}/move", {"to": "approved", "comment": ""}).status_code == 303
    assert post(client, f"{url}/move", {"to": "published", "comment": ""}).status_code == 303
    page = Html(client.get(url).text)
    assert [tag.text for tag in page.all("strong", cls="govuk-tag")] == ["Published", "Overdue"]
    history = [li.text for li in page.all("li", within="govuk-list")]
    assert len(history) == 6
    assert "Name the officer" in history[2]
    assert "rex.reviewer@example.org" in history[2]
    assert audit_actions(settings.database_url)[-1] == "voice.record.published"


def test_an_editor_who_is_also_a_reviewer_cannot_approve_their_own(staff_client: StaffClient) -> None:
    client = staff_client("admin")
    url = draft(client)
    post(client, f"{url}/move", {"to": "submitted"})
    page = Html(client.get(url).text)
    assert "another reviewer must approve and publish it" in page.one(cls="govuk-inset-text").text
    assert not [i for i in page.all("input") if i.attrs.get("value") == "approved"]
    refused = post(client, f"{url}/move", {"to": "approved", "comment": ""})
    assert refused.status_code == 403
    assert "someone else must approve it" in Html(refused.text).one(cls="govuk-error-summary").text


def test_a_move_the_workflow_refuses_is_explained(staff_client: StaffClient) -> None:
    client = staff_client("voice_editor")
    url = draft(client)
    client = staff_client("voice_reviewer")
    refused = post(client, f"{url}/move", {"to": "published"})
    assert refused.status_code == 409
    assert "cannot become published" in Html(refused.text).one(cls="govuk-error-summary").text
    assert Html(post(client, f"{url}/move", {}).text).error_summary == [("#to", "Choose what to do with the record")]


def test_the_form_shows_every_problem_and_keeps_what_was_typed(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("voice_editor")
    before = snapshot(settings.database_url)
    bad = {**FORM, "theme": "", "people_count": "lots", "due_on-day": "31", "due_on-month": "2"}
    response = post(client, f"{HOME}/new", bad)
    assert response.status_code == 400
    page = Html(response.text)
    assert page.error_summary == [
        ("#theme", "Enter theme"),
        ("#people_count", "Number of young people must be a whole number, like 12"),
        ("#due_on-day", "Due date must be a real date, like 2024-03-27"),
    ]
    assert 'value="lots"' in response.text
    assert snapshot(settings.database_url) == before


def test_a_reviewer_cannot_open_the_draft_form(staff_client: StaffClient) -> None:
    assert staff_client("voice_reviewer").get(f"{HOME}/new").status_code == 403


@pytest.mark.parametrize("key", ["training_admin", "safeguarding_lead", "no_roles"])
def test_other_roles_are_refused(staff_client: StaffClient, key: str) -> None:
    assert staff_client(key).get(HOME).status_code == 403


def test_unknown_records_are_404_pages(staff_client: StaffClient) -> None:
    client = staff_client("voice_editor")
    assert client.get(f"{HOME}/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(f"{HOME}/not-an-id").status_code == 404
