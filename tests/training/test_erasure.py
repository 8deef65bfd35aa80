"""A delegate asks to be forgotten: their details erased now, no more emails, links dead; audited, never logged."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.delegates import inbox, link_in, make_course, person, run_due, sent_to
from tests.support.html import Html
from tests.support.staff import api_token, bearer
from tests.training.conftest import ACTOR, COURSE, SESSION, audit_rows, audit_rows_async, staff_client
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings
from voice_service.training import courses, erasure, sessions
from voice_service.training.courses import NotFound
from voice_service.training.delegates import import_delegates
from voice_service.training.rows import rows_from_json
from voice_service.training.rules import SurveyChoice

__all__ = ["staff_client"]

DAY = date(2027, 3, 10)
FOUR_PM = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
FOLLOW_UP_TIME = datetime(2027, 9, 8, 15, 0, tzinfo=UTC)
CANARY = "zqxerase"
SECRET_PERSON = {
    "name": f"{CANARY} Person",
    "email": f"{CANARY}@school.example",
    "organisation": f"{CANARY} Academy",
    "sector": "schools",
    "attended": True,
}


def delegate_id_of(settings: Settings, email: str) -> str:
    """The id of the delegate with this email."""
    rows = database.query(settings.database_url, f"SELECT id FROM delegate WHERE email = '{email}'")
    return str(database.as_uuid(rows[0][0]))


async def test_erase_delegate_erases_what_retention_does_keeps_the_pseudonym_and_is_idempotent(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    course = await courses.create_course(engine, COURSE, choices, actor=ACTOR)
    session = await sessions.create_session(engine, course.id, SESSION, actor=ACTOR)
    rows = rows_from_json([SECRET_PERSON, person(2)], settings.training_sectors)
    await import_delegates(engine, session.id, rows, actor=ACTOR)
    url = settings.database_url
    (target,) = await database.query_async(
        url, f"SELECT id, pseudonym FROM delegate WHERE email = '{CANARY}@school.example'"
    )
    delegate_id = database.as_uuid(target.id)

    done = await erasure.erase_delegate(engine, delegate_id, actor=ACTOR, address="192.0.2.1")
    assert (done.already, done.session_id) == (False, session.id)
    (row,) = await database.query_async(
        url,
        "SELECT name, email, organisation, sector, attended, pseudonym, erased_at FROM delegate"
        f" WHERE pseudonym = '{target.pseudonym}'",
    )
    assert (row.name, row.email, row.organisation, row.sector, row.attended) == (None, None, None, "schools", True)
    assert row.erased_at is not None
    # The other delegate is untouched.
    others = await database.query_async(url, "SELECT name FROM delegate WHERE erased_at IS NULL")
    assert [r[0] for r in others] == ["Delegate 2"]

    again = await erasure.erase_delegate(engine, delegate_id, actor=ACTOR)
    assert again.already is True
    erasures = [r for r in await audit_rows_async(url) if r[0] == "training.delegate.erase"]
    assert erasures == [("training.delegate.erase", ACTOR.label, "delegate", str(delegate_id))]
    # The audit log names the delegate id, never what was erased.
    everything = " ".join(str(v) for r in await database.query_async(url, "SELECT * FROM audit_event") for v in r)
    assert CANARY not in everything

    with pytest.raises(NotFound):
        await erasure.erase_delegate(engine, uuid.UUID(int=99), actor=ACTOR)
    check = await erasure.erasure_check(engine, delegate_id, actor=ACTOR)
    assert check.erased
    assert check.delegate.name is None


def test_a_training_admin_erases_a_delegate_from_the_session_page_and_no_email_goes_after(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM)
    link = link_in(sent_to(settings, "delegate1@school.example")[0])
    client = staff_client("training_admin")
    # From the attendee list: the delegate's Change link, then "Erase this person's details" on their page.
    delegate_id = delegate_id_of(settings, "delegate1@school.example")
    session_page = Html(client.get(f"/staff/training/sessions/{course.session_id}").text)
    edit = f"/staff/training/delegates/{delegate_id}/edit"
    assert edit in [a.attrs.get("href") for a in session_page.all("a")]
    change = client.get(edit).text
    erase_links = [a.attrs["href"] for a in Html(change).all("a") if a.attrs.get("href", "").endswith("/erase")]
    assert erase_links == [f"/staff/training/delegates/{delegate_id}/erase"]

    confirm = client.get(f"/staff/training/delegates/{delegate_id}/erase")
    assert confirm.status_code == 200
    assert "What will be erased" in confirm.text
    assert "What stays" in confirm.text
    assert "delegate1@school.example" in confirm.text
    (form,) = [f for f in Html(confirm.text).all("form") if f.attrs.get("action", "").endswith("/erase")]
    # Without the CSRF token nothing is erased.
    refused = client.post(form.attrs["action"], data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM delegate WHERE erased_at IS NOT NULL")[0][0] == 0

    erased = client.post(form.attrs["action"], data=with_csrf(client), follow_redirects=False)
    assert erased.status_code == 303
    after = client.get(erased.headers["location"]).text
    assert "The delegate&#39;s details were erased" in after or "The delegate's details were erased" in after
    assert "Details erased" in after
    assert "delegate1@school.example" not in after
    assert ("training.delegate.erase", "tom.training@example.org", "delegate", delegate_id) in audit_rows(
        settings.database_url
    )
    # Their links are deleted and the follow-up not yet due is withdrawn; the sent evaluation stays in the figures.
    mine = "(SELECT id FROM invitation WHERE delegate_id IN (SELECT id FROM delegate WHERE erased_at IS NOT NULL))"
    links = database.query(settings.database_url, f"SELECT COUNT(*) FROM invitation_link WHERE invitation_id IN {mine}")
    assert links[0][0] == 0
    kept = database.query(settings.database_url, f"SELECT kind, state FROM invitation WHERE id IN {mine}")
    assert [tuple(r) for r in kept] == [("evaluation", "sent")]
    # Erasing again is harmless and says so.
    again = client.post(form.attrs["action"], data=with_csrf(client), follow_redirects=False)
    assert "had already been erased" in client.get(again.headers["location"]).text
    assert "Details already erased" in client.get(f"/staff/training/delegates/{delegate_id}/erase").text
    assert [r[0] for r in audit_rows(settings.database_url)].count("training.delegate.erase") == 1
    assert client.get(f"/staff/training/delegates/{uuid.UUID(int=5)}/erase").status_code == 404

    # The emailed link no longer opens; reminders and the follow-up go only to the other delegate.
    client.cookies.clear()
    assert client.get(link, follow_redirects=False).status_code != 303
    for moment in (FOUR_PM + timedelta(days=7, minutes=1), FOUR_PM + timedelta(days=14, minutes=1), FOLLOW_UP_TIME):
        run_due(settings, moment)
    assert [m["To"] for m in inbox(settings)].count("delegate1@school.example") == 1
    assert [m["To"] for m in inbox(settings) if "Six months on" in m["Subject"]] == ["delegate2@school.example"]
    assert database.query(settings.database_url, "SELECT pseudonym FROM delegate WHERE erased_at IS NOT NULL")


def test_an_erased_delegate_imported_again_is_a_new_delegate(
    staff_client: Callable[[str], TestClient], settings: Settings, staff_users: dict[str, Person]
) -> None:
    course = make_course(settings, DAY, [person(1)])
    delegate_id = delegate_id_of(settings, "delegate1@school.example")
    client = staff_client("training_admin")
    erased = client.post(
        f"/staff/training/delegates/{delegate_id}/erase", data=with_csrf(client), follow_redirects=False
    )
    assert erased.status_code == 303
    token = bearer(api_token(settings, staff_users["training_admin"]))
    imported = client.post(f"/api/sessions/{course.session_id}/delegates", json=[person(1)], headers=token)
    assert imported.status_code == 201
    assert imported.json() == {"imported": 1, "unchanged": 0}
    rows = database.query(settings.database_url, "SELECT id, name, erased_at FROM delegate ORDER BY created_at")
    assert len(rows) == 2
    assert (str(database.as_uuid(rows[0].id)), rows[0].name) == (delegate_id, None)
    assert (rows[1].name, rows[1].erased_at) == ("Delegate 1", None)


def test_the_staff_api_erases_a_delegate_and_refuses_other_roles(
    staff_client: Callable[[str], TestClient], settings: Settings, staff_users: dict[str, Person]
) -> None:
    make_course(settings, DAY, [person(1)])
    delegate_id = delegate_id_of(settings, "delegate1@school.example")
    client = staff_client("training_admin")
    path = f"/api/delegates/{delegate_id}/erase"
    for role in ("admin", "voice_editor", "safeguarding_lead"):
        assert client.post(path, headers=bearer(api_token(settings, staff_users[role]))).status_code == 403
    assert client.post(path).status_code == 401
    training = bearer(api_token(settings, staff_users["training_admin"]))
    first = client.post(path, headers=training)
    assert first.status_code == 200
    assert first.json()["already_erased"] is False
    assert client.post(path, headers=training).json()["already_erased"] is True
    assert client.post(f"/api/delegates/{uuid.UUID(int=5)}/erase", headers=training).status_code == 404
    listed = client.get(f"/api/sessions/{database_session(settings)}/delegates", headers=training).json()
    assert [(d["name"], d["email"], d["organisation"]) for d in listed] == [(None, None, None)]


def database_session(settings: Settings) -> str:
    """The one session's id."""
    return str(database.as_uuid(database.query(settings.database_url, "SELECT id FROM training_session")[0][0]))


def test_other_roles_cannot_see_or_use_the_erase_pages(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    make_course(settings, DAY, [person(1)])
    delegate_id = delegate_id_of(settings, "delegate1@school.example")
    for role in ("admin", "voice_editor", "voice_reviewer", "safeguarding_lead"):
        client = staff_client(role)
        assert client.get(f"/staff/training/delegates/{delegate_id}/erase").status_code == 403
        posted = client.post(f"/staff/training/delegates/{delegate_id}/erase", data=with_csrf(client))
        assert posted.status_code == 403
    assert database.query(settings.database_url, "SELECT name FROM delegate")[0][0] == "Delegate 1"


class Records(logging.Handler):
    """Keeps every record that reaches the root logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def all_records() -> Iterator[Records]:
    """Every record at DEBUG and above, attached after the app configured its logging."""
    root = logging.getLogger()
    handler, level = Records(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_the_erased_name_and_email_never_reach_the_logs(
    staff_client: Callable[[str], TestClient], settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    course = make_course(settings, DAY, [SECRET_PERSON, person(2)])
    delegate_id = delegate_id_of(settings, SECRET_PERSON["email"])  # type: ignore[arg-type]
    client = staff_client("training_admin")
    with all_records() as caught:
        run_due(settings, FOUR_PM)
        assert client.get(f"/staff/training/delegates/{delegate_id}/erase").status_code == 200
        for _ in range(2):
            client.post(f"/staff/training/delegates/{delegate_id}/erase", data=with_csrf(client))
        client.get(f"/staff/training/sessions/{course.session_id}")
        run_due(settings, FOUR_PM + timedelta(days=7, minutes=1))
        run_due(settings, FOLLOW_UP_TIME)
    messages = [r.getMessage() + " " + str(r.__dict__) for r in caught.records if not r.name.startswith("httpx")]
    assert messages, "the service logged nothing at all: the check would prove nothing"
    assert not [m for m in messages if CANARY in m]
    out, err = capfd.readouterr()
    assert CANARY not in out + err
