"""Question pages render cheaply and the same: kept question fields, no template checks per request."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, select_autoescape

from forms import Survey
from forms.questions.base import Question
from tests.conftest import FORMS_DIR
from voice_service.app import create_app
from voice_service.core.settings import Settings
from voice_service.core.web.templating import QuestionFields, build_environment
from voice_service.surveys.catalog import SurveyCatalog

TEMPLATES = Path(__file__).parents[2] / "templates"
CATALOG = SurveyCatalog.from_folder(FORMS_DIR)
QUESTIONS = [(s, q) for s in CATALOG.surveys.values() for q in s.questions]
#: Renders each partial afresh (its own environment, so nothing kept by the one under test).
PLAIN = build_environment(TEMPLATES)


def fresh(survey: Survey, question: Question, values: dict[str, list[str]], error: str | None) -> str:
    """The question's partial rendered on its own, as the page used to include it."""
    return PLAIN.get_template(question.template).render(question=question, survey=survey, values=values, error=error)


def first_option_values(question: Question) -> dict[str, list[str]]:
    options = getattr(question, "options", None)
    return {name: [options.values[0]] for name in question.field_names()} if options else {}


@pytest.mark.parametrize(("survey", "question"), QUESTIONS, ids=[f"{s.slug}:{q.id}" for s, q in QUESTIONS])
def test_kept_fields_are_the_fields_a_fresh_render_gives(survey: Survey, question: Question) -> None:
    fields = QuestionFields(build_environment(TEMPLATES))
    for values, error in (({}, None), ({}, "Choose one <b>now</b>"), (first_option_values(question), None)):
        first = fields(question, survey, values, error)
        again = fields(question, survey, values, error)
        assert str(first) == str(again) == fresh(survey, question, values, error)
    assert "Choose one &lt;b&gt;now&lt;/b&gt;" in fresh(survey, question, {}, "Choose one <b>now</b>")


def test_a_question_shown_with_chosen_options_is_rendered_once() -> None:
    survey = CATALOG.surveys["young-people-voice"]
    question = survey.by_id["views_difference"]
    fields = QuestionFields(build_environment(TEMPLATES))
    chosen = {question.id: [question.options.values[1]]}
    first = fields(question, survey, chosen, None)
    assert fields(question, survey, chosen, None) is first
    assert f'value="{question.options.values[1]}" checked' in first
    assert len(fields) == 1


def test_typed_answers_are_escaped_and_never_kept() -> None:
    survey = CATALOG.surveys["young-people-voice"]
    typed = next(q for q in survey.questions if q.type_code == "textarea")
    choice = survey.by_id["views_difference"]
    fields = QuestionFields(build_environment(TEMPLATES))
    html = fields(typed, survey, {typed.id: ["<script>alert(1)</script> & me"]}, None)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; me" in html
    assert "<script>alert" not in html
    # A posted value that is not an option (a forged form) renders, but is not kept either.
    fields(choice, survey, {choice.id: ["not-an-option<"]}, "Choose one")
    assert len(fields) == 0
    # The same question empty is kept: that is every first visit.
    fields(typed, survey, {}, None)
    assert len(fields) == 1


def test_kept_fields_are_bounded() -> None:
    survey = CATALOG.surveys["young-people-voice"]
    fields = QuestionFields(build_environment(TEMPLATES), max_entries=3)
    for question in survey.questions[:6]:
        fields(question, survey, {}, None)
    assert len(fields) == 3


def test_nothing_is_kept_while_templates_reload_for_development() -> None:
    survey = CATALOG.surveys["young-people-voice"]
    fields = QuestionFields(build_environment(TEMPLATES, auto_reload=True))
    fields(survey.questions[0], survey, {}, None)
    assert len(fields) == 0


@pytest.mark.parametrize("debug", [False, True])
def test_templates_are_checked_for_changes_only_in_debug(tmp_path: Path, debug: bool) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", debug=debug)
    assert create_app(settings).template_engine.engine.auto_reload is debug


def test_templates_sharing_the_globals_render_what_plain_jinja_renders() -> None:
    shared = build_environment(TEMPLATES)
    plain = Environment(loader=shared.loader, autoescape=select_autoescape(["html", "xml"], default=True))
    plain.globals.update(shared.globals)
    survey = CATALOG.surveys["young-people-voice"]
    page = survey.pages[1]
    context = {
        "survey": survey,
        "page": page,
        "questions": list(page.questions),
        "values": {},
        "errors": {page.questions[0].id: "Choose <one>"},
        "error_list": [(page.questions[0].anchor, "Choose <one>")],
        "back_url": "/s/young-people-voice/page/1",
        "action": "/s/young-people-voice/page/2",
        "step": 2,
        "steps": 5,
        "csrf_input": "",
        "pages": 5,
        "flagged": True,
    }
    for name in ("survey/page.html", "survey/start.html", "survey/done.html", "index.html"):
        assert shared.get_template(name).render(context) == plain.get_template(name).render(context)


def test_template_level_globals_are_refused_so_they_cannot_leak_into_every_page() -> None:
    env = build_environment(TEMPLATES)
    with pytest.raises(ValueError, match="no globals of their own"):
        env.get_template("survey/page.html", globals={"service_name": "Someone else"})
    with pytest.raises(ValueError, match="no globals of their own"):
        env.select_template(["survey/page.html"], globals={"service_name": "Someone else"})
    assert env.globals["service_name"] != "Someone else"
