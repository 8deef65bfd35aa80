"""Bad input on the training pages and API: markup, SQL, long strings, control characters, wrong types.

Each is refused with a clear 4xx or stored and shown as plain text; never a 500, never unescaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import api_token, bearer
from tests.training.conftest import snapshot
from tests.training.test_pages import COURSE_FORM, HOME, SESSION_FORM, create_course_and_session, upload
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]
SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
SQL = "' OR '1'='1'; DROP TABLE delegate; --"
TEMPLATE = "{{ 7*7 }}"
STORABLE = [SCRIPT, IMG, SQL, TEMPLATE]
REFUSED = ["a" * 10_000, "tab\there", "nul\x00byte", "\x1b[31m", "line\nbreak", "line\u2028sep"]


def csv_file(*rows: tuple[str, ...]) -> bytes:
    """A CSV file with a header and these rows, quoted as a spreadsheet would."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(("name", "email", "organisation", "sector", "attended"))
    writer.writerows(rows)
    return out.getvalue().encode()


def assert_escaped(text: str) -> None:
    """No markup a person typed reaches the page as markup."""
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert ">49<" not in text
    assert '"49"' not in text


@pytest.mark.parametrize("value", STORABLE)
def test_markup_and_sql_are_stored_as_text_and_shown_escaped_on_every_page(
    staff_client: StaffClient, settings: Settings, value: str
) -> None:
    client = staff_client("training_admin")
    response = client.post(
        f"{HOME}/courses/new", data=with_csrf(client, {**COURSE_FORM, "name": f"Course {value}"}, page=HOME)
    )
    assert response.status_code == 200
    course_url = str(response.url).split("?")[0]
    assert Html(response.text).h1 == f"Course {value}"
    response = client.post(
        f"{course_url}/sessions/new", data=with_csrf(client, {**SESSION_FORM, "trainer": value}, page=HOME)
    )
    session_url = str(response.url).split("?")[0]
    preview = upload(client, session_url, csv_file((value, "a@example.org", value, "other", "yes")))
    assert_escaped(preview.source)
    fields = preview.field_values()
    client.post(
        f"{session_url}/import/confirm",
        data=with_csrf(client, {"carried": fields["carried"][0], "fingerprint": fields["fingerprint"][0]}, page=HOME),
    )
    problems = upload(client, session_url, csv_file((value,) * 5))
    assert problems.h1 == "Problems in the file"
    pages = [HOME, course_url, f"{course_url}/edit", session_url, f"{session_url}/edit", f"{session_url}/import"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.text)
    edit = Html(client.get(session_url).text).one("a", within="govuk-table__body").attrs["href"]
    form = Html(client.get(edit).text)
    assert form.field_values()["name"] == [value]
    assert_escaped(form.source)
    for table in ("delegate", "course"):
        assert snapshot(settings.database_url)[table]  # the tables are still there


@pytest.mark.parametrize("value", REFUSED)
def test_over_long_text_and_control_characters_are_refused_plainly(
    staff_client: StaffClient, settings: Settings, value: str
) -> None:
    client = staff_client("training_admin")
    course_url, session_url = create_course_and_session(client)
    before = snapshot(settings.database_url)
    posts = [
        (f"{HOME}/courses/new", {**COURSE_FORM, "name": value}),
        (f"{course_url}/edit", {**COURSE_FORM, "name": value, "follow_up_days": value}),
        (f"{course_url}/sessions/new", {**SESSION_FORM, "trainer": value, "capacity": value, "date-day": value}),
        (f"{session_url}/edit", {**SESSION_FORM, "trainer": value, "mode": value}),
        (
            f"{session_url}/delegates/new",
            {"name": value, "email": value, "organisation": value, "sector": value, "attended": value},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data=with_csrf(client, data, page=HOME))
        assert response.status_code == 400, url
        page = Html(response.text)
        assert page.error_summary, url
    refused = csv_file((value, "a@example.org", "O", "other", "yes"))
    assert upload(client, session_url, refused).h1 in ("Problems in the file", "Check the import")
    assert snapshot(settings.database_url) == before


def test_hostile_api_values(client: TestClient, settings: Settings, staff_users: dict[str, Person]) -> None:
    headers = bearer(api_token(settings, staff_users["training_admin"]))
    before = snapshot(settings.database_url)
    for value in [*REFUSED, 1, None, [], {}, True, 10**30]:
        body = {
            "name": value,
            "evaluation_survey": value,
            "follow_up_survey": value,
            "follow_up_days": value,
        }
        response = client.post("/api/courses", json=body, headers=headers)
        assert 400 <= response.status_code < 500, (value, response.status_code)
        items = [{"name": value, "email": value, "organisation": value, "sector": value, "attended": value}]
        response = client.post(
            f"/api/sessions/{'0' * 8}-0000-0000-0000-{'0' * 12}/delegates", json=items, headers=headers
        )
        assert response.status_code == 404
    assert snapshot(settings.database_url) == before


def test_another_sessions_delegate_cannot_be_reached_through_a_wrong_id(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    # A course id used as a session id, and the reverse, are unknown, not a crash or a leak.
    course_id = _course_url.rsplit("/", 1)[1]
    session_id = session_url.rsplit("/", 1)[1]
    assert client.get(f"{HOME}/sessions/{course_id}").status_code == 404
    assert client.get(f"{HOME}/courses/{session_id}").status_code == 404
    assert client.get(f"{HOME}/delegates/{session_id}/edit").status_code == 404


def test_repeated_fields_and_wrong_form_encodings_are_4xx(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    token = with_csrf(client, page=HOME)["_csrf_token"]
    response = client.post(
        f"{HOME}/courses/new",
        content=f"name=a&name=b&_csrf_token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= response.status_code < 500
    response = client.post(f"{session_url}/import", data={"_csrf_token": token, "file": "not a file"})
    assert 400 <= response.status_code < 500
    response = client.get(f"{session_url}?imported=lots")
    assert response.status_code == 400
