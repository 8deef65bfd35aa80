"""The quick paths of a whole number and of typed text give what the general rules give."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.questions import AnswerError
from forms.questions.base import UNSTORABLE
from forms.questions.number import LIMIT, NumberQuestion
from forms.questions.text import TextQuestion
from tests.forms.helpers import question

WHOLE = question(
    """
    id: times
    type: number
    label: How many times?
    integer: true
    min: -3
    max: 1000000000000000
    """
)
ANY_WHOLE = question(
    """
    id: count
    type: number
    label: How many?
    integer: true
    """
)
TEXTAREA = question(
    """
    id: why
    type: textarea
    label: Why?
    """
)
TEXT = question(
    """
    id: name
    type: text
    label: Your town
    """
)


def outcome(check: Any, value: Any) -> tuple[str, Any, type]:
    try:
        result = check(value)
    except AnswerError as exc:
        return "error", str(exc), str
    return "ok", result, type(result)


EDGES = [0, 1, -1, -3, -4, 7, 10**15, 10**15 + 1, -(10**15), -(10**15) - 1, 10**16, 2**53 + 1, 10**400]


@pytest.mark.parametrize("q", [WHOLE, ANY_WHOLE], ids=["bounded", "unbounded"])
@pytest.mark.parametrize("value", EDGES)
def test_a_whole_number_gets_what_its_float_gets(q: NumberQuestion, value: int) -> None:
    assert isinstance(q, NumberQuestion)
    try:
        as_float: Any = float(value)
    except OverflowError:
        as_float = sys.float_info.max  # refused as not a number, as the int is
    assert outcome(q.clean, value) == outcome(q.clean, as_float)


@given(st.integers(min_value=-2 * int(LIMIT), max_value=2 * int(LIMIT)))
def test_any_whole_number_gets_what_its_float_gets(value: int) -> None:
    for q in (WHOLE, ANY_WHOLE):
        assert outcome(q.clean, value) == outcome(q.clean, float(value))


def test_true_and_false_are_not_numbers() -> None:
    for value in (True, False):
        assert outcome(ANY_WHOLE.clean, value)[0] == "error"


def test_every_character_the_pattern_finds_is_refused_and_no_other_is() -> None:
    refused = TEXTAREA.message("unstorable")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        result = outcome(TEXTAREA.clean, f"a{char}b")
        if UNSTORABLE.search(char):
            assert result == ("error", refused, str), hex(code)
        else:
            assert result[0] == "ok" or result[1] != refused, hex(code)


@given(st.text(max_size=40))
def test_typed_text_gets_what_the_pattern_alone_gives(value: str) -> None:
    for q in (TEXT, TEXTAREA):
        assert isinstance(q, TextQuestion)
        got = outcome(q.clean, value)
        unstorable = bool(UNSTORABLE.search(value.strip()))
        assert (got[:2] == ("error", q.message("unstorable"))) == (unstorable and len(value.strip()) <= q.max_length)
