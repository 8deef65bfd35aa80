"""The training pages through HTTP: courses, sessions, the import with its preview, one delegate by form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.training.conftest import audit_rows, snapshot
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]
HOME = "/staff/training"
COURSE_FORM = {
    "name": "Developing an Understanding of Harmful Sexual Behaviour",
    "evaluation_survey": "hsb-evaluation",
    "follow_up_survey": "training-follow-up",
    "follow_up_days": "182",
}
SESSION_FORM = {
    "date-day": "27",
    "date-month": "3",
    "date-year": "2024",
    "mode": "face_to_face",
    "trainer": "Youth Justice Service",
    "capacity": "12",
}
GOOD_CSV = (
    b"Full name,Email address,Organisation,Sector,Attended\r\n"
    b"Ann Able,ann@example.org,Clifton Primary,Schools,yes\r\n"
    b"Bob Baker,bob@example.org,York Hospital,Health,no\r\n"
    b"Cy Cole,cy@example.org,North Yorkshire Police,police,yes\r\n"
)
BAD_CSV = GOOD_CSV + b"Dee Day,not-an-email,Org,fire brigade,maybe\r\n,eve@example.org,Org,other,yes\r\n"


def post(client: TestClient, url: str, data: dict[str, str]) -> object:
    """A form post as the browser sends it (with the CSRF field), not following redirects."""
    return client.post(url, data=with_csrf(client, data, page=HOME), follow_redirects=False)


def create_course_and_session(client: TestClient) -> tuple[str, str]:
    """Through the pages: a course, then a session; the URLs of their pages."""
    response = client.post(
        f"{HOME}/courses/new", data=with_csrf(client, COURSE_FORM, page=HOME), follow_redirects=False
    )
    assert response.status_code == 303
    course_url = response.headers["location"].split("?")[0]
    response = client.post(
        f"{course_url}/sessions/new", data=with_csrf(client, SESSION_FORM, page=HOME), follow_redirects=False
    )
    assert response.status_code == 303
    return course_url, response.headers["location"].split("?")[0]


def upload(client: TestClient, session_url: str, data: bytes, name: str = "attendees.csv") -> Html:
    """Upload a file on the import page and return the preview page."""
    form = with_csrf(client, page=HOME)
    response = client.post(f"{session_url}/import", data=form, files={"file": (name, data, "text/csv")})
    assert response.status_code in (200, 400), response.text
    return Html(response.text)


def test_a_training_admin_creates_a_course_and_a_session(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("training_admin")
    home = Html(client.get(HOME).text)
    assert home.h1 == "Training"
    assert "There are no courses yet." in home.source
    form = Html(client.get(f"{HOME}/courses/new").text)
    assert form.field_values()["follow_up_days"] == ["182"]
    evaluation_choices = [e.attrs["value"] for e in form.all("input") if e.attrs.get("name") == "evaluation_survey"]
    assert "hsb-evaluation" in evaluation_choices
    assert "training-follow-up" not in evaluation_choices
    course_url, session_url = create_course_and_session(client)
    course = Html(client.get(f"{course_url}?done=course").text)
    assert course.h1 == COURSE_FORM["name"]
    assert "The course was created" in course.one(cls="govuk-notification-banner").text
    assert course.summary_rows()["Follow-up after"][0] == "182 days"
    assert "27 March 2024" in course.source
    session = Html(client.get(session_url).text)
    assert session.h1 == "Session on 27 March 2024"
    assert session.summary_rows()["Delivery"][0] == "Face to face"
    listing = Html(client.get(HOME).text)
    row = [r.text for r in listing.all("tr")][1]
    assert row.startswith(COURSE_FORM["name"])
    actions = [a[0] for a in audit_rows(settings.database_url)]
    assert actions[:2] == ["training.course.create", "training.session.create"]


def test_the_forms_show_every_problem_and_keep_what_was_typed(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("training_admin")
    response = post(client, f"{HOME}/courses/new", {"name": "", "follow_up_days": "0", "evaluation_survey": "nope"})
    assert response.status_code == 400
    page = Html(response.text)
    assert page.title.startswith("Error: ")
    assert [href for href, _ in page.error_summary] == [
        "#name",
        "#evaluation_survey",
        "#follow_up_survey",
        "#follow_up_days",
    ]
    assert page.field_values()["follow_up_days"] == ["0"]
    course_url, _session_url = create_course_and_session(client)
    bad = {**SESSION_FORM, "date-day": "31", "date-month": "2", "mode": "", "capacity": "0", "trainer": " "}
    page = Html(post(client, f"{course_url}/sessions/new", bad).text)
    assert [href for href, _ in page.error_summary] == ["#date-day", "#mode", "#trainer", "#capacity"]
    assert page.field_values()["date-day"] == ["31"]
    duplicate = post(client, f"{HOME}/courses/new", {**COURSE_FORM, "name": COURSE_FORM["name"].lower()})
    assert "There is already a course with this name" in Html(duplicate.text).error_summary[0][1]
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM course")[0][0] == 1


def test_a_course_and_a_session_are_changed(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    course_url, session_url = create_course_and_session(client)
    form = Html(client.get(f"{course_url}/edit").text)
    assert form.field_values()["name"] == [COURSE_FORM["name"]]
    assert form.field_values()["evaluation_survey"] == ["hsb-evaluation"]
    response = post(client, f"{course_url}/edit", {**COURSE_FORM, "follow_up_days": "90"})
    assert response.headers["location"] == f"{course_url}?done=course-changed"
    assert Html(client.get(course_url).text).summary_rows()["Follow-up after"][0] == "90 days"
    form = Html(client.get(f"{session_url}/edit").text)
    assert form.field_values()["date-year"] == ["2024"]
    assert form.field_values()["mode"] == ["face_to_face"]
    response = post(client, f"{session_url}/edit", {**SESSION_FORM, "mode": "online", "capacity": "40"})
    assert response.headers["location"] == f"{session_url}?done=session-changed"
    page = Html(client.get(response.headers["location"]).text)
    assert page.summary_rows()["Capacity"][0] == "40"
    assert page.summary_rows()["Delivery"][0] == "Online"


def test_a_bad_file_imports_nothing_and_lists_every_bad_line_then_a_good_one_imports(
    staff_client: StaffClient, settings: Settings
) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    before = snapshot(settings.database_url)
    preview = upload(client, session_url, BAD_CSV)
    assert preview.h1 == "Problems in the file"
    assert preview.error_summary == [("#problems", "The file has 4 problems: nothing was imported")]
    rows = [r.text for r in preview.all("tr", within="govuk-table__body")]
    assert rows == [
        "5 email Enter an email address in the correct format, like name@example.org",
        "5 sector Sector must be one of: schools, early years, local authority, health, police, "
        "voluntary sector, other",
        "5 attended Attended must be yes or no",
        "6 name Enter name",
    ]
    assert "import/confirm" not in preview.source
    assert snapshot(settings.database_url) == before

    preview = upload(client, session_url, GOOD_CSV)
    assert preview.h1 == "Check the import"
    assert [e.text for e in preview.all(tag="p") if e.attrs.get("id") == "counts"] == [
        "3 new delegates, 0 to update, 0 already on the list, 0 problems"
    ]
    assert snapshot(settings.database_url) == before  # a preview stores nothing
    fields = preview.field_values()
    response = post(
        client,
        f"{session_url}/import/confirm",
        {"carried": fields["carried"][0], "fingerprint": fields["fingerprint"][0]},
    )
    assert response.status_code == 303
    page = Html(client.get(response.headers["location"]).text)
    assert "3 delegates added or updated, 0 already on the list" in page.one(cls="govuk-notification-banner").text
    names = [r.text.split(" ")[0] for r in page.all("tr", within="govuk-table__body")]
    assert names == ["Ann", "Bob", "Cy"]

    # The same file again: nothing new, and confirming changes nothing.
    again = upload(client, session_url, GOOD_CSV)
    assert "0 new delegates, 0 to update, 3 already on the list, 0 problems" in again.source
    stored = database.query(settings.database_url, "SELECT * FROM delegate ORDER BY email")
    fields = again.field_values()
    post(
        client,
        f"{session_url}/import/confirm",
        {"carried": fields["carried"][0], "fingerprint": fields["fingerprint"][0]},
    )
    assert database.query(settings.database_url, "SELECT * FROM delegate ORDER BY email") == stored
    counts = [a[3].split(" ", 1)[1] for a in audit_rows(settings.database_url) if a[0] == "training.delegates.import"]
    assert counts == ["added=3 updated=0 unchanged=0", "added=0 updated=0 unchanged=3"]


def test_a_confirmation_that_no_longer_matches_its_preview_shows_the_new_preview(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    first = upload(client, session_url, GOOD_CSV).field_values()
    second = upload(client, session_url, GOOD_CSV.replace(b"Health,no", b"Health,yes", 1)).field_values()
    # Carry the second file with the first preview's fingerprint: not what the person saw.
    response = post(
        client,
        f"{session_url}/import/confirm",
        {"carried": second["carried"][0], "fingerprint": first["fingerprint"][0]},
    )
    assert response.status_code == 200
    page = Html(response.text)
    assert "The delegate list changed" in page.one(cls="govuk-notification-banner").text
    assert page.h1 == "Check the import"
    response = post(client, f"{session_url}/import/confirm", {"carried": "@@@", "fingerprint": "x"})
    assert Html(response.text).h1 == "Problems in the file"


def test_an_empty_upload_and_a_file_that_is_not_csv_are_explained(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    assert "Choose a CSV file" in upload(client, session_url, b"").source
    assert "not a CSV file" in upload(client, session_url, b"%PDF-1.4\x00\x00", "list.pdf").source
    response = client.post(f"{session_url}/import", data=with_csrf(client, page=HOME))
    assert response.status_code == 400
    assert "Choose a CSV file" in response.text


def test_one_delegate_is_added_and_changed_by_form(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("training_admin")
    _course_url, session_url = create_course_and_session(client)
    form = Html(client.get(f"{session_url}/delegates/new").text)
    assert {"name", "email", "organisation", "sector", "attended"} <= form.field_names()
    values = {"name": "Fay Fox", "email": "Fay@Example.org", "organisation": "CYC", "sector": "local authority"}
    response = post(client, f"{session_url}/delegates/new", values)
    assert response.status_code == 400
    assert Html(response.text).error_summary == [("#attended", "Enter yes or no for attended")]
    response = post(client, f"{session_url}/delegates/new", {**values, "attended": "yes"})
    assert response.headers["location"] == f"{session_url}?done=delegate"
    page = Html(client.get(session_url).text)
    link = page.one("a", within="govuk-table__body").attrs["href"]
    assert re.fullmatch(rf"{HOME}/delegates/[0-9a-f-]{{36}}/edit", link)
    form = Html(client.get(link).text)
    assert form.field_values()["email"] == ["fay@example.org"]
    assert form.back_link == session_url
    response = post(client, link, {**values, "attended": "no", "sector": "Voluntary_Sector"})
    assert response.headers["location"] == f"{session_url}?done=delegate-changed"
    row = database.query(settings.database_url, "SELECT sector, attended FROM delegate")[0]
    assert (row.sector, bool(row.attended)) == ("voluntary sector", False)
    views = [
        a for a in audit_rows(settings.database_url) if a[0] in ("training.delegates.view", "training.delegate.view")
    ]
    assert len(views) == 2


@pytest.mark.parametrize("key", ["admin", "voice_editor", "voice_reviewer", "safeguarding_lead", "no_roles"])
def test_other_roles_are_refused(staff_client: StaffClient, key: str) -> None:
    response = staff_client(key).get(HOME)
    assert response.status_code == 403


def test_unknown_ids_are_404_pages(staff_client: StaffClient) -> None:
    client = staff_client("training_admin")
    unknown = "00000000-0000-0000-0000-000000000042"
    for url in (
        f"{HOME}/courses/{unknown}",
        f"{HOME}/courses/{unknown}/edit",
        f"{HOME}/courses/{unknown}/sessions/new",
        f"{HOME}/sessions/{unknown}",
        f"{HOME}/sessions/{unknown}/edit",
        f"{HOME}/sessions/{unknown}/import",
        f"{HOME}/sessions/{unknown}/delegates/new",
        f"{HOME}/delegates/{unknown}/edit",
        f"{HOME}/courses/not-a-uuid",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "text/html" in response.headers["content-type"]
    for url in (
        f"{HOME}/courses/{unknown}/edit",
        f"{HOME}/sessions/{unknown}/edit",
        f"{HOME}/delegates/{unknown}/edit",
    ):
        assert post(client, url, {}).status_code == 404
