"""Survey definitions: parse a YAML (or normalised JSON) definition into a checked Survey."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.conditions import Condition, parse_condition
from forms.problems import (
    MAX_ID,
    MAX_SLUG,
    MAX_TITLE,
    QUESTION_ID,
    SLUG,
    DefinitionError,
    Fields,
    ParseContext,
    join,
    line_of,
)
from forms.questions import QUESTION_TYPES, Options, Question
from forms.questions.base import COMMON_KEYS, parse_messages, parse_options
from forms.survey import Page, Section, Survey

__all__ = ["MEASURES", "Page", "Section", "Survey", "parse_survey"]

AUDIENCES = ("young_people", "delegates", "practitioners")
PURPOSES = ("voice", "ballot", "course_evaluation", "follow_up")

#: Analysis tags and the question types each may sit on.
MEASURES: dict[str, tuple[str, ...]] = {
    "element_rating": ("matrix",),
    # A single as well as a scale: both are written very_unlikely ... very_likely (analysis/measures.py LOWEST_FIRST).
    "change_intent": ("single", "scale"),
    "confidence_before": ("scale",),
    "confidence_after": ("scale",),
    "changed_practice": ("single", "scale"),
    "practice_example": ("text", "textarea"),
    "impact_on_children": ("text", "textarea"),
    "made_a_difference": ("single", "scale"),
    "ballot_choice": ("single",),
    "age_band": ("single",),
    "area": ("single",),
}

SURVEY_KEYS = (
    "slug", "title", "audience", "purpose", "anonymous", "listed", "open",
    "description", "easy_read", "confirmation", "scales", "sections",
)  # fmt: skip
SECTION_KEYS = ("title", "description", "questions")


def parse_survey(raw: Any, file: str = "<definition>", *, stored: bool = False) -> Survey:
    """Check a definition read from YAML or JSON (`stored`: a version kept with responses); raise DefinitionError."""
    ctx = ParseContext(file, stored=stored)
    survey = _parse_survey(ctx, raw)
    if ctx.problems or survey is None:
        raise DefinitionError(ctx.problems or [])
    return survey


def _parse_survey(ctx: ParseContext, raw: Any) -> Survey | None:
    fields = Fields(ctx, raw, "")
    if not fields.ok:
        return None
    fields.reject_unknown(SURVEY_KEYS)
    slug = fields.text("slug", required=True)
    if slug is not None and not SLUG.match(slug):
        fields.error("slug", f"'{slug}' must be lowercase letters, digits and single hyphens, like feeling-safe")
    elif slug is not None and len(slug) > MAX_SLUG and not ctx.stored:
        # Why: PostgreSQL refused the longer slug when the app stored the survey's version, so the app did not start.
        # A version stored before the limit (on SQLite, which does not enforce it) still reads.
        fields.error("slug", f"must be at most {MAX_SLUG} characters, not {len(slug)}")
    title = fields.text("title", required=True)
    if title is not None and len(title) > MAX_TITLE and not ctx.stored:
        fields.error("title", f"must be at most {MAX_TITLE} characters, not {len(title)}")
    audience = fields.choice("audience", AUDIENCES)
    purpose = fields.choice("purpose", PURPOSES)
    young = audience == "young_people"
    anonymous = fields.boolean("anonymous", young)
    listed = fields.boolean("listed", young)
    is_open = fields.boolean("open", True)
    scales = _parse_scales(ctx, fields)
    sections, complete, raw_ids = _parse_sections(ctx, fields, scales)
    _check_duplicates(ctx, fields.raw.get("sections"))
    _check_references(sections, raw_ids)
    description, confirmation = fields.text("description"), fields.text("confirmation")
    easy_read = _parse_easy_read(fields)
    if None in (slug, title, audience, purpose) or not complete:
        return None
    return Survey(
        slug=str(slug),
        title=str(title),
        audience=str(audience),
        purpose=str(purpose),
        anonymous=anonymous,
        listed=listed,
        open=is_open,
        sections=tuple(sections),
        description=description,
        easy_read=easy_read,
        confirmation=confirmation,
        source=ctx.file,
    )


#: Why a limit: easy read means one short idea per sentence; a long one is not easy to read.
EASY_READ_WORDS = 15


def _parse_easy_read(fields: Fields) -> tuple[str, ...]:
    """`easy_read:` a list of short sentences, one idea each."""
    raw = fields.raw.get("easy_read")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        fields.error("easy_read", "must be a list of one or more short sentences")
        return ()
    sentences = []
    for i, item in enumerate(raw):
        path = join("easy_read", i)
        if not isinstance(item, str) or not item.strip():
            fields.ctx.error(path, "must be a non-empty sentence", line_of(raw, i))
        elif len(item.split()) > EASY_READ_WORDS:
            fields.ctx.error(
                path,
                f"has {len(item.split())} words; keep each easy-read sentence to {EASY_READ_WORDS}",
                line_of(raw, i),
            )
        else:
            sentences.append(item.strip())
    return tuple(sentences)


def _parse_scales(ctx: ParseContext, fields: Fields) -> dict[str, Options]:
    raw = fields.raw.get("scales")
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        fields.error("scales", "must be a mapping of scale names to options")
        return {}
    scales = {}
    for name, options in raw.items():
        parsed = parse_options(ctx, options, join("scales", name), raw, name)
        if parsed is not None:
            scales[name] = parsed
    return scales


def _parse_sections(
    ctx: ParseContext, fields: Fields, scales: dict[str, Options]
) -> tuple[list[Section], bool, list[str]]:
    """The sections that parsed, whether all did, and every question id written (in order)."""
    raw = fields.raw.get("sections")
    if not isinstance(raw, list) or not raw:
        fields.error(
            "sections" if "sections" in fields.raw else None, "'sections' must be a list of one or more sections"
        )
        return [], False, []
    raw_ids = [
        q["id"]
        for s in raw
        if isinstance(s, Mapping) and isinstance(s.get("questions"), list)
        for q in s["questions"]
        if isinstance(q, Mapping) and isinstance(q.get("id"), str)
    ]
    sections = []
    complete = True
    for i, raw_section in enumerate(raw):
        section = Fields(ctx, raw_section, join("sections", i), raw, i)
        if not section.ok:
            complete = False
            continue
        section.reject_unknown(SECTION_KEYS)
        title = section.text("title", required=True)
        raw_questions = section.raw.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            section.error("questions", "'questions' must be a list of one or more questions")
            complete = False
            continue
        questions = [
            _parse_question(ctx, q, join(section.path, "questions") + f"[{j}]", raw_questions, j, scales)
            for j, q in enumerate(raw_questions)
        ]
        complete = complete and title is not None and all(q is not None for q in questions)
        sections.append(Section(str(title), tuple(q for q in questions if q is not None), section.text("description")))
    return sections, complete, raw_ids


def _parse_question(
    ctx: ParseContext, raw: Any, path: str, parent: Any, index: int, scales: dict[str, Options]
) -> Question | None:
    fields = Fields(ctx, raw, path, parent, index)
    if not fields.ok:
        return None
    qid = fields.text("id", required=True)
    if qid is not None and not QUESTION_ID.match(qid):
        fields.error("id", f"'{qid}' must start with a lowercase letter and use only a-z, 0-9 and _")
        qid = None
    elif qid is not None and len(qid) > MAX_ID and not fields.ctx.stored:
        # Why: an answer to a longer id could not be stored on PostgreSQL (a 500 for every response).
        fields.error("id", f"must be at most {MAX_ID} characters, not {len(qid)}")
        qid = None
    type_code = fields.raw.get("type")
    kind = QUESTION_TYPES.get(type_code) if isinstance(type_code, str) else None
    if kind is None:
        known = ", ".join(QUESTION_TYPES)
        fields.error("type", f"unknown type '{type_code}' (known types: {known})")
        fields.text("label", required=True)  # still checked, so fixing the type reveals nothing new
        return None
    fields.reject_unknown(COMMON_KEYS + kind.keys)
    label = fields.text("label", required=True)
    measure = fields.raw.get("measure")
    if measure is not None:
        if measure not in MEASURES:
            fields.error("measure", f"unknown measure '{measure}' (known measures: {', '.join(MEASURES)})")
            measure = None
        elif type_code not in MEASURES[measure]:
            fields.error("measure", f"measure '{measure}' needs a question of type {' or '.join(MEASURES[measure])}")
            measure = None
    show_if: Condition | None = None
    if fields.has("show_if"):
        show_if = parse_condition(ctx, fields.raw["show_if"], join(path, "show_if"), fields.raw, "show_if")
    specific = kind.parse_specific(fields, scales)
    hint, required = fields.text("hint"), fields.boolean("required", False)
    messages = parse_messages(fields, kind.default_messages)
    if qid is None or label is None or specific is None or messages is None:
        return None
    if fields.has("show_if") and show_if is None:
        return None
    return kind(
        id=qid,
        label=label,
        hint=hint,
        required=required,
        show_if=show_if,
        measure=measure,
        messages=messages,
        extra={"line": line_of(parent, index), "path": path, "fields": fields},
        **specific,
    )


def _check_duplicates(ctx: ParseContext, raw_sections: Any) -> None:
    """Question ids and measures used once, judged on the written questions.

    Why the written ones: a question with another problem does not parse, and its id or
    measure must still count, or a duplicate of it would go unreported until that is fixed.
    """
    if not isinstance(raw_sections, list):
        return
    ids: dict[str, str] = {}
    measures: dict[str, str] = {}
    for i, raw_section in enumerate(raw_sections):
        raw_questions = raw_section.get("questions") if isinstance(raw_section, Mapping) else None
        if not isinstance(raw_questions, list):
            continue
        for j, raw in enumerate(raw_questions):
            if not isinstance(raw, Mapping):
                continue
            fields = Fields(ctx, raw, join(join(join("sections", i), "questions"), j))
            qid, measure = raw.get("id"), raw.get("measure")
            if isinstance(qid, str) and QUESTION_ID.match(qid.strip()):
                if qid.strip() in ids:
                    fields.error("id", f"duplicate question id '{qid.strip()}' (first used at {ids[qid.strip()]})")
                else:
                    line = line_of(raw, "id")
                    ids[qid.strip()] = f"{fields.path}.id" + (f", line {line}" if line else "")
            # Only a measure that is valid on its question can clash; other measures are reported already.
            if isinstance(measure, str) and raw.get("type") in MEASURES.get(measure, ()):
                if measure in measures:
                    fields.error("measure", f"measure '{measure}' is already on question '{measures[measure]}'")
                else:
                    measures[measure] = qid.strip() if isinstance(qid, str) else fields.path


def _check_references(sections: list[Section], raw_ids: list[str]) -> None:
    """show_if only names earlier questions and their real options."""
    seen: dict[str, Question] = {}
    for question in (q for s in sections for q in s.questions):
        qfields: Fields = question.extra["fields"]
        for ref, values in question.show_if.refers_to() if question.show_if else []:
            target = seen.get(ref)
            earlier = raw_ids[: raw_ids.index(question.id)] if question.id in raw_ids else []
            if target is None and ref in earlier:
                continue  # that question has problems of its own, already reported
            if target is None and ref == question.id:
                qfields.error("show_if", f"refers to its own question '{ref}' (show_if may only use earlier questions)")
                continue
            if target is None:
                where = "a later question" if ref in raw_ids else "an unknown question"
                qfields.error("show_if", f"refers to {where} '{ref}' (show_if may only use earlier questions)")
                continue
            allowed = target.option_values()
            if values and allowed is None:
                qfields.error("show_if", f"question '{ref}' has no options; use {{question: {ref}, answered: true}}")
            for value in values:
                if allowed is not None and value not in allowed:
                    qfields.error("show_if", f"'{value}' is not an option of question '{ref}'")
        seen.setdefault(question.id, question)
