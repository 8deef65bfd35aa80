"""The issue's "Done when", with and without two-step verification: from the first admin to a colleague signed in.

`voice-service users create` makes the first admin, who signs in through the form and adds a
training administrator; the training administrator sets a password through the link emailed to
the outbox and signs in; the admin then sees both actions in the audit log page and its CSV.
"""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner
from litestar.testing import TestClient

from tests.support.apps import ClientFactory, make_client
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.outbox import link_path, messages, password_link, text_of
from tests.support.staff import log_in, set_session_cookie
from tests.support.two_step import HUB, SECOND_STEP, Clock, clock, code, second_step, set_up_through_pages
from voice_service.accounts.sessions import cookie_name
from voice_service.cli import main
from voice_service.core.settings import Settings

__all__ = ["clock", "make_client"]

ADMIN_EMAIL = "first.admin@partnership.example"
ADMIN_PASSWORD = "rowan kestrel lighthouse 77"
TRAINER_EMAIL = "tara.trainer@partnership.example"
TRAINER_PASSWORD = "marble otter tuesday violin"


def test_first_admin_adds_a_training_admin_who_sets_a_password_by_email(client: TestClient, settings: Settings) -> None:
    # 1. The first admin, from the command line, password on standard input.
    created = CliRunner().invoke(
        main,
        ["users", "create", ADMIN_EMAIL, "--role", "admin", "--name", "First Admin"],
        input=ADMIN_PASSWORD + "\n",
        env={"DATABASE_URL": settings.database_url},
    )
    assert created.exit_code == 0, created.output

    # 2. They sign in through the form and reach the people pages from the start page.
    signed_in = log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert signed_in.status_code == 303
    admin_session = client.cookies.get(cookie_name(settings))
    start = Html(client.get("/staff/").text)
    assert "/staff/people" in [a.attrs.get("href") for a in start.all("a")]

    # 3. They add a training administrator (no password: a link is emailed).
    form = Html(client.get("/staff/people/new").text)
    assert form.field_names() == {"name", "email", "roles"}
    added = client.post(
        "/staff/people/new",
        data=with_csrf(client, {"name": "Tara Trainer", "email": TRAINER_EMAIL, "roles": "training_admin"}),
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "Account added" in client.get(added.headers["location"]).text

    # 4. The training administrator reads the email in the outbox and follows the link.
    (message,) = messages(settings.outbox_dir)
    assert message["To"] == TRAINER_EMAIL
    assert "First Admin (first.admin@partnership.example) has made you an account" in text_of(message)
    path = link_path(password_link(message))
    set_session_cookie(client, settings, None)
    page = client.get(path)
    assert page.status_code == 200
    assert Html(page.text).h1 == "Choose your password"
    chosen = client.post(path, data=with_csrf(client, {"password": TRAINER_PASSWORD}), follow_redirects=False)
    assert chosen.status_code == 303
    assert "Your password is set" in client.get(chosen.headers["location"]).text
    assert log_in(client, TRAINER_EMAIL, TRAINER_PASSWORD).status_code == 303
    home = Html(client.get("/staff/").text)
    assert "Training" in [h.text for h in home.all("h3")]
    assert client.get("/staff/people").status_code == 403
    # The link is spent.
    assert client.get(path).status_code == 404

    # 5. The admin sees both actions in the audit log, and in its CSV.
    set_session_cookie(client, settings, admin_session)
    log = Html(client.get("/staff/audit", params={"action": "user"}).text)
    rows = [
        [e.text for e in log.elements if row in e.ancestors and e.tag == "td"]
        for row in log.all("tr", within="govuk-table__body")
    ]
    seen = [(r[1], r[2]) for r in rows]
    assert (TRAINER_EMAIL, "user.password") in seen
    assert (ADMIN_EMAIL, "user.create") in seen
    assert ("command line", "user.create") in seen
    assert seen.index((TRAINER_EMAIL, "user.password")) < seen.index((ADMIN_EMAIL, "user.create"))  # newest first
    download = client.get("/staff/audit.csv", params={"action": "user"})
    assert download.status_code == 200
    exported = [(r[1], r[2]) for r in csv.reader(io.StringIO(download.content.decode("utf-8-sig")))][1:]
    assert exported == seen


def test_with_two_step_required_the_first_admin_sets_it_up_then_signs_in_with_a_code(
    make_client: ClientFactory, settings: Settings, clock: Clock
) -> None:
    """The same start with REQUIRE_TOTP_FOR_ADMIN on: setup first, then every sign-in asks for a code."""
    created = CliRunner().invoke(
        main,
        ["users", "create", ADMIN_EMAIL, "--role", "admin", "--name", "First Admin"],
        input=ADMIN_PASSWORD + "\n",
        env={"DATABASE_URL": settings.database_url},
    )
    assert created.exit_code == 0, created.output
    with make_client(require_totp_for_admin=True) as client:
        assert log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 303
        assert client.get("/staff/people", follow_redirects=False).headers["location"] == HUB
        secret, _codes = set_up_through_pages(client, clock)

        # Signed out, the password alone no longer opens the staff area.
        assert client.post("/staff/logout", data=with_csrf(client), follow_redirects=False).status_code == 303
        assert log_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).headers["location"] == SECOND_STEP
        assert client.get("/staff/people", follow_redirects=False).headers["location"] == SECOND_STEP
        assert second_step(client, {"code": code(secret, clock)}).headers["location"] == "/staff/"

        added = client.post(
            "/staff/people/new",
            data=with_csrf(client, {"name": "Tara Trainer", "email": TRAINER_EMAIL, "roles": "training_admin"}),
            follow_redirects=False,
        )
        assert added.status_code == 303
        (message,) = messages(settings.outbox_dir)
        assert message["To"] == TRAINER_EMAIL
        log = client.get("/staff/audit", params={"action": "totp"}).text
        assert "totp.enabled" in log
