"""Survey definitions: parse a YAML (or normalised JSON) definition into a checked Survey."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from forms.conditions import Condition, parse_condition
from forms.problems import QUESTION_ID, SLUG, DefinitionError, Fields, ParseContext, join, line_of
from forms.questions import QUESTION_TYPES, Options, Question
from forms.questions.base import COMMON_KEYS, parse_messages, parse_options

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
#: Publication state, not content: closing or unlisting a survey must not make a new version.
STATE_KEYS = ("open", "listed")


@dataclass(frozen=True)
class Section:
    """A titled group of questions; normally one page."""

    title: str
    questions: tuple[Question, ...]
    description: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of the survey as served: a section, or the part of one after a dependent question."""

    number: int
    section: Section
    questions: tuple[Question, ...]

    def is_shown(self, answers: Mapping[str, Any]) -> bool:
        """A page is shown when at least one of its questions is."""
        return any(q.show_if is None or q.show_if.holds(answers) for q in self.questions)


class AnswerCheck(NamedTuple):
    """What validating a whole response runs for one question, worked out once per survey."""

    id: str
    show_if: Condition | None
    #: The question's own `clean` (bound once, not looked up per answer).
    clean: Callable[[Any], Any]
    #: The message for a blank answer when the question is required; None when it is optional.
    required_message: str | None


@dataclass(frozen=True)
class Survey:
    """A checked survey definition."""

    slug: str
    title: str
    audience: str
    purpose: str
    anonymous: bool
    listed: bool
    open: bool
    sections: tuple[Section, ...]
    description: str | None = None
    #: An easy-read introduction: short sentences, one idea each, shown before the first question.
    easy_read: tuple[str, ...] = ()
    confirmation: str | None = None
    source: str = field(default="", compare=False)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Every question in order."""
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def by_id(self) -> dict[str, Question]:
        """Questions by id."""
        return {q.id: q for q in self.questions}

    @cached_property
    def answer_checks(self) -> tuple[AnswerCheck, ...]:
        """Each question's check in survey order (for `validate_answers`, which runs on every submission)."""
        return tuple(
            AnswerCheck(q.id, q.show_if, q.clean, q.required_message() if q.required else None) for q in self.questions
        )

    @cached_property
    def all_optional(self) -> bool:
        """Whether every question may be left blank (said once, not on every question)."""
        return not any(q.required for q in self.questions)

    @cached_property
    def page_count_varies(self) -> bool:
        """Whether some page shows only for some answers, so "page 2 of 5" could turn out wrong."""
        return any(all(q.show_if is not None for q in page.questions) for page in self.pages)

    def by_measure(self, measure: str) -> Question | None:
        """The question carrying an analysis tag, if any."""
        return next((q for q in self.questions if q.measure == measure), None)

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        """The pages served: a section splits where a question depends on one on the same page.

        Why: without JavaScript a page cannot reveal a question when an earlier answer on it
        changes, so such a question starts the next page instead.
        """
        pages: list[Page] = []
        for section in self.sections:
            current: list[Question] = []
            for question in section.questions:
                depends = {ref for ref, _ in question.show_if.refers_to()} if question.show_if else set()
                if current and depends & {q.id for q in current}:
                    pages.append(Page(len(pages) + 1, section, tuple(current)))
                    current = []
                current.append(question)
            pages.append(Page(len(pages) + 1, section, tuple(current)))
        return tuple(pages)

    def to_json(self) -> dict[str, Any]:
        """The normalised definition: defaults explicit, scales inlined, order kept in lists."""
        data: dict[str, Any] = {
            "slug": self.slug,
            "title": self.title,
            "audience": self.audience,
            "purpose": self.purpose,
            "anonymous": self.anonymous,
            "listed": self.listed,
            "open": self.open,
        }
        if self.description:
            data["description"] = self.description
        if self.easy_read:
            data["easy_read"] = list(self.easy_read)
        if self.confirmation:
            data["confirmation"] = self.confirmation
        data["sections"] = [
            {
                "title": s.title,
                **({"description": s.description} if s.description else {}),
                "questions": [q.to_json() for q in s.questions],
            }
            for s in self.sections
        ]
        return data

    @cached_property
    def version(self) -> str:
        """The version: a hash of the normalised definition without its publication state."""
        content = {k: v for k, v in self.to_json().items() if k not in STATE_KEYS}
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def parse_survey(raw: Any, file: str = "<definition>") -> Survey:
    """Check a definition read from YAML or JSON; raise DefinitionError listing every problem."""
    ctx = ParseContext(file)
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
    title = fields.text("title", required=True)
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
