"""The admin's people pages: the list, adding a person, changing roles, disabling, sending a set-password link."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions, snapshot
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.outbox import messages, password_link, text_of
from tests.support.staff import FIXED_USERS, api_token, bearer, log_in, sign_in
from voice_service.accounts.roles import ROLE_NAMES
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]


def _add(client: TestClient, **fields: object) -> object:
    data = {"name": "Pat Trainer", "email": "pat.trainer@example.org", "roles": ["training_admin"], **fields}
    return client.post("/staff/people/new", data=with_csrf(client, data), follow_redirects=False)


def _user_id(settings: Settings, email: str) -> uuid.UUID:
    rows = database.query(settings.database_url, "SELECT id FROM staff_user WHERE email = :email", email=email)
    return database.as_uuid(rows[0][0])


def _roles(settings: Settings, user_id: uuid.UUID) -> list[str]:
    rows = database.query(settings.database_url, "SELECT user_id, role FROM staff_role")
    return sorted(row[1] for row in rows if database.as_uuid(row[0]) == user_id)


def test_the_list_shows_everyone_with_roles_status_two_step_and_last_sign_in(
    admin_client: TestClient, client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    assert log_in(client, FIXED_USERS["voice_editor"].email).status_code == 303
    sign_in(client, settings, staff_users["admin"])
    response = client.get("/staff/people")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = Html(response.text)
    assert page.h1 == "People and roles"
    rows = {
        cells[0].text: [c.text for c in cells]
        for row in page.all("tr", within="govuk-table__body")
        if (cells := [e for e in page.elements if row in e.ancestors and e.tag == "td"])
    }
    assert len(rows) == len(FIXED_USERS)
    editor = rows[f"Eve Editor {FIXED_USERS['voice_editor'].email}"]
    assert editor[1] == ROLE_NAMES["voice_editor"]
    assert editor[2].startswith("Active Two-step verification: off")
    assert editor[3] != "Never"
    assert editor[3].endswith("UTC")
    assert rows[f"Nina Noroles {FIXED_USERS['no_roles'].email}"][1] == "No roles"
    assert rows[f"Tom Training {FIXED_USERS['training_admin'].email}"][3] == "Never"
    links = [a.attrs["href"] for a in page.all("a")]
    assert f"/staff/people/{staff_users['voice_editor'].id}" in links
    assert "/staff/people/new" in links
    # The navigation now links the admin sections, and the training reports admins may read.
    assert [a.text for a in page.all("a", "govuk-service-navigation__link")] == [
        "Staff area",
        "Home",
        "People and roles",
        "Audit log",
        "Deletion log",
        "Training reports",
        "Your account",
    ]


def test_adding_a_person_sends_them_a_link_at_once_and_is_audited(admin_client: TestClient, settings: Settings) -> None:
    response = _add(admin_client, email="Pat.Trainer@Example.org", roles=["training_admin", "voice_editor"])
    assert response.status_code == 303
    user_id = _user_id(settings, "pat.trainer@example.org")
    assert response.headers["location"] == f"/staff/people/{user_id}?done=created"
    page = Html(admin_client.get(response.headers["location"]).text)
    assert page.h1 == "Pat Trainer"
    assert "Account added" in page.one(cls="govuk-notification-banner").text
    rows = page.summary_rows()
    assert rows["Email address"][0] == "pat.trainer@example.org"
    assert rows["Roles"] == (
        f"{ROLE_NAMES['training_admin']} {ROLE_NAMES['voice_editor']}",
        f"/staff/people/{user_id}/roles",
    )
    assert rows["Password"][0] == "Not set yet"
    assert rows["Account"][0] == "Active"
    # The link went out straight after the request (no runner had to come round).
    sent = messages(settings.outbox_dir)
    assert [m["To"] for m in sent] == ["pat.trainer@example.org"]
    assert "Ada Admin (ada.admin@example.org)" in text_of(sent[0])
    assert password_link(sent[0]).startswith("http://127.0.0.1:8000/staff/password/")
    actions = [row[:2] for row in audit_actions(settings.database_url, "user.")]
    assert actions[-2:] == [("user.create", "ada.admin@example.org"), ("user.password_link", "ada.admin@example.org")]
    # No password was set and no token is in the job table.
    jobs = database.query(settings.database_url, "SELECT kind, payload FROM job WHERE kind LIKE 'accounts.send%'")
    assert len(jobs) == 1
    assert "user_id" in str(jobs[0][1])
    assert password_link(sent[0]).rsplit("/", 1)[1] not in str(jobs[0][1])


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": ""}, "email", "Enter an email address"),
        ({"email": "not an email"}, "email", "Enter an email address in the correct format, like name@example.org"),
        (
            {"email": FIXED_USERS["voice_editor"].email.upper()},
            "email",
            "An account with this email address already exists",
        ),
        ({"name": "n" * 201}, "name", "Name must be 200 characters or fewer"),
        ({"name": "tab\there"}, "name", "Name must not contain control characters"),
        (
            {"roles": ["superuser"]},
            "roles",
            "Unknown role: choose from admin, training_admin, voice_editor, voice_reviewer, safeguarding_lead",
        ),
    ],
)
def test_a_refused_new_person_shows_the_error_and_changes_nothing(
    admin_client: TestClient, settings: Settings, fields: dict[str, object], field: str, message: str
) -> None:
    before = snapshot(settings.database_url)
    response = _add(admin_client, **fields)
    assert response.status_code == 400
    page = Html(response.text)
    assert page.title.startswith("Error: ")
    assert page.error_summary == [(f"#{field}", message)]
    assert snapshot(settings.database_url) == before
    assert messages(settings.outbox_dir) == []


def test_the_new_person_form_keeps_what_was_typed(admin_client: TestClient) -> None:
    page = Html(_add(admin_client, email="bad", roles=["voice_reviewer", "safeguarding_lead"]).text)
    values = page.field_values()
    assert values["name"] == ["Pat Trainer"]
    assert values["email"] == ["bad"]
    assert values["roles"] == ["voice_reviewer", "safeguarding_lead"]
    form = Html(admin_client.get("/staff/people/new").text)
    assert form.h1 == "Add a person"
    assert form.field_names() == {"name", "email", "roles"}  # no password: people choose their own


def test_changing_roles(admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> None:
    person = staff_users["voice_editor"]
    form = Html(admin_client.get(f"/staff/people/{person.id}/roles").text)
    assert form.field_values()["roles"] == ["voice_editor"]
    response = admin_client.post(
        f"/staff/people/{person.id}/roles",
        data=with_csrf(admin_client, {"roles": ["voice_reviewer", "voice_editor"]}),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/people/{person.id}?done=roles"
    assert _roles(settings, person.id) == ["voice_editor", "voice_reviewer"]
    assert "Roles saved" in admin_client.get(response.headers["location"]).text
    # A single ticked box, and then none at all.
    admin_client.post(f"/staff/people/{person.id}/roles", data=with_csrf(admin_client, {"roles": "admin"}))
    assert _roles(settings, person.id) == ["admin"]
    admin_client.post(f"/staff/people/{person.id}/roles", data=with_csrf(admin_client, {}))
    assert _roles(settings, person.id) == []
    assert [row[0] for row in audit_actions(settings.database_url, "user.roles")] == ["user.roles"] * 3


def test_new_roles_apply_to_the_persons_next_request(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    token = api_token(settings, staff_users["voice_editor"])
    assert client.get("/api/staff/people", headers=bearer(token)).status_code == 403
    sign_in(client, settings, staff_users["admin"])
    person = staff_users["voice_editor"]
    client.post(f"/staff/people/{person.id}/roles", data=with_csrf(client, {"roles": ["voice_editor", "admin"]}))
    assert client.get("/api/staff/people", headers=bearer(token)).status_code == 200


def test_an_admin_cannot_remove_their_own_admin_role(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    me = staff_users["admin"]
    before = snapshot(settings.database_url)
    response = admin_client.post(
        f"/staff/people/{me.id}/roles", data=with_csrf(admin_client, {"roles": ["voice_editor"]})
    )
    assert response.status_code == 400
    page = Html(response.text)
    assert page.error_summary == [
        ("#roles", "You cannot remove your own admin role: ask another administrator to do it")
    ]
    assert page.field_values()["roles"] == ["voice_editor"]
    assert snapshot(settings.database_url) == before
    # Adding roles to oneself while staying an admin is fine.
    admin_client.post(
        f"/staff/people/{me.id}/roles", data=with_csrf(admin_client, {"roles": ["admin", "voice_editor"]})
    )
    assert _roles(settings, me.id) == ["admin", "voice_editor"]


def test_disabling_asks_first_then_ends_the_persons_sessions_at_once(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["training_admin"]
    their_token = api_token(settings, person)
    their_session = sign_in(client, settings, person)
    assert client.get("/staff/").status_code == 200
    sign_in(client, settings, staff_users["admin"])
    page = Html(client.get(f"/staff/people/{person.id}").text)
    assert f"/staff/people/{person.id}/disable" in [a.attrs["href"] for a in page.all("a")]
    confirm = Html(client.get(f"/staff/people/{person.id}/disable").text)
    assert confirm.h1 == "Disable the account of Tom Training?"
    assert f"/staff/people/{person.id}/disable" in [f.attrs["action"] for f in confirm.all("form")]
    response = client.post(f"/staff/people/{person.id}/disable", data=with_csrf(client), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/people/{person.id}?done=disabled"
    shown = Html(client.get(response.headers["location"]).text)
    assert shown.summary_rows()["Account"][0] == "Disabled"
    assert "Send a set-password link" not in shown.source
    # Their session and token stopped working at once.
    from tests.support.staff import set_session_cookie

    set_session_cookie(client, settings, their_session)
    assert client.get("/staff/", follow_redirects=False).status_code == 303
    assert client.get("/api/staff/me", headers=bearer(their_token)).status_code == 401
    assert log_in(client, person.email).status_code == 400
    assert [row[:2] for row in audit_actions(settings.database_url, "user.disable")] == [
        ("user.disable", "ada.admin@example.org")
    ]


def test_an_admin_cannot_disable_themselves(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    me = staff_users["admin"]
    page = Html(admin_client.get(f"/staff/people/{me.id}").text)
    assert "disable" not in " ".join(a.attrs["href"] for a in page.all("a"))
    assert "You cannot disable it" in page.source
    assert "You cannot disable your own account" in admin_client.get(f"/staff/people/{me.id}/disable").text
    before = snapshot(settings.database_url)
    response = admin_client.post(f"/staff/people/{me.id}/disable", data=with_csrf(admin_client))
    assert response.status_code == 409
    assert Html(response.text).error_summary == [
        ("#confirm", "You cannot disable your own account: ask another administrator to do it")
    ]
    assert snapshot(settings.database_url) == before


def test_sending_a_link_from_the_persons_page(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["voice_reviewer"]
    response = admin_client.post(
        f"/staff/people/{person.id}/password-link", data=with_csrf(admin_client), follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/people/{person.id}?done=link"
    assert "a new link to choose a password" in admin_client.get(response.headers["location"]).text
    sent = messages(settings.outbox_dir)
    assert [m["To"] for m in sent] == [person.email]
    assert sent[0]["Subject"] == "Choose a new password for the Have your say staff area"


def test_a_disabled_account_gets_no_link(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    person = staff_users["voice_reviewer"]
    admin_client.post(f"/staff/people/{person.id}/disable", data=with_csrf(admin_client))
    before = snapshot(settings.database_url)
    response = admin_client.post(f"/staff/people/{person.id}/password-link", data=with_csrf(admin_client))
    assert response.status_code == 409
    assert Html(response.text).error_summary == [
        ("#send-link", "This account is disabled, so it cannot be sent a link")
    ]
    assert snapshot(settings.database_url) == before
    assert messages(settings.outbox_dir) == []


@pytest.mark.parametrize(
    "path",
    ["/staff/people/{id}", "/staff/people/{id}/roles", "/staff/people/{id}/disable"],
)
def test_unknown_ids_are_a_404_page(admin_client: TestClient, path: str) -> None:
    response = admin_client.get(path.format(id=uuid.uuid4()))
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    for bad in ("not-a-uuid", "1%27%20OR%201=1", "%00", "x" * 500):
        assert admin_client.get(path.format(id=bad)).status_code in (400, 404)


@pytest.mark.parametrize("action", ["roles", "disable", "password-link"])
def test_posts_for_unknown_ids_are_a_404_and_change_nothing(
    admin_client: TestClient, settings: Settings, action: str
) -> None:
    before = snapshot(settings.database_url)
    response = admin_client.post(
        f"/staff/people/{uuid.uuid4()}/{action}", data=with_csrf(admin_client, {"roles": "admin"})
    )
    assert response.status_code == 404
    assert snapshot(settings.database_url) == before


def test_a_bad_banner_value_is_a_400(admin_client: TestClient, staff_users: dict[str, Person]) -> None:
    person = staff_users["voice_editor"]
    for done in ("<script>alert(1)</script>", "1' OR '1'='1", "%00", "x" * 3000):
        assert admin_client.get(f"/staff/people/{person.id}?done={done}").status_code == 400


@pytest.mark.parametrize("key", [k for k in FIXED_USERS if k != "admin"])
def test_people_without_the_admin_role_cannot_reach_any_of_it(
    staff_client: StaffClient, settings: Settings, staff_users: dict[str, Person], key: str
) -> None:
    client = staff_client(key)
    target = staff_users["voice_editor"].id
    for path in ("/staff/people", "/staff/people/new", f"/staff/people/{target}", f"/staff/people/{target}/roles"):
        assert client.get(path).status_code == 403
    before = snapshot(settings.database_url)
    for path, data in (
        ("/staff/people/new", {"email": "sneaky@example.org", "roles": "admin"}),
        (f"/staff/people/{staff_users[key].id}/roles", {"roles": "admin"}),
        (f"/staff/people/{staff_users['admin'].id}/disable", {}),
        (f"/staff/people/{target}/password-link", {}),
    ):
        assert client.post(path, data=with_csrf(client, data)).status_code == 403
    assert snapshot(settings.database_url) == before
    assert "People and roles" not in client.get("/staff/").text


def test_cross_site_posts_without_the_csrf_token_are_refused_and_change_nothing(
    admin_client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    admin_client.get("/staff/people")  # the browser holds a CSRF cookie, as it would
    target = staff_users["voice_editor"].id
    before = snapshot(settings.database_url)
    for path, data in (
        ("/staff/people/new", {"email": "evil@example.org", "name": "Evil", "roles": "admin"}),
        (f"/staff/people/{target}/roles", {"roles": "admin"}),
        (f"/staff/people/{target}/disable", {}),
        (f"/staff/people/{target}/password-link", {}),
    ):
        refused = admin_client.post(path, data=data, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert "came from another website" in refused.text
        wrong = admin_client.post(path, data={**data, "_csrf_token": "forged"})
        assert wrong.status_code == 403
    assert snapshot(settings.database_url) == before
    assert messages(settings.outbox_dir) == []


def test_every_post_form_on_the_people_pages_carries_the_csrf_field(
    admin_client: TestClient, staff_users: dict[str, Person]
) -> None:
    target = staff_users["voice_editor"].id
    paths = ["/staff/people", "/staff/people/new", f"/staff/people/{target}", f"/staff/people/{target}/roles"]
    for path in [*paths, f"/staff/people/{target}/disable", "/staff/audit"]:
        page = Html(admin_client.get(path).text)
        posts = [f for f in page.all("form") if f.attrs.get("method") == "post"]
        for form in posts:
            fields = [e for e in page.elements if form in e.ancestors and e.attrs.get("name") == "_csrf_token"]
            assert len(fields) == 1, (path, form.attrs)
            assert fields[0].attrs["value"], (path, form.attrs)
