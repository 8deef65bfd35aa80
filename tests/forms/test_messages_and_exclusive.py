"""Error messages a survey file may reword (`errors:`), and options that stand alone (`exclusive: true`)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from forms.engine import validate_answers, validate_page
from forms.questions import AnswerError
from forms.questions.ranking import ordinal
from tests.forms.helpers import only_problem, question, survey_of

FEEL = question(
    """
    id: feel
    type: scale
    label: How safe do you feel?
    required: true
    options: {not_safe: Not safe, ok: OK, safe: Safe}
    errors:
      required: Choose how safe you feel
      not_an_option: Choose one of the faces
    """
)

RANK = question(
    """
    id: rank
    type: ranking
    label: Rank
    required: true
    options: {a: A, b: B, c: C}
    max_choices: 3
    """
)

TALK = question(
    """
    id: talk
    type: multiple
    label: Who would you talk to?
    options:
      - {value: parent, label: A parent or carer}
      - {value: friend, label: A friend}
      - {value: no_one, label: I wouldn't talk to anyone, exclusive: true}
    """
)


def rejects(q: Any, value: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        q.clean(value)
    return str(caught.value)


# -- messages --------------------------------------------------------------------------------


def test_a_definition_rewords_its_own_messages() -> None:
    assert FEEL.required_message() == "Choose how safe you feel"
    assert rejects(FEEL, "very_safe") == "Choose one of the faces"


def test_reworded_messages_are_part_of_the_definition_and_its_version() -> None:
    assert FEEL.to_json()["errors"] == {
        "required": "Choose how safe you feel",
        "not_an_option": "Choose one of the faces",
    }
    plain = survey_of("- {id: feel, type: scale, label: How safe, options: {a: A, b: B}}")
    reworded = survey_of("- {id: feel, type: scale, label: How safe, options: {a: A, b: B}, errors: {required: Pick}}")
    assert "errors" not in plain.questions[0].to_json()
    assert plain.version != reworded.version


def test_an_override_may_use_the_defaults_placeholders() -> None:
    s = survey_of(
        """
        - id: rank
          type: ranking
          label: Rank
          options: {a: A, b: B, c: C}
          errors: {gap: "Pick your {missing} choice before your {later}, please"}
        """
    )
    result = validate_page(s, s.pages[0], {}, {"rank-2": ["a"]})
    assert result.errors == {"rank": "Pick your 1st choice before your 2nd, please"}


def _yaml_of(q: Any) -> str:
    """A question's normalised definition as a one-item YAML list (JSON is YAML)."""
    return "- " + json.dumps(q.to_json())


@pytest.mark.parametrize(
    ("errors", "path", "message"),
    [
        ("{nope: Hi}", "errors.nope", "unknown message 'nope' (this question's messages: required, not_an_option)"),
        ('{required: ""}', "errors.required", "must be non-empty text"),
        ("{required: [a]}", "errors.required", "must be non-empty text"),
        (
            '{required: "Choose {colour}"}',
            "errors.required",
            "unknown placeholder {colour} (this message may use {label})",
        ),
        (
            '{required: "Choose {"}',
            "errors.required",
            "has a '{' or '}' that is not a placeholder (write {{ or }} for a brace)",
        ),
        ("[required]", "errors", "must be a mapping of message names (required, not_an_option) to messages"),
        # Found with an outside survey: '{option:d}' was a 500 when the answer was checked, and a width
        # such as {label:>99999999} made every such error message 100 MB.
        (
            '{required: "Choose {label:>99999999}"}',
            "errors.required",
            "write {label:>99999999} as {label}: a placeholder takes no ':' or '!'",
        ),
        (
            '{required: "Choose {label!r}"}',
            "errors.required",
            "write {label!r} as {label}: a placeholder takes no ':' or '!'",
        ),
    ],
)
def test_bad_overrides_are_reported_with_their_key_path(errors: str, path: str, message: str) -> None:
    text = f"""\
slug: s
title: S
audience: young_people
purpose: voice
sections:
  - title: One
    questions:
      - id: pick
        type: single
        label: Pick one
        options: {{a: A}}
        errors: {errors}
"""
    found_path, found_message, line = only_problem(text)
    assert found_path == f"sections[0].questions[0].{path}"
    assert found_message == message
    assert line == 12


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"rank-2": ["a"]}, "Choose your 1st choice before your 2nd"),
        ({"rank-3": ["a"]}, "Choose your 1st choice before your 3rd"),
        ({"rank-1": ["a"], "rank-3": ["b"]}, "Choose your 2nd choice before your 3rd"),
    ],
)
def test_a_gap_in_a_ranking_names_the_places(form: dict[str, list[str]], message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        RANK.from_form(form)
    assert str(caught.value) == message


def test_a_repeated_ranking_choice_is_named() -> None:
    assert rejects(RANK, ["a", "c", "c"]) == "You chose 'C' more than once: choose each one only once"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
    ],
)
def test_ordinals(number: int, text: str) -> None:
    assert ordinal(number) == text


def test_no_default_message_repeats_the_old_formula() -> None:
    """Every question type's defaults say what to do, without 'for: <label>' tacked on."""
    from forms.questions import QUESTION_TYPES

    for kind in QUESTION_TYPES.values():
        for name, text in kind.default_messages.items():
            assert "for:" not in text, (kind.type_code, name)
            assert not text.startswith("Select"), (kind.type_code, name)


# -- exclusive options -----------------------------------------------------------------------


def test_an_exclusive_option_alone_is_accepted() -> None:
    assert TALK.clean(["no_one"]) == ["no_one"]
    assert TALK.clean(["friend", "parent"]) == ["parent", "friend"]


@pytest.mark.parametrize("value", [["parent", "no_one"], ["no_one", "friend"], ["parent", "friend", "no_one"]])
def test_an_exclusive_option_with_another_is_an_error(value: list[str]) -> None:
    assert rejects(TALK, value) == "Choose 'I wouldn't talk to anyone' on its own, or untick it"


def test_the_exclusive_error_reaches_the_page_and_the_api_rule() -> None:
    s = survey_of(_yaml_of(TALK))
    page = validate_page(s, s.pages[0], {}, {"talk": ["friend", "no_one"]})
    assert page.errors == {"talk": "Choose 'I wouldn't talk to anyone' on its own, or untick it"}
    assert validate_answers(s, {"talk": ["no_one", "parent"]}).errors == page.errors


def test_exclusive_is_kept_in_the_normalised_definition() -> None:
    options = TALK.to_json()["options"]
    assert options[-1] == {"value": "no_one", "label": "I wouldn't talk to anyone", "exclusive": True}
    assert "exclusive" not in options[0]
    assert survey_of(_yaml_of(TALK)).questions[0].options.exclusive == {"no_one"}


def test_exclusive_only_on_a_multiple_question() -> None:
    path, message, line = only_problem(
        """\
slug: s
title: S
audience: young_people
purpose: voice
sections:
  - title: One
    questions:
      - id: pick
        type: single
        label: Pick one
        options:
          - {value: a, label: A}
          - {value: none, label: None, exclusive: true}
"""
    )
    assert (path, message, line) == (
        "sections[0].questions[0].options",
        "only a 'multiple' question can have exclusive options",
        11,
    )


def test_not_every_option_can_be_exclusive() -> None:
    path, message, _ = only_problem(
        """\
slug: s
title: S
audience: young_people
purpose: voice
sections:
  - title: One
    questions:
      - id: pick
        type: multiple
        label: Pick
        options:
          - {value: none, label: None, exclusive: true}
"""
    )
    assert (path, message) == ("sections[0].questions[0].options", "at least one option must not be exclusive")
