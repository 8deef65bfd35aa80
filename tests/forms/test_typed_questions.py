"""Answers to number, text and textarea questions: canonical values and every rejection."""

from __future__ import annotations

from typing import Any

import pytest

from forms.engine import validate_answers
from forms.questions import AnswerError
from tests.forms.helpers import question, survey_of

WHOLE = question(
    """
    id: times
    type: number
    label: How many times?
    integer: true
    min: 0
    max: 10
    suffix: times
    """
)
DECIMAL = question(
    """
    id: hours
    type: number
    label: How many hours?
    min: 0.5
    max: 7.5
    """
)
ANY_NUMBER = question(
    """
    id: n
    type: number
    label: Any number
    """
)
TEXT = question(
    """
    id: note
    type: text
    label: A few words
    max_length: 10
    """
)
TEXTAREA = question(
    """
    id: story
    type: textarea
    label: Tell us more
    """
)


def rejects(q: Any, value: Any) -> str:
    with pytest.raises(AnswerError) as caught:
        q.clean(value)
    return str(caught.value)


# -- number -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, 10, 3.0, 10.0])
def test_integer_question_returns_an_int(value: float) -> None:
    clean = WHOLE.clean(value)
    assert clean == value
    assert type(clean) is int


@pytest.mark.parametrize("value", [0.5, 2.25, 7.5, 3])
def test_decimal_question_accepts_numbers_within_bounds(value: float) -> None:
    assert DECIMAL.clean(value) == value


def test_number_blank_is_no_answer() -> None:
    assert WHOLE.clean(None) is None


@pytest.mark.parametrize(
    ("q", "value", "message"),
    [
        (WHOLE, 2.5, "Enter a whole number, like 3"),
        (WHOLE, 0.1, "Enter a whole number, like 3"),
        (WHOLE, -1, "Enter a number of 0 or more"),
        (WHOLE, 11, "Enter a number of 10 or less"),
        (DECIMAL, 0.25, "Enter a number of 0.5 or more"),
        (DECIMAL, 7.75, "Enter a number of 7.5 or less"),
        (WHOLE, True, "Enter a number, like 3"),
        (WHOLE, False, "Enter a number, like 3"),
        (WHOLE, "3", "Enter a number, like 3"),
        (WHOLE, "", "Enter a number, like 3"),
        (WHOLE, [3], "Enter a number, like 3"),
        (ANY_NUMBER, float("nan"), "Enter a number, like 3"),
        (ANY_NUMBER, float("inf"), "Enter a number, like 3"),
        (ANY_NUMBER, float("-inf"), "Enter a number, like 3"),
        (ANY_NUMBER, 1e16, "Enter a number, like 3"),
        (ANY_NUMBER, -1e16, "Enter a number, like 3"),
        (ANY_NUMBER, 10**16, "Enter a number, like 3"),
        # A JSON body may hold an integer too large for a float: an answer error, not a crash.
        pytest.param(ANY_NUMBER, 10**400, "Enter a number, like 3", id="int-too-large-for-float"),
    ],
)
def test_number_rejections(q: Any, value: Any, message: str) -> None:
    assert rejects(q, value) == message


def test_number_limits_are_inclusive_and_unbounded_without_min_max() -> None:
    assert ANY_NUMBER.clean(-1e15) == -1e15
    assert ANY_NUMBER.clean(1e15) == 1e15
    assert ANY_NUMBER.clean(-3.5) == -3.5


def test_number_required_message() -> None:
    assert WHOLE.required_message() == "Enter a number for 'How many times?'"


# -- text and textarea --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello", "hello"),
        ("  hello  ", "hello"),
        ("\n\thi you\r\n", "hi you"),
        ("0123456789", "0123456789"),
        ("   0123456789   ", "0123456789"),
        ("café ☕", "café ☕"),
    ],
)
def test_text_is_trimmed(value: str, expected: str) -> None:
    assert TEXT.clean(value) == expected


@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t "])
def test_text_blank_is_no_answer(blank: Any) -> None:
    assert TEXT.clean(blank) is None


@pytest.mark.parametrize(
    "invisible",
    ["\u202e", "\u200b\u200b", "\ufeff", " \u200b\u2060\u200d ", "\u3164", "\u2800\u202e\u2066", "\u00ad\ufe0f"],
    ids=["rtl-override", "zero-width-spaces", "bom", "joiners", "hangul-filler", "braille-and-bidi", "soft-hyphen"],
)
@pytest.mark.parametrize("q", [TEXT, TEXTAREA], ids=["text", "textarea"])
def test_an_answer_of_only_invisible_characters_is_no_answer(q: Any, invisible: str) -> None:
    # Found by an outsider: a required text answered with only U+202E or zero-width spaces was stored as answered.
    assert q.clean(invisible) is None
    required = survey_of(f"- {{id: t, type: {q.type_code}, label: T, required: true}}")
    assert validate_answers(required, {"t": invisible}).errors == {"t": "Write your answer to 'T'"}


def test_bidi_overrides_are_dropped_from_real_text_but_direction_marks_stay() -> None:
    # Why: an override shows stored text reversed on staff pages ("llik" for "kill"); a mark reverses nothing.
    assert TEXT.clean("\u202ekill\u202c") == "kill"
    assert TEXT.clean("a\u2067b\u2069 c") == "ab c"
    assert TEXT.clean("abc \u200fxyz") == "abc \u200fxyz"
    assert TEXT.clean("caf\u00e9 \u200b") == "caf\u00e9 \u200b"


def test_textarea_keeps_inner_line_breaks_as_one_newline_each() -> None:
    assert TEXTAREA.clean("\n First line\r\n\nSecond line\rThird\t \n") == "First line\n\nSecond line\nThird"


def test_a_browsers_crlf_line_breaks_count_once_against_the_limit() -> None:
    # Found posting a form as a browser does (CRLF): 10 characters by the page's count were refused as too long.
    q = question("id: t\ntype: textarea\nlabel: T\nmax_length: 10")
    assert q.clean("abcde\r\nabcd") == "abcde\nabcd"
    assert rejects(q, "abcde\r\nabcde") == "Your answer must be 10 characters or fewer"


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "bell\x07", "esc\x1b[31m", "\x7f", "a\x85b", "a\ud800b", "a\x0bb"],
    ids=["nul", "bell", "escape", "delete", "c1-next-line", "lone-surrogate", "vertical-tab"],
)
@pytest.mark.parametrize("q", [TEXT, TEXTAREA], ids=["text", "textarea"])
def test_text_with_control_characters_is_rejected(q: Any, value: str) -> None:
    assert rejects(q, value) == "Your answer has characters that cannot be saved: remove them and try again"


@pytest.mark.parametrize(("q", "limit"), [(TEXT, "10"), (TEXTAREA, "5,000")], ids=["text", "textarea"])
def test_text_too_long(q: Any, limit: str) -> None:
    too_long = "x" * (q.max_length + 1)
    assert rejects(q, too_long) == f"Your answer must be {limit} characters or fewer"
    assert q.clean("x" * q.max_length) == "x" * q.max_length


@pytest.mark.parametrize("value", [5, ["hello"], {"text": "hello"}, True])
def test_text_must_be_a_string(value: Any) -> None:
    assert rejects(TEXT, value) == "Send the answer to 'A few words' as text"


def test_text_default_lengths() -> None:
    short = question("id: t\ntype: text\nlabel: T")
    long = question("id: t\ntype: textarea\nlabel: T")
    assert short.max_length == 500
    assert long.max_length == 5000


@pytest.mark.parametrize("q", [TEXT, TEXTAREA], ids=["text", "textarea"])
def test_text_required_message(q: Any) -> None:
    assert q.required_message() == f"Write your answer to '{q.label}'"


# -- required and blank, through the engine -----------------------------------------------------

ALL_REQUIRED = survey_of(
    """
    - {id: s, type: single, label: S, required: true, options: {x: X}}
    - {id: c, type: scale, label: C, required: true, options: {lo: Lo, hi: Hi}}
    - {id: m, type: multiple, label: M, required: true, options: {x: X}}
    - {id: r, type: ranking, label: R, required: true, options: {x: X, y: Y}}
    - {id: g, type: matrix, label: G, required: true, rows: {a: A}, options: {x: X}}
    - {id: n, type: number, label: N, required: true}
    - {id: t, type: text, label: T, required: true}
    - {id: a, type: textarea, label: A, required: true}
    """
)
REQUIRED_MESSAGES = {
    "s": "Choose an answer to 'S'",
    "c": "Choose an answer to 'C'",
    "m": "Choose an answer to 'M'",
    "r": "Choose your 1st choice",
    "g": "Choose an answer in each row of 'G'",
    "n": "Enter a number for 'N'",
    "t": "Write your answer to 'T'",
    "a": "Write your answer to 'A'",
}


@pytest.mark.parametrize(
    "blanks",
    [
        {},
        dict.fromkeys(REQUIRED_MESSAGES),
        {"s": "", "c": "", "m": [], "r": [], "g": {}, "n": None, "t": "   ", "a": "\n\n"},
    ],
    ids=["missing", "null", "empty"],
)
def test_required_blank_answers_get_the_required_message(blanks: dict[str, Any]) -> None:
    result = validate_answers(ALL_REQUIRED, blanks)
    assert result.errors == REQUIRED_MESSAGES
    assert result.answers == {}


def test_required_answers_given() -> None:
    given = {"s": "x", "c": "hi", "m": ["x"], "r": ["y", "x"], "g": {"a": "x"}, "n": 0, "t": "t", "a": "a"}
    result = validate_answers(ALL_REQUIRED, given)
    assert result.ok
    assert result.answers == given


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("1,000", 1000.0), ("-1,234.5", -1234.5), (" 7 ", 7.0), ("1,5", None), ("12,34,567", None), ("1.000,5", None)],
)
def test_typed_numbers_accept_thousands_commas_but_never_guess_a_decimal_comma(typed: str, expected: Any) -> None:
    from forms.problems import to_number

    assert to_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("\u22123", -3.0),  # MINUS SIGN
        ("\u2013 2.5", None),  # a dash apart from its number is not a minus sign
        ("\u20132.5", -2.5),  # en dash, as autocorrect writes a minus
        ("\uff0d\uff17", -7.0),  # full-width minus and digit
        ("\uff11\uff10", 10.0),
        ("1\u2009000", 1000.0),  # thin space grouping thousands
        ("\u22121\u202f234.5", -1234.5),
        ("1\u00a05", None),  # grouped as a comma is: never a decimal guessed
        ("5\u201310", None),  # a range is not one number
    ],
)
def test_typed_numbers_accept_unicode_minus_and_print_forms(typed: str, expected: Any) -> None:
    # Found by an outsider: a Unicode minus (U+2212) gave "Enter a number".
    from forms.problems import to_number

    assert to_number(typed) == expected
    if expected is not None:
        assert ANY_NUMBER.from_form({"n": [typed]}) == expected
    else:
        with pytest.raises(AnswerError, match="Enter a number, like 3"):
            ANY_NUMBER.from_form({"n": [typed]})


def test_number_bounds_are_written_plainly_in_messages() -> None:
    q = question(
        """
        id: n
        type: number
        label: How many?
        max: 1000000
        """
    )
    assert rejects(q, 2000000).startswith("Enter a number of 1,000,000 or less")


def test_a_one_line_text_answer_cannot_hold_a_line_break_but_a_textarea_can() -> None:
    assert rejects(TEXT, "one\ntwo") == "Write your answer on one line"
    assert TEXTAREA.clean("first\nsecond") == "first\nsecond"


def test_unstorable_characters_are_exactly_the_controls_and_surrogates() -> None:
    """The one regular expression refuses the same code points as Unicode's categories Cc and Cs."""
    import unicodedata

    from forms.questions.base import UNSTORABLE

    by_category = {
        cp for cp in range(0x110000) if unicodedata.category(chr(cp)) in ("Cc", "Cs") and chr(cp) not in "\n\r\t"
    }
    by_pattern = {cp for cp in range(0x110000) if UNSTORABLE.match(chr(cp))}
    assert by_pattern == by_category
    assert len(by_category) == 65 - 3 + 2048


def test_a_limit_of_one_is_written_in_the_singular() -> None:
    # Found with a one-character text box and a "choose one" multiple: the defaults said "1 characters", "1 answers".
    assert rejects(question("id: t\ntype: text\nlabel: Give 1 answers\nmax_length: 1"), "ab") == (
        "Your answer must be 1 character or fewer"
    )
    one = question("id: m\ntype: multiple\nlabel: Pick 1 answers\nmax_choices: 1\noptions: {a: A, b: B}")
    assert rejects(one, ["a", "b"]) == "Choose no more than 1 answer"
    assert one.required_message() == "Choose an answer to 'Pick 1 answers'"
    assert rejects(question("id: t\ntype: text\nlabel: T\nmax_length: 1001"), "x" * 1002) == (
        "Your answer must be 1,001 characters or fewer"
    )
    assert rejects(question("id: t\ntype: text\nlabel: T\nmax_length: 21"), "x" * 22) == (
        "Your answer must be 21 characters or fewer"
    )
