"""Hypothesis strategies: survey definitions in the YAML contract, and answers that fit them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from forms import Survey
from forms.engine import is_shown

IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
# Labels may hold anything a person can type, markup included: templates must escape it.
LABEL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")
TYPES = ["single", "multiple", "scale", "matrix", "text", "textarea", "number", "ranking"]
CHOICE_TYPES = {"single", "multiple", "scale", "ranking"}


@st.composite
def options(draw: st.DrawFn, min_size: int = 1) -> dict[str, str]:
    """An options mapping: identifier values to free-text labels."""
    values = draw(st.lists(IDENT, min_size=min_size, max_size=5, unique=True))
    return {v: draw(LABEL) for v in values}


@st.composite
def condition(draw: st.DrawFn, earlier: list[dict[str, Any]], depth: int = 0) -> dict[str, Any]:
    """A show_if on earlier questions, in any of the five forms."""
    if depth < 1 and draw(st.booleans()) and len(earlier) > 0:
        items = draw(st.lists(condition(earlier, depth + 1), min_size=1, max_size=2))
        return {draw(st.sampled_from(["all", "any"])): items}
    target = draw(st.sampled_from(earlier))
    if target["type"] in CHOICE_TYPES:
        values = list(target["options"])
        form = draw(st.sampled_from(["equals", "in", "answered"]))
        if form == "equals":
            return {"question": target["id"], "equals": draw(st.sampled_from(values))}
        if form == "in":
            return {"question": target["id"], "in": draw(st.lists(st.sampled_from(values), min_size=1, unique=True))}
    return {"question": target["id"], "answered": draw(st.booleans())}


@st.composite
def question(draw: st.DrawFn, qid: str, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """One question of any type with type-specific keys in range."""
    kind = draw(st.sampled_from(TYPES))
    q: dict[str, Any] = {"id": qid, "type": kind, "label": draw(LABEL), "required": draw(st.booleans())}
    if draw(st.booleans()):
        q["hint"] = draw(LABEL)
    if kind in CHOICE_TYPES or kind == "matrix":
        q["options"] = draw(options())
    if kind == "matrix":
        q["rows"] = draw(options())
    if kind == "multiple":
        count = len(q["options"])
        low = draw(st.none() | st.integers(1, count))
        high = draw(st.none() | st.integers(low or 1, count))
        if low is not None:
            q["min_choices"] = low
        if high is not None:
            q["max_choices"] = high
    if kind == "ranking" and draw(st.booleans()):
        q["max_choices"] = draw(st.integers(1, len(q["options"])))  # more places than options is refused
    if kind in ("text", "textarea"):
        q["max_length"] = draw(st.integers(1, 300))
    if kind == "number":
        q["integer"] = draw(st.booleans())
        low = draw(st.none() | st.integers(-1000, 1000))
        if low is not None:
            q["min"] = low
        if draw(st.booleans()):
            q["max"] = (low or 0) + draw(st.integers(0, 5000))
    if earlier and draw(st.integers(0, 3)) == 0:
        q["show_if"] = draw(condition(earlier))
    return q


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A whole survey definition that follows the contract."""
    ids = draw(st.lists(IDENT, min_size=1, max_size=7, unique=True))
    questions: list[dict[str, Any]] = []
    for qid in ids:
        questions.append(draw(question(qid, list(questions))))
    cut = draw(st.integers(1, len(questions)))
    sections = [{"title": draw(LABEL), "questions": questions[:cut]}]
    if questions[cut:]:
        sections.append({"title": draw(LABEL), "questions": questions[cut:]})
    return {
        "slug": draw(st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)),
        "title": draw(LABEL),
        "audience": draw(st.sampled_from(["young_people", "delegates", "practitioners"])),
        "purpose": draw(st.sampled_from(["voice", "ballot", "course_evaluation", "follow_up"])),
        "description": draw(LABEL),
        "sections": sections,
    }


TYPED = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s == s.strip() and s != ""
)


def _value(draw: st.DrawFn, q: Any) -> Any:
    """A canonical valid value: what the engine stores, so a round trip must return it unchanged."""
    kind = q.type_code
    if kind in ("single", "scale"):
        return draw(st.sampled_from(q.options.values))
    if kind == "multiple":
        # An exclusive option ("None of these") is only ever ticked on its own.
        if q.options.exclusive and (q.min_choices or 1) == 1 and draw(st.booleans()):
            return [draw(st.sampled_from(sorted(q.options.exclusive)))]
        others = [v for v in q.options.values if v not in q.options.exclusive]
        low = q.min_choices or 1
        high = min(q.max_choices or len(others), len(others))
        chosen = set(draw(st.lists(st.sampled_from(others), min_size=low, max_size=high, unique=True)))
        return [v for v in q.options.values if v in chosen]
    if kind == "ranking":
        size = draw(st.integers(1, q.places)) if q.max_choices else len(q.options.values)
        return draw(st.permutations(q.options.values))[:size]
    if kind == "matrix":
        rows = q.rows.values
        picked = rows if q.required else [r for r in rows if draw(st.booleans())] or rows[:1]
        return {r: draw(st.sampled_from(q.options.values)) for r in picked}
    if kind == "number":
        low = q.min if q.min is not None else -1e9
        high = q.max if q.max is not None else 1e9
        if q.integer:
            return draw(st.integers(int(low), int(high)))
        return draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
    return draw(TYPED.filter(lambda s: len(s) <= q.max_length))


@st.composite
def valid_answers(draw: st.DrawFn, survey: Survey) -> dict[str, Any]:
    """Answers the engine must accept: shown questions only, required ones always."""
    answers: dict[str, Any] = {}
    for q in survey.questions:
        # The first shown question is always answered: a response must answer something.
        if is_shown(q, answers) and (q.required or not answers or draw(st.booleans())):
            answers[q.id] = _value(draw, q)
    return answers


JSON_JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)
