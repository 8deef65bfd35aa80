"""The audit log page and its CSV download (admins only); each view and download is itself audited."""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from litestar.response import Template

from voice_service.accounts import audit_log
from voice_service.accounts.audit_log import PAGE_SIZE, AuditForm, AuditView, DateParts
from voice_service.accounts.identity import Identity, client_address
from voice_service.core.runtime import CoreRuntime

NAV = "/staff/audit"
Text = FromQuery[str]
PageNumber = Annotated[int, QueryParameter(ge=1, le=1_000_000)]


def provide_filters(
    person: Text = "",
    action: Text = "",
    from_day: Annotated[str, QueryParameter(name="from-day")] = "",
    from_month: Annotated[str, QueryParameter(name="from-month")] = "",
    from_year: Annotated[str, QueryParameter(name="from-year")] = "",
    to_day: Annotated[str, QueryParameter(name="to-day")] = "",
    to_month: Annotated[str, QueryParameter(name="to-month")] = "",
    to_year: Annotated[str, QueryParameter(name="to-year")] = "",
) -> AuditForm:
    """The filter form's fields as typed (checked by audit_log.form_query)."""
    return AuditForm(person, action, DateParts(from_day, from_month, from_year), DateParts(to_day, to_month, to_year))


def _query_string(form: AuditForm, **extra: int) -> str:
    pairs = {
        "person": form.person,
        "action": form.action,
        "from-day": form.since.day,
        "from-month": form.since.month,
        "from-year": form.since.year,
        "to-day": form.until.day,
        "to-month": form.until.month,
        "to-year": form.until.year,
        **extra,
    }
    return urlencode({key: value for key, value in pairs.items() if value})


def _pagination(form: AuditForm, page: int, total: int) -> dict[str, Any] | None:
    """GOV.UK pagination: previous, next, the first and last pages and those around this one."""
    pages = math.ceil(total / PAGE_SIZE)
    if pages <= 1:
        return None

    def href(number: int) -> str:
        return f"{NAV}?{_query_string(form, page=number)}"

    items: list[dict[str, Any]] = []
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 1:
            items.append({"number": number, "href": href(number), "current": number == page})
        elif items and not items[-1].get("ellipsis"):
            items.append({"ellipsis": True})
    return {
        "previous": {"href": href(page - 1)} if 1 < page <= pages else None,
        "next": {"href": href(page + 1)} if page < pages else None,
        "items": items,
        "landmarkLabel": "Pages of events",
    }


def _page(
    staff: Identity,
    form: AuditForm,
    view: AuditView,
    errors: dict[str, str],
    marked: dict[str, tuple[str, ...]],
    page: int = 1,
    status: int = 200,
) -> Template:
    anchors = {"since": "from-" + marked.get("since", ("day",))[0], "until": "to-" + marked.get("until", ("day",))[0]}
    first = (page - 1) * PAGE_SIZE + 1
    context = {
        "staff": staff,
        "nav": NAV,
        "form": form,
        "view": view,
        "errors": errors,
        "marked": marked,
        "error_list": [(anchors.get(key, key), message) for key, message in errors.items()],
        "pagination": _pagination(form, page, view.page.total),
        "first": first,
        "last": first + len(view.page.rows) - 1,
        "csv_href": f"{NAV}.csv" + (f"?{query}" if (query := _query_string(form)) else ""),
        "filtered": bool(_query_string(form)),
    }
    return Template("staff/audit.html", context=context, status_code=status)


class AuditController(Controller):
    """Search the audit log by person, action and date; download what was found."""

    path = "/staff"
    include_in_schema = False
    dependencies = {"filters": Provide(provide_filters, sync_to_thread=False)}

    @get("/audit", name="staff-audit")
    async def audit_log(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        filters: NamedDependency[AuditForm],
        page: PageNumber = 1,
    ) -> Template:
        """The filter form and a page of matching events, newest first."""
        query, errors, marked = audit_log.form_query(filters)
        view = await audit_log.view_audit(
            runtime.engine,
            None if errors else query,
            actor=staff.actor,
            address=client_address(request),
            offset=(page - 1) * PAGE_SIZE,
        )
        return _page(staff, filters, view, errors, marked, page, 400 if errors else 200)

    @get("/audit.csv", name="staff-audit-csv")
    async def audit_csv(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[CoreRuntime],
        staff: NamedDependency[Identity],
        filters: NamedDependency[AuditForm],
    ) -> Response[bytes] | Template:
        """Every matching event as a CSV file (with the same filters as the page)."""
        query, errors, marked = audit_log.form_query(filters)
        if errors:
            view = await audit_log.view_audit(runtime.engine, None, actor=staff.actor)
            return _page(staff, filters, view, errors, marked, status=400)
        exported = await audit_log.download_audit(
            runtime.engine, query, actor=staff.actor, address=client_address(request)
        )
        filename, media_type, content = exported.render()
        # Why without its parameters: Litestar adds "; charset=utf-8" to text types itself.
        return Response(
            content,
            media_type=media_type.partition(";")[0],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
