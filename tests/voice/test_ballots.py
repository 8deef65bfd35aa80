"""Ballot results through the staff page and the API: counts, ranks, turnout, breakdowns, suppression, drafts."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.support.staff import api_token, bearer
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

StaffClient = Callable[[str], TestClient]
BALLOT = "make-your-mark"
PAGE = f"/staff/you-said-we-did/ballots/{BALLOT}"
# Why 12, 6 and 1: with 6, 5 and 1 the shown 6 would give the 1 away (12 - 6 = 6 hidden: 1 to 4 and a figure
# of 5 to 6, so 1 and 5); test_a_shown_figure_that_would_give_a_hidden_one_away_hides_too has that case.
VOTES = [("health_and_wellbeing", "11_15")] * 12 + [("environment", "16_18")] * 6 + [("transport", "11_15")]


def vote(client: TestClient, option: str, age: str) -> None:
    """One anonymous vote through the public API."""
    body = {"answers": {"vote": option, "age_band": age}, "submission_key": uuid.uuid4().hex}
    assert client.post(f"/api/surveys/{BALLOT}/responses", json=body).status_code == 201


def test_the_api_ranks_counts_and_hides_small_numbers(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for option, age in VOTES:
        vote(client, option, age)
    headers = bearer(api_token(settings, staff_users["voice_reviewer"]))
    result = client.get(f"/api/ballots/{BALLOT}", params={"electorate": 120}, headers=headers).json()
    assert result["votes"] == 19
    top = [(o["option"], o["votes"], o["rank"]) for o in result["options"][:3]]
    # Transport's 1 vote is hidden, and so is the next smallest (6), so neither comes out of the total; nor do
    # their ranks or order tell which had more (they come by label; the options with 0 votes after them).
    assert top == [("health_and_wellbeing", 12, 1), ("environment", None, None), ("transport", None, None)]
    assert [(o["votes"], o["rank"]) for o in result["options"][3:]] == [(0, 4)] * 6
    assert result["turnout"] == pytest.approx(19 / 120)
    assert result["turnout_low"] < 19 / 120 < result["turnout_high"]
    ages = result["breakdowns"]["age_band"]
    assert ages["Health and Wellbeing"]["11 to 15"] is None or ages["Health and Wellbeing"]["11 to 15"] >= 5
    assert ages["Transport"]["11 to 15"] is None
    assert client.get("/api/ballots/young-people-voice", headers=headers).status_code == 404
    assert client.get(f"/api/ballots/{BALLOT}", params={"electorate": 0}, headers=headers).status_code == 422


def test_a_shown_figure_that_would_give_a_hidden_one_away_hides_too(
    client: TestClient, settings: Settings, staff_users: dict[str, Person]
) -> None:
    for option, age in (
        [("health_and_wellbeing", "11_15")] * 6 + [("environment", "16_18")] * 5 + [("transport", "11_15")]
    ):
        vote(client, option, age)
    headers = bearer(api_token(settings, staff_users["voice_reviewer"]))
    result = client.get(f"/api/ballots/{BALLOT}", params={"electorate": 120}, headers=headers).json()
    # Shown, the 6 would leave 6 hidden votes: one figure of 1 to 4 and one of 5 to 6 (no more than the 6 shown),
    # so 1 and 5. All three hide; the total does not give them away (1 to 2 for the small one).
    assert result["votes"] == 12
    assert [o["votes"] for o in result["options"][:3]] == [None, None, None]


def test_the_staff_page_shows_the_result_and_drafts_from_an_option(
    staff_client: StaffClient, settings: Settings
) -> None:
    client = staff_client("voice_editor")
    for option, age in VOTES:
        vote(client, option, age)
    assert "Make Your Mark" in client.get("/staff/you-said-we-did/ballots").text
    page = Html(client.get(PAGE, params={"electorate": "120"}).text)
    text = " ".join(page.source.split())
    assert "Votes cast: 19." in text
    assert "Turnout: 15.8% (19 of 120;" in text
    assert page.all("caption")[0].text == "Votes by issue"
    response = client.post(
        f"{PAGE}/draft", data=with_csrf(client, {"option": "health_and_wellbeing"}, page=PAGE), follow_redirects=False
    )
    assert response.status_code == 303
    row = database.query(
        settings.database_url,
        "SELECT theme, evidence_kind, evidence_survey, people_count, evidence_detail FROM voice_record",
    )[0]
    assert tuple(row) == ("Health and Wellbeing", "ballot", BALLOT, 12, "12 of 19 votes; number 1 of 9 issues.")
    # A hidden option's draft (which may be published) says neither its votes nor its place.
    client.post(f"{PAGE}/draft", data=with_csrf(client, {"option": "transport"}, page=PAGE), follow_redirects=False)
    said, detail = database.query(
        settings.database_url, "SELECT said, evidence_detail FROM voice_record WHERE theme = 'Transport'"
    )[0]
    assert (said, detail) == (
        "Young people voted for Transport in Make Your Mark: vote for the issue that matters most.",
        "a hidden number of 19 votes.",
    )
    unknown = client.post(
        f"{PAGE}/draft", data=with_csrf(client, {"option": "nope"}, page=PAGE), follow_redirects=False
    )
    assert unknown.status_code == 404


def test_no_votes_yet(staff_client: StaffClient) -> None:
    page = staff_client("voice_reviewer").get(PAGE)
    assert page.status_code == 200
    assert "Votes cast: 0." in " ".join(page.text.split())


def test_an_electorate_smaller_than_the_votes_cast_is_refused(
    client: TestClient, settings: Settings, staff_users: dict[str, Person], staff_client: StaffClient
) -> None:
    # Found by an outsider: an electorate of 10 beside 19 votes showed a turnout of 100% without a word.
    for option, age in VOTES:
        vote(client, option, age)
    headers = bearer(api_token(settings, staff_users["voice_reviewer"]))
    refused = client.get(f"/api/ballots/{BALLOT}", params={"electorate": 10}, headers=headers)
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"electorate": "The electorate must be at least the 19 votes cast"}}
    exact = client.get(f"/api/ballots/{BALLOT}", params={"electorate": 19}, headers=headers).json()
    assert exact["turnout"] == 1.0
    staff = staff_client("voice_reviewer")
    shown = staff.get(PAGE, params={"electorate": "10"})
    assert shown.status_code == 422
    html = Html(shown.text)
    assert html.title.startswith("Error: ")
    assert dict(html.error_summary) == {"#electorate": "The electorate must be at least the 19 votes cast"}
    assert "Turnout:" not in shown.text
