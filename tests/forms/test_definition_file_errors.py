"""Mistakes at file level: top-level keys, sections, YAML itself, folders; all reported at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from forms import DefinitionError, load_survey_file, load_surveys, parse_survey
from forms.problems import IDENTIFIER
from forms.yamlsource import LineDict, LineList, YamlSyntaxError, read_yaml
from tests.forms.helpers import HEADER, line_of, only_problem, problems, survey

SECTION = "sections:\n  - title: One\n    questions:\n      - {id: a, type: text, label: A}\n"
VALID = HEADER + SECTION


@pytest.mark.parametrize(
    ("old", "new", "path", "message", "line"),
    [
        ("slug: test-survey", "slug: " + "s" * 101, "slug", "must be at most 100 characters, not 101", 1),
        ("title: A test survey", "title: " + "T" * 301, "title", "must be at most 300 characters, not 301", 2),
        (
            "{id: a,",
            "{id: " + "q" * 65 + ",",
            "sections[0].questions[0].id",
            "must be at most 64 characters, not 65",
            8,
        ),
        (
            "{id: a, type: text, label: A}",
            "{id: a, type: matrix, label: A, rows: {" + "r" * 65 + ": R}, options: {x: X}}",
            "sections[0].questions[0].rows",
            f"row value '{'r' * 65}' must be at most 64 characters, not 65",
            8,
        ),
    ],
)
def test_names_longer_than_the_database_keeps(old: str, new: str, path: str, message: str, line: int) -> None:
    # Found starting my outside surveys on PostgreSQL: a 120-character slug or a 400-character title stopped the
    # start (varchar(100)/(300) storing the version), and an 80-character question id made every answer a 500.
    assert only_problem(VALID.replace(old, new)) == (path, message, line)
    # A version stored before the limit (SQLite does not enforce it) still reads, so its responses still analyse.
    assert parse_survey(read_yaml(VALID.replace(old, new)), stored=True).questions
    at_limit = VALID.replace("slug: test-survey", "slug: " + "s" * 100).replace("{id: a,", "{id: " + "q" * 64 + ",")
    assert survey(at_limit.replace("title: A test survey", "title: " + "T" * 300)).slug == "s" * 100


@pytest.mark.parametrize("slug", ["Bad_Slug", "a--b", "-a", "a-", "feeling safe", "café"])
def test_bad_slug(slug: str) -> None:
    text = VALID.replace("slug: test-survey", f"slug: {slug}")
    assert only_problem(text) == (
        "slug",
        f"'{slug}' must be lowercase letters, digits and single hyphens, like feeling-safe",
        1,
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "message", "on_line"),
    [
        ("title: A test survey\n", "", "title", "'title' is required", "slug:"),
        ("title: A test survey\n", "title: '  '\n", "title", "must be non-empty text", "title: '"),
        ("slug: test-survey\n", "", "slug", "'slug' is required", "A test survey"),
        (
            "audience: delegates\n",
            "",
            "audience",
            "'audience' is required (one of: young_people, delegates, practitioners)",
            "slug:",
        ),
        (
            "audience: delegates\n",
            "audience: children\n",
            "audience",
            "'children' is not one of: young_people, delegates, practitioners",
            "audience:",
        ),
        (
            "purpose: voice\n",
            "purpose: vote\n",
            "purpose",
            "'vote' is not one of: voice, ballot, course_evaluation, follow_up",
            "purpose:",
        ),
        (
            "purpose: voice\n",
            "purpose: voice\nanonymous: maybe\n",
            "anonymous",
            "must be true or false, not 'maybe'",
            "anonymous:",
        ),
        ("purpose: voice\n", "purpose: voice\nlisted: yes\n", "listed", "must be true or false, not 'yes'", "listed:"),
        ("purpose: voice\n", "purpose: voice\nopen: 1\n", "open", "must be true or false, not '1'", "open:"),
        (
            "purpose: voice\n",
            "purpose: voice\ntitel: T\n",
            "titel",
            "unknown key 'titel' (did you mean 'title'?)",
            "titel:",
        ),
        ("purpose: voice\n", "purpose: voice\nversion: 2\n", "version", "unknown key 'version'", "version:"),
        (
            "purpose: voice\n",
            "purpose: voice\nscales: [a, b]\n",
            "scales",
            "must be a mapping of scale names to options",
            "scales:",
        ),
        (SECTION, "", "", "'sections' must be a list of one or more sections", "slug:"),
        (SECTION, "sections: []\n", "sections", "'sections' must be a list of one or more sections", "sections:"),
        (SECTION, "sections:\n  - One\n", "sections[0]", "must be a mapping of keys to values", "- One"),
        (
            "  - title: One\n    questions:\n",
            "  - questions:\n",
            "sections[0].title",
            "'title' is required",
            "- questions:",
        ),
        (
            "    questions:\n",
            "    descripton: x\n    questions:\n",
            "sections[0].descripton",
            "unknown key 'descripton' (did you mean 'description'?)",
            "descripton:",
        ),
        (
            "    questions:\n      - {id: a, type: text, label: A}\n",
            "    questions: []\n",
            "sections[0].questions",
            "'questions' must be a list of one or more questions",
            "questions: []",
        ),
        (
            "      - {id: a, type: text, label: A}\n",
            "      - just a string\n",
            "sections[0].questions[0]",
            "must be a mapping of keys to values",
            "- just a string",
        ),
    ],
)
def test_survey_and_section_problems(old: str, new: str, path: str, message: str, on_line: str) -> None:
    assert old in VALID
    text = VALID.replace(old, new)
    assert only_problem(text) == (path, message, line_of(text, on_line))


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a\n- b\n", "just text\n"])
def test_a_file_that_is_not_a_mapping(text: str) -> None:
    [problem] = problems(text)
    assert (problem.path, problem.message) == ("", "must be a mapping of keys to values")


# -- YAML -------------------------------------------------------------------------------------


def test_plain_values_are_all_text() -> None:
    data = read_yaml("a: yes\nb: no\nc: on\nd: off\ne: true\nf: 11_15\ng: 1.5\nh: 2001-01-01\ni: 0x1f\nj: '~'\n")
    assert data == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "off",
        "e": "true",
        "f": "11_15",
        "g": "1.5",
        "h": "2001-01-01",
        "i": "0x1f",
        "j": "~",
    }


@pytest.mark.parametrize(
    ("value", "expected"), [("~", None), ("null", None), ("", None), ("''", ""), ('"null"', "null")]
)
def test_only_unquoted_nulls_are_none(value: str, expected: str | None) -> None:
    assert read_yaml(f"a: {value}\n") == {"a": expected}


def test_yaml_1_1_traps_are_option_values_not_booleans() -> None:
    s = survey(
        HEADER
        + """
sections:
  - title: One
    questions:
      - id: a
        type: single
        label: A
        options:
          yes: Yes
          no: No
          on: On
          off: Off
          11_15: 11 to 15
          "16_18": 16 to 18
          true: 'True'
"""
    )
    q = s.questions[0]
    assert q.options.values == ["yes", "no", "on", "off", "11_15", "16_18", "true"]
    assert q.options.label("no") == "No"
    assert q.options.label("11_15") == "11 to 15"
    assert q.clean("no") == "no"


def test_options_as_a_list_of_value_label_mappings() -> None:
    as_list = survey(
        VALID.replace(
            "{id: a, type: text, label: A}",
            "{id: a, type: single, label: A, options: [{value: yes, label: Yes}, {value: no, label: ' No '}]}",
        )
    )
    as_map = survey(
        VALID.replace("{id: a, type: text, label: A}", "{id: a, type: single, label: A, options: {yes: Yes, no: No}}")
    )
    assert as_list.questions[0].options.items == (("yes", "Yes"), ("no", "No"))
    assert as_list.questions[0] == as_map.questions[0]


def test_read_yaml_remembers_lines() -> None:
    data = read_yaml("# comment\nfirst: 1\nitems:\n  - a\n\n  - {b: c}\n")
    assert isinstance(data, LineDict)
    assert data.line == 2
    assert data.key_lines == {"first": 2, "items": 3}
    assert isinstance(data["items"], LineList)
    assert data["items"].item_lines == [4, 6]
    assert data["items"][1].line == 6


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: 1\nb:\n  - x\n  - y\n c: 2\n", 5, "expected <block end>, but found '<block mapping start>'"),
        ("a: 1\nb: {x: 1\nc: 2\n", 3, "expected ',' or '}', but got ':'"),
        ("a: 1\nb:\n\t- x\n", 3, "found character '\\t' that cannot start any token"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a'"),
        ("a: 1\n---\nb: 2\n", 2, "but found another document"),
        ("a: 1\n[x]: 2\n", 2, "mapping keys must be plain text, not a list"),
        ("a: 1\n{x: 1}: 2\n", 2, "mapping keys must be plain text, not a mapping"),
        # Found with an outside survey: escapes wrote characters no page shows, and the app then failed to start
        # on PostgreSQL (UntranslatableCharacterError storing the version's definition).
        ('a: 1\nb: "A\\u0000"\n', 2, "text with the unprintable character U+0000, which a page cannot show: remove it"),
        (
            'a: 1\nb: {"x\\0": y}\n',
            2,
            "text with the unprintable character U+0000, which a page cannot show: remove it",
        ),
        (
            'a: 1\nb:\n  - "\\x1b[31m"\n',
            3,
            "text with the unprintable character U+001B, which a page cannot show: remove it",
        ),
        ('a: 1\nb: "\\ud800"\n', 2, "text with the unprintable character U+D800, which a page cannot show: remove it"),
    ],
)
def test_yaml_errors_have_a_line(text: str, line: int, message: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        read_yaml(text)
    assert (caught.value.line, str(caught.value)) == (line, message)


@pytest.mark.parametrize("key", ["null", "~", "Null", "NULL"])
def test_a_null_option_key_is_reported_with_its_key_path_and_line(key: str) -> None:
    text = VALID.replace(
        "      - {id: a, type: text, label: A}\n",
        "      - id: a\n        type: single\n        label: A\n        options:\n"
        f"          {key}: Nothing\n          ok: OK\n",
    )
    if IDENTIFIER.fullmatch(key):
        # Read as the text written, `null` is a usable option value like any other word.
        assert parse_survey(read_yaml(text)).questions[0].options.values == [key, "ok"]
        return
    with pytest.raises(DefinitionError) as caught:
        parse_survey(read_yaml(text), "s.yaml")
    [problem] = caught.value.problems
    assert problem.path == f"sections[0].questions[0].options.{key}"
    assert problem.message.startswith(f"option value '{key}' is not an identifier")
    assert problem.line == line_of(text, f"{key}: Nothing")


@pytest.mark.parametrize("word", ["Null", "null", "NULL", "~"])
def test_an_option_label_written_as_a_null_word_says_to_quote_it(word: str) -> None:
    # Found by an outsider: `no_answer: Null` gave "every option needs a label", though the docs say plain values
    # are text; a YAML null word is the one exception, so the message names it and the fix.
    as_map = VALID.replace(
        "      - {id: a, type: text, label: A}\n",
        "      - id: a\n        type: single\n        label: A\n        options:\n"
        f"          ok: OK\n          none: {word}\n",
    )
    path, message, line = only_problem(as_map)
    assert (path, line) == ("sections[0].questions[0].options.none", line_of(as_map, f"none: {word}"))
    assert message == f"{word} is read as no value: write it in quotes ('{word}') if it is the text"
    as_list = VALID.replace(
        "{id: a, type: text, label: A}",
        f"{{id: a, type: single, label: A, options: [{{value: ok, label: OK}}, {{value: none, label: {word}}}]}}",
    )
    assert only_problem(as_list)[1] == message
    quoted = as_map.replace(f"none: {word}", f"none: '{word}'")
    assert parse_survey(read_yaml(quoted)).questions[0].options.label("none") == word
    # Left empty, the label is missing as before.
    assert only_problem(as_map.replace(f"none: {word}", "none:"))[1] == "every option needs a label"


def test_a_slug_must_match_its_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "feeling-safe.yaml", VALID)
    with pytest.raises(DefinitionError) as caught:
        load_surveys(tmp_path)
    [problem] = caught.value.problems
    assert (problem.file, problem.path) == (str(path), "slug")
    assert problem.message == (
        "slug 'test-survey' must match the file name: rename the file to test-survey.yaml or the slug to feeling-safe"
    )


def test_an_empty_folder_is_a_problem_not_a_service_with_no_surveys(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "not a survey")
    with pytest.raises(DefinitionError) as caught:
        load_surveys(tmp_path)
    assert [(p.file, p.message) for p in caught.value.problems] == [
        (str(tmp_path), "no survey files (*.yaml or *.yml) in this folder")
    ]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_invalid_yaml_file_is_one_problem_with_its_line(tmp_path: Path) -> None:
    text = VALID.replace("label: A}", "label: A")
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(DefinitionError) as caught:
        load_survey_file(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.path) == (str(path), "")
    assert problem.line == len(text.splitlines()) + 1  # the flow mapping is still open at the end
    assert problem.message.startswith("not valid YAML: ")


def test_duplicate_yaml_key_in_a_file(tmp_path: Path) -> None:
    text = VALID.replace(
        "      - {id: a, type: text, label: A}\n",
        "      - id: a\n        label: A\n        type: text\n        label: B\n",
    )
    path = write(tmp_path, "dup.yaml", text)
    with pytest.raises(DefinitionError) as caught:
        load_survey_file(path, label="forms/surveys/dup.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"forms/surveys/dup.yaml:{line_of(text, 'label: B')}: not valid YAML: duplicate key 'label'"
    ]


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"slug: latin1\ntitle: caf\xe9\n")
    with pytest.raises(DefinitionError) as caught:
        load_survey_file(path)
    [problem] = caught.value.problems
    assert (problem.line, problem.message) == (2, "cannot read file: it is not UTF-8 text; save it with UTF-8 encoding")


def test_show_if_nested_hundreds_deep_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    # Found by writing an officer's worst case: 300 nested {all: [...]} made PyYAML raise RecursionError.
    nested = "{all: [" * 300 + "{question: a, answered: true}" + "]}" * 300
    text = VALID.replace("label: A}\n", f"label: A}}\n      - {{id: b, type: text, label: B, show_if: {nested}}}\n")
    path = write(tmp_path, "deep.yaml", text)
    with pytest.raises(DefinitionError) as caught:
        load_survey_file(path)
    assert [p.message for p in caught.value.problems] == [
        "not valid YAML: lists or mappings are nested too deeply to read"
    ]


# -- folders ----------------------------------------------------------------------------------


def test_load_surveys_reads_yaml_and_yml_only(tmp_path: Path) -> None:
    write(tmp_path, "one.yaml", VALID.replace("test-survey", "one"))
    write(tmp_path, "two.yml", VALID.replace("test-survey", "two"))
    write(tmp_path, "notes.txt", "not a survey")
    surveys = load_surveys(tmp_path)
    assert sorted(surveys) == ["one", "two"]
    assert surveys["two"].source == str(tmp_path / "two.yml")


def test_hidden_files_a_mac_or_an_editor_leaves_are_not_read(tmp_path: Path) -> None:
    # Found copying my surveys as a Mac does: "._one.yaml" (binary) stopped forms check and the app's start.
    write(tmp_path, "one.yaml", VALID.replace("test-survey", "one"))
    (tmp_path / "._one.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    (tmp_path / ".#one.yaml").symlink_to("user@host.123:1700000000")
    assert sorted(load_surveys(tmp_path)) == ["one"]


def test_two_files_with_the_same_slug(tmp_path: Path) -> None:
    first = write(tmp_path, "same.yaml", VALID.replace("test-survey", "same"))
    second = write(tmp_path, "same.yml", VALID.replace("test-survey", "same"))
    with pytest.raises(DefinitionError) as caught:
        load_surveys(tmp_path)
    [problem] = caught.value.problems
    assert (problem.file, problem.path, problem.message) == (
        str(second),
        "slug",
        f"slug 'same' is also used by {first}",
    )


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_surveys(tmp_path / "nowhere")
    assert caught.value.problems[0].message == "survey folder does not exist"


def test_problems_in_every_file_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID.replace("slug: test-survey", "slug: A"))
    write(tmp_path, "b.yaml", VALID.replace("label: A}", "label: A"))
    write(tmp_path, "c.yaml", VALID.replace("test-survey", "c"))
    with pytest.raises(DefinitionError) as caught:
        load_surveys(tmp_path)
    assert [Path(p.file).name for p in caught.value.problems] == ["a.yaml", "b.yaml"]


# -- all problems of a file at once -----------------------------------------------------------

MANY = """\
slug: Many_Problems
title: Many problems
audience: delegates
purpose: voice
anonymous: maybe
description: [not, text]
colour: blue
sections:
  - title: One
    questions:
      - id: a
        type: scale
        label: A
        scale: nowhere
        required: maybe
        hint: [not, text]
      - id: b
        type: single
        label: B
        options: {Yes: Yes}
        measure: ballot_choice
      - id: c
        type: text
        label: C
        show_if: {question: later, answered: true}
        max_length: many
      - id: c
        type: text
        label: C again
  - questions:
      - {id: d, type: number, label: D, min: 5, max: 1, suffix: ''}
      - {id: later, type: radio, label: Later}
"""


#: The line of the first question with id c, which the duplicate's message points to.
FIRST_C = next(i for i, row in enumerate(MANY.splitlines(), start=1) if "id: c" in row)


def test_all_problems_of_a_file_are_reported_at_once() -> None:
    found = {(p.path, p.message, p.line) for p in problems(MANY)}
    expected = {
        ("slug", "'Many_Problems' must be lowercase letters, digits and single hyphens, like feeling-safe", "slug:"),
        ("anonymous", "must be true or false, not 'maybe'", "anonymous:"),
        ("description", "must be non-empty text", "description:"),
        ("colour", "unknown key 'colour'", "colour:"),
        ("sections[0].questions[0].scale", "scale 'nowhere' is not defined (known scales: none defined)", "scale:"),
        ("sections[0].questions[0].required", "must be true or false, not 'maybe'", "required:"),
        ("sections[0].questions[0].hint", "must be non-empty text", "hint:"),
        (
            "sections[0].questions[1].options.Yes",
            "option value 'Yes' is not an identifier (use lowercase letters, digits and underscores, like very_good)",
            "options:",
        ),
        ("sections[0].questions[2].max_length", "must be a whole number, not 'many'", "max_length:"),
        (
            "sections[0].questions[2].show_if",
            "refers to a later question 'later' (show_if may only use earlier questions)",
            "show_if:",
        ),
        (
            "sections[0].questions[3].id",
            f"duplicate question id 'c' (first used at sections[0].questions[2].id, line {FIRST_C})",
            "label: C again",
        ),
        ("sections[1].title", "'title' is required", "- questions:"),
        ("sections[1].questions[0].max", "must not be less than min", "type: number"),
        ("sections[1].questions[0].suffix", "must be non-empty text", "type: number"),
        (
            "sections[1].questions[1].type",
            "unknown type 'radio' (known types: matrix, multiple, number, ranking, scale, single, text, textarea)",
            "type: radio",
        ),
    }
    lines = MANY.splitlines()
    expected_with_lines = {
        (path, message, next(i for i, line in enumerate(lines, 1) if needle in line))
        for path, message, needle in expected
    }
    # the duplicate id is reported on its own `id:` line, just above its label
    expected_with_lines = {
        (p, m, line - 2 if m.startswith("duplicate question id") else line) for p, m, line in expected_with_lines
    }
    assert found - expected_with_lines == set()
    assert expected_with_lines - found == set()
