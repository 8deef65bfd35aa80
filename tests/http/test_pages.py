"""Public pages: the home page, start pages, the draft cookie, missing and closed surveys, escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.http.helpers import answer_pages, begin, draft_cookie, post_page, submission_key
from tests.support import database
from tests.support.apps import ClientFactory
from tests.support.csrf import with_csrf
from tests.support.delegates import delegate_client
from tests.support.html import Html
from voice_service.core.settings import Settings

__all__ = ["delegate_client"]

LISTED = ("young-people-voice", "make-your-mark", "sexual-health-young-people")
UNLISTED = (
    "working-together-a-evaluation",
    "working-together-b-evaluation",
    "hsb-evaluation",
    "child-death-review-evaluation",
    "training-follow-up",
)
SCRIPT = "<script>alert(1)</script>"


def survey_links(html: Html) -> set[str]:
    return {a.attrs["href"] for a in html.all("a") if a.attrs.get("href", "").startswith("/s/")}


def test_home_lists_the_listed_open_surveys_only(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert survey_links(Html(response.text)) == {f"/s/{slug}" for slug in LISTED}


def test_home_leaves_out_a_closed_survey(make_client: ClientFactory, closed_forms: Path) -> None:
    with make_client(forms_dir=closed_forms) as client:
        links = survey_links(Html(client.get("/").text))
    assert links == {f"/s/{slug}" for slug in LISTED if slug != "make-your-mark"}


def test_an_unlisted_survey_still_opens_from_its_link(delegate_client: TestClient) -> None:
    response = delegate_client.get("/s/working-together-a-evaluation")
    assert response.status_code == 200
    assert "Working Together A" in Html(response.text).h1


def test_start_page_explains_the_survey_and_sets_no_draft_cookie(client: TestClient) -> None:
    response = client.get("/s/young-people-voice")
    assert response.status_code == 200
    # Only the CSRF token for the Start now form: a random value tied to nothing.
    assert [c.split("=")[0] for c in response.headers.get_list("set-cookie")] == ["vs_csrf"]
    html = Html(response.text)
    assert html.h1 == "Have your say - what matters to you?"
    assert "It takes about 2 minutes." in response.text
    assert "This survey is anonymous" in response.text
    assert html.form_action() == "/s/young-people-voice/start"
    assert "Start now" in html.one("button").text
    # One page shows only for some answers, so the count says "up to"; every question is optional.
    paragraphs = [p.text for p in html.all("p")]
    assert any(
        p.startswith("There are up to 5 short pages of questions. You can skip any question") for p in paragraphs
    )


def test_start_sets_a_strict_draft_cookie_and_goes_to_page_one(client: TestClient, settings: Settings) -> None:
    drafts_before = database.count(settings.database_url, "draft")
    response = begin(client, "young-people-voice")
    assert response.headers["location"] == "/s/young-people-voice/page/1"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("vs_draft="))
    parts = [p.strip().lower() for p in cookie.split(";")]
    assert len(parts[0]) > len("vs_draft=") + 30
    assert "httponly" in parts
    assert "samesite=lax" in parts
    assert "path=/s/young-people-voice" in parts
    assert "secure" not in parts  # plain HTTP in the tests; see the next test
    # A session cookie: gone when the browser closes.
    assert not any(p.startswith(("max-age", "expires")) for p in parts)
    assert database.count(settings.database_url, "draft") == drafts_before + 1


def test_draft_cookie_is_secure_when_configured(make_client: ClientFactory) -> None:
    with make_client(secure_cookies=True, base_url="https://testserver.local") as client:
        response = begin(client, "make-your-mark")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("vs_draft="))
    assert "secure" in [p.strip().lower() for p in cookie.split(";")]


def test_each_page_shows_its_questions_and_a_back_link(client: TestClient) -> None:
    begin(client, "young-people-voice")
    first = Html(client.get("/s/young-people-voice/page/1").text)
    assert first.h1 == "What matters to you"
    assert first.back_link == "/s/young-people-voice"
    assert first.field_names() == {"what_matters-1", "what_matters-2", "what_matters-3"}
    # The follow-up page shows only for some answers, so no total that could turn out wrong.
    assert first.one(cls="vs-caption__step").text.strip() == "Page 1"
    assert first.one(cls="vs-caption__survey").text.strip() == "Have your say - what matters to you?"
    assert post_page(client, "young-people-voice", 1, {}).headers["location"] == "/s/young-people-voice/page/2"

    second = Html(client.get("/s/young-people-voice/page/2").text)
    assert second.h1 == "Being listened to"
    assert second.back_link == "/s/young-people-voice/page/1"
    assert second.field_names() == {"listened_to", "views_difference"}
    legends = [e.text for e in second.all("legend")]
    # Every question of this survey is optional: said once on the start page, not on each question.
    assert "Do you think giving your views makes a difference?" in legends
    assert second.form_action() == "/s/young-people-voice/page/2"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/s/no-such-survey"),
        ("POST", "/s/no-such-survey/start"),
        ("GET", "/s/no-such-survey/page/1"),
        ("POST", "/s/no-such-survey/page/1"),
        ("GET", "/s/no-such-survey/check"),
        ("POST", "/s/no-such-survey/submit"),
        ("GET", "/s/no-such-survey/done"),
        ("GET", "/no/such/page"),
    ],
)
def test_unknown_survey_is_a_404_page(client: TestClient, method: str, path: str) -> None:
    data = with_csrf(client) if method == "POST" else None
    response = client.request(method, path, data=data, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    html = Html(response.text)
    assert html.h1 == "Page not found"
    assert "/" in {a.attrs.get("href") for a in html.all("a")}


def test_a_page_number_that_does_not_exist_is_a_404(client: TestClient) -> None:
    begin(client, "make-your-mark")
    assert client.get("/s/make-your-mark/page/99").status_code == 404
    assert client.get("/s/make-your-mark/page/0").status_code == 404
    assert post_page(client, "make-your-mark", 99, {"vote": "environment"}).status_code == 404
    assert client.get("/s/make-your-mark/page/two").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/s/young-people-voice/page/1"),
        ("GET", "/s/young-people-voice/page/3"),
        ("POST", "/s/young-people-voice/page/1"),
        ("GET", "/s/young-people-voice/check"),
        ("POST", "/s/young-people-voice/submit"),
    ],
)
def test_without_a_draft_pages_go_back_to_the_start(client: TestClient, method: str, path: str) -> None:
    data = with_csrf(client) if method == "POST" else None
    response = client.request(method, path, data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/s/young-people-voice?expired=1"


def test_the_start_page_explains_an_expired_draft(client: TestClient) -> None:
    plain = client.get("/s/young-people-voice")
    expired = client.get("/s/young-people-voice?expired=1")
    assert "Please start again" not in plain.text
    assert expired.status_code == 200
    assert "Please start again" in Html(expired.text).one(cls="govuk-notification-banner").text


def test_an_unknown_or_foreign_draft_counts_as_expired(client: TestClient) -> None:
    begin(client, "make-your-mark")
    other_survey_draft = draft_cookie(client)
    client.cookies.clear()
    for cookie in ("not-a-draft", "x" * 500, other_survey_draft):
        client.cookies.set("vs_draft", cookie, path="/s/young-people-voice")
        response = client.get("/s/young-people-voice/page/1", follow_redirects=False)
        assert response.headers["location"] == "/s/young-people-voice?expired=1", cookie
        client.cookies.clear()


def test_a_draft_left_longer_than_allowed_has_expired(client: TestClient, settings: Settings) -> None:
    begin(client, "make-your-mark")
    assert client.get("/s/make-your-mark/page/1").status_code == 200
    old = datetime.now(UTC) - timedelta(hours=settings.draft_hours + 1)
    database.query(settings.database_url, "UPDATE draft SET updated_at = :old", old=old)
    response = client.get("/s/make-your-mark/page/1", follow_redirects=False)
    assert response.headers["location"] == "/s/make-your-mark?expired=1"


def test_a_closed_survey_says_so_and_starts_no_draft(
    make_client: ClientFactory, closed_forms: Path, settings: Settings
) -> None:
    with make_client(forms_dir=closed_forms) as client:
        start = client.get("/s/make-your-mark")
        assert start.status_code == 200
        assert "This survey is closed" in start.text
        assert not Html(start.text).all("form")
        begun = client.post("/s/make-your-mark/start", data=with_csrf(client), follow_redirects=False)
        assert begun.status_code == 410
        assert "is closed" in Html(begun.text).h1
        assert "set-cookie" not in begun.headers
    assert database.count(settings.database_url, "draft") == 0


def test_a_survey_closed_while_answering_takes_no_more_answers(
    client: TestClient, make_client: ClientFactory, closed_forms: Path, settings: Settings
) -> None:
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    key = submission_key(walk.check)
    cookie = draft_cookie(client)
    with make_client(forms_dir=closed_forms) as closed:
        closed.cookies.set("vs_draft", cookie, path="/s/make-your-mark")
        form = with_csrf(closed, {"submission_key": key})
        response = closed.post("/s/make-your-mark/submit", data=form, follow_redirects=False)
    # Closing a ballot closes it for everyone, including those who started before it closed.
    assert response.status_code == 410
    assert "is closed" in Html(response.text).h1
    assert database.count(settings.database_url, "response") == 0


def test_typed_text_is_escaped_everywhere_it_is_shown(client: TestClient) -> None:
    slug = "make-your-mark"
    begin(client, slug)
    # A page shown again with an error keeps the typed text, escaped in the value attribute.
    again = post_page(client, slug, 1, {"why": SCRIPT})
    assert again.status_code == 200
    assert SCRIPT not in again.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in again.text
    assert Html(again.text).field_values()["why"] == [SCRIPT]

    assert post_page(client, slug, 1, {"vote": "environment", "why": SCRIPT}).status_code == 303
    assert post_page(client, slug, 2, {}).status_code == 303
    check = client.get(f"/s/{slug}/check")
    assert SCRIPT not in check.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in check.text
    assert Html(check.text).summary_rows()["Why did you choose this issue?"][0] == SCRIPT

    change = client.get(f"/s/{slug}/page/1?change=1")
    assert SCRIPT not in change.text
    assert Html(change.text).field_values()["why"] == [SCRIPT]


def test_markup_in_a_textarea_cannot_close_it(client: TestClient) -> None:
    slug = "young-people-voice"
    sneaky = "</textarea><script>alert(1)</script>"
    begin(client, slug)
    post_page(client, slug, 1, {})
    post_page(client, slug, 2, {})
    assert post_page(client, slug, 3, {"make_better": sneaky}).status_code == 303
    page = client.get(f"/s/{slug}/page/3")
    assert "alert(1)</script>" not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in page.text
    assert Html(page.text).field_values()["make_better"] == [sneaky]


def test_error_pages_never_echo_the_address(client: TestClient) -> None:
    response = client.get("/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert" not in response.text
    assert "alert(1)" not in response.text


def test_a_wrong_method_is_a_405_page_that_says_what_is_allowed(client: TestClient) -> None:
    response = client.get("/s/make-your-mark/start")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "POST" in response.headers["allow"]
    assert Html(response.text).h1 == "Sorry, that is not allowed here"


def test_a_page_post_over_the_size_limit_is_a_413_page(client: TestClient, settings: Settings) -> None:
    begin(client, "make-your-mark")
    response = post_page(client, "make-your-mark", 1, {"vote": "environment", "why": "x" * (1024 * 1024)})
    assert response.status_code == 413
    assert Html(response.text).h1 == "That was too much to send"
    assert database.query(settings.database_url, "SELECT answers FROM draft")[0][0] in ({}, "{}")


def test_a_malformed_query_is_a_400_page_not_a_crash(client: TestClient) -> None:
    begin(client, "make-your-mark")
    response = client.get("/s/make-your-mark/page/1?change=%3Cb%3Eyes")
    assert response.status_code == 400
    assert Html(response.text).h1 == "Sorry, there is a problem with that request"
    assert "<b>" not in response.text


def test_the_confirmation_page_is_only_shown_after_sending(client: TestClient) -> None:
    response = client.get("/s/make-your-mark/done", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/s/make-your-mark"


def test_a_malformed_address_gets_a_plain_400_page(client: TestClient) -> None:
    response = client.get("/s/make-your-mark?expired=maybe")
    assert response.status_code == 400
    assert "The web address has a part we do not understand" in response.text
    assert "Validation failed" not in response.text
