"""Versions: a hash of the normalised definition, blind to layout, sensitive to meaning."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import forms
from forms import load_survey_file, parse_survey
from tests.forms.helpers import survey

SURVEYS = Path(forms.__file__).parent / "surveys"
SHIPPED = sorted(SURVEYS.glob("*.yaml"))

BASE = """\
slug: bus-journeys
title: Getting around by bus
audience: young_people
purpose: voice
description: |
  Tell us about the bus.

  It takes 1 minute.
scales:
  agree3: {disagree: Disagree, neutral: Not sure, agree: Agree}
sections:
  - title: Your journeys
    questions:
      - id: bus_easy
        type: single
        label: Is it easy to get the bus?
        options:
          yes: Yes
          sometimes: Sometimes
          no: No
        required: true
      - id: bus_safe
        type: scale
        label: I feel safe on the bus.
        scale: agree3
      - id: bus_better
        type: textarea
        label: What would make it better?
        show_if: {question: bus_easy, in: [sometimes, no]}
"""

#: The same meaning written differently: comments, quoting, flow/block style, key order,
#: defaults written out, a named scale written inline, options as a list.
SAME_MEANING = """\
# A comment at the top.
title: "Getting around by bus"   # quoted
slug: 'bus-journeys'
purpose: voice
audience: young_people
anonymous: true
listed: true
open: true
description: |
  Tell us about the bus.

  It takes 1 minute.

sections:
  - title: Your journeys
    questions:
      - {id: bus_easy, type: single, label: "Is it easy to get the bus?", required: true,
         options: [{value: yes, label: Yes}, {value: sometimes, label: Sometimes}, {value: no, label: No}]}
      - id: bus_safe
        type: scale
        label: "  I feel safe on the bus.  "
        required: false
        options:
          disagree: Disagree
          neutral: Not sure
          agree: Agree
      - id: bus_better
        label: What would make it better?
        type: textarea
        max_length: 5000
        show_if:
          question: bus_easy
          in:
            - sometimes
            - no
"""


def test_version_is_a_short_hex_hash_and_stable() -> None:
    version = survey(BASE).version
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert survey(BASE).version == version
    assert survey(BASE, file="elsewhere.yaml").version == version


def test_layout_comments_quoting_and_defaults_do_not_change_the_version() -> None:
    assert survey(SAME_MEANING).version == survey(BASE).version
    assert survey(SAME_MEANING).to_json() == survey(BASE).to_json()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("label: Is it easy to get the bus?", "label: Is it easy to catch the bus?"),
        ("sometimes: Sometimes", "sometimes: Now and then"),
        ("          no: No\n", "          no: No\n          never: Never\n"),
        (
            "          yes: Yes\n          sometimes: Sometimes\n",
            "          sometimes: Sometimes\n          yes: Yes\n",
        ),
        ("        required: true\n", ""),
        ("        required: true\n", "        required: true\n        hint: Think about last week.\n"),
        ("neutral: Not sure", "neutral: Neither"),
        ("in: [sometimes, no]", "in: [no]"),
        ("in: [sometimes, no]", "equals: no"),
        ("type: textarea", "type: text"),
        ("title: Your journeys", "title: Journeys"),
        ("It takes 1 minute.", "It takes 2 minutes."),
        ("audience: young_people", "audience: young_people\nanonymous: false"),
        ("slug: bus-journeys", "slug: bus-trips"),
        ("        scale: agree3\n", "        scale: agree3\n        measure: made_a_difference\n"),
        ("label: What would make it better?", "label: What would make it better?\n        max_length: 400"),
    ],
)
def test_a_change_of_meaning_changes_the_version(old: str, new: str) -> None:
    assert old in BASE
    assert survey(BASE.replace(old, new)).version != survey(BASE).version


@pytest.mark.parametrize(
    "state",
    ["open: false", "listed: false", "open: false\nlisted: false", "open: true\nlisted: true"],
)
def test_opening_closing_or_listing_keeps_the_version(state: str) -> None:
    changed = survey(BASE.replace("purpose: voice\n", f"purpose: voice\n{state}\n"))
    assert changed.version == survey(BASE).version
    # the state is still part of the definition, only not of its version
    assert {k: changed.to_json()[k] for k in ("open", "listed")} == {"open": changed.open, "listed": changed.listed}


def test_closing_a_survey_and_changing_a_question_changes_the_version() -> None:
    closed = BASE.replace("purpose: voice\n", "purpose: voice\nopen: false\n")
    assert survey(closed).version == survey(BASE).version
    assert survey(closed.replace("What would make it better?", "What would help?")).version != survey(BASE).version


def test_to_json_keeps_option_order_as_a_list() -> None:
    data = survey(BASE.replace("yes: Yes", "zebra: Zebra")).to_json()
    question = data["sections"][0]["questions"][0]
    assert question["options"] == [
        {"value": "zebra", "label": "Zebra"},
        {"value": "sometimes", "label": "Sometimes"},
        {"value": "no", "label": "No"},
    ]
    # a named scale is written out in full
    assert data["sections"][0]["questions"][1]["options"][0] == {"value": "disagree", "label": "Disagree"}
    assert "scale" not in data["sections"][0]["questions"][1]
    assert "scales" not in data


def test_to_json_writes_defaults_out() -> None:
    data = survey(BASE).to_json()
    assert (data["anonymous"], data["listed"], data["open"]) == (True, True, True)
    questions = data["sections"][0]["questions"]
    assert [q["required"] for q in questions] == [True, False, False]
    assert questions[2]["max_length"] == 5000
    assert questions[2]["show_if"] == {"question": "bus_easy", "in": ["sometimes", "no"]}


def test_parsing_the_normalised_json_gives_the_same_survey() -> None:
    original = survey(BASE)
    again = parse_survey(json.loads(json.dumps(original.to_json())))
    assert again.version == original.version
    assert again.to_json() == original.to_json()


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_survey_round_trips_through_its_normalised_json(path: Path) -> None:
    original = load_survey_file(path)
    data = original.to_json()
    again = parse_survey(json.loads(json.dumps(data, ensure_ascii=False)))
    assert again.version == original.version
    assert again.to_json() == data
    assert parse_survey(data).version == original.version


def test_every_number_type_and_condition_round_trips() -> None:
    text = """\
slug: all-kinds
title: All kinds
audience: practitioners
purpose: voice
sections:
  - title: One
    questions:
      - {id: n, type: number, label: N, min: 0, max: 2.5, suffix: km}
      - {id: w, type: number, label: W, integer: true, min: -3, max: 10}
      - {id: m, type: multiple, label: M, options: {a: A, b: B}, min_choices: 1, max_choices: 2}
      - {id: r, type: ranking, label: R, options: {a: A, b: B}, max_choices: 1}
      - {id: g, type: matrix, label: G, rows: {x: X, y: Y}, options: {lo: Lo, hi: Hi}, required: true}
      - id: t
        type: text
        label: T
        hint: A hint
        show_if:
          any:
            - {question: n, answered: false}
            - all: [{question: m, equals: a}, {question: r, in: [a, b]}]
"""
    original = survey(text)
    again = parse_survey(json.loads(json.dumps(original.to_json())))
    assert again == original
    assert again.version == original.version
    assert original.to_json()["sections"][0]["questions"][1]["min"] == -3
