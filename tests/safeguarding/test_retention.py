"""Retention by due work: submission keys dropped, typed answers and closed alerts deleted, the deletion log."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import TestClient

from tests.safeguarding.conftest import DISCLOSURE, alert_id_for, alerts, submit, words
from tests.support import database
from tests.support.apps import ClientFactory, make_client
from tests.support.staff import FIXED_USERS, api_token, bearer, sign_in
from voice_service.accounts.service import Person
from voice_service.core.jobs import JobRunner, RunSummary
from voice_service.core.settings import Settings
from voice_service.safeguarding.retention import RETENTION, months_before

__all__ = ["make_client"]


def run_retention(client: TestClient, now: datetime) -> RunSummary:
    runner: JobRunner = client.app.state.job_runner
    return client.blocking_portal.call(lambda: runner.run_due(now, kinds={RETENTION}))


def age(settings: Settings, response_id: str, when: datetime) -> None:
    database.query(
        settings.database_url,
        "UPDATE response SET submitted_at = :when WHERE id = :id",
        when=when,
        id=_stored_id(settings, response_id),
    )


def _stored_id(settings: Settings, response_id: str) -> object:
    for (rid,) in database.query(settings.database_url, "SELECT id FROM response"):
        if str(database.as_uuid(rid)) == response_id:
            return rid
    raise AssertionError(response_id)


def answers_of(settings: Settings, response_id: str) -> dict[str, str | None]:
    rows = database.query(
        settings.database_url,
        "SELECT question_id, value_text FROM answer WHERE response_id = :id",
        id=_stored_id(settings, response_id),
    )
    return {qid: text for qid, text in rows}


def deletion_log(settings: Settings) -> list[tuple[str, int, str]]:
    rows = database.query(settings.database_url, "SELECT what, count, rule FROM deletion_log ORDER BY id")
    return [(what, count, rule) for what, count, rule in rows]


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2024, 3, 31, 9, tzinfo=UTC), 1, datetime(2024, 2, 29, 9, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15, tzinfo=UTC)),
        (datetime(2026, 12, 2, tzinfo=UTC), 24, datetime(2024, 12, 2, tzinfo=UTC)),
        (datetime(2026, 12, 2, tzinfo=UTC), 72, datetime(2020, 12, 2, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months(moment: datetime, months: int, expected: datetime) -> None:
    assert months_before(moment, months) == expected


def test_typed_answers_are_deleted_24_months_after_the_response(client: TestClient, settings: Settings) -> None:
    now = datetime.now(UTC)
    old = submit(client, {"make_better": "old words here", "area": "west", "views_difference": "yes"})["id"]
    recent = submit(client, {"make_better": "recent words here", "area": "north"})["id"]
    age(settings, old, months_before(now, 24) - timedelta(hours=1))
    age(settings, recent, months_before(now, 24) + timedelta(days=2))
    assert run_retention(client, now).done[RETENTION] == 1
    assert answers_of(settings, old) == {"area": "west", "views_difference": "yes"}
    assert answers_of(settings, recent)["make_better"] == "recent words here"
    assert ("typed answers", 1, "24 months after the response") in deletion_log(settings)
    assert "old words" not in str(database.query(settings.database_url, "SELECT * FROM deletion_log"))


def test_a_survey_may_keep_typed_answers_for_less(make_client: ClientFactory, settings: Settings) -> None:
    with make_client(free_text_retention_by_survey=(("young-people-voice", 6),)) as client:
        now = datetime.now(UTC)
        rid = submit(client, {"make_better": "seven months ago"})["id"]
        age(settings, rid, months_before(now, 7))
        run_retention(client, now)
        assert answers_of(settings, rid) == {}
        [(count, rule)] = [(count, rule) for what, count, rule in deletion_log(settings) if what == "typed answers"]
        assert count == 1
        assert "young-people-voice: 6 months" in rule


def test_closed_alerts_are_deleted_six_years_after_closing_and_open_ones_never(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = bearer(api_token(settings, staff_users["safeguarding_lead"]))
    closed = alert_id_for(settings.database_url, submit(client, {"make_better": DISCLOSURE})["id"])
    still_open = alert_id_for(settings.database_url, submit(client, {"make_better": "i want to die"})["id"])
    for status, note in (("acknowledged", ""), ("no_concern", "Song lyrics, checked with the school.")):
        url = f"/api/safeguarding/alerts/{closed}/status"
        assert client.post(url, json={"status": status, "note": note}, headers=token).status_code == 200
    now = datetime.now(UTC)
    run_retention(client, now + timedelta(days=365 * 6 - 3))
    assert len(alerts(settings.database_url)) == 2
    run_retention(client, now + timedelta(days=365 * 6 + 3))
    assert [a["id"] for a in alerts(settings.database_url)] == [still_open]
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM safeguarding_alert_change")[0][0] == 0
    assert ("closed safeguarding alerts", 1, "6 years after closing") in deletion_log(settings)


def test_anonymous_submission_keys_are_dropped_once_retries_are_over(client: TestClient, settings: Settings) -> None:
    submit(client, {"make_better": "a"}, key="key-kept-for-retries-1")
    now = datetime.now(UTC)
    run_retention(client, now + timedelta(hours=23))
    assert (
        database.query(settings.database_url, "SELECT submission_key FROM response")[0][0] == "key-kept-for-retries-1"
    )
    run_retention(client, now + timedelta(hours=25, minutes=1))
    [(key,)] = database.query(settings.database_url, "SELECT submission_key FROM response")
    assert key.startswith("forgotten:")
    assert "key-kept-for-retries-1" not in key
    assert deletion_log(settings)[-1][:2] == ("anonymous submission keys", 1)


def test_nothing_to_delete_writes_nothing_to_the_log(client: TestClient, settings: Settings) -> None:
    submit(client, {"make_better": "fresh"})
    run_retention(client, datetime.now(UTC))
    assert deletion_log(settings) == []


def test_admins_read_the_deletion_log_and_no_one_else(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    submit(client, {"make_better": "<b>words</b>"}, key="key-kept-for-retries-2")
    run_retention(client, datetime.now(UTC) + timedelta(hours=26))
    sign_in(client, settings, staff_users["admin"])
    page = client.get("/staff/deletions")
    assert page.status_code == 200
    assert "Anonymous submission keys" in words(page.text)
    assert "words" not in words(page.text).replace("Deletion log", "")
    token = bearer(api_token(settings, staff_users["admin"]))
    [line] = client.get("/api/staff/deletions", headers=token).json()
    assert (line["what"], line["count"]) == ("anonymous submission keys", 1)
    for role in FIXED_USERS:
        if role == "admin":
            continue
        sign_in(client, settings, staff_users[role])
        assert client.get("/staff/deletions").status_code == 403
        assert (
            client.get("/api/staff/deletions", headers=bearer(api_token(settings, staff_users[role]))).status_code
            == 403
        )


def test_the_retention_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "FREE_TEXT_RETENTION_MONTHS": "12",
            "FREE_TEXT_RETENTION_BY_SURVEY": "young-people-voice=6, make-your-mark=36",
            "CLOSED_ALERT_RETENTION_YEARS": "7",
            "SUBMISSION_KEY_HOURS": "48",
            "SAFEGUARDING_EMAIL": " dsl@york.example ",
        }
    )
    assert settings.free_text_retention_months == 12
    assert settings.free_text_retention_by_survey == (("young-people-voice", 6), ("make-your-mark", 36))
    assert settings.closed_alert_retention_years == 7
    assert settings.submission_key_hours == 48
    assert settings.safeguarding_email == "dsl@york.example"
    assert dataclasses.replace(settings).safeguarding_email == "dsl@york.example"
    with pytest.raises(ValueError, match="FREE_TEXT_RETENTION_BY_SURVEY"):
        Settings.from_env({"FREE_TEXT_RETENTION_BY_SURVEY": "young-people-voice"})
