"""A checked survey definition: its sections, the pages it is served as, its version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from forms.conditions import Condition
from forms.questions import Question

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
