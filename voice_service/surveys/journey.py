"""The page-by-page journey through a survey: what to show, where to go next, when to submit.

Functions here return a view (template + context) or a redirect; handlers only translate them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from forms import Survey
from forms.definition import Page
from forms.engine import (
    first_unfinished_page,
    is_shown,
    merge_page,
    next_page,
    previous_page,
    shown_pages,
    validate_page,
)
from voice_service.core.web.templating import nothing_typed
from voice_service.surveys.drafts import DraftState, draft_submission_key, save_draft, start_draft
from voice_service.surveys.gate import Admission, needs_link
from voice_service.surveys.page_slots import attribute_value, slot, summary_value
from voice_service.surveys.pending import ANONYMOUS
from voice_service.surveys.runtime import Runtime
from voice_service.surveys.submissions import InvalidAnswers, SurveyClosed, is_submitted, submit_response


class SurveyNotFound(LookupError):
    """No survey has that slug."""


@dataclass
class Outcome:
    """What a handler should send: a page, or a redirect; and what to do with the draft cookie."""

    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    redirect: str | None = None
    status_code: int = 200
    set_draft: str | None = None
    clear_draft: bool = False
    #: The answers just sent may disclose harm: the confirmation shows where to get help first.
    flagged: bool = False
    #: The page shows nothing a person typed, so it may be rendered once for its context and kept.
    keep: bool = False
    #: A kept page's own values for this request (escaped HTML), put where its `slot` markers are.
    slots: tuple[str, ...] = ()


def survey_url(survey: Survey, *parts: str | int) -> str:
    """A URL inside a survey's pages."""
    return "/".join([f"/s/{survey.slug}", *(str(p) for p in parts)])


def current_survey(runtime: Runtime, slug: str) -> Survey:
    """The current definition of a survey, or SurveyNotFound."""
    survey = runtime.catalog.current(slug)
    if survey is None:
        raise SurveyNotFound(slug)
    return survey


async def admission(runtime: Runtime, survey: Survey, link_secret: str | None) -> Admission | None:
    """For a link-only survey, whether this browser's link lets it answer; None for any other survey."""
    if not needs_link(survey):
        return None
    return await runtime.gate.admit(survey, link_secret, datetime.now(UTC))


def refused(survey: Survey, admitted: Admission) -> Outcome:
    """The page for someone a link-only survey does not admit: already answered, or how to get a link."""
    if admitted.refusal == "answered":
        return Outcome("survey/already_answered.html", {"survey": survey})
    return Outcome("survey/link_only.html", {"survey": survey}, status_code=403)


async def start_page(
    runtime: Runtime, slug: str, link_secret: str | None = None, *, just_sent: bool = False, expired: bool = False
) -> Outcome:
    """The start page: what the survey is, how long it takes, who will see the answers.

    A browser that sent its answers is told so, never that they were lost (every dead end lands here).
    """
    survey = current_survey(runtime, slug)
    admitted = await admission(runtime, survey, link_secret)
    if admitted is not None and admitted.respondent is None:
        return refused(survey, admitted)
    context = {
        "survey": survey,
        "pages": len(survey.pages),
        "sent": just_sent,
        "expired": expired and not just_sent,
        "about": admitted.about if admitted is not None else "",
    }
    return Outcome("survey/start.html", context, keep=True)


def closed(survey: Survey) -> Outcome:
    """The page shown when a survey no longer takes answers."""
    return Outcome("survey/closed.html", {"survey": survey}, status_code=410)


async def begin(runtime: Runtime, slug: str, link_secret: str | None = None) -> Outcome:
    """Start answering: a new server-side draft, then the first page."""
    survey = current_survey(runtime, slug)
    if not survey.open:
        return closed(survey)
    admitted = await admission(runtime, survey, link_secret)
    if admitted is not None and admitted.respondent is None:
        return refused(survey, admitted)
    bound_to = admitted.submission_key if admitted is not None else ""
    draft = await start_draft(runtime.writer, runtime.catalog.version_id(survey), bound_to)
    return Outcome(redirect=survey_url(survey, "page", survey.pages[0].number), set_draft=draft.id)


async def _draft_survey(runtime: Runtime, slug: str, draft_id: str | None) -> tuple[Survey, DraftState | None]:
    """The draft in progress for this survey (if any) and the survey version it answers."""
    survey = current_survey(runtime, slug)
    draft = await runtime.drafts.load(draft_id, runtime.draft_max_age)
    if draft is None:
        return survey, None
    pinned = await runtime.catalog.by_version_id(runtime.engine, draft.survey_version_id)
    if pinned is None or pinned.slug != survey.slug:
        return survey, None
    return pinned, draft


def _expired(survey: Survey, just_sent: bool = False) -> Outcome:
    if just_sent:
        # Why: Back after sending finds no draft; the answers were sent, not lost, so say that.
        return Outcome(redirect=survey_url(survey, "done"))
    return Outcome(redirect=survey_url(survey) + "?expired=1")


def form_values(questions: Sequence[Any], answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Saved answers as the form fields that show them."""
    values: dict[str, list[str]] = {}
    for question in questions:
        if question.id not in answers:
            continue
        for name, value in question.to_form(answers[question.id]).items():
            if value is None:
                continue
            values[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return values


def _page_view(
    survey: Survey,
    page: Page,
    draft: DraftState,
    values: dict[str, list[str]],
    errors: Mapping[str, str],
    change: bool,
) -> Outcome:
    shown = [q for q in page.questions if is_shown(q, draft.answers)]
    pages = shown_pages(survey, draft.answers)
    before = previous_page(survey, draft.answers, page.number)
    back = (
        survey_url(survey, "check")
        if change
        else survey_url(survey, "page", before.number)
        if before
        else survey_url(survey)
    )
    error_list = [(q.anchor, errors[q.id]) for q in shown if q.id in errors]
    context = {
        "survey": survey,
        "page": page,
        "questions": shown,
        "values": values,
        "errors": dict(errors),
        "error_list": error_list,
        "back_url": back,
        "action": survey_url(survey, "page", page.number) + ("?change=1" if change else ""),
        "step": next((i for i, p in enumerate(pages, start=1) if p.number == page.number), 1),
        "steps": len(pages),
    }
    # Why only without errors: a refused page shows what was posted, which may be anything.
    return Outcome("survey/page.html", context, keep=not errors and nothing_typed(page.questions, values))


async def show_page(
    runtime: Runtime, slug: str, draft_id: str | None, number: int, change: bool, *, just_sent: bool = False
) -> Outcome:
    """A page of questions with the answers saved so far."""
    survey, draft = await _draft_survey(runtime, slug, draft_id)
    if draft is None:
        return _expired(survey, just_sent)
    page = next((p for p in survey.pages if p.number == number), None)
    if page is None:
        raise SurveyNotFound(slug)
    if not page.is_shown(draft.answers):
        following = next_page(survey, draft.answers, number)
        return Outcome(
            redirect=survey_url(survey, "page", following.number) if following else survey_url(survey, "check")
        )
    values = form_values(page.questions, draft.answers)
    return _page_view(survey, page, draft, values, {}, change)


async def answer_page(
    runtime: Runtime, slug: str, draft_id: str | None, number: int, form: Mapping[str, Sequence[str]], change: bool
) -> Outcome:
    """Check a posted page; show it again with errors, or save it and move on."""
    survey, draft = await _draft_survey(runtime, slug, draft_id)
    if draft is None:
        return _expired(survey)
    page = next((p for p in survey.pages if p.number == number), None)
    if page is None:
        raise SurveyNotFound(slug)
    result = validate_page(survey, page, draft.answers, form)
    if not result.ok:
        values = {name: list(form.get(name, [])) for q in page.questions for name in q.field_names()}
        return _page_view(survey, page, draft, values, result.errors, change)
    draft.answers = merge_page(survey, page, draft.answers, result.answers)
    draft.visited = [*draft.visited, page.number]
    await save_draft(runtime.writer, draft)
    following = next_page(survey, draft.answers, number)
    if change:
        # Why: a changed answer may reveal questions not yet seen; ask those (still changing) before returning.
        unfinished = first_unfinished_page(survey, draft.answers, draft.visited)
        if unfinished is not None:
            return Outcome(redirect=survey_url(survey, "page", unfinished.number) + "?change=1")
        following = None
    return Outcome(redirect=survey_url(survey, "page", following.number) if following else survey_url(survey, "check"))


async def check_answers(runtime: Runtime, slug: str, draft_id: str | None, *, just_sent: bool = False) -> Outcome:
    """Every shown question with its answer and a link to change it."""
    survey, draft = await _draft_survey(runtime, slug, draft_id)
    if draft is None:
        return _expired(survey, just_sent)
    unfinished = first_unfinished_page(survey, draft.answers, draft.visited)
    if unfinished is not None:
        return Outcome(redirect=survey_url(survey, "page", unfinished.number))
    # Why slots: the page is kept for its layout (which questions, which sections); what the person
    # typed and the submission key are this request's values, put in where the markers are.
    values: list[str] = []
    groups: list[dict[str, Any]] = []
    for page in shown_pages(survey, draft.answers):
        rows: list[dict[str, Any]] = []
        for q in page.questions:
            if not is_shown(q, draft.answers):
                continue
            values.append(summary_value(q.display(draft.answers[q.id]) if q.id in draft.answers else []))
            rows.append(
                {
                    "question": q,
                    "value": slot(len(values) - 1),
                    "change_url": survey_url(survey, "page", page.number) + f"?change=1#{q.anchor}",
                }
            )
        if groups and groups[-1]["title"] == page.section.title:
            groups[-1]["rows"].extend(rows)
        else:
            groups.append({"title": page.section.title, "rows": rows})
    values.append(attribute_value(draft.submission_key))
    last = shown_pages(survey, draft.answers)[-1]
    first = shown_pages(survey, draft.answers)[0]
    context = {
        "nothing_answered": not draft.answers,
        "first_page_url": survey_url(survey, "page", first.number),
        "survey": survey,
        "groups": groups,
        "submission_key": slot(len(values) - 1),
        "back_url": survey_url(survey, "page", last.number),
        "action": survey_url(survey, "submit"),
    }
    return Outcome("survey/check.html", context, keep=True, slots=tuple(values))


async def submit_draft(
    runtime: Runtime,
    slug: str,
    draft_id: str | None,
    submission_key: str,
    *,
    just_sent: bool = False,
    link_secret: str | None = None,
) -> Outcome:
    """Store the draft as a response, then show the confirmation; a repeat shows it again.

    A repeat is only confirmed to the browser that sent the answers: one holding the draft whose key
    it is (a second click), or one just told they were sent. A key alone confirms nothing.
    """
    survey, draft = await _draft_survey(runtime, slug, draft_id)
    if draft is None or draft.submission_key != submission_key:
        sender = just_sent or (draft_id is not None and draft_submission_key(draft_id) == submission_key)
        if sender and await is_submitted(runtime.engine, submission_key, survey.slug):
            return Outcome(redirect=survey_url(survey, "done"), clear_draft=True)
        return _expired(survey)
    admitted = await admission(runtime, survey, link_secret)
    if admitted is not None and admitted.respondent is None:
        # Why: answered meanwhile in another tab, or the link expired while the draft was open.
        return refused(survey, admitted)
    if admitted is not None and draft.submission_key not in (
        draft_submission_key(draft.id, admitted.submission_key),
        draft_submission_key(draft.id),  # a draft begun before drafts were bound to their link
    ):
        # Why: another link to this survey (a delegate's second course) was opened while this draft was
        # open; its answers were begun for the first, so they must not be stored as the second's.
        return _expired(survey)
    try:
        acknowledgement = await submit_response(
            runtime.writer,
            runtime.catalog,
            survey,
            draft.answers,
            # Why a delegate's key comes from the invitation: one response per invitation, even from two tabs.
            admitted.submission_key if admitted else draft.submission_key,
            version_id=draft.survey_version_id,
            draft_id=draft.id,
            respondent=admitted.respondent if admitted and admitted.respondent else ANONYMOUS,
        )
    except SurveyClosed:
        # Why: closing is decided by the current file; a draft pinned to an open version must not slip in.
        return closed(current_survey(runtime, slug))
    except InvalidAnswers:
        # Why: answers were checked page by page; a definition change can still invalidate one.
        page = first_unfinished_page(survey, draft.answers, []) or survey.pages[0]
        return Outcome(redirect=survey_url(survey, "page", page.number))
    if admitted is not None and admitted.respondent is not None:
        await runtime.gate.answered(admitted.respondent, acknowledgement.id, datetime.now(UTC))
    return Outcome(redirect=survey_url(survey, "done"), clear_draft=True, flagged=acknowledgement.flagged)


def confirmation(runtime: Runtime, slug: str, just_sent: bool, flagged: bool = False) -> Outcome:
    """The confirmation page: the answers are safe, and what happens next (where to get help first if flagged).

    Only shown straight after sending, so nobody is told "your answers have been sent" by mistake.
    """
    survey = current_survey(runtime, slug)
    if not just_sent:
        return Outcome(redirect=survey_url(survey))
    return Outcome("survey/done.html", {"survey": survey, "flagged": flagged}, keep=True)
