"""Invitation emails: when they go, exactly once, what they say, reminders, expiry, failures and resends."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from litestar.testing import TestClient

from tests.mail.test_mail import Inbox, free_port, smtp_server
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.delegates import (
    PERSONAL_LINK,
    answer_through_link,
    inbox,
    link_in,
    make_course,
    person,
    run_due,
    sent_to,
    token_of,
)
from tests.support.outbox import html_of, text_of
from tests.training.conftest import staff_client

__all__ = ["smtp_server", "staff_client"]
from voice_service.app import build_job_runner
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings

#: A Wednesday in March (GMT): the evaluation emails are due at 16:00 UTC.
DAY = date(2027, 3, 10)
FOUR_PM = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)


def states(settings: Settings) -> list[tuple[str, str, str, int]]:
    """(email, kind, state, reminders) of every invitation."""
    rows = database.query(
        settings.database_url,
        "SELECT d.email, i.kind, i.state, i.reminders_sent FROM invitation i JOIN delegate d ON d.id = i.delegate_id"
        " ORDER BY d.email, i.kind",
    )
    return [(str(a), str(b), str(c), int(d)) for a, b, c, d in rows]


def test_evaluation_emails_go_at_four_on_the_day_to_attendees_and_only_once(settings: Settings) -> None:
    make_course(settings, DAY, [person(1), person(2), person(3, attended=False)])
    run_due(settings, FOUR_PM - timedelta(minutes=1))
    assert inbox(settings) == []
    # Invitations exist for those who attended, waiting.
    assert [s[:3] for s in states(settings)] == [
        ("delegate1@school.example", "evaluation", "scheduled"),
        ("delegate1@school.example", "follow_up", "scheduled"),
        ("delegate2@school.example", "evaluation", "scheduled"),
        ("delegate2@school.example", "follow_up", "scheduled"),
    ]
    run_due(settings, FOUR_PM)
    assert sorted(m["To"] for m in inbox(settings)) == ["delegate1@school.example", "delegate2@school.example"]
    # Running again, later the same day, sends nothing more.
    run_due(settings, FOUR_PM + timedelta(minutes=5))
    run_due(settings, FOUR_PM + timedelta(hours=3))
    assert len(inbox(settings)) == 2
    assert [s[2] for s in states(settings) if s[1] == "evaluation"] == ["sent", "sent"]


def test_the_email_is_plain_and_friendly_and_only_a_hash_of_its_token_is_kept(settings: Settings) -> None:
    make_course(settings, DAY, [person(1)], name="Safeguarding Children: Working Together A")
    run_due(settings, FOUR_PM)
    (message,) = inbox(settings)
    text = text_of(message)
    assert message["Subject"] == (
        "How was Safeguarding Children: Working Together A? Your evaluation (Wednesday 10 March 2027)"
    )
    assert text.startswith("Dear Delegate 1,\n\n")
    assert "Thank you for attending Safeguarding Children: Working Together A on Wednesday 10 March 2027." in text
    assert "It takes about 3 minutes." in text
    assert "The link works until Friday 9 April 2027" in text
    assert "Questions? Contact the partnership's training team at voice-service@localhost." in text
    link = link_in(message)
    assert f"http://127.0.0.1:8000{link}" in text
    assert f'<a href="http://127.0.0.1:8000{link}">' in html_of(message)
    token = token_of(link)
    assert len(token) == 43  # 256 random bits
    stored = database.query(settings.database_url, "SELECT token_hash, purpose FROM invitation_link")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "email")]
    for table in ("invitation", "invitation_link", "job", "audit_event", "delegate"):
        assert token not in str(database.query(settings.database_url, f"SELECT * FROM {table}"))


def test_summer_time_moves_the_send_to_three_utc(settings: Settings) -> None:
    make_course(settings, date(2027, 7, 7), [person(1)])
    run_due(settings, datetime(2027, 7, 7, 14, 59, tzinfo=UTC))
    assert inbox(settings) == []
    run_due(settings, datetime(2027, 7, 7, 15, 0, tzinfo=UTC))
    assert len(inbox(settings)) == 1


def test_reminders_go_after_7_and_14_days_only_to_those_who_have_not_answered(
    client: TestClient, settings: Settings
) -> None:
    make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM)
    answer_through_link(client, link_in(sent_to(settings, "delegate1@school.example")[0]))
    for days in (6, 7, 8, 13, 14, 20, 29):
        run_due(settings, FOUR_PM + timedelta(days=days, minutes=1))
    subjects = [m["Subject"] for m in sent_to(settings, "delegate2@school.example")]
    assert len(subjects) == 3
    assert [s.startswith("Reminder: ") for s in subjects] == [False, True, True]
    assert len(sent_to(settings, "delegate1@school.example")) == 1
    assert ("delegate1@school.example", "evaluation", "answered", 0) in states(settings)
    assert ("delegate2@school.example", "evaluation", "sent", 2) in states(settings)
    # 30 days after sending, the unanswered link expires; nothing more is sent.
    run_due(settings, FOUR_PM + timedelta(days=30, minutes=1))
    assert ("delegate2@school.example", "evaluation", "expired", 2) in states(settings)
    assert len(inbox(settings)) == 4


def test_a_reminder_carries_a_new_link_and_the_first_link_still_works(client: TestClient, settings: Settings) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    run_due(settings, FOUR_PM + timedelta(days=7, minutes=1))
    first, reminder = sent_to(settings, "delegate1@school.example")
    assert link_in(first) != link_in(reminder)
    answer_through_link(client, link_in(first))
    # The reminder's link now says the answers are in, as the first one does.
    for link in (link_in(first), link_in(reminder)):
        again = client.get(link, follow_redirects=False)
        assert again.status_code == 200
        assert "You have already answered" in again.text


def test_sessions_imported_after_their_links_would_have_expired_email_nobody(settings: Settings) -> None:
    make_course(settings, date(2022, 6, 1), [person(1)])
    run_due(settings, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert inbox(settings) == []
    assert {s[2] for s in states(settings)} == {"expired"}


def test_a_session_moved_before_its_emails_went_sends_on_the_new_date(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    course = make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM - timedelta(days=2))
    client = staff_client("training_admin")
    moved = client.post(
        f"/staff/training/sessions/{course.session_id}/edit",
        data=with_csrf(
            client,
            {
                "date-day": "17",
                "date-month": "3",
                "date-year": "2027",
                "mode": "online",
                "trainer": "Pat",
                "capacity": "40",
            },
        ),
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    run_due(settings, FOUR_PM)
    assert inbox(settings) == []
    run_due(settings, FOUR_PM + timedelta(days=7))
    assert len(inbox(settings)) == 1


def test_a_delegate_marked_as_not_attending_before_the_day_is_not_emailed(settings: Settings) -> None:
    make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM - timedelta(days=1))
    database.query(
        settings.database_url,
        "UPDATE delegate SET attended = :no WHERE email = :e",
        no=False,
        e="delegate2@school.example",
    )
    run_due(settings, FOUR_PM)
    assert [m["To"] for m in inbox(settings)] == ["delegate1@school.example"]


def test_two_runners_at_once_send_each_email_once(settings: Settings) -> None:
    make_course(settings, DAY, [person(n) for n in range(1, 21)])

    async def both() -> None:
        engine_a, engine_b = create_engine(settings), create_engine(settings)
        try:
            first, second = build_job_runner(settings, engine_a), build_job_runner(settings, engine_b)
            await first.arm_recurring(FOUR_PM)
            await asyncio.gather(first.run_due(FOUR_PM), second.run_due(FOUR_PM))
            await asyncio.gather(first.run_due(FOUR_PM), second.run_due(FOUR_PM))
        finally:
            await engine_a.dispose()
            await engine_b.dispose()

    asyncio.run(both())
    recipients = [m["To"] for m in inbox(settings)]
    assert sorted(recipients) == sorted(f"delegate{n}@school.example" for n in range(1, 21))


def test_another_partnership_signs_its_own_emails(settings: Settings) -> None:
    ours = dataclasses.replace(
        settings, partnership=dataclasses.replace(settings.partnership, name="Leeds Safeguarding Children Partnership")
    )
    make_course(ours, DAY, [person(1)])
    run_due(ours, FOUR_PM)
    text = text_of(inbox(ours)[0])
    assert "The Leeds Safeguarding Children Partnership asks everyone who attends" in text
    assert "York" not in text


def test_invitations_reach_a_real_smtp_server(settings: Settings, smtp_server: tuple[Controller, Inbox]) -> None:
    controller, received = smtp_server
    through_smtp = dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=int(controller.port), mail_from="training@york.example"
    )
    make_course(through_smtp, DAY, [person(1), person(2)])
    run_due(through_smtp, FOUR_PM)
    run_due(through_smtp, FOUR_PM + timedelta(minutes=1))
    messages = received.messages()
    assert sorted(m["To"] for m in messages) == ["delegate1@school.example", "delegate2@school.example"]
    assert all(m["From"] == "training@york.example" for m in messages)
    assert all(PERSONAL_LINK.search(text_of(m)) for m in messages)
    assert inbox(through_smtp) == []  # nothing went to the outbox folder


class Stalling:
    """An aiosmtpd handler that answers the message only after the job's time limit has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.stalled = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        self.stalled += 1
        await asyncio.sleep(self.seconds)
        return "250 OK"


def test_a_send_stopped_by_the_job_time_limit_is_listed_as_uncertain_and_never_resent(
    settings: Settings, staff_client: Callable[[str], TestClient]
) -> None:
    # Found by an outsider: past the job's time limit the invitation stayed "sent", with no email and no failure.
    handler = Stalling(3.0)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        stalled = dataclasses.replace(
            settings, smtp_host="127.0.0.1", smtp_port=int(controller.port), jobs_timeout_seconds=0.5
        )
        course = make_course(stalled, DAY, [person(1)])
        run_due(stalled, FOUR_PM)
        for minutes in (1, 10, 60, 24 * 60):
            run_due(stalled, FOUR_PM + timedelta(minutes=minutes))
    finally:
        controller.stop()
    assert handler.stalled == 1, "a send that may have gone is never tried again by itself"
    rows = database.query(settings.database_url, "SELECT state, failure FROM invitation WHERE kind = 'evaluation'")
    assert [tuple(r) for r in rows] == [("failed", "SendUncertain")]
    page = staff_client("training_admin").get(f"/staff/training/sessions/{course.session_id}").text
    assert "Emails that could not be sent" in page
    assert "delegate1@school.example" in page
    assert "No answer from the mail server in time: the email may have arrived. Ask before sending again." in page
