"""An admin turns a disabled account back on, and resets two-step verification for a lost phone."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions, snapshot
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, api_token, bearer, log_in, sign_in
from tests.support.two_step import Clock, clock, set_up_through_pages
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

__all__ = ["clock"]

StaffClient = Callable[[str], TestClient]


def _two_step_row(settings: Settings, email: str) -> tuple[object, ...]:
    rows = database.query(
        settings.database_url, "SELECT totp_enabled, totp_secret FROM staff_user WHERE email = :e", e=email
    )
    return tuple(rows[0])


def _recovery_codes(settings: Settings) -> int:
    return len(database.query(settings.database_url, "SELECT code_hash FROM recovery_code"))


def test_a_disabled_account_is_turned_back_on_after_asking_first(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["training_admin"]
    old_token = api_token(settings, person)
    admin_client.post(f"/staff/people/{person.id}/disable", data=with_csrf(admin_client))
    page = Html(admin_client.get(f"/staff/people/{person.id}").text)
    assert f"/staff/people/{person.id}/enable" in [a.attrs["href"] for a in page.all("a")]
    assert f"/staff/people/{person.id}/disable" not in [a.attrs["href"] for a in page.all("a")]
    confirm = Html(admin_client.get(f"/staff/people/{person.id}/enable").text)
    assert confirm.h1 == "Turn the account of Tom Training back on?"
    assert "stay revoked" in confirm.source
    response = admin_client.post(
        f"/staff/people/{person.id}/enable", data=with_csrf(admin_client), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/people/{person.id}?done=enabled"
    shown = Html(admin_client.get(response.headers["location"]).text)
    assert shown.summary_rows()["Account"][0] == "Active"
    assert "Account turned back on. Tom Training can sign in again." in shown.source
    # The tokens revoked at disabling stay revoked; the password works again.
    assert admin_client.get("/api/staff/me", headers=bearer(old_token)).status_code == 401
    assert log_in(admin_client, person.email).status_code == 303
    # Turning on an active account again changes nothing and is not audited twice.
    sign_in(admin_client, settings, staff_users["admin"])
    before = snapshot(settings.database_url)
    assert admin_client.post(f"/staff/people/{person.id}/enable", data=with_csrf(admin_client)).status_code == 200
    assert snapshot(settings.database_url) == before
    assert [r[:2] for r in audit_actions(settings.database_url, "user.")][-2:] == [
        ("user.disable", "ada.admin@example.org"),
        ("user.enable", "ada.admin@example.org"),
    ]


def test_resetting_someones_two_step_verification_for_a_lost_phone(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person], clock: Clock
) -> None:
    editor = staff_users["voice_editor"]
    client = staff_client("voice_editor")
    set_up_through_pages(client, clock)
    assert _two_step_row(settings, editor.email)[0] in (True, 1)
    assert _recovery_codes(settings) == 10
    admin = staff_client("admin")
    page = Html(admin.get(f"/staff/people/{editor.id}").text)
    assert f"/staff/people/{editor.id}/two-step-reset" in [a.attrs["href"] for a in page.all("a")]
    confirm = Html(admin.get(f"/staff/people/{editor.id}/two-step-reset").text)
    assert confirm.h1 == "Reset two-step verification for Eve Editor?"
    response = admin.post(f"/staff/people/{editor.id}/two-step-reset", data=with_csrf(admin), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/people/{editor.id}?done=two-step-reset"
    shown = Html(admin.get(response.headers["location"]).text)
    assert shown.summary_rows()["Two-step verification"][0] == "Off"
    assert _two_step_row(settings, editor.email) in ((False, None), (0, None))
    assert _recovery_codes(settings) == 0
    assert audit_actions(settings.database_url, "totp.")[-1][:2] == ("totp.disabled", "ada.admin@example.org")
    # With nothing to reset, the page says so and offers no button.
    again = Html(admin.get(f"/staff/people/{editor.id}/two-step-reset").text)
    assert "Two-step verification is off for this account." in again.source
    assert not [f for f in again.all("form") if f.attrs.get("method") == "post" and "two-step" in f.attrs["action"]]


def test_an_admin_resets_their_own_two_step_from_their_account_page_only(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    me = staff_users["admin"]
    assert f"/staff/people/{me.id}/two-step-reset" not in admin_client.get(f"/staff/people/{me.id}").text
    before = snapshot(settings.database_url)
    response = admin_client.post(f"/staff/people/{me.id}/two-step-reset", data=with_csrf(admin_client))
    assert response.status_code == 409
    assert Html(response.text).error_summary == [
        ("#confirm", "Change your own two-step verification from your account page")
    ]
    assert snapshot(settings.database_url) == before


def test_the_api_turns_accounts_back_on_and_resets_two_step(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    admin_api = bearer(api_token(settings, staff_users["admin"]))
    target = staff_users["voice_reviewer"]
    client.post(f"/api/staff/people/{target.id}/disable", headers=admin_api)
    enabled = client.post(f"/api/staff/people/{target.id}/enable", headers=admin_api)
    assert enabled.status_code == 200
    assert enabled.json()["active"] is True
    reset = client.post(f"/api/staff/people/{target.id}/two-step-reset", headers=admin_api)
    assert reset.status_code == 200
    assert reset.json()["two_step"] is False
    own = client.post(f"/api/staff/people/{staff_users['admin'].id}/two-step-reset", headers=admin_api)
    assert own.status_code == 409
    assert own.json() == {"errors": {"form": "Change your own two-step verification from your account page"}}
    for action in ("enable", "two-step-reset"):
        missing = client.post(f"/api/staff/people/{uuid.uuid4()}/{action}", headers=admin_api)
        assert missing.status_code == 404
        assert missing.json()["detail"] == "There is no account with that id"
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "post" in paths["/api/staff/people/{user_id}/enable"]
    assert "post" in paths["/api/staff/people/{user_id}/two-step-reset"]


@pytest.mark.parametrize("action", ["enable", "two-step-reset"])
def test_unknown_ids_are_a_404_page_and_change_nothing(
    admin_client: TestClient, settings: Settings, action: str
) -> None:
    assert admin_client.get(f"/staff/people/{uuid.uuid4()}/{action}").status_code == 404
    before = snapshot(settings.database_url)
    assert admin_client.post(f"/staff/people/{uuid.uuid4()}/{action}", data=with_csrf(admin_client)).status_code == 404
    assert snapshot(settings.database_url) == before


@pytest.mark.parametrize("key", [k for k in FIXED_USERS if k != "admin"])
def test_only_admins_can_do_either(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], key: str
) -> None:
    target = staff_users["admin"].id
    headers = bearer(api_token(settings, staff_users[key]))
    sign_in(client, settings, staff_users[key])
    assert client.get("/api/staff/me", headers=headers).status_code == 200  # the token's last use is now recorded
    before = snapshot(settings.database_url)
    for action in ("enable", "two-step-reset"):
        assert client.get(f"/staff/people/{target}/{action}").status_code == 403
        assert client.post(f"/staff/people/{target}/{action}", data=with_csrf(client)).status_code == 403
        assert client.post(f"/api/staff/people/{target}/{action}", headers=headers).status_code == 403
    assert snapshot(settings.database_url) == before
