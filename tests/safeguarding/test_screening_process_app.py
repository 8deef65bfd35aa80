"""The app with its screening child (as served): alerts stored with their responses, on both databases."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, alerts, submit
from tests.safeguarding.test_help_first import send
from tests.safeguarding.test_screening_process import alive
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import sign_in
from voice_service.accounts.service import Person
from voice_service.app import create_app
from voice_service.core.settings import Settings
from voice_service.safeguarding.screening_process import ScreeningProcess


def wait_until(check: Callable[[], bool], seconds: float = 30.0) -> None:
    """Poll (from the test's thread) until `check()` holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.02)


@pytest.fixture
def served(settings: Settings) -> Iterator[tuple[TestClient, ScreeningProcess]]:
    """The app as `voice-service serve` runs it (screening child on), once the child is ready."""
    app: Litestar = create_app(dataclasses.replace(settings, screening_process=True))
    with TestClient(app=app, base_url="http://testserver.local") as client:
        screening = app.state.screening
        assert isinstance(screening, ScreeningProcess)
        wait_until(lambda: screening.ready)
        yield client, screening
    assert screening.pid is None


def test_flagged_answers_through_the_api_and_the_pages_are_screened_in_the_child(
    served: tuple[TestClient, ScreeningProcess], settings: Settings
) -> None:
    client, screening = served
    pid = screening.pid
    assert pid is not None
    ack = submit(client, {"make_better": DISCLOSURE, "talk_to": ["no_one"], "easier_to_talk": "i want to die"})
    submit(client, {"make_better": ORDINARY})
    page = send(client, DISCLOSURE)
    assert Html(page).one(cls="vs-help-first") is not None
    quiet = send(client, ORDINARY)
    assert not Html(quiet).all(cls="vs-help-first")
    # Everything went through the child: nothing was screened in the worker.
    assert screening.screened_here == 0
    assert screening.batches_sent >= 4
    found = alerts(settings.database_url)
    by_response: dict[uuid.UUID, set[str]] = {}
    for alert in found:
        by_response.setdefault(alert["response_id"], set()).add(alert["question_id"])
    assert by_response[uuid.UUID(ack["id"])] == {"make_better", "easier_to_talk"}
    assert len(by_response) == 2
    assert len(found) == 3
    assert database.count(settings.database_url, "response") == 4
    # The same alert as in-process screening stores: categories and where the words are.
    first = next(a for a in found if a["response_id"] == uuid.UUID(ack["id"]) and a["question_id"] == "make_better")
    assert "physical_abuse" in first["categories"]
    assert any("hits me" in DISCLOSURE[m["start"] : m["end"]] for m in first["matches"])


def test_the_leads_trial_is_screened_in_the_child_and_stores_nothing(
    served: tuple[TestClient, ScreeningProcess], settings: Settings, staff_users: dict[str, Person]
) -> None:
    client, screening = served
    sign_in(client, settings, staff_users["safeguarding_lead"])
    sent = screening.batches_sent
    page = client.post("/staff/safeguarding/try", data=with_csrf(client, {"answer": DISCLOSURE}))
    assert page.status_code == 200
    assert "This answer would raise an alert" in page.text
    assert screening.batches_sent == sent + 1
    assert screening.screened_here == 0
    assert database.count(settings.database_url, "response") == 0


def test_killing_the_child_loses_no_alert_and_a_new_child_takes_over(
    served: tuple[TestClient, ScreeningProcess], settings: Settings
) -> None:
    client, screening = served
    first = screening.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    acks = [submit(client, {"make_better": DISCLOSURE if n % 2 == 0 else ORDINARY}) for n in range(6)]
    wait_until(lambda: screening.ready and screening.pid != first)
    assert not alive(first)
    here = screening.screened_here
    later = submit(client, {"make_better": DISCLOSURE})
    assert screening.screened_here == here  # the new child screened it
    flagged = {uuid.UUID(a["id"]) for n, a in enumerate(acks) if n % 2 == 0} | {uuid.UUID(later["id"])}
    assert {a["response_id"] for a in alerts(settings.database_url)} == flagged
    assert database.count(settings.database_url, "response") == 7
