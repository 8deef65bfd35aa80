"""Six months on: the follow-up paired with the evaluation, failed emails and resends, the room link, retention."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from litestar.testing import TestClient

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.delegates import (
    EVALUATION,
    FOLLOW_UP,
    FOLLOW_UP_FIELDS,
    answer_through_link,
    by_page,
    inbox,
    link_in,
    make_course,
    person,
    run_due,
    sent_to,
)
from tests.support.html import Html
from tests.training.conftest import audit_rows, staff_client
from voice_service.core.settings import Settings

__all__ = ["staff_client"]

DAY = date(2027, 3, 10)
FOUR_PM = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)
#: 182 days after 10 March 2027 is 8 September 2027, in British Summer Time: 16:00 there is 15:00 UTC.
FOLLOW_UP_TIME = datetime(2027, 9, 8, 15, 0, tzinfo=UTC)


def closed_port() -> int:
    """A port nothing listens on: sending there fails as an unreachable mail server does."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_follow_up_goes_six_months_on_and_is_paired_with_the_evaluation(
    client: TestClient, settings: Settings
) -> None:
    make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM)
    answer_through_link(client, link_in(sent_to(settings, "delegate1@school.example")[0]))
    run_due(settings, FOLLOW_UP_TIME - timedelta(minutes=1))
    # Only the two evaluations so far: delegate 2's evaluation link expired unanswered, with no reminder due yet.
    assert len(inbox(settings)) == 2
    run_due(settings, FOLLOW_UP_TIME)
    follow_ups = [m for m in inbox(settings) if "Six months on" in m["Subject"]]
    assert sorted(m["To"] for m in follow_ups) == ["delegate1@school.example", "delegate2@school.example"]
    mine = next(m for m in follow_ups if m["To"] == "delegate1@school.example")
    client.cookies.clear()
    answer_through_link(client, link_in(mine), by_page(FOLLOW_UP, settings, FOLLOW_UP_FIELDS), slug=FOLLOW_UP)
    rows = database.query(
        settings.database_url,
        "SELECT id, survey_slug, respondent_key, linked_response_id FROM response ORDER BY survey_slug",
    )
    follow_up, evaluation = (
        (r for r in rows if r.survey_slug == FOLLOW_UP),
        (r for r in rows if r.survey_slug == EVALUATION),
    )
    (follow_up_row,), (evaluation_row,) = list(follow_up), list(evaluation)
    assert database.as_uuid(follow_up_row.linked_response_id) == database.as_uuid(evaluation_row.id)
    assert follow_up_row.respondent_key == evaluation_row.respondent_key
    # The follow-up's own reminders stop for the delegate who answered it.
    run_due(settings, FOLLOW_UP_TIME + timedelta(days=7, minutes=1))
    reminders = [m["To"] for m in inbox(settings) if m["Subject"].startswith("Reminder: Six months on")]
    assert reminders == ["delegate2@school.example"]


def test_an_email_the_server_refuses_is_retried_then_listed_and_can_be_sent_again(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, DAY, [person(1)])
    broken = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=closed_port())
    for minutes in range(0, 120, 10):
        run_due(settings, FOUR_PM + timedelta(minutes=minutes), runner_settings=broken)
    (state, failure) = database.query(
        settings.database_url, "SELECT state, failure FROM invitation WHERE kind = 'evaluation'"
    )[0]
    assert state == "failed"
    assert failure  # the error's type, never its message
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM invitation_link")[0][0] == 0
    client = staff_client("training_admin")
    page = client.get(f"/staff/training/sessions/{course.session_id}")
    assert "Emails that could not be sent" in page.text
    assert "delegate1@school.example" in page.text
    (button,) = [f for f in Html(page.text).all("form") if "/resend" in f.attrs.get("action", "")]
    resent = client.post(button.attrs["action"], data=with_csrf(client), follow_redirects=False)
    assert resent.status_code == 303
    assert "The email will be sent again" in client.get(resent.headers["location"]).text
    run_due(settings, FOUR_PM + timedelta(hours=3))
    assert [m["To"] for m in inbox(settings)] == ["delegate1@school.example"]
    assert (
        database.query(settings.database_url, "SELECT state FROM invitation WHERE kind = 'evaluation'")[0][0] == "sent"
    )
    assert ("training.invitation.resend", "tom.training@example.org") in [
        r[:2] for r in audit_rows(settings.database_url)
    ]


def test_send_reminders_now_reminds_only_those_with_a_working_link_who_have_not_answered(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, DAY, [person(1), person(2), person(3, attended=False)])
    run_due(settings, FOUR_PM)
    client = staff_client("training_admin")
    database.query(
        settings.database_url,
        "UPDATE invitation SET state = 'answered' WHERE delegate_id IN "
        "(SELECT id FROM delegate WHERE email = 'delegate1@school.example') AND kind = 'evaluation'",
    )
    page = client.get(f"/staff/training/sessions/{course.session_id}")
    form = next(f for f in Html(page.text).all("form") if f.attrs.get("action", "").endswith("/remind"))
    reminded = client.post(form.attrs["action"], data=with_csrf(client), follow_redirects=False)
    assert reminded.status_code == 303
    assert "A reminder will go to 1 delegate within a minute." in client.get(reminded.headers["location"]).text
    run_due(settings, datetime.now(UTC))
    reminders = [m["To"] for m in inbox(settings) if m["Subject"].startswith("Reminder: ")]
    assert reminders == ["delegate2@school.example"]


def test_the_session_and_course_pages_show_how_the_evaluations_are_going(
    client: TestClient, staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, DAY, [person(1), person(2), person(3), person(4, attended=False)])
    run_due(settings, FOUR_PM)
    answer_through_link(client, link_in(sent_to(settings, "delegate1@school.example")[0]))
    client.cookies.clear()
    admin = staff_client("training_admin")
    rows = {
        k: v
        for k, (v, _) in Html(admin.get(f"/staff/training/sessions/{course.session_id}").text).summary_rows().items()
    }
    assert rows["Attended"] == "3"
    assert rows["Evaluation emails sent"] == "3"
    assert rows["Evaluations received"] == "1 (33% of those who attended)"
    assert rows["Follow-ups due"] == "3 (next 8 September 2027)"
    assert rows["Follow-up emails sent"] == "0"
    course_page = admin.get(f"/staff/training/courses/{course.course_id}").text
    assert "Evaluations and follow-ups, all sessions" in course_page
    assert "1 (33%)" in course_page


def test_the_room_link_finds_the_delegate_by_email_or_adds_them(
    client: TestClient, staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    today = datetime.now(UTC).date()
    course = make_course(settings, today, [person(1)])
    admin = staff_client("training_admin")
    poster = admin.get(f"/staff/training/sessions/{course.session_id}/room-link")
    assert poster.status_code == 200
    assert "<svg" in poster.text
    (url,) = [p.text for p in Html(poster.text).all("p") if "/t/s/" in p.text]
    path = url[url.index("/t/s/") :]
    admin.cookies.clear()
    form = client.get(path)
    assert form.status_code == 200
    assert "Your work email" in form.text
    # Someone not on the list must say who they are.
    refused = client.post(path, data=with_csrf(client, {"email": "new.person@police.example"}), follow_redirects=False)
    assert refused.status_code == 422
    assert "Enter your name" in refused.text
    joined = client.post(
        path,
        data=with_csrf(
            client,
            {"email": "New.Person@police.example", "name": "New Person", "organisation": "Police", "sector": "police"},
        ),
        follow_redirects=False,
    )
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/s/{EVALUATION}"
    added = database.query(
        settings.database_url, "SELECT name, email, attended FROM delegate WHERE name = 'New Person'"
    )
    assert [tuple(r) for r in added] == [("New Person", "new.person@police.example", True)]
    # A delegate on the list is found by email; after answering, the room link says so.
    client.cookies.clear()
    known = client.post(path, data=with_csrf(client, {"email": "delegate1@school.example"}), follow_redirects=False)
    assert known.status_code == 303
    # The due work then sends no evaluation email to whoever answered in the room.
    assert database.count(settings.database_url, "response") == 0
    assert client.get("/t/s/not-a-code").status_code == 404


def test_the_room_link_adds_nobody_past_the_sessions_places(
    client: TestClient, staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, datetime.now(UTC).date(), [person(1)])
    # Delegate 1 is on the list and marked as attended: one place taken, two left.
    database.query(settings.database_url, "UPDATE training_session SET capacity = 3")
    admin = staff_client("training_admin")
    poster = admin.get(f"/staff/training/sessions/{course.session_id}/room-link")
    (url,) = [p.text for p in Html(poster.text).all("p") if "/t/s/" in p.text]
    path = url[url.index("/t/s/") :]
    admin.cookies.clear()

    def join(number: int) -> int:
        client.cookies.clear()
        who = {"email": f"walk.in{number}@police.example", "name": f"Walk In {number}", "organisation": "Police"}
        answer = client.post(path, data=with_csrf(client, {**who, "sector": "police"}), follow_redirects=False)
        if answer.status_code == 422:
            assert "All 3 places on this session are taken" in answer.text
        return answer.status_code

    assert [join(1), join(2), join(3)] == [303, 303, 422]
    added = database.query(settings.database_url, "SELECT COUNT(*) FROM delegate WHERE email LIKE 'walk.in%'")
    assert added[0][0] == 2
    # Someone on the list still gets in when the places are taken: they booked one.
    client.cookies.clear()
    known = client.post(path, data=with_csrf(client, {"email": "delegate1@school.example"}), follow_redirects=False)
    assert known.status_code == 303


def test_names_and_emails_are_erased_when_retention_ends_and_the_pair_stays(
    client: TestClient, settings: Settings
) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    answer_through_link(client, link_in(inbox(settings)[0]))
    # Follow-up sent 8 Sep 2027, its link closes 30 days later, then 90 days of retention.
    erase_at = FOLLOW_UP_TIME + timedelta(days=120)
    run_due(settings, erase_at - timedelta(hours=1))
    assert database.query(settings.database_url, "SELECT name FROM delegate")[0][0] == "Delegate 1"
    run_due(settings, erase_at + timedelta(hours=1))
    (row,) = database.query(
        settings.database_url, "SELECT name, email, organisation, sector, erased_at, pseudonym FROM delegate"
    )
    assert (row.name, row.email, row.organisation, row.sector) == (None, None, None, "schools")
    assert row.erased_at is not None
    assert database.query(settings.database_url, "SELECT respondent_key FROM response")[0][0] == row.pseudonym
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM invitation_link")[0][0] == 0
    assert [r[0] for r in audit_rows(settings.database_url)].count("training.delegates.erase") == 1


def test_send_reminders_now_for_a_whole_course(staff_client: Callable[[str], TestClient], settings: Settings) -> None:
    course = make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM)
    client = staff_client("training_admin")
    page = client.get(f"/staff/training/courses/{course.course_id}")
    form = next(f for f in Html(page.text).all("form") if f.attrs.get("action", "").endswith("/remind"))
    reminded = client.post(form.attrs["action"], data=with_csrf(client), follow_redirects=False)
    assert reminded.status_code == 303
    assert "A reminder will go to 2 delegates within a minute." in client.get(reminded.headers["location"]).text
    run_due(settings, datetime.now(UTC))
    assert sorted(m["To"] for m in inbox(settings) if m["Subject"].startswith("Reminder: ")) == [
        "delegate1@school.example",
        "delegate2@school.example",
    ]
    assert ("training.reminders.send", "tom.training@example.org", "course") in [
        r[:3] for r in audit_rows(settings.database_url)
    ]
