"""The safeguarding lead's pages: the queue, one alert (audited), and moving it along."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from voice_service.accounts.identity import Identity, client_address
from voice_service.safeguarding import queue
from voice_service.safeguarding.alerts import DisclosureAlerts
from voice_service.safeguarding.queue import AlertNotFound, InvalidChange
from voice_service.safeguarding.trial import MAX_CHARACTERS, InvalidTrial, try_answer
from voice_service.surveys.runtime import Runtime

HOME = "/staff/safeguarding"
BANNERS = {
    "acknowledged": "The alert is acknowledged.",
    "actioned": "The alert is closed as actioned.",
    "no_concern": "The alert is closed as no concern.",
}


class StatusForm(msgspec.Struct):
    """The status form."""

    status: str = ""
    note: str = ""


class TrialForm(msgspec.Struct):
    """The form to try an answer on the screener."""

    answer: str = ""


def _names() -> dict[str, Any]:
    return {
        "status_names": queue.STATUS_NAMES,
        "category_name": queue.category_name,
        "category_description": queue.category_description,
    }


def _page(name: str, staff: Identity, status: int = 200, **context: Any) -> Template:
    errors: dict[str, str] = context.pop("errors", None) or {}
    error_list = [(field, message) for field, message in errors.items()]
    full = {"staff": staff, "nav": HOME, "errors": errors, "error_list": error_list, **_names(), **context}
    return Template(f"staff/safeguarding/{name}.html", context=full, status_code=status)


class SafeguardingPagesController(Controller):
    """The queue of alerts for the safeguarding lead."""

    path = HOME
    include_in_schema = False

    @get("/", name="safeguarding-home")
    async def home(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], status: FromQuery[str] = ""
    ) -> Template:
        """Alerts newest first, filtered by status; an unknown status shows every alert with an error."""
        errors: dict[str, str] = {}
        chosen = status or None
        try:
            alerts = await queue.list_alerts(runtime.engine, chosen)
        except InvalidChange as exc:
            errors, chosen = exc.errors, None
            alerts = await queue.list_alerts(runtime.engine)
        code = 400 if errors else 200
        return _page("queue", staff, code, alerts=alerts, chosen=chosen, statuses=queue.STATUSES, errors=errors)

    @get("/alerts/{alert_id:uuid}", name="safeguarding-alert")
    async def alert(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        alert_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
    ) -> Template:
        """One alert with the answer and the rest of the response (the opening is audited)."""
        try:
            found = await queue.open_alert(
                runtime.engine, runtime.catalog, alert_id, actor=staff.actor, address=client_address(request)
            )
        except AlertNotFound as exc:
            raise NotFoundException("No alert has that id") from exc
        return _page("alert", staff, alert=found, banner=BANNERS.get(done), values={})

    @post("/alerts/{alert_id:uuid}/status", name="safeguarding-alert-status", status_code=303)
    async def change_status(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        alert_id: FromPath[uuid.UUID],
        data: URLEncodedBody[StatusForm],
    ) -> Template | Redirect:
        """Move the alert on, or show it again with what is wrong."""
        address = client_address(request)
        try:
            await queue.change_status(
                runtime.engine, alert_id, data.status, data.note, actor=staff.actor, address=address
            )
        except AlertNotFound as exc:
            raise NotFoundException("No alert has that id") from exc
        except InvalidChange as exc:
            found = await queue.open_alert(
                runtime.engine, runtime.catalog, alert_id, actor=staff.actor, address=address
            )
            values = {"status": data.status, "note": data.note}
            return _page("alert", staff, 400, alert=found, values=values, errors=exc.errors)
        return Redirect(f"{HOME}/alerts/{alert_id}?done={data.status}", status_code=303)

    @get("/try", name="safeguarding-try")
    async def try_form(self, staff: NamedDependency[Identity]) -> Template:
        """The form to try how the screener reads an answer."""
        return _page("try", staff, trial=None, values={}, max_characters=MAX_CHARACTERS)

    @post("/try", name="safeguarding-try-answer", status_code=200)
    async def try_it(
        self,
        alerts: NamedDependency[DisclosureAlerts],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[TrialForm],
    ) -> Template:
        """What the screener makes of the answer, or the form again with what is wrong (nothing is stored)."""
        values = {"answer": data.answer}
        try:
            trial = await try_answer(alerts, data.answer)
        except InvalidTrial as exc:
            return _page("try", staff, 400, trial=None, values=values, errors=exc.errors, max_characters=MAX_CHARACTERS)
        return _page("try", staff, trial=trial, values=values, max_characters=MAX_CHARACTERS)
