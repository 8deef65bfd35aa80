"""The lead's queue, pages and API: list, filter, open (audited), move along; the lead alone sees it."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, alert_id_for, alerts, submit, words
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.staff import FIXED_USERS, api_token, bearer, sign_in
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

OTHER_ROLES = [key for key in FIXED_USERS if key != "safeguarding_lead"]


def audit_rows(url: str) -> list[tuple[str, str, str]]:
    rows = database.query(url, "SELECT action, actor_label, target_id FROM audit_event ORDER BY id")
    return [(a, b, c) for a, b, c in rows if a.startswith("safeguarding.")]


@pytest.fixture
def lead(staff_client: Callable[[str], TestClient]) -> TestClient:
    return staff_client("safeguarding_lead")


@pytest.fixture
def lead_api(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, str]:
    return bearer(api_token(settings, staff_users["safeguarding_lead"]))


def test_the_queue_lists_alerts_and_the_lead_opens_one(lead: TestClient, settings: Settings) -> None:
    ack = submit(lead, {"make_better": DISCLOSURE, "area": "west", "age_band": "11_15"})
    submit(lead, {"make_better": ORDINARY})
    page = lead.get("/staff/safeguarding")
    assert page.status_code == 200
    assert "1 alert" in words(page.text)
    assert "Physical abuse" in words(page.text)
    assert DISCLOSURE not in page.text  # the list shows no words of the answer
    alert_id = alert_id_for(settings.database_url, ack["id"])
    opened = lead.get(f"/staff/safeguarding/alerts/{alert_id}")
    assert opened.status_code == 200
    text = words(opened.text)
    assert DISCLOSURE in text
    assert "What would make things better for children and young people in York?" in text
    assert "hits me" in text  # the words that matched
    assert "West, like Acomb, Holgate or Poppleton" in text  # what else helps to act
    assert "11 to 15" in text
    assert audit_rows(settings.database_url) == [("safeguarding.alert.open", "sam.lead@example.org", str(alert_id))]


def test_the_lead_moves_an_alert_from_new_to_acknowledged_to_actioned(lead: TestClient, settings: Settings) -> None:
    alert_id = alert_id_for(settings.database_url, submit(lead, {"make_better": DISCLOSURE})["id"])
    url = f"/staff/safeguarding/alerts/{alert_id}"
    done = lead.post(
        f"{url}/status", data=with_csrf(lead, {"status": "acknowledged", "note": ""}), follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{url}?done=acknowledged"
    refused = lead.post(f"{url}/status", data=with_csrf(lead, {"status": "actioned", "note": "  "}))
    assert refused.status_code == 400
    assert "Enter a note saying what was done" in words(refused.text)
    assert [a["status"] for a in alerts(settings.database_url)] == ["acknowledged"]
    note = "Called the school's DSL <b>today</b>; referral made."
    lead.post(f"{url}/status", data=with_csrf(lead, {"status": "actioned", "note": note}))
    page = lead.get(url)
    assert "Called the school&#39;s DSL &lt;b&gt;today&lt;/b&gt;; referral made." in page.text
    assert "Actioned" in page.text
    assert "sam.lead@example.org" in page.text
    [alert] = alerts(settings.database_url)
    assert alert["status"] == "actioned"
    assert alert["closed_at"] is not None
    rows = database.query(
        settings.database_url, "SELECT status, actor_label, note FROM safeguarding_alert_change ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        ("acknowledged", "sam.lead@example.org", ""),
        ("actioned", "sam.lead@example.org", note),
    ]
    actions = [a for a, _, _ in audit_rows(settings.database_url)]
    assert "safeguarding.alert.acknowledged" in actions
    assert "safeguarding.alert.actioned" in actions
    closed = lead.post(f"{url}/status", data=with_csrf(lead, {"status": "no_concern", "note": "x"}))
    assert closed.status_code == 400
    assert "This alert is closed" in words(closed.text)


def test_a_status_that_skips_a_step_or_is_unknown_is_refused(lead: TestClient, settings: Settings) -> None:
    alert_id = alert_id_for(settings.database_url, submit(lead, {"make_better": DISCLOSURE})["id"])
    for status in ("actioned", "no_concern", "new", "closed", ""):
        response = lead.post(
            f"/staff/safeguarding/alerts/{alert_id}/status", data=with_csrf(lead, {"status": status, "note": "n"})
        )
        assert response.status_code == 400, status
        assert "Select what happened: acknowledged" in words(response.text)
    too_long = lead.post(
        f"/staff/safeguarding/alerts/{alert_id}/status",
        data=with_csrf(lead, {"status": "acknowledged", "note": "x" * 2001}),
    )
    assert too_long.status_code == 400
    assert [a["status"] for a in alerts(settings.database_url)] == ["new"]


def test_the_queue_filters_by_status(lead: TestClient, settings: Settings) -> None:
    first = alert_id_for(settings.database_url, submit(lead, {"make_better": DISCLOSURE})["id"])
    alert_id_for(settings.database_url, submit(lead, {"make_better": "i want to die"})["id"])
    lead.post(f"/staff/safeguarding/alerts/{first}/status", data=with_csrf(lead, {"status": "acknowledged"}))
    assert "1 alert: new" in words(lead.get("/staff/safeguarding?status=new").text)
    assert "1 alert: acknowledged" in words(lead.get("/staff/safeguarding?status=acknowledged").text)
    assert "There are no actioned alerts" in words(lead.get("/staff/safeguarding?status=actioned").text)
    bad = lead.get("/staff/safeguarding", params={"status": "<i>zz9</i>"})
    assert bad.status_code == 400
    assert "Status must be one of" in words(bad.text)
    assert "<i>zz9" not in bad.text


def test_an_unknown_alert_is_a_404(lead: TestClient, lead_api: dict[str, str]) -> None:
    missing = uuid.uuid4()
    assert lead.get(f"/staff/safeguarding/alerts/{missing}").status_code == 404
    assert lead.get(f"/api/safeguarding/alerts/{missing}", headers=lead_api).status_code == 404
    assert lead.get("/staff/safeguarding/alerts/not-a-uuid").status_code in (400, 404)


def test_the_api_lists_and_opens_alerts(client: TestClient, lead_api: dict[str, str], settings: Settings) -> None:
    ack = submit(client, {"make_better": DISCLOSURE, "area": "west"})
    listed = client.get("/api/safeguarding/alerts", headers=lead_api)
    assert listed.status_code == 200
    [item] = listed.json()
    assert set(item) == {"id", "survey", "question", "response_id", "categories", "status", "created_at"}
    assert item["response_id"] == ack["id"]
    assert item["status"] == "new"
    assert item["survey"] == "young-people-voice"
    assert item["question"] == "make_better"
    assert DISCLOSURE not in listed.text
    assert client.get("/api/safeguarding/alerts?status=actioned", headers=lead_api).json() == []
    bogus = client.get("/api/safeguarding/alerts?status=bogus", headers=lead_api)
    assert bogus.status_code == 422
    assert "status" in bogus.text
    opened = client.get(f"/api/safeguarding/alerts/{item['id']}", headers=lead_api).json()
    assert opened["text"] == DISCLOSURE
    assert {"category": "physical_abuse", "words": "hits me"} in opened["matches"] or any(
        "hits me" in m["words"] for m in opened["matches"]
    )
    assert {
        "question_id": "area",
        "question": "Which part of York do you live in?",
        "answer": ["West, like Acomb, Holgate or Poppleton"],
    } in opened["other_answers"]
    assert opened["next_statuses"] == ["acknowledged"]
    assert [a for a, _, _ in audit_rows(settings.database_url)] == ["safeguarding.alert.open"]


def test_the_api_moves_an_alert_on_with_field_errors_when_it_cannot(
    client: TestClient, lead_api: dict[str, str], settings: Settings
) -> None:
    alert_id = alert_id_for(settings.database_url, submit(client, {"make_better": DISCLOSURE})["id"])
    url = f"/api/safeguarding/alerts/{alert_id}/status"
    refused = client.post(url, json={"status": "actioned", "note": ""}, headers=lead_api)
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"status", "note"}
    assert client.post(url, json={"status": "done"}, headers=lead_api).status_code in (400, 422)
    assert client.post(url, json={"status": "acknowledged", "extra": 1}, headers=lead_api).status_code in (400, 422)
    assert client.post(url, json={"status": "acknowledged", "note": 5}, headers=lead_api).status_code in (400, 422)
    moved = client.post(url, json={"status": "acknowledged"}, headers=lead_api)
    assert moved.status_code == 200
    assert moved.json()["status"] == "acknowledged"
    closed = client.post(
        url, json={"status": "no_concern", "note": "Quoting song lyrics; checked with school."}, headers=lead_api
    )
    assert closed.json()["status"] == "no_concern"
    assert [c["status"] for c in closed.json()["changes"]] == ["acknowledged", "no_concern"]
    assert [a["status"] for a in alerts(settings.database_url)] == ["no_concern"]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_sees_an_alert(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], role: str
) -> None:
    alert_id = alert_id_for(settings.database_url, submit(client, {"make_better": DISCLOSURE})["id"])
    sign_in(client, settings, staff_users[role])
    for path in ("/staff/safeguarding", f"/staff/safeguarding/alerts/{alert_id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert DISCLOSURE not in response.text
    refused = client.post(
        f"/staff/safeguarding/alerts/{alert_id}/status", data=with_csrf(client, {"status": "acknowledged"})
    )
    assert refused.status_code == 403
    token = bearer(api_token(settings, staff_users[role]))
    for path in ("/api/safeguarding/alerts", f"/api/safeguarding/alerts/{alert_id}"):
        assert client.get(path, headers=token).status_code == 403
    assert client.get("/api/safeguarding/alerts").status_code == 401
    assert [a["status"] for a in alerts(settings.database_url)] == ["new"]
    assert audit_rows(settings.database_url) == []


def test_the_lead_finds_the_queue_from_the_staff_start_page(lead: TestClient) -> None:
    assert 'href="/staff/safeguarding"' in lead.get("/staff/").text
