"""Whole journeys through shipped surveys, checked against what was stored."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from forms.engine import from_cells
from forms.questions import Cell
from tests.conftest import FORMS_DIR
from tests.http.helpers import answer_pages, submission_key, submit
from tests.support import database
from tests.support.delegates import admit
from tests.support.html import Html
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog

CATALOG = SurveyCatalog.from_folder(FORMS_DIR)


def stored_answers(settings: Settings, slug: str) -> dict[str, Any]:
    """The one stored response to a survey, rebuilt from its answer rows."""
    responses = database.query(
        settings.database_url,
        "SELECT r.id, v.slug, v.version FROM response r JOIN survey_version v ON v.id = r.survey_version_id",
    )
    assert len(responses) == 1
    _, stored_slug, version = responses[0]
    survey = CATALOG.current(slug)
    assert survey is not None
    assert (stored_slug, version) == (slug, survey.version)
    rows = database.query(
        settings.database_url, "SELECT question_id, row_key, position, value_text, value_number FROM answer"
    )
    return from_cells(survey, [(qid, Cell(row, pos, text, number)) for qid, row, pos, text, number in rows])


def finish(client: TestClient, slug: str, check: Html) -> None:
    response = submit(client, slug, submission_key(check))
    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{slug}/done"
    done = client.get(response.headers["location"])
    assert done.status_code == 200
    assert "What happens next" in done.text


def test_young_people_voice_from_start_to_finish(client: TestClient, settings: Settings) -> None:
    slug = "young-people-voice"
    walk = answer_pages(
        client,
        slug,
        {
            1: {"what_matters-1": "feeling_safe", "what_matters-2": "mental_health", "what_matters-3": "school"},
            2: {"listened_to": "sometimes", "views_difference": "not_sure"},
            3: {"make_better": "More youth clubs\nthat are open late", "talk_to": ["no_one"]},
            4: {"easier_to_talk": "Someone my own age"},
            5: {"age_band": "11_15", "area": "west"},
        },
    )
    assert walk.pages == [1, 2, 3, 4, 5]
    check = walk.check
    assert check.summary_lines("What matters most to you?") == [
        "1. Feeling safe",
        "2. Mental health and feeling OK",
        "3. School, college and learning",
    ]
    assert check.summary_lines("If you were worried about something, who would you talk to?") == [
        "I wouldn't talk to anyone",
    ]
    assert check.summary_rows()["Do you think giving your views makes a difference?"][0] == "Not sure"
    finish(client, slug, check)
    assert stored_answers(settings, slug) == {
        "what_matters": ["feeling_safe", "mental_health", "school"],
        "listened_to": "sometimes",
        "views_difference": "not_sure",
        "make_better": "More youth clubs\nthat are open late",
        "talk_to": ["no_one"],
        "easier_to_talk": "Someone my own age",
        "age_band": "11_15",
        "area": "west",
    }


def test_young_people_voice_skips_the_follow_up_question(client: TestClient, settings: Settings) -> None:
    slug = "young-people-voice"
    walk = answer_pages(client, slug, {2: {"views_difference": "yes"}, 3: {"talk_to": ["parent_carer"]}})
    assert walk.pages == [1, 2, 3, 5]
    assert "What would make it easier to talk to someone?" not in walk.check.summary_rows()
    finish(client, slug, walk.check)
    assert stored_answers(settings, slug) == {"views_difference": "yes", "talk_to": ["parent_carer"]}


def test_working_together_a_course_evaluation(client: TestClient, settings: Settings) -> None:
    slug = "working-together-a-evaluation"
    admit(client, settings, slug)
    walk = answer_pages(
        client,
        slug,
        {
            1: {
                "course_elements-quality": "very_good",
                "course_elements-content": "good",
                "course_elements-trainer_knowledge": "very_good",
                "course_elements-relevance": "fair",
                "most_useful": "Hearing how the police and schools share information",
            },
            2: {"confidence_before": "moderate", "confidence_after": "high"},
            3: {"change_intent": "neutral", "do_differently": ""},
            4: {"what_would_help": "Time with my manager"},
            5: {},
        },
    )
    assert walk.pages == [1, 2, 3, 4, 5]
    assert walk.check.summary_lines("How would you rate these parts of the course?") == [
        "Overall quality of the training: Very good",
        "Course content and materials: Good",
        "The trainer's knowledge of the subject: Very good",
        "Relevance to your role: Fair",
    ]
    finish(client, slug, walk.check)
    assert stored_answers(settings, slug) == {
        "course_elements": {
            "quality": "very_good",
            "content": "good",
            "trainer_knowledge": "very_good",
            "relevance": "fair",
        },
        "most_useful": "Hearing how the police and schools share information",
        "confidence_before": "moderate",
        "confidence_after": "high",
        "change_intent": "neutral",
        "what_would_help": "Time with my manager",
    }
    # A delegate's evaluation is theirs: stored with their invitation, under their pseudonymous key.
    ((respondent, invitation_id, key),) = database.query(
        settings.database_url, "SELECT respondent, invitation_id, respondent_key FROM response"
    )
    assert respondent == "delegate"
    assert invitation_id is not None
    assert key


def test_sexual_health_survey_with_multiple_choice_and_a_number(client: TestClient, settings: Settings) -> None:
    slug = "sexual-health-young-people"
    walk = answer_pages(
        client,
        slug,
        {
            1: {"found_out": ["school_college", "other"]},
            2: {"found_out_other": "A leaflet at the library", "info_easy": "took_a_while"},
            3: {"times_used": " 3 "},
            4: {"how_booked": "walk_in"},
            5: {"booking_good": ["quick", "kind_staff", "private"]},
            6: {"felt_respected": "strongly_agree", "not_judged": "agree", "recommend": "yes"},
            7: {"what_was_hard": "The opening times were hard to find"},
            8: {"age_band": "16_18"},
        },
    )
    assert walk.pages == [1, 2, 3, 4, 5, 6, 7, 8]
    rows = walk.check.summary_rows()
    assert rows["How many times have you used the service in the last 12 months?"][0] == "3 times"
    assert "How easy was it to book?" not in rows  # hidden: a walk-in needs no booking
    assert walk.check.summary_lines("What was good about booking?") == [
        "It was quick",
        "The person I spoke to was kind",
        "It felt private",
    ]
    finish(client, slug, walk.check)
    assert stored_answers(settings, slug) == {
        "found_out": ["school_college", "other"],
        "found_out_other": "A leaflet at the library",
        "info_easy": "took_a_while",
        "times_used": 3,
        "how_booked": "walk_in",
        "booking_good": ["quick", "kind_staff", "private"],
        "felt_respected": "strongly_agree",
        "not_judged": "agree",
        "recommend": "yes",
        "what_was_hard": "The opening times were hard to find",
        "age_band": "16_18",
    }


def test_sexual_health_survey_hides_the_follow_ups_when_not_needed(client: TestClient, settings: Settings) -> None:
    slug = "sexual-health-young-people"
    walk = answer_pages(
        client,
        slug,
        {1: {"found_out": ["website"]}, 2: {"info_easy": "easy"}, 4: {"how_booked": "online"}},
    )
    assert walk.pages == [1, 2, 3, 4, 5, 6, 7, 8]
    rows = walk.check.summary_rows()
    assert "Where did you find out about it?" not in rows
    assert "You told us something was hard. What would have made it easier?" not in rows
    assert rows["How easy was it to book?"][0] == "Not answered"
    finish(client, slug, walk.check)
    assert stored_answers(settings, slug) == {"found_out": ["website"], "info_easy": "easy", "how_booked": "online"}
