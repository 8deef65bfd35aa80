"""Personal links: swapped for a cookie, one set of answers each, and one plain page for every dead link."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from litestar.testing import TestClient

from tests.http.helpers import answer_pages, submission_key, submit
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.delegates import (
    EVALUATION,
    EVALUATION_ANSWERS,
    FOLLOW_UP,
    FOLLOW_UP_FIELDS,
    answer_through_link,
    by_page,
    inbox,
    link_in,
    make_course,
    person,
    run_due,
    sent_to,
)
from voice_service.core.settings import Settings

DAY = date(2027, 3, 10)
FOUR_PM = datetime(2027, 3, 10, 16, 0, tzinfo=UTC)


def emailed_link(settings: Settings, n: int = 1) -> str:
    """The first link emailed to delegate n."""
    return link_in(sent_to(settings, f"delegate{n}@school.example")[0])


def test_opening_a_link_swaps_its_token_for_a_cookie_and_drops_the_token_from_the_address(
    client: TestClient, settings: Settings
) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    link = emailed_link(settings)
    opened = client.get(link, follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/s/{EVALUATION}"
    assert opened.headers["cache-control"] == "no-store"
    assert opened.headers["referrer-policy"] == "no-referrer"
    cookie = next(c for c in opened.headers.get_list("set-cookie") if c.startswith("vs_link="))
    assert f"Path=/s/{EVALUATION};" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    secret = client.cookies.get("vs_link")
    assert secret
    assert secret not in link
    # The browser's secret is stored only as a hash, like the emailed token.
    assert secret not in str(database.query(settings.database_url, "SELECT * FROM invitation_link"))
    start = client.get(f"/s/{EVALUATION}")
    assert start.status_code == 200
    assert "Start now" in start.text


def test_a_delegates_answers_are_stored_as_theirs_and_the_link_then_says_already_answered(
    client: TestClient, settings: Settings
) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    link = emailed_link(settings)
    answer_through_link(client, link)
    (response,) = database.query(
        settings.database_url, "SELECT respondent, invitation_id, respondent_key, submission_key FROM response"
    )
    (invitation,) = database.query(
        settings.database_url,
        "SELECT i.id, i.state, i.answered_response_id, d.pseudonym FROM invitation i"
        " JOIN delegate d ON d.id = i.delegate_id WHERE i.kind = 'evaluation'",
    )
    assert response.respondent == "delegate"
    assert database.as_uuid(response.invitation_id) == database.as_uuid(invitation.id)
    assert response.respondent_key == invitation.pseudonym
    assert invitation.state == "answered"
    assert response.submission_key == f"invitation:{database.as_uuid(invitation.id)}"
    again = client.get(link, follow_redirects=False)
    assert again.status_code == 200
    assert "You have already answered" in again.text
    # The survey's own start page says so too, and will not start a second set of answers.
    assert "You have already answered" in client.get(f"/s/{EVALUATION}").text
    second = client.post(f"/s/{EVALUATION}/start", data=with_csrf(client), follow_redirects=False)
    assert "You have already answered" in second.text
    assert database.count(settings.database_url, "response") == 1


def test_answers_started_in_two_tabs_are_stored_once(client: TestClient, settings: Settings) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    client.get(emailed_link(settings), follow_redirects=False)
    first_key = submission_key(answer_pages(client, EVALUATION, EVALUATION_ANSWERS).check)
    first_draft = client.cookies.get("vs_draft")
    second_key = submission_key(answer_pages(client, EVALUATION, EVALUATION_ANSWERS).check)
    assert submit(client, EVALUATION, second_key).status_code == 303
    # The first tab's draft sends too late: the invitation already has its answers.
    client.cookies.set("vs_draft", first_draft or "", path=f"/s/{EVALUATION}")
    late = submit(client, EVALUATION, first_key)
    assert "You have already answered" in late.text
    assert database.count(settings.database_url, "response") == 1


def test_course_surveys_cannot_be_answered_without_a_link(client: TestClient, settings: Settings) -> None:
    start = client.get(f"/s/{EVALUATION}")
    assert start.status_code == 403
    assert "Open this survey from your link" in start.text
    refused = client.post(f"/s/{EVALUATION}/start", data=with_csrf(client), follow_redirects=False)
    assert refused.status_code == 403
    assert "vs_draft" not in refused.headers.get("set-cookie", "")
    api = client.post(f"/api/surveys/{EVALUATION}/responses", json={"answers": {"change_intent": "likely"}})
    assert api.status_code == 403
    assert "personal link" in api.json()["detail"]
    # A cookie that is not a secret of ours opens nothing either.
    client.cookies.set("vs_link", "made-up-secret", path=f"/s/{EVALUATION}")
    assert client.get(f"/s/{EVALUATION}").status_code == 403
    assert database.count(settings.database_url, "response") == 0
    assert database.count(settings.database_url, "draft") == 0


def test_a_link_for_one_survey_does_not_open_another(client: TestClient, settings: Settings) -> None:
    make_course(settings, DAY, [person(1)])
    run_due(settings, FOUR_PM)
    client.get(emailed_link(settings), follow_redirects=False)
    secret = client.cookies.get("vs_link")
    client.cookies.set("vs_link", secret or "", path="/s/training-follow-up")
    assert client.get("/s/training-follow-up").status_code == 403


def test_expired_unknown_and_mistyped_links_get_the_same_page(client: TestClient, settings: Settings) -> None:
    make_course(settings, DAY, [person(1), person(2)])
    run_due(settings, FOUR_PM)
    expired, mistyped = emailed_link(settings, 1), emailed_link(settings, 2)
    run_due(settings, FOUR_PM + timedelta(days=30, minutes=1))
    pages = [
        client.get(path, follow_redirects=False)
        for path in (expired, mistyped[:-3], "/t/" + "A" * 43, "/t/x", "/t/" + "a" * 500)
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1
    assert "This link is not working" in pages[0].text
    assert "Links in our emails work for 30 days after they are sent." in pages[0].text
    assert all(p.headers["cache-control"] == "no-store" for p in pages)


def test_repeated_bad_links_from_one_address_are_limited_but_good_ones_are_not(settings: Settings) -> None:
    from voice_service.app import create_app

    limited = dataclasses.replace(settings, bad_links_per_minute=3)
    make_course(limited, DAY, [person(1)])
    run_due(limited, FOUR_PM)
    with TestClient(app=create_app(limited), base_url="http://testserver.local") as client:
        good = emailed_link(limited)
        for _ in range(5):
            assert client.get(good, follow_redirects=False).status_code == 303
        codes = [client.get(f"/t/guess{n}", follow_redirects=False).status_code for n in range(5)]
        assert codes == [404, 404, 404, 429, 429]
        # Once limited, even a good link waits: guessing must not be able to tell good from bad.
        assert client.get(good, follow_redirects=False).status_code == 429
    assert len(inbox(limited)) == 1


def test_a_delegate_on_two_courses_answers_each_follow_up_as_that_course(
    client: TestClient, settings: Settings
) -> None:
    # Found with one delegate on two courses that share the follow-up survey: the page never said which
    # course, the second link's cookie replaced the first's, and answers begun from the first email were
    # stored as the second course's (which then said "already answered" while the first stayed open).
    make_course(settings, DAY, [person(1)], name="Course Alpha", follow_up_days=1)
    make_course(settings, DAY, [person(1)], name="Course Beta", follow_up_days=1)
    run_due(settings, FOUR_PM + timedelta(days=1))
    emails = sent_to(settings, "delegate1@school.example")
    alpha, beta = (
        link_in(next(m for m in emails if m["Subject"].startswith(f"Six months on: has {name}")))
        for name in ("Course Alpha", "Course Beta")
    )
    client.get(alpha, follow_redirects=False)
    assert "About: Course Alpha, 10 March 2027" in client.get(f"/s/{FOLLOW_UP}").text
    walk = answer_pages(client, FOLLOW_UP, by_page(FOLLOW_UP, settings, FOLLOW_UP_FIELDS))
    client.get(beta, follow_redirects=False)  # the second email, opened in another tab before sending
    sent = submit(client, FOLLOW_UP, submission_key(walk.check))
    assert sent.headers["location"] == f"/s/{FOLLOW_UP}?expired=1"
    assert "About: Course Beta, 10 March 2027" in client.get(sent.headers["location"]).text
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM response")[0][0] == 0
    # Begun again from the second link, the answers are the second course's; the first link still opens.
    answer_through_link(client, beta, by_page(FOLLOW_UP, settings, FOLLOW_UP_FIELDS), slug=FOLLOW_UP)
    states = database.query(
        settings.database_url,
        "SELECT c.name, i.state FROM invitation i JOIN delegate d ON d.id = i.delegate_id"
        " JOIN training_session s ON s.id = d.session_id JOIN course c ON c.id = s.course_id"
        " WHERE i.kind = 'follow_up' ORDER BY c.name",
    )
    assert [tuple(row) for row in states] == [("Course Alpha", "sent"), ("Course Beta", "answered")]
    assert client.get(alpha, follow_redirects=False).status_code == 303
