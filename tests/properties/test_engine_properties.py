"""Properties of the form engine: what `forms check` accepts renders; what is accepted round-trips."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from forms import parse_survey, validate_answers
from forms.engine import from_cells, to_cells
from forms.yamlsource import read_yaml
from tests.properties.strategies import JSON_JUNK, definitions, valid_answers
from voice_service.core.settings import PROJECT_ROOT
from voice_service.core.web.templating import build_environment

ENV = build_environment(PROJECT_ROOT / "templates")
PAGE = ENV.get_template("survey/page.html")
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(definitions())
def test_a_definition_written_as_yaml_parses_to_the_same_version_as_its_normal_form(raw: dict) -> None:
    survey = parse_survey(read_yaml(yaml.safe_dump(raw, allow_unicode=True)), "generated.yaml")
    again = parse_survey(survey.to_json())
    assert again.version == survey.version
    assert [q.id for q in again.questions] == [q.id for q in survey.questions]


@QUICK
@given(definitions())
def test_every_page_of_a_valid_definition_renders_with_labels_escaped(raw: dict) -> None:
    survey = parse_survey(read_yaml(yaml.safe_dump(raw, allow_unicode=True)), "generated.yaml")
    for page in survey.pages:
        errors = {q.id: "There is a problem <b>here</b>" for q in page.questions}
        body = PAGE.render(
            survey=survey,
            page=page,
            questions=list(page.questions),
            values={},
            errors=errors,
            error_list=[(q.anchor, errors[q.id]) for q in page.questions],
            back_url="/",
            action="/s/x/page/1",
            step=page.number,
            steps=len(survey.pages),
        )
        for q in page.questions:
            assert str(escape(q.label)) in body
            assert f'href="#{q.anchor}"' in body
            assert f'id="{q.anchor}"' in body, f"the error link target #{q.anchor} is missing"
        assert "<b>here</b>" not in body


@QUICK
@given(st.data())
def test_valid_answers_are_accepted_unchanged_and_survive_storage_cells(data: st.DataObject) -> None:
    survey = parse_survey(data.draw(definitions()))
    answers = data.draw(valid_answers(survey))
    result = validate_answers(survey, answers)
    assert result.errors == {}
    assert result.answers == answers
    assert from_cells(survey, to_cells(survey, result.answers)) == answers


@QUICK
@given(st.data())
def test_any_json_either_fails_with_messages_or_is_accepted_as_clean_answers(data: st.DataObject) -> None:
    survey = parse_survey(data.draw(definitions()))
    submitted = data.draw(st.dictionaries(st.sampled_from([q.id for q in survey.questions] + ["zz"]), JSON_JUNK))
    result = validate_answers(survey, submitted)
    if result.ok:
        assert validate_answers(survey, result.answers).answers == result.answers
        assert from_cells(survey, to_cells(survey, result.answers)) == result.answers
    else:
        assert all(isinstance(m, str) and m for m in result.errors.values())
