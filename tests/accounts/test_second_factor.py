"""Two-step verification through the pages: setting it up, logging in with it, recovery codes, turning it off."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, PASSWORD, log_in, sign_in
from tests.support.two_step import HUB, SECOND_STEP, Clock, clock, code, second_step, set_up_through_pages
from voice_service.accounts.service import Person
from voice_service.accounts.totp import recovery_code_hash
from voice_service.core.settings import Settings

__all__ = ["clock"]

StaffClient = Callable[[str], TestClient]
EDITOR = FIXED_USERS["voice_editor"].email


def _user_row(settings: Settings, email: str = EDITOR) -> tuple[object, ...]:
    sql = "SELECT totp_secret, totp_enabled, totp_last_step FROM staff_user WHERE email = :email"
    secret, enabled, last_step = database.query(settings.database_url, sql, email=email)[0]
    return secret, bool(enabled), last_step


def _stored_codes(settings: Settings) -> list[tuple[str, object]]:
    return [(r[0], r[1]) for r in database.query(settings.database_url, "SELECT code_hash, used_at FROM recovery_code")]


def _actions(settings: Settings) -> list[str]:
    return [row[0] for row in audit_actions(settings.database_url) if row[0].startswith(("auth.", "totp."))]


def _sessions(settings: Settings) -> int:
    return len(database.query(settings.database_url, "SELECT id_hash FROM staff_session"))


def _log_out(client: TestClient) -> None:
    assert client.post("/staff/logout", data=with_csrf(client), follow_redirects=False).status_code == 303


def test_setting_it_up_shows_a_qr_code_and_the_key_then_ten_recovery_codes_once(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person], clock: Clock
) -> None:
    client = staff_client("voice_editor")
    other_browser = sign_in(TestClient(client.app), settings, staff_users["voice_editor"])
    account = Html(client.get("/staff/account").text)
    assert HUB in [a.attrs.get("href") for a in account.all("a")]
    intro = client.get(HUB)
    assert intro.status_code == 200
    assert Html(intro.text).h1 == "Two-step verification"
    assert "Set up two-step verification" in intro.text
    assert client.get(f"{HUB}/start").status_code == 405  # nothing changes on a GET
    assert _user_row(settings) == (None, False, None)

    assert client.post(f"{HUB}/start", data=with_csrf(client), follow_redirects=False).headers["location"] == HUB
    setup = client.get(HUB)
    page = Html(setup.text)
    assert page.h1 == "Set up two-step verification"
    assert "<svg" in setup.text
    assert "<script" not in setup.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    key = page.one("code").text
    assert [len(group) for group in key.split()] == [4] * 8
    secret = key.replace(" ", "")
    assert _user_row(settings) == (secret, False, None)  # pending, not yet trusted
    assert "one-time-code" in setup.text

    wrong = client.post(
        HUB, data=with_csrf(client, {"code": "000000" if code(secret, clock) != "000000" else "111111"})
    )
    assert wrong.status_code == 400
    assert Html(wrong.text).error_summary == [
        ("#code", "The code is not right. Enter the newest code your authenticator app shows")
    ]
    assert _user_row(settings)[1] is False

    done = client.post(HUB, data=with_csrf(client, {"code": code(secret, clock)}))
    assert done.status_code == 200
    codes = [e.text for e in Html(done.text).all("code", "vs-token")]
    assert len(set(codes)) == 10
    assert "Two-step verification is on" in done.text
    assert done.headers["cache-control"] == "no-store"
    stored = _stored_codes(settings)
    assert sorted(h for h, _used in stored) == sorted(recovery_code_hash(c) for c in codes)
    assert all(c not in str(database.query(settings.database_url, "SELECT * FROM recovery_code")) for c in codes)
    secret_now, enabled, last_step = _user_row(settings)
    assert (secret_now, enabled) == (secret, True)
    assert last_step is not None  # the code that confirmed it cannot be used to log in
    assert _actions(settings) == ["totp.enabled"]
    # The other browser was signed in with the password alone: it is signed out.
    assert _sessions(settings) == 1
    assert other_browser

    overview = client.get(HUB)
    assert "On" in Html(overview.text).summary_rows()["Two-step verification"][0]
    assert Html(overview.text).summary_rows()["Recovery codes left"][0] == "10 of 10"
    assert all(c not in overview.text for c in codes)  # shown once only
    assert client.post(f"{HUB}/start", data=with_csrf(client), follow_redirects=False).status_code == 303
    assert _user_row(settings)[0] == secret  # starting again while on changes nothing


def test_logging_in_takes_a_code_after_the_password_and_a_new_session_id(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = staff_client("voice_editor")
    secret, _codes = set_up_through_pages(client, clock)
    _log_out(client)

    response = log_in(client, EDITOR, next_page="/staff/account")
    assert response.status_code == 303
    assert response.headers["location"] == f"{SECOND_STEP}?next=%2Fstaff%2Faccount"
    half = client.cookies.get("vs_staff")
    # Until the code is given, every other staff page sends the person back to the second step.
    for path in ("/staff/", "/staff/account", HUB, f"{HUB}/turn-off"):
        refused = client.get(path, follow_redirects=False)
        assert (refused.status_code, refused.headers["location"]) == (303, SECOND_STEP), path
    page = Html(client.get(response.headers["location"]).text)
    assert page.h1 == "Enter the code from your authenticator app"
    assert page.field_values()["next"] == ["/staff/account"]
    assert "/staff/logout" in [f.attrs["action"] for f in page.all("form")]
    assert "govuk-service-navigation" not in client.get(SECOND_STEP).text

    done = second_step(client, {"code": code(secret, clock), "next": "/staff/account"})
    assert done.status_code == 303
    assert done.headers["location"] == "/staff/account"
    assert client.cookies.get("vs_staff") not in (None, half)
    assert client.get("/staff/account").status_code == 200
    assert client.get(SECOND_STEP, follow_redirects=False).headers["location"] == "/staff/"
    assert _sessions(settings) == 1  # the half-signed-in session is gone
    assert _actions(settings)[-2:] == ["auth.login", "auth.second_factor"]


def test_a_code_cannot_be_used_twice(staff_client: StaffClient, settings: Settings, clock: Clock) -> None:
    client = staff_client("voice_editor")
    secret, _codes = set_up_through_pages(client, clock)
    _log_out(client)
    log_in(client, EDITOR)
    used = code(secret, clock)
    assert second_step(client, {"code": used}).status_code == 303
    _log_out(client)
    log_in(client, EDITOR)
    replayed = second_step(client, {"code": used})
    assert replayed.status_code == 400
    assert Html(replayed.text).error_summary == [
        ("#code", "That code has been used already. Wait for your app to show a new code, then enter it")
    ]
    assert _actions(settings)[-1] == "auth.second_factor_failed"
    clock.tick()
    assert second_step(client, {"code": code(secret, clock)}).status_code == 303


def test_a_recovery_code_works_once_and_the_overview_says_how_many_are_left(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = staff_client("voice_editor")
    _secret, codes = set_up_through_pages(client, clock)
    _log_out(client)
    log_in(client, EDITOR)
    form = Html(client.get(f"{SECOND_STEP}?recovery=true").text)
    assert form.h1 == "Enter a recovery code"
    assert "recovery_code" in form.field_names()
    done = second_step(client, {"recovery_code": codes[3].upper().replace("-", " ")})
    assert done.status_code == 303
    assert done.headers["location"] == f"{HUB}?recovery_used=true"
    banner = Html(client.get(done.headers["location"]).text).one(cls="govuk-notification-banner")
    assert "you have 9 left" in banner.text
    assert _actions(settings)[-3:] == ["auth.login", "auth.recovery_code_used", "auth.second_factor"]

    _log_out(client)
    log_in(client, EDITOR)
    again = second_step(client, {"recovery_code": codes[3]})
    assert again.status_code == 400
    assert Html(again.text).error_summary == [
        ("#recovery_code", "The recovery code is not right, or it has been used already")
    ]
    assert sum(1 for _h, used in _stored_codes(settings) if used is not None) == 1
    assert second_step(client, {"recovery_code": codes[4]}).status_code == 303


def test_wrong_codes_count_against_the_accounts_login_limit_which_a_password_does_not_reset(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = staff_client("voice_editor")
    secret, _codes = set_up_through_pages(client, clock)
    _log_out(client)
    right = code(secret, clock)
    wrong = "000000" if right != "000000" else "111111"
    log_in(client, EDITOR)
    for _ in range(5):
        assert second_step(client, {"code": wrong}).status_code == 400
    # Logging in again with the right password must not give the guesser ten more tries.
    _log_out(client)
    assert log_in(client, EDITOR).status_code == 303
    for _ in range(5):
        assert second_step(client, {"code": wrong}).status_code == 400
    blocked = second_step(client, {"code": right})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many attempts" in Html(blocked.text).error_summary[0][1]
    _log_out(client)
    assert log_in(client, EDITOR, PASSWORD).status_code == 429  # the same counter as passwords
    failed = _actions(settings).count("auth.second_factor_failed")
    assert failed == 10
    assert "auth.login_blocked" in _actions(settings)


def test_an_empty_code_is_asked_for_and_not_counted(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    _log_out(client)
    log_in(client, EDITOR)
    for _ in range(12):
        response = second_step(client, {"code": "  "})
        assert response.status_code == 400
    assert Html(response.text).error_summary == [("#code", "Enter the 6-digit code from your authenticator app")]
    assert "auth.second_factor_failed" not in _actions(settings)


def test_turning_it_off_asks_for_the_password(staff_client: StaffClient, settings: Settings, clock: Clock) -> None:
    client = staff_client("voice_editor")
    secret, codes = set_up_through_pages(client, clock)
    _log_out(client)
    log_in(client, EDITOR)
    second_step(client, {"code": code(secret, clock)})
    page = client.get(f"{HUB}/turn-off")
    assert Html(page.text).h1 == "Turn off two-step verification"
    assert "administrator" not in page.text
    refused = client.post(f"{HUB}/turn-off", data=with_csrf(client, {"password": "not my password at all"}))
    assert refused.status_code == 400
    assert Html(refused.text).error_summary == [("#password", "Your password is not right")]
    assert _user_row(settings)[1] is True
    assert _actions(settings)[-1] == "totp.disable_refused"

    done = client.post(f"{HUB}/turn-off", data=with_csrf(client, {"password": PASSWORD}), follow_redirects=False)
    assert done.headers["location"] == f"{HUB}?turned_off=true"
    assert "Two-step verification is off" in client.get(done.headers["location"]).text
    assert _user_row(settings) == (None, False, None)
    assert _stored_codes(settings) == []
    assert _actions(settings)[-1] == "totp.disabled"
    assert client.get(f"{HUB}/turn-off", follow_redirects=False).headers["location"] == HUB
    _log_out(client)
    assert log_in(client, EDITOR).headers["location"] == "/staff/"  # the password alone again
    assert second_step(client, {"recovery_code": codes[0]}).headers["location"] == "/staff/"  # already verified


def test_new_recovery_codes_replace_the_old_ones(staff_client: StaffClient, settings: Settings, clock: Clock) -> None:
    client = staff_client("voice_editor")
    _secret, old = set_up_through_pages(client, clock)
    assert Html(client.get(f"{HUB}/recovery-codes").text).h1 == "Make new recovery codes"
    assert client.post(f"{HUB}/recovery-codes", data=with_csrf(client, {"password": ""})).status_code == 400
    renewed = client.post(f"{HUB}/recovery-codes", data=with_csrf(client, {"password": PASSWORD}))
    assert renewed.status_code == 200
    new = [e.text for e in Html(renewed.text).all("code", "vs-token")]
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert _actions(settings)[-1] == "totp.recovery_codes_renewed"
    _log_out(client)
    log_in(client, EDITOR)
    assert second_step(client, {"recovery_code": old[0]}).status_code == 400
    assert second_step(client, {"recovery_code": new[0]}).status_code == 303


@pytest.mark.parametrize("path", [f"{HUB}/turn-off", f"{HUB}/recovery-codes"])
def test_with_it_off_there_is_nothing_to_turn_off_or_renew(
    staff_client: StaffClient, settings: Settings, path: str
) -> None:
    client = staff_client("voice_editor")
    assert client.get(path, follow_redirects=False).headers["location"] == HUB
    posted = client.post(path, data=with_csrf(client, {"password": PASSWORD}), follow_redirects=False)
    assert posted.headers["location"] == HUB
    assert _stored_codes(settings) == []


def test_the_sign_out_button_works_from_the_second_step(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    _log_out(client)
    log_in(client, EDITOR)
    _log_out(client)
    assert _sessions(settings) == 0
    assert client.get(SECOND_STEP, follow_redirects=False).headers["location"].startswith("/staff/login")


def test_the_operator_can_turn_it_off_for_someone_who_lost_phone_and_codes(
    staff_client: StaffClient, settings: Settings, clock: Clock
) -> None:
    from tests.accounts.test_accounts_cli import invoke

    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    _log_out(client)
    result = invoke(settings, "users", "reset-second-factor", EDITOR.upper())
    assert result.exit_code == 0, result.output
    assert result.output == f"two-step verification turned off for {EDITOR}\n"
    assert _user_row(settings) == (None, False, None)
    assert _stored_codes(settings) == []
    assert audit_actions(settings.database_url, "totp.")[-1][:2] == ("totp.disabled", "command line")
    assert log_in(client, EDITOR).headers["location"] == "/staff/"
    again = invoke(settings, "users", "reset-second-factor", EDITOR)
    assert again.output == f"{EDITOR} had no two-step verification\n"
    unknown = invoke(settings, "users", "reset-second-factor", "nobody@example.org")
    assert unknown.exit_code == 1
    assert "no account" in unknown.output
