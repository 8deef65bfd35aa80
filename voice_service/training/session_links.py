"""The session link shown in the room (URL and QR code): a delegate gives their work email to answer.

Their email finds them on the attendee list (or adds them, marked as attended), so their follow-up
is still sent to them and paired with this evaluation.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from voice_service.core.audit import SYSTEM, Target, audit
from voice_service.core.db.upsert import insert_ignoring_conflicts
from voice_service.core.settings import Settings
from voice_service.training import rules, timing
from voice_service.training.courses import NotFound
from voice_service.training.delegates import new_pseudonym
from voice_service.training.links import (
    NOT_WORKING,
    LinkOpened,
    LinkOutcome,
    LinkRefused,
    browser_secret,
    cookie_age,
)
from voice_service.training.rules import Invalid
from voice_service.training.tables import COURSES, DELEGATES, INVITATIONS, SESSIONS

#: 16 random bytes: long enough that nobody guesses a session's link, short enough to type from a slide.
CODE_BYTES = 16


@dataclass(frozen=True)
class RoomLink:
    """What the printable room page shows."""

    course: str
    date: date
    url: str
    qr_svg: str


@dataclass(frozen=True)
class SessionForLink:
    """The session a room link belongs to, as its page names it."""

    session_id: uuid.UUID
    course: str
    date: date
    follow_up_days: int
    evaluation_survey: str
    #: The session's places: the room link adds nobody past them.
    capacity: int = 0


async def room_link(engine: AsyncEngine, session_id: uuid.UUID, settings: Settings) -> RoomLink:
    """The session's room link and its QR code, made the first time it is asked for (NotFound if no session)."""
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                select(SESSIONS.c.link_code, SESSIONS.c.date, COURSES.c.name)
                .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
                .where(SESSIONS.c.id == session_id)
            )
        ).first()
        if row is None:
            raise NotFound("There is no such session")
        code = row.link_code
        if code is None:
            code = secrets.token_urlsafe(CODE_BYTES)
            await conn.execute(update(SESSIONS).where(SESSIONS.c.id == session_id).values(link_code=code))
    url = f"{settings.base_url}/t/s/{code}"
    return RoomLink(row.name, row.date, url, qr_svg(url))


def qr_svg(url: str) -> str:
    """A QR code for `url` as inline SVG, drawn here (nothing fetched), readable from across a room."""
    # Why here: only staff pages draw QR codes; a web worker does not hold segno from start.
    import segno

    return segno.make(url, error="q").svg_inline(scale=8, dark="#0b0c0c", light="#ffffff", title="QR code")


async def session_for_code(engine: AsyncEngine, code: str, now: datetime, settings: Settings) -> SessionForLink | None:
    """The session whose room link this is, while the link is open; None for any other code."""
    async with engine.connect() as conn:
        return await _session_for_code(conn, code, now, settings)


async def _session_for_code(
    conn: AsyncConnection, code: str, now: datetime, settings: Settings
) -> SessionForLink | None:
    if not code or len(code) > 64:
        return None
    row = (
        await conn.execute(
            select(
                SESSIONS.c.id,
                COURSES.c.name,
                SESSIONS.c.date,
                COURSES.c.follow_up_days,
                COURSES.c.evaluation_survey,
                SESSIONS.c.capacity,
            )
            .join(COURSES, COURSES.c.id == SESSIONS.c.course_id)
            .where(SESSIONS.c.link_code == code)
        )
    ).first()
    if row is None or not timing.session_link_open(row.date, now, settings):
        return None
    return SessionForLink(row.id, row.name, row.date, row.follow_up_days, row.evaluation_survey, row.capacity)


def check_join_form(values: Mapping[str, Any], sectors: Sequence[str], *, known: bool) -> dict[str, Any]:
    """The room form's fields checked: always the email; name, organisation and sector when not on the list."""
    errors: rules.Errors = {}
    checked: dict[str, Any] = {"email": rules.email(values.get("email", ""), errors)}
    if not known:
        checked["name"] = rules.text(values.get("name", ""), "Your name", errors, "name")
        checked["organisation"] = rules.text(values.get("organisation", ""), "Organisation", errors, "organisation")
        checked["sector"] = rules.sector(values.get("sector", ""), sectors, errors)
    if errors:
        raise Invalid(errors)
    return checked


async def join_by_room_link(
    engine: AsyncEngine, code: str, values: Mapping[str, Any], now: datetime, settings: Settings
) -> LinkOutcome:
    """Find or add the delegate by work email, and open their evaluation (Invalid for a bad form).

    A delegate not on the list is asked for their name, organisation and sector as well, and is
    added as having attended: they are in the room.
    """
    async with engine.begin() as conn:
        session = await _session_for_code(conn, code, now, settings)
        if session is None:
            return NOT_WORKING
        errors: rules.Errors = {}
        email = rules.email(values.get("email", ""), errors)
        if errors:
            raise Invalid(errors)
        found = (
            await conn.execute(
                select(DELEGATES.c.id, DELEGATES.c.attended).where(
                    DELEGATES.c.session_id == session.session_id, DELEGATES.c.email == email
                )
            )
        ).first()
        if found is None:
            checked = check_join_form(values, settings.training_sectors, known=False)
            await _check_a_place_left(conn, session)
            delegate_id = await _add_delegate(conn, session.session_id, checked, now)
        else:
            delegate_id = found.id
            if not found.attended:
                await conn.execute(
                    update(DELEGATES).where(DELEGATES.c.id == delegate_id).values(attended=True, updated_at=now)
                )
        invitation = await _evaluation_invitation(conn, delegate_id, session, now, settings)
        if invitation.state == "answered":
            return LinkRefused("answered", session.evaluation_survey)
        if invitation.state == "expired":
            return NOT_WORKING
        secret = await browser_secret(conn, invitation.id, now)
    return LinkOpened(session.evaluation_survey, secret, cookie_age(invitation.expires_at, now, settings))


async def _check_a_place_left(conn: AsyncConnection, session: SessionForLink) -> None:
    """Invalid when as many have attended as the session has places.

    Why: whoever has the room code (a QR code on a slide, a link pasted in an online session's chat)
    could otherwise add any number of addresses, and each would be sent emails for six months.
    """
    attended = (
        await conn.execute(
            select(func.count())
            .select_from(DELEGATES)
            .where(DELEGATES.c.session_id == session.session_id, DELEGATES.c.attended.is_(True))
        )
    ).scalar_one()
    if attended >= session.capacity:
        raise Invalid(
            {
                "email": f"All {session.capacity:,} places on this session are taken. Ask the trainer to add you"
                " to the attendee list, then use this link again."
            }
        )


async def _add_delegate(conn: AsyncConnection, session_id: uuid.UUID, checked: Mapping[str, Any], now: datetime) -> Any:
    delegate_id = uuid.uuid4()
    await conn.execute(
        insert(DELEGATES).values(
            id=delegate_id,
            session_id=session_id,
            name=checked["name"],
            email=checked["email"],
            organisation=checked["organisation"],
            sector=checked["sector"],
            attended=True,
            pseudonym=new_pseudonym(),
            created_at=now,
            updated_at=now,
        )
    )
    await audit(conn, SYSTEM, "training.delegate.join", Target("delegate", str(delegate_id)))
    return delegate_id


async def _evaluation_invitation(
    conn: AsyncConnection, delegate_id: uuid.UUID, session: SessionForLink, now: datetime, settings: Settings
) -> Any:
    """The delegate's evaluation invitation, made now if the due work has not made it yet."""
    statement = insert_ignoring_conflicts(INVITATIONS, conn.dialect.name, ["delegate_id", "kind"]).values(
        id=uuid.uuid4(),
        delegate_id=delegate_id,
        kind="evaluation",
        state="scheduled",
        due_at=timing.evaluation_due(session.date, settings),
        reminders_sent=0,
        created_at=now,
    )
    await conn.execute(statement)
    return (
        await conn.execute(
            select(INVITATIONS.c.id, INVITATIONS.c.state, INVITATIONS.c.expires_at).where(
                INVITATIONS.c.delegate_id == delegate_id, INVITATIONS.c.kind == "evaluation"
            )
        )
    ).one()
