"""The public "You Said / We Did" page and its anonymous "Did this make a difference?" answers."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, HttpMethod, post, route
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.core.web.security import SUBMISSIONS, rate_limited
from voice_service.surveys.runtime import Runtime
from voice_service.voice import public
from voice_service.voice.public import Filters
from voice_service.voice.records import NotFound
from voice_service.voice.workflow import Invalid

PAGE = "/you-said-we-did"


class DifferenceForm(msgspec.Struct):
    """The answer under one record."""

    answer: str = ""


def _page(page: public.PublicPage, status: int = 200, **context: Any) -> Template:
    errors: dict[str, str] = context.pop("errors", None) or {}
    error_list = [(f"answer-{context.get('error_record')}", m) for m in errors.values()]
    full = {"page": page, "answer_names": public.ANSWERS, "errors": errors, "error_list": error_list, **context}
    return Template("voice/public.html", context=full, status_code=status)


class VoicePublicController(Controller):
    """/you-said-we-did: anyone may read it and answer; nothing identifies who answered."""

    path = PAGE
    include_in_schema = False

    # Why HEAD too: the page is linked from reports and posters, whose link checkers ask with HEAD.
    @route("/", http_method=[HttpMethod.GET, HttpMethod.HEAD], name="voice-public")
    async def show(
        self,
        runtime: NamedDependency[Runtime],
        group: FromQuery[str] = "",
        theme: FromQuery[str] = "",
        year: FromQuery[str] = "",
        answered: FromQuery[str] = "",
    ) -> Template:
        """Published records, grouped by group, filtered by group, theme and year (a plain GET form)."""
        filters = Filters(group[:200], theme[:200], year[:10])
        page = await public.public_page(runtime.engine, filters)
        return _page(page, answered=answered[:36])

    @post(
        "/{record_id:uuid}/difference",
        name="voice-difference",
        status_code=303,
        before_request=rate_limited(SUBMISSIONS),
    )
    async def answer(
        self, runtime: NamedDependency[Runtime], record_id: FromPath[uuid.UUID], data: URLEncodedBody[DifferenceForm]
    ) -> Template | Redirect:
        """Count one anonymous answer, then show the page again at that record with a thank-you."""
        try:
            await public.answer_difference(runtime.engine, record_id, data.answer)
        except NotFound as exc:
            raise NotFoundException(str(exc)) from exc
        except Invalid as exc:
            page = await public.public_page(runtime.engine, Filters())
            return _page(page, 400, errors=exc.errors, error_record=str(record_id))
        return Redirect(f"{PAGE}?answered={record_id}#record-{record_id}", status_code=303)
