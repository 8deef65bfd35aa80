"""Small builders for form-engine tests: surveys from YAML written in the test."""

from __future__ import annotations

import textwrap

import pytest

from forms import DefinitionError, DefinitionProblem, Survey, parse_survey
from forms.questions import Question
from forms.yamlsource import read_yaml

HEADER = """\
slug: test-survey
title: A test survey
audience: delegates
purpose: voice
"""


def survey(text: str, file: str = "test.yaml") -> Survey:
    """A survey from a complete YAML text (dedented)."""
    return parse_survey(read_yaml(textwrap.dedent(text)), file)


def one_section(questions: str) -> str:
    """A complete YAML text: the header and one section holding `questions` (a YAML list)."""
    body = textwrap.indent(textwrap.dedent(questions).strip("\n"), "      ")
    return f"{HEADER}sections:\n  - title: Only section\n    questions:\n{body}\n"


def survey_of(questions: str) -> Survey:
    """A survey with one section of the given questions."""
    return survey(one_section(questions))


def question(text: str) -> Question:
    """One question from its YAML mapping (written without the leading `- `)."""
    lines = textwrap.dedent(text).strip("\n").splitlines()
    item = "\n".join(["- " + lines[0], *("  " + line for line in lines[1:])])
    return survey_of(item).questions[0]


def problems(text: str, file: str = "test.yaml") -> list[DefinitionProblem]:
    """Every problem reported for a YAML text (which must be invalid)."""
    with pytest.raises(DefinitionError) as caught:
        survey(text, file)
    return caught.value.problems


def only_problem(text: str) -> tuple[str, str, int | None]:
    """The path, message and line of the one problem a YAML text has."""
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0].path, found[0].message, found[0].line


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line of (dedented) `text` that contains `needle`."""
    found = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), start=1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]
