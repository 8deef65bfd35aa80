"""The training API with bearer tokens: courses, sessions and delegates as issue 8 states them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.delegates import inbox, link_in, run_due, token_of
from tests.support.staff import api_token, bearer
from tests.training.conftest import audit_rows, snapshot
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings
from voice_service.training import timing

COURSE = {
    "name": "Safeguarding Children: Working Together B",
    "evaluation_survey": "working-together-b-evaluation",
    "follow_up_survey": "training-follow-up",
    "follow_up_days": 182,
}
SESSION = {"date": "2024-05-14", "mode": "online", "trainer": "CYSCP trainer", "capacity": 20}
DELEGATES = [
    {
        "name": "Ann Able",
        "email": "Ann@Example.org",
        "organisation": "Clifton Primary",
        "sector": "schools",
        "attended": True,
    },
    {
        "name": "Bob Baker",
        "email": "bob@example.org",
        "organisation": "York Hospital",
        "sector": "Health",
        "attended": "no",
    },
]


@pytest.fixture
def api(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> dict[str, str]:
    """The training admin's Authorization header."""
    return bearer(api_token(settings, staff_users["training_admin"]))


def _session(client: TestClient, api: dict[str, str]) -> tuple[str, str]:
    course = client.post("/api/courses", json=COURSE, headers=api).json()
    session = client.post(f"/api/courses/{course['id']}/sessions", json=SESSION, headers=api).json()
    return course["id"], session["id"]


def test_courses_and_sessions(client: TestClient, api: dict[str, str], settings: Settings) -> None:
    response = client.post("/api/courses", json=COURSE, headers=api)
    assert response.status_code == 201
    course = response.json()
    assert {k: course[k] for k in COURSE} == COURSE
    assert uuid.UUID(course["id"])
    assert client.get("/api/courses", headers=api).json() == [course]
    assert client.get(f"/api/courses/{course['id']}", headers=api).json() == course
    response = client.post(f"/api/courses/{course['id']}/sessions", json=SESSION, headers=api)
    assert response.status_code == 201
    session = response.json()
    assert {k: session[k] for k in SESSION} == SESSION
    assert session["course_id"] == course["id"]
    assert client.get(f"/api/courses/{course['id']}/sessions", headers=api).json() == [session]
    assert client.get(f"/api/courses/{course['id']}", headers=api).json()["sessions"] == 1
    assert [a[0] for a in audit_rows(settings.database_url)] == ["training.course.create", "training.session.create"]


def test_a_default_follow_up_delay(client: TestClient, api: dict[str, str]) -> None:
    body = {k: v for k, v in COURSE.items() if k != "follow_up_days"}
    assert client.post("/api/courses", json=body, headers=api).json()["follow_up_days"] == 182


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({**COURSE, "follow_up_days": 731}, 422, {"follow_up_days"}),
        ({**COURSE, "follow_up_days": 0}, 422, {"follow_up_days"}),
        ({**COURSE, "evaluation_survey": "training-follow-up"}, 422, {"evaluation_survey"}),
        ({**COURSE, "follow_up_survey": "working-together-a-evaluation"}, 422, {"follow_up_survey"}),
        ({**COURSE, "evaluation_survey": "no-such-survey"}, 422, {"evaluation_survey"}),
        ({**COURSE, "name": ""}, 422, {"name"}),
        ({**COURSE, "name": "x" * 201}, 422, {"name"}),
        ({**COURSE, "name": "a\nb"}, 422, {"name"}),
        ({k: v for k, v in COURSE.items() if k != "name"}, 422, {"name"}),
        ({**COURSE, "follow_up_days": "soon"}, 422, {"follow_up_days"}),
        ({**COURSE, "follow_up_days": 1.5}, 422, {"follow_up_days"}),
        ({**COURSE, "name": 7}, 422, {"name"}),
        ({**COURSE, "extra": 1}, 422, {"extra"}),
        ([COURSE], 400, None),
    ],
)
def test_course_rules(
    client: TestClient, api: dict[str, str], settings: Settings, body: Any, status: int, fields: set[str] | None
) -> None:
    before = snapshot(settings.database_url)
    response = client.post("/api/courses", json=body, headers=api)
    assert response.status_code == status, response.text
    if fields is not None:
        assert set(response.json()["errors"]) == fields
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"date": "2024-02-30"}, {"date"}),
        ({"date": "14/05/2024"}, {"date"}),
        ({"mode": "zoom"}, {"mode"}),
        ({"trainer": "  "}, {"trainer"}),
        ({"capacity": 0}, {"capacity"}),
        ({"capacity": 1001}, {"capacity"}),
    ],
)
def test_session_rules(client: TestClient, api: dict[str, str], change: dict[str, Any], fields: set[str]) -> None:
    course = client.post("/api/courses", json=COURSE, headers=api).json()
    response = client.post(f"/api/courses/{course['id']}/sessions", json={**SESSION, **change}, headers=api)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == fields
    assert client.get(f"/api/courses/{course['id']}/sessions", headers=api).json() == []


def test_delegates_as_json_then_the_same_again(client: TestClient, api: dict[str, str], settings: Settings) -> None:
    _course_id, session_id = _session(client, api)
    response = client.post(f"/api/sessions/{session_id}/delegates", json=DELEGATES, headers=api)
    assert response.status_code == 201
    assert response.json() == {"imported": 2, "unchanged": 0}
    response = client.post(f"/api/sessions/{session_id}/delegates", json=DELEGATES, headers=api)
    assert response.json() == {"imported": 0, "unchanged": 2}
    changed = [DELEGATES[0], {**DELEGATES[1], "attended": "yes"}]
    assert client.post(f"/api/sessions/{session_id}/delegates", json=changed, headers=api).json() == {
        "imported": 1,
        "unchanged": 1,
    }
    audit = [a for a in audit_rows(settings.database_url) if a[0] == "training.delegates.import"]
    assert len(audit) == 3


def test_delegates_as_csv(client: TestClient, api: dict[str, str]) -> None:
    _course_id, session_id = _session(client, api)
    csv = b"\xef\xbb\xbfName;E-mail;Employer;Sector;Attended\r\nAnn Able;ann@example.org;School;schools;y\r\n"
    headers = {**api, "Content-Type": "text/csv"}
    response = client.post(f"/api/sessions/{session_id}/delegates", content=csv, headers=headers)
    assert response.status_code == 201
    assert response.json() == {"imported": 1, "unchanged": 0}


def test_any_bad_row_is_422_with_every_line_and_nothing_stored(
    client: TestClient, api: dict[str, str], settings: Settings
) -> None:
    _course_id, session_id = _session(client, api)
    before = snapshot(settings.database_url)
    items = [*DELEGATES, {**DELEGATES[0], "email": "ANN@example.org"}, {"name": ["x"], "attended": 3}, "nope"]
    response = client.post(f"/api/sessions/{session_id}/delegates", json=items, headers=api)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0] == {"line": 3, "field": "email", "message": errors[0]["message"]}
    assert {(e["line"], e["field"]) for e in errors} >= {(3, "email"), (4, "name"), (4, "attended"), (5, "item")}
    csv = b"name,email,organisation,sector,attended\nA,a@example.org,O,other,yes\nB,,O,other,yes\n"
    response = client.post(
        f"/api/sessions/{session_id}/delegates", content=csv, headers={**api, "Content-Type": "text/csv"}
    )
    assert response.json() == {"errors": [{"line": 3, "field": "email", "message": "Enter an email address"}]}
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{not json", "application/json", 422),
        (b'{"name": "x"}', "application/json", 422),
        (b"[]", "application/json", 422),
        (b"", "text/csv", 422),
        (b"name,email\n", "text/csv", 422),
        (b"<xml/>", "application/xml", 415),
        (b"a=b", "application/x-www-form-urlencoded", 415),
    ],
)
def test_unusable_bodies(
    client: TestClient, api: dict[str, str], settings: Settings, content: bytes, content_type: str, status: int
) -> None:
    _course_id, session_id = _session(client, api)
    headers = {**api, "Content-Type": content_type}
    response = client.post(f"/api/sessions/{session_id}/delegates", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert snapshot(settings.database_url)["delegate"] == []


def test_unknown_ids_are_404(client: TestClient, api: dict[str, str]) -> None:
    unknown = str(uuid.uuid4())
    assert client.get(f"/api/courses/{unknown}", headers=api).status_code == 404
    assert client.get(f"/api/courses/{unknown}/sessions", headers=api).status_code == 404
    assert client.post(f"/api/courses/{unknown}/sessions", json=SESSION, headers=api).status_code == 404
    assert (
        client.post(f"/api/courses/{unknown}/sessions", json={**SESSION, "mode": "x"}, headers=api).status_code == 404
    )
    assert client.post(f"/api/sessions/{unknown}/delegates", json=DELEGATES, headers=api).status_code == 404
    assert client.post(f"/api/sessions/{unknown}/delegates", json=[{}], headers=api).status_code == 404
    assert client.get("/api/courses/not-a-uuid", headers=api).status_code == 404


def test_tokens_and_roles(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> None:
    assert client.get("/api/courses").status_code == 401
    assert client.get("/api/courses", headers=bearer("vst_nonsense")).status_code == 401
    for key in ("admin", "voice_editor", "no_roles"):
        response = client.post("/api/courses", json=COURSE, headers=bearer(api_token(settings, staff_users[key])))
        assert response.status_code == 403
    # A browser session is not enough for the API.
    assert client.get("/api/courses").status_code == 401


def test_the_openapi_schema_documents_the_training_api(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/courses", "/api/courses/{course_id}", "/api/courses/{course_id}/sessions"):
        assert path in paths
    delegates = paths["/api/sessions/{session_id}/delegates"]["post"]
    assert set(delegates["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert {"201", "401", "403", "404", "415", "422"} <= set(delegates["responses"])
    assert delegates["security"] == [{"BearerToken": []}]
    assert not any(path.startswith("/staff/training") for path in paths)


def test_a_sessions_delegates_are_listed_and_the_view_audited(
    client: TestClient, api: dict[str, str], settings: Settings
) -> None:
    _course_id, session_id = _session(client, api)
    client.post(f"/api/sessions/{session_id}/delegates", json=DELEGATES, headers=api)
    listed = client.get(f"/api/sessions/{session_id}/delegates", headers=api).json()
    assert [(d["email"], d["attended"]) for d in listed] == [("ann@example.org", True), ("bob@example.org", False)]
    assert [a[0] for a in audit_rows(settings.database_url)][-1] == "training.delegates.view"
    assert client.get(f"/api/sessions/{uuid.uuid4()}/delegates", headers=api).status_code == 404


def test_invitations_are_listed_without_tokens(client: TestClient, api: dict[str, str], settings: Settings) -> None:
    _course_id, session_id = _session(client, api)
    assert client.get(f"/api/sessions/{session_id}/invitations", headers=api).json() == []
    client.post(f"/api/sessions/{session_id}/delegates", json=DELEGATES, headers=api)
    # The due work makes the invitations and sends the evaluation emails on the session's day.
    due = timing.evaluation_due(date.fromisoformat(SESSION["date"]), settings)
    run_due(settings, due)
    response = client.get(f"/api/sessions/{session_id}/invitations", headers=api)
    listed = response.json()
    # Ann attended: her evaluation went, her follow-up waits. Bob did not attend: nothing for him.
    assert sorted((i["kind"], i["state"]) for i in listed) == [("evaluation", "sent"), ("follow_up", "scheduled")]
    evaluation = next(i for i in listed if i["kind"] == "evaluation")
    assert evaluation["reminders_sent"] == 0
    assert evaluation["sent_at"] is not None
    tokens = [token_of(link_in(m)) for m in inbox(settings)]
    assert tokens
    hashes = [row[0] for row in database.query(settings.database_url, "SELECT token_hash FROM invitation_link")]
    for secret in [*tokens, *hashes]:
        assert secret not in response.text
    assert "token" not in response.text
    assert client.get(f"/api/sessions/{uuid.uuid4()}/invitations", headers=api).status_code == 404
