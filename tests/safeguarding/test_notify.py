"""The alert email: to SAFEGUARDING_EMAIL within a minute, once per alert, a link and never the child's words."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from aiosmtpd.controller import Controller
from litestar.testing import TestClient

from tests.mail.test_mail import Inbox, smtp_server, smtp_settings
from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, alerts, submit
from tests.support import database, outbox
from tests.support.apps import ClientFactory, make_client
from voice_service.app import build_job_runner
from voice_service.core.db.engine import create_engine
from voice_service.core.jobs import JobRunner, RunSummary
from voice_service.core.settings import Settings
from voice_service.safeguarding.notify import NOTIFY

__all__ = ["make_client", "smtp_server"]
LEAD = "safeguarding.lead@york.example"
BASE = "https://voice.york.example"


def run_due(client: TestClient, now: datetime | None = None) -> RunSummary:
    """Run the app's own runner on the app's event loop."""
    runner: JobRunner = client.app.state.job_runner
    return client.blocking_portal.call(runner.run_due, now or datetime.now(UTC) + timedelta(minutes=1))


def wait_for(condition: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_one_email_per_alert_with_a_link_and_none_of_the_words(make_client: ClientFactory, settings: Settings) -> None:
    with make_client(safeguarding_email=LEAD) as client:
        first = submit(client, {"make_better": DISCLOSURE, "area": "west"})
        submit(client, {"make_better": ORDINARY})
        submit(client, {"make_better": "i want to kill myself"})
        summary = run_due(client)
        assert summary.done[NOTIFY] == 1
        sent = outbox.messages(settings.outbox_dir)
        assert len(sent) == 2
        ids = {str(a["id"]) for a in alerts(settings.database_url)}
        for message in sent:
            assert message["To"] == LEAD
            assert message["Subject"] == "New safeguarding alert"
            body = outbox.text_of(message) + outbox.html_of(message)
            for words in ("mums", "hits", "kill", "west", "physical", "suicid", "young-people-voice"):
                assert words not in body.lower()
        prefix = f"{settings.base_url}/staff/safeguarding/alerts/"
        links = {outbox.text_of(m).split(prefix)[1].split()[0] for m in sent}
        assert links == ids
        assert all(a["notified_at"] is not None for a in alerts(settings.database_url))
        # Each alert is emailed once: a later run sends nothing new.
        run_due(client, datetime.now(UTC) + timedelta(minutes=3))
        assert len(outbox.messages(settings.outbox_dir)) == 2
        assert first["id"]


def test_without_a_safeguarding_address_the_job_fails_loudly_and_sends_later(
    make_client: ClientFactory, settings: Settings
) -> None:
    with make_client() as client:
        submit(client, {"make_better": DISCLOSURE})
        summary = run_due(client)
        assert summary.retrying[NOTIFY] == 1
        assert outbox.messages(settings.outbox_dir) == []
        [alert] = alerts(settings.database_url)
        assert alert["notified_at"] is None
        [(error,)] = database.query(settings.database_url, "SELECT last_error FROM job WHERE kind = :kind", kind=NOTIFY)
        assert error == "NoSafeguardingAddress"
    with make_client(safeguarding_email=LEAD) as client:
        run_due(client, datetime.now(UTC) + timedelta(hours=2))
        assert len(outbox.messages(settings.outbox_dir)) == 1


def test_a_stored_alert_is_emailed_at_once_by_the_running_service(
    make_client: ClientFactory, settings: Settings
) -> None:
    # The in-process runner with its minute-long interval: the writer wakes the notify job at once.
    with make_client(safeguarding_email=LEAD, jobs_in_process=True, jobs_interval_seconds=60) as client:
        time.sleep(0.5)  # the loop's first run (at start-up) is over
        started = time.monotonic()
        submit(client, {"make_better": DISCLOSURE})
        assert wait_for(lambda: len(outbox.messages(settings.outbox_dir)) == 1)
        assert time.monotonic() - started < 10


def test_a_disclosure_brings_the_notify_job_forward_for_the_next_run(
    make_client: ClientFactory, settings: Settings
) -> None:
    with make_client(safeguarding_email=LEAD) as client:
        later = datetime.now(UTC) + timedelta(minutes=30)
        database.query(
            settings.database_url, "UPDATE job SET due_at = :later WHERE kind = :kind", later=later, kind=NOTIFY
        )
        submit(client, {"make_better": DISCLOSURE})

        def due_now() -> bool:
            [(due,)] = database.query(settings.database_url, "SELECT due_at FROM job WHERE kind = :kind", kind=NOTIFY)
            when = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
            return when.replace(tzinfo=when.tzinfo or UTC) < later - timedelta(minutes=25)

        assert wait_for(due_now)


def test_the_alert_email_goes_through_a_real_smtp_server(
    client: TestClient, settings: Settings, smtp_server: tuple[Controller, Inbox]
) -> None:
    controller, inbox = smtp_server
    submit(client, {"make_better": DISCLOSURE})
    mail_settings = dataclasses.replace(
        smtp_settings(controller), database_url=settings.database_url, safeguarding_email=LEAD, base_url=BASE
    )

    async def run() -> RunSummary:
        engine = create_engine(mail_settings)
        try:
            return await build_job_runner(mail_settings, engine).run_due(datetime.now(UTC), kinds={NOTIFY})
        finally:
            await engine.dispose()

    database.query(
        settings.database_url,
        "UPDATE job SET due_at = :now WHERE kind = :kind",
        now=datetime.now(UTC) - timedelta(seconds=1),
        kind=NOTIFY,
    )
    assert asyncio.run(run()).done[NOTIFY] == 1
    [message] = inbox.messages()
    assert message["To"] == LEAD
    text = outbox.text_of(message)
    assert f"{BASE}/staff/safeguarding/alerts/" in text
    assert "hits" not in text
