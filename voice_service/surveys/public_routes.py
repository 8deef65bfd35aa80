"""Public survey pages: anyone with the link may answer; nothing here needs an account."""

from __future__ import annotations

from typing import Any

from litestar import Controller, HttpMethod, MediaType, Request, Response, get, post, route
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromCookie, FromPath, FromQuery
from litestar.response import Redirect, Template

from voice_service.core.web.security import DRAFTS, SUBMISSIONS, rate_limited
from voice_service.core.web.templating import kept_page
from voice_service.surveys import journey
from voice_service.surveys.page_slots import fill_slots
from voice_service.surveys.runtime import Runtime

DRAFT_COOKIE = "vs_draft"
SENT_COOKIE = "vs_sent"
#: A marker beside SENT_COOKIE: the answers just sent may disclose harm (never an id; 10 minutes).
HELP_COOKIE = "vs_help"
#: How long this browser's pages of a survey say the answers were sent (a ballot stays open for weeks).
SENT_MARKER_SECONDS = 30 * 24 * 3600

PageResponse = Template | Redirect | Response[str]


def _cookie(runtime: Runtime, slug: str, key: str, value: str, max_age: int | None = None) -> Cookie:
    """A cookie for one survey's pages only.

    Path-scoped, so it cannot take the __Host- prefix; Secure whenever the service is on HTTPS.
    """
    return Cookie(
        key=key,
        value=value,
        path=f"/s/{slug}",
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.secure_cookies,
    )


def _respond(
    runtime: Runtime, slug: str, outcome: journey.Outcome, request: Request[Any, Any, Any] | None = None
) -> PageResponse:
    """Turn a journey outcome into a response, setting or clearing the draft cookie.

    A page the journey marks as keepable is rendered once per context (given the request, for its CSRF field).
    """
    cookies = []
    if outcome.set_draft:
        cookies.append(_cookie(runtime, slug, DRAFT_COOKIE, outcome.set_draft))
        # A new attempt (the next person at a shared computer) has sent nothing yet.
        cookies.append(_cookie(runtime, slug, SENT_COOKIE, "", max_age=0))
        cookies.append(_cookie(runtime, slug, HELP_COOKIE, "", max_age=0))
    if outcome.clear_draft:
        # Why: after submitting, nothing that could tie this browser to the response is kept.
        cookies.append(_cookie(runtime, slug, DRAFT_COOKIE, "", max_age=0))
        # A marker, not an identifier: it only lets the confirmation page know answers were just sent.
        cookies.append(_cookie(runtime, slug, SENT_COOKIE, "1", max_age=SENT_MARKER_SECONDS))
    if outcome.flagged:
        # Why a cookie: the confirmation is a redirect away, and it must show where to get help first.
        # Not cleared by a repeated click (which learns nothing new); a new attempt clears it.
        cookies.append(_cookie(runtime, slug, HELP_COOKIE, "1", max_age=600))
    if outcome.redirect:
        return Redirect(outcome.redirect, status_code=303, cookies=cookies)
    assert outcome.template is not None  # noqa: S101 - an Outcome is either a redirect or a page
    if outcome.keep and request is not None:
        html = kept_page(request, outcome.template, outcome.context)
        if outcome.slots:
            html = fill_slots(html, outcome.slots)
        return Response(html, media_type=MediaType.HTML, status_code=outcome.status_code, cookies=cookies)
    if outcome.slots:
        raise TypeError("a page with slots is filled in from the kept pages, which need the request")
    return Template(outcome.template, context=outcome.context, status_code=outcome.status_code, cookies=cookies)


async def _form(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getall(key) if isinstance(v, str)] for key in form}


class HomeController(Controller):
    """The public home page."""

    include_in_schema = False

    # Why HEAD too: uptime checks and link checkers ask with HEAD; a 405 looks like the site is broken.
    @route("/", http_method=[HttpMethod.GET, HttpMethod.HEAD], name="home")
    async def home(self, runtime: NamedDependency[Runtime]) -> Template:
        """Open surveys for the public."""
        return Template("index.html", context={"surveys": runtime.catalog.public()})


class SurveyPagesController(Controller):
    """One survey, page by page: start, questions, check answers, confirmation."""

    path = "/s/{slug:str}"
    include_in_schema = False

    async def _run(
        self, runtime: Runtime, slug: str, step: Any, request: Request[Any, Any, Any] | None = None
    ) -> PageResponse:
        try:
            outcome = await step
        except journey.SurveyNotFound as exc:
            raise NotFoundException("There is no survey at this address") from exc
        return _respond(runtime, slug, outcome, request)

    # Why HEAD too: a survey's address goes out in emails, posters and QR codes, whose link checkers ask with HEAD.
    @route("/", http_method=[HttpMethod.GET, HttpMethod.HEAD], name="survey-start")
    async def start(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        expired: FromQuery[bool] = False,
        vs_link: FromCookie[str | None] = None,
        vs_sent: FromCookie[str | None] = None,
    ) -> PageResponse:
        """The start page."""
        step = journey.start_page(runtime, slug, vs_link, just_sent=vs_sent == "1", expired=expired)
        return await self._run(runtime, slug, step, request)

    @post("/start", name="survey-begin", status_code=303, before_request=rate_limited(DRAFTS))
    async def begin(
        self, runtime: NamedDependency[Runtime], slug: FromPath[str], vs_link: FromCookie[str | None] = None
    ) -> PageResponse:
        """Start answering."""
        return await self._run(runtime, slug, journey.begin(runtime, slug, vs_link))

    @get("/page/{number:int}", name="survey-page")
    async def page(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        number: FromPath[int],
        vs_draft: FromCookie[str | None] = None,
        vs_sent: FromCookie[str | None] = None,
        change: FromQuery[bool] = False,
    ) -> PageResponse:
        """A page of questions."""
        step = journey.show_page(runtime, slug, vs_draft, number, change, just_sent=vs_sent == "1")
        return await self._run(runtime, slug, step, request)

    @post("/page/{number:int}", name="survey-page-answer", status_code=200)
    async def answer(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        number: FromPath[int],
        vs_draft: FromCookie[str | None] = None,
        change: FromQuery[bool] = False,
    ) -> PageResponse:
        """Answers to a page."""
        form = await _form(request)
        return await self._run(runtime, slug, journey.answer_page(runtime, slug, vs_draft, number, form, change))

    @get("/check", name="survey-check")
    async def check(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        vs_draft: FromCookie[str | None] = None,
        vs_sent: FromCookie[str | None] = None,
    ) -> PageResponse:
        """Check your answers."""
        step = journey.check_answers(runtime, slug, vs_draft, just_sent=vs_sent == "1")
        return await self._run(runtime, slug, step, request)

    @post("/submit", name="survey-submit", status_code=303, before_request=rate_limited(SUBMISSIONS))
    async def submit(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        vs_draft: FromCookie[str | None] = None,
        vs_sent: FromCookie[str | None] = None,
        vs_link: FromCookie[str | None] = None,
    ) -> PageResponse:
        """Send the answers."""
        form = await _form(request)
        key = (form.get("submission_key") or [""])[0]
        step = journey.submit_draft(runtime, slug, vs_draft, key, just_sent=vs_sent == "1", link_secret=vs_link)
        return await self._run(runtime, slug, step)

    @get("/done", name="survey-done")
    async def done(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        slug: FromPath[str],
        vs_sent: FromCookie[str | None] = None,
        vs_help: FromCookie[str | None] = None,
    ) -> PageResponse:
        """The confirmation page."""
        try:
            outcome = journey.confirmation(runtime, slug, just_sent=vs_sent == "1", flagged=vs_help == "1")
        except journey.SurveyNotFound as exc:
            raise NotFoundException("There is no survey at this address") from exc
        return _respond(runtime, slug, outcome, request)
