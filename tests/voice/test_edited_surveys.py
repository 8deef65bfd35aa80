"""Voice reports on surveys written outside the team and edited after answers came in (as docs/forms.md allows)."""

from __future__ import annotations

import uuid
from pathlib import Path

from litestar.testing import TestClient

from tests.support import database
from tests.support.apps import ClientFactory, make_client
from tests.support.csrf import with_csrf
from tests.support.staff import api_token, bearer, sign_in, staff_users
from voice_service.accounts.service import Person
from voice_service.core.settings import Settings

__all__ = ["make_client", "staff_users"]

HEADER = "audience: young_people\nsections:\n  - title: One\n    questions:\n"
VOICE_V1 = f"""slug: changing
title: Changing
purpose: voice
{HEADER}      - {{id: diff, type: single, label: Views, measure: made_a_difference, options: {{yes: Yes, no: No}}}}
      - {{id: worries, type: textarea, label: Worries}}
"""
#: The same survey after an edit: `worries` became a number, which no column can share with the typed answers.
VOICE_V2 = VOICE_V1.replace("type: textarea, label: Worries", "type: number, label: How many worries")
BALLOT_V1 = f"""slug: vote
title: Vote
purpose: ballot
{HEADER}      - {{id: pick, type: single, label: P, measure: ballot_choice, options: {{a: Alpha, b: Beta, c: Gamma}}}}
      - {{id: why, type: textarea, label: Why}}
"""
#: Gamma taken out after voting began, Delta added, and `why` made a number.
BALLOT_V2 = BALLOT_V1.replace("c: Gamma", "d: Delta").replace("type: textarea, label: Why", "type: number, label: Why")


def _answer(client: TestClient, slug: str, answers: dict[str, object], times: int) -> None:
    for _ in range(times):
        body = {"answers": answers, "submission_key": uuid.uuid4().hex}
        response = client.post(f"/api/surveys/{slug}/responses", json=body)
        assert response.status_code == 201, response.text


def _write(folder: Path, voice: str, ballot: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "changing.yaml").write_text(voice, encoding="utf-8")
    (folder / "vote.yaml").write_text(ballot, encoding="utf-8")


def test_an_edit_elsewhere_in_the_survey_leaves_the_dashboard_and_ballot_working(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person], tmp_path: Path
) -> None:
    # Found editing my surveys after answers were stored: a textarea made a number made the difference
    # dashboard (page and API) a 500 for every survey, and votes for a removed option left the ballot's total.
    folder = tmp_path / "surveys"
    _write(folder, VOICE_V1, BALLOT_V1)
    with make_client(forms_dir=folder) as client:
        _answer(client, "changing", {"diff": "yes", "worries": "exams"}, 5)
        _answer(client, "vote", {"pick": "c", "why": "buses"}, 6)
        _answer(client, "vote", {"pick": "a"}, 5)
    _write(folder, VOICE_V2, BALLOT_V2)
    headers = bearer(api_token(settings, staff_users["voice_reviewer"]))
    with make_client(forms_dir=folder) as client:
        _answer(client, "changing", {"diff": "no", "worries": 3}, 5)
        _answer(client, "vote", {"pick": "d", "why": 2}, 5)
        difference = client.get("/api/voice/difference", headers=headers)
        assert difference.status_code == 200, difference.text
        overall = next(
            r for r in difference.json()["rows"] if r["source"] == "All sources" and r["period"] == "All years"
        )
        assert (overall["count"], overall["n"]) == (5, 10)
        ballot = client.get("/api/ballots/vote", headers=headers)
        assert ballot.status_code == 200, ballot.text
        result = ballot.json()
        assert result["votes"] == 16
        assert [(o["option"], o["label"], o["votes"]) for o in result["options"]] == [
            ("c", "Gamma", 6),
            ("a", "Alpha", 5),
            ("d", "Delta", 5),
            ("b", "Beta", 0),
        ]
        sign_in(client, settings, staff_users["voice_editor"])
        for page in ("/staff/you-said-we-did/dashboard", "/staff/you-said-we-did/ballots/vote"):
            assert client.get(page).status_code == 200, page


def test_drafts_from_a_survey_with_a_long_title_and_label(
    make_client: ClientFactory, settings: Settings, staff_users: dict[str, Person], tmp_path: Path
) -> None:
    # Found drafting from my outside ballot: its 250-character title (forms allow 300) and 240-character option
    # label did not fit a record's one-line source and theme (200), so both drafts were a 500.
    title, label = "Vote " * 50, "Option label " * 20
    folder = tmp_path / "surveys"
    folder.mkdir()
    ballot = BALLOT_V1.replace("title: Vote", f'title: "{title}"').replace("a: Alpha", f'a: "{label}"')
    (folder / "vote.yaml").write_text(ballot, encoding="utf-8")
    with make_client(forms_dir=folder) as client:
        _answer(client, "vote", {"pick": "a", "why": "the buses are late"}, 6)
        sign_in(client, settings, staff_users["voice_editor"])
        for url, form in (
            ("/staff/you-said-we-did/ballots/vote/draft", {"option": "a"}),
            ("/staff/you-said-we-did/themes/draft", {"survey": "vote", "question": "why", "theme": "Transport"}),
        ):
            response = client.post(url, data=with_csrf(client, form, page="/staff/login"), follow_redirects=False)
            assert response.status_code == 303, (url, response.status_code)
    rows = database.query(settings.database_url, "SELECT source, theme FROM voice_record ORDER BY evidence_kind")
    (ballot_source, ballot_theme), (theme_source, theme) = rows
    assert ballot_source == theme_source == "Vote " * 39 + "Vote\u2026"
    assert ballot_theme == "Option label " * 15 + "Opti\u2026"
    assert theme == "Transport"
