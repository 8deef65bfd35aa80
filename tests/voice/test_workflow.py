"""The "You Said / We Did" rules as pure functions: every move, who may make it, and the fields."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from tests.voice.conftest import EDITOR, EDITOR_AND_REVIEWER, RECORD, REVIEWER
from voice_service.voice import workflow
from voice_service.voice.workflow import Invalid, MoveNotAllowed, Mover, NotPermitted

ALLOWED = {
    ("draft", "submitted"),
    ("submitted", "approved"),
    ("submitted", "returned"),
    ("returned", "submitted"),
    ("approved", "published"),
    ("published", "closed"),
}
ADMIN = Mover(uuid.UUID(int=9), "ada.admin@example.org", frozenset({"admin"}))
DRAFTER = uuid.UUID(int=99)


@pytest.mark.parametrize("state", workflow.STATES)
@pytest.mark.parametrize("to", workflow.STATES)
def test_only_the_moves_of_the_workflow_are_allowed(state: str, to: str) -> None:
    if (state, to) in ALLOWED:
        workflow.check_move(state, to, ADMIN, DRAFTER)
    else:
        with pytest.raises(MoveNotAllowed, match=f"cannot become {to}"):
            workflow.check_move(state, to, ADMIN, DRAFTER)


def test_an_unknown_state_is_named_in_the_refusal() -> None:
    with pytest.raises(MoveNotAllowed, match="no state called 'launched'"):
        workflow.check_move("draft", "launched", ADMIN, DRAFTER)


@pytest.mark.parametrize(
    ("state", "to", "mover", "allowed"),
    [
        ("draft", "submitted", EDITOR, True),
        ("draft", "submitted", REVIEWER, False),
        ("submitted", "approved", REVIEWER, True),
        ("submitted", "approved", EDITOR, False),
        ("submitted", "returned", EDITOR, False),
        ("approved", "published", EDITOR, False),
        ("published", "closed", REVIEWER, True),
        ("published", "closed", EDITOR, False),
    ],
)
def test_roles_decide_who_makes_each_move(state: str, to: str, mover: Mover, allowed: bool) -> None:
    if allowed:
        workflow.check_move(state, to, mover, DRAFTER)
    else:
        with pytest.raises(NotPermitted, match="Only a voice"):
            workflow.check_move(state, to, mover, DRAFTER)


@pytest.mark.parametrize(
    ("state", "to", "verb"), [("submitted", "approved", "approve"), ("approved", "published", "publish")]
)
@pytest.mark.parametrize("mover", [EDITOR_AND_REVIEWER, ADMIN])
def test_nobody_approves_or_publishes_a_record_they_drafted(state: str, to: str, verb: str, mover: Mover) -> None:
    with pytest.raises(NotPermitted, match=f"someone else must {verb} it"):
        workflow.check_move(state, to, mover, mover.id)


@pytest.mark.parametrize("mover", [EDITOR_AND_REVIEWER, ADMIN])
def test_a_drafter_may_still_return_or_close_their_own_record(mover: Mover) -> None:
    workflow.check_move("submitted", "returned", mover, mover.id)
    workflow.check_move("published", "closed", mover, mover.id)


def test_returning_needs_a_comment_and_other_moves_do_not() -> None:
    with pytest.raises(Invalid) as refused:
        workflow.check_comment("returned", "   ")
    assert refused.value.errors == {"comment": "Say what the editor should change before you return the record"}
    assert workflow.check_comment("approved", None) == ""
    assert workflow.check_comment("returned", " Add the owner \r\n please ") == "Add the owner \n please"


def test_fields_are_cleaned_and_kept_as_plain_text() -> None:
    cleaned = workflow.clean_fields({**RECORD, "said": "<p>We said <b>this</b></p>\r\nand that"})
    assert cleaned["said"] == "<p>We said <b>this</b></p>\nand that"
    assert cleaned["due_on"] == date(2023, 6, 30)
    assert cleaned["people_count"] == 12
    assert cleaned["feedback_given_on"] is None
    assert cleaned["evidence_survey"] is None


def test_bidi_overrides_typed_by_staff_are_dropped_and_marks_kept() -> None:
    # Found by an outsider: U+202E in a record's text reversed how the public page showed it ("llik" for "kill").
    typed = {
        "source": "\u202eCare group\u202c",
        "said": "\u2066Buses\u2069 late\r\n\u202aat night",
        "easy_read": "\u200fOK",
    }
    cleaned = workflow.clean_fields({**RECORD, **typed})
    assert (cleaned["source"], cleaned["said"], cleaned["easy_read"]) == (
        "Care group",
        "Buses late\nat night",
        "\u200fOK",
    )
    with pytest.raises(Invalid) as refused:
        workflow.clean_fields({**RECORD, "theme": "\u202e\u2067"})
    assert refused.value.errors == {"theme": "Enter theme"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", "", "Enter group or source"),
        ("source", "x" * 201, "Group or source must be 200 characters or fewer"),
        ("theme", "Two\nlines", "Theme must be one line, without tabs or control characters"),
        ("theme", 12, "Theme must be text"),
        ("said", "", "Enter what young people said"),
        ("said", "x" * 4001, "What young people said must be 4000 characters or fewer"),
        ("said", "bell\x07", "What young people said must not contain control characters"),
        ("people_count", "twelve", "Number of young people must be a whole number, like 12"),
        ("people_count", 0, "Number of young people must be between 1 and 1,000,000"),
        ("people_count", True, "Number of young people must be a whole number, like 12"),
        ("due_on", "2023-02-30", "Due date must be a real date, like 2024-03-27"),
        ("due_on", "1999-12-31", "Due date must be between 2000 and 2100"),
        (
            "evidence_kind",
            "rumour",
            "Choose where the evidence comes from: survey, ballot, meeting, group_session, other",
        ),
        ("easy_read", "x" * 301, "Easy-read summary must be 300 characters or fewer"),
    ],
)
def test_each_bad_field_gets_its_own_message(field: str, value: object, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        workflow.clean_fields({**RECORD, field: value})
    assert refused.value.errors == {field: message}


def test_a_record_needs_what_was_done_and_an_easy_read_line_before_review() -> None:
    with pytest.raises(Invalid) as refused:
        workflow.ready_for_review({**RECORD, "done": "", "easy_read": "", "owner_organisation": ""})
    assert set(refused.value.errors) == {"done", "easy_read", "owner_organisation"}
    workflow.ready_for_review(RECORD)


def test_overdue_means_past_due_and_not_closed() -> None:
    today = date(2024, 1, 10)
    assert workflow.is_overdue("published", date(2024, 1, 9), today)
    assert not workflow.is_overdue("closed", date(2024, 1, 9), today)
    assert not workflow.is_overdue("draft", date(2024, 1, 10), today)
    assert not workflow.is_overdue("draft", None, today)


@pytest.mark.parametrize(
    ("day", "year"), [(date(2023, 3, 31), "2022/23"), (date(2023, 4, 1), "2023/24"), (date(2099, 12, 1), "2099/00")]
)
def test_the_reporting_year_runs_april_to_march(day: date, year: str) -> None:
    assert workflow.financial_year(day) == year


def test_gov_uk_date_parts_become_iso_dates() -> None:
    assert workflow.date_from_parts("5", "3", "2024") == "2024-03-05"
    assert workflow.date_from_parts("", " ", "") == ""
    assert workflow.date_from_parts("5", "March", "2024") == "not a date"
