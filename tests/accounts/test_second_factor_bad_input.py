"""Bad input on the two-step pages: markup, SQL, long strings, control characters, repeated and wrong fields.

Each gets a clear 4xx, changes no account table, is never shown back unescaped, logged, or answered with a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import snapshot
from tests.accounts.test_bad_input import HOSTILE, _assert_no_raw_markup
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, log_in
from tests.support.two_step import HUB, SECOND_STEP, Clock, clock, second_step, set_up_through_pages
from voice_service.core.settings import Settings

__all__ = ["clock"]

StaffClient = Callable[[str], TestClient]
EDITOR = FIXED_USERS["voice_editor"].email


def _awaiting_second_step(staff_client: StaffClient, clock: Clock) -> TestClient:
    """A client whose person has two-step verification on and has just given the right password."""
    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    client.post("/staff/logout", data=with_csrf(client))
    assert log_in(client, EDITOR).headers["location"] == SECOND_STEP
    return client


def _refused(response_status: int, text: str) -> None:
    assert 400 <= response_status < 500, response_status
    _assert_no_raw_markup(text)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_setup_codes_are_refused(
    staff_client: StaffClient, settings: Settings, clock: Clock, value: str
) -> None:
    client = staff_client("voice_editor")
    client.post(f"{HUB}/start", data=with_csrf(client))
    before = snapshot(settings.database_url)
    response = client.post(HUB, data=with_csrf(client, {"code": value}))
    assert response.status_code == 400
    _refused(response.status_code, response.text)
    assert Html(response.text).error_summary[0][0] == "#code"
    if len(value) > 20:
        assert value not in response.text  # a code is never filled back in
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_second_step_codes_are_refused(
    staff_client: StaffClient, settings: Settings, clock: Clock, value: str
) -> None:
    client = _awaiting_second_step(staff_client, clock)
    before = snapshot(settings.database_url)
    for field in ("code", "recovery_code"):
        response = second_step(client, {field: value, "next": value})
        assert response.status_code == 400, field
        _refused(response.status_code, response.text)
        assert Html(response.text).field_values()["next"] == ["/staff/"]  # a hostile next is dropped
    assert snapshot(settings.database_url) == before
    assert client.get("/staff/", follow_redirects=False).headers["location"] == SECOND_STEP


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_passwords_do_not_turn_it_off_or_renew_codes(
    staff_client: StaffClient, settings: Settings, clock: Clock, value: str
) -> None:
    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    client.post("/staff/logout", data=with_csrf(client))
    client = staff_client("voice_editor")
    before = snapshot(settings.database_url)
    for path in (f"{HUB}/turn-off", f"{HUB}/recovery-codes"):
        response = client.post(path, data=with_csrf(client, {"password": value}))
        assert response.status_code == 400, path
        _refused(response.status_code, response.text)
        assert Html(response.text).error_summary == [("#password", "Your password is not right")]
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize(
    "url",
    [
        f"{SECOND_STEP}?recovery=<script>",
        f"{SECOND_STEP}?recovery=" + "x" * 5000,
        f"{SECOND_STEP}?recovery=%00",
        f"{HUB}?recovery_used=1%27%20OR%201=1",
        f"{HUB}?turned_off=<script>",
    ],
)
def test_bad_query_values_are_a_400(staff_client: StaffClient, clock: Clock, url: str) -> None:
    client = _awaiting_second_step(staff_client, clock) if url.startswith(SECOND_STEP) else staff_client("admin")
    response = client.get(url)
    assert response.status_code == 400
    _assert_no_raw_markup(response.text)


@pytest.mark.parametrize("next_page", ["<script>alert(1)</script>", "javascript:alert(1)", "//evil.example/"])
def test_a_hostile_next_on_the_second_step_is_dropped(staff_client: StaffClient, clock: Clock, next_page: str) -> None:
    client = _awaiting_second_step(staff_client, clock)
    response = client.get(SECOND_STEP, params={"next": next_page})
    assert response.status_code == 200
    _assert_no_raw_markup(response.text)
    assert Html(response.text).field_values()["next"] == ["/staff/"]


def test_repeated_wrong_and_oversized_fields_are_4xx(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = _awaiting_second_step(staff_client, clock)
    before = snapshot(settings.database_url)
    token = with_csrf(client)["_csrf_token"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    repeated = client.post(SECOND_STEP, content=f"code=1&code=2&_csrf_token={token}", headers=form)
    assert 400 <= repeated.status_code < 500
    as_json = client.post(SECOND_STEP, json={"code": 123456}, headers={"X-CSRF-Token": token})
    assert 400 <= as_json.status_code < 500
    assert second_step(client, {"code": "1" * 2_000_000}).status_code == 413
    assert second_step(client, {"unexpected": "field"}).status_code == 400
    assert snapshot(settings.database_url) == before


def test_nothing_typed_reaches_the_log(
    staff_client: StaffClient, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "919191"
    client = _awaiting_second_step(staff_client, clock)
    with caplog.at_level(logging.DEBUG):
        second_step(client, {"code": marker})
        second_step(client, {"recovery_code": f"zzzzz-{marker}"})
    assert marker not in caplog.text
