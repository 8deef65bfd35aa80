"""The lead tries an answer on the screener: screened as a survey answer is; nothing stored; the lead alone."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.safeguarding.conftest import DISCLOSURE, ORDINARY, words
from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import FIXED_USERS, sign_in
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings
from voice_service.safeguarding.alerts import DisclosureAlerts
from voice_service.safeguarding.screening import default_screener
from voice_service.safeguarding.trial import MAX_CHARACTERS, InvalidTrial, Piece, clean_trial, marked_lines, try_answer

OTHER_ROLES = [key for key in FIXED_USERS if key != "safeguarding_lead"]
TABLES = ("response", "answer", "draft", "safeguarding_alert", "audit_event")


@pytest.fixture
def lead(staff_client: Callable[[str], TestClient]) -> TestClient:
    return staff_client("safeguarding_lead")


def tried(client: TestClient, answer: str) -> tuple[int, str]:
    response = client.post("/staff/safeguarding/try", data=with_csrf(client, {"answer": answer}))
    return response.status_code, response.text


def stored(url: str) -> dict[str, int]:
    return {table: database.query(url, f"SELECT COUNT(*) FROM {table}")[0][0] for table in TABLES}


# --- the rules --------------------------------------------------------------------------------


def test_marked_lines_marks_each_span_and_keeps_line_breaks() -> None:
    lines = marked_lines("he hits me\nand kicks me", [("physical_abuse", 3, 10), ("physical_abuse", 15, 20)])
    assert lines == (
        (Piece("he "), Piece("hits me", "physical_abuse")),
        (Piece("and "), Piece("kicks", "physical_abuse"), Piece(" me")),
    )


def test_marked_lines_joins_overlapping_spans_and_clips_spans_outside_the_text() -> None:
    lines = marked_lines("abcdefgh", [("b", 4, 7), ("a", 2, 5), ("c", 6, 99), ("d", 20, 30)])
    assert lines == ((Piece("ab"), Piece("cdefgh", "a")),)
    assert marked_lines("", []) == ((),)


def test_a_trial_is_cleaned_as_a_multi_line_answer_would_be() -> None:
    assert clean_trial("  one\r\ntwo\rthree  ") == "one\ntwo\nthree"
    with pytest.raises(InvalidTrial) as empty:
        clean_trial(" \r\n\t ")
    assert empty.value.errors == {"answer": "Enter an answer to try"}
    assert clean_trial("x" * MAX_CHARACTERS) == "x" * MAX_CHARACTERS
    with pytest.raises(InvalidTrial) as long:
        clean_trial("x" * (MAX_CHARACTERS + 1))
    assert long.value.errors == {"answer": "An answer to try must be 5,000 characters or fewer"}


def test_a_trial_gives_what_screening_a_submitted_answer_gives() -> None:
    screener = default_screener()
    alerts = DisclosureAlerts(screener)
    for text in (DISCLOSURE, ORDINARY, "i dont feel safe at home", "this survey is killing me", "kms"):
        trial = asyncio.run(try_answer(alerts, text))
        expected = screener.screen(text)
        assert trial.flagged == expected.flagged, text
        assert list(trial.categories) == (expected.categories if expected.flagged else []), text
        assert [words for _, words in trial.matched] == [text[m.span[0] : m.span[1]] for m in expected.matches]


# --- the page ---------------------------------------------------------------------------------


def test_the_lead_tries_a_disclosure_and_sees_it_would_alert_with_the_words_marked(
    lead: TestClient, settings: Settings
) -> None:
    before = stored(settings.database_url)
    code, page = tried(lead, DISCLOSURE)
    assert code == 200
    text = words(page)
    assert "This answer would raise an alert" in text
    assert "Physical abuse" in text
    marks = Html(page).all("mark", within="vs-trial-answer")
    assert any("hits me" in m.text for m in marks)
    # Nothing a trial does is stored: no response, no alert, no audit event.
    assert stored(settings.database_url) == before


def test_an_ordinary_answer_would_not_alert(lead: TestClient) -> None:
    code, page = tried(lead, ORDINARY)
    assert code == 200
    assert "This answer would not raise an alert" in words(page)
    assert not Html(page).all("mark")


def test_the_typed_answer_is_escaped_and_its_line_breaks_kept(lead: TestClient) -> None:
    code, page = tried(lead, "<script>alert(1)</script>\r\nmy mums bf hits me")
    assert code == 200
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert Html(page).all("br", within="vs-trial-answer")


@pytest.mark.parametrize(
    ("answer", "message"),
    [("", "Enter an answer to try"), ("x" * (MAX_CHARACTERS + 1), "5,000 characters or fewer")],
)
def test_an_empty_or_too_long_answer_is_refused_with_its_reason(lead: TestClient, answer: str, message: str) -> None:
    code, page = tried(lead, answer)
    assert code == 400
    assert message in words(page)
    assert "There is a problem" in page
    assert "This answer would" not in page


def test_the_form_needs_its_csrf_token(lead: TestClient) -> None:
    assert lead.post("/staff/safeguarding/try", data={"answer": DISCLOSURE}).status_code == 403


def test_the_lead_finds_the_trial_page_from_the_queue(lead: TestClient) -> None:
    assert 'href="/staff/safeguarding/try"' in lead.get("/staff/safeguarding").text
    assert lead.get("/staff/safeguarding/try").status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_may_try_answers(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], role: str
) -> None:
    sign_in(client, settings, staff_users[role])
    assert client.get("/staff/safeguarding/try").status_code == 403
    assert tried(client, DISCLOSURE)[0] == 403


def test_signed_out_the_trial_page_asks_to_sign_in(client: TestClient) -> None:
    response = client.get("/staff/safeguarding/try", follow_redirects=False)
    assert response.status_code in (302, 303, 401)
