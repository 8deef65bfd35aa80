"""Answering page by page: errors, show_if, check your answers, changing, submitting once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from httpx import Response
from litestar.testing import TestClient

from tests.http.helpers import answer_pages, begin, draft_cookie, post_page, submission_key, submit
from tests.support import database
from tests.support.csrf import csrf_token, with_csrf
from tests.support.delegates import delegate_client
from tests.support.html import Html
from voice_service.core.settings import Settings

__all__ = ["delegate_client"]

WT_A = "working-together-a-evaluation"
YPV = "young-people-voice"
SH = "sexual-health-young-people"


def assert_error_page(html: Html, expected: dict[str, str]) -> None:
    """The GOV.UK error pattern: 'Error: ' title, summary linking each field, inline messages."""
    assert html.title.startswith("Error: ")
    assert html.error_summary_title == "There is a problem"
    links = dict(html.error_summary)
    assert set(links) == {f"#{anchor}" for anchor in expected}
    for anchor, fragment in expected.items():
        assert fragment in links[f"#{anchor}"]
        assert anchor in html.ids, f"the summary links to #{anchor}, which is not on the page"
    assert len(html.inline_errors) == len(expected)
    assert set(html.inline_errors.values()) == set(links.values())


def test_ranking_error_links_to_the_first_place_and_keeps_the_choices(client: TestClient) -> None:
    begin(client, YPV)
    response = post_page(client, YPV, 1, {"what_matters-1": "", "what_matters-2": "school"})
    assert response.status_code == 200
    html = Html(response.text)
    assert_error_page(html, {"what_matters-1": "Pick your 1st choice before your 2nd"})
    assert html.field_values().get("what_matters-2") == ["school"]
    assert "what_matters-1" not in html.field_values()


def test_ranking_the_same_option_twice_is_an_error(client: TestClient) -> None:
    begin(client, YPV)
    data = {"what_matters-1": "school", "what_matters-2": "school"}
    html = Html(post_page(client, YPV, 1, data).text)
    assert_error_page(html, {"what_matters-1": "only once"})
    assert html.field_values() == {"what_matters-1": ["school"], "what_matters-2": ["school"]}


def test_matrix_error_links_to_the_first_row_and_keeps_every_answer(delegate_client: TestClient) -> None:
    client = delegate_client
    begin(client, WT_A)
    data = {"course_elements-quality": "good", "course_elements-relevance": "poor", "most_useful": "Case studies"}
    response = post_page(client, WT_A, 1, data)
    assert response.status_code == 200
    html = Html(response.text)
    assert_error_page(html, {"course_elements-quality": "Course content and materials"})
    assert html.field_values() == {
        "course_elements-quality": ["good"],
        "course_elements-relevance": ["poor"],
        "most_useful": ["Case studies"],
    }
    assert html.back_link == f"/s/{WT_A}"


def test_every_required_question_is_listed_in_page_order(delegate_client: TestClient) -> None:
    client = delegate_client
    begin(client, WT_A)
    assert post_page(client, WT_A, 1, {f"course_elements-{r}": "good" for r in ROWS}).status_code == 303
    html = Html(post_page(client, WT_A, 2, {}).text)
    assert_error_page(html, {"confidence_before": "Choose an answer to", "confidence_after": "Choose an answer to"})
    assert [href for href, _ in html.error_summary] == ["#confidence_before", "#confidence_after"]
    assert set(html.inline_errors) == {"confidence_before-error", "confidence_after-error"}


def test_an_option_that_is_not_offered_is_an_error(delegate_client: TestClient) -> None:
    client = delegate_client
    begin(client, WT_A)
    post_page(client, WT_A, 1, {f"course_elements-{r}": "good" for r in ROWS})
    html = Html(post_page(client, WT_A, 2, {"confidence_before": "sky_high", "confidence_after": "high"}).text)
    assert_error_page(html, {"confidence_before": "Choose one of the answers shown"})
    assert html.field_values() == {"confidence_after": ["high"]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [("lots", "Enter a number"), ("2.5", "whole number"), ("101", "100 or less"), ("-1", "0 or more")],
)
def test_number_errors_keep_what_was_typed(client: TestClient, typed: str, message: str) -> None:
    begin(client, SH)
    post_page(client, SH, 1, {})
    post_page(client, SH, 2, {})
    html = Html(post_page(client, SH, 3, {"times_used": typed}).text)
    assert_error_page(html, {"times_used": message})
    assert html.field_values()["times_used"] == [typed]


def test_text_over_its_limit_is_an_error_and_is_kept(client: TestClient) -> None:
    begin(client, "make-your-mark")
    long = "a" * 301
    html = Html(post_page(client, "make-your-mark", 1, {"vote": "transport", "why": long}).text)
    assert_error_page(html, {"why": "300 characters or fewer"})
    assert html.field_values() == {"vote": ["transport"], "why": [long]}


def test_a_valid_page_moves_to_the_next_one(delegate_client: TestClient, settings: Settings) -> None:
    client = delegate_client
    begin(client, WT_A)
    response = post_page(client, WT_A, 1, {f"course_elements-{r}": "very_good" for r in ROWS})
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{WT_A}/page/2"
    # The answers are kept on the server between pages, not in the browser (vs_link is the delegate's link).
    assert client.cookies.keys() - {"vs_csrf", "vs_link"} == {"vs_draft"}
    stored = database.query(settings.database_url, "SELECT answers FROM draft")
    assert len(stored) == 1
    assert "very_good" in str(stored[0][0])
    again = Html(client.get(f"/s/{WT_A}/page/1").text)
    assert again.field_values() == {f"course_elements-{r}": ["very_good"] for r in ROWS}


def test_a_page_hidden_by_show_if_is_skipped(delegate_client: TestClient) -> None:
    client = delegate_client
    begin(client, WT_A)
    post_page(client, WT_A, 1, {f"course_elements-{r}": "good" for r in ROWS})
    post_page(client, WT_A, 2, {"confidence_before": "low", "confidence_after": "high"})
    likely = post_page(client, WT_A, 3, {"change_intent": "likely"})
    assert likely.headers["location"] == f"/s/{WT_A}/page/5"
    # Asking for the hidden page directly moves on to the next page that is shown.
    hidden = client.get(f"/s/{WT_A}/page/4", follow_redirects=False)
    assert hidden.status_code == 303
    assert hidden.headers["location"] == f"/s/{WT_A}/page/5"
    # The back link skips the hidden page too.
    assert Html(client.get(f"/s/{WT_A}/page/5").text).back_link == f"/s/{WT_A}/page/3"

    unlikely = post_page(client, WT_A, 3, {"change_intent": "unlikely"})
    assert unlikely.headers["location"] == f"/s/{WT_A}/page/4"
    page = Html(client.get(f"/s/{WT_A}/page/4").text)
    assert page.field_names() == {"what_would_help"}
    assert page.back_link == f"/s/{WT_A}/page/3"


def test_check_answers_lists_every_answer_with_change_links(client: TestClient) -> None:
    walk = answer_pages(
        client,
        "make-your-mark",
        {1: {"vote": "environment", "why": "Parks matter"}, 2: {"age_band": "11_15"}},
    )
    html = walk.check
    assert walk.pages == [1, 2]
    assert html.h1 == "Check your answers before sending them"
    assert html.back_link == "/s/make-your-mark/page/2"
    assert html.summary_rows() == {
        "Which issue matters most to you?": ("Environment", "/s/make-your-mark/page/1?change=1#vote"),
        "Why did you choose this issue?": ("Parks matter", "/s/make-your-mark/page/1?change=1#why"),
        "How old are you?": ("11 to 15", "/s/make-your-mark/page/2?change=1#age_band"),
        "Which part of York do you live in?": ("Not answered", "/s/make-your-mark/page/2?change=1#area"),
    }
    assert html.form_action() == "/s/make-your-mark/submit"
    assert len(submission_key(html)) >= 8


def test_changing_an_answer_returns_to_check_your_answers(client: TestClient) -> None:
    answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    change = Html(client.get("/s/make-your-mark/page/1?change=1").text)
    assert change.back_link == "/s/make-your-mark/check"
    assert change.form_action() == "/s/make-your-mark/page/1?change=1"
    assert change.field_values() == {"vote": ["environment"]}
    response = post_page(client, "make-your-mark", 1, {"vote": "transport"}, change=True)
    assert response.status_code == 303
    assert response.headers["location"] == "/s/make-your-mark/check"
    rows = Html(client.get("/s/make-your-mark/check").text).summary_rows()
    assert rows["Which issue matters most to you?"][0] == "Transport"


def test_a_change_with_errors_stays_in_change_mode(client: TestClient) -> None:
    answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    html = Html(post_page(client, "make-your-mark", 1, {"vote": ""}, change=True).text)
    assert_error_page(html, {"vote": "Choose the issue that matters most to you"})
    assert html.form_action() == "/s/make-your-mark/page/1?change=1"
    assert html.back_link == "/s/make-your-mark/check"


def test_a_change_that_reveals_a_question_asks_it_before_returning(delegate_client: TestClient) -> None:
    client = delegate_client
    walk = answer_pages(client, WT_A, WT_A_PAGES)
    assert "What would help you put the learning into practice?" not in walk.check.summary_rows()
    response = post_page(client, WT_A, 3, {"change_intent": "neutral"}, change=True)
    assert response.headers["location"] == f"/s/{WT_A}/page/4?change=1"
    revealed = Html(client.get(response.headers["location"]).text)
    assert revealed.field_names() == {"what_would_help"}
    assert revealed.form_action() == f"/s/{WT_A}/page/4?change=1"
    answered = post_page(client, WT_A, 4, {"what_would_help": "Time"}, change=True)
    assert answered.headers["location"] == f"/s/{WT_A}/check"
    rows = Html(client.get(f"/s/{WT_A}/check").text).summary_rows()
    assert rows["What would help you put the learning into practice?"][0] == "Time"


def test_a_change_that_hides_a_question_drops_its_answer(delegate_client: TestClient) -> None:
    client = delegate_client
    pages = {**WT_A_PAGES, 3: {"change_intent": "unlikely"}, 4: {"what_would_help": "Time"}}
    walk = answer_pages(client, WT_A, pages)
    assert walk.pages == [1, 2, 3, 4, 5]
    post_page(client, WT_A, 3, {"change_intent": "very_likely"}, change=True)
    rows = Html(client.get(f"/s/{WT_A}/check").text).summary_rows()
    assert "What would help you put the learning into practice?" not in rows


def test_check_page_sends_an_unfinished_journey_back_to_the_missing_page(delegate_client: TestClient) -> None:
    client = delegate_client
    begin(client, WT_A)
    post_page(client, WT_A, 1, {f"course_elements-{r}": "good" for r in ROWS})
    response = client.get(f"/s/{WT_A}/check", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{WT_A}/page/2"


def test_submit_stores_one_response_clears_the_cookie_and_confirms(client: TestClient, settings: Settings) -> None:
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    response = submit(client, "make-your-mark", submission_key(walk.check))
    assert response.status_code == 303
    assert response.headers["location"] == "/s/make-your-mark/done"
    cookie = [p.strip().lower() for p in response.headers["set-cookie"].split(";")]
    assert cookie[0] == 'vs_draft=""' or cookie[0] == "vs_draft="
    assert "max-age=0" in cookie
    assert "path=/s/make-your-mark" in cookie
    assert "vs_draft" not in client.cookies
    assert database.count(settings.database_url, "response") == 1
    assert database.count(settings.database_url, "draft") == 0, "nothing tying the browser to the response is kept"

    done = client.get("/s/make-your-mark/done")
    assert done.status_code == 200
    html = Html(done.text)
    assert "Thank you: your answers have been sent" in html.one(cls="govuk-panel").text
    assert "What happens next" in [e.text for e in html.all("h2")]
    assert "Your vote has been counted." in done.text
    assert html.back_link is None


def test_a_typed_answer_of_only_invisible_characters_is_not_stored_from_the_pages(
    client: TestClient, settings: Settings
) -> None:
    # Found by an outsider: a typed answer of only U+202E and zero-width spaces was stored as an answer.
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment", "why": "\u202e\u200b\ufeff"}})
    assert "\u202e" not in walk.check.source
    assert submit(client, "make-your-mark", submission_key(walk.check)).status_code == 303
    stored = database.query(settings.database_url, "SELECT question_id FROM answer")
    assert [row[0] for row in stored] == ["vote"]


def test_a_double_click_on_send_stores_one_response(client: TestClient, settings: Settings) -> None:
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    key, cookie = submission_key(walk.check), draft_cookie(client)
    first = submit(client, "make-your-mark", key)
    # The browser now holds only the "just sent" marker: a resend shows the confirmation again.
    third = submit(client, "make-your-mark", key)
    # The second click still carries the cookie: the browser sent it before the first reply came.
    client.cookies.set("vs_draft", cookie, path="/s/make-your-mark")
    second = submit(client, "make-your-mark", key)
    for response in (first, second, third):
        assert response.status_code == 303
        assert response.headers["location"] == "/s/make-your-mark/done"
    # A browser holding neither is not told that answers were sent: a key alone proves nothing.
    client.cookies.clear()
    stranger = submit(client, "make-your-mark", key)
    assert stranger.headers["location"] == "/s/make-your-mark?expired=1"
    assert database.count(settings.database_url, "response") == 1
    assert client.get("/s/make-your-mark/done").status_code == 200


def test_two_clicks_at_the_same_moment_store_one_response(client: TestClient, settings: Settings) -> None:
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    key, cookie, token = submission_key(walk.check), draft_cookie(client), csrf_token(client)

    def click() -> Response:
        return client.post(
            "/s/make-your-mark/submit",
            data=with_csrf(client, {"submission_key": key}),
            headers={"cookie": f"vs_draft={cookie}; vs_csrf={token}"},
            follow_redirects=False,
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: click(), range(4)))
    assert [r.headers["location"] for r in responses] == ["/s/make-your-mark/done"] * 4
    assert database.count(settings.database_url, "response") == 1


def test_the_pages_keep_their_own_key_whatever_idempotency_key_header_comes(
    client: TestClient, settings: Settings
) -> None:
    # The pages read only the form's key (bound to the draft): a header cannot make a second key for it.
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    key = submission_key(walk.check)
    sent = client.post(
        "/s/make-your-mark/submit",
        data=with_csrf(client, {"submission_key": key}),
        headers={"Idempotency-Key": "header-key-0001"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/s/make-your-mark/done"
    stored = database.query(settings.database_url, "SELECT submission_key FROM response")
    assert [row[0] for row in stored] == [key]


def test_a_wrong_submission_key_stores_nothing(client: TestClient, settings: Settings) -> None:
    answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    for key in ("", "not-the-key-of-this-draft", "<script>", "x" * 1000):
        response = submit(client, "make-your-mark", key)
        assert response.status_code == 303
        assert response.headers["location"] == "/s/make-your-mark?expired=1"
    assert database.count(settings.database_url, "response") == 0


def test_a_key_from_another_survey_does_not_confirm_this_one(client: TestClient) -> None:
    walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
    submit(client, "make-your-mark", submission_key(walk.check))
    response = submit(client, YPV, submission_key(walk.check))
    assert response.headers["location"] == f"/s/{YPV}?expired=1"


def test_nothing_answered_cannot_be_sent(delegate_client: TestClient, settings: Settings) -> None:
    client = delegate_client
    walk = answer_pages(client, YPV, {})
    assert walk.pages == [1, 2, 3, 5]
    assert not [e for e in walk.check.all("form")], "no send button when nothing is answered"
    assert "You have not answered any questions yet" in walk.check.source
    key = database.query(settings.database_url, "SELECT submission_key FROM draft")[0][0]
    response = submit(client, YPV, key)
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{YPV}/page/1"
    assert database.count(settings.database_url, "response") == 0


ROWS = ("quality", "content", "trainer_knowledge", "relevance")
WT_A_PAGES = {
    1: {**{f"course_elements-{r}": "good" for r in ROWS}, "most_useful": "The case studies"},
    2: {"confidence_before": "low", "confidence_after": "high"},
    3: {"change_intent": "likely", "do_differently": "Record the child's words"},
    5: {"other_comments": ""},
}
