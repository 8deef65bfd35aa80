"""Training pages for courses and sessions: list, create, change (delegates are in delegate_routes)."""

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
from voice_service.surveys.runtime import Runtime
from voice_service.training import courses, progress, rules, sessions
from voice_service.training.courses import NotFound
from voice_service.training.rules import Invalid

HOME = "/staff/training"
BANNERS = {
    "course": "The course was created. Add its sessions below.",
    "course-changed": "The course was changed.",
    "session": "The session was added.",
    "session-changed": "The session was changed.",
    "delegate": "The delegate was added.",
    "delegate-changed": "The delegate was changed.",
    "resent": "The email will be sent again within a minute.",
    "erased": "The delegate's details were erased. No more emails will go to them and their links no longer work.",
    "already-erased": "The delegate's details had already been erased. Nothing was changed.",
}


class CourseForm(msgspec.Struct):
    """The course form."""

    name: str = ""
    evaluation_survey: str = ""
    follow_up_survey: str = ""
    follow_up_days: str = ""


class SessionForm(msgspec.Struct):
    """The session form: the date comes as the GOV.UK date input's three fields."""

    day: str = msgspec.field(default="", name="date-day")
    month: str = msgspec.field(default="", name="date-month")
    year: str = msgspec.field(default="", name="date-year")
    mode: str = ""
    trainer: str = ""
    capacity: str = ""

    def values(self) -> dict[str, str]:
        """The fields as the session rules take them."""
        day = rules.date_from_parts(self.day, self.month, self.year)
        return {"date": day, "mode": self.mode, "trainer": self.trainer, "capacity": self.capacity}


def page(name: str, staff: Identity, status: int = 200, **context: Any) -> Template:
    """A training page in the staff layout, its errors listed for the error summary."""
    errors: dict[str, str] = context.pop("errors", None) or {}
    anchors = {"date": "date-day", "mode": "mode", "evaluation_survey": "evaluation_survey"}
    error_list = [(anchors.get(f, f), m) for f, m in errors.items()]
    full = {"staff": staff, "nav": HOME, "errors": errors, "error_list": error_list, "modes": rules.MODES, **context}
    return Template(f"staff/training/{name}.html", context=full, status_code=status)


def reminder_banner(reminded: int | None) -> str | None:
    """What "Send reminders now" did, for the page it returns to."""
    if reminded is None:
        return None
    if reminded == 0:
        return "Nobody needed a reminder: everyone has answered, or their link has not been sent or has expired."
    return f"A reminder will go to {reminded} {'delegate' if reminded == 1 else 'delegates'} within a minute."


def not_found(exc: NotFound) -> NotFoundException:
    """The 404 for an unknown course, session or delegate."""
    return NotFoundException(str(exc))


class CoursePagesController(Controller):
    """Courses and their sessions."""

    path = HOME
    include_in_schema = False

    @get("/", name="training-home")
    async def home(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """Every course with its sessions and attendees."""
        return page("courses", staff, courses=await courses.list_courses(runtime.engine))

    @get("/courses/new", name="training-course-new")
    async def new_course(self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity]) -> Template:
        """The empty course form."""
        values = {"follow_up_days": str(rules.DEFAULT_FOLLOW_UP_DAYS)}
        return page("course_form", staff, values=values, choices=courses.survey_choices(runtime.catalog))

    @post("/courses/new", name="training-course-create", status_code=303)
    async def create_course(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        data: URLEncodedBody[CourseForm],
    ) -> Template | Redirect:
        """Store the course and show it, or the form with its problems."""
        values, choices = msgspec.structs.asdict(data), courses.survey_choices(runtime.catalog)
        try:
            info = await courses.create_course(
                runtime.engine, values, choices, actor=staff.actor, address=client_address(request)
            )
        except Invalid as exc:
            return page("course_form", staff, 400, values=values, choices=choices, errors=exc.errors)
        return Redirect(f"{HOME}/courses/{info.id}?done=course", status_code=303)

    @get("/courses/{course_id:uuid}", name="training-course")
    async def course(
        self,
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        course_id: FromPath[uuid.UUID],
        done: FromQuery[str] = "",
        reminded: FromQuery[int | None] = None,
    ) -> Template:
        """A course with its sessions and how their evaluations are going."""
        try:
            found = await sessions.course_sessions(runtime.engine, course_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        titles = {c.slug: c.title for c in courses.survey_choices(runtime.catalog)}
        numbers = await progress.sessions_progress(runtime.engine, [s.id for s in found.sessions])
        return page(
            "course",
            staff,
            course=found.course,
            sessions=found.sessions,
            titles=titles,
            banner=BANNERS.get(done) or reminder_banner(reminded),
            progress=numbers,
            totals=progress.course_totals(list(numbers.values())),
        )

    @get("/courses/{course_id:uuid}/edit", name="training-course-edit")
    async def edit_course(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], course_id: FromPath[uuid.UUID]
    ) -> Template:
        """The course form, filled in."""
        try:
            info = await courses.get_course(runtime.engine, course_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        values = {
            "name": info.name,
            "evaluation_survey": info.evaluation_survey,
            "follow_up_survey": info.follow_up_survey,
            "follow_up_days": str(info.follow_up_days),
        }
        choices = courses.survey_choices(runtime.catalog)
        return page("course_form", staff, values=values, choices=choices, course_id=course_id)

    @post("/courses/{course_id:uuid}/edit", name="training-course-change", status_code=303)
    async def change_course(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        course_id: FromPath[uuid.UUID],
        data: URLEncodedBody[CourseForm],
    ) -> Template | Redirect:
        """Store the change, or show the form with its problems."""
        values, choices = msgspec.structs.asdict(data), courses.survey_choices(runtime.catalog)
        try:
            await courses.change_course(
                runtime.engine, course_id, values, choices, actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except Invalid as exc:
            context = {"values": values, "choices": choices, "course_id": course_id, "errors": exc.errors}
            return page("course_form", staff, 400, **context)
        return Redirect(f"{HOME}/courses/{course_id}?done=course-changed", status_code=303)

    @get("/courses/{course_id:uuid}/sessions/new", name="training-session-new")
    async def new_session(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], course_id: FromPath[uuid.UUID]
    ) -> Template:
        """The empty session form."""
        try:
            course = await courses.get_course(runtime.engine, course_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        return page("session_form", staff, course=course, values={})

    @post("/courses/{course_id:uuid}/sessions/new", name="training-session-create", status_code=303)
    async def create_session(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        course_id: FromPath[uuid.UUID],
        data: URLEncodedBody[SessionForm],
    ) -> Template | Redirect:
        """Store the session and show it, or the form with its problems."""
        try:
            info = await sessions.create_session(
                runtime.engine, course_id, data.values(), actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except Invalid as exc:
            course = await courses.get_course(runtime.engine, course_id)
            return page("session_form", staff, 400, course=course, values=_form_values(data), errors=exc.errors)
        return Redirect(f"{HOME}/sessions/{info.id}?done=session", status_code=303)

    @get("/sessions/{session_id:uuid}/edit", name="training-session-edit")
    async def edit_session(
        self, runtime: NamedDependency[Runtime], staff: NamedDependency[Identity], session_id: FromPath[uuid.UUID]
    ) -> Template:
        """The session form, filled in."""
        try:
            course, info = await sessions.session_with_course(runtime.engine, session_id)
        except NotFound as exc:
            raise not_found(exc) from exc
        values = {
            "day": str(info.date.day),
            "month": str(info.date.month),
            "year": str(info.date.year),
            "mode": info.mode,
            "trainer": info.trainer,
            "capacity": str(info.capacity),
        }
        return page("session_form", staff, course=course, values=values, session_id=session_id)

    @post("/sessions/{session_id:uuid}/edit", name="training-session-change", status_code=303)
    async def change_session(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        staff: NamedDependency[Identity],
        session_id: FromPath[uuid.UUID],
        data: URLEncodedBody[SessionForm],
    ) -> Template | Redirect:
        """Store the change, or show the form with its problems."""
        try:
            await sessions.change_session(
                runtime.engine, session_id, data.values(), actor=staff.actor, address=client_address(request)
            )
        except NotFound as exc:
            raise not_found(exc) from exc
        except Invalid as exc:
            course, _info = await sessions.session_with_course(runtime.engine, session_id)
            context = {"course": course, "values": _form_values(data), "session_id": session_id}
            return page("session_form", staff, 400, errors=exc.errors, **context)
        return Redirect(f"{HOME}/sessions/{session_id}?done=session-changed", status_code=303)


def _form_values(data: SessionForm) -> dict[str, str]:
    return {f: getattr(data, f) for f in ("day", "month", "year", "mode", "trainer", "capacity")}
