"""REQUIRE_TOTP_FOR_ADMIN: an admin without two-step verification can reach only its setup until it is on."""

from __future__ import annotations

from collections.abc import Callable

from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions
from tests.support.apps import ClientFactory, make_client
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, PASSWORD, api_token, bearer, log_in, sign_in
from tests.support.two_step import HUB, SECOND_STEP, Clock, clock, code, second_step, set_up_through_pages
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

__all__ = ["clock", "make_client"]

ADMIN = FIXED_USERS["admin"].email
ELSEWHERE = ("/staff/", "/staff/account", "/staff/account/tokens", f"{HUB}/turn-off", f"{HUB}/recovery-codes")


def _sent_to_setup(client: TestClient) -> None:
    for path in ELSEWHERE:
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 405), path
        if response.status_code == 303:
            assert response.headers["location"] == HUB, path
    posted = client.post("/staff/account/tokens", data=with_csrf(client, {"name": "x"}), follow_redirects=False)
    assert (posted.status_code, posted.headers["location"]) == (303, HUB)


def test_the_setting_is_on_unless_turned_off() -> None:
    assert Settings.from_env({}).require_totp_for_admin is True
    assert Settings.from_env({"REQUIRE_TOTP_FOR_ADMIN": "false"}).require_totp_for_admin is False
    assert Settings.from_env({"REQUIRE_TOTP_FOR_ADMIN": "true"}).require_totp_for_admin is True


def test_an_admin_without_it_is_sent_to_set_it_up_and_reaches_nothing_else_until_done(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person], clock: Clock
) -> None:
    with make_client(require_totp_for_admin=True) as client:
        login = log_in(client, ADMIN)
        assert login.headers["location"] == "/staff/"  # the password was enough to sign in ...
        first = client.get("/staff/", follow_redirects=False)
        assert first.headers["location"] == HUB  # ... but not to use the staff area
        _sent_to_setup(client)
        page = client.get(HUB)
        assert page.status_code == 200
        assert "you must set up two-step verification before you can use the staff area" in page.text
        assert "govuk-service-navigation" not in page.text  # no links that would only bounce back
        assert "/staff/logout" in [f.attrs["action"] for f in Html(page.text).all("form")]
        # Nothing was stored until the person chose to start.
        assert [row[0] for row in audit_actions(settings.database_url, "totp.")] == []

        secret, _codes = set_up_through_pages(client, clock)
        assert client.get("/staff/").status_code == 200
        assert client.get("/staff/account").status_code == 200

        # The next login takes a code, like anyone else's.
        client.post("/staff/logout", data=with_csrf(client))
        assert log_in(client, ADMIN, PASSWORD).headers["location"] == SECOND_STEP
        assert second_step(client, {"code": code(secret, clock)}).headers["location"] == "/staff/"
        assert client.get("/staff/").status_code == 200

        # Turning it off is allowed, with a warning, and sends the admin straight back to set it up.
        assert "set it up again straight away" in client.get(f"{HUB}/turn-off").text
        off = client.post(f"{HUB}/turn-off", data=with_csrf(client, {"password": PASSWORD}), follow_redirects=False)
        assert off.headers["location"] == f"{HUB}?turned_off=true"
        assert "you must set up two-step verification" in client.get(off.headers["location"]).text
        _sent_to_setup(client)


def test_people_without_the_admin_role_choose_for_themselves(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person]
) -> None:
    with make_client(require_totp_for_admin=True) as client:
        for key in ("training_admin", "voice_editor", "voice_reviewer", "safeguarding_lead", "no_roles"):
            sign_in(client, settings, staff_users[key])
            assert client.get("/staff/").status_code == 200, key
            assert "you must set up" not in client.get(HUB).text


def test_with_the_setting_off_an_admin_may_go_without(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    client = staff_client("admin")
    assert settings.require_totp_for_admin is False
    assert client.get("/staff/").status_code == 200
    assert "you must set up" not in client.get(HUB).text


def test_the_staff_api_is_not_redirected(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person]
) -> None:
    # Why: a token is its own credential, made on the account page (after setup) or by the operator's CLI.
    token = api_token(settings, staff_users["admin"])
    with make_client(require_totp_for_admin=True) as client:
        assert client.get("/api/staff/me", headers=bearer(token)).status_code == 200
