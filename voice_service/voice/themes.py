"""Themes in young people's typed answers per survey question, and the quotes behind a theme with their sentiment."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.lazy import LazyModule
from analysis.sentiment import Sentiment
from analysis.themes import MAKE_YOUR_MARK_THEMES, frequent_terms, named_theme_counts, terms, theme_mask
from forms.yamlsource import YamlSyntaxError, read_yaml
from voice_service.core.audit import Actor, Target, audit
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.free_text import FreeText, free_text_questions, survey_free_text
from voice_service.voice import records
from voice_service.voice.records import Record
from voice_service.voice.tables import SENTIMENTS
from voice_service.voice.workflow import Mover, fitted_line

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")

Themes = dict[str, tuple[str, ...]]


class ThemesFileError(ValueError):
    """The named-themes file cannot be used; the message says where and why."""


class UnknownChoice(LookupError):
    """No such survey, question or theme to read."""


@dataclass(frozen=True)
class QuestionChoice:
    """A typed-answer question of a young people's survey."""

    survey: str
    survey_title: str
    question: str
    label: str


@dataclass(frozen=True)
class ThemeReport:
    """What one question's answers are about: named themes and frequent words, each counted in answers."""

    choice: QuestionChoice
    answers: int
    named: pd.DataFrame
    frequent: pd.DataFrame


@dataclass(frozen=True)
class Quote:
    """One answer behind a theme, with its sentiment (None until the scoring job has read it)."""

    text: str
    sentiment: Sentiment | None


def load_themes(path: Path | None) -> Themes:
    """Named themes from a YAML file (theme: [words]), or the Make Your Mark topics when there is none."""
    if path is None:
        return dict(MAKE_YOUR_MARK_THEMES)
    try:
        # Why the survey files' reader: a theme written twice (a copied block) silently replaced the first,
        # and YAML 1.1 read a theme 'No' or 'On' as a true/false name; read_yaml refuses the one, keeps text.
        loaded = read_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise ThemesFileError(f"{where}: cannot be read as YAML ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemesFileError(f"{path}: cannot be read as YAML ({type(exc).__name__})") from exc
    if not isinstance(loaded, dict) or not loaded:
        raise ThemesFileError(f"{path}: must map each theme's name to a list of its words")
    themes: Themes = {}
    for name, words in loaded.items():
        if not isinstance(name, str) or not name.strip():
            raise ThemesFileError(f"{path}: a theme's name must be text")
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ThemesFileError(f"{path}: {name}: must be a list of one or more words")
        themes[name.strip()] = tuple(w.strip() for w in words)
    return themes


@functools.cache
def themes_for(path: Path | None) -> Themes:
    """`load_themes`, read once per path (the start of the app checks the file)."""
    return load_themes(path)


def question_choices(catalog: SurveyCatalog) -> list[QuestionChoice]:
    """Every typed-answer question of the young people's surveys, by survey title."""
    found = []
    for survey in sorted(catalog.surveys.values(), key=lambda s: s.title):
        if survey.audience != "young_people":
            continue
        definition = survey.to_json()
        wanted = free_text_questions(definition)
        for section in definition.get("sections", []):
            for question in section.get("questions", []):
                if question["id"] in wanted:
                    found.append(QuestionChoice(survey.slug, survey.title, question["id"], question["label"]))
    return found


def find_choice(catalog: SurveyCatalog, survey: str, question: str) -> QuestionChoice:
    """One survey question by slug and id, or UnknownChoice."""
    for choice in question_choices(catalog):
        if choice.survey == survey and choice.question == question:
            return choice
    raise UnknownChoice("No typed-answer question of a young people's survey with that name")


async def theme_report(
    engine: AsyncEngine, choice: QuestionChoice, themes: Mapping[str, tuple[str, ...]]
) -> ThemeReport:
    """Named themes and frequent words in the answers to one question."""
    answers = await survey_free_text(engine, choice.survey, choice.question)
    texts = pd.Series([a.text for a in answers], dtype="object")
    return ThemeReport(choice, len(answers), named_theme_counts(texts, themes), frequent_terms(texts))


def _matches(answers: list[FreeText], themes: Mapping[str, tuple[str, ...]], theme: str, term: str) -> list[FreeText]:
    texts = pd.Series([a.text for a in answers], dtype="object")
    if theme:
        if theme not in themes:
            raise UnknownChoice("No named theme with that name")
        mask = theme_mask(texts, themes[theme]).tolist()
        return [a for a, hit in zip(answers, mask, strict=True) if hit]
    return [a for a in answers if term.lower() in terms(a.text)]


async def theme_quotes(
    engine: AsyncEngine,
    choice: QuestionChoice,
    themes: Mapping[str, tuple[str, ...]],
    *,
    theme: str = "",
    term: str = "",
    actor: Actor,
    address: str = "",
) -> list[Quote]:
    """The answers under a named theme (or using a frequent word), with sentiment; every view is audited."""
    chosen = _matches(await survey_free_text(engine, choice.survey, choice.question), themes, theme, term)
    scores = await _sentiments(engine, chosen)
    target = Target("survey_question", f"{choice.survey}/{choice.question}")
    await audit(engine, actor, "voice.quotes.view", target, address)
    return [Quote(a.text, scores.get((a.response_id, a.question_id, a.row_key, a.position))) for a in chosen]


async def _sentiments(engine: AsyncEngine, answers: list[FreeText]) -> dict[tuple[Any, ...], Sentiment]:
    ids = sorted({a.response_id for a in answers})
    if not ids:
        return {}
    query = select(SENTIMENTS).where(SENTIMENTS.c.response_id.in_(ids))
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {(r.response_id, r.question_id, r.row_key, r.position): Sentiment(r.polarity, r.subjectivity) for r in rows}


async def draft_from_theme(
    engine: AsyncEngine,
    choice: QuestionChoice,
    themes: Mapping[str, tuple[str, ...]],
    theme: str,
    mover: Mover,
    *,
    address: str = "",
) -> Record:
    """A new draft whose evidence (survey, question, period, counts) comes from a named theme's answers."""
    answers = await survey_free_text(engine, choice.survey, choice.question)
    chosen = _matches(answers, themes, theme, "")
    first, last = (
        (min(a.submitted_at for a in answers), max(a.submitted_at for a in answers)) if answers else (None, None)
    )
    period = f"{first:%-d %B %Y} to {last:%-d %B %Y}" if first and last else ""
    values = {
        # Why fitted: a survey's title may be 300 characters; the record's source takes 200 (a 500 before).
        "source": fitted_line(choice.survey_title),
        "theme": theme,
        "said": f"Young people who answered \u201c{choice.label}\u201d wrote about {theme.lower()}.",
        "people_count": len(chosen) or None,
        "evidence_kind": "survey",
        "evidence_survey": choice.survey,
        "evidence_question": choice.question,
        "evidence_period": period[:100],
        "evidence_detail": f"{len(chosen)} of {len(answers)} typed answers fall under the theme {theme}.",
    }
    return await records.create_record(engine, values, mover, address=address)
