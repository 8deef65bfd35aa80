"""Nothing a person typed, no token and no email address reaches the application's logs.

Canary values go through the survey pages, the survey API (accepted and refused), the staff login,
the people form, the staff API, the safeguarding queue and the due work; then every log record the
service wrote (and everything it printed) is searched for them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from tests.http.helpers import answer_pages, submission_key, submit
from tests.safeguarding.conftest import VOICE, alert_id_for
from tests.support.apps import ClientFactory, make_client
from tests.support.csrf import with_csrf
from tests.support.staff import api_token, bearer, log_in, sign_in
from voice_service.accounts.service import Person
from voice_service.core.jobs import JobRunner
from voice_service.core.settings import Settings

__all__ = ["make_client"]

CANARY = "zqxcanary"
TYPED = f"my uncle hits me {CANARY}typed"
API_TEXT = f"{CANARY}api i want to kill myself"
EMAIL = f"{CANARY}.person@example.org"
PASSWORD = f"{CANARY} wrong horse battery"
TOKEN = f"vst_{CANARY}notarealtoken"
NOTE = f"{CANARY} note: spoke to the school"
KEY = f"{CANARY}-submission-key"


class Records(logging.Handler):
    """Keeps every record that reaches the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def service(self) -> list[logging.LogRecord]:
        """The service's own records (the test client's httpx request lines are the test's, not the service's)."""
        return [r for r in self.records if not r.name.startswith("httpx")]


@contextmanager
def all_records() -> Iterator[Records]:
    """Every record at DEBUG and above, attached after the app configured its logging (which resets handlers)."""
    root = logging.getLogger()
    handler, level = Records(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_canaries_never_reach_the_logs(
    make_client: ClientFactory,
    settings: Settings,
    staff_users: dict[str, Person],
    capfd: pytest.CaptureFixture[str],
) -> None:
    with make_client(safeguarding_email="dsl@york.example") as client, all_records() as caught:
        # The survey pages, with a disclosure (an alert is raised and logged by id only).
        walk = answer_pages(client, VOICE, {3: {"make_better": TYPED}})
        assert submit(client, VOICE, submission_key(walk.check)).status_code == 303
        # The survey API: accepted, refused for a bad answer, refused for an unknown question.
        url = f"/api/surveys/{VOICE}/responses"
        accepted = client.post(url, json={"answers": {"make_better": API_TEXT}, "submission_key": KEY})
        assert accepted.status_code == 201
        assert client.post(url, json={"answers": {"make_better": CANARY * 300}}).status_code == 422
        assert client.post(url, json={"answers": {f"{CANARY}question": "x"}}).status_code == 422
        assert client.post(url, json={"answers": {"area": f"{CANARY}area"}}).status_code == 422
        assert (
            client.post(url, content=f'{{"answers": {CANARY}', headers={"content-type": "application/json"}).status_code
            == 400
        )
        # A failed staff login, an unknown bearer token.
        assert log_in(client, EMAIL, PASSWORD).status_code in (200, 400, 401)
        assert client.get("/api/staff/me", headers=bearer(TOKEN)).status_code == 401
        # An admin adds a person (their email is identifying).
        sign_in(client, settings, staff_users["admin"])
        added = client.post(
            "/staff/people/new",
            data=with_csrf(client, {"name": f"{CANARY} Name", "email": EMAIL, "roles": ["voice_editor"]}),
            follow_redirects=False,
        )
        assert added.status_code == 303
        # Other staff APIs that take typed words: a token's name, a course, a You Said / We Did draft.
        admin_token = bearer(api_token(settings, staff_users["admin"]))
        assert (
            client.post("/api/staff/tokens", json={"name": f"{CANARY} laptop"}, headers=admin_token).status_code == 201
        )
        training = bearer(api_token(settings, staff_users["training_admin"]))
        course = {
            "name": f"{CANARY} course",
            "evaluation_survey": "working-together-a-evaluation",
            "follow_up_survey": "training-follow-up",
        }
        assert client.post("/api/courses", json=course, headers=training).status_code == 201
        assert client.post("/api/courses", json={**course, "name": ""}, headers=training).status_code == 422
        editor = bearer(api_token(settings, staff_users["voice_editor"]))
        record = {"source": f"{CANARY} group", "theme": f"{CANARY} theme", "said": f"{CANARY} said"}
        assert client.post("/api/you-said-we-did", json=record, headers=editor).status_code in (201, 422)
        # The lead acts on the alert with a note, through the pages and the API.
        lead_token = api_token(settings, staff_users["safeguarding_lead"])
        sign_in(client, settings, staff_users["safeguarding_lead"])
        alert_id = alert_id_for(settings.database_url, accepted.json()["id"])
        client.get(f"/staff/safeguarding/alerts/{alert_id}")
        client.post(
            f"/staff/safeguarding/alerts/{alert_id}/status",
            data=with_csrf(client, {"status": "acknowledged", "note": NOTE}),
        )
        client.post(
            f"/api/safeguarding/alerts/{alert_id}/status",
            json={"status": "actioned", "note": NOTE},
            headers=bearer(lead_token),
        )
        # The lead tries wordings on the screener: one that alerts, one empty (refused), one too long.
        for tried in (TYPED, "", CANARY * 1000):
            client.post("/staff/safeguarding/try", data=with_csrf(client, {"answer": tried}))
        # The due work: alert emails, set-password link emails, retention.
        runner: JobRunner = client.app.state.job_runner
        client.blocking_portal.call(runner.run_due, datetime.now(UTC) + timedelta(days=2))

    records = caught.service()
    assert any(r.name.startswith("voice_service") for r in records), (
        "the service logged nothing: the test would prove nothing"
    )
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    out, err = capfd.readouterr()
    printed = "\n".join(line for line in (out + err).splitlines() if " httpx " not in line)
    for secret in (CANARY, EMAIL, PASSWORD, TOKEN, lead_token, "uncle hits", "kill myself"):
        assert secret not in logged, secret
        assert secret not in printed, secret


def test_a_canary_in_a_url_is_not_logged_by_the_service(client: TestClient, capfd: pytest.CaptureFixture[str]) -> None:
    with all_records() as caught:
        assert client.get(f"/s/{CANARY}slug").status_code == 404
        assert client.get(f"/api/surveys/{CANARY}slug").status_code == 404
        assert client.get(f"/staff/password/{CANARY}token").status_code in (200, 404, 410)
    assert caught.records, "nothing was logged at all: the test would prove nothing"
    logged = "\n".join(r.getMessage() for r in caught.service())
    assert CANARY not in logged
    assert CANARY not in "".join(line for line in capfd.readouterr().err.splitlines() if " httpx " not in line)
