"""Child-friendly variants: a scale shown as faces (`display: faces`) and an easy-read introduction."""

from __future__ import annotations

import pytest

from forms.questions.scale import ScaleQuestion
from tests.forms.helpers import HEADER, line_of, only_problem, question, survey, survey_of

FACES = """
id: listened
type: scale
label: Do adults listen to you?
display: faces
options: {never: Never, sometimes: Sometimes, always: Always}
"""


def test_a_faces_scale_stores_what_the_ordinary_scale_stores() -> None:
    faces = question(FACES)
    plain = question(FACES.replace("display: faces\n", ""))
    assert isinstance(faces, ScaleQuestion)
    assert faces.template == "questions/scale_faces.html"
    assert plain.template == "questions/scale.html"
    for value in ("never", "sometimes", "always"):
        assert faces.clean(value) == plain.clean(value) == value
        assert faces.to_cells(value) == plain.to_cells(value)
    assert faces.analysis_columns() == plain.analysis_columns()


def test_display_is_in_the_definition_only_when_given() -> None:
    assert question(FACES).to_json()["display"] == "faces"
    assert "display" not in question(FACES.replace("display: faces\n", "")).to_json()


def test_an_unknown_display_is_reported_at_its_line() -> None:
    text = HEADER + "sections:\n  - title: One\n    questions:\n      - id: s\n        type: scale\n"
    text += "        label: S\n        display: smileys\n        options: {a: A, b: B}\n"
    path, message, line = only_problem(text)
    assert (path, message) == ("sections[0].questions[0].display", "'smileys' is not one of: faces")
    assert line == line_of(text, "display: smileys")


def test_display_belongs_to_scales_only() -> None:
    path, message, _ = only_problem(
        HEADER + "sections:\n  - title: One\n    questions:\n"
        "      - {id: s, type: single, label: S, display: faces, options: {a: A}}\n"
    )
    assert (path, message) == ("sections[0].questions[0].display", "unknown key 'display'")


EASY = (
    HEADER
    + """\
easy_read:
  - This survey asks what matters to you.
  - You can stop at any time.
sections:
  - title: One
    questions:
      - {id: a, type: text, label: A}
"""
)


def test_an_easy_read_introduction_is_kept_in_order_and_in_the_definition() -> None:
    parsed = survey(EASY)
    assert parsed.easy_read == ("This survey asks what matters to you.", "You can stop at any time.")
    assert parsed.to_json()["easy_read"] == list(parsed.easy_read)
    assert "easy_read" not in survey_of("- {id: a, type: text, label: A}").to_json()


@pytest.mark.parametrize(
    ("replacement", "path", "message"),
    [
        ('  - ""\n', "easy_read[0]", "must be a non-empty sentence"),
        (
            "  - This sentence is far too long for an easy read introduction because it says many things.\n",
            "easy_read[0]",
            "has 16 words; keep each easy-read sentence to 15",
        ),
    ],
)
def test_easy_read_sentences_are_short(replacement: str, path: str, message: str) -> None:
    text = EASY.replace("  - This survey asks what matters to you.\n", replacement)
    found_path, found_message, line = only_problem(text)
    assert (found_path, found_message) == (path, message)
    assert line == line_of(text, replacement.rstrip("\n"))


def test_easy_read_must_be_a_list() -> None:
    text = EASY.replace(
        "easy_read:\n  - This survey asks what matters to you.\n  - You can stop at any time.\n", "easy_read: Short.\n"
    )
    assert only_problem(text)[:2] == ("easy_read", "must be a list of one or more short sentences")


def test_the_voice_survey_uses_both() -> None:
    from forms import load_surveys
    from tests.conftest import FORMS_DIR

    voice = load_surveys(FORMS_DIR)["young-people-voice"]
    assert voice.easy_read
    assert all(len(sentence.split()) <= 15 for sentence in voice.easy_read)
    listened = voice.by_id["listened_to"]
    assert isinstance(listened, ScaleQuestion)
    assert listened.display_as == "faces"
