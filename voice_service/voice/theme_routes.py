"""Staff pages for themes: what typed answers are about, the quotes behind a theme, and a draft started from one."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.surveys.runtime import Runtime
from voice_service.voice import themes, workflow
from voice_service.voice.api_routes import mover
from voice_service.voice.staff_routes import HOME, page
from voice_service.voice.themes import UnknownChoice
from voice_service.voice.workflow import NotPermitted


class DraftFromTheme(msgspec.Struct):
    """The "Draft a record from this theme" button's fields."""

    survey: str = ""
    question: str = ""
    theme: str = ""


def _choice(runtime: Runtime, survey: str, question: str) -> themes.QuestionChoice:
    try:
        return themes.find_choice(runtime.catalog, survey, question)
    except UnknownChoice as exc:
        raise NotFoundException(str(exc)) from exc


class ThemePagesController(Controller):
    """/staff/you-said-we-did/themes."""

    path = f"{HOME}/themes"
    include_in_schema = False

    @get("/", name="voice-themes")
    async def themes_page(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        survey: FromQuery[str] = "",
        question: FromQuery[str] = "",
    ) -> Template:
        """The typed-answer questions to choose from, and the chosen one's named themes and frequent words."""
        choices = themes.question_choices(runtime.catalog)
        report = None
        if survey or question:
            choice = _choice(runtime, survey, question)
            named = themes.themes_for(runtime.settings.voice_themes_file)
            report = await themes.theme_report(runtime.engine, choice, named)
        return page("themes", staff, choices=choices, report=report)

    @get("/quotes", name="voice-quotes")
    async def quotes(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        survey: FromQuery[str] = "",
        question: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        term: FromQuery[str] = "",
    ) -> Template:
        """The answers behind a named theme or a frequent word, with their sentiment (each view is audited)."""
        choice = _choice(runtime, survey, question)
        named = themes.themes_for(runtime.settings.voice_themes_file)
        try:
            found = await themes.theme_quotes(
                runtime.engine,
                choice,
                named,
                theme=theme[:200],
                term=term[:200],
                actor=staff.actor,
                address=client_address(request),
            )
        except UnknownChoice as exc:
            raise NotFoundException(str(exc)) from exc
        return page("quotes", staff, choice=choice, quotes=found, theme=theme[:200], term=term[:200])

    @post("/draft", name="voice-draft-from-theme", status_code=303)
    async def draft(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[DraftFromTheme],
    ) -> Redirect:
        """A new draft with its evidence filled in from the theme's answers; then its form to finish it."""
        if not staff.holds_any(workflow.EDITORS):
            raise PermissionDeniedException("Only a voice editor can draft records")
        choice = _choice(runtime, data.survey, data.question)
        named = themes.themes_for(runtime.settings.voice_themes_file)
        try:
            record = await themes.draft_from_theme(
                runtime.engine, choice, named, data.theme, mover(staff), address=client_address(request)
            )
        except UnknownChoice as exc:
            raise NotFoundException(str(exc)) from exc
        except NotPermitted as exc:
            raise PermissionDeniedException(str(exc)) from exc
        return Redirect(f"{HOME}/{record.id}/edit", status_code=303)
